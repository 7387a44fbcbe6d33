"""`rasid extract`: saved files, fetched URLs (a real HTTP server on 127.0.0.1), failures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import click
import pytest
from click.testing import CliRunner

from rasid.commands.extract import USER_AGENT, extract_command

from .page_builder import PAGES, encoded, page_bytes


@click.group()
def cli() -> None:
    """A stand-in for rasid's main group."""


cli.add_command(extract_command)


class _Outlet(BaseHTTPRequestHandler):
    seen_agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/legacy":
            body = encoded("article_legacy", "cp1256", None)
            ctype = "text/html; charset=utf-8"  # wrong, as some outlets send it
        elif self.path == "/index":
            body, ctype = page_bytes("index_page"), "text/html"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def outlet() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Outlet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_saved_file_with_url() -> None:
    path = PAGES / "article_boilerplate.html"
    result = CliRunner().invoke(cli, ["extract", str(path), "--url", "https://example-outlet.test/a"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert list(record) == ["url", "title", "text", "published", "author", "language"]
    assert record["url"] == "https://example-outlet.test/a"
    assert record["title"] == "بلدية دوما تفتتح محطة لضخ المياه بعد عامين من الانقطاع"
    assert record["published"] == "2022-05-11T00:00:00+00:00"
    assert "مخيم الهول" not in record["text"]
    assert "بلدية دوما" in result.output  # ensure_ascii=False: Arabic printed as is


def test_fetched_url_decodes_legacy_bytes_behind_a_wrong_header(outlet: str) -> None:
    result = CliRunner().invoke(cli, ["extract", f"{outlet}/legacy"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["url"] == f"{outlet}/legacy"
    assert "افتتحت محافظة حماة سوقا شعبيا جديدا" in record["text"]
    assert _Outlet.seen_agents[-1] == USER_AGENT
    assert "rasid" in USER_AGENT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/page.html"], "no such file"),
        ([str(PAGES / "index_page.html")], "no article"),
        (["http://127.0.0.1:9/closed"], "cannot fetch"),
    ],
)
def test_failures_exit_1_with_a_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["extract", *args])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_http_errors_and_empty_pages_exit_1(outlet: str, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["extract", f"{outlet}/missing"])
    assert missing.exit_code == 1
    assert "HTTP 404" in missing.stderr
    index = runner.invoke(cli, ["extract", f"{outlet}/index"])
    assert index.exit_code == 1
    assert "no article" in index.stderr
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = runner.invoke(cli, ["extract", str(empty)])
    assert result.exit_code == 1
    assert "not a usable web page" in result.stderr
