"""Building the lxml tree from decoded text, and reading a body from a per-outlet CSS selector."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from .article import ExtractionError

_MARKUP = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|article|meta|title|span|a|table|section)\b", re.I)
_BLOCKS = {
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
    "tr", "pre", "ul", "ol", "figure", "figcaption", "header", "footer", "table",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "button", "form", "figcaption"}


def parse_html(text: str) -> HtmlElement:
    """Parse decoded page text; ExtractionError when it is not HTML at all."""
    if not _MARKUP.search(text[:200_000]):
        raise ExtractionError("no HTML markup found")
    tree = load_html(text)
    if tree is None:
        raise ExtractionError("lxml could not build a document")
    return tree


def select_body_text(tree: HtmlElement, selector: str) -> str:
    """Text of the elements matching a CSS selector; <p>, <div>, <br> ... start new lines."""
    try:
        elements = tree.cssselect(selector)
    except Exception as err:  # cssselect raises its own SelectorSyntaxError family
        raise ValueError(f"bad body_selector {selector!r}: {err}") from err
    parts: list[str] = []
    for el in elements:
        _collect(el, parts)
        parts.append("\n")
    return "".join(parts)


def _collect(el: etree._Element, parts: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP:
        return
    block = tag in _BLOCKS
    if block:
        parts.append("\n")
    if el.text and tag:
        parts.append(el.text)
    for child in el:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")
