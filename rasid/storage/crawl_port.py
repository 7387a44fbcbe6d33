"""CrawlStore: storage's side of the crawler's port (rasid.crawler.port.CrawlStorePort), each call one short
transaction: source ids, listing validators, unknown URLs, the frontier of pending articles, a source's crawl
result."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select

from rasid.storage.articles import ensure_sources, known_urls, record_crawl, save_feed_state
from rasid.storage.clock import utcnow
from rasid.storage.database import Database
from rasid.storage.frontier import add_pending, claim_due, note_failure
from rasid.storage.models import FeedState


class CrawlStore:
    """The crawl's storage on one Database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def source_ids(self, sources: Iterable[tuple[str, str]]) -> dict[str, int]:
        with self.db.session() as session:
            return ensure_sources(session, sources)

    def validators(self, source_ids: dict[str, int]) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        names = {sid: name for name, sid in source_ids.items()}
        with self.db.session() as session:
            rows = session.scalars(select(FeedState).where(FeedState.source_id.in_(list(names))))
            return {(names[r.source_id], r.url): (r.etag, r.last_modified) for r in rows}

    def save_validators(
        self, source_id: int, url: str, status: int, etag: str | None, last_modified: str | None
    ) -> None:
        with self.db.session() as session:
            save_feed_state(session, source_id, url, status, etag, last_modified)

    def unknown_urls(self, urls: list[str]) -> list[str]:
        with self.db.session() as session:
            known = known_urls(session, urls)
        return [u for u in urls if u not in known]

    def record_crawl(self, source_id: int, ok: bool, error: str | None, new_articles: int) -> None:
        with self.db.session() as session:
            record_crawl(session, source_id, ok=ok, error=error, new_articles=new_articles)

    def add_pending(self, source_id: int, urls: list[str], later: list[str]) -> None:
        with self.db.session() as session:
            add_pending(session, source_id, urls, utcnow(), later)

    def due_pending(self, source_id: int, give_up_after: float, limit: int) -> list[str]:
        with self.db.session() as session:
            return claim_due(session, source_id, utcnow(), timedelta(seconds=give_up_after), limit)

    def page_failed(self, url: str, error: str) -> None:
        with self.db.session() as session:
            note_failure(session, url, error)
