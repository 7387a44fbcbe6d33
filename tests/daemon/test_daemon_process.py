"""The daemon as a real process: /healthz and /metrics on its local port, SIGTERM stops it within 10 s
even in the middle of a stalled fetch, and `rasid status` reads what it left."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rasid.demo.outlets import load_sample_outlets
from rasid.demo.server import OutletServer, Response

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening_ports(pid: int) -> set[int]:
    """TCP ports the process `pid` and its children listen on (read from /proc, as `ss -ltnp` does)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids += [int(c) for c in children]
    inodes = set()
    for p in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{p}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_health_metrics_and_graceful_stop(tmp_path: Path) -> None:
    outlets = load_sample_outlets()
    port = _free_port()
    with OutletServer(outlets) as server:
        # the last outlet stalls on its feed for 60 s: SIGTERM must not wait for it
        server.set_hook(outlets[-1].slug, "/feed.xml", lambda r: Response(delay=60, body=b""))
        sources = "".join(
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            f'feeds = ["{server.feed_url(o.slug)}"]\npoll = "3s"\n'
            for o in outlets
        )
        config = tmp_path / "rasid.toml"
        config.write_text(
            f'[storage]\nurl = "sqlite:///rasid.db"\n[crawler]\nallow_private_addresses = true\n'
            f'download_timeout = "120s"\n[daemon]\nhttp_port = {port}\nlog_format = "json"\n'
            f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n' + sources,
            encoding="utf-8",
        )
        daemon = subprocess.Popen(
            [sys.executable, "-m", "rasid", "--config", str(config), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            metrics = b""
            while time.monotonic() < deadline:
                try:
                    code, metrics = _get(f"http://127.0.0.1:{port}/metrics")
                except OSError:
                    time.sleep(0.3)
                    continue
                if b'rasid_articles_extracted_total{source="' in metrics:
                    break
                time.sleep(0.3)
            assert b"rasid_articles_extracted_total" in metrics
            assert b"process_resident_memory_bytes" in metrics and b"process_cpu_seconds_total" in metrics
            assert b'rasid_outbox_alerts{status="pending"}' in metrics  # queue depth
            assert b'rasid_outbox_alerts{status="dead"}' in metrics  # dead letters
            assert b"_created" not in metrics
            code, body = _get(f"http://127.0.0.1:{port}/healthz")
            health = json.loads(body)
            assert code == 200 and health["status"] == "ok" and health["sources"] == len(outlets)
            assert outlets[-1].name in health["crawling"]  # stalled on its feed
            assert _get(f"http://127.0.0.1:{port}/nope")[0] == 404
            # No door but the one the config names: no telnet console, no Scrapy RemoteControl endpoint.
            assert _listening_ports(daemon.pid) == {port}
            started = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            out, err = daemon.communicate(timeout=15)
            took = time.monotonic() - started
        finally:
            if daemon.poll() is None:
                daemon.kill()
    assert daemon.returncode == 0, err[-2000:]
    assert took < 10, f"stopping took {took:.1f}s"
    assert "rasid stopped" in out
    for line in err.strip().splitlines():  # structured logs: one JSON object a line
        json.loads(line)
    status = subprocess.run(
        [sys.executable, "-m", "rasid", "--config", str(config), "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    assert outlets[0].name in status.stdout and "Alert queue" in status.stdout


def test_sigterm_during_a_long_dispatch_stops_in_time_and_sends_nothing_twice(tmp_path: Path) -> None:
    """A backlog that takes a minute to send (a slow receiver after an outage): SIGTERM still stops the
    daemon within 10 s; what was sent is recorded, the rest stays pending, nothing is left half-done."""
    from collections import Counter

    from alerts.helpers import queue
    from alerts.servers import http_sink

    from rasid.storage import Alert, Database, Delivery

    db_path = tmp_path / "rasid.db"
    db = Database(f"sqlite:///{db_path}")
    queue(db, 600, ["desk"])
    db.dispose()
    outlets = load_sample_outlets()[:1]
    with OutletServer(outlets) as server, http_sink() as sink:
        sink.delay = 0.1  # 600 alerts: a minute of sending
        o = outlets[0]
        config = tmp_path / "rasid.toml"
        config.write_text(
            f'[storage]\nurl = "sqlite:///{db_path}"\n[crawler]\nallow_private_addresses = true\n'
            f'[daemon]\nlog_format = "json"\n[alerts]\ndispatch_every = "1s"\n'
            f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n'
            f'[[channels]]\nname = "desk"\nurl = "json://127.0.0.1:{sink.port}/a"\n'
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            f'feeds = ["{server.feed_url(o.slug)}"]\npoll = "1h"\n',
            encoding="utf-8",
        )
        daemon = subprocess.Popen(
            [sys.executable, "-m", "rasid", "--config", str(config), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while len(sink.requests) < 30 and time.monotonic() < deadline and daemon.poll() is None:
                time.sleep(0.1)
            assert len(sink.requests) >= 30, "the daemon did not start sending"
            started = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            _, err = daemon.communicate(timeout=60)
            took = time.monotonic() - started
        finally:
            if daemon.poll() is None:
                daemon.kill()
        received = Counter(r.headers.get("X-Rasid-Alert-Id") for r in sink.requests)
    assert daemon.returncode == 0, err[-2000:]
    assert took < 10, f"stopping took {took:.1f}s"
    levels = Counter(json.loads(line)["level"] for line in err.strip().splitlines())
    assert levels["error"] == 0 and "skipped: maximum number of running instances" not in err, err[-3000:]
    db = Database(f"sqlite:///{db_path}")
    with db.session() as s:
        states = {a.id: a.status for a in s.query(Alert)}
        # Stopping is not a failed delivery: no attempt recorded as failed, none counted for the unsent.
        assert s.query(Delivery).filter(Delivery.ok.is_(False)).count() == 0
        assert {a.attempts for a in s.query(Alert).filter(Alert.status == "pending")} == {0}
    db.dispose()
    assert "sending" not in states.values()
    sent = {str(i) for i, status in states.items() if status == "sent"}
    assert set(received) == sent and max(received.values()) == 1  # each sent alert received once
    assert Counter(states.values())["pending"] > 0  # the rest waits for the next start
