"""extract_article: page bytes -> Article, the single entry point of rasid.extractors."""

from __future__ import annotations

from datetime import datetime

from lxml.html import HtmlElement

from .article import Article, ExtractionError, ExtractOptions
from .boilerplate import clean_lines, prune_tree, split_lines
from .dates import resolve_timezone
from .decoding import decode_html
from .language import detect_language
from .lead import recover_lead
from .metadata import clean_author, read_metadata
from .parsing import parse_html, select_body_text
from .published import choose_published, collect_candidates, text_around_headline
from .trafilatura_extract import run_trafilatura


def extract_article(
    html: bytes,
    url: str,
    options: ExtractOptions | None = None,
    *,
    content_type: str | None = None,
    now: datetime | None = None,
) -> Article | None:
    """Extract the article of one page.

    html: the page bytes as fetched (decoded here: see decoding.decode_html). url: the page address.
    content_type: the HTTP Content-Type header, if known (its charset is one decoding candidate).
    now: the moment relative dates ("منذ 3 ساعات") are counted from; relative dates are ignored without it.

    Returns None when the page holds no article (index pages, empty or too short body).
    Raises ExtractionError only for input that is not a web page at all: not bytes, empty, binary
    data (NUL bytes), or markup lxml cannot build a document from.
    """
    opts = options or ExtractOptions()
    text, _codec = decode_html(_check_bytes(html), content_type)
    tree = parse_html(text)
    tz = resolve_timezone(opts.timezone)
    meta = read_metadata(tree)
    dates = collect_candidates(
        meta.date_strings, text_around_headline(tree, meta.title), meta.time_strings, tz, now
    )
    # the outlet's selector sees the page as published; trafilatura sees it without furniture
    selected = select_body_text(tree, opts.body_selector) if opts.body_selector else None
    prune_tree(tree)
    result = run_trafilatura(tree, url, extensive_dates=not dates.has_good())
    title = (result.title if result else None) or meta.title or _first_heading(tree) or ""
    raw_body = selected if selected is not None else (result.text if result else "")
    lines = clean_lines(split_lines(raw_body), title=title, drop_lines=opts.drop_lines)
    if not opts.body_selector:
        lines = recover_lead(tree, lines)
    if not has_article_text(lines, opts.min_text_chars):
        return None
    body = "\n".join(lines)
    published = choose_published(dates, result.date if result else None, tz, now)
    return Article(
        url=url,
        title=" ".join(title.split()),
        text=body,
        published=published,
        author=clean_author((result.author if result else None) or meta.author),
        language=detect_language(body, meta.lang, opts.language),
        canonical_url=meta.canonical_url,
    )


# A line this long is a paragraph; shorter ones are headlines, labels, menu entries.
PARAGRAPH_MIN_CHARS = 50


def has_article_text(lines: list[str], min_text_chars: int) -> bool:
    """True when the paragraph-length lines add up to min_text_chars (an index page's headline list
    and an empty body do not)."""
    return sum(len(line) for line in lines if len(line) >= PARAGRAPH_MIN_CHARS) >= min_text_chars


def _check_bytes(html: bytes) -> bytes:
    if not isinstance(html, bytes | bytearray | memoryview):
        raise ExtractionError(f"expected the page bytes, got {type(html).__name__}")
    data = bytes(html)
    if not data.strip():
        raise ExtractionError("empty input")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError("binary data, not a web page")
    return data


def _first_heading(tree: HtmlElement) -> str | None:
    for h in tree.iter("h1"):
        text = " ".join(h.text_content().split())
        if text:
            return text
    return None
