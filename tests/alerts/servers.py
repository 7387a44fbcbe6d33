"""Real servers on 127.0.0.1 for the alert tests: a fake Telegram Bot API, an SMTP server (aiosmtpd) and an
HTTP sink for json:// that records headers, can fail or answer slowly on demand."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    payload: dict[str, Any]


@dataclass
class HttpServer:
    """Records every POST; `plan` is a list of (status, body) answers used first, then `status`."""

    requests: list[Request] = field(default_factory=list)
    plan: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    hang_on: int = 0  # the n-th request (1-based) is recorded, then left unanswered for a minute
    ok_body: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    payload = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    payload = {"raw": raw.decode("utf-8", "replace")}
                with server.lock:
                    server.requests.append(Request(self.path, dict(self.headers), payload))
                    status, body = server.plan.pop(0) if server.plan else (server.status, server.ok_body)
                    hang = len(server.requests) == server.hang_on
                if hang:
                    time.sleep(60)
                if server.delay:
                    time.sleep(server.delay)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def alert_ids(self) -> list[str]:
        return [r.headers.get("X-Rasid-Alert-Id", "") for r in self.requests]


@contextmanager
def http_sink() -> Iterator[HttpServer]:
    server = HttpServer()
    try:
        yield server
    finally:
        server.stop()


TELEGRAM_OK = {"ok": True, "result": {"message_id": 1, "chat": {"id": -1001}, "date": 0, "text": ""}}


def telegram_429(retry_after: int) -> tuple[int, dict[str, Any]]:
    """Telegram's answer when rate limited (the description is what the real Bot API sends)."""
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


@contextmanager
def fake_telegram() -> Iterator[HttpServer]:
    """A Bot API on loopback; apprise's Telegram plugin is pointed at it for the duration."""
    from apprise.plugins.telegram import NotifyTelegram

    server = HttpServer(ok_body=TELEGRAM_OK)
    saved = NotifyTelegram.notify_url
    NotifyTelegram.notify_url = f"http://127.0.0.1:{server.port}/bot"
    try:
        yield server
    finally:
        NotifyTelegram.notify_url = saved
        server.stop()


@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives."""
    from aiosmtpd.controller import Controller

    box = Mailbox(0)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.envelopes.append(envelope)
            box.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
            return "250 OK"

    import socket

    with socket.socket() as probe:  # aiosmtpd checks its own port after start: it needs a real one
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
