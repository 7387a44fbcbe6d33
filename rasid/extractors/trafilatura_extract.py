"""The one place trafilatura is called: body and metadata from a parsed tree, with rasid's settings."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement

# Settings measured on the extraction benchmark (bench/RESULTS.md): comments and the comment-policy
# blocks around them are never article text. deduplicate stays off: its cache is process-wide and
# empties later extractions in a daemon; repeated blocks are removed in boilerplate.py instead.
# htmldate's extensive search (dateparser over the whole text) costs seconds on big pages: it is asked
# for only when rasid's own date candidates found nothing.


@dataclass(frozen=True)
class TrafilaturaResult:
    """What trafilatura found: body text (paragraphs on lines) and its metadata guesses."""

    text: str
    title: str | None
    author: str | None
    date: str | None


def run_trafilatura(tree: HtmlElement, url: str, extensive_dates: bool = True) -> TrafilaturaResult | None:
    """Extract with trafilatura; tree is left as it is.

    bare_extraction works on a copy of a tree it is given (trafilatura 2.x: `if tree is filecontent: tree =
    copy(tree)`), so no copy is made here (tests/extractors/test_extract_speedups.py checks that tree is
    unchanged)."""
    date_params = {"extensive_search": extensive_dates, "original_date": True, "outputformat": "%Y-%m-%d"}
    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        include_comments=False,
        deduplicate=False,
        with_metadata=True,
        date_extraction_params=date_params,
    )
    if document is None or isinstance(document, dict):
        return None
    return TrafilaturaResult(
        text=document.text or "",
        title=document.title or None,
        author=document.author or None,
        date=document.date or None,
    )
