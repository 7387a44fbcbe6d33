"""Reading what outlets announce: RSS/Atom feeds, (news) sitemaps and indexes, robots.txt, homepage links.

Pure functions over bytes; XML is parsed without DTDs, entities or network (no XXE, no billion laughs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

MAX_ENTRIES = 5000
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")


class FeedError(ValueError):
    """A feed or sitemap that cannot be read at all."""


@dataclass(frozen=True)
class Entry:
    """An article announced by a feed or sitemap."""

    url: str
    title: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class Listing:
    """What one feed or sitemap document holds: article entries and, for indexes, child sitemaps."""

    kind: str
    entries: list[Entry]
    sitemaps: list[str]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    value = "".join(el.itertext()).strip()
    return value or None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _child(el: etree._Element, *names: str) -> etree._Element | None:
    for child in el:
        if _local(child.tag) in names:
            return child
    return None


def _http(url: str | None, base: str) -> str | None:
    if not url:
        return None
    full = urljoin(base, url.strip())
    return full if urlsplit(full).scheme in ("http", "https") else None


def parse_listing(body: bytes, base_url: str) -> Listing:
    """Entries of an RSS 2.0 / RSS 1.0 / Atom feed, a urlset sitemap, or child sitemaps of an index."""
    if not body or not body.strip():
        raise FeedError("empty document")
    parser = _parser()
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not XML: {exc}") from None
    if root is None:
        raise FeedError("not XML: no root element")
    listing = _read(root, base_url)
    broken = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    if broken and not listing.entries and not listing.sitemaps:
        raise FeedError(f"malformed XML: line {broken[0].line}: {broken[0].message}")
    return listing


def _read(root: etree._Element, base_url: str) -> Listing:
    kind = _local(root.tag)
    entries: list[Entry] = []
    sitemaps: list[str] = []
    if kind == "sitemapindex":
        for sm in root:
            if _local(sm.tag) == "sitemap":
                loc = _http(_text(_child(sm, "loc")), base_url)
                if loc:
                    sitemaps.append(loc)
        return Listing("sitemapindex", [], sitemaps[:MAX_ENTRIES])
    if kind == "urlset":
        for u in root:
            if _local(u.tag) != "url":
                continue
            loc = _http(_text(_child(u, "loc")), base_url)
            if not loc:
                continue
            news = _child(u, "news")
            title = _text(_child(news, "title")) if news is not None else None
            when = _text(_child(news, "publication_date")) if news is not None else None
            when = when or _text(_child(u, "lastmod"))
            entries.append(Entry(loc, title, _date(when)))
            if len(entries) >= MAX_ENTRIES:
                break
        return Listing("sitemap", entries, [])
    if kind in ("rss", "rdf"):
        channel = _child(root, "channel")
        items = [
            el
            for el in (channel if channel is not None and kind == "rss" else root)
            if _local(el.tag) == "item"
        ]
        if kind == "rdf":
            items = [el for el in root if _local(el.tag) == "item"]
        for item in items[:MAX_ENTRIES]:
            link = _text(_child(item, "link"))
            guid = _child(item, "guid")
            if not link and guid is not None and guid.get("isPermaLink", "true").lower() != "false":
                link = _text(guid)
            url = _http(link, base_url)
            if url:
                when = _text(_child(item, "pubdate", "date", "published", "updated"))
                entries.append(Entry(url, _text(_child(item, "title")), _date(when)))
        return Listing("rss", entries, [])
    if kind == "feed":
        for item in root:
            if _local(item.tag) != "entry":
                continue
            href = None
            for link in item:
                if _local(link.tag) == "link" and link.get("rel", "alternate") == "alternate":
                    href = link.get("href")
                    break
            url = _http(href, base_url)
            if url:
                when = _text(_child(item, "published", "updated"))
                entries.append(Entry(url, _text(_child(item, "title")), _date(when)))
            if len(entries) >= MAX_ENTRIES:
                break
        return Listing("atom", entries, [])
    raise FeedError(f"not a feed or sitemap (root element <{kind}>)")


def feeds_in_homepage(body: bytes, base_url: str) -> list[str]:
    """Feed addresses a page announces with <link rel="alternate" type="application/rss+xml" ...>."""
    try:
        doc = lxml_html.fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            url = _http(link.get("href"), base_url)
            if url and url not in found and "comments" not in url:
                found.append(url)
    return found


def sitemaps_in_robots(body: bytes, base_url: str) -> list[str]:
    """`Sitemap:` lines of a robots.txt."""
    found: list[str] = []
    for line in body.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap":
            url = _http(value.strip(), base_url)
            if url and url not in found:
                found.append(url)
    return found


_ARTICLE_HINT = re.compile(r"(/\d{4}/\d{1,2}/|\d{5,}|/(news|article|articles|story|post|akhbar)/)", re.I)


def article_links(body: bytes, base_url: str, pattern: str | None = None) -> list[str]:
    """Links on a section page or homepage that look like articles of the same site."""
    try:
        doc = lxml_html.fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    host = urlsplit(base_url).hostname
    rx = re.compile(pattern) if pattern else _ARTICLE_HINT
    found: list[str] = []
    for a in doc.iter("a"):
        url = _http(a.get("href"), base_url)
        if not url or urlsplit(url).hostname != host:
            continue
        path = urlsplit(url).path
        if path in ("", "/") or not rx.search(url):
            continue
        if url not in found:
            found.append(url)
    return found[:MAX_ENTRIES]
