"""rasid's own Scrapy signals: how a middleware tells whoever runs the crawl about a source, through the
crawler's signal manager (no reaching into the spider)."""

source_throttled = object()
"""Sent with `source` (name) and `until` (aware datetime): the outlet asked not to be polled before then
(429/503 with Retry-After, or a backoff it forced)."""
