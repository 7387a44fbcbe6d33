"""The always-on process: one APScheduler job per source and a dispatcher job, on the asyncio loop that
also runs Scrapy (asyncio reactor); SIGTERM/SIGINT stop it gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rasid.alerts import DispatchStats
from rasid.config import SourceSettings
from rasid.crawler.report import CrawlReport
from rasid.services import Services

log = logging.getLogger(__name__)
MAX_BACKOFF = 6 * 3600.0


@dataclass
class DaemonTotals:
    """What the daemon did since it started."""

    crawls: int = 0
    crawl: CrawlReport = field(default_factory=CrawlReport)
    dispatch: DispatchStats = field(default_factory=DispatchStats)


def _merge(into: CrawlReport, report: CrawlReport) -> None:
    for name, src in report.sources.items():
        total = into.of(name)
        for attr in (
            "listings_ok",
            "listings_unchanged",
            "candidates",
            "requested",
            "new",
            "duplicates",
            "no_article",
            "alerts",
            "matched",
        ):
            setattr(total, attr, getattr(total, attr) + getattr(src, attr))
        total.listing_errors = src.listing_errors or total.listing_errors
        total.page_errors += src.page_errors
    into.seconds += report.seconds


def add_source_jobs(
    scheduler: Any, sources: list[SourceSettings], crawl: Callable[[list[SourceSettings]], Any], jitter: float
) -> None:
    """One job per source: first run now (staggered), then every `poll` with jitter. A source never runs
    twice at once (max_instances=1), and runs missed while the machine slept or the loop was blocked are
    coalesced into one run, not replayed."""
    from apscheduler.triggers.interval import IntervalTrigger

    now = datetime.now(UTC)
    for i, source in enumerate(sources):
        scheduler.add_job(
            crawl,
            IntervalTrigger(seconds=source.poll, jitter=source.poll * jitter or None),
            args=[[source]],
            id=f"crawl:{source.name}",
            name=f"crawl {source.name}",
            next_run_time=now + timedelta(milliseconds=50 * i),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(max(source.poll, 60)),
        )


class Daemon:
    """Schedules crawls and dispatches alerts until stopped, or until `stop_when` holds."""

    def __init__(
        self,
        services: Services,
        stop_when: Callable[[Daemon], bool] | None = None,
        scrapy_log_level: str = "WARNING",
    ) -> None:
        from rasid.crawler.runner import CrawlRunner

        self.services = services
        self.settings = services.settings
        self.runner = CrawlRunner(self.settings, services.db, services.pipeline, scrapy_log_level)
        self.totals = DaemonTotals()
        self.crawled_once: set[str] = set()
        self.stop_when = stop_when
        self._stopping: asyncio.Event | None = None
        self._dispatch_lock = asyncio.Lock()
        self._round: asyncio.Future[DispatchStats] | None = None  # the scheduled dispatch round
        self._crawling: set[str] = set()
        self._jobs = 0
        self.not_before: dict[str, datetime] = {}
        from rasid.metrics import Metrics

        self.metrics = Metrics()
        self.started_at = time.time()
        self.last_crawl_at: float | None = None
        self.status_server: Any = None
        self.failures: dict[str, int] = {}

    @property
    def sources(self) -> list[SourceSettings]:
        return [s for s in self.settings.sources if s.enabled]

    async def crawl(self, sources: list[SourceSettings]) -> CrawlReport:
        """One crawl of these sources, then a dispatch of what it queued. A source already being crawled
        is skipped (no overlapping runs); a failure is logged, never raised into the scheduler."""
        now = datetime.now(UTC)
        todo = [
            s for s in sources if s.name not in self._crawling and self.not_before.get(s.name, now) <= now
        ]
        if not todo or (self._stopping is not None and self._stopping.is_set()):
            return CrawlReport()
        self._jobs += 1
        try:
            return await self._crawl(todo)
        except asyncio.CancelledError:
            if self._stopping is None or not self._stopping.is_set():
                raise
            log.info(
                "crawl of %s abandoned at shutdown; it runs again at the next start",
                ", ".join(s.name for s in todo),
            )
            return CrawlReport()
        finally:
            self._jobs -= 1

    async def _crawl(self, todo: list[SourceSettings]) -> CrawlReport:
        self._crawling.update(s.name for s in todo)
        try:
            report = await self.runner.crawl(todo)
        except Exception:
            log.exception("crawl of %s failed", ", ".join(s.name for s in todo))
            return CrawlReport()
        finally:
            self._crawling.difference_update(s.name for s in todo)
        self.totals.crawls += 1
        self.last_crawl_at = time.time()
        self.metrics.crawled(report, self.last_crawl_at)
        self._backoff(report)
        _merge(self.totals.crawl, report)
        self.crawled_once.update(s.name for s in todo)
        log.info("crawl of %s: %s", ", ".join(s.name for s in todo), report.summary())
        await self.review_health([s.name for s in todo])
        await self.dispatch()
        self._check_done()
        return report

    async def review_health(self, names: list[str]) -> None:
        """Operations hear once when an outlet fails or falls silent, and once when it is back."""
        from rasid import health

        channels = list(self.services.channels.values())
        try:
            await asyncio.to_thread(health.check, self.services.db, self.settings, channels, names)
        except Exception:
            log.exception("reviewing outlet health failed; will try again after the next crawl")

    def _backoff(self, report: CrawlReport) -> None:
        """A failing source is polled less and less often (up to 6 h apart); one that asked us to wait
        (Retry-After) is left alone until then."""
        now = datetime.now(UTC)
        for name, src in report.sources.items():
            poll = self.settings.source(name).poll
            if src.ok:
                self.failures.pop(name, None)
                self.not_before.pop(name, None)
            else:
                n = self.failures[name] = self.failures.get(name, 0) + 1
                wait = min(poll * (2 ** (n - 1) - 1), MAX_BACKOFF)
                if wait:
                    self.not_before[name] = now + timedelta(seconds=wait)
            if src.not_before and src.not_before > self.not_before.get(name, now):
                self.not_before[name] = src.not_before
            if name in self.not_before:
                log.info(
                    "source %s: next poll not before %s",
                    name,
                    self.not_before[name].isoformat(timespec="seconds"),
                )

    async def dispatch(self) -> DispatchStats:
        async with self._dispatch_lock:
            try:
                stats = await asyncio.to_thread(self.services.dispatcher.dispatch_due)
            except Exception:
                log.exception("dispatching alerts failed; will try again")
                return DispatchStats()
        self.totals.dispatch += stats
        self.metrics.dispatched(stats)
        self._check_done()
        return stats

    async def _dispatch_tick(self) -> None:
        """The dispatch job starts a round in the background and returns, unless one is still working a
        backlog (it picks up what is new); a job that waited for its round would make APScheduler warn, at
        every tick of a long backlog, that the job is still running."""
        if self._round is None or self._round.done():
            self._round = asyncio.ensure_future(self.dispatch())

    def _check_done(self) -> None:
        if self.stop_when and self._stopping and self.stop_when(self):
            self._stopping.set()

    def stop(self, reason: str = "") -> None:
        if self._stopping and not self._stopping.is_set():
            log.info("stopping%s", f" ({reason})" if reason else "")
            self._stopping.set()

    async def run(self) -> DaemonTotals:
        """Run until stopped. Every source is crawled at start, then every `poll` (jittered)."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        loop = asyncio.get_running_loop()
        # Blocking work (extraction, SQL, apprise) runs in threads: enough of them that many sources
        # finishing at once do not queue behind each other.
        from concurrent.futures import ThreadPoolExecutor

        loop.set_default_executor(ThreadPoolExecutor(max_workers=16, thread_name_prefix="rasid"))
        self._stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.stop, signal.Signals(sig).name)
        await asyncio.to_thread(self.services.dispatcher.recover)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        add_source_jobs(scheduler, self.sources, self.crawl, self.settings.daemon.jitter)
        scheduler.add_job(
            self._dispatch_tick,
            IntervalTrigger(seconds=self.settings.alerts.dispatch_every),
            id="dispatch",
            max_instances=1,
            coalesce=True,
        )
        from rasid.alerts.digest import add_digest_job, run_digest, topics_from_watchlist

        services = self.services
        add_digest_job(
            scheduler,
            self.settings.digest,
            lambda: run_digest(
                self.settings, services.db, topics_from_watchlist(services.watchlist), services.channels
            ),
        )
        scheduler.start()
        status = None
        if self.settings.daemon.http_port is not None:
            from rasid.httpd import StatusServer

            status = StatusServer(self.settings.daemon.http_port, self.health, self.metrics.render)
            try:
                await status.start()
            except OSError as exc:
                log.error(
                    "cannot serve /healthz and /metrics on port %s: %s", self.settings.daemon.http_port, exc
                )
                status = None
        self.status_server = status
        self.metrics.up.set(1)
        log.info(
            "rasid is watching %d sources with %d channels", len(self.sources), len(self.services.channels)
        )
        try:
            await self._stopping.wait()
        finally:
            self.metrics.up.set(0)
            scheduler.pause()  # no new runs; the running ones finish (or are abandoned) in _shutdown
            if status is not None:
                await status.stop()
            await self._shutdown()
            scheduler.shutdown(wait=False)
        return self.totals

    def health(self) -> tuple[bool, dict[str, object]]:
        """For /healthz: healthy while running; lists sources in trouble."""
        stopping = self._stopping is not None and self._stopping.is_set()
        failing = sorted(name for name, n in self.failures.items() if n)
        data: dict[str, object] = {
            "status": "stopping" if stopping else "ok",
            "uptime_seconds": round(time.time() - self.started_at, 1),
            "sources": len(self.sources),
            "crawling": sorted(self._crawling),
            "failing_sources": failing,
            "last_crawl": datetime.fromtimestamp(self.last_crawl_at, UTC).isoformat()
            if self.last_crawl_at
            else None,
            "alerts_sent": self.totals.dispatch.sent,
        }
        return not stopping, data

    async def _shutdown(self) -> None:
        """Within `daemon.shutdown_timeout`: stop the crawls (in-flight fetches that do not finish in half the
        budget are abandoned; what was stored stays stored, the rest is fetched next time), then deliver what
        is due. The outbox is consistent at every point: an alert is sent and recorded, or still pending."""
        budget = self.settings.daemon.shutdown_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget * 0.8
        try:
            await asyncio.wait_for(asyncio.shield(self.runner.stop()), timeout=budget * 0.5)
        except TimeoutError:
            log.warning("abandoning fetches still in flight after %.0fs", budget * 0.5)
        while self._jobs and loop.time() < deadline - budget * 0.2:
            await asyncio.sleep(0.05)  # crawl jobs finishing their storing and matching
        last = asyncio.ensure_future(self.dispatch())  # after any dispatch round already running
        try:
            await asyncio.wait_for(asyncio.shield(last), timeout=max(deadline - loop.time(), 0.5))
        except TimeoutError:
            # Out of time: the send in flight finishes and is recorded, the claimed rest goes back to
            # pending (tearing the process down under a sending thread would fail them instead).
            self.services.dispatcher.halt()
            log.warning("alerts not yet sent at shutdown stay pending and go out at the next start")
            try:
                await asyncio.wait_for(asyncio.shield(last), timeout=max(budget * 0.15, 0.5))
            except TimeoutError:
                log.warning("a send still in flight at shutdown is sent again at the next start")

    async def crawl_once(self) -> DaemonTotals:
        """`rasid crawl --once`: every source once, concurrently, then deliver what is due."""
        await asyncio.to_thread(self.services.dispatcher.recover)
        await self.crawl(self.sources)
        return self.totals
