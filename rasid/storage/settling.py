"""Settling attempts: a failure to retry (or give up on), the recovery of what a dead dispatcher held,
dead letters sent again by hand, and the outbox counts for reports."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session

from rasid.storage.clock import utcnow
from rasid.storage.models import Alert, Delivery
from rasid.storage.states import DELIVERED, FAILED, GAVE_UP, RECOVERED, RELEASED, RETRIED, SENDING

log = logging.getLogger(__name__)

_ALERTS = cast(Table, Alert.__table__)
_DELIVERIES = cast(Table, Delivery.__table__)


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed alert is tried again: exponential backoff from `base` seconds up to `most`, or when
    the service said (`wait`, e.g. Telegram's retry_after); never after `give_up_after` seconds from
    its creation (dead instead)."""

    base: float
    most: float
    give_up_after: float

    def retry_at(self, created_at: datetime, attempts: int, wait: float | None = None) -> datetime | None:
        now = utcnow()
        if (now - created_at).total_seconds() >= self.give_up_after:
            return None
        delay = wait or min(self.base * 2 ** max(attempts - 1, 0), self.most)
        return now + timedelta(seconds=delay)


def settle(
    session: Session,
    alert_id: int,
    *,
    ok: bool,
    error: str | None = None,
    retry_at: datetime | None = None,
    duration_ms: float = 0.0,
    token: str | None = None,
    sent_with: int | None = None,
    record: bool = True,
) -> bool:
    """Record one attempt: sent, to retry at `retry_at`, or dead when no retry is due.

    With a `token`, the alert's state changes only if this claimant still holds it (a peer may have
    taken it back after the lease ran out); returns whether the state changed. `record=False` changes
    the state without a delivery row (an alert carried inside another alert's message).
    """
    alert = session.get(Alert, alert_id, populate_existing=True)
    if alert is None:
        return False
    now = utcnow()
    if record:
        session.add(
            Delivery(
                alert_id=alert_id,
                attempted_at=now,
                ok=ok,
                error=error,
                duration_ms=duration_ms,
                claim_token=token,
            )
        )
    if token is not None and (alert.status != SENDING or alert.claim_token != token):
        return False
    alert.claim_token = None
    if ok:
        alert.status = DELIVERED.target
        alert.sent_at = now
        alert.last_error = None
        alert.sent_with = sent_with
    else:
        alert.last_error = error
        if retry_at is None:
            alert.status = GAVE_UP.target
        else:
            alert.status = FAILED.target
            alert.next_attempt_at = retry_at
    return True


class Failure(NamedTuple):
    alert_id: int
    retry_at: datetime | None  # None: given up (dead)
    kept: bool  # False: a peer had taken it back (the attempt is still recorded)


def fail(
    session: Session,
    ids: Sequence[int],
    *,
    error: str | None,
    duration_ms: float,
    token: str,
    policy: RetryPolicy,
    wait: float | None = None,
) -> list[Failure]:
    """Record a failed message for each alert it carried: each waits for its retry time, or is dead."""
    out = []
    for alert_id in ids:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        retry_at = policy.retry_at(alert.created_at, alert.attempts, wait)
        kept = settle(
            session,
            alert_id,
            ok=False,
            error=error,
            retry_at=retry_at,
            duration_ms=duration_ms,
            token=token,
        )
        out.append(Failure(alert_id, retry_at, kept))
    session.flush()
    return out


def release_stale(
    session: Session,
    older_than: timedelta,
    now: datetime | None = None,
    dead_claimants: Iterable[str] = (),
) -> int:
    """Alerts left `sending` by a dispatcher that died go back to pending; returns how many.

    Released: claims whose lease (`next_attempt_at`) ended more than `older_than` ago, and claims of
    the named claimants (known dead, e.g. a process of this host that no longer runs). Those of them
    whose send was recorded (a successful delivery under the same claim, see `SentLog.logged`) are
    marked sent instead: they went out, and must not go out again.
    """
    moment = now or utcnow()
    params: dict[str, Any] = {"b_before": moment - older_than, "b_now": moment}
    dead = list(dead_claimants)
    if dead:
        params["b_dead"] = dead
    session.flush()  # as session.execute would; then plain core UPDATEs (run by every dispatch round)
    conn = session.connection()
    settled = conn.execute(_SETTLE_DEAD if dead else _SETTLE, params).rowcount or 0
    if settled:
        log.warning(
            "%d alerts sent by a dispatcher that stopped before marking them are marked sent", settled
        )
    result = conn.execute(_RELEASE_DEAD if dead else _RELEASE, params)
    return int(result.rowcount or 0)


_EXPIRED = _ALERTS.c.next_attempt_at <= bindparam("b_before")
_STALE = (_EXPIRED, or_(_EXPIRED, _ALERTS.c.claim_token.in_(bindparam("b_dead", expanding=True))))
# A successful delivery recorded under the alert's current claim: sent, though not yet marked so.
_SENT_UNDER_CLAIM = (
    (_DELIVERIES.c.alert_id == _ALERTS.c.id)
    & _DELIVERIES.c.ok.is_(True)
    & (_DELIVERIES.c.claim_token == _ALERTS.c.claim_token)
)
_SETTLE, _SETTLE_DEAD = (  # built once: the same statement objects every round
    update(_ALERTS)
    .where(_ALERTS.c.status == RECOVERED.source, cond, exists().where(_SENT_UNDER_CLAIM))
    .values(
        status=RECOVERED.target,
        sent_at=select(func.max(_DELIVERIES.c.attempted_at)).where(_SENT_UNDER_CLAIM).scalar_subquery(),
        last_error=None,
        claim_token=None,
        sent_with=None,
    )
    for cond in _STALE
)
_RELEASE, _RELEASE_DEAD = (
    update(_ALERTS)
    .where(_ALERTS.c.status == RELEASED.source, cond)
    .values(status=RELEASED.target, claim_token=None, next_attempt_at=bindparam("b_now"))
    for cond in _STALE
)


def retry_dead(session: Session, ids: Sequence[int] | None = None, now: datetime | None = None) -> int:
    """Dead alerts (all, or these ids) become pending and due now, with a fresh give-up clock."""
    moment = now or utcnow()
    stmt = update(Alert).where(Alert.status == RETRIED.source)
    if ids is not None:
        stmt = stmt.where(Alert.id.in_(list(ids)))
    result = session.execute(
        stmt.values(status=RETRIED.target, next_attempt_at=moment, created_at=moment).execution_options(
            synchronize_session=False
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Alert.status, func.count()).group_by(Alert.status))
    return {status: int(n) for status, n in rows}
