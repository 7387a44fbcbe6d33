"""One daemon per database, as an operator meets it: a second `rasid run` on the same database (SQLite or
PostgreSQL) refuses to start with exit 2 and names the holder; once the first stops, it starts."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rasid.demo.outlets import load_sample_outlets
from rasid.demo.server import OutletServer

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _daemon(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rasid", "--config", str(config), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_watching(daemon: subprocess.Popen[str]) -> None:
    assert daemon.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = daemon.stderr.readline()
        if "is watching" in line:
            return
        if not line and daemon.poll() is not None:
            break
    pytest.fail("the first daemon did not start")


def _stop(daemon: subprocess.Popen[str]) -> None:
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(timeout=20)
    finally:
        if daemon.poll() is None:
            daemon.kill()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_second_daemon_on_one_database_refuses_to_start(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'rasid.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    outlet = load_sample_outlets()[0]
    with OutletServer([outlet]) as server:
        config = tmp_path / "rasid.toml"
        config.write_text(
            f'[storage]\nurl = "{url}"\n[crawler]\nallow_private_addresses = true\n'
            f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n'
            f'[[sources]]\nname = "{outlet.name}"\nhomepage = "{server.base_url(outlet.slug)}"\n'
            f'feeds = ["{server.feed_url(outlet.slug)}"]\npoll = "1h"\n',
            encoding="utf-8",
        )
        first = _daemon(config)
        try:
            _wait_watching(first)
            second = subprocess.run(
                [sys.executable, "-m", "rasid", "--config", str(config), "run"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert second.returncode == 2, second.stderr[-2000:]
            assert "another rasid daemon" in second.stderr and "one daemon per database" in second.stderr
            assert "Traceback" not in second.stderr
            if backend == "sqlite":
                assert f"pid {first.pid}" in second.stderr
        finally:
            _stop(first)
        assert first.returncode == 0
        third = _daemon(config)  # the first is gone: the database is free again
        try:
            _wait_watching(third)
        finally:
            _stop(third)
