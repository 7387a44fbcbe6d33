"""Evaluating a matcher on labelled passages (JSON Lines or seeds folder): precision, recall, F1."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasid.matching.matcher import Matcher


@dataclass(frozen=True)
class Passage:
    """A labelled text: labels map topic id to 1, 0 or "B" (borderline, left out of the scores)."""

    id: str
    text: str
    title: str | None
    labels: dict[str, Any]


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
            passages.append(Passage(str(row["id"]), row["text"], row.get("title"), dict(row["labels"])))
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


def evaluate(matcher: Matcher, passages: list[Passage]) -> dict[str, TopicScore]:
    """Score every topic of the matcher's watchlist on the passages; "B" and missing labels are left out."""
    scores = {t.id: TopicScore(t.id) for t in matcher.watchlist.topics}
    for passage in passages:
        fired = {m.topic for m in matcher.match(passage.text, passage.title)}
        for topic, score in scores.items():
            label = passage.labels.get(topic)
            if label is None:
                continue
            if label == "B":
                score.borderline += 1
            elif label in (1, "1", True) and topic in fired:
                score.true_positives.append(passage.id)
            elif label in (1, "1", True):
                score.misses.append(passage.id)
            elif topic in fired:
                score.false_positives.append(passage.id)
            else:
                score.true_negatives += 1
    return scores
