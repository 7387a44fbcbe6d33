"""Turning page bytes into text: BOM, strict UTF-8, declared charset, then the most plausible Arabic codec."""

from __future__ import annotations

import codecs
import re

# How much of the page is looked at to judge a candidate encoding.
_SAMPLE_BYTES = 512 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Codecs tried when the page is not valid UTF-8, whatever it declares: the legacy Arabic ones.
_ARABIC_CODECS = ("cp1256", "iso-8859-6")

_GOOD = re.compile(r"[A-Za-z\u0600-\u06FF\u0750-\u077F\u0400-\u04FF\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]")
# Signs of a wrong codec: replacement characters, C1 controls, Latin-1 symbols and accented letters,
# and the typographic marks cp1256 produces from UTF-8 lead bytes (mojibake such as "ط§ظ„").
_BAD = re.compile(
    r"[\uFFFD\u0080-\u009F\u00A1-\u00FF\u2018-\u2022\u2026\u2030\u2039\u203A\u0152\u0153\u0192]"
)


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset named by an HTTP Content-Type value, else by a <meta> tag near the top, if any."""
    name: str | None = None
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            name = m.group(1)
    if name is None:
        m2 = _META_CHARSET.search(data[:8192])
        if m2:
            name = m2.group(1).decode("ascii", "ignore")
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def plausibility(text: str) -> int:
    """Higher for text that looks correctly decoded: letters of real scripts minus mojibake signs."""
    return len(_GOOD.findall(text)) - 3 * len(_BAD.findall(text))


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes; return (text, codec name).

    Order: a BOM; strict UTF-8 (valid UTF-8 is almost never an accident, whatever the page declares);
    then among the declared charset, cp1256, ISO-8859-6 and lenient UTF-8 (a UTF-8 page with a few bad
    bytes), the candidate whose decoding looks most like real text (see plausibility).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    declared = declared_charset(data, content_type)
    if declared and declared != "utf-8":
        candidates.append(declared)
    candidates += [c for c in (*_ARABIC_CODECS, "utf-8") if codecs.lookup(c).name not in candidates]
    sample = data[:_SAMPLE_BYTES]
    best, best_score = "utf-8", None
    for codec in candidates:
        try:
            score = plausibility(sample.decode(codec, errors="replace"))
        except LookupError:
            continue
        if best_score is None or score > best_score:
            best, best_score = codec, score
    return data.decode(best, errors="replace"), codecs.lookup(best).name
