"""Builds test pages from the readable UTF-8 sources in pages/: legacy encodings, broken bytes, huge pages."""

from __future__ import annotations

import re
from pathlib import Path

PAGES = Path(__file__).parent / "pages"
URL = "https://example-outlet.test/news/2022/05/article"

_META_CHARSET = re.compile(r'<meta charset="utf-8">')


def source(name: str) -> str:
    """The UTF-8 source text of pages/<name>.html."""
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def page_bytes(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


def encoded(name: str, codec: str, declared: str | None) -> bytes:
    """pages/<name>.html encoded in codec (strictly), its <meta charset> set to declared (None: removed)."""
    meta = f'<meta charset="{declared}">' if declared else ""
    text, count = _META_CHARSET.subn(meta, source(name))
    assert count == 1, f"{name}.html must hold exactly one <meta charset=utf-8>"
    return text.encode(codec)


def with_invalid_bytes(name: str) -> bytes:
    """UTF-8 page with stray invalid sequences between paragraphs (a truncated lead byte, 0xFF)."""
    data = page_bytes(name)
    return data.replace(b"</p>\n", b"</p>\xd8\n\xff", 2)


def dated(date_line: str, meta: str = "") -> bytes:
    """pages/article_dated.html with the printed date line and extra <head> tags filled in."""
    return source("article_dated").replace("DATE_LINE", date_line).replace("<!--META-->", meta).encode()


def huge(name: str, megabytes: int) -> bytes:
    """The page with megabytes of reader comments appended after the article (a real fault: endless
    comment threads inlined in the page)."""
    comment = (
        '<div class="comment"><span class="who">قارئ</span>'
        "<p>تعليق طويل من أحد القراء حول الموضوع يكرر فيه رأيه في الخدمات العامة في المدينة.</p></div>\n"
    )
    count = megabytes * 1024 * 1024 // len(comment.encode())
    block = '<section class="comments">' + comment * count + "</section>"
    return source(name).replace("</body>", block + "</body>").encode()
