"""A locked or unreachable database is an episode: one warning when it starts, one when it ends, and no
traceback; told apart from errors that are bugs."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from rasid.storage.database import Episodes, unavailable


def test_a_locked_sqlite_database_is_unavailable_not_a_bug(tmp_path: Path) -> None:
    path = tmp_path / "rasid.db"
    holder = sqlite3.connect(path)
    holder.execute("create table t (x)")
    holder.commit()
    holder.execute("begin exclusive")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.2})
    with pytest.raises(Exception) as caught, engine.begin() as conn:
        conn.execute(text("insert into t values (1)"))
    assert unavailable(caught.value)
    holder.rollback()
    holder.close()
    assert not unavailable(ValueError("a bug"))
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(Exception) as down, unreachable.connect():
        pass
    assert unavailable(down.value)


def test_one_line_per_episode(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("rasid.test.episodes")
    episodes = Episodes(log)
    with caplog.at_level(logging.WARNING, logger="rasid.test.episodes"):
        for _ in range(5):
            episodes.failed("dispatching alerts", RuntimeError("database is locked"))
        episodes.succeeded()
        episodes.succeeded()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("database unavailable (database is locked) while dispatching alerts")
    assert lines[1].startswith("database available again after")
