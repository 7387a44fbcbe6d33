"""Scrapy settings for rasid's crawls, built from `CrawlerSettings`: the one place crawler defaults live."""

from __future__ import annotations

from typing import Any

from rasid.config import CrawlerSettings

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def user_agent(crawler: CrawlerSettings) -> str:
    """How rasid names itself to outlets: the configured agent, with the contact URL."""
    agent = crawler.user_agent
    if crawler.contact_url and crawler.contact_url not in agent:
        agent = f"{agent} (+{crawler.contact_url})"
    return agent


def scrapy_settings(crawler: CrawlerSettings, log_level: str = "WARNING") -> dict[str, Any]:
    """Polite, bounded defaults: robots.txt, 2 requests per host, AutoThrottle, size and time limits."""
    agent = user_agent(crawler)
    return {
        "TWISTED_REACTOR": ASYNCIO_REACTOR,
        "USER_AGENT": agent,
        "ROBOTSTXT_OBEY": crawler.obey_robots_txt,
        "CONCURRENT_REQUESTS": crawler.concurrent_requests,
        "CONCURRENT_ITEMS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawler.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": crawler.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "AUTOTHROTTLE_ENABLED": crawler.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawler.download_delay, 0.0),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawler.concurrent_requests_per_domain),
        "DOWNLOAD_TIMEOUT": crawler.download_timeout,
        "DOWNLOAD_MAXSIZE": crawler.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": crawler.retry_times,
        "RETRY_HTTP_CODES": [500, 502, 504, 522, 524, 408],  # 429/503: RetryAfterMiddleware
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19's RemoteControl opens a loopback HTTP endpoint that runs the Python it is sent and
        # leaves its token in a job file: rasid opens no door but the ones its config names.
        "REMOTE_CONTROL_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,
        "LOG_LEVEL": log_level,
        "LOG_ENABLED": True,
        "DNS_TIMEOUT": 10,
        "DNSCACHE_ENABLED": True,
        "MEMUSAGE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "RASID_ALLOW_PRIVATE_ADDRESSES": crawler.allow_private_addresses,
        "DOWNLOADER_MIDDLEWARES": {
            "rasid.crawler.downloadermiddlewares.address_guard.AddressGuardMiddleware": 50,
            "rasid.crawler.downloadermiddlewares.retry_after.RetryAfterMiddleware": 560,
        },
        "ITEM_PIPELINES": {"rasid.crawler.pipelines.ArticlePipeline": 300},
        "EXTENSIONS": {
            "scrapy.extensions.telnet.TelnetConsole": None,
            "scrapy.extensions.remote_control.RemoteControl": None,
        },
    }
