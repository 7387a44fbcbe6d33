"""Matches and the alert outbox: written in the article's transaction, claimed and settled by dispatchers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rasid.storage.articles import _insert
from rasid.storage.clock import utcnow
from rasid.storage.models import Alert, Delivery, Match
from rasid.storage.records import NewMatch

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"


def record_matches(
    session: Session, article_id: int, matches: Iterable[NewMatch], routes: dict[str, list[str]]
) -> list[int]:
    """Store the matches of a new article and one outbox row per channel that takes each topic.

    `routes` maps topic id -> channel names. Returns the ids of the alerts created. Runs inside the
    caller's transaction, so an article, its matches and its alerts are committed together or not at all.
    """
    alert_ids: list[int] = []
    now = utcnow()
    for m in matches:
        match_id = session.execute(
            _insert(
                session,
                Match,
                {
                    "article_id": article_id,
                    "topic": m.topic,
                    "score": m.score,
                    "modality": m.modality,
                    "evidence": m.evidence,
                    "created_at": now,
                },
                ["article_id", "topic"],
            ).returning(Match.id)
        ).scalar_one_or_none()
        if match_id is None:
            continue
        for channel in routes.get(m.topic, []):
            alert_id = session.execute(
                _insert(
                    session,
                    Alert,
                    {
                        "match_id": match_id,
                        "article_id": article_id,
                        "topic": m.topic,
                        "channel": channel,
                        "status": PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    },
                    ["article_id", "topic", "channel"],
                ).returning(Alert.id)
            ).scalar_one_or_none()
            if alert_id is not None:
                alert_ids.append(alert_id)
    return alert_ids


def claim_due(
    session: Session, limit: int = 50, now: datetime | None = None, channels: Sequence[str] | None = None
) -> list[Alert]:
    """Take due pending alerts for this dispatcher: marked `sending` in the caller's transaction.

    On PostgreSQL rows are locked with SKIP LOCKED, so several dispatchers never take the same alert.
    """
    moment = now or utcnow()
    query = (
        select(Alert)
        .where(Alert.status == PENDING, Alert.next_attempt_at <= moment)
        .order_by(Alert.next_attempt_at, Alert.id)
        .limit(limit)
    )
    if channels is not None:
        query = query.where(Alert.channel.in_(list(channels)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query.with_only_columns(Alert.id)))
    claimed: list[int] = []
    for alert_id in ids:
        # A conditional update is atomic on both backends: of two dispatchers that saw the same row
        # (possible on SQLite, which has no row locks), only one changes it.
        result = session.execute(
            update(Alert)
            .where(Alert.id == alert_id, Alert.status == PENDING)
            .values(status=SENDING, attempts=Alert.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(alert_id)
    if not claimed:
        return []
    alerts = list(
        session.scalars(
            select(Alert)
            .where(Alert.id.in_(claimed))
            .order_by(Alert.next_attempt_at, Alert.id)
            .execution_options(populate_existing=True)
        )
    )
    return alerts


def settle(
    session: Session,
    alert_id: int,
    *,
    ok: bool,
    error: str | None = None,
    retry_at: datetime | None = None,
    duration_ms: float = 0.0,
) -> None:
    """Record one attempt: sent, to retry at `retry_at`, or dead when no retry is due."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        return
    now = utcnow()
    session.add(Delivery(alert_id=alert_id, attempted_at=now, ok=ok, error=error, duration_ms=duration_ms))
    if ok:
        alert.status = SENT
        alert.sent_at = now
        alert.last_error = None
    else:
        alert.last_error = error
        if retry_at is None:
            alert.status = DEAD
        else:
            alert.status = PENDING
            alert.next_attempt_at = retry_at


def release_stale(session: Session, older_than: timedelta, now: datetime | None = None) -> int:
    """Alerts left `sending` by a dispatcher that died go back to pending; returns how many."""
    moment = now or utcnow()
    result = session.execute(
        update(Alert)
        .where(Alert.status == SENDING, Alert.next_attempt_at <= moment - older_than)
        .values(status=PENDING)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def counts_by_status(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(Alert.status, func.count()).group_by(Alert.status))
    return {status: int(n) for status, n in rows}
