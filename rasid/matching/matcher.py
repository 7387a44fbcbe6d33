"""The Matcher: compiles a watchlist once, then tells which topics an article fires, with evidence."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection
from itertools import chain, combinations
from operator import itemgetter

from rasid.matching.compiled import CompiledTerms, RawHit, RawOccurrence
from rasid.matching.modality import (
    AUXILIARIES,
    BACKGROUND_TERMS,
    DENIAL_TERMS,
    NEGATORS,
    PLANNED_TERMS,
    Modality,
)
from rasid.matching.normalize import WORD, normalize_mapped
from rasid.matching.results import Confidence, Evidence, TermHit, TopicExplanation, TopicMatch
from rasid.matching.sentences import TERMINATOR, sentence_spans
from rasid.matching.terms import Term, parse_term
from rasid.matching.watchlist import Rule, Topic, Watchlist

_DENIAL = "denial"
_BACKGROUND = "background"
_PLANNED = "planned"


class _Hit:
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
        text: _FieldText,
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


_Key = tuple[int, int]  # (field index, sentence index)
_CONTAINER = "\x00"
"""Prefix of the pseudo group holding a group's `not_inside` phrases while an article is analysed."""
_PREPOSITIONS = frozenset({"الي", "في", "ضمن", "داخل", "لدي"})
"""Words (normalised) that introduce the object of a joining or handing word: انضم إلى التحالف."""
_PREPOSITION_CLITICS = frozenset("لب")
_PREFILTER_TOPICS = 32
"""From this many topics on, `match` checks only the cores of topics whose groups may all be present."""
_VALUE, _CORE = itemgetter(1), itemgetter(4)  # of a RawHit, of its value: the core number
_PREVIOUS_WORD = re.compile(r"[\W_]+([^\W_]+)(?:[\W_]+([^\W_]+))?")
"""On the reversed text: the word before a position and the one before that (both reversed)."""
_NEGATORS_REVERSED = frozenset(n[::-1] for n in NEGATORS)
_AUXILIARIES_REVERSED = frozenset(v[::-1] for v in AUXILIARIES)


class _FieldText:
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


class _Article:
    """Per-article facts shared by every topic: hits per topic and group, denied and planned sentences."""

    def __init__(self, fields: list[_FieldText]) -> None:
        self.scans = fields
        self.hits: dict[int, dict[str, list[_Hit]]] = {}
        self.cues: dict[str, dict[_Key, str]] = {_DENIAL: {}, _PLANNED: {}, _BACKGROUND: {}}

    def snippet(self, key: _Key, limit: int = 70) -> str:
        text = self.scans[key[0]].original_sentence(key[1])[0]
        text = " ".join(text.split())
        where = f"{self.scans[key[0]].name} sentence {key[1] + 1}"
        return f"{where} «{text[:limit]}{'…' if len(text) > limit else ''}»"


class _Fired:
    """A sentence on which a rule fired: its score, modality, the hits used and how confident it is."""

    __slots__ = ("confidence", "hits", "key", "modality", "reason", "score")

    def __init__(
        self,
        key: _Key,
        score: float,
        modality: Modality,
        hits: list[_Hit],
        confidence: Confidence,
        reason: str | None,
    ) -> None:
        self.key, self.score, self.modality, self.hits = key, score, modality, hits
        self.confidence, self.reason = confidence, reason

    def merge(self, other: _Fired) -> _Fired:
        """Two rules fired on one sentence: an alert outranks a review; hits are pooled."""
        if (self.confidence == "alert") != (other.confidence == "alert"):
            first = self if self.confidence == "alert" else other
            return _Fired(first.key, first.score, first.modality, first.hits, "alert", None)
        modality: Modality = "asserted" if "asserted" in (self.modality, other.modality) else "planned"
        return _Fired(
            self.key,
            max(self.score, other.score),
            modality,
            other.hits + self.hits,
            self.confidence,
            self.reason or other.reason,
        )


