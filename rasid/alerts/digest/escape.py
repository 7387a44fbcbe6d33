"""Making text from the web safe to show: HTML escaping, Markdown escaping, and links only to http(s)."""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>~&])")
_MD_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")
_SPACES = re.compile(r"\s+")


def h(text: object) -> str:
    """HTML-escaped text (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def safe_url(url: str) -> str | None:
    """The URL if it is an http(s) address, else None (no javascript:, data: or relative links)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def md(text: object) -> str:
    """Markdown-escaped text on one line: every character that could open markup (emphasis, code, links,
    images, HTML, tables, strike-through) gets a backslash, as CommonMark allows for any ASCII punctuation,
    and so does a block marker at the start (heading, list, quote)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", _SPACES.sub(" ", str(text)))
    return _MD_LINE_START.sub(
        lambda m: "".join("\\" + c if not c.isdigit() else c for c in m.group(1)), escaped
    )


def md_url(url: str) -> str | None:
    """A link destination for Markdown: http(s) only, with characters that could end it percent-encoded."""
    ok = safe_url(url)
    if ok is None:
        return None
    return quote(ok, safe="/:?#[]@!$&'*+,;=%-._~")


def md_link(text: str, url: str) -> str:
    dest = md_url(url)
    return md(text) if dest is None else f"[{md(text)}](<{dest}>)"
