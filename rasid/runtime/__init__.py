"""One runtime for every role of `rasid run`: the Runtime (signals, scheduler, dispatch, health review,
digest, /healthz and /metrics, shutdown budget), the source policy (backoff, Retry-After, when a source is
due), and the roles that plug into it: crawl here (all), enqueue due sources (scheduler), work the shared
queue (worker)."""

from rasid.runtime.core import Role, Runtime, RuntimeTotals, add_source_jobs
from rasid.runtime.local import CrawlHere
from rasid.runtime.policy import MemoryState, SourcePolicy

__all__ = ["CrawlHere", "MemoryState", "Role", "Runtime", "RuntimeTotals", "SourcePolicy", "add_source_jobs"]
