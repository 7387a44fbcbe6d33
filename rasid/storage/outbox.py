"""Matches and the alert outbox: written in the article's transaction, claimed and settled by dispatchers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    Table,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from rasid.storage.articles import _insert
from rasid.storage.clock import utcnow
from rasid.storage.models import Alert, Delivery, Match
from rasid.storage.records import NewMatch, Route

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"
_CHUNK = 500  # ids per IN (...) list
_ALERTS = cast(Table, Alert.__table__)
_DELIVERIES = cast(Table, Delivery.__table__)


def not_indexed(column: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str]:
    """`column` in a form no index can serve (`column || ''`), for a condition that only filters rows
    found another way: beside `id IN (...)`, SQLite's planner (it has no statistics) would otherwise walk
    ix_alerts_status_due over every pending alert, the whole backlog after an outage, to find a batch."""
    return column.concat("")


def record_matches(
    session: Session,
    article_id: int,
    matches: Iterable[NewMatch],
    routes: Mapping[str, Sequence[str | Route]],
) -> list[int]:
    """Store the matches of a new article and one outbox row per channel that takes each topic at the
    match's confidence.

    `routes` maps topic id -> the channels that take it: `Route`s, or plain names (channels taking only
    confident "alert" matches); a "review" match goes only to routes with confidence "review". Returns the
    ids of the alerts created. Runs inside the caller's transaction, so an article, its matches and its
    alerts are committed together or not at all.
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
                    "confidence": m.confidence,
                    "review_reason": m.review_reason,
                },
                ["article_id", "topic"],
            ).returning(Match.id)
        ).scalar_one_or_none()
        if match_id is None:
            continue
        for route in routes.get(m.topic, ()):
            if isinstance(route, str):
                route = Route(route)
            if not route.takes(m.confidence):
                continue
            channel = route.channel
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
                        "story_checked": False,
                    },
                    ["article_id", "topic", "channel"],
                ).returning(Alert.id)
            ).scalar_one_or_none()
            if alert_id is not None:
                alert_ids.append(alert_id)
    return alert_ids


def _followup_ready() -> ColumnElement[bool]:
    """An "also reported by" alert waits until its story's first alert is sent or given up."""
    parent = aliased(Alert)
    settled = exists(select(parent.id).where(parent.id == Alert.parent_id, parent.status.in_([SENT, DEAD])))
    return or_(Alert.parent_id.is_(None), settled)


_FOLLOWUP_READY = _followup_ready()  # built once: an ORM alias costs milliseconds to make per claim


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
    """Take due pending alerts for this dispatcher: marked `sending` in the caller's transaction.

    On PostgreSQL rows are locked with SKIP LOCKED, so several dispatchers never take the same alert.
    `token` names the claimant and `lease` how long it owns the alerts (kept in `next_attempt_at`);
    with `stories_checked`, only alerts already grouped into stories are taken, and a story's later
    alerts only once its first one is settled.
    """
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
    """`claim_due` without loading the alerts: the ids taken, in the order `claim_due` gives them (all
    claimed alerts share one lease end, so by id)."""
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
        .where(Alert.status == PENDING, Alert.next_attempt_at <= bindparam("b_now"))
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
    .where(_ALERTS.c.id.in_(bindparam("b_ids", expanding=True)), not_indexed(_ALERTS.c.status) == PENDING)
    .values(
        status=SENDING,
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
            "status": SENDING,
            "attempts": table.c.attempts + 1,
            "claim_token": token,
            "next_attempt_at": until,
        }
        for alert_id in wanted:
            result = session.execute(
                update(table).where(table.c.id == alert_id, table.c.status == PENDING).values(values)
            )
            if getattr(result, "rowcount", 0) == 1:
                held.add(alert_id)
    return [i for i in wanted if i in held]


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
        alert.status = SENT
        alert.sent_at = now
        alert.last_error = None
        alert.sent_with = sent_with
    else:
        alert.last_error = error
        if retry_at is None:
            alert.status = DEAD
        else:
            alert.status = PENDING
            alert.next_attempt_at = retry_at
    return True


