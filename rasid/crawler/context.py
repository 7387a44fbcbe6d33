"""What a crawl needs from the rest of rasid, handed to the spider and item pipeline (no globals): the
crawler settings, the storage port, the page handler (a pipeline, or page workers around one), the sources
of this crawl and the report being filled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from rasid.config import CrawlerSettings, SourceSettings
from rasid.crawler.port import CrawlStorePort, Validators
from rasid.crawler.report import CrawlReport
from rasid.pipeline import PageHandler


@dataclass
class CrawlContext:
    settings: CrawlerSettings
    store: CrawlStorePort
    pages: PageHandler
    sources: list[SourceSettings]
    source_ids: dict[str, int]
    report: CrawlReport = field(default_factory=CrawlReport)
    validators: Validators = field(default_factory=dict)
    due: Callable[[str], bool] | None = None  # asked before a queued source is crawled (shared queue)

    def throttled(self, source: str, until: datetime) -> None:
        """Receiver of the `source_throttled` signal: the report carries the latest time asked for."""
        report = self.report.of(source)
        report.not_before = max(report.not_before or until, until)

    def watch(self, crawler: object) -> None:
        """Hear this crawler's rasid signals (the context lives as long as the crawl: a weak receiver)."""
        from rasid.crawler.signals import source_throttled

        crawler.signals.connect(self.throttled, signal=source_throttled)  # type: ignore[attr-defined]
