"""One daemon per database: `rasid run` (role all) holds the database while it runs, and a second one on the
same database refuses to start, naming the holder. SQLite: an exclusive lock on a file beside the database
(`rasid.db.lock`, holding the holder's pid and host); PostgreSQL: a session advisory lock on a connection
kept open for the process's life. Scale-out roles share a database on purpose and take no such lock. The
operating system releases both when the process dies, SIGKILL included."""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import text

from rasid.storage.database import Database, sqlite_path

ADVISORY_KEY = 0x72617364  # "rasd": not the story linker's key
_HELD_BY = text(
    "SELECT a.pid, a.client_addr, a.application_name FROM pg_locks l "
    "JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.objid = :key AND l.granted "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1"
)


class DatabaseHeld(Exception):
    """Another daemon holds the database; the message names it."""


class Holder:
    """Holds a database for this process until `release` (or the process ends)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._file: Any = None
        self._conn: Any = None

    def acquire(self) -> None:
        """Take the database, or raise DatabaseHeld naming who has it."""
        if self.db.url.startswith("sqlite"):
            self._acquire_file()
        else:
            self._acquire_advisory()

    def _acquire_file(self) -> None:
        database = sqlite_path(self.db.url)
        if database is None:
            return  # an in-memory database is this process's own
        path = Path(database + ".lock")
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            who = handle.read().strip() or "another process"
            handle.close()
            raise DatabaseHeld(
                f"another rasid daemon ({who}) runs on {self.db.url}; one daemon per database "
                f"(lock {path}). Stop it first, or use the scale-out roles with PostgreSQL"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        handle.flush()
        self._file = handle

    def _acquire_advisory(self) -> None:
        conn = self.db.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        conn.commit()
        if got:
            self._conn = conn
            return
        row = conn.execute(_HELD_BY, {"key": ADVISORY_KEY}).first()
        conn.close()
        who = f"backend pid {row[0]} from {row[1] or 'a local socket'}" if row else "another process"
        raise DatabaseHeld(
            f"another rasid daemon ({who}) runs on this PostgreSQL database; one daemon per database. "
            "Stop it first, or run the scale-out roles (rasid run --role scheduler|worker)"
        )

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            self._conn.close()  # ends the session: the advisory lock goes with it
            self._conn = None
