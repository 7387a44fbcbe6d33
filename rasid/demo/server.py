"""Simulated news outlets on 127.0.0.1 (standard library only), for `rasid demo` and the test suite."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from rasid.demo import pages
from rasid.demo.outlets import Outlet, SampleArticle
from rasid.demo.traffic import CountingReader, CountingWriter, Traffic


class LoggedRequest(NamedTuple):
    """One request an outlet received: method, path (with query) and headers."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Response:
    """What a hook returns to replace the normal answer for a path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering (a slow outlet)
    stall: float = 0.0  # send the headers and half the body, then hang this long and close (a stalled one)


# A hook sees the request and returns a Response to send instead, or None to let the site answer normally.
Hook = Callable[[LoggedRequest], Response | None]


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up mid-answer is normal for a crawler that gave up (timeouts, size limits)."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Site:
    """One outlet's state, shared by its request threads; every access holds `lock`."""

    def __init__(self, outlet: Outlet, host: str, url_host: str) -> None:
        self.outlet = replace(outlet, articles=list(outlet.articles))
        self.lock = threading.Lock()
        self.log: list[LoggedRequest] = []
        self.hooks: dict[str, Hook] = {}
        self.last_modified = _now_seconds()
        self.version = 0
        self.httpd = _QuietServer((host, 0), _make_handler(self))
        self.httpd.daemon_threads = True
        self.url_host = url_host
        self.thread: threading.Thread | None = None
        self.counter_lock = threading.Lock()
        self.traffic = Traffic()

    def add_in(self, n: int) -> None:
        with self.counter_lock:
            t = self.traffic
            self.traffic = Traffic(t.requests, t.bytes_in + n, t.bytes_out)

    def add_out(self, n: int) -> None:
        with self.counter_lock:
            t = self.traffic
            self.traffic = Traffic(t.requests, t.bytes_in, t.bytes_out + n)

    def add_request(self) -> None:
        with self.counter_lock:
            t = self.traffic
            self.traffic = Traffic(t.requests + 1, t.bytes_in, t.bytes_out)

    @property
    def base(self) -> str:
        return f"http://{self.url_host}:{self.httpd.server_address[1]}/"

    def touch(self) -> None:
        """Mark the outlet changed: new Last-Modified (strictly later, seconds resolution) and ETag."""
        self.version += 1
        self.last_modified = max(_now_seconds(), self.last_modified + timedelta(seconds=1))


