"""Reading a week out of the database: matches grouped into stories per topic, counts, outlet health.

An article belongs to the week of its publication time (its first-seen time when it has no date).
Confident ("alert") matches make the stories, counts and chart; possible ("review") ones are gathered
apart, per topic, for the digest's "to review" section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rasid.alerts.digest.model import (
    Counts,
    Digest,
    OutletHealth,
    Report,
    Story,
    TopicDigest,
    evidence_of,
)
from rasid.alerts.digest.week import Week
from rasid.storage import Database
from rasid.storage.weekly import (
    WeekArticle,
    WeekMatch,
    articles_between,
    matches_between,
    outlets_between,
    story_articles,
    story_counts,
)
from rasid.text import clean


@dataclass(frozen=True)
class TopicInfo:
    """A watch topic's id and titles, as the digest shows them."""

    id: str
    title_ar: str = ""
    title_en: str = ""


def topics_from_watchlist(watchlist: Any) -> list[TopicInfo]:
    """TopicInfo for every topic of a `rasid.matching.Watchlist`, in watchlist order."""
    return [TopicInfo(t.id, t.title_ar or "", getattr(t, "title_en", "") or "") for t in watchlist.topics]


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


def _row(article: WeekArticle | WeekMatch) -> _Row:
    outlet = article.outlet
    moment = article.published_at or article.fetched_at
    key = f"s{article.story_id}" if article.story_id is not None else f"a{article.id}"
    return _Row(
        article.id, key, article.story_id, clean(article.title), article.url, clean(outlet),
        article.source_id, moment,
    )  # fmt: skip


def _siblings(session: Session, week: Week, story_ids: set[int]) -> dict[int, list[_Row]]:
    """Every article of the week in the given stories (other outlets reporting the same story)."""
    out: dict[int, list[_Row]] = defaultdict(list)
    for article in story_articles(session, week.start, week.end, story_ids):
        out[article.story_id or 0].append(_row(article))
    return out


def _outlets(session: Session, week: Week, matched: dict[int, set[int]]) -> list[OutletHealth]:
    out = []
    for src in outlets_between(session, week.start, week.end):
        n = src.articles
        err_at = src.last_error_at
        failed = err_at is not None and (
            week.start <= err_at < week.end or (src.consecutive_failures > 0 and err_at < week.start)
        )
        status = "failed" if failed else ("silent" if n == 0 else "ok")
        out.append(
            OutletHealth(
                name=clean(src.name),
                homepage=src.homepage,
                articles=n,
                matched=len(matched.get(src.id, set())),
                status=status,
                last_article_at=src.last_article_at,
                last_success_at=src.last_success_at,
                last_error=clean(src.last_error) or None,
                last_error_at=err_at,
                consecutive_failures=src.consecutive_failures,
            )
        )
    return out


def collect(session: Session, week: Week, topics: Sequence[TopicInfo]) -> Digest:
    """Everything the digest of `week` shows, read in one session."""
    rows = matches_between(session, week.start, week.end)
    by_topic: dict[str, list[tuple[_Row, WeekMatch]]] = defaultdict(list)
    to_review: dict[str, list[tuple[_Row, WeekMatch]]] = defaultdict(list)
    matched_by_source: dict[int, set[int]] = defaultdict(set)
    story_ids: set[int] = set()
    for row in rows:
        r = _row(row)
        if row.confidence == "review":
            to_review[row.topic].append((r, row))
        else:
            by_topic[row.topic].append((r, row))
            matched_by_source[r.source_id].add(r.article_id)
        if r.story_id is not None:
            story_ids.add(r.story_id)
    siblings = _siblings(session, week, story_ids) if story_ids else {}
    now_counts, now_total = story_counts(session, week.start, week.end)
    previous = week.previous()
    before_counts, before_total = story_counts(session, previous.start, previous.end)

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
    articles = articles_between(session, week.start, week.end)
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
