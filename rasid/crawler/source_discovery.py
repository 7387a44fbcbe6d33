"""Finding where an outlet announces new articles, from its homepage: feeds (<link rel=alternate>),
sitemaps (robots.txt, sitemap indexes, Google News sitemaps), else section pages with article links."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from rasid.crawler.discovery import (
    FeedError,
    article_links,
    feeds_in_homepage,
    parse_listing,
    sitemaps_in_robots,
)
from rasid.crawler.fetch import Fetcher, FetchError

log = logging.getLogger(__name__)

COMMON_FEEDS = ("/feed/", "/rss", "/rss.xml", "/feed.xml")
COMMON_SITEMAPS = ("/news-sitemap.xml", "/sitemap_news.xml", "/sitemap.xml")


@dataclass
class Discovered:
    """What an outlet's homepage led to, with notes on what was tried."""

    homepage: str
    name: str
    language: str | None = None
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def found_anything(self) -> bool:
        return bool(self.feeds or self.sitemaps or self.sections)


def _site_name(body: bytes, url: str) -> tuple[str, str | None]:
    try:
        doc = lxml_html.fromstring(body)
    except (ValueError, lxml_html.etree.ParserError):
        return urlsplit(url).hostname or url, None
    lang = doc.get("lang") or None
    for meta in doc.iter("meta"):
        if meta.get("property") == "og:site_name" and meta.get("content"):
            return meta.get("content", "").strip(), lang
    title = doc.findtext(".//title") or ""
    title = re.split(r"\s[|\-–—:]\s", title.strip())[0].strip()
    return title or (urlsplit(url).hostname or url), lang


def _listing_ok(fetcher: Fetcher, url: str, notes: list[str]) -> tuple[int, list[str]]:
    """(article entries, child sitemaps) of a feed or sitemap, or (0, []) with a note."""
    try:
        page = fetcher.get(url)
        listing = parse_listing(page.body, page.url)
    except (FetchError, FeedError) as exc:
        notes.append(f"{url}: {exc}")
        return 0, []
    return len(listing.entries), listing.sitemaps


def discover(homepage: str, fetcher: Fetcher) -> Discovered:
    """Look at an outlet the way the crawler will; raises FetchError if the homepage cannot be read."""
    page = fetcher.get(homepage)
    name, lang = _site_name(page.body, page.url)
    found = Discovered(homepage=page.url, name=name, language=lang)
    base = f"{urlsplit(page.url).scheme}://{urlsplit(page.url).netloc}"
    candidates = feeds_in_homepage(page.body, page.url) or [base + p for p in COMMON_FEEDS]
    for url in candidates:
        n, _ = _listing_ok(fetcher, url, found.notes)
        if n:
            found.feeds.append(url)
            found.notes.append(f"feed {url}: {n} items")
            if len(found.feeds) >= 2:
                break
    try:
        robots = fetcher.get(base + "/robots.txt")
        sitemaps = sitemaps_in_robots(robots.body, robots.url)
    except FetchError as exc:
        found.notes.append(f"robots.txt: {exc}")
        sitemaps = []
    sitemaps = sitemaps or [base + p for p in COMMON_SITEMAPS]
    news_first = sorted(sitemaps, key=lambda u: 0 if "news" in u.lower() else 1)
    for url in news_first[:6]:
        n, children = _listing_ok(fetcher, url, found.notes)
        if n:
            found.sitemaps.append(url)
            found.notes.append(f"sitemap {url}: {n} URLs")
        elif children:
            found.sitemaps.append(url)
            found.notes.append(f"sitemap index {url}: {len(children)} sitemaps")
        if len(found.sitemaps) >= 2:
            break
    if not found.feeds and not found.sitemaps:
        found.sections = _sections(fetcher, page.body, page.url, found.notes)
    return found


def _sections(fetcher: Fetcher, body: bytes, url: str, notes: list[str]) -> list[str]:
    """Section pages (short same-site paths linked from the homepage) ranked by article links they hold."""
    try:
        doc = lxml_html.fromstring(body)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    host = urlsplit(url).hostname
    links = []
    for a in doc.iter("a"):
        href = a.get("href")
        if not href:
            continue
        target = urlsplit(urljoin(url, href))
        depth = target.path.strip("/").count("/")
        if target.hostname == host and depth <= 1 and target.path not in ("", "/") and not target.query:
            links.append(target._replace(fragment="").geturl())
    scores: Counter[str] = Counter()
    for link in list(dict.fromkeys(links))[:12]:
        try:
            section = fetcher.get(link)
        except FetchError:
            continue
        n = len(article_links(section.body, section.url))
        if n >= 5:
            scores[link] = n
    homepage_articles = len(article_links(body, url))
    best = [u for u, _ in scores.most_common(3)]
    if not best and homepage_articles >= 5:
        best = [url]
    notes.append(f"no feed or sitemap; section pages: {', '.join(best) or 'none with article links'}")
    return best
