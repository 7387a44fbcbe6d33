"""Evaluating a matcher on labelled passages (JSON Lines or seeds folder): precision, recall, F1."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from rasid.matching.matcher import Matcher


@dataclass(frozen=True)
class Passage:
    """A labelled text: labels map topic id to 1, 0 or "B" (borderline, left out of the scores)."""

    id: str
    text: str
    title: str | None
    labels: dict[str, Any]
    url: str | None = None

    @property
    def outlet(self) -> str:
        """The outlet the passage was published by: its address's registered domain ("" when unknown)."""
        return outlet_of(self.url or "")


@dataclass
class TopicScore:
    """Counts and the ids behind them for one topic."""

    topic: str
    true_positives: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    true_negatives: int = 0
    borderline: int = 0

    @property
    def precision(self) -> float:
        fired = len(self.true_positives) + len(self.false_positives)
        return len(self.true_positives) / fired if fired else 1.0

    @property
    def recall(self) -> float:
        wanted = len(self.true_positives) + len(self.misses)
        return len(self.true_positives) / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": len(self.true_positives),
            "fp": len(self.false_positives),
            "fn": len(self.misses),
            "tn": self.true_negatives,
            "borderline_skipped": self.borderline,
            "false_positives": self.false_positives,
            "misses": self.misses,
        }


def load_jsonl(path: Path) -> list[Passage]:
    """Passages from a JSON Lines file of {"id", "text", "title"?, "labels"}."""
    passages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            url = row.get("url") or row.get("source")
            passages.append(
                Passage(str(row["id"]), row["text"], row.get("title"), dict(row["labels"]), url or None)
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled passage ({exc})") from None
    return passages


def load_seeds(folder: Path) -> list[Passage]:
    """The seeds folder: labels.json plus one .txt per article; the whole file is the body (no title)."""
    data = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    passages = []
    for name, labels in data["labels"].items():
        text = (folder / name).read_text(encoding="utf-8")
        passages.append(Passage(name, text, None, {k: v for k, v in labels.items() if k != "why"}))
    return passages


def load_labelled(path: Path) -> list[Passage]:
    """A JSON Lines file, or a folder holding labels.json (the seeds layout)."""
    return load_seeds(path) if path.is_dir() else load_jsonl(path)


def _positive(label: Any) -> bool:
    return label in (1, "1", True)


def _count(score: TopicScore, label: Any, fired: bool, passage_id: str) -> None:
    """One labelled passage into a topic's score ("B" counted apart, never scored)."""
    if label == "B":
        score.borderline += 1
    elif _positive(label) and fired:
        score.true_positives.append(passage_id)
    elif _positive(label):
        score.misses.append(passage_id)
    elif fired:
        score.false_positives.append(passage_id)
    else:
        score.true_negatives += 1


def evaluate(matcher: Matcher, passages: list[Passage]) -> dict[str, TopicScore]:
    """Score every topic of the matcher's watchlist on the passages by its confident ("alert") matches;
    "B" and missing labels are left out. `evaluate_levels` scores the possible ("review") ones too."""
    scores = {t.id: TopicScore(t.id) for t in matcher.watchlist.topics}
    for passage in passages:
        fired = {m.topic for m in matcher.match(passage.text, passage.title) if m.confidence == "alert"}
        for topic, score in scores.items():
            label = passage.labels.get(topic)
            if label is not None:
                _count(score, label, topic in fired, passage.id)
    return scores


Part = Literal["tune", "score"]
SPLIT_SALT = "rasid-split-1"
SCORE_TENTHS = 4
"""Outlets whose salted hash falls in the first 4 of 10 buckets (about 40%) are only scored, never tuned
on."""
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "edu", "ac"})