class Matcher:
    """A watchlist compiled for matching. Pure: text in, matches out; safe to share between threads."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        index: dict[Term, int] = {}
        self._targets: list[list[tuple[int, str]]] = []

        def add(term: Term, target: tuple[int, str]) -> None:
            tid = index.get(term)
            if tid is None:
                tid = index[term] = len(self._targets)
                self._targets.append([])
            if target not in self._targets[tid]:
                self._targets[tid].append(target)

        for topic_index, topic in enumerate(watchlist.topics):
            for group in topic.groups.values():
                for term in group.terms:
                    add(term, (topic_index, group.name))
                for term in group.not_inside:
                    add(term, (topic_index, _CONTAINER + group.name))
        for cue_kind, texts in (
            (_DENIAL, DENIAL_TERMS),
            (_PLANNED, PLANNED_TERMS),
            (_BACKGROUND, BACKGROUND_TERMS),
        ):
            for text in texts:
                add(parse_term(text), (-1, cue_kind))
        self._compiled = CompiledTerms(list(index))
        self._term_targets = tuple(tuple(targets) for targets in self._targets)
        self._need = [min(_groups_needed(rule) for rule in topic.rules) for topic in watchlist.topics]
        # For the pre-filter of large watchlists: which (topic, group) pairs a core may stand for (through
        # the first word of a term), each pair's topic, and all the cores a topic's or a cue's terms use.
        compiled = self._compiled
        self._prefilter = len(watchlist.topics) >= _PREFILTER_TOPICS
        pair_ids: dict[tuple[int, str], int] = {}
        core_pairs: list[list[int]] = [[] for _ in range(compiled.core_count)]
        topic_cores: list[set[int]] = [set() for _ in watchlist.topics]
        cue_cores: set[int] = set()
        for term_id, targets in enumerate(self._term_targets):
            for topic_index, group_name in targets:
                if topic_index < 0:
                    cue_cores |= compiled.term_cores[term_id]
                    continue
                topic_cores[topic_index] |= compiled.term_cores[term_id]
                pair = pair_ids.setdefault((topic_index, group_name), len(pair_ids))
                if pair not in core_pairs[compiled.first_cores[term_id]]:
                    core_pairs[compiled.first_cores[term_id]].append(pair)
        self._core_pairs = [tuple(pairs) for pairs in core_pairs]
        self._pair_topic = [topic_index for topic_index, _ in pair_ids]
        self._topic_cores = [frozenset(cores) for cores in topic_cores]
        self._cue_cores = frozenset(cue_cores)

    # -- public API -----------------------------------------------------------------------------------

    def match(self, text: str, title: str | None = None) -> list[TopicMatch]:
        """The topics that fire on an article (title and body both count), in watchlist order."""
        article = self._analyse(text, title, every_topic=False)
        matches = []
        for topic_index in sorted(article.hits):
            found = self._evaluate(topic_index, article, None)
            if found is not None:
                matches.append(found)
        return matches

    def explain(self, text: str, title: str | None = None) -> list[TopicExplanation]:
        """For every topic: fired or not, and the reasons, rule by rule."""
        article = self._analyse(text, title, every_topic=True)
        explanations = []
        for topic_index, topic in enumerate(self.watchlist.topics):
            reasons: list[str] = []
            if topic_index not in article.hits:
                reasons.append("no term of any group found")
                found = None
            else:
                found = self._evaluate(topic_index, article, reasons)
            explanations.append(TopicExplanation(topic.id, found is not None, reasons, found))
        return explanations

    # -- scanning -------------------------------------------------------------------------------------

    def _analyse(self, text: str, title: str | None, every_topic: bool) -> _Article:
        """Find the terms, then build hits (sentence, word numbers, negation) only for the topics that need
        them: all topics with a term (`every_topic`, for explain), else those that may fire on the groups
        found (`_possible`); the others are left out of `hits` and would be rejected by it unseen."""
        fields = []
        if title and title.strip():
            fields.append(_FieldText("title", title, self._compiled))
        fields.append(_FieldText("text", text or "", self._compiled))
        article = _Article(fields)
        cores = None
        if self._prefilter and not every_topic:
            cores = self._candidate_cores(fields)
        for f in fields:
            if f.raw:
                f.occurrences = self._compiled.find(f.text, f.raw, cores)
        targets = self._term_targets
        by_topic: dict[int, list[tuple[int, RawOccurrence, str]]] = {}
        cues: list[tuple[int, RawOccurrence, str]] = []
        for field_index, f in enumerate(fields):
            s = f.text
            for occ in f.occurrences:
                if occ[3] != occ[1] and TERMINATOR.search(s, occ[1], occ[2]):
                    continue  # a phrase across a sentence end
                for topic_index, group in targets[occ[0]]:
                    if topic_index < 0:
                        cues.append((field_index, occ, group))
                    else:
                        found = by_topic.get(topic_index)
                        if found is None:
                            by_topic[topic_index] = [(field_index, occ, group)]
                        else:
                            found.append((field_index, occ, group))
        if not every_topic:
            topics = self.watchlist.topics
            need = self._need
            kept = {}
            for topic_index, found in by_topic.items():
                if len(found) < need[topic_index]:
                    continue
                present = {g for _, _, g in found}
                if len(present) >= need[topic_index] and any(
                    _possible(rule, present) for rule in topics[topic_index].rules
                ):
                    kept[topic_index] = found
            by_topic = kept
        if not by_topic:
            return article
        terms = self._compiled.terms
        for field_index, occ, group in cues:
            f = fields[field_index]
            article.cues[group].setdefault((field_index, f.sentence_at(occ[1])), terms[occ[0]].text)
        for topic_index, found in by_topic.items():
            groups: dict[str, list[_Hit]] = {}
            for field_index, (term_id, start, end, last_start, future), group in found:
                f = fields[field_index]
                sentence = f.sentence_at(start)
                hit = _Hit(
                    f,
                    field_index,
                    sentence,
                    start,
                    end,
                    last_start,
                    terms[term_id],
                    future,
                    group,
                )
                hits = groups.get(group)
                if hits is None:
                    groups[group] = [hit]
                else:
                    hits.append(hit)
            for name in [g for g in groups if g.startswith(_CONTAINER)]:
                containers = groups.pop(name)
                inner = name[len(_CONTAINER) :]
                if inner in groups:
                    outside = [h for h in groups[inner] if not any(_inside(h, c) for c in containers)]
                    if outside:
                        groups[inner] = outside
                    else:
                        del groups[inner]
            article.hits[topic_index] = groups
        return article

    def _candidate_cores(self, fields: list[_FieldText]) -> frozenset[int]:
        """Cores worth checking: those of the cue terms and of every topic whose groups may all be present.

        From the unchecked Aho-Corasick hits (a core inside a longer word counts): a topic needs, for some
        rule, `_need` distinct groups with a term whose first word's core was hit. A topic that fires has
        them, so checking only these cores finds every term of every topic that can fire, in the same
        order (a subsequence of the full scan), with set and counter operations run in C."""
        hit = set(map(_CORE, chain.from_iterable(map(_VALUE, f.raw) for f in fields)))
        pairs = set(chain.from_iterable(map(self._core_pairs.__getitem__, hit)))
        need = self._need
        topics = [t for t, n in Counter(map(self._pair_topic.__getitem__, pairs)).items() if n >= need[t]]
        return self._cue_cores.union(*map(self._topic_cores.__getitem__, topics))

    # -- rules ----------------------------------------------------------------------------------------

    def _evaluate(self, topic_index: int, article: _Article, reasons: list[str] | None) -> TopicMatch | None:
        topic = self.watchlist.topics[topic_index]
        groups = article.hits[topic_index]
        fired: dict[_Key, _Fired] = {}
        if reasons is None and not any(
            _possible(rule, groups) and _complete_somewhere(rule, groups) for rule in topic.rules
        ):
            return None
        for number, rule in enumerate(topic.rules, 1):
            label = f"rule {number}" if len(topic.rules) > 1 else "rule"
            if rule.name:
                label += f" ({rule.name})"
            for found in self._rule_sentences(topic, rule, groups, article, label, reasons):
                old = fired.get(found.key)
                fired[found.key] = found if old is None else old.merge(found)
        if not fired:
            return None
        confident = {k: f for k, f in fired.items() if f.confidence == "alert"}
        chosen = confident or fired
        evidence = [self._evidence(article, key, f.modality, f.hits) for key, f in sorted(chosen.items())]
        best = max(chosen.values(), key=lambda f: f.score)
        score = best.score
        overall: Modality = "asserted" if any(e.modality == "asserted" for e in evidence) else "planned"
        if confident:
            return TopicMatch(topic.id, round(score, 3), overall, evidence)
        return TopicMatch(topic.id, round(score, 3), overall, evidence, "review", best.reason)

    def _rule_sentences(
        self,
        topic: Topic,
        rule: Rule,
        groups: dict[str, list[_Hit]],
        article: _Article,
        label: str,
        reasons: list[str] | None,
    ) -> list[_Fired]:
        def note(message: str) -> None:
            if reasons is not None:
                reasons.append(f"{label}: {message}")

        missing = [g for g in rule.anywhere if not groups.get(g)]
        if missing:
            if reasons is not None:
                note(f"'anywhere' group {missing[0]!r} not found in title or text")
            return []
        for g in rule.nowhere:
            if groups.get(g):
                if reasons is not None:
                    note(f"blocked: 'nowhere' group {g!r} found ({groups[g][0].term.text!r})")
                return []
        unconfirmed = [g for g in rule.confirm if not groups.get(g)]
        rival_named = next((h for _, names in rule.rivals for g in names for h in groups.get(g, ())), None)
        triggers = rule.trigger_groups()
        by_sentence: dict[_Key, dict[str, list[_Hit]]] = defaultdict(lambda: defaultdict(list))
        negated: list[_Hit] = []
        for g in triggers:
            for hit in groups.get(g, ()):
                if hit.negated:
                    negated.append(hit)
                else:
                    by_sentence[(hit.field, hit.sentence)][g].append(hit)
        for hit in negated[:1]:
            if reasons is not None:
                note(
                    f"{hit.term.text!r} is negated (لم/لن/لا before it) in "
                    f"{article.snippet((hit.field, hit.sentence))}"
                )
        results: list[_Fired] = []
        best_partial: tuple[int, _Key | None] = (-1, None)
        requirements = [set(alts) for alts in rule.all] + ([set(rule.any)] if rule.any else [])
        anchor_groups = rule.all[0] if rule.all else rule.any
        complete = False
        for key, present in sorted(by_sentence.items()):
            met = sum(1 for req in requirements if req & present.keys())
            if met < len(requirements):
                if met > best_partial[0]:
                    best_partial = (met, key)
                continue
            complete = True
            where = _Where(article, key)  # rendered only when a reason is kept
            skipped = _skipped_words(rule.skip, groups, key)
            if rule.rivals:
                rival = _attach(rule, anchor_groups, present, groups, key, skipped)
                if rival is not None:
                    if reasons is not None:
                        note(f"the event word attaches to {rival} in {where}")
                    continue
            used = [h for g in present for h in present[g]]
            confidence: Confidence = "review" if rule.review else "alert"
            why = f"{label} gives only review" if rule.review else None
            if rule.near is not None and not _within(requirements, present, rule.near, skipped):
                if rule.review_near is None or not _within(requirements, present, rule.review_near, skipped):
                    if reasons is not None:
                        note(f"groups all present but not within {rule.near} words in {where}")
                    continue
                confidence, why = "review", f"the words of the event are more than {rule.near} words apart"
            anchors = [h for g in anchor_groups for h in present.get(g, ())]
            blocker = self._blocker(rule, groups, key, anchors)
            if blocker:
                if reasons is not None:
                    note(f"blocked by {blocker} in {where}")
                continue
            if key in article.cues[_DENIAL]:
                if reasons is not None:
                    note(f"denied by {article.cues[_DENIAL][key]!r} in {where}")
                continue
            if key in article.cues[_BACKGROUND]:
                if reasons is not None:
                    note(f"background ({article.cues[_BACKGROUND][key]!r}), not news, in {where}")
                continue
            future = next((h.term.text for h in used if h.future), None)
            cue = article.cues[_PLANNED].get(key) or future
            modality: Modality = "planned" if cue else "asserted"
            if cue and not topic.planned:
                if reasons is not None:
                    note(f"planned ({cue!r}) but this topic takes only reported events, in {where}")
                continue
            score = sum(topic.groups[g].weight for g in present)
            if score < topic.min_score:
                if reasons is not None:
                    note(f"score {score:g} below min_score {topic.min_score:g} in {where}")
                continue
            if unconfirmed and rival_named is not None:
                if reasons is not None:
                    note(
                        f"two doubts (no {unconfirmed[0]!r} term anywhere, and the article names a rival, "
                        f"{rival_named.term.text!r}, that a bare word may stand for) in {where}"
                    )
                continue
            if unconfirmed and confidence == "review":
                if reasons is not None:
                    note(f"two doubts (review: {why}; and no {unconfirmed[0]!r} term anywhere) in {where}")
                continue
            if unconfirmed:
                confidence = "review"
                names = " or ".join(repr(g) for g in unconfirmed)
                why = f"no {names} term anywhere in the title or text"
            if reasons is not None:
                fired_as = modality if confidence == "alert" else f"{modality}, review: {why}"
                note(
                    f"fired ({fired_as}) on {where}: "
                    + ", ".join(f"{g}={present[g][0].term.text!r}" for g in present)
                )
            results.append(_Fired(key, score, modality, used, confidence, why))
        if not by_sentence:
            if reasons is not None:
                note("no sentence has a term of " + ", ".join(repr(g) for g in triggers))
        elif best_partial[1] is not None and not complete:
            key = best_partial[1]
            have = set(by_sentence[key])
            lacking = ["|".join(sorted(req)) for req in requirements if not req & have]
            if reasons is not None:
                note(
                    f"no sentence has all required groups; closest, {article.snippet(key)}, "
                    f"lacks {', '.join(lacking)}"
                )
        return results

    @staticmethod
    def _blocker(rule: Rule, groups: dict[str, list[_Hit]], key: _Key, anchors: list[_Hit]) -> str | None:
        for g in rule.not_:
            for hit in groups.get(g, ()):
                if (hit.field, hit.sentence) == key:
                    return f"'not' group {g!r} ({hit.term.text!r})"
        for g in rule.not_near:
            for hit in groups.get(g, ()):
                if (hit.field, hit.sentence) != key:
                    continue
                for u in anchors:
                    if _gap(hit, u) <= rule.not_within:
                        return (
                            f"'not_near' group {g!r} ({hit.term.text!r} within {rule.not_within} words "
                            f"of {u.term.text!r})"
                        )
        return None

    @staticmethod
    def _evidence(article: _Article, key: _Key, modality: Modality, hits: list[_Hit]) -> Evidence:
        scan = article.scans[key[0]]
        sentence, start, end = scan.original_sentence(key[1])
        terms: dict[tuple[int, int], TermHit] = {}
        for hit in sorted(hits, key=lambda h: (h.start, -h.end)):  # = (first, -last)
            text, s, e = scan.original_span(hit.start, hit.end)
            terms.setdefault((s, e), TermHit(hit.term.text, text, s, e, hit.group))
        return Evidence(scan.name, sentence, start, end, list(terms.values()), modality)  # type: ignore[arg-type]


def _groups_needed(rule: Rule) -> int:
    """The fewest distinct groups that can meet a rule's requirements (a lower bound if many groups)."""
    requirements = [set(alts) for alts in rule.all] + ([set(rule.any)] if rule.any else [])
    requirements += [{g} for g in rule.anywhere]
    names = sorted(set().union(*requirements))
    if len(names) > 12:
        return 1
    for size in range(1, len(names) + 1):
        for chosen in combinations(names, size):
            if all(req.intersection(chosen) for req in requirements):
                return size
    return 1


