"""CrawlRunner: runs crawls of some sources inside the running asyncio loop (AsyncCrawlerRunner) and
records each source's health afterwards. Created once per process; crawls repeat for months."""

from __future__ import annotations

import asyncio
import logging
import time

from scrapy.crawler import AsyncCrawlerRunner

from rasid.config import Settings, SourceSettings
from rasid.crawler.context import CrawlContext
from rasid.crawler.defaults import scrapy_settings
from rasid.crawler.report import CrawlReport
from rasid.crawler.spiders.sources import SourcesSpider
from rasid.pipeline import Pipeline
from rasid.storage import Database, FeedState, record_crawl

log = logging.getLogger(__name__)


class CrawlRunner:
    def __init__(
        self, settings: Settings, db: Database, pipeline: Pipeline, log_level: str = "WARNING"
    ) -> None:
        self.settings = settings
        self.db = db
        self.pipeline = pipeline
        self.runner = AsyncCrawlerRunner(scrapy_settings(settings.crawler, log_level))
        self.stopping = False

    def _validators(
        self, sources: list[SourceSettings]
    ) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        from sqlalchemy import select

        ids = {self.pipeline.source_ids[s.name]: s.name for s in sources}
        with self.db.session() as session:
            rows = session.scalars(select(FeedState).where(FeedState.source_id.in_(list(ids))))
            return {(ids[r.source_id], r.url): (r.etag, r.last_modified) for r in rows}

    def _record(self, report: CrawlReport) -> None:
        with self.db.session() as session:
            for name, src in report.sources.items():
                record_crawl(
                    session, self.pipeline.source_ids[name], ok=src.ok, error=src.error, new_articles=src.new
                )

    async def crawl(self, sources: list[SourceSettings]) -> CrawlReport:
        """One crawl of these sources: listings, new articles, storage, matching, outbox."""
        started = time.monotonic()
        context = CrawlContext(self.settings, self.db, self.pipeline, sources)
        context.validators = await asyncio.to_thread(self._validators, sources)
        await self.runner.crawl(SourcesSpider, context=context)
        context.report.seconds = time.monotonic() - started
        if self.stopping:  # cut short by a shutdown: only what was learnt counts, silence is not failure
            context.report.sources = {
                n: r for n, r in context.report.sources.items() if r.ok or r.listing_errors
            }
        await asyncio.to_thread(self._record, context.report)
        for src in context.report.sources.values():
            if not src.ok:
                log.warning("source %s failed: %s", src.name, src.error)
        return context.report

    async def stop(self) -> None:
        self.stopping = True
        await self.runner.stop()
