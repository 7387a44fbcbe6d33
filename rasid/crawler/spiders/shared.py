"""SharedSourcesSpider: a worker's spider for scale-out. It takes due source names from a Redis list (put
there by the scheduler process) and crawls them like SourcesSpider; its requests go through scrapy-redis's
shared frontier, so the article pages of one source are fetched by whichever worker is free. A source the
policy says is not due (another worker learnt it must wait after it was queued) is skipped."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy_redis.spiders import RedisMixin

from rasid.crawler.context import CrawlContext
from rasid.crawler.spiders.sources import SourcesSpider

log = logging.getLogger(__name__)


class SharedSourcesSpider(RedisMixin, SourcesSpider):
    name = "rasid-shared"
    redis_batch_size = 4  # sources taken at a time, so idle workers get their share

    def __init__(self, context: CrawlContext, redis_key: str, **kwargs: Any) -> None:
        SourcesSpider.__init__(self, context, **kwargs)
        self.redis_key = redis_key

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SharedSourcesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.next_requests():
            yield request

    def make_request_from_data(self, data: bytes) -> list[scrapy.Request]:
        name = data.decode("utf-8", "replace")
        source = self.sources.get(name)
        if source is None:
            log.warning("a due source %r is not in this worker's configuration; skipped", name)
            return []
        if self.context.due is not None and not self.context.due(name):
            log.info("source %s is not due yet (backing off, or asked us to wait); skipped", name)
            return []
        log.info("worker takes source %s", name)
        return self.source_requests(source)
