"""ArticlePipeline: hands each fetched article page to the crawl's page handler (`rasid.pipeline`, or page
workers around it) and counts what became of it in the crawl report."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from rasid.pipeline import FetchedPage


class ArticlePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        return cls(crawler)

    async def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        spider = spider or self.crawler.spider
        context = spider.context  # type: ignore[union-attr]
        page = FetchedPage(
            item["source"], item["url"], item["body"], item.get("status", 200), item.get("content_type")
        )
        result = await context.pages.process_async(page)
        report = context.report.of(page.source)
        if result.outcome == "new":
            report.new += 1
            report.alerts += result.alerts
            report.matched += 1 if result.topics else 0
        elif result.outcome == "duplicate":
            report.duplicates += 1
        elif result.outcome == "no_article":
            report.no_article += 1
        else:
            report.page_errors.append(f"{page.url}: {result.error}")
        return {"source": page.source, "url": result.url, "outcome": result.outcome}
