"""The plain keyword rule the issue names, as a tiny classifier independent of rasid's matcher.

A topic fires when one sentence of the article (the title is a sentence of its own) holds a word of each of
its two lists:

  new_member     a join word (انضم / ينضم / تنضم / انضمام ...)  + a coalition word (التحالف)
  camp_handover  a handover word (تسلم / سلم / تسليم / استلم / نقل) + a camp word (مخيم / سجن / الهول / روج)
  communique     a statement word (بيان)                          + a ministers word (وزراء / وزير / وزاري)

Only rasid's normalisation (`rasid.matching.normalize`) is shared with the matcher. A word is a
keyword when it is one of the stems with clitics in front (و ف, ب ك ل, ال لل, and for verbs س and
ي ت ن ا) and an ending of up to four of the letters ا ت ن ه م ي و (انضمامها، تسلمتها، مخيمات،
بيانهم، الوزارية). No context, no negation, no distance: the rule a desk would type into a search box.
"""

from __future__ import annotations

import re

from rasid.matching import normalize

_PREFIX = r"(?:[وف])?(?:لل|[بكل]?ال|[بكل]|س?[يتنا]?)"
_ENDING = r"[اتنهميو]{0,4}"

KEYWORDS: dict[str, tuple[str, ...]] = {
    "join": ("انضم", "ينضم", "تنضم", "ننضم"),
    "coalition": ("تحالف",),
    "handover": ("تسلم", "سلم", "تسليم", "استلم", "ستلم", "نقل"),
    "camp": ("مخيم", "سجن", "هول", "روج"),
    "statement": ("بيان",),
    "ministers": ("وزراء", "وزير", "وزاري"),
}
"""Keyword stems, in plain spelling (normalised before use)."""

TOPICS: dict[str, tuple[str, str]] = {
    "new_member": ("join", "coalition"),
    "camp_handover": ("handover", "camp"),
    "communique": ("statement", "ministers"),
}
"""Each topic: the two keyword lists that must meet in one sentence."""

_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?؟؛…\n]+")
_PATTERNS = {
    name: re.compile(_PREFIX + "(?:" + "|".join(normalize(s) for s in stems) + ")" + _ENDING)
    for name, stems in KEYWORDS.items()
}


def _kinds(sentence: str) -> set[str]:
    """The keyword lists that have a word in the (normalised) sentence."""
    found: set[str] = set()
    for word in _WORD.findall(sentence):
        for name, pattern in _PATTERNS.items():
            if name not in found and pattern.fullmatch(word):
                found.add(name)
    return found


def classify(text: str, title: str | None = None) -> set[str]:
    """The topics the keyword rule fires on for an article."""
    fired: set[str] = set()
    sentences = _SENTENCE_END.split(normalize(text))
    if title:
        sentences.append(normalize(title))
    for sentence in sentences:
        kinds = _kinds(sentence)
        if len(kinds) < 2:
            continue
        for topic, (first, second) in TOPICS.items():
            if first in kinds and second in kinds:
                fired.add(topic)
    return fired
