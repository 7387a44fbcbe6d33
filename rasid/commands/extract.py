"""`rasid extract FILE|URL [--url URL]`: extract one page and print its Article as one JSON object."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import click

from rasid import __version__
from rasid.extractors import ExtractionError, ExtractOptions, extract_article

FETCH_TIMEOUT_S = 30
FETCH_MAX_BYTES = 10 * 1024 * 1024
USER_AGENT = f"rasid/{__version__} (+https://github.com/rasid; Arabic news watcher)"
OUTPUT_KEYS = ("url", "title", "text", "published", "author", "language")


class FetchError(Exception):
    """The page could not be fetched."""


def fetch(url: str) -> tuple[bytes, str | None, str]:
    """GET url with urllib: (body bytes, Content-Type header, final URL). FetchError on any failure."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            body = response.read(FETCH_MAX_BYTES + 1)
            if len(body) > FETCH_MAX_BYTES:
                raise FetchError(f"page larger than {FETCH_MAX_BYTES} bytes")
            return body, response.headers.get("Content-Type"), response.geturl()
    except urllib.error.HTTPError as err:
        raise FetchError(f"HTTP {err.code} {err.reason}") from err
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise FetchError(str(reason)) from err


def _fail(message: str) -> None:
    click.echo(f"rasid extract: {message}", err=True)
    sys.exit(1)


@click.command("extract")
@click.argument("source")
@click.option("--url", "page_url", help="Address of the page when SOURCE is a saved HTML file.")
@click.option("--timezone", default=None, help="IANA time zone for dates printed without an offset.")
def extract_command(source: str, page_url: str | None, timezone: str | None) -> None:
    """Extract the article of one page (a saved HTML FILE or an http(s) URL) and print it as JSON."""
    content_type: str | None = None
    if source.startswith(("http://", "https://")):
        try:
            html, content_type, final_url = fetch(source)
        except FetchError as err:
            _fail(f"cannot fetch {source}: {err}")
            return
        address = page_url or final_url
    else:
        path = Path(source)
        if not path.is_file():
            _fail(f"no such file: {source}")
            return
        try:
            html = path.read_bytes()
        except OSError as err:
            _fail(f"cannot read {source}: {err.strerror}")
            return
        address = page_url or path.resolve().as_uri()
    try:
        article = extract_article(html, address, ExtractOptions(timezone=timezone), content_type=content_type)
    except ExtractionError as err:
        _fail(f"{source} is not a usable web page: {err}")
        return
    if article is None:
        _fail(f"no article found in {source}")
        return
    record = article.to_dict()
    click.echo(json.dumps({key: record[key] for key in OUTPUT_KEYS}, ensure_ascii=False))
