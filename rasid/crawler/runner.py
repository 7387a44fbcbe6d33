"""CrawlRunner: runs crawls of some sources inside the running asyncio loop (AsyncCrawlerRunner) and
records each source's result through the storage port afterwards. Created once per process; crawls repeat
for months. The `source_throttled` signal of each crawl lands in its report (`not_before`)."""

from __future__ import annotations

import asyncio
import logging
import time

from scrapy.crawler import AsyncCrawlerRunner

from rasid.config import CrawlerSettings, SourceSettings
from rasid.crawler.context import CrawlContext
from rasid.crawler.defaults import scrapy_settings
from rasid.crawler.port import CrawlStorePort
from rasid.crawler.report import CrawlReport
from rasid.crawler.spiders.sources import SourcesSpider
from rasid.pipeline import PageHandler

log = logging.getLogger(__name__)


def record_report(store: CrawlStorePort, source_ids: dict[str, int], report: CrawlReport) -> None:
    """Each source's result of a crawl (or of a worker's interval of one) through the port; blocks."""
    for name, src in report.sources.items():
        store.record_crawl(source_ids[name], ok=src.ok, error=src.error, new_articles=src.new)


class CrawlRunner:
    def __init__(
        self,
        settings: CrawlerSettings,
        store: CrawlStorePort,
        pages: PageHandler,
        sources: list[SourceSettings],
        log_level: str = "WARNING",
    ) -> None:
        self.settings = settings
        self.store = store
        self.pages = pages
        self.source_ids = store.source_ids([(s.name, s.homepage) for s in sources])
        self.runner = AsyncCrawlerRunner(scrapy_settings(settings, log_level))
        self.stopping = False
        self.current: CrawlReport | None = None
        """The report of the crawl under way, filled as it goes (for a progress display)."""

    async def crawl(self, sources: list[SourceSettings]) -> CrawlReport:
        """One crawl of these sources: listings, new articles, storage, matching, outbox."""
        started = time.monotonic()
        ids = {s.name: self.source_ids[s.name] for s in sources}
        context = CrawlContext(self.settings, self.store, self.pages, sources, ids)
        context.validators = await asyncio.to_thread(self.store.validators, ids)
        crawler = self.runner.create_crawler(SourcesSpider)
        context.watch(crawler)
        self.current = context.report
        await self.runner.crawl(crawler, context=context)
        context.report.seconds = time.monotonic() - started
        if self.stopping:  # cut short by a shutdown: only what was learnt counts, silence is not failure
            context.report.sources = {
                n: r for n, r in context.report.sources.items() if r.ok or r.listing_errors
            }
        await asyncio.to_thread(record_report, self.store, ids, context.report)
        for src in context.report.sources.values():
            if not src.ok:
                log.warning("source %s failed: %s", src.name, src.error)
        return context.report

    async def stop(self) -> None:
        self.stopping = True
        await self.runner.stop()
