"""Duplicate filters of rasid's crawler, one per file as in Scrapy."""
