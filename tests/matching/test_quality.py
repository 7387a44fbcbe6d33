"""The CI quality gate: precision and recall >= 0.95 per topic on the seeds and the dev set ("B" left out)."""

import os
from pathlib import Path

import pytest

from rasid.matching import Matcher, load_watchlist
from rasid.matching.evaluation import Passage, evaluate, load_jsonl, load_seeds, split

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
WATCHLIST = REPO / "config" / "watchlists" / "coalition.toml"


def _passages() -> list[Passage]:
    seeds, dev = SHARED / "seeds", SHARED / "matching" / "dev.jsonl"
    if not (seeds / "labels.json").is_file() or not dev.is_file():
        reason = f"labelled passages not found beside the repository ({seeds}, {dev})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return load_seeds(seeds) + load_jsonl(dev)


def test_enough_labelled_passages() -> None:
    passages = _passages()
    assert len(passages) >= 32
    assert all(p.labels for p in passages)


@pytest.mark.parametrize("topic", ["new_member", "camp_handover", "communique"])
def test_precision_and_recall_per_topic(topic: str) -> None:
    score = evaluate(Matcher(load_watchlist(WATCHLIST)), _passages())[topic]
    assert score.true_positives, "no positive passages for this topic"
    assert score.precision >= 0.95, f"false positives: {score.false_positives}"
    assert score.recall >= 0.95, f"misses: {score.misses}"


def _train_part(part: str) -> list[Passage]:
    train = SHARED / "matching" / "train.jsonl"
    if not train.is_file():
        reason = f"labelled passages not found beside the repository ({train})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return split(load_jsonl(train))[part]  # type: ignore[index]


# Floors, per topic, on ../shared/matching/train.jsonl split by outlet (rasid.matching.evaluation.split):
# the tuned-on part, and the part only ever scored. They pin today's level so quality cannot fall silently;
# the targets (P >= 0.92, R >= 0.90 on text never tuned on) are reported in bench/RESULTS.md.
FLOORS = {
    "tune": {"new_member": (0.95, 0.85), "camp_handover": (0.95, 0.90), "communique": (0.95, 0.95)},
    "score": {"new_member": (0.95, 0.80), "camp_handover": (0.80, 0.70), "communique": (0.95, 0.75)},
}


@pytest.mark.parametrize("part", ["tune", "score"])
@pytest.mark.parametrize("topic", ["new_member", "camp_handover", "communique"])
def test_alert_quality_on_the_train_split(part: str, topic: str) -> None:
    precision, recall = FLOORS[part][topic]
    score = evaluate(Matcher(load_watchlist(WATCHLIST)), _train_part(part))[topic]
    assert score.precision >= precision, f"false positives: {score.false_positives}"
    assert score.recall >= recall, f"misses: {score.misses}"


@pytest.mark.parametrize("part", ["tune", "score"])
def test_review_stays_rare_on_negatives(part: str) -> None:
    """`review` may fire on at most 10% of the passages labelled 0 for a topic."""
    matcher = Matcher(load_watchlist(WATCHLIST))
    negatives = reviewed = 0
    for passage in _train_part(part):
        found = {m.topic: m.confidence for m in matcher.match(passage.text, passage.title)}
        for topic, label in passage.labels.items():
            if label == 0:
                negatives += 1
                reviewed += found.get(topic) == "review"
    assert negatives and reviewed / negatives <= 0.10
