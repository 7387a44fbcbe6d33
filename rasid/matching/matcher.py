"""The Matcher: compiles a watchlist once, then tells which topics an article fires, with evidence."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rasid.matching.compiled import CompiledTerms, FieldScan
from rasid.matching.modality import BACKGROUND_TERMS, DENIAL_TERMS, NEGATORS, PLANNED_TERMS, Modality
from rasid.matching.results import Evidence, Field, TermHit, TopicExplanation, TopicMatch
from rasid.matching.terms import Term, parse_term
from rasid.matching.watchlist import Rule, Topic, Watchlist

_DENIAL = "denial"
_BACKGROUND = "background"
_PLANNED = "planned"


@dataclass(frozen=True)
class _Hit:
    """A group's term found in a sentence of a field."""

    field: int
    sentence: int
    first: int
    last: int
    term: Term
    future: bool
    negated: bool
    group: str


_Key = tuple[int, int]  # (field index, sentence index)


class _Article:
    """Per-article facts shared by every topic: hits per topic and group, denied and planned sentences."""

    def __init__(self, scans: list[FieldScan]) -> None:
        self.scans = scans
        self.hits: dict[int, dict[str, list[_Hit]]] = defaultdict(lambda: defaultdict(list))
        self.cues: dict[str, dict[_Key, str]] = {_DENIAL: {}, _PLANNED: {}, _BACKGROUND: {}}

    def snippet(self, key: _Key, limit: int = 70) -> str:
        text = self.scans[key[0]].original_sentence(key[1])[0]
        text = " ".join(text.split())
        where = f"{self.scans[key[0]].name} sentence {key[1] + 1}"
        return f"{where} «{text[:limit]}{'…' if len(text) > limit else ''}»"


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
        for cue_kind, texts in (
            (_DENIAL, DENIAL_TERMS),
            (_PLANNED, PLANNED_TERMS),
            (_BACKGROUND, BACKGROUND_TERMS),
        ):
            for text in texts:
                add(parse_term(text), (-1, cue_kind))
        self._compiled = CompiledTerms(list(index))

    # -- public API -----------------------------------------------------------------------------------

    def match(self, text: str, title: str | None = None) -> list[TopicMatch]:
        """The topics that fire on an article (title and body both count), in watchlist order."""
        article = self._analyse(text, title)
        matches = []
        for topic_index in sorted(article.hits):
            found = self._evaluate(topic_index, article, None)
            if found is not None:
                matches.append(found)
        return matches

    def explain(self, text: str, title: str | None = None) -> list[TopicExplanation]:
        """For every topic: fired or not, and the reasons, rule by rule."""
        article = self._analyse(text, title)
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

    def _analyse(self, text: str, title: str | None) -> _Article:
        fields: list[tuple[Field, str]] = []
        if title and title.strip():
            fields.append(("title", title))
        fields.append(("text", text or ""))
        scans = [self._compiled.scan(value, name) for name, value in fields]
        article = _Article(scans)
        for field_index, scan in enumerate(scans):
            for occ in scan.occurrences:
                sentence = scan.sentence_of(occ.first)
                if occ.last != occ.first and scan.sentence_of(occ.last) != sentence:
                    continue
                term = self._compiled.terms[occ.term]
                negated = occ.first > 0 and scan.word(occ.first - 1) in NEGATORS
                for topic_index, group in self._targets[occ.term]:
                    if topic_index < 0:
                        article.cues[group].setdefault((field_index, sentence), term.text)
                    else:
                        hit = _Hit(
                            field_index, sentence, occ.first, occ.last, term, occ.future, negated, group
                        )
                        article.hits[topic_index][group].append(hit)
        return article

    # -- rules ----------------------------------------------------------------------------------------

    def _evaluate(self, topic_index: int, article: _Article, reasons: list[str] | None) -> TopicMatch | None:
        topic = self.watchlist.topics[topic_index]
        groups = article.hits[topic_index]
        fired: dict[_Key, tuple[float, Modality, list[_Hit]]] = {}
        if reasons is None and not any(_possible(rule, groups) for rule in topic.rules):
            return None
        for number, rule in enumerate(topic.rules, 1):
            label = f"rule {number}" if len(topic.rules) > 1 else "rule"
            for key, score, modality, used in self._rule_sentences(
                topic, rule, groups, article, label, reasons
            ):
                old = fired.get(key)
                merged = used + (old[2] if old else [])
                best = max(score, old[0]) if old else score
                fired[key] = (best, "asserted" if old and old[1] == "asserted" else modality, merged)
        if not fired:
            return None
        evidence = [
            self._evidence(article, key, modality, hits) for key, (_, modality, hits) in sorted(fired.items())
        ]
        score = max(s for s, _, _ in fired.values())
        overall: Modality = "asserted" if any(e.modality == "asserted" for e in evidence) else "planned"
        return TopicMatch(topic.id, round(score, 3), overall, evidence)

    def _rule_sentences(
        self,
        topic: Topic,
        rule: Rule,
        groups: dict[str, list[_Hit]],
        article: _Article,
        label: str,
        reasons: list[str] | None,
    ) -> list[tuple[_Key, float, Modality, list[_Hit]]]:
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
        results: list[tuple[_Key, float, Modality, list[_Hit]]] = []
        best_partial: tuple[int, _Key | None] = (-1, None)
        requirements = [set(alts) for alts in rule.all] + ([set(rule.any)] if rule.any else [])
        complete = False
        for key, present in sorted(by_sentence.items()):
            met = sum(1 for req in requirements if req & present.keys())
            if met < len(requirements):
                if met > best_partial[0]:
                    best_partial = (met, key)
                continue
            complete = True
            where = _Where(article, key)  # rendered only when a reason is kept
            used = [h for g in present for h in present[g]]
            if rule.near is not None and not _within(requirements, present, rule.near):
                if reasons is not None:
                    note(f"groups all present but not within {rule.near} words in {where}")
                continue
            anchors = [h for g in (rule.all[0] if rule.all else rule.any) for h in present.get(g, ())]
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
            if reasons is not None:
                note(
                    f"fired ({modality}) on {where}: "
                    + ", ".join(f"{g}={present[g][0].term.text!r}" for g in present)
                )
            results.append((key, score, modality, used))
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
        for hit in sorted(hits, key=lambda h: (h.first, -h.last)):
            text, s, e = scan.original_words(hit.first, hit.last)
            terms.setdefault((s, e), TermHit(hit.term.text, text, s, e, hit.group))
        return Evidence(scan.name, sentence, start, end, list(terms.values()), modality)  # type: ignore[arg-type]


def _possible(rule: Rule, groups: dict[str, list[_Hit]]) -> bool:
    """Cheap test: every requirement of the rule has some hit somewhere in the article."""
    if not all(any(g in groups for g in alternatives) for alternatives in rule.all):
        return False
    if rule.any and not any(g in groups for g in rule.any):
        return False
    return all(g in groups for g in rule.anywhere)


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


def _within(requirements: list[set[str]], present: dict[str, list[_Hit]], near: int) -> bool:
    """Whether one hit per requirement can be chosen with at most `near` words between the outermost ones."""
    items = sorted(
        (h.first, h.last, r)
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