_SENT: dict[str, Any] = {
    "status": SENT,
    "sent_at": bindparam("b_at"),
    "last_error": None,
    "claim_token": None,
    "sent_with": bindparam("b_with"),
}
# Prepared once (compiled once, cached by SQLAlchemy): marking one alert sent, held by a token or not.
_SENT_HELD = (
    update(_ALERTS)
    .where(
        _ALERTS.c.id == bindparam("b_id"),
        _ALERTS.c.status == SENDING,
        _ALERTS.c.claim_token == bindparam("b_token"),
    )
    .values(_SENT)
)
_SENT_ANY = update(_ALERTS).where(_ALERTS.c.id == bindparam("b_id")).values(_SENT)
_RECORD = insert(_DELIVERIES)


def settle_sent(
    session: Session | Connection,
    alert_ids: Sequence[int],
    *,
    duration_ms: float = 0.0,
    token: str | None = None,
    carried: Sequence[int] = (),
    now: datetime | None = None,
) -> list[int]:
    """Record one successful message in a few prepared core statements (no ORM loading); the same rules
    as `settle(ok=True)` for each alert. `alert_ids` were attempted in it (a delivery row each; the first
    is the message, the others were sent with it), `carried` rode along inside it (no delivery row, sent
    with the first). With a `token`, only alerts this claimant still holds change state. Returns the ids
    of `alert_ids` whose state changed."""
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
    if lost:  # taken back by a peer (the attempt is still recorded) or gone (nothing to record)
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
        session.execute(_RECORD, rows)
    return kept


