"""What matching finds in one article: its normalised fields (sentences, word numbers, negation) and the hits
of watch terms in them, grouped per topic, with the modality cues of each sentence."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from rasid.matching.compiled import CompiledTerms, RawHit, RawOccurrence
from rasid.matching.modality import AUXILIARIES, NEGATORS
from rasid.matching.normalize import WORD, normalize_mapped
from rasid.matching.sentences import sentence_spans
from rasid.matching.terms import Term

DENIAL = "denial"
BACKGROUND = "background"
PLANNED = "planned"

Key = tuple[int, int]
"""(field index, sentence index): one sentence of an article."""
_PREVIOUS_WORD = re.compile(r"[\W_]+([^\W_]+)(?:[\W_]+([^\W_]+))?")
"""On the reversed text: the word before a position and the one before that (both reversed)."""
_NEGATORS_REVERSED = frozenset(n[::-1] for n in NEGATORS)
_AUXILIARIES_REVERSED = frozenset(v[::-1] for v in AUXILIARIES)


class Hit:
    """A group's term found in a sentence of a field.

    `start` and `end` are the term's normalised character span, `last_start` the start of its last word.
    `first` and `last` number its first and last word within the sentence, counted on first use (only
    `near` and `not_near` need them, and they only compare hits of one sentence)."""

    __slots__ = (
        "_first",
        "_last",
        "_negated",
        "_text",
        "end",
        "field",
        "future",
        "group",
        "last_start",
        "sentence",
        "start",
        "term",
    )

    def __init__(
        self,
        text: FieldText,
        field: int,
        sentence: int,
        start: int,
        end: int,
        last_start: int,
        term: Term,
        future: bool,
        group: str,
    ) -> None:
        self._text = text
        self.field = field
        self.sentence = sentence
        self.start = start
        self.end = end
        self.last_start = last_start
        self.term = term
        self.future = future
        self.group = group
        self._first = self._last = -1
        self._negated: bool | None = None

    @property
    def negated(self) -> bool:
        """Whether a negator stands before this hit (computed on first use: most hits are never asked)."""
        if self._negated is None:
            self._negated = self._text.negated(self.start)
        return self._negated

    @property
    def first(self) -> int:
        if self._first < 0:
            self._first = self._text.word_number(self.sentence, self.start)
        return self._first

    @property
    def last(self) -> int:
        if self._last < 0:
            self._last = self._text.word_number(self.sentence, self.last_start)
        return self._last


class FieldText:
    """One normalised field; sentences, word numbers and the reversed text are built only when asked for."""

    __slots__ = (
        "_reversed",
        "_sentence_starts",
        "_sentences",
        "_words",
        "name",
        "norm",
        "occurrences",
        "raw",
        "text",
    )

    def __init__(self, name: str, value: str, compiled: CompiledTerms) -> None:
        self.name = name
        self.norm = normalize_mapped(value)
        self.text = self.norm.text
        self.raw: list[RawHit] = compiled.raw_hits(self.text)
        self.occurrences: list[RawOccurrence] = []
        self._sentences: list[tuple[int, int]] | None = None
        self._sentence_starts: list[int] = []
        self._words: dict[int, list[int]] = {}
        self._reversed: str | None = None

    @property
    def sentences(self) -> list[tuple[int, int]]:
        if self._sentences is None:
            self._sentences = sentence_spans(self.text) or [(0, len(self.text))]
            self._sentence_starts = [s for s, _ in self._sentences]
        return self._sentences

    def sentence_at(self, pos: int) -> int:
        """Index of the sentence holding the word that starts at `pos`."""
        _ = self.sentences
        return max(0, bisect_right(self._sentence_starts, pos) - 1)

    def word_number(self, sentence: int, pos: int) -> int:
        """Number, within its sentence, of the word starting at `pos`."""
        starts = self._words.get(sentence)
        if starts is None:
            s, e = self.sentences[sentence]
            starts = self._words[sentence] = [m.start() for m in WORD.finditer(self.text, s, e)]
        return bisect_left(starts, pos)

    def negated(self, pos: int) -> bool:
        """Whether the word starting at `pos` is negated: a negator (لم، لن، لا ...) right before it, or
        before an auxiliary right before it (لا تنوي الانضمام، لم يتم تسليم)."""
        if self._reversed is None:
            self._reversed = self.text[::-1]
        m = _PREVIOUS_WORD.match(self._reversed, len(self.text) - pos)
        if m is None:
            return False
        if m.group(1) in _NEGATORS_REVERSED:
            return True
        return m.group(1) in _AUXILIARIES_REVERSED and m.group(2) in _NEGATORS_REVERSED

    def original_span(self, start: int, end: int) -> tuple[str, int, int]:
        """Original text and offsets of normalised [start, end)."""
        o_start, o_end = self.norm.to_original(start, end)
        return self.norm.original[o_start:o_end], o_start, o_end

    def original_sentence(self, index: int) -> tuple[str, int, int]:
        return self.original_span(*self.sentences[index])


class ArticleHits:
    """Per-article facts shared by every topic: hits per topic and group, denied and planned sentences."""

    def __init__(self, fields: list[FieldText]) -> None:
        self.scans = fields
        self.hits: dict[int, dict[str, list[Hit]]] = {}
        self.cues: dict[str, dict[Key, str]] = {DENIAL: {}, PLANNED: {}, BACKGROUND: {}}

    def snippet(self, key: Key, limit: int = 70) -> str:
        text = self.scans[key[0]].original_sentence(key[1])[0]
        text = " ".join(text.split())
        where = f"{self.scans[key[0]].name} sentence {key[1] + 1}"
        return f"{where} «{text[:limit]}{'…' if len(text) > limit else ''}»"
