"""Reading feeds, sitemaps, robots.txt and homepages: real captures from ../shared and hostile documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasid.crawler.discovery import (
    FeedError,
    article_links,
    feeds_in_homepage,
    parse_listing,
    sitemaps_in_robots,
)


@pytest.fixture(scope="module")
def feeds(shared_dir: Path) -> Path:
    return shared_dir / "benchmarks" / "feeds"


def test_bbc_world_service_rss(feeds: Path) -> None:
    listing = parse_listing((feeds / "ur-bbcurdu-rss-2018.xml").read_bytes(), "http://www.bbcurdu.com/")
    assert listing.kind == "rss"
    assert len(listing.entries) >= 20
    assert all(e.url.startswith("http") for e in listing.entries)
    assert all(e.published is not None and e.published.tzinfo is not None for e in listing.entries)
    assert any(e.title and "ا" in e.title for e in listing.entries)


def test_rss_declared_iso_8859_1(feeds: Path) -> None:
    listing = parse_listing((feeds / "de-golem-rss-iso8859-1.xml").read_bytes(), "https://www.golem.de/")
    assert len(listing.entries) == 40
    assert any(e.title and any(ch in e.title for ch in "äöüß") for e in listing.entries)


def test_rdf_feed(feeds: Path) -> None:
    listing = parse_listing((feeds / "de-heise-rdf.xml").read_bytes(), "https://www.heise.de/")
    assert len(listing.entries) >= 50


def test_google_news_sitemap(feeds: Path) -> None:
    listing = parse_listing(
        (feeds / "en-nytimes-news-sitemap-2020-excerpt.xml").read_bytes(), "https://www.nytimes.com/"
    )
    assert listing.kind == "sitemap" and len(listing.entries) == 6
    assert all(e.title and e.published for e in listing.entries)


def test_atom_and_sitemap_index() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <entry><title>\xd8\xae\xd8\xa8\xd8\xb1</title><link rel="alternate" href="/ar/1"/>
    <published>2026-11-20T10:00:00+03:00</published></entry></feed>"""
    listing = parse_listing(atom, "https://x.org/")
    assert listing.entries[0].url == "https://x.org/ar/1" and listing.entries[0].title == "خبر"
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://x.org/s1.xml</loc></sitemap><sitemap><loc>https://x.org/s2.xml</loc></sitemap></sitemapindex>"""
    assert parse_listing(index, "https://x.org/").sitemaps == ["https://x.org/s1.xml", "https://x.org/s2.xml"]


def test_entity_expansion_and_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        b'<!ENTITY xxe SYSTEM "file://' + str(secret).encode() + b'">]>'
        b"<rss><channel><item><title>&d;&xxe;</title><link>https://x.org/1</link></item></channel></rss>"
    )
    listing = parse_listing(bomb, "https://x.org/")
    title = listing.entries[0].title or ""
    assert "TOP-SECRET" not in title and len(title) < 1000


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"<html><body>not a feed</body></html>", b"\xff\xfe\x00garbage", b"<rss><channel><item>"],
)
def test_unreadable_documents_raise_feed_error_or_yield_nothing(body: bytes) -> None:
    try:
        listing = parse_listing(body, "https://x.org/")
    except FeedError:
        return
    assert listing.entries == []


def test_truncated_feed_keeps_complete_items() -> None:
    body = (
        b"<rss><channel><item><title>a</title><link>https://x.org/1</link></item>"
        b"<item><title>b</title><link>https://x.org/2</link></item><item><title>c</ti"
    )
    urls = [e.url for e in parse_listing(body, "https://x.org/").entries]
    assert urls[:2] == ["https://x.org/1", "https://x.org/2"]


def test_non_http_links_are_dropped() -> None:
    body = b"<rss><channel><item><link>javascript:alert(1)</link></item><item><link>file:///etc/passwd</link></item></channel></rss>"
    assert parse_listing(body, "https://x.org/").entries == []


def test_homepage_feed_links_robots_sitemaps_and_article_links() -> None:
    page = b"""<html><head><link rel="alternate" type="application/rss+xml" href="/feed/">
    <link rel="alternate" type="application/rss+xml" href="/comments/feed/"></head>
    <body><a href="/2026/11/20/story-one/">1</a><a href="/about">about</a><a href="https://other.org/news/1">x</a>
    <a href="/news/123456">2</a></body></html>"""
    assert feeds_in_homepage(page, "https://x.org/") == ["https://x.org/feed/"]
    assert article_links(page, "https://x.org/") == [
        "https://x.org/2026/11/20/story-one/",
        "https://x.org/news/123456",
    ]
    robots = b"User-agent: *\nDisallow: /admin\nSitemap: https://x.org/news-sitemap.xml\nsitemap: /s2.xml\n"
    assert sitemaps_in_robots(robots, "https://x.org/robots.txt") == [
        "https://x.org/news-sitemap.xml",
        "https://x.org/s2.xml",
    ]