class SentLog:
    """`settle_sent` on a plain DB-API connection, for the dispatcher's hot path: the same statements
    written once per dialect (no SQLAlchemy compile, cache look-up or result wrapping per attempt) and one
    commit per call, so the attempt is durable before the next alert is sent.

    Values go through the columns' own bind processors, so what is stored is exactly what the ORM and
    core statements store (on SQLite, timestamps as the same text)."""

    def __init__(self, dialect: Dialect) -> None:
        if dialect.paramstyle not in ("qmark", "format", "pyformat"):  # pragma: no cover - other drivers
            raise NotImplementedError(f"SentLog: parameter style {dialect.paramstyle!r}")
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        alerts, deliveries = _ALERTS.name, _DELIVERIES.name
        sent = (
            f"status = '{SENT}', sent_at = {mark}, last_error = NULL, claim_token = NULL, sent_with = {mark}"
        )
        self._held = (
            f"UPDATE {alerts} SET {sent} WHERE id = {mark} AND status = '{SENDING}' AND claim_token = {mark}"
        )
        self._any = f"UPDATE {alerts} SET {sent} WHERE id = {mark}"
        self._exists = f"SELECT 1 FROM {alerts} WHERE id = {mark}"
        self._record = (
            f"INSERT INTO {deliveries} (alert_id, attempted_at, ok, error, duration_ms, claim_token) "
            f"VALUES ({mark}, {mark}, {mark}, NULL, {mark}, {mark})"
        )
        self._gone = getattr(dialect.dbapi, "IntegrityError", ())  # a delivery row for a deleted alert
        self._postgres = dialect.name == "postgresql"
        self._marks = (  # PostgreSQL: a batch's sent marks in one round trip; {rows} is "(%s, %s), ..."
            f"UPDATE {alerts} SET status = '{SENT}', sent_at = v.at, last_error = NULL, claim_token = NULL, "
            f"sent_with = NULL FROM (VALUES {{rows}}) AS v(id, at) WHERE {alerts}.id = v.id "
            f"AND {alerts}.status = '{SENDING}' AND {alerts}.claim_token = %s RETURNING {alerts}.id"
        )
        when = _ALERTS.c.sent_at.type.dialect_impl(dialect).bind_processor(dialect)
        ok = _DELIVERIES.c.ok.type.dialect_impl(dialect).bind_processor(dialect)
        self._when: Callable[[datetime], Any] = when or (lambda v: v)
        probe = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
        if when is not None and when(probe) == _sqlite_text(probe):  # the same text, in three C calls
            self._when = _sqlite_text
        self._ok = ok(True) if ok else True

    def __call__(
        self,
        dbapi_connection: Any,
        alert_ids: Sequence[int],
        *,
        duration_ms: float = 0.0,
        token: str | None = None,
        carried: Sequence[int] = (),
        now: datetime | None = None,
    ) -> list[int]:
        """Settle one successful message and commit (rolled back if a statement fails); returns the ids
        of `alert_ids` whose state changed, as `settle_sent` does."""
        if not alert_ids:
            return []
        at = self.stamp(now)
        first = alert_ids[0]
        # One cursor, dropped with its last reference (an explicit close() measured ~4 us an attempt).
        cursor = dbapi_connection.cursor()
        mark, args = (self._any, ()) if token is None else (self._held, (token,))
        try:
            if len(alert_ids) == 1 and not carried:  # one alert in its own message
                cursor.execute(mark, (at, None, first, *args))
                kept = [first] if cursor.rowcount == 1 else []
                self._deliver(cursor, first, at, duration_ms, token, held=bool(kept))
                dbapi_connection.commit()
                return kept
            attempted = list(dict.fromkeys(alert_ids))
            kept = []
            for alert_id in attempted:
                cursor.execute(mark, (at, None if alert_id == first else first, alert_id, *args))
                if cursor.rowcount == 1:
                    kept.append(alert_id)
            for alert_id in dict.fromkeys(carried):
                if alert_id not in attempted:
                    cursor.execute(mark, (at, first, alert_id, *args))
            for alert_id in attempted:
                self._deliver(cursor, alert_id, at, duration_ms, token, held=alert_id in kept)
            dbapi_connection.commit()
        except BaseException:
            dbapi_connection.rollback()
            raise
        return kept

    def _deliver(
        self, cursor: Any, alert_id: int, at: Any, duration_ms: float, token: str | None, *, held: bool
    ) -> None:
        """The attempt's delivery row; for an alert this claimant no longer holds, only if it still
        exists (taken back by a peer: still recorded; gone: nothing to record)."""
        if not held:
            cursor.execute(self._exists, (alert_id,))
            if cursor.fetchone() is None:
                return
        cursor.execute(self._record, (alert_id, at, self._ok, duration_ms, token))

    # An alert sent alone, in two steps: its send recorded right after the answer, before the next send
    # (on PostgreSQL by `logged`, its delivery row committed alone; on SQLite the dispatcher's send journal
    # holds it and `settle_batch` writes the row), and its own row marked sent with its batch
    # (`settle_batch`). In between, the alert is `sending` with a successful delivery under its own claim,
    # which is how `release_stale` knows it was sent if the dispatcher dies before settling it.

    def logged(
        self,
        dbapi_connection: Any,
        alert_id: int,
        *,
        duration_ms: float,
        token: str,
        now: datetime | None = None,
    ) -> Any | None:
        """Record one alert sent alone in its own message (its delivery row) and commit; returns the
        stored time for `settle_batch`, or None if the alert no longer exists (nothing recorded)."""
        at = self.stamp(now)
        cursor = dbapi_connection.cursor()
        if self._postgres:  # one statement: committed on its own, one round trip instead of three
            dbapi_connection.autocommit = True
            try:
                cursor.execute(self._record, (alert_id, at, self._ok, duration_ms, token))
            except self._gone:
                return None
            finally:
                dbapi_connection.autocommit = False
            return at
        try:
            cursor.execute(self._record, (alert_id, at, self._ok, duration_ms, token))
            dbapi_connection.commit()
        except self._gone:
            dbapi_connection.rollback()
            return None
        except BaseException:
            dbapi_connection.rollback()
            raise
        return at

    def fast_commits(self, dbapi_connection: Any, on: bool = True) -> None:
        """PostgreSQL: commits of this connection return without waiting for their WAL to reach the disk
        (`synchronous_commit`, for this session only; `on=False` restores it before the connection goes
        back to the pool). A rasid crash loses nothing, a record committed is in PostgreSQL; only a
        crash of PostgreSQL itself could lose the last ~0.6 s of records, whose alerts would then be sent
        again. Elsewhere nothing to do."""
        if self._postgres:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")
            dbapi_connection.commit()

    def stamp(self, now: datetime | None = None) -> Any:
        """A time as this database stores it (what `logged` returns)."""
        return self._when(now or utcnow())

    def settle_batch(
        self,
        dbapi_connection: Any,
        sent: Sequence[tuple[int, Any, float | None]],
        token: str,
        *,
        replay: bool = False,
    ) -> list[int]:
        """Mark alerts sent in one transaction: (alert id, stored time, duration in ms or None). With a
        duration the delivery row is written too (a send kept in the dispatcher's journal); with None it
        was recorded already (`logged`). Returns the ids this claimant no longer held (a peer took them
        back after the lease ran out), left as they are. `replay` (a dead dispatcher's journal): an alert
        no longer held gets no delivery row either (already recorded, or a peer holds it now)."""
        cursor = dbapi_connection.cursor()
        lost = []
        try:
            if self._postgres and not replay and all(d is None for _, _, d in sent):
                # Only marks (the delivery rows are committed): one statement, not a round trip each.
                rows = ", ".join(["(%s::integer, %s::timestamptz)"] * len(sent))
                cursor.execute(
                    self._marks.format(rows=rows), [*(v for i, at, _ in sent for v in (i, at)), token]
                )
                held_ids = {r[0] for r in cursor.fetchall()}
                dbapi_connection.commit()
                return [i for i, _, _ in sent if i not in held_ids]
            for alert_id, at, duration_ms in sent:
                cursor.execute(self._held, (at, None, alert_id, token))
                held = cursor.rowcount == 1
                if not held:
                    lost.append(alert_id)
                if duration_ms is not None and (held or not replay):
                    self._deliver(cursor, alert_id, at, duration_ms, token, held=held)
            dbapi_connection.commit()
        except BaseException:
            dbapi_connection.rollback()
            raise
        return lost


