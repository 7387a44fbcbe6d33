"""Runtime: what every `rasid run` role shares, on the asyncio loop that also runs Scrapy. It owns the
signals (SIGTERM/SIGINT), the APScheduler, the dispatch job, health review, the weekly digest job, the
`/healthz` and `/metrics` server, the shutdown budget and the per-source policy (rasid.runtime.policy).
A `Role` plugs in only what differs: crawl here (rasid.runtime.local), enqueue due sources or work the
shared queue (rasid.runtime.shared)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from rasid.alerts import DispatchStats
from rasid.config import SourceSettings
from rasid.crawler.report import CrawlReport
from rasid.metrics import Metrics
from rasid.runtime.policy import SourcePolicy
from rasid.sdnotify import Notifier
from rasid.services import Services
from rasid.storage.database import Episodes, unavailable

log = logging.getLogger(__name__)


@dataclass
class RuntimeTotals:
    """What the process did since it started."""

    crawls: int = 0
    crawl: CrawlReport = field(default_factory=CrawlReport)
    dispatch: DispatchStats = field(default_factory=DispatchStats)


COUNTERS = (
    "listings_ok",
    "listings_unchanged",
    "candidates",
    "requested",
    "new",
    "duplicates",
    "no_article",
    "alerts",
    "matched",
)


def merge(into: CrawlReport, report: CrawlReport) -> None:
    """Add one crawl's counters to the running totals."""
    for name, src in report.sources.items():
        total = into.of(name)
        for attr in COUNTERS:
            setattr(total, attr, getattr(total, attr) + getattr(src, attr))
        total.listing_errors = src.listing_errors or total.listing_errors
        total.page_errors += src.page_errors
    into.seconds += report.seconds


def add_source_jobs(
    scheduler: Any,
    sources: list[SourceSettings],
    job: Callable[[list[SourceSettings]], Any],
    jitter: float,
    kind: str = "crawl",
) -> None:
    """One job per source: first run now (staggered), then every `poll` with jitter. A source never runs
    twice at once (max_instances=1), and runs missed while the machine slept or the loop was blocked are
    coalesced into one run, not replayed."""
    from apscheduler.triggers.interval import IntervalTrigger

    now = datetime.now(UTC)
    for i, source in enumerate(sources):
        scheduler.add_job(
            job,
            IntervalTrigger(seconds=source.poll, jitter=source.poll * jitter or None),
            args=[[source]],
            id=f"{kind}:{source.name}",
            name=f"{kind} {source.name}",
            next_run_time=now + timedelta(milliseconds=50 * i),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(max(source.poll, 60)),
        )


class Role(Protocol):
    """What differs between `rasid run --role all|scheduler|worker`."""

    name: str
    writes_digest: bool  # one process of a deployment writes and sends the weekly digest

    def bind(self, runtime: Runtime) -> None:
        """Called once by the runtime that runs this role, before anything else."""

    def schedule(self, scheduler: Any) -> None:
        """Add the role's jobs (per-source crawls or enqueues, periodic recording)."""

    async def start(self) -> None:
        """Start what runs beside the jobs (a worker's long-lived crawl)."""

    def busy(self) -> list[str]:
        """The sources being crawled by this process now."""
        ...

    async def stop(self, budget: float) -> None:
        """Stop fetching (in-flight fetches get half of `budget`), let stored pages settle, record what
        was learnt; within about 0.6 of `budget`."""


