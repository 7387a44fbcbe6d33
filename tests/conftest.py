"""Shared fixtures: the `shared/` folder beside the repository, and real databases (SQLite and PostgreSQL).

A test that needs something absent skips with the reason, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("RASID_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def need(condition: bool, reason: str) -> None:
    """Skip when `condition` is false; under CI=true fail instead, so a missing service is never hidden."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    need(SHARED.is_dir(), f"the shared data folder {SHARED} is absent")
    return SHARED


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    need(_port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(postgres_admin: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"rasid_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on both backends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rasid.db'}"
    return str(request.getfixturevalue("pg_url"))
