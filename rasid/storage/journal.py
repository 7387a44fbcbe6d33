"""The dispatcher's journal of sends on SQLite: one line per alert sent, appended to a file beside the
database right after the receiver's answer and before the next send; the batch's delivery rows and
"sent" marks are then committed to the database together and the journal emptied.

An append is as durable as an SQLite commit in WAL mode with synchronous=NORMAL (it survives the
process, not a power cut) and costs a system call instead of a write transaction. A journal left by a
process that died is replayed into the database before that process's claims are released, so what it
sent is recorded and never sent again. Only SQLite: with PostgreSQL, dispatchers on other hosts could not
read it, so each send is recorded in the database at once there."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy.engine import URL, make_url

log = logging.getLogger(__name__)

_SUFFIX = ".sends"


class SendJournal:
    """The journal of one dispatcher (named after its claim token), opened on first use."""

    def __init__(self, directory: Path, database: str, token: str) -> None:
        self.database = database  # the database file's name, which every journal's name starts with
        self.path = directory / f"{database}.{quote(token, safe='')}{_SUFFIX}"
        self._fd: int | None = None
        self._dirty = False

    @classmethod
    def beside(cls, database_url: str | URL, token: str) -> SendJournal | None:
        """The journal for a file SQLite database (None for PostgreSQL or an in-memory database), from
        the URL as SQLAlchemy parses it for the engine."""
        url = make_url(database_url)
        path = url.database
        if url.get_backend_name() != "sqlite" or not path or path.startswith(":"):
            return None
        if url.query.get("mode") == "memory":
            return None
        db = Path(path)
        return cls(db.parent, db.name, token)

    def append(self, alert_id: int, at: str, duration_ms: float) -> bool:
        """Record one send; False if the file cannot be written (the caller records it in the database)."""
        line = f"{alert_id}\t{at}\t{duration_ms:.3f}\n".encode()
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.write(self._fd, line)
        except OSError as exc:
            log.warning("cannot write the send journal %s (%s); recording in the database", self.path, exc)
            return False
        self._dirty = True
        return True

    def clear(self) -> None:
        """Empty the journal once what it holds is committed to the database."""
        if self._fd is not None and self._dirty:
            os.ftruncate(self._fd, 0)
            self._dirty = False

    def close(self) -> None:
        """Close and remove the journal if it is empty (a non-empty one is replayed at the next start)."""
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        if not self._dirty:
            self.path.unlink(missing_ok=True)


def read(path: Path) -> list[tuple[int, str, float]]:
    """The sends of a journal: (alert id, time as stored, duration in ms); a torn last line is skipped."""
    entries = []
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        try:
            entries.append((int(parts[0]), parts[1], float(parts[2])))
        except (IndexError, ValueError):
            log.warning("skipping an unreadable line in %s: %r", path, line[:100])
    return entries


def leftovers(journal: SendJournal, dead: Callable[[str], bool]) -> list[tuple[str, Path]]:
    """(claim token, path) of the journals beside `journal` left by dispatchers that are no longer running."""
    start = journal.database + "."
    found = []
    try:
        names = [p.name for p in journal.path.parent.iterdir()]
    except OSError:
        return []
    for name in names:
        if name.startswith(start) and name.endswith(_SUFFIX) and name != journal.path.name:
            token = unquote(name[len(start) : -len(_SUFFIX)])
            if dead(token):
                found.append((token, journal.path.parent / name))
    return found
