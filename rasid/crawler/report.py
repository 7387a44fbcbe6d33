"""What a crawl did, per source: listings read, articles requested, stored, matched, and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class SourceReport:
    """Counters and errors of one source in one crawl."""

    name: str
    listings_ok: int = 0
    listings_unchanged: int = 0
    listing_errors: list[str] = field(default_factory=list)
    candidates: int = 0
    requested: int = 0
    new: int = 0
    duplicates: int = 0
    no_article: int = 0
    page_errors: list[str] = field(default_factory=list)
    alerts: int = 0
    matched: int = 0
    not_before: datetime | None = None  # the outlet asked us to wait (Retry-After)

    @property
    def ok(self) -> bool:
        """A crawl succeeded when the source answered at all (a listing read, or unchanged)."""
        return (self.listings_ok + self.listings_unchanged) > 0

    @property
    def error(self) -> str | None:
        if self.ok:
            return None
        errs = self.listing_errors or self.page_errors
        return "; ".join(errs[:3]) if errs else "nothing could be read from this source"


@dataclass
class CrawlReport:
    """All sources of one crawl."""

    sources: dict[str, SourceReport] = field(default_factory=dict)
    seconds: float = 0.0

    def of(self, name: str) -> SourceReport:
        if name not in self.sources:
            self.sources[name] = SourceReport(name)
        return self.sources[name]

    def total(self, attr: str) -> int:
        return sum(int(getattr(s, attr)) for s in self.sources.values())

    def summary(self) -> str:
        failed = [s.name for s in self.sources.values() if not s.ok]
        text = (
            f"{len(self.sources)} sources, {self.total('requested')} pages fetched, "
            f"{self.total('new')} new articles, {self.total('matched')} matched, "
            f"{self.total('alerts')} alerts queued in {self.seconds:.1f}s"
        )
        if failed:
            text += f"; {len(failed)} failed: {', '.join(failed)}"
        return text
