"""The scale-out roles, on one Redis and one PostgreSQL: `rasid run --role scheduler` enqueues each due
source (a Redis lock per source: no overlapping runs; not while the source policy says wait), reviews
outlet health and writes the weekly digest; `rasid run --role worker` processes (on any machine) take due
sources, share the crawl frontier and duplicate filter through scrapy-redis, record each source's result
and teach the policy (backoff, Retry-After), whose state lives in Redis so the scheduler obeys it. Every
role works the alert outbox (row locks: several dispatchers are safe) and serves /healthz and /metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from rasid.config import Settings, SourceSettings
from rasid.crawler.context import CrawlContext
from rasid.crawler.report import CrawlReport
from rasid.crawler.runner import record_report
from rasid.runtime.core import Runtime, add_source_jobs
from rasid.services import Services

log = logging.getLogger(__name__)


def keys(settings: Settings) -> dict[str, str]:
    ns = settings.scale.namespace
    return {
        "due": f"{ns}:due",
        "lock": f"{ns}:lock:",
        "failures": f"{ns}:policy:failures",
        "not_before": f"{ns}:policy:not_before",
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


class RedisState:
    """The source policy's state shared by every process of a deployment: two Redis hashes."""

    def __init__(self, client: Any, failures_key: str, not_before_key: str) -> None:
        self.client = client
        self.failures_key = failures_key
        self.not_before_key = not_before_key

    def failures(self, name: str) -> int:
        return int(self.client.hget(self.failures_key, name) or 0)

    def set_failures(self, name: str, n: int) -> None:
        if n:
            self.client.hset(self.failures_key, name, n)
        else:
            self.client.hdel(self.failures_key, name)

    def not_before(self, name: str) -> datetime | None:
        value = self.client.hget(self.not_before_key, name)
        return datetime.fromtimestamp(float(value), UTC) if value else None

    def set_not_before(self, name: str, when: datetime | None) -> None:
        if when is None:
            self.client.hdel(self.not_before_key, name)
        else:
            self.client.hset(self.not_before_key, name, when.timestamp())


class _SharedRole:
    """Both scale-out roles: Redis, its keys, and the policy's state moved there."""

    writes_digest = False

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.redis = redis_client(self.settings)
        self.keys = keys(self.settings)

    def bind(self, runtime: Runtime) -> None:
        self.runtime = runtime
        runtime.policy.state = RedisState(self.redis, self.keys["failures"], self.keys["not_before"])

    async def start(self) -> None:
        return None

    def busy(self) -> list[str]:
        return []


class SchedulerRole(_SharedRole):
    """Enqueues each due source once per poll; reviews outlet health; writes the weekly digest."""

    name = "scheduler"
    writes_digest = True

    def schedule(self, scheduler: Any) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        rt = self.runtime
        add_source_jobs(scheduler, rt.sources, self.enqueue, rt.settings.daemon.jitter, kind="enqueue")
        scheduler.add_job(
            rt.review_health,
            IntervalTrigger(seconds=max(self.settings.scale.report_every, 30.0)),
            id="health",
            max_instances=1,
            coalesce=True,
        )
        log.info(
            "scheduler: %d sources, queue %s at %s",
            len(rt.sources),
            self.keys["due"],
            self.settings.scale.redis_url,
        )

    async def enqueue(self, sources: list[SourceSettings]) -> None:
        for source in sources:
            await self._enqueue(source)

    async def _enqueue(self, source: SourceSettings) -> bool:
        policy = self.runtime.policy
        lock = self.keys["lock"] + source.name
        ttl = max(int(source.poll * 0.9), 1)

        def push() -> bool:
            policy.refresh([source.name])
            if not policy.due(source.name):
                self.runtime.metrics.deferred.labels(source.name).inc()
                return False
            if not self.redis.set(lock, "1", nx=True, ex=ttl):
                return False
            self.redis.rpush(self.keys["due"], source.name.encode("utf-8"))
            return True

        try:
            return await asyncio.to_thread(push)
        except Exception as exc:  # Redis down: log, keep the schedule, try again next time
            log.error("cannot enqueue %s: %s", source.name, exc)
            return False

    async def stop(self, budget: float) -> None:
        return None


