"""Reading page metadata from the parsed tree: canonical URL, lang, meta and JSON-LD dates and authors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

# Meta tags naming the publication moment, best first (compared lower-case on name/property/itemprop).
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
_JSONLD_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "webpage", "report"}


@dataclass
class PageMetadata:
    """What the page says about itself, before any body extraction."""

    canonical_url: str | None = None
    lang: str | None = None
    title: str | None = None
    author: str | None = None
    date_strings: list[str] = field(default_factory=list)  # from meta tags and JSON-LD; best first
    time_strings: list[str] = field(
        default_factory=list
    )  # from <time> elements; itemprop/class "published" first


def _attr(el: HtmlElement, name: str) -> str:
    return (el.get(name) or "").strip()


def _jsonld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if "ld+json" not in _attr(script, "type").lower():
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if "@graph" in item:
                    stack.append(item["@graph"])


def _jsonld_types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _author_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _author_name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_author_name(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def read_metadata(tree: HtmlElement) -> PageMetadata:
    """Collect canonical URL (link rel=canonical, else og:url), lang, title, author and date strings."""
    meta = PageMetadata()
    lang = tree.get("lang") or tree.get("xml:lang")
    meta.lang = lang.strip() if lang else None
    for link in tree.iter("link"):
        rels = _attr(link, "rel").lower().split()
        if "canonical" in rels and _attr(link, "href"):
            meta.canonical_url = _attr(link, "href")
            break
    dated: dict[str, str] = {}
    for tag in tree.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = _attr(tag, "content")
        if not key or not content:
            continue
        if key == "og:url" and meta.canonical_url is None:
            meta.canonical_url = content
        elif key == "og:title" and meta.title is None:
            meta.title = content
        elif key in _DATE_META:
            dated.setdefault(key, content)
        elif key in _AUTHOR_META and meta.author is None and not content.startswith("http"):
            meta.author = content
    jsonld_dates: list[str] = []
    for obj in _jsonld_objects(tree):
        if not (_jsonld_types(obj) & _JSONLD_ARTICLE_TYPES):
            continue
        if isinstance(obj.get("datePublished"), str):
            jsonld_dates.append(obj["datePublished"])
        if meta.author is None:
            meta.author = _author_name(obj.get("author"))
        if meta.title is None and isinstance(obj.get("headline"), str):
            meta.title = obj["headline"].strip() or None
    time_dates: list[str] = []
    for el in tree.iter("time"):
        value = _attr(el, "datetime") or (el.text_content() or "").strip()
        if value:
            if "publish" in (_attr(el, "itemprop") + _attr(el, "class")).lower():
                time_dates.insert(0, value)
            else:
                time_dates.append(value)
    meta.date_strings = [dated[k] for k in _DATE_META if k in dated] + jsonld_dates
    meta.time_strings = time_dates
    return meta


_BYLINE_PREFIX = re.compile(
    r"^\s*(?:كتب|كتبت|كتبه|بقلم|إعداد|اعداد|تقرير|حوار|by)\s*[:：\-–]?\s*", re.IGNORECASE
)


def clean_author(author: str | None) -> str | None:
    """Author name without a byline label ("كتب: سامر" -> "سامر"); None when nothing is left."""
    if not author:
        return None
    name = " ".join(_BYLINE_PREFIX.sub("", author).split())
    return name or None
