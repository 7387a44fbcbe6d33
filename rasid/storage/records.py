"""Plain values handed to storage by the other stages, so storage never imports them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class NewArticle:
    """An extracted article ready to be stored under its canonical URL."""

    url: str
    title: str
    text: str
    published: datetime | None = None
    author: str | None = None
    language: str | None = None


CONFIDENCES = ("alert", "review")


@dataclass(frozen=True)
class NewMatch:
    """A topic that fired, with JSON-ready evidence; `confidence` "alert" (confident) or "review"
    (possible, `review_reason` saying why it is not an alert)."""

    topic: str
    score: float
    modality: str = "asserted"
    evidence: list[dict[str, Any]] = field(default_factory=list)
    confidence: str = "alert"
    review_reason: str | None = None

    def __post_init__(self) -> None:
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"match confidence must be 'alert' or 'review', not {self.confidence!r}")


@dataclass(frozen=True)
class Route:
    """A channel that takes a topic, and the matches it takes: `confidence` "alert" (confident ones only)
    or "review" (confident and possible ones). A plain channel name in a route map means "alert"."""

    channel: str
    confidence: str = "alert"

    def takes(self, confidence: str) -> bool:
        return confidence == "alert" or (confidence == "review" and self.confidence == "review")
