"""CrawlHere: the role of `rasid run` (role all) and `rasid crawl --once`. Each source is crawled in this
process by its own APScheduler job (every `poll`, jittered), skipped while the source policy says it is
not due; a source is never crawled by two overlapping runs."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from rasid.config import SourceSettings
from rasid.crawler.report import CrawlReport
from rasid.crawler.runner import CrawlRunner
from rasid.runtime.core import Runtime, add_source_jobs
from rasid.services import Services
from rasid.storage.database import unavailable

log = logging.getLogger(__name__)


class CrawlHere:
    name = "all"
    writes_digest = True

    def __init__(self, services: Services, scrapy_log_level: str = "WARNING") -> None:
        settings = services.settings
        enabled = [s for s in settings.sources if s.enabled]
        self.runner = CrawlRunner(settings.crawler, services.store, services.pages, enabled, scrapy_log_level)
        self._crawling: set[str] = set()
        self._jobs = 0

    def bind(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def schedule(self, scheduler: Any) -> None:
        rt = self.runtime
        add_source_jobs(scheduler, rt.sources, self.crawl, rt.settings.daemon.jitter)

    async def start(self) -> None:
        return None

    def busy(self) -> list[str]:
        return sorted(self._crawling)

    async def crawl(self, sources: list[SourceSettings]) -> CrawlReport:
        """One crawl of these sources, then a dispatch of what it queued. A source already being crawled,
        or not due by the policy, is skipped; a failure is logged, never raised into the scheduler."""
        rt = self.runtime
        now = datetime.now(UTC)
        todo = [s for s in sources if s.name not in self._crawling and self._due(s.name, now)]
        if not todo or rt.stopping:
            return CrawlReport()
        self._jobs += 1
        try:
            return await self._crawl(todo)
        except asyncio.CancelledError:
            if not rt.stopping:
                raise
            log.info(
                "crawl of %s abandoned at shutdown; it runs again at the next start",
                ", ".join(s.name for s in todo),
            )
            return CrawlReport()
        finally:
            self._jobs -= 1

    def _due(self, name: str, now: datetime) -> bool:
        if self.runtime.policy.due(name, now):
            return True
        self.runtime.metrics.deferred.labels(name).inc()
        return False

    async def _crawl(self, todo: list[SourceSettings]) -> CrawlReport:
        self._crawling.update(s.name for s in todo)
        try:
            report = await self.runner.crawl(todo)
        except Exception as exc:
            if unavailable(exc):
                self.runtime._database.failed(f"crawling {', '.join(s.name for s in todo)}", exc)
            else:
                log.exception("crawl of %s failed", ", ".join(s.name for s in todo))
            return CrawlReport()
        finally:
            self._crawling.difference_update(s.name for s in todo)
        await self.runtime.crawled(report)
        return report

    async def stop(self, budget: float) -> None:
        loop = asyncio.get_running_loop()
        settle_by = loop.time() + budget * 0.6
        try:
            await asyncio.wait_for(asyncio.shield(self.runner.stop()), timeout=budget * 0.5)
        except TimeoutError:
            log.warning("abandoning fetches still in flight after %.0fs", budget * 0.5)
        while self._jobs and loop.time() < settle_by:
            await asyncio.sleep(0.05)  # crawl jobs finishing their storing and matching
