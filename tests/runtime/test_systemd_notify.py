"""`rasid run` under a `Type=notify` systemd unit, played by a datagram socket of our own: READY=1 once it
watches its sources, WATCHDOG=1 pings at half of $WATCHDOG_USEC, STOPPING=1 on SIGTERM; and it warns loudly
when no channel would tell anyone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rasid.demo.outlets import load_sample_outlets
from rasid.demo.server import OutletServer

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _messages(sock: socket.socket, until: bytes, timeout: float) -> list[bytes]:
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(deadline - time.monotonic(), 0.05))
        try:
            got.append(sock.recv(4096))
        except TimeoutError:
            break
        if got[-1].startswith(until):
            break
    return got


def test_ready_watchdog_stopping_and_the_no_channel_warning(tmp_path: Path) -> None:
    outlets = load_sample_outlets()[:1]
    address = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(address))
    with OutletServer(outlets) as server:
        o = outlets[0]
        config = tmp_path / "rasid.toml"
        config.write_text(
            f'[storage]\nurl = "sqlite:///rasid.db"\n[crawler]\nallow_private_addresses = true\n'
            f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n'
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            f'feeds = ["{server.feed_url(o.slug)}"]\npoll = "1h"\n',
            encoding="utf-8",
        )
        env = {**os.environ, "NOTIFY_SOCKET": str(address), "WATCHDOG_USEC": "1000000"}
        env.pop("WATCHDOG_PID", None)
        daemon = subprocess.Popen(
            [sys.executable, "-m", "rasid", "--config", str(config), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            first = _messages(sock, b"READY=1", 60)
            assert first and first[-1].startswith(b"READY=1"), (first, daemon.poll())
            assert b"watching 1 sources" in first[-1]
            pings = _messages(sock, b"never", 2.5)
            assert sum(m == b"WATCHDOG=1" for m in pings) >= 3  # every 0.5 s
            daemon.send_signal(signal.SIGTERM)
            last = _messages(sock, b"STOPPING=1", 15)
            assert last and last[-1].startswith(b"STOPPING=1")
            _, err = daemon.communicate(timeout=20)
        finally:
            if daemon.poll() is None:
                daemon.kill()
            sock.close()
    assert daemon.returncode == 0
    assert "NO ALERT CHANNEL is configured" in err
