"""Prometheus metrics of one rasid process: articles fetched, extracted, matched; alerts sent and failed;
per-source errors and last success; crawl durations. One registry per daemon (no global state)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from rasid.alerts import DispatchStats
from rasid.crawler.report import CrawlReport

disable_created_metrics()  # no *_created series: one timestamp per counter child is noise on a dashboard


class _Outbox(Collector):
    """The alert queue read at each scrape: alerts per status (pending, sending, sent, failed, dead)."""

    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "rasid_outbox_alerts",
            "Alerts in the outbox by status (pending = queue depth, dead = dead letters)",
            labels=["status"],
        )
        try:
            counts = self.counts()
        except Exception:  # a busy database must not break /metrics
            counts = {}
        for status in ("pending", "sending", "sent", "dead"):
            family.add_metric([status], counts.get(status, 0))
        for status, n in counts.items():
            if status not in ("pending", "sending", "sent", "dead"):
                family.add_metric([status], n)
        yield family


class Metrics:
    def __init__(self, outbox_counts: Callable[[], dict[str, int]] | None = None) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # process_cpu_seconds_total, process_resident_memory_bytes, open fds
        if outbox_counts is not None:
            r.register(_Outbox(outbox_counts))
        self.fetched = Counter("rasid_articles_fetched", "Article pages fetched", ["source"], registry=r)
        self.extracted = Counter(
            "rasid_articles_extracted", "New articles extracted and stored", ["source"], registry=r
        )
        self.matched = Counter(
            "rasid_articles_matched", "New articles that matched a watch topic", ["source"], registry=r
        )
        self.page_errors = Counter(
            "rasid_page_errors", "Article pages that could not be fetched", ["source"], registry=r
        )
        self.source_errors = Counter(
            "rasid_source_errors", "Crawls of a source that failed", ["source"], registry=r
        )
        self.last_success = Gauge(
            "rasid_source_last_success_timestamp_seconds",
            "When a source was last crawled successfully",
            ["source"],
            registry=r,
        )
        self.deferred = Counter(
            "rasid_source_polls_deferred",
            "Polls of a source skipped because it is backing off or asked us to wait (Retry-After)",
            ["source"],
            registry=r,
        )
        self.crawl_seconds = Histogram(
            "rasid_crawl_duration_seconds",
            "Duration of crawls",
            ["source"],
            registry=r,
            buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
        )
        self.alerts_queued = Counter("rasid_alerts_queued", "Alerts written to the outbox", registry=r)
        self.alerts_sent = Counter("rasid_alerts_sent", "Alerts delivered", ["channel"], registry=r)
        self.alerts_failed = Counter(
            "rasid_alerts_failed", "Failed delivery attempts", ["channel"], registry=r
        )
        self.alerts_dead = Counter(
            "rasid_alerts_dead", "Alerts given up (dead letter)", ["channel"], registry=r
        )
        self.up = Gauge("rasid_up", "1 while the daemon runs", registry=r)

    def crawled(self, report: CrawlReport, finished_at: float) -> None:
        per_source = report.seconds / max(len(report.sources), 1)
        for name, src in report.sources.items():
            self.fetched.labels(name).inc(src.requested)
            self.extracted.labels(name).inc(src.new)
            self.matched.labels(name).inc(src.matched)
            self.page_errors.labels(name).inc(len(src.page_errors))
            self.alerts_queued.inc(src.alerts)
            self.crawl_seconds.labels(name).observe(per_source)
            if src.ok:
                self.last_success.labels(name).set(finished_at)
            else:
                self.source_errors.labels(name).inc()

    def dispatched(self, stats: DispatchStats) -> None:
        for channel, (sent, failed, dead) in stats.by_channel.items():
            self.alerts_sent.labels(channel).inc(sent)
            self.alerts_failed.labels(channel).inc(failed)
            self.alerts_dead.labels(channel).inc(dead)

    def render(self) -> bytes:
        return generate_latest(self.registry)
