"""What a digest says, independent of format: topics, stories, reports, counts and outlet health.

Text from the web is cleaned here, once, by `rasid.text` (controls out, whitespace folded, cut on a word),
so the HTML, Markdown, JSON and chat outputs show the same strings; each escapes them for its markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rasid.alerts.digest.week import Week
from rasid.matching import results
from rasid.text import clean, clean_marked

FORMAT = "rasid-digest/2"  # 2: each topic's possible matches in `review`
SENTENCE_LIMIT = 600
HEADLINE_LIMIT = 300
OUTLET_LIMIT = 100
REASON_LIMIT = 300
ERROR_LIMIT = 300


@dataclass(frozen=True)
class Highlight:
    """A matched term inside the evidence sentence; offsets index the sentence as shown."""

    start: int
    end: int


@dataclass(frozen=True)
class Evidence:
    """The sentence that made a topic fire, from the article's `field` (title or text)."""

    field: str
    sentence: str
    highlights: tuple[Highlight, ...] = ()

    @classmethod
    def from_match(cls, evidence: results.Evidence, limit: int = SENTENCE_LIMIT) -> Evidence:
        """The matcher's evidence as shown: the sentence cleaned and cut, its terms as highlights."""
        text, spans = clean_marked(evidence.sentence, evidence.spans, limit)
        return cls(evidence.field, text, tuple(Highlight(s, e) for s, e in spans))

    def segments(self) -> list[tuple[str, bool]]:
        """The sentence cut into (text, is_match) pieces, in order, covering all of it."""
        out: list[tuple[str, bool]] = []
        pos = 0
        for h in self.highlights:
            if h.start > pos:
                out.append((self.sentence[pos : h.start], False))
            out.append((self.sentence[h.start : h.end], True))
            pos = h.end
        if pos < len(self.sentence):
            out.append((self.sentence[pos:], False))
        return out


def evidence_of(stored: Iterable[results.Evidence | Mapping[str, Any]] | None) -> Evidence | None:
    """The first evidence sentence of a match as stored in matches.evidence (read back with
    `Evidence.from_dict`, rows of older versions too), cleaned, with its terms as highlights."""
    for found in results.evidence_list(stored):
        shown = Evidence.from_match(found)
        if shown.sentence:
            return shown
    return None


def _clean_fields(record: Any, **limits: int) -> None:
    """Clean the named text fields of a frozen record in place (at construction), each to its limit."""
    for name, limit in limits.items():
        value = getattr(record, name)
        if isinstance(value, str):
            object.__setattr__(record, name, clean(value, limit))


@dataclass(frozen=True)
class Report:
    """One article of a story: which outlet reported it, when, under which headline."""

    article_id: int
    outlet: str
    headline: str
    url: str
    published: datetime  # local time of the week's zone (publication, or first seen when undated)

    def __post_init__(self) -> None:
        _clean_fields(self, outlet=OUTLET_LIMIT, headline=HEADLINE_LIMIT)


@dataclass(frozen=True)
class Story:
    """One story of a topic: its first report gives headline and evidence; `reports` lists every outlet."""

    key: str
    headline: str
    outlet: str
    url: str
    published: datetime
    score: float
    modality: str
    evidence: Evidence | None
    reports: tuple[Report, ...]
    # A story of possible ("review") matches only: why its first report is not a confident match.
    review_reason: str | None = None

    def __post_init__(self) -> None:
        _clean_fields(self, headline=HEADLINE_LIMIT, outlet=OUTLET_LIMIT, review_reason=REASON_LIMIT)

    @property
    def outlets(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.reports:
            seen.setdefault(r.outlet, None)
        return list(seen)


@dataclass(frozen=True)
class Counts:
    """Stories and matched articles of a topic (or of all topics) this week and the week before."""

    stories: int = 0
    articles: int = 0
    previous_stories: int = 0
    previous_articles: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "stories": self.stories,
            "articles": self.articles,
            "previous_stories": self.previous_stories,
            "previous_articles": self.previous_articles,
        }


