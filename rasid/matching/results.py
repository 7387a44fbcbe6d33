"""What matching returns: topic matches with evidence sentences and term hits, all in original spelling."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Field = Literal["title", "text"]


@dataclass(frozen=True)
class TermHit:
    """A watch term found in a field: `text` is `field[start:end]` of the original (un-normalised) string."""

    term: str
    text: str
    start: int
    end: int
    group: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Evidence:
    """A sentence that made a topic fire; `sentence` is `field[start:end]` of the original string."""

    field: Field
    sentence: str
    start: int
    end: int
    terms: list[TermHit]
    modality: Literal["asserted", "planned"] = "asserted"

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "modality": self.modality,
            "terms": [t.to_dict() for t in self.terms],
        }


@dataclass(frozen=True)
class TopicMatch:
    """A topic that fired: "asserted" if any evidence sentence asserts the event, else "planned"."""

    topic: str
    score: float
    modality: Literal["asserted", "planned"]
    evidence: list[Evidence]

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "score": self.score,
            "modality": self.modality,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class TopicExplanation:
    """For one topic: whether it fired and, rule by rule, why or why not."""

    topic: str
    fired: bool
    reasons: list[str] = field(default_factory=list)
    match: TopicMatch | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "fired": self.fired,
            "reasons": list(self.reasons),
            "match": self.match.to_dict() if self.match else None,
        }
