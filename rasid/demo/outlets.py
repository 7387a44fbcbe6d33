"""Sample outlets as data: the article and outlet records the demo server serves, and the bundled loader."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, Literal

DateStyle = Literal["gregorian", "levantine", "arabic-digits"]

DEMO_OUTLET_FILES = ("badia.toml", "dijla.toml", "marsa.toml")
EXPECTED_FILE = "expected.toml"


@dataclass
class SampleArticle:
    """One article an outlet publishes: the body is plain paragraphs, HTML-escaped when rendered."""

    slug: str
    title: str
    paragraphs: list[str]
    published: datetime
    author: str | None = None
    section: str = "سياسة"
    summary: str = ""

    def __post_init__(self) -> None:
        if self.published.tzinfo is None:
            raise ValueError(f"article {self.slug!r}: published must be timezone-aware")
        if not self.slug or "/" in self.slug:
            raise ValueError(f"article slug {self.slug!r} must be non-empty and contain no '/'")

    @property
    def description(self) -> str:
        """The teaser used in the feed and meta description: the summary, else the first paragraph."""
        if self.summary:
            return self.summary
        first = self.paragraphs[0] if self.paragraphs else ""
        return first if len(first) <= 220 else first[:220].rsplit(" ", 1)[0] + "…"


@dataclass
class Outlet:
    """One simulated news site: its name, URL slug and the articles it has published so far."""

    name: str
    slug: str
    articles: list[SampleArticle] = field(default_factory=list)
    language: str = "ar"
    tagline: str = ""
    date_style: DateStyle = "gregorian"
    ticker: list[str] = field(default_factory=list)

    def article(self, slug: str) -> SampleArticle:
        for article in self.articles:
            if article.slug == slug:
                return article
        raise KeyError(slug)


def _article_from_dict(data: dict[str, Any], where: str) -> SampleArticle:
    published = data["published"]
    if isinstance(published, str):
        published = datetime.fromisoformat(published)
    if not isinstance(published, datetime):
        raise ValueError(f"{where}: published must be a date-time with an offset")
    return SampleArticle(
        slug=data["slug"],
        title=data["title"],
        paragraphs=list(data["paragraphs"]),
        published=published,
        author=data.get("author"),
        section=data.get("section", "سياسة"),
        summary=data.get("summary", ""),
    )


def outlet_from_dict(data: dict[str, Any], where: str = "outlet") -> Outlet:
    """Build an `Outlet` from the parsed form of a data file (see rasid/demo/data/*.toml)."""
    return Outlet(
        name=data["name"],
        slug=data["slug"],
        language=data.get("language", "ar"),
        tagline=data.get("tagline", ""),
        date_style=data.get("date_style", "gregorian"),
        ticker=list(data.get("ticker", [])),
        articles=[
            _article_from_dict(a, f"{where} article {i}") for i, a in enumerate(data.get("articles", []))
        ],
    )


def _read_data(name: str) -> dict[str, Any]:
    text = resources.files("rasid.demo").joinpath("data", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def rebase(outlets: list[Outlet], now: datetime) -> list[Outlet]:
    """Shift every date by whole days so the newest article is in the past but less than a day old."""
    dates = [a.published for o in outlets for a in o.articles]
    if not dates:
        return outlets
    newest = max(dates)
    days = math.floor((now - newest) / timedelta(days=1))
    shift = timedelta(days=days)
    return [
        replace(o, articles=[replace(a, published=a.published + shift) for a in o.articles]) for o in outlets
    ]


def load_sample_outlets(now: datetime | None = None, *, rebase_dates: bool = True) -> list[Outlet]:
    """The bundled demo outlets; dates are moved to the last days before `now` unless rebase_dates=False."""
    outlets = [outlet_from_dict(_read_data(name), name) for name in DEMO_OUTLET_FILES]
    if rebase_dates:
        outlets = rebase(outlets, now or datetime.now(UTC))
    return outlets


@dataclass(frozen=True)
class ExpectedAlert:
    """What one demo article should raise: the topic ids, and the story it shares with other outlets."""

    outlet: str
    slug: str
    topics: frozenset[str]
    story: str | None = None
    hard_for: frozenset[str] = frozenset()
    why: str = ""


def load_expected() -> list[ExpectedAlert]:
    """The demo's answer key (rasid/demo/data/expected.toml): every article and the topics it must raise."""
    data = _read_data(EXPECTED_FILE)
    return [
        ExpectedAlert(
            outlet=e["outlet"],
            slug=e["slug"],
            topics=frozenset(e.get("topics", [])),
            story=e.get("story"),
            hard_for=frozenset(e.get("hard_for", [])),
            why=e.get("why", ""),
        )
        for e in data["article"]
    ]
