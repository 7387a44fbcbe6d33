"""Compiled term lookup: one Aho-Corasick automaton over normalised text, affix and word-boundary checks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from itertools import compress
from operator import itemgetter

import ahocorasick

from rasid.matching.affixes import is_future
from rasid.matching.terms import Term, WordPattern

_WORD_RUN = re.compile(r"[^\W_]*")
"""Word characters from a position on (on the reversed text: word characters before a position)."""
_GAP = re.compile(r"[\W_]*")
"""Non-word characters from a position on: where the next word starts."""

_VALUE, _CORE = itemgetter(1), itemgetter(4)  # of a RawHit, of its value: the core number
RawHit = tuple[int, tuple[int, int, int, tuple[tuple[int, frozenset[str], frozenset[str] | None], ...], int]]
"""An Aho-Corasick hit: (end index, (core length, longest prefix, longest suffix or -1 for any, the
patterns of that core as (pattern number, prefixes, suffixes), core number))."""
RawOccurrence = tuple[int, int, int, int, bool]
"""A term found in normalised text: (term number, start of its first word, end of its last word, start of
its last word, future prefix), positions in the normalised text."""


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
        # Hot-loop metadata as plain tuples: for a pattern, the terms it starts and their other patterns.
        self._starts: list[tuple[tuple[int, tuple[int, ...]], ...]] = [
            tuple((t, self.term_patterns[t][1:]) for t in self.starting_with.get(pid, ()))
            for pid in range(len(self.patterns))
        ]
        core_ids = {core: i for i, core in enumerate(by_core)}
        pattern_core = {pid: core_ids[self.patterns[pid].core] for pid in range(len(self.patterns))}
        self.term_cores: list[frozenset[int]] = [
            frozenset(pattern_core[pid] for pid in ids) for ids in self.term_patterns
        ]
        """For each term, the numbers of the cores of its words (as in `RawHit`)."""
        self.first_cores: list[int] = [pattern_core[ids[0]] for ids in self.term_patterns]
        """For each term, the number of the core of its first word."""
        self.core_count = len(core_ids)
        self._automaton: ahocorasick.Automaton | None = None
        if by_core:
            automaton = ahocorasick.Automaton()
            for core_id, (core, pids) in enumerate(by_core.items()):
                words = [self.patterns[pid] for pid in pids]
                longest_prefix = max(len(p) for w in words for p in w.prefixes)
                longest_suffix = -1  # -1: some pattern takes any ending (`word*`)
                if all(w.suffixes is not None for w in words):
                    longest_suffix = max(len(x) for w in words for x in w.suffixes or ())
                candidates = tuple((pid, w.prefixes, w.suffixes) for pid, w in zip(pids, words, strict=True))
                automaton.add_word(core, (len(core), longest_prefix, longest_suffix, candidates, core_id))
            automaton.make_automaton()
            self._automaton = automaton

    def raw_hits(self, s: str) -> list[RawHit]:
        """Every core found anywhere in normalised text `s` (inside words too), before any checks."""
        return [] if self._automaton is None else list(self._automaton.iter(s))

    def find(
        self, s: str, raw: list[RawHit] | None = None, cores: AbstractSet[int] | None = None
    ) -> list[RawOccurrence]:
        """Every term in normalised text `s` (word boundaries, allowed affixes, phrase words adjacent).

        One Aho-Corasick pass over the whole text (or `raw`, from `raw_hits(s)`); each core found is
        checked against the word around it with at most two anchored, length-bounded regular expression
        matches (no list of all the words). Order: by first word, then as the terms were compiled, the
        same as `scan`. With `cores`, only those core numbers are checked: terms with all their cores in
        it are found exactly as without, others may be missed."""
        if self._automaton is None:
            return []
        hits: Iterable[RawHit] = self._automaton.iter(s) if raw is None else raw
        if cores is not None and raw:  # keep the hits on `cores`, selected in C
            hits = compress(raw, map(cores.__contains__, map(_CORE, map(_VALUE, raw))))
        n = len(s)
        rev: str | None = None
        word_run = _WORD_RUN.match
        # word start -> [word end, {pattern: prefix}], in text order
        words: dict[int, tuple[int, dict[int, str]]] = {}
        for end_index, (length, longest_prefix, longest_suffix, candidates, _) in hits:
            end = end_index + 1
            start = end - length
            if start and s[start - 1].isalnum():  # str.isalnum is exactly [^\W_]
                if rev is None:
                    rev = s[::-1]
                back = n - start
                k = word_run(rev, back, back + longest_prefix + 1).end() - back  # type: ignore[union-attr]
                if k > longest_prefix:
                    continue
                word_start = start - k
                prefix = s[word_start:start]
            else:
                word_start = start
                prefix = ""
            if end < n and s[end].isalnum():
                if longest_suffix < 0:
                    word_end = word_run(s, end).end()  # type: ignore[union-attr]
                else:
                    word_end = word_run(s, end, end + longest_suffix + 1).end()  # type: ignore[union-attr]
                    if word_end - end > longest_suffix:
                        continue
                suffix = s[end:word_end]
            else:
                word_end = end
                suffix = ""
            for pid, prefixes, suffixes in candidates:
                if prefix in prefixes and (suffixes is None or suffix in suffixes):
                    entry = words.get(word_start)
                    if entry is None:
                        entry = words[word_start] = (word_end, {})
                    entry[1][pid] = prefix
        found: list[RawOccurrence] = []
        starts = self._starts
        gap = _GAP.match
        for word_start, (word_end, pids) in words.items():
            for pid, prefix in pids.items():
                for term_id, rest in starts[pid]:
                    last_start, last_end = word_start, word_end
                    for other in rest:
                        last_start = gap(s, last_end).end()  # type: ignore[union-attr]
                        entry = words.get(last_start)
                        if entry is None or other not in entry[1]:
                            break
                        last_end = entry[0]
                    else:
                        found.append((term_id, word_start, last_end, last_start, is_future(prefix)))
        return found
