"""Compiled term lookup: one Aho-Corasick automaton over normalised text, affix and word-boundary checks."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

import ahocorasick

from rasid.matching.affixes import is_future
from rasid.matching.normalize import WORD, NormalizedText, normalize_mapped
from rasid.matching.sentences import sentence_spans
from rasid.matching.terms import Term, WordPattern


@dataclass(frozen=True)
class Occurrence:
    """Term number `term` found on words first..last (inclusive) of a scanned field."""

    term: int
    first: int
    last: int
    future: bool


@dataclass
class FieldScan:
    """One field after scanning: its words, sentences and every term occurrence."""

    name: str
    norm: NormalizedText
    starts: list[int]
    ends: list[int]
    occurrences: list[Occurrence] = field(default_factory=list)
    _sentences: list[tuple[int, int]] | None = None
    _sentence_starts: list[int] | None = None

    @property
    def sentences(self) -> list[tuple[int, int]]:
        if self._sentences is None:
            self._sentences = sentence_spans(self.norm.text) or [(0, len(self.norm.text))]
            self._sentence_starts = [s for s, _ in self._sentences]
        return self._sentences

    def sentence_of(self, word: int) -> int:
        """Index of the sentence holding word number `word`."""
        _ = self.sentences
        assert self._sentence_starts is not None
        return max(0, bisect_right(self._sentence_starts, self.starts[word]) - 1)

    def word(self, index: int) -> str:
        return self.norm.text[self.starts[index] : self.ends[index]]

    def original_words(self, first: int, last: int) -> tuple[str, int, int]:
        """Original text and offsets of words first..last."""
        start, end = self.norm.to_original(self.starts[first], self.ends[last])
        return self.norm.original[start:end], start, end

    def original_sentence(self, index: int) -> tuple[str, int, int]:
        s, e = self.sentences[index]
        start, end = self.norm.to_original(s, e)
        return self.norm.original[start:end], start, end


class CompiledTerms:
    """All terms of a watchlist compiled once; `scan` finds them in a text through clitics and suffixes."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = list(terms)
        pattern_ids: dict[WordPattern, int] = {}
        self.patterns: list[WordPattern] = []
        self.term_patterns: list[tuple[int, ...]] = []
        self.starting_with: dict[int, list[int]] = {}
        by_core: dict[str, list[int]] = {}
        for term_id, term in enumerate(self.terms):
            ids = []
            for word in term.words:
                pid = pattern_ids.get(word)
                if pid is None:
                    pid = pattern_ids[word] = len(self.patterns)
                    self.patterns.append(word)
                    by_core.setdefault(word.core, []).append(pid)
                ids.append(pid)
            self.term_patterns.append(tuple(ids))
            self.starting_with.setdefault(ids[0], []).append(term_id)
        self._automaton: ahocorasick.Automaton | None = None
        if by_core:
            automaton = ahocorasick.Automaton()
            for core, pids in by_core.items():
                automaton.add_word(core, (len(core), tuple(pids)))
            automaton.make_automaton()
            self._automaton = automaton

    def scan(self, text: str, name: str) -> FieldScan:
        """Find every term in `text` (word boundaries, allowed affixes, phrase words adjacent)."""
        norm = normalize_mapped(text)
        s = norm.text
        result = FieldScan(name, norm, [], [])
        if self._automaton is None:
            return result
        patterns = self.patterns
        raw: list[tuple[int, int, tuple[int, ...]]] = []
        for end_index, (length, pids) in self._automaton.iter(s):
            raw.append((end_index - length + 1, end_index + 1, pids))
        if not raw:
            return result
        spans = [m.span() for m in WORD.finditer(s)]
        starts = result.starts
        starts.extend(a for a, _ in spans)
        result.ends.extend(b for _, b in spans)
        ends = result.ends
        hits: dict[int, dict[int, str]] = {}
        for start, end, pids in raw:
            w = bisect_right(starts, start) - 1
            if w < 0 or ends[w] < end:
                continue
            prefix = s[starts[w] : start]
            suffix = s[end : ends[w]]
            for pid in pids:
                if patterns[pid].accepts(prefix, suffix):
                    hits.setdefault(w, {})[pid] = prefix
        for w, found in hits.items():
            for pid, prefix in found.items():
                for term_id in self.starting_with.get(pid, ()):
                    words = self.term_patterns[term_id]
                    if all(pid_j in hits.get(w + j, ()) for j, pid_j in enumerate(words[1:], 1)):
                        result.occurrences.append(
                            Occurrence(term_id, w, w + len(words) - 1, is_future(prefix))
                        )
        return result
