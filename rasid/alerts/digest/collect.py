"""Reading a week out of the database: matches grouped into stories per topic, counts, outlet health.

An article belongs to the week of its publication time (its first-seen time when it has no date).
Confident ("alert") matches make the stories, counts and chart; possible ("review") ones are gathered
apart, per topic, for the digest's "to review" section.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, type_coerce
from sqlalchemy.orm import Session

from rasid.alerts.digest.model import (
    Counts,
    Digest,
    Evidence,
    Highlight,
    OutletHealth,
    Report,
    Story,
    TopicDigest,
)
from rasid.alerts.digest.week import Week
from rasid.storage import Article, Database, Match, Source
from rasid.storage.types import UTCDateTime

SENTENCE_LIMIT = 600
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_SPACES = re.compile(r"\s+")
_IN_CHUNK = 500


@dataclass(frozen=True)
class TopicInfo:
    """A watch topic's id and titles, as the digest shows them."""

    id: str
    title_ar: str = ""
    title_en: str = ""


def topics_from_watchlist(watchlist: Any) -> list[TopicInfo]:
    """TopicInfo for every topic of a `rasid.matching.Watchlist`, in watchlist order."""
    return [TopicInfo(t.id, t.title_ar or "", getattr(t, "title_en", "") or "") for t in watchlist.topics]


def clean(text: str | None) -> str:
    """Text from the web as shown: bidi override characters removed, whitespace runs made one space."""
    return _SPACES.sub(" ", (text or "").translate(_BIDI_CONTROLS)).strip()


def _moment() -> ColumnElement[datetime]:
    return type_coerce(func.coalesce(Article.published_at, Article.fetched_at), UTCDateTime())


def _in_week(week: Week) -> ColumnElement[bool]:
    moment = _moment()
    return (moment >= week.start) & (moment < week.end)


def evidence_of(items: Iterable[dict[str, Any]] | None) -> Evidence | None:
    """The first evidence sentence, cleaned, with its matched terms as offsets into the cleaned text."""
    for ev in items or []:
        sentence = ev.get("sentence") or ""
        if not isinstance(sentence, str) or not sentence.strip():
            continue
        base = int(ev.get("start") or 0)
        spans: list[tuple[int, int]] = []
        for term in ev.get("terms") or []:
            s, e = int(term.get("start", 0)) - base, int(term.get("end", 0)) - base
            if 0 <= s < e <= len(sentence):
                spans.append((s, e))
        merged: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return _cleaned(str(ev.get("field") or ""), sentence, merged)
    return None


