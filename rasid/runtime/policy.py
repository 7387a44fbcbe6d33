"""The per-source policy of every role: when a source is next due. A failing source is polled less and
less often (up to 6 h apart); one that asked us to wait (Retry-After) is left alone until then; a source
that answers again is due at its normal poll.

The state lives in a `PolicyState`: this process's memory (`rasid run`), or Redis for the scale-out
roles, where workers learn the outcomes and the scheduler decides what is due (rasid.runtime.shared)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from rasid.crawler.report import CrawlReport

log = logging.getLogger(__name__)
MAX_BACKOFF = 6 * 3600.0


class PolicyState(Protocol):
    """Failures in a row and the not-before time of each source. Methods may block (Redis)."""

    def failures(self, name: str) -> int: ...

    def set_failures(self, name: str, n: int) -> None: ...

    def not_before(self, name: str) -> datetime | None: ...

    def set_not_before(self, name: str, when: datetime | None) -> None: ...


class MemoryState:
    """The policy's state in this process (one machine: `rasid run`)."""

    def __init__(self) -> None:
        self._failures: dict[str, int] = {}
        self._not_before: dict[str, datetime] = {}

    def failures(self, name: str) -> int:
        return self._failures.get(name, 0)

    def set_failures(self, name: str, n: int) -> None:
        if n:
            self._failures[name] = n
        else:
            self._failures.pop(name, None)

    def not_before(self, name: str) -> datetime | None:
        return self._not_before.get(name)

    def set_not_before(self, name: str, when: datetime | None) -> None:
        if when is None:
            self._not_before.pop(name, None)
        else:
            self._not_before[name] = when


def backoff_seconds(poll: float, failures: int) -> float:
    """How long a source that failed `failures` times in a row waits beyond its poll: 0, 1, 3, 7... polls."""
    if failures <= 0:
        return 0.0
    return min(poll * (2 ** (failures - 1) - 1), MAX_BACKOFF)


class SourcePolicy:
    """Learns from crawl reports, answers whether a source is due; `failing` mirrors what it last knew."""

    def __init__(self, poll_of: Callable[[str], float], state: PolicyState | None = None) -> None:
        self.poll_of = poll_of
        self.state: PolicyState = state or MemoryState()
        self.failing: dict[str, int] = {}  # this process's view, for /healthz
        self.waiting: dict[str, datetime] = {}  # sources not due before then, as this process last saw

    def learn(self, report: CrawlReport, now: datetime | None = None) -> None:
        """After a crawl (or a worker's interval of crawling): back off what failed, obey what asked."""
        now = now or datetime.now(UTC)
        for name, src in report.sources.items():
            if src.ok:
                n = 0
                until = None
            else:
                n = self.state.failures(name) + 1
                wait = backoff_seconds(self.poll_of(name), n)
                until = now + timedelta(seconds=wait) if wait else None
            if src.not_before and (until is None or src.not_before > until):
                until = src.not_before
            self.state.set_failures(name, n)
            self.state.set_not_before(name, until)
            self._mirror(name, n, until)
            if until is not None:
                log.info("source %s: next poll not before %s", name, until.isoformat(timespec="seconds"))

    def due(self, name: str, now: datetime | None = None) -> bool:
        """Whether the source may be polled now."""
        now = now or datetime.now(UTC)
        until = self.state.not_before(name)
        return until is None or until <= now

    def refresh(self, names: list[str]) -> None:
        """Read the failures of these sources again (another process may have learnt them)."""
        for name in names:
            self._mirror(name, self.state.failures(name), self.state.not_before(name))

    def next_polls(self, now: datetime | None = None) -> dict[str, str]:
        """Sources not due yet -> the time they are due again (ISO), for /healthz."""
        now = now or datetime.now(UTC)
        return {n: t.isoformat(timespec="seconds") for n, t in sorted(self.waiting.items()) if t > now}

    def _mirror(self, name: str, n: int, until: datetime | None) -> None:
        if n:
            self.failing[name] = n
        else:
            self.failing.pop(name, None)
        if until is None:
            self.waiting.pop(name, None)
        else:
            self.waiting[name] = until
