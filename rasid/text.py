"""Untrusted text from outlets made fit to show: one cleaner for alerts, the digest and the desk.

Cleaning removes what could reorder or hide text (bidi controls, zero-width and other invisible format
characters, C0/C1 controls), folds whitespace runs to one space, and cuts to a length on a word boundary
with "…". `clean_marked` does the same while keeping marked spans (matched words) on the same characters.
Escaping for a markup is not done here: each output escapes for its own markup. Imports nothing of rasid.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Marks, embeddings, overrides and isolates: a title carrying them can reorder what follows it."""
INVISIBLE = "\u00ad\u180e\u200b\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f\ufeff"
"""Zero-width space, word joiner, BOM, soft hyphen and other format characters that show nothing. The
zero-width (non-)joiners U+200C/U+200D are kept: they shape Persian and Arabic script and emoji."""
_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0x85)))
_CONTROLS += "".join(chr(c) for c in range(0x86, 0xA0))
# One character class: removing with it is ~15x cheaper than str.translate on Arabic text.
_DROP = re.compile("[" + re.escape(BIDI_CONTROLS + INVISIBLE + _CONTROLS) + "]")
_JUNK = re.compile("[" + re.escape(BIDI_CONTROLS + INVISIBLE + _CONTROLS) + r"\s]+")
"""A run of characters that cleaning drops or folds (whitespace) into at most one space."""
WORD_SLACK = 0.8
"""A cut goes back to the last space only if that keeps at least this share of the allowed length."""

Span = tuple[int, int]


def _is_clean(text: str) -> bool:
    """True when cleaning would not change `text` (the usual case, checked fast): every character that is
    dropped or folded (controls, format characters, whitespace other than a space) is not printable."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def clean(text: str | None, limit: int | None = None) -> str:
    """One line of untrusted text: invisible and bidi controls removed, whitespace runs made one space,
    stripped, and cut to at most `limit` characters (ellipsis included) on a word boundary."""
    if not text:
        return ""
    # `_is_clean` and `cut` written out: this runs several times per alert sent.
    if not (text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "):
        text = " ".join(_DROP.sub("", text).split())
    if limit is None or len(text) <= limit:
        return text
    return text[: _cut_at(text, limit)].rstrip() + ELLIPSIS


def cut(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its start up to the last space that keeps most of it
    (a hard cut in a long word), trailing space removed, and "…"; at most `limit` characters."""
    return text if len(text) <= limit else text[: _cut_at(text, limit)].rstrip() + ELLIPSIS


def _cut_at(text: str, limit: int) -> int:
    """Where to cut `text` (longer than `limit`) so that the cut text and the ellipsis fit."""
    room = max(limit - 1, 0)
    space = text.rfind(" ", 0, room + 1)
    return space if space >= room * WORD_SLACK and space > 0 else room


def clean_marked(text: str | None, spans: list[Span], limit: int | None = None) -> tuple[str, list[Span]]:
    """`clean(text, limit)` and the spans moved onto the same characters of the cleaned text: sorted,
    overlapping ones merged, empty ones dropped, cut ones ending at the cut."""
    text = text or ""
    spans = _merged([(s, e) for s, e in spans if 0 <= s < e <= len(text)])
    if not _is_clean(text):
        text, spans = _remap(text, spans)
    if limit is not None and len(text) > limit:
        end = len(text[: _cut_at(text, limit)].rstrip())
        text = text[:end] + ELLIPSIS
        spans = [(s, min(e, end)) for s, e in spans if s < end]
    return text, spans


def _merged(spans: list[Span]) -> list[Span]:
    if len(spans) < 2:
        return spans
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def _remap(text: str, spans: list[Span]) -> tuple[str, list[Span]]:
    """Clean run by run (a run of kept characters is copied whole; a run of dropped characters and
    whitespace becomes one space, or nothing at either end), recording where each kept character lands."""
    out: list[str] = []
    where = [-1] * len(text)
    size = 0
    pos = 0
    for m in _JUNK.finditer(text):
        start, end = m.span()
        if start > pos:
            where[pos:start] = range(size, size + start - pos)
            out.append(text[pos:start])
            size += start - pos
        pos = end
        if size and end < len(text):  # a space between kept characters: the run's first whitespace
            for i in range(start, end):
                ch = text[i]
                if ch.isspace() and not _DROP.match(ch):
                    where[i] = size
                    out.append(" ")
                    size += 1
                    break
    if pos < len(text):
        where[pos:] = range(size, size + len(text) - pos)
        out.append(text[pos:])
        size += len(text) - pos
    moved: list[Span] = []
    for s, e in spans:
        kept = [where[i] for i in range(s, e) if 0 <= where[i] < size]
        if kept:
            moved.append((kept[0], kept[-1] + 1))
    return "".join(out), _merged(moved)
