"""Outlets as the reports and the health review see them: their crawl health, their articles' times,
the health state recorded and the state operations were last told about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from rasid.storage.models import Article, FeedState, Source


@dataclass(frozen=True)
class Outlet:
    """An outlet's row: its crawl health and the health states recorded."""

    id: int
    name: str
    homepage: str
    created_at: datetime
    last_crawl_at: datetime | None
    last_success_at: datetime | None
    last_new_article_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    health: str
    health_since: datetime | None
    health_notified: str


@dataclass(frozen=True)
class Feed:
    """A feed or sitemap address of an outlet, with its last answer."""

    source_id: int
    url: str
    last_status: int | None
    last_fetched_at: datetime | None


def _outlet(s: Source) -> Outlet:
    return Outlet(
        s.id,
        s.name,
        s.homepage,
        s.created_at,
        s.last_crawl_at,
        s.last_success_at,
        s.last_new_article_at,
        s.last_error,
        s.last_error_at,
        s.consecutive_failures or 0,
        s.health,
        s.health_since,
        s.health_notified,
    )


def outlets(session: Session, names: Sequence[str] | None = None) -> list[Outlet]:
    """Every outlet (or those named), by id."""
    query = select(Source).order_by(Source.id)
    if names is not None:
        query = query.where(Source.name.in_(list(names)))
    return [_outlet(s) for s in session.scalars(query)]


def fetched_since(session: Session, source_id: int, since: datetime) -> list[datetime]:
    """When the outlet's articles first seen since `since` were fetched."""
    return list(
        session.scalars(
            select(Article.fetched_at).where(Article.source_id == source_id, Article.fetched_at >= since)
        )
    )


def set_health(session: Session, source_id: int, state: str, since: datetime) -> None:
    session.execute(update(Source).where(Source.id == source_id).values(health=state, health_since=since))


def mark_notified(session: Session, name: str, state: str) -> None:
    """Operations were told the outlet is in `state`."""
    session.execute(update(Source).where(Source.name == name).values(health_notified=state))


def article_counts(session: Session) -> dict[int, int]:
    """source id -> articles stored."""
    rows = session.execute(select(Article.source_id, func.count()).group_by(Article.source_id))
    return {sid: int(n) for sid, n in rows}


def feeds(session: Session) -> list[Feed]:
    return [
        Feed(f.source_id, f.url, f.last_status, f.last_fetched_at)
        for f in session.scalars(select(FeedState).order_by(FeedState.id))
    ]


def article_totals(session: Session) -> tuple[int, datetime | None]:
    """Articles stored, and when the newest was fetched."""
    count, latest = session.execute(select(func.count(Article.id), func.max(Article.fetched_at))).one()
    return int(count or 0), _aware(latest)


def _aware(value: object) -> datetime | None:
    """max() over a UTC column comes back without the column type on SQLite: an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
