"""The outbox's one door for dispatchers: claim due alerts, then tell it what became of each (sent,
failed with a retry time, postponed), settle the batch, and recover what a dead dispatcher held.

The pieces, each in a module named for what it holds: the states and their transitions (`states`),
matches and their alerts written with the article (`matches`), claiming (`claims`), recording sends on
the hot path (`sentlog`, `recorders`, `journal`), failures, recovery and counts (`settling`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from rasid.storage.claims import (
    AlertRow,
    Claimed,
    claim_due_ids,
    claimants,
    claimed,
    not_indexed,
    oldest_due,
    postpone,
    take,
)
from rasid.storage.clock import utcnow
from rasid.storage.database import Database
from rasid.storage.journal import SendJournal
from rasid.storage.matches import record_matches
from rasid.storage.recorders import Connections, Recorder, Unsettled, recorder
from rasid.storage.sentlog import SentLog
from rasid.storage.settling import (
    Failure,
    RetryPolicy,
    counts,
    counts_by_status,
    fail,
    release_stale,
    retry_dead,
    settle,
)
from rasid.storage.states import DEAD, PENDING, SENDING, SENT, AlertState

log = logging.getLogger(__name__)

__all__ = [
    "DEAD",
    "PENDING",
    "SENDING",
    "SENT",
    "AlertRow",
    "AlertState",
    "Claimed",
    "Failure",
    "Outbox",
    "RetryPolicy",
    "SentLog",
    "claim_due_ids",
    "claimants",
    "counts",
    "counts_by_status",
    "not_indexed",
    "record_matches",
    "release_stale",
    "retry_dead",
    "settle",
    "take",
]


class Outbox:
    """One dispatcher's door to the outbox: it holds what it claims under `token` for `lease`."""

    def __init__(self, db: Database, token: str, lease: timedelta, policy: RetryPolicy) -> None:
        self.db = db
        self.token = token
        self.lease = lease
        self.policy = policy
        self.sentlog = SentLog(db.engine.dialect)
        self.connections = Connections(db.engine, self.sentlog)
        self.recorder: Recorder = recorder(db.engine, self.connections, token)
        # Alerts sent alone and recorded, not yet marked sent; marked with the batch (`settle`).
        self._unsettled: list[Unsettled] = []

    @property
    def journal(self) -> SendJournal | None:
        """The send journal (a SQLite file database), or None."""
        return getattr(self.recorder, "journal", None)

    # -- claim -----------------------------------------------------------------------------------------

    def claim(
        self, channels: Sequence[str], limit: int, when: Callable[[datetime | None], bool] | None = None
    ) -> list[Claimed]:
        """Take up to `limit` due alerts of these channels (grouped into stories already; a story's later
        alerts folded into its first one's message). With `when` (a single batching channel), nothing is
        taken unless `when(creation time of the oldest due alert)` says its time has come."""
        with self.db.session() as session:
            if when is not None and not when(oldest_due(session, channels[0], utcnow())):
                return []
            ids = claim_due_ids(
                session, limit, channels=channels, token=self.token, lease=self.lease, stories_checked=True
            )
            return claimed(session, ids, token=self.token, lease=self.lease)

    # -- what became of a claim ------------------------------------------------------------------------

    def sent(self, ids: list[int], folded: list[int], duration_ms: float) -> list[int]:
        """One message went out carrying `ids` (attempted) and `folded` (rode along inside it), recorded
        before the next send; returns the ids still held (the others a peer took back)."""
        if len(ids) == 1 and not folded:  # recorded now, marked sent with the batch
            entry = self.recorder.record(ids[0], duration_ms)
            if entry is not None:
                self._unsettled.append(entry)
            return ids
        return list(
            self.connections.run(
                lambda conn: self.sentlog(
                    conn, ids, duration_ms=duration_ms, token=self.token, carried=folded
                )
            )
        )

    def failed(
        self, ids: list[int], folded: list[int], *, error: str | None, duration_ms: float, wait: float | None
    ) -> list[Failure]:
        """A message failed: each alert it carried waits for its retry time (the service's `wait` if it
        said one) or is dead; the story's later alerts folded into it wait with the last of them."""
        with self.db.session() as session:
            failures = fail(
                session,
                ids,
                error=error,
                duration_ms=duration_ms,
                token=self.token,
                policy=self.policy,
                wait=wait,
            )
        if folded:  # they go with their story's first alert, or alone if it is given up
            self.postpone(folded, (failures[-1].retry_at if failures else None) or utcnow())
        return failures

    def postpone(self, ids: list[int], at: datetime) -> None:
        """Claimed alerts not tried go back to pending, due at `at`, their attempt not counted."""
        if ids:
            with self.db.session() as session:
                postpone(session, ids, at, self.token)

    def settle(self) -> None:
        """Mark sent, in one transaction, what this batch's sends recorded (writing the delivery rows the
        journal holds); then empty the journal. If this fails the sends stay recorded (journal or
        delivery rows) and unsettled for the next try; if the dispatcher dies meanwhile they are replayed
        (`recover`) or found by `release_stale`: never sent again."""
        if not self._unsettled:
            return
        batch = list(self._unsettled)
        lost = self.connections.run(lambda conn: self.sentlog.settle_batch(conn, batch, self.token))
        del self._unsettled[: len(batch)]
        if not self._unsettled:
            self.recorder.settled()
        for alert_id in lost:
            log.warning("alert %d was taken back from this dispatcher (lease ran out)", alert_id)

    def end_round(self) -> None:
        """Settle what is left and give the recording connections back to the pool."""
        try:
            self.settle()
        finally:
            self.connections.release()

    # -- recovery --------------------------------------------------------------------------------------

    def replay(self, dead: Callable[[str], bool]) -> None:
        """Mark sent what dead dispatchers recorded but did not settle (their journals), before their
        claims are released: those alerts are not sent again."""
        for token, entries in self.recorder.leftovers(dead):
            raw = self.db.engine.raw_connection()
            try:
                lost = self.sentlog.settle_batch(raw.driver_connection, entries, token, replay=True)
            finally:
                raw.close()
            if len(lost) < len(entries):
                log.warning(
                    "%d alerts sent by a dispatcher that stopped before recording them are marked sent",
                    len(entries) - len(lost),
                )

    def recover(self, dead: Callable[[str], bool]) -> int:
        """At start-up: dead dispatchers' recorded sends marked sent, then the alerts they held (and any
        whose lease ran out) pending again; returns how many."""
        self.replay(dead)
        with self.db.session() as session:
            gone = [t for t in claimants(session) if dead(t)]
            return release_stale(session, timedelta(0), dead_claimants=gone)

    def release_expired(self) -> int:
        """Alerts whose dispatcher's lease ran out are pending again (or sent, if their send was
        recorded); returns how many."""
        with self.db.session() as session:
            return release_stale(session, timedelta(0))

    def close(self) -> None:
        self.connections.release()
        self.recorder.close()
