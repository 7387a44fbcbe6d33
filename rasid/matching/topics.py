"""The watchlist as data: topics, their groups of terms, rules and examples, and the error a bad watchlist
raises. `rasid.matching.watchlist` builds these from TOML; the matcher reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasid.matching.terms import Term


class WatchlistError(Exception):
    """A watchlist that cannot be used; `str()` names the file, topic, term or key, and the problem."""

    def __init__(
        self,
        problem: str,
        file: Path | str | None = None,
        topic: str | None = None,
        term: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.topic = topic
        self.term = term
        parts = [self.file or "<watchlist>"]
        if topic:
            parts.append(f"topic {topic!r}")
        if term is not None:
            parts.append(f"term {term!r}")
        super().__init__(": ".join([*parts, problem]))


@dataclass(frozen=True)
class Group:
    """A named set of terms; any one found means the group is present. `weight` counts to the score.

    `not_inside`: phrases that a term of this group may stand inside without counting (الوزراء inside
    رئيس الوزراء is not a meeting of ministers; التحالف inside التحالف الإسلامي is not the coalition)."""

    name: str
    terms: tuple[Term, ...]
    weight: float = 1.0
    not_inside: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Rule:
    """When a topic fires: conditions on one sentence, plus conditions on the whole article.

    Evidence, not fixed windows: `skip` groups (names in a list of states) do not count in word distances;
    beyond `near` but within `review_near` words the rule still fires, as `review`; each `rivals` entry names
    a required group and the groups that compete with it for the event word (the coalition the joining word
    attaches to: the nearest one, the event's own or a rival); `confirm` groups missing from the whole article
    make a match `review` instead of `alert`; a rule with `review = true` only ever gives `review`."""

    all: tuple[tuple[str, ...], ...] = ()
    any: tuple[str, ...] = ()
    near: int | None = None
    not_: tuple[str, ...] = ()
    not_near: tuple[str, ...] = ()
    not_within: int = 3
    anywhere: tuple[str, ...] = ()
    nowhere: tuple[str, ...] = ()
    review_near: int | None = None
    skip: tuple[str, ...] = ()
    rivals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    confirm: tuple[str, ...] = ()
    review: bool = False
    name: str | None = None
    attach: str = "nearest"

    def trigger_groups(self) -> tuple[str, ...]:
        """The groups whose words make up a sentence's evidence."""
        names = [g for alternatives in self.all for g in alternatives] + list(self.any)
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Examples:
    """Texts the topic must fire on as `alert` (`match`, `planned`), only as `review` (`review`), and must not
    fire on at all (`no_match`)."""

    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()
    planned: tuple[str, ...] = ()
    review: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    """One watch topic."""

    id: str
    title_ar: str
    title_en: str
    description: str
    groups: dict[str, Group]
    rules: tuple[Rule, ...]
    min_score: float = 0.0
    planned: bool = True
    examples: Examples = field(default_factory=Examples)
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title_ar": self.title_ar,
            "title_en": self.title_en,
            "description": self.description,
        }


@dataclass(frozen=True)
class Watchlist:
    """All topics of one or more watchlist files."""

    topics: list[Topic]

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.topics]
