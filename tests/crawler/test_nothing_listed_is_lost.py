"""Nothing a listing names is lost: real `rasid run` processes against a local outlet that misbehaves on
purpose. SIGKILL right after the feed was read (its ETag stored, its pages still loading), pages failing for a
while then recovering while the feed answers 304, and pages failing for ever (given up, visible, no endless
retries)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rasid.demo.outlets import load_sample_outlets
from rasid.demo.server import OutletServer, Response

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _config(tmp_path: Path, server: OutletServer, slug: str, name: str, extra: str = "") -> Path:
    config = tmp_path / "rasid.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///rasid.db"\n[crawler]\nallow_private_addresses = true\n'
        f'max_article_age = "3650d"\ndownload_timeout = "60s"\nretry_times = 0\n{extra}'
        f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n'
        f'[[sources]]\nname = "{name}"\nhomepage = "{server.base_url(slug)}"\n'
        f'feeds = ["{server.feed_url(slug)}"]\npoll = "2s"\n',
        encoding="utf-8",
    )
    return config


def _run(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rasid", "--config", str(config), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not migrated yet


def _wait(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def _article_requests(server: OutletServer, slug: str) -> int:
    return sum(1 for r in server.requests(slug) if r.path.startswith("/articles/"))


def _stop(daemon: subprocess.Popen[str]) -> str:
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
    try:
        return daemon.communicate(timeout=20)[1]
    finally:
        if daemon.poll() is None:
            daemon.kill()


def test_sigkill_after_the_feed_was_read_loses_nothing(tmp_path: Path) -> None:
    outlet = load_sample_outlets()[0]
    db = tmp_path / "rasid.db"
    with OutletServer([outlet]) as server:
        slow = lambda r: Response(delay=30, body=b"")  # noqa: E731 - pages that never finish loading in time
        server.set_hook(outlet.slug, "*", lambda r: slow(r) if r.path.startswith("/articles/") else None)
        config = _config(tmp_path, server, outlet.slug, outlet.name)
        daemon = _run(config)
        try:
            # the feed's entries are in the frontier and its ETag is stored: the window the issue names
            assert _wait(
                lambda: _count(db, "select count(*) from feed_states where etag is not null") > 0, 60
            )
            assert _count(db, "select count(*) from frontier") == len(outlet.articles)
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(timeout=10)
        finally:
            if daemon.poll() is None:
                daemon.kill()
        assert _count(db, "select count(*) from articles") == 0
        server.set_hook(outlet.slug, "*", None)  # the pages load now; the feed answers 304 (same ETag)
        daemon = _run(config)
        try:
            stored = _wait(lambda: _count(db, "select count(*) from articles") == len(outlet.articles), 60)
        finally:
            err = _stop(daemon)
        assert stored, err[-3000:]
        feeds = [r for r in server.requests(outlet.slug) if r.path.startswith("/feed.xml")]
        assert feeds[-1].headers.get(
            "If-None-Match"
        )  # the feed answered 304: the frontier, not it, said what


def test_pages_failing_for_a_while_are_fetched_when_they_recover(tmp_path: Path) -> None:
    outlet = load_sample_outlets()[0]
    db = tmp_path / "rasid.db"
    with OutletServer([outlet]) as server:
        failing = {"on": True}
        server.set_hook(
            outlet.slug,
            "*",
            lambda r: Response(status=500) if failing["on"] and r.path.startswith("/articles/") else None,
        )
        daemon = _run(_config(tmp_path, server, outlet.slug, outlet.name))
        try:
            assert _wait(lambda: _count(db, "select count(*) from frontier") == len(outlet.articles), 60)
            time.sleep(3)  # a few polls answered 304 while the pages fail
            assert _count(db, "select count(*) from articles") == 0
            failing["on"] = False
            stored = _wait(lambda: _count(db, "select count(*) from articles") == len(outlet.articles), 60)
        finally:
            err = _stop(daemon)
        assert stored, err[-3000:]
        assert _count(db, "select count(*) from frontier where given_up_at is not null") == 0


def test_pages_failing_for_ever_are_given_up_and_visible(tmp_path: Path) -> None:
    outlet = load_sample_outlets()[0]
    db = tmp_path / "rasid.db"
    with OutletServer([outlet]) as server:
        server.set_hook(
            outlet.slug, "*", lambda r: Response(status=404) if r.path.startswith("/articles/") else None
        )
        config = _config(tmp_path, server, outlet.slug, outlet.name, 'give_up_pages_after = "5s"\n')
        daemon = _run(config)
        try:
            given_up = _wait(
                lambda: (
                    _count(db, "select count(*) from frontier where given_up_at is not null")
                    == len(outlet.articles)
                ),
                60,
            )
            requests_then = _article_requests(server, outlet.slug)
            time.sleep(5)
            requests_later = _article_requests(server, outlet.slug)
        finally:
            _stop(daemon)
        assert given_up
        assert requests_later == requests_then  # given up: asked no more
    check = subprocess.run(
        [sys.executable, "-m", "rasid", "--config", str(config), "sources", "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "given up" in check.stdout, check.stdout
