"""What matching returns: topic matches with evidence sentences and term hits, all in original spelling."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Field = Literal["title", "text"]
Confidence = Literal["alert", "review"]
"""How sure a match is: `alert` (confident: alert channels by default) or `review` (possible: a person
should look; it carries the reason it is not an alert). Like a search engine's "only the best results / all
results"."""
CONFIDENCES: tuple[Confidence, ...] = ("alert", "review")


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
    """A topic that fired: "asserted" if any evidence sentence asserts the event, else "planned".

    `confidence` is "alert" when the evidence is confident, "review" when it is only possible; `review_reason`
    then says why it is not an alert (e.g. "the coalition is 14 words from the joining word")."""

    topic: str
    score: float
    modality: Literal["asserted", "planned"]
    evidence: list[Evidence]
    confidence: Confidence = "alert"
    review_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "topic": self.topic,
            "score": self.score,
            "modality": self.modality,
            "confidence": self.confidence,
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if self.review_reason is not None:
            out["review_reason"] = self.review_reason
        return out


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
