"""A plain Scrapy crawl that fetches every article of the given feeds and does nothing with it: the CPU a
page costs Scrapy itself, with none of rasid's code (bench/crawl/floor.py runs it).

    python bench/crawl/resolve.py -m fetch_only FEEDS_FILE CONCURRENCY     (with bench/crawl on PYTHONPATH)

Settings: Scrapy's defaults on the asyncio reactor, robots.txt not read, no AutoThrottle, 2 requests per
host (as rasid), `CONCURRENCY` in all, cookies, telnet and log stats off. Prints the pages fetched.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from lxml import etree
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class FetchOnly(scrapy.Spider):
    name = "fetch-only"
    pages = 0

    def __init__(self, feeds: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.feeds = feeds

    async def start(self):  # type: ignore[no-untyped-def]
        for url in self.feeds:
            yield scrapy.Request(url, callback=self.parse_feed)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        root = etree.fromstring(response.body, etree.XMLParser(resolve_entities=False, no_network=True))
        for link in root.iter("link"):
            if link.text and "/articles/" in link.text:
                yield scrapy.Request(link.text.strip(), callback=self.parse_page)

    def parse_page(self, response: Response) -> Iterator[Any]:
        FetchOnly.pages += 1
        return iter(())


def main() -> None:
    feeds = Path(sys.argv[1]).read_text().split()
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    process = CrawlerProcess(
        {
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "ROBOTSTXT_OBEY": False,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOGSTATS_INTERVAL": 0,
            "LOG_LEVEL": "WARNING",
        }
    )
    process.crawl(FetchOnly, feeds=feeds)
    process.start()
    print(f"pages {FetchOnly.pages}")


if __name__ == "__main__":
    main()
