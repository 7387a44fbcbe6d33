"""Parsing one watch term (a word, a phrase, `word*` or `=word`) into normalised per-word patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rasid.matching import affixes
from rasid.matching.normalize import WORD, normalize

_MARKS = re.compile("[\u064b-\u065f\u0670\u0640\\s]+")


class TermError(ValueError):
    """A watch term that cannot be used; the message says why."""


@dataclass(frozen=True)
class WordPattern:
    """One word of a term: its normalised core and the affixes allowed around it (suffixes None = any)."""

    core: str
    prefixes: frozenset[str]
    suffixes: frozenset[str] | None

    def accepts(self, prefix: str, suffix: str) -> bool:
        return prefix in self.prefixes and (self.suffixes is None or suffix in self.suffixes)


@dataclass(frozen=True)
class Term:
    """A watch term as written and the words it must match, in order and adjacent."""

    text: str
    words: tuple[WordPattern, ...]


def _ends_with_ta_marbuta(raw: str) -> bool:
    return _MARKS.sub("", raw).endswith("ة")


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


def _word_pattern(raw: str, first: bool) -> list[WordPattern]:
    exact = raw.startswith("=")
    wild = raw.endswith("*")
    body = raw[1 if exact else 0 : len(raw) - 1 if wild else len(raw)]
    if exact and wild:
        raise TermError(f"word {raw!r} has both '=' (exact) and '*' (any ending); use one")
    if "*" in body or "=" in body:
        raise TermError(f"word {raw!r}: '*' may only end a word and '=' only start one")
    found = WORD.findall(normalize(body))
    if not found:
        raise TermError(f"word {raw!r} has no letters or digits")
    if (exact or wild) and len(found) > 1:
        raise TermError(f"word {raw!r} splits into several words; put the marker on one word")
    patterns = []
    for i, word in enumerate(found):
        is_first = first and i == 0
        if not _is_arabic(word):
            patterns.append(WordPattern(word, affixes.PREFIXES_NONE, None if wild else affixes.SUFFIXES_NONE))
            continue
        definite = word.startswith(affixes.ARTICLE) and len(word) - 2 >= 3
        core = word[2:] if definite else word
        if len(core) < 2 or (len(core) < 3 and not exact):
            raise TermError(
                f"word {raw!r} is too short to match safely inside Arabic words; "
                f"write '={word}' to match it exactly"
            )
        suffixes: frozenset[str] | None
        if wild:
            suffixes = None
        elif exact:
            suffixes = affixes.SUFFIXES_NONE
        elif _ends_with_ta_marbuta(body) and i == len(found) - 1 and len(core) >= 3:
            core, suffixes = core[:-1], affixes.SUFFIXES_TA_MARBUTA
        else:
            suffixes = affixes.SUFFIXES_WORD
        patterns.append(WordPattern(core, affixes.prefixes_for(core, definite, is_first), suffixes))
    return patterns


def parse_term(text: str) -> Term:
    """Parse a term: words split by spaces; `word*` = any ending, `=word` = no ending (clitics allowed)."""
    if not isinstance(text, str):
        raise TermError(f"terms are strings, not {type(text).__name__}")
    raws = text.split()
    if not raws:
        raise TermError("empty term")
    words: list[WordPattern] = []
    for raw in raws:
        words.extend(_word_pattern(raw, first=not words))
    return Term(text.strip(), tuple(words))
