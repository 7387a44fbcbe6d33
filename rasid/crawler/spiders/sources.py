"""SourcesSpider: reads each source's feeds and sitemaps (or discovers them from its homepage) and fetches
only the articles not stored yet. One spider serves any number of sources; each is a data entry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from rasid.config import SourceSettings
from rasid.crawler.context import CrawlContext
from rasid.crawler.discovery import (
    Entry,
    FeedError,
    article_links,
    feeds_in_homepage,
    parse_listing,
    sitemaps_in_robots,
)
from rasid.urls import canonicalize

log = logging.getLogger(__name__)

MAX_SITEMAP_DEPTH = 2
MAX_CHILD_SITEMAPS = 3
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def _failure_text(failure: Failure) -> str:
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(value).__name__}: {value}".strip().rstrip(":")


class SourcesSpider(scrapy.Spider):
    name = "rasid-sources"

    def __init__(self, context: CrawlContext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.sources = {s.name: s for s in context.sources}
        self._pending_asked: set[str] = set()

    # -- listings -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.context.sources:
            for request in self.source_requests(source):
                yield request

    def source_requests(self, source: SourceSettings) -> list[scrapy.Request]:
        """The first requests of one source's crawl: its listings, or its homepage to discover them."""
        self._pending_asked.discard(source.name)  # a new crawl: its due frontier entries are asked again
        self.context.report.of(source.name)
        listings = [(u, "feed") for u in source.feeds] + [(u, "sitemap") for u in source.sitemaps]
        listings += [(u, "section") for u in source.sections]
        if not listings:
            return [self._request(source, source.homepage, self.parse_homepage, kind="homepage")]
        return [self._listing_request(source, url, kind) for url, kind in listings]

    def _request(self, source: SourceSettings, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.listing_failed,
            meta={"source": source.name, **meta},
            dont_filter=True,
            priority=10,
        )

    def _listing_request(self, source: SourceSettings, url: str, kind: str, depth: int = 0) -> scrapy.Request:
        headers: dict[str, str] = {}
        etag, modified = self.context.validators.get((source.name, url), (None, None))
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        callback = self.parse_section if kind == "section" else self.parse_listing
        request = self._request(source, url, callback, kind=kind, depth=depth, handle_httpstatus_list=[304])
        for key, value in headers.items():
            request.headers[key] = value
        return request

    def listing_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta["source"]
        text = _failure_text(failure)
        self.context.report.of(source).listing_errors.append(f"{request.url}: {text}")
        log.warning("source %s: cannot read %s: %s", source, request.url, text)

    async def parse_homepage(self, response: Response) -> AsyncIterator[scrapy.Request]:
        source = self.sources[response.meta["source"]]
        report = self.context.report.of(source.name)
        feeds = feeds_in_homepage(response.body, response.url)
        if feeds:
            report.listings_ok += 1
            log.info("source %s: discovered feeds %s", source.name, ", ".join(feeds))
            for url in feeds[:3]:
                yield self._listing_request(source, url, "feed")
            return
        robots = response.urljoin("/robots.txt")
        yield self._request(source, robots, self.parse_robots, homepage=response.url, body=response.body)

    async def parse_robots(self, response: Response) -> AsyncIterator[scrapy.Request]:
        source = self.sources[response.meta["source"]]
        sitemaps = sitemaps_in_robots(response.body, response.url) if response.status == 200 else []
        if sitemaps:
            self.context.report.of(source.name).listings_ok += 1
            for url in sitemaps[:3]:
                yield self._listing_request(source, url, "sitemap")
            return
        links = article_links(response.meta["body"], response.meta["homepage"], source.article_pattern)
        self.context.report.of(source.name).listings_ok += 1
        for request in await self._articles(source, [Entry(u) for u in links]):
            yield request
        for request in await self._pending(source):
            yield request

    async def parse_section(self, response: Response) -> AsyncIterator[scrapy.Request]:
        source = self.sources[response.meta["source"]]
        report = self.context.report.of(source.name)
        if response.status == 304:
            report.listings_unchanged += 1
        else:
            report.listings_ok += 1
            links = article_links(response.body, response.url, source.article_pattern)
            for request in await self._articles(source, [Entry(u) for u in links]):
                yield request
        for request in await self._pending(source):
            yield request

    async def parse_listing(self, response: Response) -> AsyncIterator[scrapy.Request]:
        """A feed or sitemap: its new entries go into the frontier first, its validators after, so that
        whatever happens next (a crash, pages failing, a 304 at every later poll) nothing listed is lost."""
        source = self.sources[response.meta["source"]]
        report = self.context.report.of(source.name)
        if response.status == 304:
            await self._remember_validators(source, response)
            report.listings_unchanged += 1
            for request in await self._pending(source):
                yield request
            return
        try:
            listing = await asyncio.to_thread(parse_listing, response.body, response.url)
        except FeedError as exc:
            report.listing_errors.append(f"{response.url}: {exc}")
            log.warning("source %s: %s is unreadable: %s", source.name, response.url, exc)
            return
        report.listings_ok += 1
        articles = await self._articles(source, listing.entries)
        await self._remember_validators(source, response)
        depth = response.meta.get("depth", 0)
        if listing.sitemaps and depth < MAX_SITEMAP_DEPTH:
            # newest child sitemaps are usually listed last (or named by date): take the last few
            for url in listing.sitemaps[-MAX_CHILD_SITEMAPS:]:
                yield self._listing_request(source, url, "sitemap", depth + 1)
        for request in articles:
            yield request
        for request in await self._pending(source):
            yield request

    async def _remember_validators(self, source: SourceSettings, response: Response) -> None:
        if response.status not in (200, 304):
            return
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        url = response.request.url if response.request else response.url
        sid = self.context.source_ids[source.name]
        etag_text = etag.decode("latin-1") if etag else None
        modified_text = modified.decode("latin-1") if modified else None
        if response.status == 200:
            self.context.validators[(source.name, url)] = (etag_text, modified_text)
        await asyncio.to_thread(
            self.context.store.save_validators, sid, url, response.status, etag_text, modified_text
        )

    # -- articles -------------------------------------------------------------------------------
    def _fresh(self, entries: Iterable[Entry]) -> list[Entry]:
        cutoff = datetime.now(UTC) - timedelta(seconds=self.context.settings.max_article_age)
        fresh = []
        for e in entries:
            when = e.published
            if when is not None and when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            if when is None or when >= cutoff:
                fresh.append(e)
        fresh.sort(
            key=lambda e: e.published.timestamp() if e.published and e.published.tzinfo else 0.0, reverse=True
        )
        return fresh

    async def _articles(self, source: SourceSettings, entries: list[Entry]) -> list[scrapy.Request]:
        """Requests for the entries not stored yet, after recording them all in the frontier."""
        report = self.context.report.of(source.name)
        urls = list(dict.fromkeys(canonicalize(e.url) for e in self._fresh(entries)))
        report.candidates += len(urls)

        store = self.context.store
        unknown = await asyncio.to_thread(store.unknown_urls, urls)
        limit = self.context.settings.max_articles_per_source
        todo, later = unknown[:limit], unknown[limit:]
        if unknown:
            await asyncio.to_thread(store.add_pending, self.context.source_ids[source.name], todo, later)
        return [self._article_request(source, url) for url in todo]

    async def _pending(self, source: SourceSettings) -> list[scrapy.Request]:
        """Once per crawl of a source: its frontier entries due again (pages that failed, a crawl cut
        short, entries over an earlier poll's limit), whatever the listings answered."""
        if source.name in self._pending_asked:
            return []
        self._pending_asked.add(source.name)
        settings = self.context.settings
        urls = await asyncio.to_thread(
            self.context.store.due_pending,
            self.context.source_ids[source.name],
            settings.give_up_pages_after,
            settings.max_articles_per_source,
        )
        if urls:
            log.info("source %s: %d pending articles asked again", source.name, len(urls))
        return [self._article_request(source, url) for url in urls]

    def _article_request(self, source: SourceSettings, url: str) -> scrapy.Request:
        self.context.report.of(source.name).requested += 1
        return scrapy.Request(
            url, callback=self.parse_article, errback=self.article_failed, meta={"source": source.name}
        )

    def parse_article(self, response: Response) -> Iterable[dict[str, Any]]:
        source = response.meta["source"]
        raw_type = response.headers.get(b"Content-Type") or b""
        ctype = raw_type.split(b";")[0].strip().lower()
        if ctype and ctype not in HTML_TYPES:
            self.context.report.of(source).page_errors.append(f"{response.url}: not HTML ({ctype.decode()})")
            self._note_failure(response.url, f"not HTML ({ctype.decode()})")
            return
        yield {
            "source": source,
            "url": response.url,
            "body": response.body,
            "status": response.status,
            "content_type": raw_type.decode("latin-1") or None,
        }

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta["source"]
        text = _failure_text(failure)
        self.context.report.of(source).page_errors.append(f"{request.url}: {text}")
        log.warning("source %s: cannot fetch article %s: %s", source, request.url, text)
        self._note_failure(request.url, text)

    def _note_failure(self, url: str, text: str) -> None:
        """Record why a pending article failed, in a thread (the entry keeps its place in the frontier)."""
        loop = asyncio.get_event_loop()
        loop.run_in_executor(None, self.context.store.page_failed, canonicalize(url), text)