def _possible(rule: Rule, groups: Collection[str]) -> bool:
    """Cheap test: every requirement of the rule has some hit somewhere in the article."""
    if not all(any(g in groups for g in alternatives) for alternatives in rule.all):
        return False
    if rule.any and not any(g in groups for g in rule.any):
        return False
    return all(g in groups for g in rule.anywhere)


def _complete_somewhere(rule: Rule, groups: dict[str, list[_Hit]]) -> bool:
    """Cheap test: some sentence has a non-negated hit for every requirement (else the rule fires nowhere)."""
    keys: set[_Key] | None = None
    for req in rule.all + ((rule.any,) if rule.any else ()):
        found = {(h.field, h.sentence) for g in req for h in groups.get(g, ()) if not h.negated}
        keys = found if keys is None else keys & found
        if not keys:
            return False
    return True


class _Where:
    """A sentence named in a reason, rendered only if the reason is shown."""

    def __init__(self, article: _Article, key: _Key) -> None:
        self.article, self.key = article, key

    def __str__(self) -> str:
        return self.article.snippet(self.key)


def _gap(a: _Hit, b: _Hit) -> int:
    """Words strictly between two hits (0 when adjacent or overlapping)."""
    if a.last < b.first:
        return b.first - a.last - 1
    if b.last < a.first:
        return a.first - b.last - 1
    return 0


