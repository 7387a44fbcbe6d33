"""The crawler's one door to storage: what a crawl asks of the database (source ids, feed validators,
which URLs are unknown, a source's crawl result) as a Protocol. `rasid.storage.crawl_port.CrawlStore`
implements it; the crawler never sees a session, a model or the page pipeline's insides."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

Validators = dict[tuple[str, str], tuple[str | None, str | None]]
"""(source name, listing URL) -> (ETag, Last-Modified) last answered."""


class CrawlStorePort(Protocol):
    """What a crawl reads and writes. Every method blocks (SQL): call it from a worker thread."""

    def source_ids(self, sources: Iterable[tuple[str, str]]) -> dict[str, int]:
        """name -> id of the configured sources (name, homepage), created if missing."""
        ...

    def validators(self, source_ids: dict[str, int]) -> Validators:
        """The conditional-request validators stored for these sources' listings."""
        ...

    def save_validators(
        self, source_id: int, url: str, status: int, etag: str | None, last_modified: str | None
    ) -> None:
        """Remember how a listing answered (200 with its validators, or 304)."""
        ...

    def unknown_urls(self, urls: list[str]) -> list[str]:
        """The canonical URLs not stored yet, in the order given."""
        ...

    def record_crawl(self, source_id: int, ok: bool, error: str | None, new_articles: int) -> None:
        """One crawl's result for a source: success (or its error) and how many articles were new."""
        ...

    def add_pending(self, source_id: int, urls: list[str], later: list[str]) -> None:
        """Record article URLs a listing named: `urls` about to be requested, `later` over this poll's limit.
        Done before the listing's validators are saved, so a crash or a 304 cannot hide them."""
        ...

    def due_pending(self, source_id: int, give_up_after: float, limit: int) -> list[str]:
        """A source's article URLs not stored yet and due for another try (each pushed to its next backoff
        step); those older than `give_up_after` seconds are given up instead."""
        ...

    def page_failed(self, url: str, error: str) -> None:
        """Why a pending article's last request failed."""
        ...
