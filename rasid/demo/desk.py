"""A loopback "alert desk": an HTTP endpoint that receives apprise `json://` notifications, keeps them,
and hands each to a callback (the demo prints them; tests count them)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One notification as it arrived: the path it was posted to and its JSON payload."""

    path: str
    payload: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.payload.get("title", ""))

    @property
    def message(self) -> str:
        return str(self.payload.get("message", ""))


class AlertDesk:
    """Receives POSTs on 127.0.0.1; `status` can be set to make it fail on purpose (e.g. 500)."""

    def __init__(self, on_alert: Callable[[Received], None] | None = None) -> None:
        self.received: list[Received] = []
        self.on_alert = on_alert
        self.status = 200
        self._lock = threading.Lock()
        desk = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status = desk.status
                if status == 200:
                    try:
                        payload = json.loads(raw.decode("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        payload = {"raw": raw.decode("utf-8", "replace")}
                    item = Received(self.path, payload)
                    with desk._lock:
                        desk.received.append(item)
                    if desk.on_alert:
                        desk.on_alert(item)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="alert-desk")

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def apprise_url(self, path: str = "alerts") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def start(self) -> AlertDesk:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> AlertDesk:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
