"""What a crawl needs from the rest of rasid, handed to the spider and item pipeline (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rasid.config import Settings, SourceSettings
from rasid.crawler.report import CrawlReport
from rasid.pipeline import Pipeline
from rasid.storage import Database


@dataclass
class CrawlContext:
    """Settings, database, pipeline, the sources of this crawl and the report being filled."""

    settings: Settings
    db: Database
    pipeline: Pipeline
    sources: list[SourceSettings]
    report: CrawlReport = field(default_factory=CrawlReport)
    validators: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)
