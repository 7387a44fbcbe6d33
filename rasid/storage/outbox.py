"""The outbox's one door for dispatchers: claim due alerts, then tell it what became of each (sent,
failed with a retry time, postponed), settle the batch, and recover what a dead dispatcher held.

The pieces, each in a module named for what it holds: the states and their transitions (`states`),
matches and their alerts written with the article (`matches`), claiming (`claims`), recording sends on
the hot path (`sentlog`, `recorders`, `journal`), failures, recovery and counts (`settling`)."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

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
    "counts_by_status",
    "not_indexed",
    "record_matches",
    "release_stale",
    "retry_dead",
    "settle",
    "take",
]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_here(token: str, me: str) -> bool:
    """A claimant token ("host:pid:nonce") of a process of this host that no longer runs."""
    parts = token.split(":")
    if len(parts) != 3 or token == me:
        return False
    host, pid = parts[0], parts[1]
    return host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid))


class Outbox:
    """One dispatcher's door to the outbox: it holds what it claims under its token ("host:pid:nonce",
    new for each Outbox) for `lease`."""

    def __init__(self, db: Database, lease: timedelta, policy: RetryPolicy, token: str | None = None) -> None:
        self.db = db
        self.token = token or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.lease = lease
        self.policy = policy
        self.sentlog = SentLog(db.engine.dialect)
        self.connections = Connections(db.engine, self.sentlog)
        self.recorder: Recorder = recorder(db.engine, self.connections, self.token)
        # Alerts sent alone and recorded, not yet marked sent; marked with the batch (`settle`).
        self._unsettled: list[Unsettled] = []
        self._next_replay = 0.0

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

    def dead(self, token: str) -> bool:
        """Whether a claimant is known dead: a process of this host that no longer runs."""
        return dead_here(token, self.token)

    def replay(self) -> None:
        """Mark sent what dead dispatchers recorded but did not settle (their journals), before their
        claims are released: those alerts are not sent again."""
        for token, entries in self.recorder.leftovers(self.dead):
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

    def recover(self) -> int:
        """At start-up: dead dispatchers' recorded sends marked sent, then the alerts they held (those of
        dead processes of this host at once, any other claimant's when its lease has run out) pending
        again; returns how many."""
        self.replay()
        with self.db.session() as session:
            gone = [t for t in claimants(session) if self.dead(t)]
            n = release_stale(session, timedelta(0), dead_claimants=gone)
        if n:
            log.warning(
                "%d alerts were being sent when a dispatcher stopped; they will be sent again "
                "(receivers that honour the X-Rasid-Alert-Id header see them once)",
                n,
            )
        return n

    def release_expired(self, also: Callable[[Session], int] | None = None) -> tuple[int, int]:
        """Between rounds: dead dispatchers' journals replayed (a look at the directory now and then, not
        every round), and alerts whose dispatcher's lease ran out pending again (or sent, if their send
        was recorded). `also` runs in the same transaction (the story linker: one commit per round, not
        two). Returns (how many were released, what `also` returned)."""
        if time.monotonic() >= self._next_replay:
            self._next_replay = time.monotonic() + 30
            self.replay()
        with self.db.session() as session:
            released = release_stale(session, timedelta(0))
            return released, also(session) if also is not None else 0

    def close(self) -> None:
        self.connections.release()
        self.recorder.close()
