"""A small blocking fetcher for one-off commands (`rasid sources add`): same User-Agent, size limit and
private-address guard as the crawler, without starting Scrapy."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from rasid.config import CrawlerSettings
from rasid.crawler.defaults import user_agent
from rasid.crawler.downloadermiddlewares.address_guard import admitted, networks


class FetchError(Exception):
    """A page that could not be fetched, with the reason."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes


class Fetcher:
    def __init__(self, settings: CrawlerSettings) -> None:
        self.settings = settings
        self.allow_all = settings.allow_private_addresses is True
        self.allowed = networks(settings.allow_private_addresses)
        self.agent = user_agent(settings)

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) URL: {url}")
        if self.allow_all:
            return
        try:
            infos = socket.getaddrinfo(parts.hostname, None, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise FetchError(f"cannot resolve {parts.hostname}: {exc}") from None
        for info in infos:
            address = str(info[4][0])
            if not admitted(address, self.allowed):
                raise FetchError(f"{parts.hostname} resolves to non-public address {address}")

    def get(self, url: str) -> Fetched:
        """GET with redirects (each hop checked), the configured timeout and size limit."""
        for _ in range(6):
            self._check(url)
            request = urllib.request.Request(
                url, headers={"User-Agent": self.agent, "Accept-Encoding": "identity"}
            )
            opener = urllib.request.build_opener(_NoRedirect)
            try:
                with opener.open(request, timeout=self.settings.download_timeout) as response:
                    body = response.read(self.settings.max_page_bytes + 1)
                    if len(body) > self.settings.max_page_bytes:
                        raise FetchError(f"{url}: larger than {self.settings.max_page_bytes} bytes")
                    return Fetched(
                        response.geturl(), response.status, response.headers.get("Content-Type", ""), body
                    )
            except urllib.error.HTTPError as exc:
                if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                    url = urllib.parse.urljoin(url, exc.headers["Location"])
                    continue
                raise FetchError(f"{url}: HTTP {exc.code}") from None
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                reason = getattr(exc, "reason", exc)
                raise FetchError(f"{url}: {reason}") from None
        raise FetchError(f"{url}: too many redirects")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
