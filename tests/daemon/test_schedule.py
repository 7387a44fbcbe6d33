"""The schedule: a missed run (machine asleep, loop blocked) runs once, not many times, and a source is
never crawled by two overlapping runs."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from rasid.config import SourceSettings
from rasid.runtime import add_source_jobs

SOURCE = SourceSettings(name="منفذ", homepage="https://x.org/", poll="1s")


def _run(crawl_seconds: float, block: float, then: float) -> tuple[list[float], float, int]:
    runs: list[float] = []
    active = 0
    overlaps = 0
    woke = 0.0

    async def crawl(sources: list[SourceSettings]) -> None:
        nonlocal active, overlaps
        active += 1
        overlaps += active > 1
        runs.append(time.monotonic())
        await asyncio.sleep(crawl_seconds)
        active -= 1

    async def scenario() -> None:
        nonlocal woke
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        add_source_jobs(scheduler, [SOURCE], crawl, jitter=0.0)
        scheduler.start()
        await asyncio.sleep(0.3)
        time.sleep(block)  # the machine "sleeps": the loop does nothing, runs are missed
        woke = time.monotonic()
        await asyncio.sleep(then)
        scheduler.shutdown(wait=False)

    asyncio.run(scenario())
    return runs, woke, overlaps


def test_missed_runs_run_once_not_many_times() -> None:
    runs, woke, _ = _run(crawl_seconds=0.01, block=5, then=0.6)
    assert len([t for t in runs if t >= woke]) == 1  # five missed runs, one catch-up run


def test_a_source_is_never_crawled_by_overlapping_runs() -> None:
    runs, _, overlaps = _run(crawl_seconds=1.5, block=0, then=4)
    assert overlaps == 0 and len(runs) >= 2