def _skipped_words(skip: tuple[str, ...], groups: dict[str, list[_Hit]], key: _Key) -> list[int]:
    """Sorted word numbers, in sentence `key`, covered by hits of the rule's `skip` groups."""
    if not skip:
        return []
    words: set[int] = set()
    for g in skip:
        for h in groups.get(g, ()):
            if (h.field, h.sentence) == key:
                words.update(range(h.first, h.last + 1))
    return sorted(words)


def _effective(word: int, skipped: list[int]) -> int:
    """A word's number once the skipped words are taken out of the sentence."""
    return word - bisect_left(skipped, word) if skipped else word


def _distance(a: _Hit, b: _Hit, skipped: list[int]) -> int:
    """Words strictly between two hits, skipped words not counted (0 when adjacent or overlapping)."""
    a_first, a_last = _effective(a.first, skipped), _effective(a.last, skipped)
    b_first, b_last = _effective(b.first, skipped), _effective(b.last, skipped)
    if a_last < b_first:
        return b_first - a_last - 1
    if b_last < a_first:
        return a_first - b_last - 1
    return 0


def _attach(
    rule: Rule,
    anchor_groups: tuple[str, ...],
    present: dict[str, list[_Hit]],
    groups: dict[str, list[_Hit]],
    key: _Key,
    skipped: list[int],
) -> str | None:
    """Attach the event words to the nearest of each rivalled group's hits and its rivals' (in place).

    A hit of a rivalled group inside a rival's hit is the rival's (the التحالف of التحالف الإسلامي); each
    event word (a hit of the rule's first group) attaches to the nearest remaining candidate, the one after
    it on a tie (the object of انضم إلى ...); event words that attach to a rival are dropped. Returns the
    rival that took every event word (so the rule cannot fire here), else None."""
    for group, rival_groups in rule.rivals:
        rivals = [h for g in rival_groups for h in groups.get(g, ()) if (h.field, h.sentence) == key]
        if not rivals:
            continue
        own = [h for h in present.get(group, ()) if not any(_overlap(h, r) for r in rivals)]
        if not own:
            present.pop(group, None)
            return f"{rivals[0].term.text!r} (a {rivals[0].group!r} term), not the event's own {group!r}"
        present[group] = own
        candidates = [(c, False) for c in own] + [(r, True) for r in rivals]
        for g in anchor_groups:
            kept = []
            for anchor in present.get(g, ()):
                pool = candidates
                if rule.attach != "nearest":
                    # An object stands after its verb, within the rule's reach; else (a passive, a relative
                    # clause: المعتقلين الذين نقلوا) the nearest on either side.
                    reach = rule.near if rule.near is not None else len(skipped) + 1_000_000
                    after = [
                        item
                        for item in candidates
                        if item[0].start > anchor.start and _distance(anchor, item[0], skipped) <= reach
                    ]
                    if rule.attach == "object":
                        after = [item for item in after if _introduced(item[0])]
                    pool = after or candidates
                nearest = min(
                    pool,
                    key=lambda item: (_distance(anchor, item[0], skipped), item[0].start < anchor.start),
                )
                if not nearest[1]:
                    kept.append(anchor)
            if kept:
                present[g] = kept
            else:
                present.pop(g, None)
        if not any(present.get(g) for g in anchor_groups):
            return f"{rivals[0].term.text!r} (a {rivals[0].group!r} term), nearer than {group!r}"
    return None


