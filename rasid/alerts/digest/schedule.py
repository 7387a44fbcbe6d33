"""When the digest is written: `digest.schedule` ("mon 07:00") as an APScheduler cron job in
`digest.timezone`, writing the week that has just ended."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasid.config.schema import DigestSettings

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SCHEDULE = re.compile(r"^\s*([a-z]{3})\s+([01]?\d|2[0-3]):([0-5]\d)\s*$", re.IGNORECASE)
JOB_ID = "rasid-weekly-digest"


def parse_schedule(text: str) -> tuple[str, int, int]:
    """ "mon 07:00" -> ("mon", 7, 0); ValueError with a readable reason otherwise."""
    m = _SCHEDULE.match(text)
    if not m or m.group(1).lower() not in DAYS:
        raise ValueError(f'{text!r} is not a weekly time; write a day and a time, like "mon 07:00"')
    return m.group(1).lower(), int(m.group(2)), int(m.group(3))


def digest_trigger(settings: DigestSettings) -> Any:
    """The APScheduler CronTrigger of `settings.schedule` in `settings.timezone`."""
    from zoneinfo import ZoneInfo

    from apscheduler.triggers.cron import CronTrigger

    day, hour, minute = parse_schedule(settings.schedule)
    return CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=ZoneInfo(settings.timezone))


def add_digest_job(scheduler: Any, settings: DigestSettings, run_digest: Callable[[], Any]) -> Any:
    """Add (or replace) the weekly digest job; `run_digest` writes and delivers the last complete week.
    On an AsyncIOScheduler a plain function runs in the loop's thread pool, so it may block."""
    return scheduler.add_job(
        run_digest,
        digest_trigger(settings),
        id=JOB_ID,
        name="weekly digest",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
