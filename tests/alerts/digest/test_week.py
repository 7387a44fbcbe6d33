"""ISO weeks in a time zone: boundaries, parsing, the last complete week, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rasid.alerts.digest import last_complete_week, parse_week, week_of


def test_week_boundaries_are_local_mondays() -> None:
    week = parse_week("2026-W47", "Asia/Damascus")  # UTC+3 all year
    assert week.label == "2026-W47"
    assert week.start == datetime(2026, 11, 15, 21, 0, tzinfo=UTC)  # Monday 16 Nov 00:00 in Damascus
    assert week.end == datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    assert [d.isoformat() for d in week.days][::6] == ["2026-11-16", "2026-11-22"]
    assert week.previous().label == "2026-W46"
    assert parse_week("2027W01", "UTC").previous().label == "2026-W53"  # 2026 has 53 ISO weeks


def test_week_across_a_dst_change_is_167_hours() -> None:
    week = parse_week("2026-W13", "Europe/Berlin")  # clocks go forward on Sunday 29 March 2026
    assert week.end - week.start == timedelta(hours=167)


def test_last_complete_week_on_monday_morning() -> None:
    monday_7am = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 07:00 in Damascus
    assert last_complete_week(monday_7am, "Asia/Damascus").label == "2026-W47"
    sunday_late = datetime(2026, 11, 22, 20, 59, tzinfo=UTC)  # 23:59 Sunday in Damascus
    assert week_of(sunday_late, "Asia/Damascus").label == "2026-W47"
    assert week_of(sunday_late, "UTC").label == "2026-W47"
    assert week_of(sunday_late + timedelta(minutes=2), "Asia/Damascus").label == "2026-W48"


@pytest.mark.parametrize("text", ["2026-47", "W47", "2026-W54", "2025-W53", "2026-W00", ""])
def test_bad_weeks_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match=r"ISO week|no week"):
        parse_week(text, "UTC")