class Runtime:
    """Runs one role until stopped (signal, or `stop_when`); every role dispatches alerts, serves
    /healthz and /metrics when a port is set, and obeys the source policy."""

    def __init__(
        self,
        services: Services,
        role: Role,
        stop_when: Callable[[Any], bool] | None = None,
        http_port: int | None = None,
    ) -> None:
        self.services = services
        self.settings = services.settings
        self.role = role
        self.stop_when = stop_when
        self.http_port = http_port if http_port is not None else self.settings.daemon.http_port
        self.totals = RuntimeTotals()
        self.crawled_once: set[str] = set()
        self.policy = SourcePolicy(lambda name: self.settings.source(name).poll)
        self._outbox: dict[str, int] = {}
        self._database = Episodes(log)
        self.metrics = Metrics(outbox_counts=self._outbox_counts)
        self.started_at = time.time()
        self.last_crawl_at: float | None = None
        self.status_server: Any = None
        self._stopping: asyncio.Event | None = None
        self._dispatch_lock = asyncio.Lock()
        self._round: asyncio.Future[DispatchStats] | None = None  # the scheduled dispatch round
        role.bind(self)

    @property
    def sources(self) -> list[SourceSettings]:
        return [s for s in self.settings.sources if s.enabled]

    @property
    def stopping(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    # -- what roles report -----------------------------------------------------------------------------
    async def crawled(self, report: CrawlReport, review: bool = True) -> None:
        """A crawl (or a worker's interval of one) ended: count it, let the policy learn, review the
        outlets' health (`review`), deliver what it queued."""
        names = sorted(report.sources)
        self.totals.crawls += 1
        self.last_crawl_at = time.time()
        self.metrics.crawled(report, self.last_crawl_at)
        try:
            await asyncio.to_thread(self.policy.learn, report)
        except Exception as exc:  # the policy's state is unreachable (Redis down): polls stay regular
            log.error("cannot record the sources' backoff: %s", exc)
        merge(self.totals.crawl, report)
        self.crawled_once.update(names)
        log.info("crawl of %s: %s", ", ".join(names), report.summary())
        if review:
            await self.review_health(names)
        await self.dispatch()
        self._check_done()

    async def review_health(self, names: list[str] | None = None) -> None:
        """Operations hear once when an outlet fails or falls silent, and once when it is back."""
        from rasid import health

        channels = list(self.services.channels.values())
        try:
            await asyncio.to_thread(health.check, self.services.db, self.settings, channels, names)
        except Exception as exc:
            if unavailable(exc):
                self._database.failed("reviewing outlet health", exc)
            else:
                log.exception("reviewing outlet health failed; will try again later")

    # -- alerts ------------------------------------------------------------------------------------------
    async def dispatch(self) -> DispatchStats:
        async with self._dispatch_lock:
            try:
                stats = await asyncio.to_thread(self.services.dispatcher.dispatch_due)
                self._outbox = await asyncio.to_thread(self._read_outbox)  # for /metrics, off the loop
            except Exception as exc:
                if unavailable(exc):
                    self._database.failed("dispatching alerts", exc)
                else:
                    log.exception("dispatching alerts failed; will try again")
                return DispatchStats()
            self._database.succeeded()
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

    def _digest(self) -> Any:
        from rasid.alerts.digest import run_digest, topics_from_watchlist

        s = self.services
        return run_digest(self.settings, s.db, topics_from_watchlist(s.watchlist), s.channels)

    # -- life --------------------------------------------------------------------------------------------
    def _check_done(self) -> None:
        if self.stop_when and self._stopping and self.stop_when(self):
            self._stopping.set()

    def stop(self, reason: str = "") -> None:
        if self._stopping and not self._stopping.is_set():
            log.info("stopping%s", f" ({reason})" if reason else "")
            self._stopping.set()

    def _scheduler(self, loop: asyncio.AbstractEventLoop) -> Any:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        self.role.schedule(scheduler)
        scheduler.add_job(
            self._dispatch_tick,
            IntervalTrigger(seconds=self.settings.alerts.dispatch_every),
            id="dispatch",
            max_instances=1,
            coalesce=True,
        )
        if self.role.writes_digest:
            from rasid.alerts.digest import add_digest_job

            add_digest_job(scheduler, self.settings.digest, self._digest)
        return scheduler

    async def _serve_status(self) -> Any:
        if self.http_port is None:
            return None
        from rasid.httpd import StatusServer

        status = StatusServer(self.http_port, self.health, self.metrics.render)
        try:
            await status.start()
        except OSError as exc:
            log.error("cannot serve /healthz and /metrics on port %s: %s", self.http_port, exc)
            return None
        return status

    async def run(self) -> RuntimeTotals:
        """Run the role until stopped."""
        loop = asyncio.get_running_loop()
        # Blocking work (extraction, SQL, apprise) runs in threads: enough of them that many sources
        # finishing at once do not queue behind each other.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=16, thread_name_prefix="rasid"))
        self._stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.stop, signal.Signals(sig).name)
        await asyncio.to_thread(self.services.dispatcher.recover)
        scheduler = self._scheduler(loop)
        scheduler.start()
        await self.role.start()
        self.status_server = await self._serve_status()
        self.metrics.up.set(1)
        log.info(
            "rasid (%s) is watching %d sources with %d channels",
            self.role.name,
            len(self.sources),
            len(self.services.channels),
        )
        self._warn_if_nobody_is_told()
        notifier = Notifier()
        notifier.ready(f"{self.role.name}: watching {len(self.sources)} sources")
        interval = notifier.watchdog_interval()
        if interval:
            from apscheduler.triggers.interval import IntervalTrigger

            # Pinged from the event loop: a loop that hangs stops the pings, and systemd restarts rasid.
            scheduler.add_job(notifier.watchdog, IntervalTrigger(seconds=interval), id="watchdog")
        try:
            await self._stopping.wait()
        finally:
            notifier.stopping()
            self.metrics.up.set(0)
            scheduler.pause()  # no new runs; the running ones finish (or are abandoned) in _shutdown
            if self.status_server is not None:
                await self.status_server.stop()
            await self._shutdown()
            scheduler.shutdown(wait=False)
        return self.totals

    def _outbox_counts(self) -> dict[str, int]:
        """Alerts per status for /metrics: as read after the last dispatch round (no SQL on the loop)."""
        return self._outbox

    def _read_outbox(self) -> dict[str, int]:
        from rasid.storage import counts_by_status

        with self.services.db.session() as session:
            return counts_by_status(session)

    def _warn_if_nobody_is_told(self) -> None:
        """No channel, or channels that take none of the topics: matches would be stored and nobody told."""
        channels = self.settings.channels
        topics = [t.id for t in self.services.watchlist.topics]
        if not channels:
            log.warning(
                "NO ALERT CHANNEL is configured: matches are stored, but nobody is told "
                "(add a [[channels]] entry with an apprise URL)"
            )
        elif not any(c.takes(t) for c in channels for t in topics):
            log.warning(
                "NO CHANNEL TAKES ANY TOPIC (topics: %s; channels take: %s): matches are stored, "
                "but nobody is told",
                ", ".join(topics),
                "; ".join(f"{c.name}: {', '.join(c.topics) or 'none'}" for c in channels),
            )

    def health(self) -> tuple[bool, dict[str, object]]:
        """For /healthz: healthy while running; lists sources in trouble."""
        stopping = self.stopping
        data: dict[str, object] = {
            "status": "stopping" if stopping else "ok",
            "role": self.role.name,
            "uptime_seconds": round(time.time() - self.started_at, 1),
            "sources": len(self.sources),
            "crawling": sorted(self.role.busy()),
            "failing_sources": sorted(self.policy.failing),
            "not_due_before": self.policy.next_polls(),
            "last_crawl": datetime.fromtimestamp(self.last_crawl_at, UTC).isoformat()
            if self.last_crawl_at
            else None,
            "alerts_sent": self.totals.dispatch.sent,
        }
        return not stopping, data

    async def _shutdown(self) -> None:
        """Within `daemon.shutdown_timeout`: the role stops its crawls (in-flight fetches that do not finish
        in half the budget are abandoned; what was stored stays stored, the rest is fetched next time), then
        what is due is delivered. The outbox is consistent at every point: an alert is sent and recorded, or
        still pending."""
        budget = self.settings.daemon.shutdown_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget * 0.8
        await self.role.stop(budget)
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