def outlet_of(url: str) -> str:
    """The registered domain of an address: www.aljazeera.net -> aljazeera.net, bbc.co.uk -> bbc.co.uk."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def part_of(passage: Passage) -> Part:
    """Which part of a labelled set a passage belongs to, decided by its outlet alone (never at random):
    every passage of one outlet is in the same part, so what is scored was written by outlets never tuned on.
    A passage without an address is tuned on."""
    outlet = passage.outlet
    if not outlet:
        return "tune"
    bucket = hashlib.sha256((SPLIT_SALT + outlet).encode()).digest()[0] % 10
    return "score" if bucket < SCORE_TENTHS else "tune"


def split(passages: list[Passage]) -> dict[Part, list[Passage]]:
    """The passages in their tune and score parts (see `part_of`)."""
    parts: dict[Part, list[Passage]] = {"tune": [], "score": []}
    for passage in passages:
        parts[part_of(passage)].append(passage)
    return parts


CAUSE_LIMIT = 120


@dataclass
class LevelScores:
    """One topic scored at both confidence levels: `alert` by its confident matches alone, `any` by
    confident and possible ("review") ones together; how often `review` fires on negative passages (label
    0); and, for each error, its cause: the first line `Matcher.explain` gives for the topic (the first
    that says it fired, for a false positive; for a review match on a negative, its review reason), cut to
    `CAUSE_LIMIT` characters."""

    topic: str
    alert: TopicScore
    any: TopicScore
    negatives: int = 0
    review_on_negatives: list[str] = field(default_factory=list)
    causes: dict[str, str] = field(default_factory=dict)

    @property
    def review_negative_share(self) -> float:
        """The share of negative passages on which the topic fired as "review" (0 with no negatives)."""
        return len(self.review_on_negatives) / self.negatives if self.negatives else 0.0

    def errors(self) -> list[tuple[str, str, str]]:
        """(kind, passage id, cause) for every error: "fp" and "fn" of `alert`, "review" for a possible
        match on a negative passage."""
        kinds = [("fp", self.alert.false_positives), ("fn", self.alert.misses)]
        kinds.append(("review", self.review_on_negatives))
        return [(kind, pid, self.causes.get(pid, "")) for kind, ids in kinds for pid in ids]

    def to_dict(self) -> dict[str, Any]:
        """The alert-only scores at the top (as `TopicScore.to_dict`), both levels, review on negatives
        and the causes of the errors."""
        return {
            **self.alert.to_dict(),
            "alert": self.alert.to_dict(),
            "any": self.any.to_dict(),
            "review_on_negatives": {
                "fired": len(self.review_on_negatives),
                "negatives": self.negatives,
                "share": round(self.review_negative_share, 4),
                "ids": list(self.review_on_negatives),
            },
            "causes": [{"kind": k, "id": pid, "cause": cause} for k, pid, cause in self.errors()],
        }


def evaluate_levels(
    matcher: Matcher, passages: list[Passage], *, explain: bool = True
) -> dict[str, LevelScores]:
    """Score every topic at both confidence levels (see `LevelScores`); with `explain`, the passages
    behind an error are explained once each to give its cause."""
    levels = {t.id: LevelScores(t.id, TopicScore(t.id), TopicScore(t.id)) for t in matcher.watchlist.topics}
    for passage in passages:
        matches = {m.topic: m for m in matcher.match(passage.text, passage.title)}
        errors: dict[str, tuple[bool, str]] = {}  # topic -> (fired, its review reason or "")
        for topic, level in levels.items():
            label = passage.labels.get(topic)
            if label is None:
                continue
            match = matches.get(topic)
            confident = match is not None and match.confidence == "alert"
            _count(level.alert, label, confident, passage.id)
            _count(level.any, label, match is not None, passage.id)
            if label == "B":
                continue
            if not _positive(label):
                level.negatives += 1
            if match is not None and not confident and not _positive(label):
                level.review_on_negatives.append(passage.id)
                errors[topic] = (True, match.review_reason or "")
            elif confident != _positive(label):
                errors[topic] = (confident, "")
        if not errors or not explain:
            continue
        reasons = {e.topic: e.reasons for e in matcher.explain(passage.text, passage.title)}
        for topic, (fired, review_reason) in errors.items():
            levels[topic].causes[passage.id] = _cut(
                review_reason or _first_reason(reasons.get(topic) or [], fired), CAUSE_LIMIT
            )
    return levels


def review_on_negatives(levels: dict[str, LevelScores]) -> tuple[int, int]:
    """(negative labels on which "review" fired, negative labels) over every topic."""
    return sum(len(v.review_on_negatives) for v in levels.values()), sum(v.negatives for v in levels.values())


def _first_reason(reasons: list[str], fired: bool) -> str:
    """The explanation's first line; for a topic that fired, its first line that says so, if any (an
    earlier rule that did not fire does not tell why the topic did)."""
    if fired:
        for line in reasons:
            if "fired" in line:
                return line
    return reasons[0] if reasons else ""


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
