"""Claiming due alerts: which are due, taking them with a token and a lease (pending -> sending), and
what a message needs to say about each (one joined read per batch, as typed records)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Integer, Select, Table, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from rasid.storage.clock import utcnow
from rasid.storage.models import Alert, Article, Match, Source
from rasid.storage.states import CLAIM, DEAD, PENDING, POSTPONED, SENDING, SENT

_CHUNK = 500  # ids per IN (...) list
_ALERTS = cast(Table, Alert.__table__)


def not_indexed(column: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str]:
    """`column` in a form no index can serve (`column || ''`), for a condition that only filters rows
    found another way: beside `id IN (...)`, SQLite's planner (it has no statistics) would otherwise walk
    ix_alerts_status_due over every pending alert, the whole backlog after an outage, to find a batch."""
    return column.concat("")


def _followup_ready() -> ColumnElement[bool]:
    """An "also reported by" alert waits until its story's first alert is sent or given up."""
    parent = aliased(Alert)
    settled = exists(select(parent.id).where(parent.id == Alert.parent_id, parent.status.in_([SENT, DEAD])))
    return or_(Alert.parent_id.is_(None), settled)


_FOLLOWUP_READY = _followup_ready()  # built once: an ORM alias costs milliseconds to make per claim


def claim_due_ids(
    session: Session,
    limit: int = 50,
    now: datetime | None = None,
    channels: Sequence[str] | None = None,
    *,
    token: str | None = None,
    lease: timedelta = timedelta(0),
    stories_checked: bool = False,
) -> list[int]:
    """Take due pending alerts for this dispatcher (marked `sending` in the caller's transaction); returns
    their ids in the order due (all claimed alerts share one lease end, so by id).

    On PostgreSQL rows are locked with SKIP LOCKED, so several dispatchers never take the same alert.
    `token` names the claimant and `lease` how long it owns the alerts (kept in `next_attempt_at`);
    with `stories_checked`, only alerts already grouped into stories are taken, and a story's later
    alerts only once its first one is settled."""
    moment = now or utcnow()
    query = _claim_query(
        channels is not None, stories_checked, session.get_bind().dialect.name == "postgresql"
    )
    params: dict[str, Any] = {"b_now": moment, "b_limit": limit}
    if channels is not None:
        params["b_channels"] = list(channels)
    ids = list(session.scalars(query, params))
    return sorted(take(session, ids, token=token, lease=lease, now=moment))


@lru_cache(maxsize=16)
def _claim_query(by_channel: bool, stories_checked: bool, skip_locked: bool) -> Select[Any]:
    """The claiming SELECT, built once per shape: executing the very same statement object each round
    spares SQLAlchemy rebuilding it and adapting its cached compiled form to a new one."""
    query = (
        select(Alert.id)
        .where(Alert.status == CLAIM.source, Alert.next_attempt_at <= bindparam("b_now"))
        .order_by(Alert.next_attempt_at, Alert.id)
        .limit(bindparam("b_limit", type_=Integer))
    )
    if by_channel:
        query = query.where(Alert.channel.in_(bindparam("b_channels", expanding=True)))
    if stories_checked:
        query = query.where(Alert.story_checked.is_(True), _FOLLOWUP_READY)
    if skip_locked:
        query = query.with_for_update(of=Alert, skip_locked=True)
    return query


_TAKE = (  # built once (see _claim_query)
    update(_ALERTS)
    .where(
        _ALERTS.c.id.in_(bindparam("b_ids", expanding=True)), not_indexed(_ALERTS.c.status) == CLAIM.source
    )
    .values(
        status=CLAIM.target,
        attempts=_ALERTS.c.attempts + 1,
        claim_token=bindparam("b_token"),
        next_attempt_at=bindparam("b_until"),
    )
    .returning(_ALERTS.c.id)
)


def take(
    session: Session,
    ids: Iterable[int],
    *,
    token: str | None = None,
    lease: timedelta = timedelta(0),
    now: datetime | None = None,
) -> list[int]:
    """Claim these alerts if still pending (a conditional update, atomic on both backends: of two
    dispatchers that saw the same row, only one changes it); returns the ids this caller now holds.

    One UPDATE ... WHERE id IN (...) AND status = 'pending' RETURNING id per 500 ids (row by row only
    where the database has no UPDATE ... RETURNING)."""
    until = (now or utcnow()) + lease
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    held: set[int] = set()
    if session.get_bind().dialect.update_returning:
        for i in range(0, len(wanted), _CHUNK):
            params = {"b_ids": wanted[i : i + _CHUNK], "b_token": token, "b_until": until}
            held.update(session.execute(_TAKE, params).scalars())
    else:  # pragma: no cover - SQLite before 3.35
        table = _ALERTS
        values: dict[str, Any] = {
            "status": CLAIM.target,
            "attempts": table.c.attempts + 1,
            "claim_token": token,
            "next_attempt_at": until,
        }
        for alert_id in wanted:
            result = session.execute(
                update(table).where(table.c.id == alert_id, table.c.status == CLAIM.source).values(values)
            )
            if getattr(result, "rowcount", 0) == 1:
                held.add(alert_id)
    return [i for i in wanted if i in held]


