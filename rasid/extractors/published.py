"""Choosing the publication moment: meta tags, JSON-LD, dates printed near the title, <time>, htmldate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from lxml.html import HtmlElement

from .dates import iter_dates, parse_iso

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg"}
# How much text after (and before) the headline is searched for a printed date.
AFTER_TITLE_CHARS = 700
BEFORE_TITLE_CHARS = 250


def parse_any(value: str, tz: tzinfo, now: datetime | None) -> tuple[datetime, bool] | None:
    """(moment, has_time) from an ISO string or an Arabic date string; None when nothing parses."""
    iso = parse_iso(value, tz)
    if iso is not None:
        return iso, "T" in value or ":" in value
    for found in iter_dates(value, tz, now):
        return found.value, found.has_time
    return None


def is_suspect(value: datetime, has_time: bool) -> bool:
    """1 January with no time of day: typically a year taken from a "© 2022" footer."""
    return value.month == 1 and value.day == 1 and (not has_time or (value.hour, value.minute) == (0, 0))


def text_around_headline(tree: HtmlElement, title: str | None) -> tuple[str, str]:
    """(text before, text after) the page's headline <h1> (the one matching title when several)."""
    headings = list(tree.iter("h1"))
    target = headings[0] if headings else None
    if title and len(headings) > 1:
        for h in headings:
            text = " ".join(h.text_content().split())
            if text and (text in title or title in text):
                target = h
                break
    if target is None:
        return "", ""
    before: list[str] = []
    after: list[str] = []
    after_chars = 0
    seen_target = False
    inside = 0  # how many of the following nodes are the headline's own descendants (skipped)
    for el in tree.iter():
        if el is target:
            seen_target = True
            inside = sum(1 for _ in target.iter()) - 1
            if el.tail:
                after.append(el.tail)
            continue
        if inside:
            inside -= 1
            continue
        part = after if seen_target else before
        if isinstance(el.tag, str) and el.tag not in _SKIP_TAGS and el.text:
            part.append(el.text)
        if el.tail:
            part.append(el.tail)
        if seen_target:
            after_chars += len(el.text or "") + len(el.tail or "")
            if after_chars > AFTER_TITLE_CHARS * 3:
                break
    before_text = " ".join(" ".join(before[-200:]).split())[-BEFORE_TITLE_CHARS:]
    after_text = " ".join(" ".join(after).split())[:AFTER_TITLE_CHARS]
    return before_text, after_text


@dataclass(frozen=True)
class DateCandidates:
    """Publication-date evidence found by rasid itself, best source first."""

    strong: list[tuple[datetime, bool]]  # meta tags, JSON-LD
    printed: list[tuple[datetime, bool]]  # printed after the headline, then before it (nearest first)
    time_elements: list[tuple[datetime, bool]]

    def has_good(self) -> bool:
        """True when some candidate is not suspect (htmldate's costly search is then not needed)."""
        return any(not is_suspect(*c) for c in (*self.strong, *self.printed[:1], *self.time_elements))


def collect_candidates(
    strong: Sequence[str],
    near_title: tuple[str, str],
    time_elements: Sequence[str],
    tz: tzinfo,
    now: datetime | None = None,
) -> DateCandidates:
    """Parse the date strings of meta tags/JSON-LD and <time>, and the dates printed near the headline."""
    before, after = near_title
    printed = [(f.value, f.has_time) for f in iter_dates(after, tz, now)]
    printed += [(f.value, f.has_time) for f in reversed(list(iter_dates(before, tz, now)))]
    return DateCandidates(_parsed(strong, tz, now), printed, _parsed(time_elements, tz, now))


def choose_published(
    found: DateCandidates, htmldate_value: str | None, tz: tzinfo, now: datetime | None = None
) -> datetime | None:
    """Best publication moment, or None.

    Order: meta tags / JSON-LD, then a date printed just after the headline (else just before it),
    then <time> elements, then htmldate's guess. A suspect candidate (see is_suspect) is used only when
    no other candidate exists. A date-only winner takes its time from a printed date of the same day.
    """
    candidates = [*found.strong, *found.printed[:1], *found.time_elements]
    if htmldate_value:
        parsed = parse_any(htmldate_value, tz, now)
        if parsed is not None:
            candidates.append((parsed[0], False))
    if not candidates:
        return None
    good = [c for c in candidates if not is_suspect(*c)]
    value, has_time = (good or candidates)[0]
    if not has_time:
        for other, other_has_time in found.printed:
            if other_has_time and other.date() == value.date():
                return other
    return value


def _parsed(values: Iterable[str], tz: tzinfo, now: datetime | None) -> list[tuple[datetime, bool]]:
    out: list[tuple[datetime, bool]] = []
    for value in values:
        parsed = parse_any(value, tz, now)
        if parsed is not None:
            out.append(parsed)
    return out