def _now_seconds() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _make_handler(site: _Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "rasid-demo-outlet/1.0"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            self.rfile = CountingReader(self.rfile, site)  # type: ignore[assignment]
            self.wfile = CountingWriter(self.wfile, site)  # type: ignore[assignment]

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def do_GET(self) -> None:
            self._answer(head=False)

        def _answer(self, head: bool) -> None:
            request = LoggedRequest(self.command, self.path, {k: v for k, v in self.headers.items()})
            site.add_request()
            with site.lock:
                site.log.append(request)
                hook = site.hooks.get(urlsplit(self.path).path) or site.hooks.get("*")
            response = hook(request) if hook else None
            if response is None:
                response = self._normal(request)
            self._send(response, head)

        def _normal(self, request: LoggedRequest) -> Response:
            path = unquote(urlsplit(request.path).path)
            with site.lock:
                outlet = site.outlet
                base = site.base
                last_modified = site.last_modified
                year = datetime.now(UTC).year
                if path in ("/", "/index.html"):
                    return Response(body=pages.homepage(outlet, base, year).encode())
                if path == "/robots.txt":
                    return Response(
                        body=pages.robots_txt(base).encode(), content_type="text/plain; charset=utf-8"
                    )
                if path == "/feed.xml":
                    body = pages.rss_feed(outlet, base, last_modified).encode()
                    return self._conditional(body, last_modified, "application/rss+xml; charset=utf-8")
                if path == "/sitemap.xml":
                    body = pages.news_sitemap(outlet, base).encode()
                    return self._conditional(body, last_modified, "application/xml; charset=utf-8")
                if path.startswith("/articles/") and path.endswith(".html"):
                    slug = path[len("/articles/") : -len(".html")]
                    try:
                        article = outlet.article(slug)
                    except KeyError:
                        pass
                    else:
                        return Response(body=pages.article_page(outlet, base, article, year).encode())
                if path.startswith("/section/") and path.endswith(".html"):
                    page = pages.section_page(outlet, base, path[len("/section/") : -len(".html")], year)
                    if page is not None:
                        return Response(body=page.encode())
                return Response(status=404, body=pages.not_found_page(outlet, base, year).encode())

        def _conditional(self, body: bytes, last_modified: datetime, content_type: str) -> Response:
            etag = _etag(body)
            headers = {"ETag": etag, "Last-Modified": format_datetime(last_modified, usegmt=True)}
            if_none_match = self.headers.get("If-None-Match")
            if_modified_since = self.headers.get("If-Modified-Since")
            not_modified = False
            if if_none_match is not None:
                tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
                not_modified = etag in tags or "*" in tags
            elif if_modified_since:
                try:
                    since = parsedate_to_datetime(if_modified_since)
                except (TypeError, ValueError):
                    since = None
                if since is not None and since.tzinfo is not None:
                    not_modified = last_modified <= since
            if not_modified:
                return Response(status=304, headers=headers, content_type="")
            return Response(body=body, headers=headers, content_type=content_type)

        def _send(self, response: Response, head: bool) -> None:
            if response.delay:
                time.sleep(response.delay)
            self.send_response(response.status)
            if response.content_type:
                self.send_header("Content-Type", response.content_type)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if response.status != 304:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if not head and response.status != 304 and response.body:
                if response.stall:
                    self.wfile.write(response.body[: len(response.body) // 2])
                    self.wfile.flush()
                    time.sleep(response.stall)
                    self.close_connection = True
                    return
                self.wfile.write(response.body)

    return Handler


class OutletServer:
    """Serves each outlet on its own loopback port: homepage, RSS, news sitemap, robots.txt, article pages.

    Usable as a context manager. `url_host` is the host name put in URLs (e.g. "localhost" for tools that
    refuse IP literals); the sockets always bind to `host`.
    """

    def __init__(
        self, outlets: Iterable[Outlet] = (), host: str = "127.0.0.1", url_host: str | None = None
    ) -> None:
        self._host = host
        self._url_host = url_host or host
        self._sites: dict[str, _Site] = {}
        self._lock = threading.Lock()
        self._running = False
        for outlet in outlets:
            self.add_outlet(outlet)

    # -- life cycle -------------------------------------------------------------------------------
    def add_outlet(self, outlet: Outlet) -> None:
        """Bind a port for the outlet now (its URLs are known at once); serve it if the server is running."""
        with self._lock:
            if outlet.slug in self._sites:
                raise ValueError(f"an outlet with slug {outlet.slug!r} is already served")
            site = _Site(outlet, self._host, self._url_host)
            self._sites[outlet.slug] = site
            if self._running:
                self._serve(site)

    def start(self) -> OutletServer:
        with self._lock:
            if not self._running:
                self._running = True
                for site in self._sites.values():
                    self._serve(site)
        return self

    def stop(self) -> None:
        with self._lock:
            sites = list(self._sites.values())
            self._running = False
        for site in sites:
            if site.thread is not None:
                site.httpd.shutdown()
                site.thread.join(timeout=5)
                site.thread = None
            site.httpd.server_close()

    def __enter__(self) -> OutletServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @staticmethod
    def _serve(site: _Site) -> None:
        site.thread = threading.Thread(
            target=site.httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"outlet-{site.outlet.slug}",
            daemon=True,
        )
        site.thread.start()

    # -- addresses --------------------------------------------------------------------------------
    def _site(self, slug: str) -> _Site:
        try:
            return self._sites[slug]
        except KeyError:
            raise KeyError(f"no outlet with slug {slug!r} (have: {', '.join(self._sites)})") from None

    @property
    def outlets(self) -> list[Outlet]:
        return [site.outlet for site in self._sites.values()]

    def base_url(self, slug: str) -> str:
        return self._site(slug).base

    def feed_url(self, slug: str) -> str:
        return self.base_url(slug) + "feed.xml"

    def sitemap_url(self, slug: str) -> str:
        return self.base_url(slug) + "sitemap.xml"

    def robots_url(self, slug: str) -> str:
        return self.base_url(slug) + "robots.txt"

    def article_url(self, slug: str, article_slug: str) -> str:
        return f"{self.base_url(slug)}articles/{article_slug}.html"

    def section_url(self, slug: str, section: str) -> str:
        """The listing page of a section, by its Arabic name (e.g. "سياسة") or its URL slug."""
        return f"{self.base_url(slug)}section/{pages.SECTIONS.get(section, section)}.html"

    # -- content and observation ------------------------------------------------------------------
    def publish(self, slug: str, article: SampleArticle) -> str:
        """Add (or replace, by slug) an article while running; returns its URL."""
        site = self._site(slug)
        with site.lock:
            site.outlet.articles = [a for a in site.outlet.articles if a.slug != article.slug] + [article]
            site.touch()
        return self.article_url(slug, article.slug)

    def requests(self, slug: str) -> list[LoggedRequest]:
        """A copy of the requests the outlet has received, oldest first."""
        site = self._site(slug)
        with site.lock:
            return list(site.log)

    def clear_requests(self, slug: str) -> None:
        site = self._site(slug)
        with site.lock:
            site.log.clear()

    def traffic(self, slug: str | None = None) -> Traffic:
        """Requests answered and bytes read/written since the start, by one outlet or (None) by all."""
        sites = [self._site(slug)] if slug is not None else list(self._sites.values())
        total = Traffic()
        for site in sites:
            with site.counter_lock:
                total = total.plus(site.traffic)
        return total

    def set_hook(self, slug: str, path: str, hook: Hook | None) -> None:
        """Answer `path` (exact, without query; "*" for every path) with `hook`; None removes it.

        Made for fault injection: a hook may return a Response (an error, a slow or broken body) or
        None to fall through to the normal page.
        """
        site = self._site(slug)
        with site.lock:
            if hook is None:
                site.hooks.pop(path, None)
            else:
                site.hooks[path] = hook
