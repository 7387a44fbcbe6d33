"""Recording successful sends on the dispatcher's hot path: the "sent" transition and the delivery row
written once per dialect as plain driver SQL on a DB-API connection, one commit per call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.engine import Dialect

from rasid.storage.clock import utcnow
from rasid.storage.models import Alert, Delivery
from rasid.storage.states import DELIVERED

_ALERTS = cast(Table, Alert.__table__)
_DELIVERIES = cast(Table, Delivery.__table__)
# Every statement below writes the sent transition (DELIVERED, and CARRIED for alerts inside a message).
_FROM, _TO = DELIVERED.source, DELIVERED.target


class SentLog:
    """The sent transition on a plain DB-API connection, for the dispatcher's hot path: its statements
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
            f"status = '{_TO}', sent_at = {mark}, last_error = NULL, claim_token = NULL, sent_with = {mark}"
        )
        self._held = (
            f"UPDATE {alerts} SET {sent} WHERE id = {mark} AND status = '{_FROM}' AND claim_token = {mark}"
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
            f"UPDATE {alerts} SET status = '{_TO}', sent_at = v.at, last_error = NULL, claim_token = NULL, "
            f"sent_with = NULL FROM (VALUES {{rows}}) AS v(id, at) WHERE {alerts}.id = v.id "
            f"AND {alerts}.status = '{_FROM}' AND {alerts}.claim_token = %s RETURNING {alerts}.id"
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
        of `alert_ids` whose state changed."""
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
