"""What a stretch of time (the digest's week) holds: its matches with their articles and outlets, the
other reports of their stories, story counts per topic, and each outlet's articles and crawl health.

An article belongs to the stretch of its publication time (its first-seen time when it has no date)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select, type_coerce
from sqlalchemy.orm import Session

from rasid.storage.models import Article, Match, Source
from rasid.storage.types import UTCDateTime

_IN_CHUNK = 500


class WeekArticle(NamedTuple):
    id: int
    story_id: int | None
    title: str
    url: str
    published_at: datetime | None
    fetched_at: datetime
    source_id: int
    outlet: str


class WeekMatch(NamedTuple):
    """A match of the stretch, with its article (the fields of `WeekArticle`) and outlet."""

    topic: str
    score: float
    modality: str | None
    evidence: list[dict[str, Any]] | None
    confidence: str
    review_reason: str | None
    id: int
    story_id: int | None
    title: str
    url: str
    published_at: datetime | None
    fetched_at: datetime
    source_id: int
    outlet: str


class OutletWeek(NamedTuple):
    """An outlet, its crawl health, and its articles in the stretch (and the last one before its end)."""

    id: int
    name: str
    homepage: str
    articles: int
    last_article_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int


_ARTICLE = (
    Article.id,
    Article.story_id,
    Article.title,
    Article.url,
    Article.published_at,
    Article.fetched_at,
    Article.source_id,
    Source.name,
)


def _in(start: datetime, end: datetime) -> ColumnElement[bool]:
    moment = type_coerce(func.coalesce(Article.published_at, Article.fetched_at), UTCDateTime())
    return (moment >= start) & (moment < end)


def matches_between(session: Session, start: datetime, end: datetime) -> list[WeekMatch]:
    """Every match (confident or to review) of an article of the stretch."""
    rows = session.execute(
        select(
            Match.topic,
            Match.score,
            Match.modality,
            Match.evidence,
            Match.confidence,
            Match.review_reason,
            *_ARTICLE,
        )
        .join(Article, Match.article_id == Article.id)
        .join(Source, Article.source_id == Source.id)
        .where(_in(start, end))
    )
    return [WeekMatch._make(r) for r in rows]


def story_articles(
    session: Session, start: datetime, end: datetime, story_ids: Iterable[int]
) -> list[WeekArticle]:
    """Every article of the stretch in these stories (other outlets reporting the same story)."""
    ids = sorted(story_ids)
    out: list[WeekArticle] = []
    for i in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(*_ARTICLE)
            .join(Source, Article.source_id == Source.id)
            .where(Article.story_id.in_(ids[i : i + _IN_CHUNK]), _in(start, end))
        )
        out += [WeekArticle._make(r) for r in rows]
    return out


def story_counts(
    session: Session, start: datetime, end: datetime
) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
    """(stories, matched articles) per topic and over all topics in the stretch, by confident matches."""
    key = func.coalesce(Article.story_id, -Article.id)
    confident = Match.confidence == "alert"
    per_topic = session.execute(
        select(Match.topic, func.count(func.distinct(key)), func.count(Match.id))
        .join(Article, Match.article_id == Article.id)
        .where(_in(start, end), confident)
        .group_by(Match.topic)
    ).all()
    total = session.execute(
        select(func.count(func.distinct(key)), func.count(func.distinct(Article.id)))
        .join(Match, Match.article_id == Article.id)
        .where(_in(start, end), confident)
    ).one()
    return {t: (int(s), int(a)) for t, s, a in per_topic}, (int(total[0]), int(total[1]))


def articles_between(session: Session, start: datetime, end: datetime) -> int:
    return int(session.scalar(select(func.count(Article.id)).where(_in(start, end))) or 0)


def outlets_between(session: Session, start: datetime, end: datetime) -> list[OutletWeek]:
    """Every outlet (by name), with its articles of the stretch and its last article before its end."""
    counts = dict(
        session.execute(
            select(Article.source_id, func.count(Article.id))
            .where(_in(start, end))
            .group_by(Article.source_id)
        ).all()
    )
    last_seen = dict(
        session.execute(
            select(Article.source_id, func.max(Article.fetched_at))
            .where(Article.fetched_at < end)
            .group_by(Article.source_id)
        ).all()
    )
    return [
        OutletWeek(
            src.id,
            src.name,
            src.homepage,
            int(counts.get(src.id, 0)),
            _aware(last_seen.get(src.id)),
            src.last_success_at,
            src.last_error,
            src.last_error_at,
            src.consecutive_failures or 0,
        )
        for src in session.scalars(select(Source).order_by(Source.name, Source.id))
    ]


def _aware(value: Any) -> datetime | None:
    """max() over a UTC column comes back without the column type on SQLite: make it an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