def oldest_due(session: Session, channel: str, now: datetime) -> datetime | None:
    """When the oldest alert due on `channel` was created (a batching channel's clock)."""
    return session.scalar(
        select(func.min(Alert.created_at)).where(
            Alert.channel == channel, Alert.status == PENDING, Alert.next_attempt_at <= now
        )
    )


def postpone(session: Session, ids: Sequence[int], at: datetime, token: str) -> None:
    """Claimed alerts not tried (their channel just failed, or the dispatcher halts) go back to pending,
    due at `at`, their attempt not counted."""
    session.execute(
        update(Alert)
        .where(Alert.id.in_(ids), Alert.status == POSTPONED.source, Alert.claim_token == token)
        .values(status=POSTPONED.target, claim_token=None, next_attempt_at=at, attempts=Alert.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def claimants(session: Session) -> list[str]:
    """The tokens of dispatchers holding alerts right now."""
    rows = session.scalars(
        select(Alert.claim_token).where(Alert.status == SENDING, Alert.claim_token.is_not(None)).distinct()
    )
    return [t for t in rows if t]


class AlertRow(NamedTuple):
    """What a message says about one alert: the alert, its match, its article and the outlet."""

    id: int
    topic: str
    parent_id: int | None
    title: str
    url: str
    published_at: datetime | None
    fetched_at: datetime
    outlet: str
    modality: str
    evidence: list[dict[str, Any]] | None
    channel: str
    confidence: str | None
    review_reason: str | None


@dataclass(slots=True)
class Claimed:
    """A claimed alert to send: its row, the later alerts of its story taken with it (`folded`, told in
    its message as `also`), and whether it follows up an alert of its story already sent."""

    alert: AlertRow
    folded: list[int]
    also: tuple[AlertRow, ...] = ()
    followup: bool = False


# One joined SELECT (alert, match, article, outlet), built once.
_ROW = (
    select(
        Alert.id,
        Alert.topic,
        Alert.parent_id,
        Article.title,
        Article.url,
        Article.published_at,
        Article.fetched_at,
        Source.name,
        Match.modality,
        Match.evidence,
        Alert.channel,
        Match.confidence,
        Match.review_reason,
    )
    .join(Match, Match.id == Alert.match_id)
    .join(Article, Article.id == Match.article_id)
    .join(Source, Source.id == Article.source_id)
)
# Executing the very same statement object each claim spares SQLAlchemy rebuilding it.
_ROWS = _ROW.where(Alert.id.in_(bindparam("b_ids", expanding=True)))
_KIDS = _ROW.where(  # found by ix_alerts_parent_id, not by walking every pending alert
    Alert.parent_id.in_(bindparam("b_ids", expanding=True)), not_indexed(Alert.status) == PENDING
).order_by(Alert.id)
_STATUSES = select(Alert.id, Alert.status).where(Alert.id.in_(bindparam("b_ids", expanding=True)))


def claimed(session: Session, ids: list[int], *, token: str, lease: timedelta) -> list[Claimed]:
    """The claimed alerts `ids` (in that order) read in a few queries for the whole batch (plain rows, no
    ORM objects), each with the pending later alerts of its story taken too (folded into its message)."""
    if not ids:
        return []
    conn = session.connection()  # plain rows: no ORM result machinery per row
    rows = {r[0]: r for r in conn.execute(_ROWS, {"b_ids": ids})}
    kids: dict[int, list[Any]] = defaultdict(list)
    for r in conn.execute(_KIDS, {"b_ids": ids}):
        kids[r[2]].append(r)
    parents = [r[2] for r in rows.values() if r[2] is not None]
    parent_status: dict[int, str] = {}
    if parents:
        for pid, status in conn.execute(_STATUSES, {"b_ids": list(set(parents))}):
            parent_status[pid] = status
    out = []
    for alert_id in ids:
        row = AlertRow._make(rows[alert_id])
        held: list[int] = []
        also: tuple[AlertRow, ...] = ()
        children = kids.get(alert_id)
        if children:
            held = take(session, [c[0] for c in children], token=token, lease=lease)
            also = tuple(AlertRow._make(c) for c in children if c[0] in held)
        followup = row.parent_id is not None and parent_status.get(row.parent_id) == SENT
        out.append(Claimed(row, held, also, followup))
    return out