def _sqlite_text(value: datetime) -> str:
    """An aware timestamp as SQLAlchemy's SQLite DATETIME stores it (UTC, microseconds always shown)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


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
_SETTLE, _SETTLE_DEAD = (  # built once (see _claim_query)
    update(_ALERTS)
    .where(_ALERTS.c.status == SENDING, cond, exists().where(_SENT_UNDER_CLAIM))
    .values(
        status=SENT,
        sent_at=select(func.max(_DELIVERIES.c.attempted_at)).where(_SENT_UNDER_CLAIM).scalar_subquery(),
        last_error=None,
        claim_token=None,
        sent_with=None,
    )
    for cond in _STALE
)
_RELEASE, _RELEASE_DEAD = (  # built once (see _claim_query)
    update(_ALERTS)
    .where(_ALERTS.c.status == SENDING, cond)
    .values(status=PENDING, claim_token=None, next_attempt_at=bindparam("b_now"))
    for cond in _STALE
)


def claimants(session: Session) -> list[str]:
    """The tokens of dispatchers holding alerts right now."""
    rows = session.scalars(
        select(Alert.claim_token).where(Alert.status == SENDING, Alert.claim_token.is_not(None)).distinct()
    )
    return [t for t in rows if t]


def retry_dead(session: Session, ids: Sequence[int] | None = None, now: datetime | None = None) -> int:
    """Dead alerts (all, or these ids) become pending and due now, with a fresh give-up clock."""
    moment = now or utcnow()
    stmt = update(Alert).where(Alert.status == DEAD)
    if ids is not None:
        stmt = stmt.where(Alert.id.in_(list(ids)))
    result = session.execute(
        stmt.values(status=PENDING, next_attempt_at=moment, created_at=moment).execution_options(
            synchronize_session=False
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Alert.status, func.count()).group_by(Alert.status))
    return {status: int(n) for status, n in rows}
