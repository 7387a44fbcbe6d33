"""The frontier: article URLs a listing named that are not stored yet. An entry is recorded (committed)
before the listing's validators are, so a 304 never hides it; it leaves when its article is stored, or is
given up after failing for longer than `crawler.give_up_pages_after` (then it is visible per source).

Each entry has its own schedule: requested when seen, then again with backoff (15 s, 30 s, 1 min ..., at most
an hour) at the source's later polls, whatever its listings answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, Text, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from rasid.storage.models import Article, Base
from rasid.storage.types import UTCDateTime

FIRST_RETRY = timedelta(seconds=15)
LAST_RETRY = timedelta(hours=1)


class PendingArticle(Base):
    """An article URL seen in a listing and not stored yet."""

    __tablename__ = "frontier"
    __table_args__ = (Index("ix_frontier_due", "source_id", "given_up_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text, unique=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    given_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class FrontierCounts:
    """A source's frontier at a glance: entries waiting, and entries given up (with the latest one)."""

    pending: int
    given_up: int
    last_given_up: str | None


def backoff(attempts: int) -> timedelta:
    """The wait before the next request of an entry requested `attempts` times."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LAST_RETRY)


def add_pending(
    session: Session, source_id: int, urls: list[str], now: datetime, later: list[str] | None = None
) -> None:
    """Record `urls` (about to be requested now) and `later` (over this poll's limit: due at the next one),
    each unless already in the frontier."""
    every = [*urls, *(later or [])]
    if not every:
        return
    have = set(session.scalars(select(PendingArticle.url).where(PendingArticle.url.in_(every))))
    requested = set(urls)
    for url in dict.fromkeys(every):
        if url not in have:
            now_too = url in requested
            session.add(
                PendingArticle(
                    source_id=source_id,
                    url=url,
                    first_seen_at=now,
                    attempts=1 if now_too else 0,
                    next_attempt_at=now + backoff(1) if now_too else now,
                )
            )


def claim_due(
    session: Session, source_id: int, now: datetime, give_up_after: timedelta, limit: int
) -> list[str]:
    """The entries of a source due again (each pushed to its next backoff step), after dropping those now
    stored and giving up those older than `give_up_after`. An empty frontier (the usual case at a poll)
    costs one indexed look-up."""
    waiting = select(PendingArticle.id).where(
        PendingArticle.source_id == source_id, PendingArticle.given_up_at.is_(None)
    )
    if session.scalar(waiting.limit(1)) is None:
        return []
    stored = select(Article.url).where(Article.url == PendingArticle.url).exists()
    session.execute(delete(PendingArticle).where(PendingArticle.source_id == source_id, stored))
    session.execute(
        update(PendingArticle)
        .where(
            PendingArticle.source_id == source_id,
            PendingArticle.given_up_at.is_(None),
            PendingArticle.first_seen_at < now - give_up_after,
        )
        .values(given_up_at=now)
    )
    due = list(
        session.scalars(
            select(PendingArticle)
            .where(
                PendingArticle.source_id == source_id,
                PendingArticle.given_up_at.is_(None),
                PendingArticle.next_attempt_at <= now,
            )
            .order_by(PendingArticle.first_seen_at)
            .limit(limit)
        )
    )
    for entry in due:
        entry.attempts += 1
        entry.next_attempt_at = now + backoff(entry.attempts)
    return [e.url for e in due]


def note_failure(session: Session, url: str, error: str) -> None:
    """Why the last request of an entry failed (shown with its source once the entry is given up)."""
    session.execute(update(PendingArticle).where(PendingArticle.url == url).values(last_error=error[:500]))


def frontier_counts(session: Session, source_ids: list[int]) -> dict[int, FrontierCounts]:
    """Per source: entries waiting and entries given up (the most recent one with its last error)."""
    rows = session.execute(
        select(
            PendingArticle.source_id,
            func.count().filter(PendingArticle.given_up_at.is_(None)),
            func.count().filter(PendingArticle.given_up_at.is_not(None)),
        )
        .where(PendingArticle.source_id.in_(source_ids))
        .group_by(PendingArticle.source_id)
    ).all()
    out: dict[int, FrontierCounts] = {}
    for source_id, pending, given_up in rows:
        last = None
        if given_up:
            entry = session.scalars(
                select(PendingArticle)
                .where(PendingArticle.source_id == source_id, PendingArticle.given_up_at.is_not(None))
                .order_by(PendingArticle.given_up_at.desc())
                .limit(1)
            ).first()
            if entry is not None:
                last = f"{entry.url} ({entry.last_error or 'never stored'})"
        out[source_id] = FrontierCounts(pending, given_up, last)
    return out
