"""Batching and quiet hours per channel: whether a channel's alerts are held now, and when they go out."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rasid.config import ChannelSettings


def parse_hours(spec: str) -> tuple[time, time]:
    """ "22:00-07:00" -> (22:00, 07:00); a range may run past midnight."""
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", spec)
    if not m:
        raise ValueError(f"{spec!r} is not a range of hours such as 22:00-07:00")
    return time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))


def in_quiet_hours(spec: str | None, tz: str, now: datetime) -> bool:
    if not spec:
        return False
    start, end = parse_hours(spec)
    local = now.astimezone(ZoneInfo(tz)).time().replace(tzinfo=None)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_ends(spec: str, tz: str, now: datetime) -> datetime:
    """The moment the current quiet period ends (now, if not quiet)."""
    if not in_quiet_hours(spec, tz, now):
        return now
    _, end = parse_hours(spec)
    local = now.astimezone(ZoneInfo(tz))
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def holds(channel: ChannelSettings) -> bool:
    """Whether this channel ever holds alerts (it batches or keeps quiet hours)."""
    return bool(channel.batch) or bool(channel.quiet_hours)


def release_now(channel: ChannelSettings, tz: str, oldest: datetime | None, now: datetime) -> bool:
    """Whether the held alerts of a channel go out now: not in quiet hours, and the oldest has waited
    a whole batch period (a channel without `batch` sends as soon as its quiet hours end)."""
    if oldest is None or in_quiet_hours(channel.quiet_hours, channel.timezone or tz, now):
        return False
    if channel.batch:
        return now - oldest >= timedelta(seconds=channel.batch)
    return True