def _cleaned(field: str, sentence: str, spans: list[tuple[int, int]]) -> Evidence:
    """Clean each piece separately so the highlights still point at the right words, then cut to size."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for s, e in spans:
        pieces += [(sentence[pos:s], False), (sentence[s:e], True)]
        pos = e
    pieces.append((sentence[pos:], False))
    text = ""
    highlights: list[Highlight] = []
    for piece, hit in pieces:
        piece = _SPACES.sub(" ", piece.translate(_BIDI_CONTROLS))
        if not text:
            piece = piece.lstrip()
        if not piece:
            continue
        if hit and len(text) < SENTENCE_LIMIT:
            highlights.append(Highlight(len(text), min(len(text) + len(piece), SENTENCE_LIMIT)))
        text += piece
    if len(text) > SENTENCE_LIMIT:
        text = text[: SENTENCE_LIMIT - 1] + "…"
    return Evidence(field, text.rstrip(), tuple(h for h in highlights if h.end <= len(text.rstrip())))


@dataclass
class _Row:
    article_id: int
    story_key: str
    story_id: int | None
    headline: str
    url: str
    outlet: str
    source_id: int
    moment: datetime


def _row(article: Any, outlet: str) -> _Row:
    moment = article.published_at or article.fetched_at
    key = f"s{article.story_id}" if article.story_id is not None else f"a{article.id}"
    return _Row(
        article.id, key, article.story_id, clean(article.title), article.url, clean(outlet),
        article.source_id, moment,
    )  # fmt: skip


def _article_columns() -> tuple[Any, ...]:
    return (
        Article.id,
        Article.story_id,
        Article.title,
        Article.url,
        Article.published_at,
        Article.fetched_at,
        Article.source_id,
    )


def _story_counts(session: Session, week: Week) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
    """(stories, matched articles) per topic and over all topics, for `week`, by confident matches."""
    key = func.coalesce(Article.story_id, -Article.id)
    confident = Match.confidence == "alert"
    per_topic = session.execute(
        select(Match.topic, func.count(func.distinct(key)), func.count(Match.id))
        .join(Article, Match.article_id == Article.id)
        .where(_in_week(week), confident)
        .group_by(Match.topic)
    ).all()
    total = session.execute(
        select(func.count(func.distinct(key)), func.count(func.distinct(Article.id)))
        .join(Match, Match.article_id == Article.id)
        .where(_in_week(week), confident)
    ).one()
    return {t: (int(s), int(a)) for t, s, a in per_topic}, (int(total[0]), int(total[1]))


def _siblings(session: Session, week: Week, story_ids: set[int]) -> dict[int, list[_Row]]:
    """Every article of the week in the given stories (other outlets reporting the same story)."""
    out: dict[int, list[_Row]] = defaultdict(list)
    ids = sorted(story_ids)
    for i in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(*_article_columns(), Source.name)
            .join(Source, Article.source_id == Source.id)
            .where(Article.story_id.in_(ids[i : i + _IN_CHUNK]), _in_week(week))
        ).all()
        for row in rows:
            r = _row(row, row.name)
            out[row.story_id].append(r)
    return out


def _outlets(session: Session, week: Week, matched: dict[int, set[int]]) -> list[OutletHealth]:
    counts = dict(
        session.execute(
            select(Article.source_id, func.count(Article.id))
            .where(_in_week(week))
            .group_by(Article.source_id)
        ).all()
    )
    last_seen = dict(
        session.execute(
            select(Article.source_id, func.max(Article.fetched_at))
            .where(Article.fetched_at < week.end)
            .group_by(Article.source_id)
        ).all()
    )
    out = []
    for src in session.scalars(select(Source).order_by(Source.name, Source.id)):
        n = int(counts.get(src.id, 0))
        err_at = src.last_error_at
        failed = err_at is not None and (
            week.start <= err_at < week.end or (src.consecutive_failures > 0 and err_at < week.start)
        )
        status = "failed" if failed else ("silent" if n == 0 else "ok")
        last = last_seen.get(src.id)
        out.append(
            OutletHealth(
                name=clean(src.name),
                homepage=src.homepage,
                articles=n,
                matched=len(matched.get(src.id, set())),
                status=status,
                last_article_at=_aware(last),
                last_success_at=src.last_success_at,
                last_error=clean(src.last_error) or None,
                last_error_at=err_at,
                consecutive_failures=src.consecutive_failures or 0,
            )
        )
    return out


def _aware(value: Any) -> datetime | None:
    """max() over a UTC column comes back without the column type on SQLite: make it an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def collect(session: Session, week: Week, topics: Sequence[TopicInfo]) -> Digest:
    """Everything the digest of `week` shows, read in one session."""
    rows = session.execute(
        select(
            Match.topic,
            Match.score,
            Match.modality,
            Match.evidence,
            Match.confidence,
            Match.review_reason,
            *_article_columns(),
            Source.name,
        )
        .join(Article, Match.article_id == Article.id)
        .join(Source, Article.source_id == Source.id)
        .where(_in_week(week))
    ).all()
    by_topic: dict[str, list[tuple[_Row, Any]]] = defaultdict(list)
    to_review: dict[str, list[tuple[_Row, Any]]] = defaultdict(list)
    matched_by_source: dict[int, set[int]] = defaultdict(set)
    story_ids: set[int] = set()
    for row in rows:
        r = _row(row, row.name)
        if row.confidence == "review":
            to_review[row.topic].append((r, row))
        else:
            by_topic[row.topic].append((r, row))
            matched_by_source[r.source_id].add(r.article_id)
        if r.story_id is not None:
            story_ids.add(r.story_id)
    siblings = _siblings(session, week, story_ids) if story_ids else {}
    now_counts, now_total = _story_counts(session, week)
    before_counts, before_total = _story_counts(session, week.previous())

    infos = list(topics)
    known = {t.id for t in infos}
    infos += [TopicInfo(t) for t in sorted((set(by_topic) | set(to_review)) - known)]
    sections = []
    for info in infos:
        stories = _stories(by_topic.get(info.id, []), siblings, week)
        confident = {s.key for s in stories}  # a story with a confident report is not to review
        possible = [m for m in to_review.get(info.id, []) if m[0].story_key not in confident]
        review = _stories(possible, siblings, week, review=True)
        per_day = [0] * 7
        for r, _ in by_topic.get(info.id, []):
            per_day[week.day_index(r.moment)] += 1
        s, a = now_counts.get(info.id, (0, 0))
        ps, pa = before_counts.get(info.id, (0, 0))
        sections.append(
            TopicDigest(
                id=info.id,
                title_ar=clean(info.title_ar) or info.id,
                title_en=clean(info.title_en),
                counts=Counts(s, a, ps, pa),
                per_day=tuple(per_day),
                stories=tuple(stories),
                review=tuple(review),
            )
        )
    articles = int(session.scalar(select(func.count(Article.id)).where(_in_week(week))) or 0)
    return Digest(
        week=week,
        topics=tuple(sections),
        outlets=tuple(_outlets(session, week, matched_by_source)),
        articles=articles,
        totals=Counts(now_total[0], now_total[1], before_total[0], before_total[1]),
    )


def _stories(
    matched: list[tuple[_Row, Any]], siblings: dict[int, list[_Row]], week: Week, review: bool = False
) -> list[Story]:
    groups: dict[str, list[tuple[_Row, Any]]] = defaultdict(list)
    for r, row in matched:
        groups[r.story_key].append((r, row))
    stories = []
    for key, members in groups.items():
        members.sort(key=lambda m: (m[0].moment, m[0].article_id))
        first, row = members[0]
        reports = {r.article_id: r for r, _ in members}
        if first.story_id is not None:
            for sib in siblings.get(first.story_id, []):
                reports.setdefault(sib.article_id, sib)
        ordered = sorted(reports.values(), key=lambda r: (r.moment, r.article_id))
        stories.append(
            Story(
                key=key,
                headline=first.headline,
                outlet=first.outlet,
                url=first.url,
                published=week.local(first.moment),
                score=round(max(float(m[1].score) for m in members), 4),
                modality=str(row.modality or "asserted"),
                evidence=evidence_of(row.evidence),
                reports=tuple(
                    Report(r.article_id, r.outlet, r.headline, r.url, week.local(r.moment)) for r in ordered
                ),
                review_reason=(clean(row.review_reason) or None) if review else None,
            )
        )
    stories.sort(key=lambda s: (s.published, s.key))
    return stories


def collect_week(db: Database, week: Week, topics: Sequence[TopicInfo]) -> Digest:
    with db.session() as session:
        return collect(session, week, topics)
