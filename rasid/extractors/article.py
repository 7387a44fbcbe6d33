"""The values extraction deals in: Article (result), ExtractOptions (per-outlet settings), ExtractionError."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


class ExtractionError(ValueError):
    """The input is not usable as a web page at all (empty, binary, not HTML).

    A page that is HTML but holds no article is not an error: extract_article returns None.
    """


@dataclass(frozen=True)
class ExtractOptions:
    """Per-outlet extraction settings, kept as data in the outlet's entry.

    body_selector: CSS selector of the article body, used instead of trafilatura's choice (only where
        trafilatura fails on that outlet).
    drop_lines: lines to remove from the body. An entry matches a line when it equals the stripped
        line exactly; an entry starting with "re:" is a regular expression searched in the line
        (re.search), e.g. "re:^تابعونا على".
    timezone: the outlet's IANA time zone, applied to dates printed without an offset.
    language: expected language; used when the page does not reveal its own.
    min_text_chars: a body shorter than this is "no article" (index pages, empty pages).
    """

    body_selector: str | None = None
    drop_lines: tuple[str, ...] = ()
    timezone: str | None = None
    language: str | None = "ar"
    min_text_chars: int = 80


@dataclass(frozen=True)
class Article:
    """One extracted article. text holds the body, one paragraph per line."""

    url: str
    title: str
    text: str
    published: datetime | None
    author: str | None
    language: str | None
    canonical_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping; published as ISO 8601 (with offset) or None."""
        return {
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "published": self.published.isoformat() if self.published else None,
            "author": self.author,
            "language": self.language,
            "canonical_url": self.canonical_url,
        }