class WorkerRole(_SharedRole):
    """Runs one long-lived shared spider; every `scale.report_every` records per-source results, teaches
    the policy and delivers what was queued."""

    name = "worker"

    def schedule(self, scheduler: Any) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        scheduler.add_job(
            self.record,
            IntervalTrigger(seconds=self.settings.scale.report_every),
            id="record",
            max_instances=1,
            coalesce=True,
        )

    async def start(self) -> None:
        from scrapy.crawler import AsyncCrawlerRunner

        from rasid.crawler.defaults import scrapy_settings
        from rasid.crawler.spiders.shared import SharedSourcesSpider

        s = self.services
        settings = {**scrapy_settings(self.settings.crawler), **worker_scrapy_settings(self.settings)}
        self.runner = AsyncCrawlerRunner(settings)
        sources = self.runtime.sources
        ids = await asyncio.to_thread(s.store.source_ids, [(x.name, x.homepage) for x in sources])
        self.context = CrawlContext(self.settings.crawler, s.store, s.pages, sources, ids, due=self._due)
        self._since = time.monotonic()
        crawler = self.runner.create_crawler(SharedSourcesSpider)
        self.context.watch(crawler)
        self.crawl = asyncio.ensure_future(
            self.runner.crawl(crawler, context=self.context, redis_key=self.keys["due"])
        )
        self.crawl.add_done_callback(self._ended)
        log.info("worker: waiting for due sources on %s", self.keys["due"])

    def _due(self, name: str) -> bool:
        """Asked by the spider as it takes a queued source (in the reactor's thread: one Redis read)."""
        try:
            due = self.runtime.policy.due(name)
        except Exception as exc:  # Redis trouble: crawl rather than stall
            log.warning("cannot read the policy of %s: %s", name, exc)
            return True
        if not due:
            self.runtime.metrics.deferred.labels(name).inc()
        return due

    def _ended(self, crawl: asyncio.Future[Any]) -> None:
        if not crawl.cancelled() and crawl.exception() is not None:
            log.error("the worker's crawl ended: %s", crawl.exception())
        self.runtime.stop("the worker's crawl ended")

    def busy(self) -> list[str]:
        context = getattr(self, "context", None)
        return sorted(context.report.sources) if context is not None else []

    async def record(self) -> None:
        """Record what the sources answered since the last time (listings read, failed or unchanged)."""
        context: CrawlContext | None = getattr(self, "context", None)
        if context is None:  # the crawl has not started yet
            return
        report, context.report = context.report, CrawlReport()
        now = time.monotonic()
        report.seconds, self._since = now - self._since, now
        touched = CrawlReport(
            {
                n: s
                for n, s in report.sources.items()
                if s.listings_ok or s.listings_unchanged or s.listing_errors or s.not_before
            },
            report.seconds,
        )
        if touched.sources:
            try:
                await asyncio.to_thread(record_report, self.services.store, context.source_ids, touched)
            except Exception:
                log.exception("recording source results failed")
            new = touched.total("new")
            if new:
                log.info("worker stored %d new articles", new)
            await self.runtime.crawled(touched, review=False)

    async def stop(self, budget: float) -> None:
        started = time.monotonic()
        if hasattr(self, "runner"):
            try:
                await asyncio.wait_for(asyncio.shield(self.runner.stop()), timeout=budget * 0.5)
            except TimeoutError:
                log.warning(
                    "abandoning fetches still in flight; their pages are fetched again at a later poll"
                )
        if hasattr(self, "context"):
            try:
                await asyncio.wait_for(
                    self.record(), timeout=max(budget * 0.6 - (time.monotonic() - started), 0.5)
                )
            except TimeoutError:
                log.warning("the last results were not recorded in time; the next poll learns them again")
