"""Where the stages meet: a fetched page is extracted, stored once, matched, and its alerts put in the outbox.

A `PageHandler` takes a page and gives its result: `Pipeline` itself (one page at a time in the pipeline's
own thread: everything here blocks, trafilatura and SQL), or `rasid.page_workers.PageWorkers`, which runs a
Pipeline in each of its child processes (`crawler.page_processes`). The crawler's item pipeline is handed
one of the two. One thread, not the shared pool: with six threads the
extractions fought over the GIL and the SQLite writers over the file lock, and a page cost about 40% more
CPU (bench/RESULTS.md, Crawl).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from rasid.config import ChannelSettings, SourceSettings
from rasid.extractors import ExtractOptions, extract_article
from rasid.matching import Matcher
from rasid.storage import (
    Database,
    NewArticle,
    NewMatch,
    Route,
    ensure_sources,
    insert_article,
    record_matches,
)
from rasid.urls import canonicalize

log = logging.getLogger(__name__)

Outcome = Literal["new", "duplicate", "no_article", "error"]


@dataclass(frozen=True)
class FetchedPage:
    """An article page as the crawler received it."""

    source: str
    url: str
    body: bytes
    status: int = 200
    content_type: str | None = None


@dataclass(frozen=True)
class PageResult:
    """What became of one page."""

    outcome: Outcome
    url: str
    article_id: int | None = None
    title: str | None = None
    topics: tuple[str, ...] = ()  # the topics that fired as confident ("alert") matches
    alerts: int = 0
    error: str | None = None
    review: tuple[str, ...] = ()  # the topics that fired only as possible ("review") matches


class PageHandler(Protocol):
    """Takes a fetched page, gives what became of it (never raises); `close` ends its threads/processes."""

    async def process_async(self, page: FetchedPage) -> PageResult: ...

    def close(self) -> None: ...


def routes_for(channels: list[ChannelSettings], topics: list[str]) -> dict[str, list[Route]]:
    """topic id -> the channels that take it, each with the confidence it takes ("alert": confident matches
    only; "review": possible ones too). Operations-only channels take no topics."""
    return {
        t: [Route(c.name, c.confidence) for c in channels if not c.operations and c.takes(t)] for t in topics
    }


class Pipeline:
    """page -> extract -> store -> match -> outbox, one transaction per article."""

    def __init__(
        self,
        db: Database,
        matcher: Matcher,
        sources: list[SourceSettings],
        channels: list[ChannelSettings],
        topic_ids: list[str],
    ) -> None:
        self.db = db
        self.matcher = matcher
        self.sources = {s.name: s for s in sources}
        self.routes = routes_for(channels, topic_ids)
        with db.session() as session:
            self.source_ids = ensure_sources(session, [(s.name, s.homepage) for s in sources])
        self._options = {
            s.name: ExtractOptions(
                body_selector=s.extraction.body_selector,
                drop_lines=tuple(s.extraction.drop_lines),
                timezone=s.timezone,
                language=s.language,
            )
            for s in sources
        }
        self._thread: ThreadPoolExecutor | None = None

    async def process_async(self, page: FetchedPage) -> PageResult:
        """`process` in the pipeline's own thread, awaited from the crawler's event loop."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rasid-pages")
        return await asyncio.wrap_future(self._thread.submit(self.process, page))

    def close(self) -> None:
        """Let the pipeline's thread finish the page in hand and end."""
        if self._thread is not None:
            self._thread.shutdown(wait=True, cancel_futures=True)
            self._thread = None

    def process(self, page: FetchedPage) -> PageResult:
        """Never raises: a page that breaks a stage is reported as an `error` outcome."""
        try:
            return self._process(page)
        except Exception as exc:  # one bad page must not stop the crawl
            log.exception("page %s from %s failed: %s", page.url, page.source, exc)
            return PageResult("error", page.url, error=f"{type(exc).__name__}: {exc}")

    def _process(self, page: FetchedPage) -> PageResult:
        article = extract_article(
            page.body,
            page.url,
            self._options.get(page.source),
            content_type=page.content_type,
            now=datetime.now(UTC),
        )
        if article is None:
            log.info("no article found at %s", page.url)
            return PageResult("no_article", page.url)
        url = (
            canonicalize(article.canonical_url or page.url)
            if _same_site(article.canonical_url, page.url)
            else (canonicalize(page.url))
        )
        matches = self.matcher.match(article.text, title=article.title)
        new_matches = [
            NewMatch(
                m.topic,
                m.score,
                m.modality,
                [e.to_dict() for e in m.evidence],
                confidence=m.confidence,
                review_reason=m.review_reason,
            )
            for m in matches
        ]
        with self.db.session() as session:
            article_id = insert_article(
                session,
                self.source_ids[page.source],
                NewArticle(
                    url=url,
                    title=article.title,
                    text=article.text,
                    published=article.published,
                    author=article.author,
                    language=article.language,
                ),
            )
            if article_id is None:
                return PageResult("duplicate", url)
            alert_ids = record_matches(session, article_id, new_matches, self.routes)
        topics = tuple(m.topic for m in matches if m.confidence == "alert")
        review = tuple(m.topic for m in matches if m.confidence == "review")
        if topics or review:
            found = [
                f"{label} {', '.join(ids)}"
                for label, ids in (("matched", topics), ("to review", review))
                if ids
            ]
            log.info("article %s %s (%d alerts queued)", url, "; ".join(found), len(alert_ids))
        return PageResult("new", url, article_id, article.title, topics, len(alert_ids), review=review)


def _same_site(canonical: str | None, url: str) -> bool:
    """A rel=canonical is trusted only when it stays on the page's own site (no hijacking by a header)."""
    if not canonical:
        return False
    from rasid.urls import host_of

    a, b = host_of(canonical), host_of(url)
    return bool(a) and (a == b or a.removeprefix("www.") == b.removeprefix("www."))
