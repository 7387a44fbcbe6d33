"""The sd_notify protocol against a datagram socket of our own, as systemd holds it."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from rasid.sdnotify import Notifier


@pytest.fixture
def listener(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    yield str(path), sock
    sock.close()


def test_messages_reach_the_socket(listener) -> None:  # type: ignore[no-untyped-def]
    address, sock = listener
    notifier = Notifier(address)
    assert notifier.ready("watching 3 sources")
    assert sock.recv(4096).decode() == "READY=1\nSTATUS=watching 3 sources"
    assert notifier.watchdog() and sock.recv(4096) == b"WATCHDOG=1"
    assert notifier.reloading() and sock.recv(4096).startswith(b"RELOADING=1")
    assert notifier.stopping() and sock.recv(4096).startswith(b"STOPPING=1")


def test_abstract_namespace_address() -> None:
    name = f"rasid-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2)
    try:
        assert Notifier("@" + name).ready()
        assert sock.recv(4096).startswith(b"READY=1")
    finally:
        sock.close()


def test_outside_systemd_nothing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    notifier = Notifier()
    assert not notifier.enabled and not notifier.ready()


def test_a_dead_socket_is_logged_once_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier(str(tmp_path / "gone.sock"))
    assert not notifier.ready() and not notifier.watchdog()
    assert sum("cannot notify systemd" in r.getMessage() for r in caplog.records) == 1


def test_watchdog_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert Notifier("x").watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert Notifier("x").watchdog_interval() is None
    monkeypatch.delenv("WATCHDOG_USEC")
    assert Notifier("x").watchdog_interval() is None
