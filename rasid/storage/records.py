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


@dataclass(frozen=True)
class NewMatch:
    """A topic that fired, with JSON-ready evidence."""

    topic: str
    score: float
    modality: str = "asserted"
    evidence: list[dict[str, Any]] = field(default_factory=list)
