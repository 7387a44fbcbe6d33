"""The crawler: Scrapy spider, settings, middlewares, feed/sitemap discovery and the crawl runner."""
