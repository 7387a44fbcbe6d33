"""Read-only commands (`status`, `sources check`, `alerts list`, `digest` without `--send`) never create or
migrate a database: a missing one or one behind the code's schema is named, with how to fix it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rasid.storage import make_engine, upgrade

REPO = Path(__file__).resolve().parents[2]
READERS = [["status"], ["sources", "check"], ["alerts", "list"], ["digest", "--week", "2026-W48"]]


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "rasid.toml"
    config.write_text(
        '[storage]\nurl = "sqlite:///rasid.db"\n'
        f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n'
        '[[sources]]\nname = "x"\nhomepage = "https://example.org/"\n',
        encoding="utf-8",
    )
    return config


def _rasid(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rasid", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("args", READERS)
def test_a_missing_database_is_named_not_created(tmp_path: Path, args: list[str]) -> None:
    run = _rasid(_config(tmp_path), *args)
    assert run.returncode == 1 and "no database at" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "rasid.db").exists()


@pytest.mark.parametrize("args", READERS)
def test_a_database_behind_is_named_not_migrated(tmp_path: Path, args: list[str]) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'rasid.db'}")
    upgrade(engine, "0004")
    engine.dispose()
    run = _rasid(_config(tmp_path), *args)
    assert run.returncode == 1 and "at schema 0004" in run.stderr and "rasid run" in run.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "rasid.db") as conn:
        assert conn.execute("select version_num from alembic_version").fetchone()[0] == "0004"