def _overlap(a: _Hit, b: _Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _inside(hit: _Hit, container: _Hit) -> bool:
    """Whether `hit` lies within `container` (same field), e.g. الوزراء within رئيس الوزراء."""
    return hit.field == container.field and container.start <= hit.start and hit.end <= container.end


def _introduced(hit: _Hit) -> bool:
    """Whether a hit is introduced by a preposition: a clitic ل or ب before its core (للتحالف، بالتحالف) or
    a preposition word right before it (إلى التحالف، في التحالف)."""
    text = hit._text.text
    core = hit.term.words[0].core
    at = text.find(core, hit.start, hit.end)
    prefix = text[hit.start : max(hit.start, at)]
    if prefix.endswith("ال"):
        prefix = prefix[:-2]  # the article
    elif prefix.endswith("لل"):
        prefix = prefix[:-1]  # ل + the article without its alef
    if _PREPOSITION_CLITICS & set(prefix):
        return True
    words = WORD.findall(text, max(0, hit.start - 12), hit.start)
    return bool(words) and words[-1] in _PREPOSITIONS


def _within(
    requirements: list[set[str]], present: dict[str, list[_Hit]], near: int, skipped: list[int] | None = None
) -> bool:
    """Whether one hit per requirement can be chosen with at most `near` words between the outermost ones
    (words of `skipped` not counted)."""
    sk = skipped or []
    items = sorted(
        (_effective(h.first, sk), _effective(h.last, sk), r)
        for r, req in enumerate(requirements)
        for g in req & present.keys()
        for h in present[g]
    )
    need = len(requirements)
    for i in range(len(items)):
        left_last = items[i][1]
        seen: set[int] = set()
        for first, _, r in items[i:]:
            if first - left_last - 1 > near:
                break
            seen.add(r)
            if len(seen) == need:
                return True
    return False
