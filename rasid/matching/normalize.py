"""Arabic normalisation, identical for watch terms and article text, with a map back to the original."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

# Characters removed outright: tashkeel, Quranic marks, tatweel, zero-width and bidi controls.
_REMOVED = [
    *range(0x0610, 0x061B),
    *range(0x064B, 0x0660),
    0x0670,
    *range(0x06D6, 0x06EE),
    0x0640,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0xFEFF,
    0x00AD,
]

_MAPPED: dict[str, str] = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ى": "ي",
    "ی": "ي",
    "ې": "ي",
    "ة": "ه",
    "ۀ": "ه",
    "ؤ": "ء",  # مسؤول / مسئول are one word: fold hamza seats to the bare hamza
    "ئ": "ء",
    "ک": "ك",
    "ﻻ": "لا",
    "ﻷ": "لا",
    "ﻹ": "لا",
    "ﻵ": "لا",
}
for _quote in "«»“”„‟‘’‚‛‹›`´\"'":
    _MAPPED[_quote] = '"'
for _i in range(10):
    _MAPPED[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _MAPPED[chr(0x06F0 + _i)] = str(_i)  # Persian digits
for _c in range(ord("A"), ord("Z") + 1):
    _MAPPED[chr(_c)] = chr(_c + 32)

_TABLE: dict[int, str | None] = {cp: None for cp in _REMOVED}
_TABLE.update({ord(k): v for k, v in _MAPPED.items()})

WORD = re.compile(r"[^\W_]+")
"""A word of normalised text: a run of letters and digits."""


_CHANGED = re.compile("[" + "".join(re.escape(chr(c)) for c in _TABLE) + "]+")


def _replace(m: re.Match[str]) -> str:
    return m.group().translate(_TABLE)


_LETTER = "\u0621-\u064a"
_JUNK = ".\\-_*|·•+"
_SPLIT_WORD = re.compile(f"[{_LETTER}]+(?:[{_JUNK}1][{_LETTER}]+)+")
_PIECE = re.compile(f"[{_JUNK}1]")
_PLANTED = re.compile(f"[{_LETTER}][{_JUNK}1][{_LETTER}]")
"""The cheap test first: most texts have no character between two letters at all."""
_HIDDEN_MAX = 7
"""Words hidden from filters by a planted character (داعـ.ـش، دا.عش، دا-عش، د1عش) are short: at most this many
letters once joined. Longer runs are two words run together at a missing space (الحدود.وذكرت) and keep it."""


def _deobfuscation(text: str) -> dict[int, str]:
    """Positions in `text` (already normalised by the character table) to delete (or, for 1, make ا).

    A dot, dash, underscore, star, bar, middle dot, plus or digit 1 planted between the letters of one short
    word is removed, when the letters before the first one are at least two: abbreviations and titles
    (ج.م.ع، أ.د.، د.محمد) start with a single letter and keep their dots; a 1 needs no such check."""
    edits: dict[int, str] = {}
    first = _PLANTED.search(text)
    if first is None:
        return edits
    start = first.start()
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] in _JUNK + "1"):
        start -= 1  # back to the start of the word, so its first piece is whole
    for m in _SPLIT_WORD.finditer(text, start):
        word = m.group()
        pieces = _PIECE.split(word)
        dotted = any(c != "1" for c in _PIECE.findall(word))
        if (dotted and len(pieces[0]) < 2) or sum(map(len, pieces)) > _HIDDEN_MAX:
            continue
        if "1" not in word and len(pieces) == 2 and min(map(len, pieces)) >= 3:
            continue  # two whole words at a missing space (قال.وأضاف), not a hidden one
        for j in _PIECE.finditer(word):
            edits[m.start() + j.start()] = "ا" if j.group() == "1" else ""
    return edits


def _apply(text: str, edits: dict[int, str]) -> str:
    out, prev = [], 0
    for i in sorted(edits):
        out.append(text[prev:i])
        out.append(edits[i])
        prev = i + 1
    out.append(text[prev:])
    return "".join(out)


def normalize(text: str) -> str:
    """The normalised form of `text` (DESIGN.md "Arabic text"); positions shift, see `normalize_mapped`."""
    norm = _CHANGED.sub(_replace, text)
    edits = _deobfuscation(norm)
    return _apply(norm, edits) if edits else norm


_SPECIAL = re.compile("[" + "".join(chr(c) for c, v in _TABLE.items() if v is None or len(v) != 1) + "]")


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text plus, built on first use, breakpoints mapping normalised positions to original ones."""

    original: str
    text: str
    extra: dict[int, str] = field(default_factory=dict, repr=False, compare=False)
    """Edits at original positions beyond the character table (obfuscation removed): index -> replacement."""
    _breaks: list[int] = field(default_factory=list, repr=False, compare=False)
    _shifts: list[int] = field(default_factory=list, repr=False, compare=False)

    def _edits(self) -> list[tuple[int, str | None]]:
        edits: list[tuple[int, str | None]] = [
            (m.start(), _TABLE[ord(m.group())]) for m in _SPECIAL.finditer(self.original)
        ]
        if self.extra:
            edits = sorted(edits + list(self.extra.items()))
        return edits

    def _build(self) -> None:
        breaks, shifts = [0], [0]
        norm_pos = prev = 0
        for i, out in self._edits():
            norm_pos += i - prev
            for j in range(len(out or "")):
                breaks.append(norm_pos + j)
                shifts.append(i - norm_pos - j)
            norm_pos += len(out or "")
            breaks.append(norm_pos)
            shifts.append(i + 1 - norm_pos)
            prev = i + 1
        self._breaks.extend(breaks)
        self._shifts.extend(shifts)

    def original_index(self, pos: int) -> int:
        """Index in `original` of the normalised character at `pos`."""
        if not self._breaks:
            self._build()
        return pos + self._shifts[bisect_right(self._breaks, pos) - 1]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering normalised [start, end), with trailing removed marks kept."""
        if start >= end:
            return start, start
        o_start = self.original_index(start)
        o_end = self.original_index(end - 1) + 1
        while o_end < len(self.original) and _TABLE.get(ord(self.original[o_end]), "x") is None:
            o_end += 1
        return o_start, o_end


def normalize_mapped(text: str) -> NormalizedText:
    """Normalise `text`, keeping what is needed to map normalised positions back to `text`."""
    norm = _CHANGED.sub(_replace, text)
    edits = _deobfuscation(norm)
    if not edits:
        return NormalizedText(text, norm)
    first = NormalizedText(text, norm)
    extra = {first.original_index(i): out for i, out in edits.items()}
    return NormalizedText(text, _apply(norm, edits), extra)


def words(text: str) -> list[str]:
    """The words of already-normalised text."""
    return WORD.findall(text)
