"""The Matcher: compiles a watchlist once, then tells which topics an article fires, with evidence."""

from __future__ import annotations

from collections import Counter
from itertools import chain
from operator import itemgetter

from rasid.matching.compiled import CompiledTerms, RawOccurrence
from rasid.matching.explain import describe, review_reason
from rasid.matching.hits import BACKGROUND, DENIAL, PLANNED, ArticleHits, FieldText, Hit, Key
from rasid.matching.modality import BACKGROUND_TERMS, DENIAL_TERMS, PLANNED_TERMS, Modality
from rasid.matching.results import Evidence, TermHit, TopicExplanation, TopicMatch
from rasid.matching.rules import Fired, complete_somewhere, fire_rule, groups_needed, inside, possible
from rasid.matching.sentences import TERMINATOR
from rasid.matching.terms import Term, parse_term
from rasid.matching.watchlist import Watchlist

_CONTAINER = "\x00"
"""Prefix of the pseudo group holding a group's `not_inside` phrases while an article is analysed."""
_PREFILTER_TOPICS = 32
"""From this many topics on, `match` checks only the cores of topics whose groups may all be present."""
_VALUE, _CORE = itemgetter(1), itemgetter(4)  # of a RawHit, of its value: the core number


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
            (DENIAL, DENIAL_TERMS),
            (PLANNED, PLANNED_TERMS),
            (BACKGROUND, BACKGROUND_TERMS),
        ):
            for text in texts:
                add(parse_term(text), (-1, cue_kind))
        self._compiled = CompiledTerms(list(index))
        self._term_targets = tuple(tuple(targets) for targets in self._targets)
        self._need = [min(groups_needed(rule) for rule in topic.rules) for topic in watchlist.topics]
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

    def _analyse(self, text: str, title: str | None, every_topic: bool) -> ArticleHits:
        """Find the terms, then build hits (sentence, word numbers, negation) only for the topics that need
        them: all topics with a term (`every_topic`, for explain), else those that may fire on the groups
        found (`_possible`); the others are left out of `hits` and would be rejected by it unseen."""
        fields = []
        if title and title.strip():
            fields.append(FieldText("title", title, self._compiled))
        fields.append(FieldText("text", text or "", self._compiled))
        article = ArticleHits(fields)
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
                    possible(rule, present) for rule in topics[topic_index].rules
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
            groups: dict[str, list[Hit]] = {}
            for field_index, (term_id, start, end, last_start, future), group in found:
                f = fields[field_index]
                sentence = f.sentence_at(start)
                hit = Hit(
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
                    outside = [h for h in groups[inner] if not any(inside(h, c) for c in containers)]
                    if outside:
                        groups[inner] = outside
                    else:
                        del groups[inner]
            article.hits[topic_index] = groups
        return article

    def _candidate_cores(self, fields: list[FieldText]) -> frozenset[int]:
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

    def _evaluate(
        self, topic_index: int, article: ArticleHits, reasons: list[str] | None
    ) -> TopicMatch | None:
        topic = self.watchlist.topics[topic_index]
        groups = article.hits[topic_index]
        fired: dict[Key, Fired] = {}
        if reasons is None and not any(
            possible(rule, groups) and complete_somewhere(rule, groups) for rule in topic.rules
        ):
            return None
        for number, rule in enumerate(topic.rules, 1):
            label = f"rule {number}" if len(topic.rules) > 1 else "rule"
            if rule.name:
                label += f" ({rule.name})"
            found_here, verdicts = fire_rule(topic, rule, groups, article)
            if reasons is not None:
                reasons.extend(describe(v, article, label) for v in verdicts)
            for found in found_here:
                found.reason = review_reason(found.reason, label)
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

    @staticmethod
    def _evidence(article: ArticleHits, key: Key, modality: Modality, hits: list[Hit]) -> Evidence:
        scan = article.scans[key[0]]
        sentence, start, end = scan.original_sentence(key[1])
        terms: dict[tuple[int, int], TermHit] = {}
        for hit in sorted(hits, key=lambda h: (h.start, -h.end)):  # = (first, -last)
            text, s, e = scan.original_span(hit.start, hit.end)
            terms.setdefault((s, e), TermHit(hit.term.text, text, s, e, hit.group))
        return Evidence(scan.name, sentence, start, end, list(terms.values()), modality)  # type: ignore[arg-type]
