"""Scale-out roles on an existing engine: `rasid run --role scheduler` enqueues due sources in Redis;
`rasid run --role worker` processes (on any machine) take them, sharing the crawl frontier and duplicate
filter through scrapy-redis and all state through PostgreSQL. Both roles also work the alert outbox:
several dispatchers are safe (row locks)."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from rasid.config import Settings, SourceSettings
from rasid.crawler.report import CrawlReport
from rasid.services import Services

log = logging.getLogger(__name__)


def keys(settings: Settings) -> dict[str, str]:
    ns = settings.scale.namespace
    return {
        "due": f"{ns}:due",
        "lock": f"{ns}:lock:",
        "requests": f"{ns}:%(spider)s:requests",
        "dupefilter": f"{ns}:%(spider)s:dupefilter",
    }


def redis_client(settings: Settings) -> Any:
    import redis

    return redis.Redis.from_url(settings.scale.redis_url, socket_timeout=10, socket_connect_timeout=5)


def worker_scrapy_settings(settings: Settings) -> dict[str, Any]:
    k = keys(settings)
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_PERSIST": True,  # the frontier is shared: one worker stopping must not flush it
        "SCHEDULER_QUEUE_KEY": k["requests"],
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_DUPEFILTER_KEY": k["dupefilter"],
        "DUPEFILTER_CLASS": "rasid.crawler.dupefilters.windowed.WindowedRedisDupeFilter",
        "RASID_DUPEFILTER_WINDOW": settings.scale.dupefilter_window,
        "REDIS_URL": settings.scale.redis_url,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "MAX_IDLE_TIME_BEFORE_CLOSE": 0,  # a worker waits for work until it is stopped
    }


class _Role:
    """What both roles share: a stop event wired to SIGTERM/SIGINT, periodic jobs, the dispatcher."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.redis = redis_client(self.settings)
        self.keys = keys(self.settings)
        self.stopping = asyncio.Event()
        self.sent = 0

    def stop(self, reason: str = "") -> None:
        if not self.stopping.is_set():
            log.info("stopping%s", f" ({reason})" if reason else "")
            self.stopping.set()
            # The round in flight stops after its current send; its other claimed alerts are pending
            # again, for this role's peers or its next start.
            self.services.dispatcher.halt()

    def _signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.stop, signal.Signals(sig).name)

    async def dispatch(self) -> None:
        try:
            stats = await asyncio.to_thread(self.services.dispatcher.dispatch_due)
            self.sent += stats.sent
        except Exception:
            log.exception("dispatching alerts failed; will try again")

    async def every(self, seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        while not self.stopping.is_set():
            await job()
            with suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=seconds)


class SchedulerRole(_Role):
    """Enqueues each due source once per poll (a Redis lock per source prevents overlapping runs)."""

    async def enqueue(self, source: SourceSettings) -> bool:
        lock = self.keys["lock"] + source.name
        ttl = max(int(source.poll * 0.9), 1)

        def push() -> bool:
            if not self.redis.set(lock, "1", nx=True, ex=ttl):
                return False
            self.redis.rpush(self.keys["due"], source.name.encode("utf-8"))
            return True

        try:
            return await asyncio.to_thread(push)
        except Exception as exc:  # Redis down: log, keep the schedule, try again next time
            log.error("cannot enqueue %s: %s", source.name, exc)
            return False

    async def review_health(self) -> None:
        from rasid import health

        channels = list(self.services.channels.values())
        try:
            await asyncio.to_thread(health.check, self.services.db, self.settings, channels)
        except Exception:
            log.exception("reviewing outlet health failed")

    async def run(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        self._signals()
        await asyncio.to_thread(self.services.dispatcher.recover)
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        now = datetime.now(UTC)
        sources = [s for s in self.settings.sources if s.enabled]
        for i, source in enumerate(sources):
            scheduler.add_job(
                self.enqueue,
                IntervalTrigger(
                    seconds=source.poll, jitter=source.poll * self.settings.daemon.jitter or None
                ),
                args=[source],
                id=f"enqueue:{source.name}",
                next_run_time=now + timedelta(milliseconds=20 * i),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=int(max(source.poll, 60)),
            )
        scheduler.start()
        log.info(
            "scheduler: %d sources, queue %s at %s",
            len(sources),
            self.keys["due"],
            self.settings.scale.redis_url,
        )
        tasks = [
            asyncio.create_task(self.every(self.settings.alerts.dispatch_every, self.dispatch)),
            asyncio.create_task(self.every(max(self.settings.scale.report_every, 30.0), self.review_health)),
        ]
        await self.stopping.wait()
        scheduler.shutdown(wait=False)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class WorkerRole(_Role):
    """Runs one long-lived shared spider; records per-source results every `scale.report_every`."""

    async def record(self) -> None:
        from rasid.crawler.report import CrawlReport as Report
        from rasid.storage import record_crawl

        context = self.context
        report, context.report = context.report, Report()
        touched = {
            n: s
            for n, s in report.sources.items()
            if s.listings_ok or s.listings_unchanged or s.listing_errors
        }

        def save() -> None:
            with self.services.db.session() as session:
                for name, src in touched.items():
                    record_crawl(
                        session,
                        self.services.pipeline.source_ids[name],
                        ok=src.ok,
                        error=src.error,
                        new_articles=src.new,
                    )

        if touched:
            try:
                await asyncio.to_thread(save)
            except Exception:
                log.exception("recording source results failed")
        new = sum(s.new for s in report.sources.values())
        if new:
            log.info("worker stored %d new articles", new)
            await self.dispatch()

    async def run(self) -> None:
        from scrapy.crawler import AsyncCrawlerRunner

        from rasid.crawler.context import CrawlContext
        from rasid.crawler.defaults import scrapy_settings
        from rasid.crawler.spiders.shared import SharedSourcesSpider

        self._signals()
        settings = {**scrapy_settings(self.settings.crawler), **worker_scrapy_settings(self.settings)}
        runner = AsyncCrawlerRunner(settings)
        sources = [s for s in self.settings.sources if s.enabled]
        self.context = CrawlContext(
            self.settings, self.services.db, self.services.pipeline, sources, CrawlReport()
        )
        crawl = runner.crawl(SharedSourcesSpider, context=self.context, redis_key=self.keys["due"])
        log.info("worker: waiting for due sources on %s", self.keys["due"])
        recorder = asyncio.create_task(self.every(self.settings.scale.report_every, self.record))
        stop = asyncio.create_task(self.stopping.wait())
        await asyncio.wait([crawl, stop], return_when=asyncio.FIRST_COMPLETED)
        if crawl.done() and crawl.exception() is not None:
            log.error("the worker's crawl ended: %s", crawl.exception())
        budget = self.settings.daemon.shutdown_timeout
        started = time.monotonic()
        try:
            await asyncio.wait_for(asyncio.shield(runner.stop()), timeout=budget * 0.5)
        except TimeoutError:
            log.warning("abandoning fetches still in flight; their pages are fetched again at a later poll")
        recorder.cancel()
        await asyncio.gather(recorder, return_exceptions=True)
        with suppress(TimeoutError):
            await asyncio.wait_for(
                self.record(), timeout=max(budget * 0.8 - (time.monotonic() - started), 0.5)
            )
        stop.cancel()
