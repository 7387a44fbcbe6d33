"""ISO weeks in a time zone: `2026-W47` is Monday 00:00 to the next Monday 00:00, local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Week:
    """One ISO week (`year`, `number`) as lived in time zone `timezone`."""

    year: int
    number: int
    timezone: str

    def __post_init__(self) -> None:
        date.fromisocalendar(self.year, self.number, 1)  # raises ValueError for a week that does not exist

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def _midnight(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.zone)

    @property
    def start(self) -> datetime:
        """Monday 00:00 local, as an aware UTC datetime."""
        return self._midnight(self.monday).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 local (exclusive), as an aware UTC datetime."""
        return self._midnight(self.monday + timedelta(days=7)).astimezone(UTC)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def day_index(self, moment: datetime) -> int:
        """0 (Monday) .. 6 (Sunday) for a moment inside the week."""
        return (self.local(moment).date() - self.monday).days

    def previous(self) -> Week:
        return week_of(self._midnight(self.monday - timedelta(days=7)), self.timezone)

    def __str__(self) -> str:
        return self.label


def parse_week(text: str, timezone: str) -> Week:
    """`2026-W47` (or `2026W47`) -> Week; ValueError with a readable reason otherwise."""
    m = _WEEK.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not an ISO week; write it like 2026-W47")
    try:
        return Week(int(m.group(1)), int(m.group(2)), timezone)
    except ValueError:
        raise ValueError(f"{text!r}: year {m.group(1)} has no week {int(m.group(2))}") from None


def week_of(moment: datetime, timezone: str) -> Week:
    """The week that contains `moment` (aware) in `timezone`."""
    iso = moment.astimezone(ZoneInfo(timezone)).isocalendar()
    return Week(iso.year, iso.week, timezone)


def last_complete_week(now: datetime, timezone: str) -> Week:
    """The latest week that has fully ended at `now`: on Monday 07:00, the week that ended 7 hours ago."""
    return week_of(now, timezone).previous()
