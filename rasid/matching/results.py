"""What matching returns: topic matches with evidence sentences and term hits, all in original spelling."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], sentence: str = "", base: int = 0) -> TermHit:
        """A hit as `to_dict` wrote it; a row of an older version may lack `term`, `text` or `group`: the
        text is then read from `sentence` (which starts at offset `base` of the field)."""
        start, end = _int(data.get("start")), _int(data.get("end"))
        text = data.get("text")
        if not isinstance(text, str):
            text = sentence[start - base : end - base] if 0 <= start - base <= end - base else ""
        term = data.get("term")
        return cls(term if isinstance(term, str) else text, text, start, end, str(data.get("group") or ""))


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        """Evidence as `to_dict` wrote it (matches.evidence holds a list of these), tolerating rows of older
        versions: a missing `field` is "text", `modality` "asserted", `end` the end of the sentence."""
        raw = data.get("sentence")
        sentence = raw if isinstance(raw, str) else ""
        start = _int(data.get("start"))
        end = _int(data.get("end"), start + len(sentence))
        terms = data.get("terms")
        hits = [
            TermHit.from_dict(t, sentence, start)
            for t in (terms if isinstance(terms, list) else [])
            if isinstance(t, Mapping)
        ]
        return cls(
            "title" if data.get("field") == "title" else "text",
            sentence,
            start,
            end,
            hits,
            "planned" if data.get("modality") == "planned" else "asserted",
        )

    @property
    def spans(self) -> list[tuple[int, int]]:
        """The matched terms as (start, end) offsets into `sentence`, those that fall inside it."""
        out = []
        for t in self.terms:
            s, e = t.start - self.start, t.end - self.start
            if 0 <= s < e <= len(self.sentence):
                out.append((s, e))
        return out


def evidence_list(stored: Iterable[Evidence | Mapping[str, Any]] | None) -> list[Evidence]:
    """Evidence read back from storage (matches.evidence): dicts through `Evidence.from_dict`, records kept,
    anything else (a row damaged or of an unknown shape) skipped."""
    out = []
    for item in stored or ():
        if isinstance(item, Evidence):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(Evidence.from_dict(item))
    return out


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TopicMatch:
        """A match as `to_dict` wrote it; missing keys take their defaults (older rows)."""
        reason = data.get("review_reason")
        return cls(
            str(data.get("topic") or ""),
            float(data.get("score") or 0.0),
            "planned" if data.get("modality") == "planned" else "asserted",
            evidence_list(data.get("evidence")),
            "review" if data.get("confidence") == "review" else "alert",
            reason if isinstance(reason, str) else None,
        )


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
