"""Every promise README makes for `rasid run` holds in each role, as real processes against loopback
outlets: `--role all` alone, and `--role scheduler` with a `--role worker` (Redis, PostgreSQL). A failing
outlet is polled less and less often, one that answers 429 with Retry-After is left alone, the weekly
digest is written at its scheduled minute, and each process answers /healthz and /metrics; SIGTERM stops
every process within 10 s."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import need

from rasid.demo.outlets import Outlet, load_sample_outlets
from rasid.demo.server import OutletServer, Response

REPO = Path(__file__).resolve().parents[2]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
pytestmark = pytest.mark.slow


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _digest_minute(now: datetime) -> datetime:
    """The first whole minute at least 25 s away: the digest's schedule, in UTC."""
    earliest = now + timedelta(seconds=25)
    minute = earliest.replace(second=0, microsecond=0)
    return minute if minute >= earliest else minute + timedelta(minutes=1)


def _start(config: Path, role: str, port: int, log: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "rasid", "--config", str(config), "run", "--role", role]
    with log.open("w") as err:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [*command, "--http-port", str(port)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def _feeds(server: OutletServer, slug: str) -> int:
    return len([r for r in server.requests(slug) if r.path.split("?")[0] == "/feed.xml"])


@pytest.mark.parametrize("mode", ["all", "scale"])
def test_each_role_backs_off_obeys_retry_after_writes_the_digest_and_serves_metrics(
    mode: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if mode == "scale":
        need(_port_open(6379), "Redis is not running on 127.0.0.1:6379")
        storage = str(request.getfixturevalue("pg_url"))
    else:
        storage = "sqlite:///rasid.db"
    healthy = load_sample_outlets()[0]
    outlets = [healthy, Outlet("معطل", "broken", []), Outlet("مزدحم", "busy", [])]
    namespace = f"rasid-test-{uuid.uuid4().hex[:8]}"
    digest_at = _digest_minute(datetime.now(UTC))
    with OutletServer(outlets) as server:
        server.set_hook("broken", "/feed.xml", lambda r: Response(status=500, body=b"down"))
        server.set_hook("busy", "/feed.xml", lambda r: Response(status=429, headers={"Retry-After": "3600"}))
        sources = "".join(
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            f'feeds = ["{server.feed_url(o.slug)}"]\npoll = "3s"\n'
            for o in outlets
        )
        config = tmp_path / "rasid.toml"
        config.write_text(
            f'[storage]\nurl = "{storage}"\n[crawler]\nallow_private_addresses = true\nretry_times = 0\n'
            f'[scale]\nnamespace = "{namespace}"\nreport_every = "1s"\n'
            f'[alerts]\ndispatch_every = "1s"\n'
            f'[digest]\ndir = "digests"\ntimezone = "UTC"\n'
            f'schedule = "{DAYS[digest_at.weekday()]} {digest_at:%H:%M}"\n'
            f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n' + sources,
            encoding="utf-8",
        )
        roles = ["all"] if mode == "all" else ["scheduler", "worker"]
        ports = {role: _free_port() for role in roles}
        procs = {role: _start(config, role, ports[role], tmp_path / f"{role}.log") for role in roles}
        crawler = "all" if mode == "all" else "worker"
        try:
            deadline = time.monotonic() + 150
            while time.monotonic() < deadline and all(p.poll() is None for p in procs.values()):
                if list(tmp_path.glob("digests/*/digest.html")) and datetime.now(UTC) > digest_at:
                    break
                time.sleep(0.5)
            assert all(p.poll() is None for p in procs.values()), (tmp_path / f"{crawler}.log").read_text()
            health = {r: json.loads(_get(f"http://127.0.0.1:{ports[r]}/healthz")[1]) for r in roles}
            metrics = {r: _get(f"http://127.0.0.1:{ports[r]}/metrics")[1].decode() for r in roles}
            feeds = {o.slug: _feeds(server, o.slug) for o in outlets}
            stopped = time.monotonic()
            for p in procs.values():
                p.send_signal(signal.SIGTERM)
            outs = {r: p.communicate(timeout=20)[0] for r, p in procs.items()}
            took = time.monotonic() - stopped
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.kill()
            if mode == "scale":
                import redis

                client = redis.Redis(host="127.0.0.1", port=6379)
                for key in client.scan_iter(f"{namespace}*"):
                    client.delete(key)
                client.close()
    logs = {r: (tmp_path / f"{r}.log").read_text() for r in roles}
    assert all(p.returncode == 0 for p in procs.values()), logs
    assert took < 10, f"stopping took {took:.1f}s"
    assert all("stopped" in out for out in outs.values())
    # the healthy outlet is polled every 3 s; the failing one less and less often (0, 1, 3, 7 polls apart)
    assert feeds[healthy.slug] >= 8, feeds
    assert feeds["broken"] <= feeds[healthy.slug] // 2, feeds
    # 429 with Retry-After: 3600: asked once, then left alone
    assert feeds["busy"] == 1, feeds
    # the weekly digest, written at its minute by the role that writes it
    assert list(tmp_path.glob("digests/*/digest.html")), logs
    writer = "all" if mode == "all" else "scheduler"
    assert "digest" in logs[writer] and "written" in logs[writer]
    # /healthz and /metrics in every process
    for role in roles:
        assert health[role]["status"] == "ok" and health[role]["role"] == role, health
        assert "rasid_up 1.0" in metrics[role]
        assert set(health[role]["failing_sources"]) >= {"معطل", "مزدحم"}, health
        assert health[role]["not_due_before"]["مزدحم"] > datetime.now(UTC).isoformat(), health
    assert f'rasid_articles_extracted_total{{source="{healthy.name}"}}' in metrics[crawler]
    assert 'rasid_source_errors_total{source="معطل"}' in metrics[crawler]
    scheduling = "all" if mode == "all" else "scheduler"  # the process that skips what is not due
    assert 'rasid_source_polls_deferred_total{source="مزدحم"}' in metrics[scheduling]


def test_a_worker_skips_a_queued_source_the_policy_says_is_not_due(pg_url: str, tmp_path: Path) -> None:
    """Queued before another worker learnt it must wait: the worker that takes it leaves it alone."""
    need(_port_open(6379), "Redis is not running on 127.0.0.1:6379")
    import redis

    outlets = [load_sample_outlets()[0], Outlet("ينتظر", "waiting", [])]
    namespace = f"rasid-test-{uuid.uuid4().hex[:8]}"
    client = redis.Redis(host="127.0.0.1", port=6379)
    until = datetime.now(UTC) + timedelta(hours=1)
    client.hset(f"{namespace}:policy:not_before", "ينتظر", until.timestamp())
    client.rpush(f"{namespace}:due", *(o.name.encode("utf-8") for o in reversed(outlets)))
    port = _free_port()
    with OutletServer(outlets) as server:
        sources = "".join(
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            f'feeds = ["{server.feed_url(o.slug)}"]\npoll = "1h"\n'
            for o in outlets
        )
        config = tmp_path / "rasid.toml"
        config.write_text(
            f'[storage]\nurl = "{pg_url}"\n[crawler]\nallow_private_addresses = true\n'
            f'[scale]\nnamespace = "{namespace}"\nreport_every = "1s"\n'
            f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n' + sources,
            encoding="utf-8",
        )
        worker = _start(config, "worker", port, tmp_path / "worker.log")
        try:
            deadline = time.monotonic() + 60
            while _feeds(server, outlets[0].slug) == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)
            metrics = _get(f"http://127.0.0.1:{port}/metrics")[1].decode()
            waiting = _feeds(server, "waiting")
            worker.send_signal(signal.SIGTERM)
            worker.communicate(timeout=20)
        finally:
            if worker.poll() is None:
                worker.kill()
            for key in client.scan_iter(f"{namespace}*"):
                client.delete(key)
            client.close()
    log = (tmp_path / "worker.log").read_text()
    assert worker.returncode == 0, log[-2000:]
    assert _feeds(server, outlets[0].slug) >= 1 and waiting == 0, log[-2000:]
    assert "ينتظر is not due yet" in log
    assert 'rasid_source_polls_deferred_total{source="ينتظر"} 1.0' in metrics
