"""How one rule of a topic fires on the sentences of an article: requirements per sentence, distances with
skipped names, the rival an event word attaches to, vetoes, modality and the confidence (alert or review)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection
from itertools import combinations
from typing import Any, NamedTuple

from rasid.matching.hits import BACKGROUND, DENIAL, PLANNED, ArticleHits, Hit, Key
from rasid.matching.modality import Modality
from rasid.matching.normalize import WORD
from rasid.matching.results import Confidence
from rasid.matching.watchlist import Rule, Topic

_PREPOSITIONS = frozenset({"الي", "في", "ضمن", "داخل", "لدي"})
"""Words (normalised) that introduce the object of a joining or handing word: انضم إلى التحالف."""
_PREPOSITION_CLITICS = frozenset("لب")


class Fired:
    """A sentence on which a rule fired: its score, modality, the hits used and how confident it is."""

    __slots__ = ("confidence", "hits", "key", "modality", "reason", "score")

    def __init__(
        self,
        key: Key,
        score: float,
        modality: Modality,
        hits: list[Hit],
        confidence: Confidence,
        reason: str | None,
    ) -> None:
        self.key, self.score, self.modality, self.hits = key, score, modality, hits
        self.confidence, self.reason = confidence, reason

    def merge(self, other: Fired) -> Fired:
        """Two rules fired on one sentence: an alert outranks a review; hits are pooled."""
        if (self.confidence == "alert") != (other.confidence == "alert"):
            first = self if self.confidence == "alert" else other
            return Fired(first.key, first.score, first.modality, first.hits, "alert", None)
        modality: Modality = "asserted" if "asserted" in (self.modality, other.modality) else "planned"
        return Fired(
            self.key,
            max(self.score, other.score),
            modality,
            other.hits + self.hits,
            self.confidence,
            self.reason or other.reason,
        )


class Verdict(NamedTuple):
    """What a rule decided, in data: `kind` names the decision, `key` the sentence (None: the article),
    `detail` its particulars. `rasid.matching.explain` words it; matching itself never formats text."""

    kind: str
    key: Key | None
    detail: tuple[Any, ...] = ()


def fire_rule(
    topic: Topic, rule: Rule, groups: dict[str, list[Hit]], article: ArticleHits
) -> tuple[list[Fired], list[Verdict]]:
    """The sentences on which `rule` fires, and a verdict for every sentence or reason it does not."""
    verdicts: list[Verdict] = []
    missing = [g for g in rule.anywhere if not groups.get(g)]
    if missing:
        return [], [Verdict("anywhere_missing", None, (missing[0],))]
    for g in rule.nowhere:
        if groups.get(g):
            return [], [Verdict("nowhere_found", None, (g, groups[g][0].term.text))]
    unconfirmed = [g for g in rule.confirm if not groups.get(g)]
    rival_named = next((h for _, names in rule.rivals for g in names for h in groups.get(g, ())), None)
    triggers = rule.trigger_groups()
    by_sentence: dict[Key, dict[str, list[Hit]]] = defaultdict(lambda: defaultdict(list))
    negated: list[Hit] = []
    for g in triggers:
        for hit in groups.get(g, ()):
            if hit.negated:
                negated.append(hit)
            else:
                by_sentence[(hit.field, hit.sentence)][g].append(hit)
    for hit in negated[:1]:
        verdicts.append(Verdict("negated", (hit.field, hit.sentence), (hit.term.text,)))
    results: list[Fired] = []
    best_partial: tuple[int, Key | None] = (-1, None)
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
        skipped = _skipped_words(rule.skip, groups, key)
        if rule.rivals:
            rival = _attach(rule, anchor_groups, present, groups, key, skipped)
            if rival is not None:
                verdicts.append(Verdict("attaches_to_rival", key, (rival,)))
                continue
        used = [h for g in present for h in present[g]]
        confidence: Confidence = "review" if rule.review else "alert"
        why = "review_rule" if rule.review else None
        if rule.near is not None and not _within(requirements, present, rule.near, skipped):
            if rule.review_near is None or not _within(requirements, present, rule.review_near, skipped):
                verdicts.append(Verdict("too_far", key, (rule.near,)))
                continue
            confidence, why = "review", f"the words of the event are more than {rule.near} words apart"
        anchors = [h for g in anchor_groups for h in present.get(g, ())]
        blocker = _blocker(rule, groups, key, anchors)
        if blocker:
            verdicts.append(Verdict("blocked", key, (blocker,)))
            continue
        if key in article.cues[DENIAL]:
            verdicts.append(Verdict("denied", key, (article.cues[DENIAL][key],)))
            continue
        if key in article.cues[BACKGROUND]:
            verdicts.append(Verdict("background", key, (article.cues[BACKGROUND][key],)))
            continue
        future = next((h.term.text for h in used if h.future), None)
        cue = article.cues[PLANNED].get(key) or future
        modality: Modality = "planned" if cue else "asserted"
        if cue and not topic.planned:
            verdicts.append(Verdict("planned_only", key, (cue,)))
            continue
        score = sum(topic.groups[g].weight for g in present)
        if score < topic.min_score:
            verdicts.append(Verdict("low_score", key, (score, topic.min_score)))
            continue
        if unconfirmed and rival_named is not None:
            verdicts.append(Verdict("unconfirmed_rival", key, (unconfirmed[0], rival_named.term.text)))
            continue
        if unconfirmed and confidence == "review":
            verdicts.append(Verdict("two_doubts", key, (why, unconfirmed[0])))
            continue
        if unconfirmed:
            confidence = "review"
            names = " or ".join(repr(g) for g in unconfirmed)
            why = f"no {names} term anywhere in the title or text"
        firing = tuple((g, present[g][0].term.text) for g in present)
        verdicts.append(Verdict("fired", key, (modality, confidence, why, firing)))
        results.append(Fired(key, score, modality, used, confidence, why))
    if not by_sentence:
        verdicts.append(Verdict("no_term", None, (triggers,)))
    elif best_partial[1] is not None and not complete:
        key = best_partial[1]
        have = set(by_sentence[key])
        lacking = tuple("|".join(sorted(req)) for req in requirements if not req & have)
        verdicts.append(Verdict("partial", key, (lacking,)))
    return results, verdicts


def _blocker(rule: Rule, groups: dict[str, list[Hit]], key: Key, anchors: list[Hit]) -> str | None:
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


def groups_needed(rule: Rule) -> int:
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


def possible(rule: Rule, groups: Collection[str]) -> bool:
    """Cheap test: every requirement of the rule has some hit somewhere in the article."""
    if not all(any(g in groups for g in alternatives) for alternatives in rule.all):
        return False
    if rule.any and not any(g in groups for g in rule.any):
        return False
    return all(g in groups for g in rule.anywhere)


def complete_somewhere(rule: Rule, groups: dict[str, list[Hit]]) -> bool:
    """Cheap test: some sentence has a non-negated hit for every requirement (else the rule fires nowhere)."""
    keys: set[Key] | None = None
    for req in rule.all + ((rule.any,) if rule.any else ()):
        found = {(h.field, h.sentence) for g in req for h in groups.get(g, ()) if not h.negated}
        keys = found if keys is None else keys & found
        if not keys:
            return False
    return True


def _gap(a: Hit, b: Hit) -> int:
    """Words strictly between two hits (0 when adjacent or overlapping)."""
    if a.last < b.first:
        return b.first - a.last - 1
    if b.last < a.first:
        return a.first - b.last - 1
    return 0


def _skipped_words(skip: tuple[str, ...], groups: dict[str, list[Hit]], key: Key) -> list[int]:
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


def _distance(a: Hit, b: Hit, skipped: list[int]) -> int:
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
    present: dict[str, list[Hit]],
    groups: dict[str, list[Hit]],
    key: Key,
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


def _overlap(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


def inside(hit: Hit, container: Hit) -> bool:
    """Whether `hit` lies within `container` (same field), e.g. الوزراء within رئيس الوزراء."""
    return hit.field == container.field and container.start <= hit.start and hit.end <= container.end


def _introduced(hit: Hit) -> bool:
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
    requirements: list[set[str]], present: dict[str, list[Hit]], near: int, skipped: list[int] | None = None
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
