"""Recovering the article lead (schema.org itemprop="description" in the body) when trafilatura drops it."""

from __future__ import annotations

from collections.abc import Sequence

from lxml.html import HtmlElement

LEAD_MIN_CHARS = 40
# The lead must be followed, within this many text nodes, by the first extracted body line.
FOLLOWING_TEXT_NODES = 60
_PROBE_CHARS = 40


def _squash(text: str) -> str:
    return " ".join(text.split())


def recover_lead(tree: HtmlElement, lines: Sequence[str]) -> list[str]:
    """Prepend the lead paragraph when the page marks it itemprop="description", the extraction lacks it,
    and the extracted body starts right after it in the page."""
    out = list(lines)
    if not out:
        return out
    body_text = _squash("\n".join(out))
    probe = _squash(out[0])[:_PROBE_CHARS]
    for el in tree.xpath('//body//*[@itemprop="description"][not(self::meta)]'):
        lead = _squash(el.text_content())
        if len(lead) < LEAD_MIN_CHARS or lead in body_text:
            continue
        following = _squash(" ".join(el.xpath(f"following::text()[position() <= {FOLLOWING_TEXT_NODES}]")))
        if probe and probe in following:
            return [lead, *out]
    return out
