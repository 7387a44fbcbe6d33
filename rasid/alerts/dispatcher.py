"""The dispatcher: works the outbox, sends each due alert through its channel with apprise, records every
attempt, retries with exponential backoff, and gives up into the dead-letter state after a set time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from rasid.alerts.channels import Channel
from rasid.alerts.message import AlertView, compose
from rasid.config.schema import AlertSettings
from rasid.storage import Alert, Database, claim_due, release_stale, settle
from rasid.storage.clock import utcnow

log = logging.getLogger(__name__)


@dataclass
class DispatchStats:
    sent: int = 0
    failed: int = 0
    dead: int = 0

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        return self


def view_of(session: Session, alert: Alert, topic_titles: dict[str, str]) -> AlertView:
    match = alert.match
    article = match.article
    return AlertView(
        topic=alert.topic,
        topic_title=topic_titles.get(alert.topic, alert.topic),
        headline=article.title,
        outlet=article.source.name,
        url=article.url,
        published=article.published_at,
        fetched=article.fetched_at,
        modality=match.modality,
        evidence=list(match.evidence or []),
    )


class Dispatcher:
    def __init__(
        self,
        db: Database,
        channels: dict[str, Channel],
        settings: AlertSettings,
        topic_titles: dict[str, str],
        on_sent: Callable[[AlertView, Channel], None] | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.settings = settings
        self.topic_titles = topic_titles
        self.on_sent = on_sent

    def recover(self) -> int:
        """Alerts a killed dispatcher left in `sending` become pending again (run at start-up)."""
        with self.db.session() as session:
            n = release_stale(session, timedelta(seconds=0))
        if n:
            log.warning("%d alerts were being sent when rasid last stopped; they will be sent again", n)
        return n

    def _retry_at(self, alert: Alert) -> datetime | None:
        age = (utcnow() - alert.created_at).total_seconds()
        if age >= self.settings.give_up_after:
            return None
        delay = min(self.settings.retry_base * 2 ** max(alert.attempts - 1, 0), self.settings.retry_max)
        return utcnow() + timedelta(seconds=delay)

    def dispatch_due(self, limit: int = 100) -> DispatchStats:
        """Send every due alert (blocking: run it in a worker thread); returns what happened."""
        stats = DispatchStats()
        while True:
            with self.db.session() as session:
                claimed = claim_due(session, limit=limit, channels=list(self.channels))
                jobs = [(a.id, a.channel, view_of(session, a, self.topic_titles)) for a in claimed]
            if not jobs:
                return stats
            for alert_id, channel_name, view in jobs:
                stats += self._send(alert_id, self.channels[channel_name], view)
            if len(jobs) < limit:
                return stats

    def _send(self, alert_id: int, channel: Channel, view: AlertView) -> DispatchStats:
        message = compose(view, channel.scheme, self.settings.timezone)
        errors: list[str] = []
        started = time.monotonic()
        try:
            result = channel.apprise.notify(
                body=message.body, title=message.title, body_format=message.body_format
            )
            ok = bool(result)
            if not ok:
                errors = [
                    str(getattr(entry, "message", entry))
                    for entry in result.logs()
                    if str(getattr(entry, "level", "ERROR")).upper() in ("WARNING", "ERROR", "CRITICAL")
                ]
        except Exception as exc:  # apprise should not raise; a plugin bug must not stop the dispatcher
            ok, errors = False, [f"{type(exc).__name__}: {exc}"]
        took = (time.monotonic() - started) * 1000
        with self.db.session() as session:
            if ok:
                settle(session, alert_id, ok=True, duration_ms=took)
                outcome = DispatchStats(sent=1)
            else:
                alert = session.get(Alert, alert_id)
                assert alert is not None
                retry_at = self._retry_at(alert)
                error = "; ".join(errors)[:1000] or "delivery failed"
                settle(session, alert_id, ok=False, error=error, retry_at=retry_at, duration_ms=took)
                outcome = DispatchStats(failed=1, dead=0 if retry_at else 1)
        if ok:
            log.info(
                "alert %d (%s) delivered to %s [%s]", alert_id, view.topic, channel.name, channel.masked_url
            )
            if self.on_sent:
                self.on_sent(view, channel)
        else:
            log.warning(
                "alert %d to %s [%s] failed: %s%s",
                alert_id,
                channel.name,
                channel.masked_url,
                "; ".join(errors) or "delivery failed",
                " (giving up)" if outcome.dead else " (will retry)",
            )
        return outcome
