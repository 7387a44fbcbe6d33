"""Outlet health: an outlet that has failed, or published nothing, for longer than its usual rhythm raises
one operations alert to the channels marked `operations = true`, and a recovery note when it comes back."""

from __future__ import annotations

import itertools
import logging
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from rasid.alerts import Channel
from rasid.config import Settings
from rasid.config.schema import HealthSettings
from rasid.storage import Database
from rasid.storage.clock import utcnow
from rasid.storage.outlets import Outlet, fetched_since, mark_notified, outlets, set_health

log = logging.getLogger(__name__)

OK, FAILING, SILENT = "ok", "failing", "silent"


@dataclass(frozen=True)
class HealthChange:
    """An outlet whose state operations have not been told about yet."""

    source: str
    old: str
    new: str
    detail: str


def usual_gap(fetched: list[datetime]) -> float | None:
    """The outlet's usual time between new articles (median gap, seconds), from at least 5 articles."""
    if len(fetched) < 5:
        return None
    times = sorted(fetched)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    gaps = [g for g in gaps if g > 0]
    return statistics.median(gaps) if gaps else None


def assess(
    source: Outlet, poll: float, recent: list[datetime], cfg: HealthSettings, now: datetime
) -> tuple[str, str]:
    """(state, detail) of one outlet now."""
    if source.consecutive_failures:
        last_ok = source.last_success_at or source.created_at
        down = (now - last_ok).total_seconds()
        if down >= max(cfg.failing_after, 3 * poll):
            return FAILING, f"failing for {_human(down)}: {source.last_error or 'unknown error'}"
        return OK, ""
    gap = usual_gap(recent)
    if gap is not None and source.last_new_article_at is not None:
        quiet = (now - source.last_new_article_at).total_seconds()
        if quiet >= max(cfg.silent_factor * gap, cfg.silent_min):
            return SILENT, f"no new article for {_human(quiet)} (usually one every {_human(gap)})"
    return OK, ""


def _human(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


def review(db: Database, settings: Settings, names: list[str] | None = None) -> list[HealthChange]:
    """Update every outlet's health; returns the changes operations still have to hear about."""
    now = utcnow()
    polls = {s.name: s.poll for s in settings.sources}
    changes: list[HealthChange] = []
    with db.session() as session:
        for source in outlets(session, names):
            if source.name not in polls:
                continue
            recent = fetched_since(session, source.id, now - timedelta(seconds=settings.health.history))
            state, detail = assess(source, polls[source.name], recent, settings.health, now)
            if state != source.health:
                set_health(session, source.id, state, now)
            if state != source.health_notified:
                changes.append(HealthChange(source.name, source.health_notified, state, detail))
    return changes


def message(change: HealthChange) -> tuple[str, str]:
    """Title and plain-text body of an operations note."""
    if change.new == OK:
        return f"rasid: {change.source} is back", f"{change.source} works again (it was {change.old})."
    return f"rasid: {change.source} is {change.new}", f"{change.source} is {change.new}: {change.detail}"


def notify(db: Database, channels: list[Channel], changes: list[HealthChange]) -> int:
    """Tell the operations channels; a change counts as told only once a channel accepted it."""
    told = 0
    for change in changes:
        title, body = message(change)
        ok = False
        for channel in channels:
            result = channel.apprise.notify(body=body, title=title, body_format="text")
            ok = bool(result) or ok
            if not result:
                log.warning("operations note to %s [%s] failed; will retry", channel.name, channel.masked_url)
        if ok or not channels:
            with db.session() as session:
                mark_notified(session, change.source, change.new)
            told += 1 if ok else 0
        level = logging.INFO if change.new == OK else logging.WARNING
        log.log(level, "%s", body)
    return told


def check(db: Database, settings: Settings, channels: list[Channel], names: list[str] | None = None) -> None:
    """Review the outlets (all, or `names`) and tell the operations channels what changed."""
    changes = review(db, settings, names)
    if changes:
        notify(db, [c for c in channels if c.settings.operations], changes)
