"""Engines and sessions: SQLite (WAL) by default, PostgreSQL by URL; schema brought up to date by Alembic."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    return path if path and not path.startswith(":") else None


def make_engine(url: str) -> Engine:
    """An engine for `url`; creates the folder of a SQLite file and switches it to WAL."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


MIGRATION_LOCK = 0x7261736964  # "rasid": the PostgreSQL advisory lock taken while migrating


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply Alembic migrations up to `revision` (idempotent). Several processes starting at once (a
    scheduler and its workers) migrate one after the other: an advisory lock on PostgreSQL, a file lock
    beside a SQLite database."""
    from alembic import command

    cfg = alembic_config(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                conn.commit()
        return
    path = engine.url.database
    if not path or path.startswith(":"):
        command.upgrade(cfg, revision)
        return
    import fcntl

    with open(f"{path}.migrate.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            command.upgrade(cfg, revision)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Database:
    """One database: its engine, a session factory, and the schema migrated on open."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            upgrade(self.engine)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


class DatabaseNotReady(Exception):
    """A read-only command found no database, or one its version of rasid has not migrated yet; the
    message says which and how to fix it."""


def open_existing(url: str) -> Database:
    """The database at `url` for a read-only command: never created, never migrated (DatabaseNotReady)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    path = sqlite_path(url)
    if path and not Path(path).is_file():
        raise DatabaseNotReady(
            f"no database at {path} yet: `rasid run` or `rasid crawl --once` creates it (this command "
            "only reads)"
        )
    db = Database(url, migrate=False)
    try:
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:
        db.dispose()
        raise DatabaseNotReady(f"cannot open the database: {exc}") from None
    head = ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
    if current != head:
        db.dispose()
        state = "empty" if current is None else f"at schema {current}"
        raise DatabaseNotReady(
            f"the database is {state} and this rasid needs schema {head}: start `rasid run` (or "
            "`rasid crawl --once`) once to migrate it (this command only reads)"
        )
    return db


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database is busy (SQLite locked), unreachable or restarting (PostgreSQL):
    an operational episode to wait out, not a bug to trace."""
    from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

    if isinstance(exc, OperationalError | DisconnectionError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Episodes:
    """One clear line when the database becomes unavailable, one when it is back; nothing in between."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.since: float | None = None

    def failed(self, what: str, exc: BaseException) -> None:
        if self.since is None:
            self.since = time.monotonic()
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
            self.log.warning("database unavailable (%s) while %s; retrying at each tick", reason, what)

    def succeeded(self) -> None:
        if self.since is not None:
            self.log.warning("database available again after %.0f s", time.monotonic() - self.since)
            self.since = None
