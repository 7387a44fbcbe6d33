"""Test-only conveniences over storage's production paths: an article as an ORM row, a claim that loads
the alerts, and the "sent" transition in SQLAlchemy core (the reference SentLog's driver SQL is checked
against)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from rasid.storage import Alert, Article, Delivery, NewArticle, insert_article
from rasid.storage.clock import utcnow
from rasid.storage.outbox import claim_due_ids
from rasid.storage.states import DELIVERED


def store_article(session: Session, source_id: int, article: NewArticle) -> Article | None:
    """`insert_article`, and the new row loaded (None when the URL was known)."""
    new_id = insert_article(session, source_id, article)
    return None if new_id is None else session.get(Article, new_id)


def claim_due(
    session: Session,
    limit: int = 50,
    now: datetime | None = None,
    channels: Sequence[str] | None = None,
    *,
    token: str | None = None,
    lease: timedelta = timedelta(0),
    stories_checked: bool = False,
) -> list[Alert]:
    """`claim_due_ids`, and the claimed alerts loaded, in the order claimed."""
    claimed = claim_due_ids(
        session, limit, now, channels, token=token, lease=lease, stories_checked=stories_checked
    )
    if not claimed:
        return []
    return list(
        session.scalars(
            select(Alert)
            .where(Alert.id.in_(claimed))
            .order_by(Alert.next_attempt_at, Alert.id)
            .execution_options(populate_existing=True)
        )
    )


_ALERTS = cast(Table, Alert.__table__)
_SENT = {
    "status": DELIVERED.target,
    "sent_at": bindparam("b_at"),
    "last_error": None,
    "claim_token": None,
    "sent_with": bindparam("b_with"),
}
_SENT_HELD = (
    update(_ALERTS)
    .where(
        _ALERTS.c.id == bindparam("b_id"),
        _ALERTS.c.status == DELIVERED.source,
        _ALERTS.c.claim_token == bindparam("b_token"),
    )
    .values(_SENT)
)
_SENT_ANY = update(_ALERTS).where(_ALERTS.c.id == bindparam("b_id")).values(_SENT)


def settle_sent(
    session: Session | Connection,
    alert_ids: Sequence[int],
    *,
    duration_ms: float = 0.0,
    token: str | None = None,
    carried: Sequence[int] = (),
    now: datetime | None = None,
) -> list[int]:
    """One successful message in SQLAlchemy core, by the rules SentLog follows: `alert_ids` attempted (a
    delivery row each; the first is the message), `carried` rode along (no row, sent with the first);
    with a `token` only alerts this claimant holds change. Returns the ids of `alert_ids` changed."""
    if not alert_ids:
        return []
    moment = now or utcnow()
    first = alert_ids[0]
    stmt = _SENT_ANY if token is None else _SENT_HELD

    def mark(alert_id: int, sent_with: int | None) -> bool:
        params = {"b_id": alert_id, "b_at": moment, "b_with": sent_with, "b_token": token}
        return getattr(session.execute(stmt, params), "rowcount", 0) == 1

    attempted = list(dict.fromkeys(alert_ids))
    kept = [i for i in attempted if mark(i, None if i == first else first)]
    for alert_id in dict.fromkeys(carried):
        if alert_id not in attempted:
            mark(alert_id, first)
    lost = [i for i in attempted if i not in kept]
    existing = set(kept)
    if lost:
        existing |= set(session.execute(select(_ALERTS.c.id).where(_ALERTS.c.id.in_(lost))).scalars())
    rows = [
        {
            "alert_id": i,
            "attempted_at": moment,
            "ok": True,
            "error": None,
            "duration_ms": duration_ms,
            "claim_token": token,
        }
        for i in attempted
        if i in existing
    ]
    if rows:
        session.execute(insert(cast(Table, Delivery.__table__)), rows)
    return kept
