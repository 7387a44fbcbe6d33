"""Page language from the share of Arabic letters in the text, falling back on the page's lang attribute."""

from __future__ import annotations

import re

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF\u0750-\u077F]")
_LETTER = re.compile(r"[^\W\d_]")

ARABIC_SHARE = 0.5


def arabic_share(text: str) -> float:
    """Share of letters in text that are Arabic letters (0.0 when there are no letters)."""
    letters = _LETTER.subn("", text)[1]  # counts the matches without building a list of them
    return _ARABIC_LETTER.subn("", text)[1] / letters if letters else 0.0


def detect_language(text: str, declared: str | None, hint: str | None) -> str | None:
    """'ar' when most letters are Arabic; else the page's declared language (primary subtag); else hint
    when the text does not contradict it (a non-Arabic text is not labelled 'ar')."""
    if arabic_share(text) >= ARABIC_SHARE:
        return "ar"
    if declared:
        primary = declared.strip().lower().replace("_", "-").split("-")[0]
        if primary.isalpha() and 2 <= len(primary) <= 3 and primary != "ar":
            return primary
    if hint and hint != "ar":
        return hint
    return None
