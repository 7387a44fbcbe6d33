"""The weekly job: `digest.schedule` as a cron trigger in the digest's zone; bad schedules refused."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from rasid.alerts.digest import add_digest_job, digest_trigger, parse_schedule
from rasid.config.schema import DigestSettings


def test_next_run_is_the_configured_local_time() -> None:
    trigger = digest_trigger(DigestSettings(schedule="mon 07:00", timezone="Asia/Damascus"))
    friday = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    fire = trigger.get_next_fire_time(None, friday)
    assert fire == datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo("Asia/Damascus"))
    assert fire.astimezone(UTC).hour == 4


def test_job_is_added_once() -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=UTC)
    settings = DigestSettings(schedule="sun 23:30")
    calls: list[int] = []
    scheduler.start(paused=True)
    try:
        add_digest_job(scheduler, settings, lambda: calls.append(1))
        add_digest_job(scheduler, settings, lambda: calls.append(2))  # replaces, never doubles
        (job,) = scheduler.get_jobs()
    finally:
        scheduler.shutdown(wait=False)
    assert job.id == "rasid-weekly-digest"
    job.func()
    assert calls == [2]


@pytest.mark.parametrize("bad", ["monday 07:00", "mon 7", "mon 24:00", "07:00", ""])
def test_bad_schedules_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="weekly time"):
        parse_schedule(bad)
    with pytest.raises(ValidationError, match="weekly time"):
        DigestSettings(schedule=bad)