@dataclass(frozen=True)
class TopicDigest:
    id: str
    title_ar: str
    title_en: str
    counts: Counts
    per_day: tuple[int, ...]  # matched articles per local day, Monday first
    stories: tuple[Story, ...]  # the confident ("alert") matches; counts and per_day are theirs
    # Stories only possibly about the topic ("review" matches), for a person to look at; a story with a
    # confident report is in `stories` only.
    review: tuple[Story, ...] = ()


@dataclass(frozen=True)
class OutletHealth:
    """An outlet's week: articles stored, and whether it failed or fell silent."""

    name: str
    homepage: str
    articles: int
    matched: int
    status: str  # "ok" | "failed" | "silent"
    last_article_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int

    def __post_init__(self) -> None:
        _clean_fields(self, name=OUTLET_LIMIT, last_error=ERROR_LIMIT)


@dataclass(frozen=True)
class Digest:
    week: Week
    topics: tuple[TopicDigest, ...]
    outlets: tuple[OutletHealth, ...]
    articles: int  # every article of the week, matched or not
    totals: Counts = field(default_factory=Counts)

    @property
    def previous_label(self) -> str:
        return self.week.previous().label

    @property
    def empty(self) -> bool:
        """No story this week, confident or to review."""
        return not any(t.stories or t.review for t in self.topics)

    @property
    def to_review(self) -> list[TopicDigest]:
        """The topics with stories to review, in topic order."""
        return [t for t in self.topics if t.review]

    @property
    def troubled(self) -> list[OutletHealth]:
        return [o for o in self.outlets if o.status != "ok"]

    def to_dict(self) -> dict[str, Any]:
        """The digest as digest.json holds it (see schema.json)."""
        return {
            "format": FORMAT,
            "week": self.week.label,
            "previous_week": self.previous_label,
            "timezone": self.week.timezone,
            "start": _iso(self.week.local(self.week.start)),
            "end": _iso(self.week.local(self.week.end)),
            "days": [d.isoformat() for d in self.week.days],
            "articles": self.articles,
            "totals": self.totals.to_dict(),
            "topics": [_topic_dict(t) for t in self.topics],
            "outlets": [_outlet_dict(o, self.week) for o in self.outlets],
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def _topic_dict(t: TopicDigest) -> dict[str, Any]:
    return {
        "id": t.id,
        "title_ar": t.title_ar,
        "title_en": t.title_en,
        "counts": t.counts.to_dict(),
        "per_day": list(t.per_day),
        "stories": [_story_dict(s) for s in t.stories],
        "review": [{**_story_dict(s), "review_reason": s.review_reason} for s in t.review],
    }


def _story_dict(s: Story) -> dict[str, Any]:
    evidence = None
    if s.evidence is not None:
        evidence = {
            "field": s.evidence.field,
            "sentence": s.evidence.sentence,
            "highlights": [
                {"start": h.start, "end": h.end, "text": s.evidence.sentence[h.start : h.end]}
                for h in s.evidence.highlights
            ],
        }
    return {
        "key": s.key,
        "headline": s.headline,
        "outlet": s.outlet,
        "url": s.url,
        "published": _iso(s.published),
        "score": s.score,
        "modality": s.modality,
        "evidence": evidence,
        "outlets": s.outlets,
        "reports": [
            {
                "article_id": r.article_id,
                "outlet": r.outlet,
                "headline": r.headline,
                "url": r.url,
                "published": _iso(r.published),
            }
            for r in s.reports
        ],
    }


def _outlet_dict(o: OutletHealth, week: Week) -> dict[str, Any]:
    def local(m: datetime | None) -> str | None:
        return None if m is None else _iso(week.local(m))

    return {
        "name": o.name,
        "homepage": o.homepage,
        "articles": o.articles,
        "matched": o.matched,
        "status": o.status,
        "last_article_at": local(o.last_article_at),
        "last_success_at": local(o.last_success_at),
        "last_error": o.last_error,
        "last_error_at": local(o.last_error_at),
        "consecutive_failures": o.consecutive_failures,
    }
