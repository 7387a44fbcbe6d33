"""`rasid run` (role all), `rasid crawl --once` and `rasid demo`: the Runtime (rasid.runtime) with the
crawl-here role: one APScheduler job per source and a dispatcher job, on the asyncio loop that also runs
Scrapy (asyncio reactor); SIGTERM/SIGINT stop it gracefully."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rasid.config import SourceSettings
from rasid.crawler.report import CrawlReport
from rasid.crawler.runner import CrawlRunner
from rasid.runtime import CrawlHere, Runtime, RuntimeTotals
from rasid.services import Services

DaemonTotals = RuntimeTotals


class Daemon(Runtime):
    """Schedules crawls here and dispatches alerts until stopped, or until `stop_when` holds."""

    def __init__(
        self,
        services: Services,
        stop_when: Callable[[Any], bool] | None = None,
        scrapy_log_level: str = "WARNING",
        http_port: int | None = None,
    ) -> None:
        self.local = CrawlHere(services, scrapy_log_level)
        super().__init__(services, self.local, stop_when, http_port)

    @property
    def runner(self) -> CrawlRunner:
        return self.local.runner

    async def crawl(self, sources: list[SourceSettings]) -> CrawlReport:
        return await self.local.crawl(sources)

    async def crawl_once(
        self, progress: Callable[[CrawlReport, int], None] | None = None, every: float = 1.0
    ) -> RuntimeTotals:
        """`rasid crawl --once`: every source once, concurrently, then deliver what is due. `progress` is
        called every `every` seconds with the crawl's report so far and the number of sources."""
        await asyncio.to_thread(self.services.dispatcher.recover)
        crawl = asyncio.ensure_future(self.local.crawl(self.sources))
        while progress is not None and not crawl.done():
            await asyncio.wait([crawl], timeout=every)
            current = self.runner.current
            if current is not None:
                progress(current, len(self.sources))
        await crawl
        return self.totals
