"""RetryAfterMiddleware: answers 429 and 503 the way outlets ask, with Retry-After and backoff.

A short wait (up to `RASID_RETRY_AFTER_INLINE`) is waited out for that request alone, at most
`RASID_RETRY_AFTER_TIMES` times; a longer one ends the request and sends the crawler's `source_throttled`
signal (rasid.crawler.signals) with the time the source may be asked again: whoever runs the crawl hears
it, and the runtime's source policy skips the source's polls until then.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from rasid.crawler.signals import source_throttled

log = logging.getLogger(__name__)

STATUSES = (429, 503)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler, inline: float, times: int, base: float) -> None:
        self.crawler = crawler
        self.inline = inline
        self.times = times
        self.base = base

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        s = crawler.settings
        return cls(
            crawler,
            s.getfloat("RASID_RETRY_AFTER_INLINE", 20.0),
            s.getint("RASID_RETRY_AFTER_TIMES", 2),
            s.getfloat("RASID_RETRY_AFTER_BASE", 1.0),
        )

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Any:
        if response.status not in STATUSES or request.meta.get("dont_retry"):
            return response
        tries = int(request.meta.get("rasid_retry_after", 0))
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        delay = asked if asked is not None else self.base * (2**tries)
        source = request.meta.get("source")
        if tries < self.times and delay <= self.inline:
            log.info("%s answered %d; retrying in %.1fs", request.url, response.status, delay)
            await asyncio.sleep(delay)
            retry = request.replace(dont_filter=True)
            retry.meta["rasid_retry_after"] = tries + 1
            return retry
        if source is not None:
            until = datetime.now(UTC) + timedelta(seconds=max(delay, 60.0))
            self.crawler.signals.send_catch_log(signal=source_throttled, source=source, until=until)
        log.warning(
            "%s answered %d (Retry-After %s); backing off",
            request.url,
            response.status,
            f"{asked:.0f}s" if asked is not None else "absent",
        )
        return response
