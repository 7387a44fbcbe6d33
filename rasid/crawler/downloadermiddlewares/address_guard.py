"""AddressGuardMiddleware: refuses requests whose host resolves to a private, loopback or link-local address.

The check is on the address the name resolves to, not on the name (as trafilatura's SSRF guard), and runs
for every request, redirects included. The Scrapy setting `RASID_ALLOW_PRIVATE_ADDRESSES`
(from `crawler.allow_private_addresses`) lifts it for outlets on loopback (tests, demo).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

log = logging.getLogger(__name__)
# Name resolution blocks; it gets threads of its own so a slow resolver never starves extraction and storage.
_RESOLVER = ThreadPoolExecutor(max_workers=8, thread_name_prefix="rasid-dns")


class BlockedAddress(IgnoreRequest):
    """The request's host resolves to an address outlets may not send us to."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


Networks = list[ipaddress.IPv4Network | ipaddress.IPv6Network]


def networks(allow: object) -> Networks:
    """Networks `crawler.allow_private_addresses` lets through as exceptions (none unless a list)."""
    if not isinstance(allow, list | tuple):
        return []
    return [ipaddress.ip_network(n, strict=False) for n in allow]


def admitted(address: str, allowed: Networks) -> bool:
    """Public, or inside one of the networks allowed as an exception."""
    if is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip.version == net.version and ip in net for net in allowed)


async def resolve(host: str) -> list[str]:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return [host.strip("[]")]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.run_in_executor(
        _RESOLVER, lambda: socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    )
    return sorted({str(info[4][0]) for info in infos})


class AddressGuardMiddleware:
    def __init__(self, allowed: list[str] | None = None, cache_size: int = 4096) -> None:
        self._verdicts: dict[str, str | None] = {}
        self._cache_size = cache_size
        self._allowed = networks(allowed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        allow = crawler.settings.get("RASID_ALLOW_PRIVATE_ADDRESSES")
        if allow is True:
            raise NotConfigured("private addresses allowed by configuration")
        return cls(list(allow) if isinstance(allow, list | tuple) else None)

    def allowed(self, address: str) -> bool:
        return admitted(address, self._allowed)

    async def _verdict(self, host: str) -> str | None:
        if host in self._verdicts:
            return self._verdicts[host]
        try:
            addresses = await resolve(host)
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"
        bad = [a for a in addresses if not self.allowed(a)]
        verdict = f"{host} resolves to non-public address {bad[0]}" if bad else None
        if len(self._verdicts) >= self._cache_size:
            self._verdicts.clear()
        self._verdicts[host] = verdict
        return verdict

    async def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        host = urlsplit(request.url).hostname
        if not host:
            raise BlockedAddress(f"no host in {request.url}")
        verdict = await self._verdict(host)
        if verdict and verdict.startswith("cannot resolve"):
            return None  # let the downloader report the DNS error as for any outlet
        if verdict:
            log.warning("blocked %s: %s (crawler.allow_private_addresses is false)", request.url, verdict)
            raise BlockedAddress(verdict)
        return None
