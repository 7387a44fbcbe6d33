"""Where a send is recorded right after the receiver's answer, before the next send: one interface
(`Recorder`), two implementations. On a SQLite file, the dispatcher's send journal (a line appended to a
file; the batch's delivery rows and "sent" marks committed together later). Elsewhere (PostgreSQL, where
dispatchers on other hosts could not read a file), the delivery row committed at once. Either way the
alert is marked sent with its batch (`Outbox.settle`), and a dispatcher that dies in between has its
sends recovered, never sent again: journals are replayed, delivery rows are found by `release_stale`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from sqlalchemy import Engine

from rasid.storage.journal import SendJournal, leftovers, read
from rasid.storage.sentlog import SentLog

log = logging.getLogger(__name__)

# A send recorded, not yet marked sent: (alert id, time as stored, duration in ms if its delivery row is
# still to be written, None if it is written already).
Unsettled = tuple[int, Any, float | None]


class Recorder(Protocol):
    def record(self, alert_id: int, duration_ms: float) -> Unsettled | None:
        """Record one alert sent alone in its own message, durably; None if the alert is gone."""

    def settled(self) -> None:
        """Everything recorded so far is committed to the database (marked sent)."""

    def leftovers(self, dead: Callable[[str], bool]) -> Iterator[tuple[str, list[Unsettled]]]:
        """(claim token, sends) recorded by dead dispatchers and not settled; each is forgotten once the
        caller has settled it (asked for the next)."""

    def close(self) -> None: ...


class Connections:
    """Per sending thread, a plain DB-API connection for recording, checked out of the pool once per
    dispatch round (the driver's own connection object: going through the pool's proxy for each cursor
    and commit cost ~35 us an attempt)."""

    def __init__(self, engine: Engine, sentlog: SentLog) -> None:
        self.engine = engine
        self.sentlog = sentlog
        self._raw: dict[int, Any] = {}  # thread -> pooled connection
        self._drivers: dict[int, Any] = {}  # thread -> its driver connection
        self._lock = threading.Lock()

    def get(self) -> Any:
        me = threading.get_ident()
        driver = self._drivers.get(me)
        if driver is None:
            conn = self.engine.raw_connection()
            driver = conn.driver_connection
            self.sentlog.fast_commits(driver)
            with self._lock:
                self._raw[me] = conn
                self._drivers[me] = driver
        return driver

    def release(self, thread: int | None = None) -> None:
        """Give the connections back to the pool (all, or one thread's after an error). A dispatcher works
        one round at a time (the daemon and the scale-out roles never overlap them)."""
        with self._lock:
            if thread is None:
                conns = list(self._raw.values())
                self._raw.clear()
                self._drivers.clear()
            else:
                conns = [c for c in [self._raw.pop(thread, None)] if c is not None]
                self._drivers.pop(thread, None)
        for conn in conns:
            try:
                conn.rollback()  # after an error it may be inside a failed transaction
                self.sentlog.fast_commits(conn.driver_connection, on=False)
            except Exception:  # not to be reused with its settings unknown
                log.debug("resetting a recording connection failed; dropping it", exc_info=True)
                conn.invalidate()
            try:
                conn.close()
            except Exception:  # pragma: no cover - a broken connection is dropped by the pool
                log.debug("closing a recording connection failed", exc_info=True)

    def run(self, work: Callable[[Any], Any]) -> Any:
        """`work(connection)` on this thread's connection; after an error the connection is dropped."""
        conn = self.get()
        try:
            return work(conn)
        except Exception:
            self.release(threading.get_ident())
            raise


class DatabaseRecorder:
    """Each send's delivery row committed at once (`SentLog.logged`)."""

    def __init__(self, connections: Connections, token: str) -> None:
        self.connections = connections
        self.sentlog = connections.sentlog
        self.token = token

    def record(self, alert_id: int, duration_ms: float) -> Unsettled | None:
        at = self.connections.run(
            lambda conn: self.sentlog.logged(conn, alert_id, duration_ms=duration_ms, token=self.token)
        )
        return None if at is None else (alert_id, at, None)

    def settled(self) -> None:
        pass

    def leftovers(self, dead: Callable[[str], bool]) -> Iterator[tuple[str, list[Unsettled]]]:
        return iter(())  # a dead dispatcher's delivery rows are found by `release_stale`

    def close(self) -> None:
        pass


class JournalRecorder:
    """Each send appended to the dispatcher's journal file (SQLite); the database recorder when the file
    cannot be written."""

    def __init__(self, journal: SendJournal, fallback: DatabaseRecorder) -> None:
        self.journal = journal
        self.fallback = fallback
        self.sentlog = fallback.sentlog

    def record(self, alert_id: int, duration_ms: float) -> Unsettled | None:
        at = self.sentlog.stamp()
        if not self.journal.append(alert_id, at, duration_ms):
            return self.fallback.record(alert_id, duration_ms)
        return (alert_id, at, duration_ms)

    def settled(self) -> None:
        self.journal.clear()

    def leftovers(self, dead: Callable[[str], bool]) -> Iterator[tuple[str, list[Unsettled]]]:
        for token, path in leftovers(self.journal, dead):
            try:
                entries = read(path)
            except OSError as exc:
                log.error("cannot read the send journal %s: %s", path, exc)
                continue
            if entries:
                yield token, [(i, at, d) for i, at, d in entries]
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self.journal.close()


def recorder(engine: Engine, connections: Connections, token: str) -> DatabaseRecorder | JournalRecorder:
    """The journal beside a SQLite file, the database recorder otherwise."""
    database = DatabaseRecorder(connections, token)
    journal = SendJournal.beside(engine.url, token)
    return database if journal is None else JournalRecorder(journal, database)
