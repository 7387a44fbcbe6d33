"""Checking a watchlist's examples: texts a topic must alert on, only review, not fire on, or see planned."""

from __future__ import annotations

from dataclasses import dataclass

from rasid.matching.matcher import Matcher
from rasid.matching.watchlist import Watchlist


@dataclass(frozen=True)
class ExampleFailure:
    """An example that does not behave as its topic says; `problem` explains it with the matcher's reasons."""

    source: str | None
    topic: str
    kind: str
    example: str
    problem: str


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def check_examples(watchlist: Watchlist, matcher: Matcher | None = None) -> list[ExampleFailure]:
    """Every failing example of every topic (an empty list means all pass)."""
    matcher = matcher or Matcher(watchlist)
    failures: list[ExampleFailure] = []
    for topic in watchlist.topics:
        cases = (
            [("match", t) for t in topic.examples.match]
            + [("planned", t) for t in topic.examples.planned]
            + [("review", t) for t in topic.examples.review]
            + [("no_match", t) for t in topic.examples.no_match]
        )
        for kind, text in cases:
            explanation = next(e for e in matcher.explain(text) if e.topic == topic.id)
            why = "; ".join(explanation.reasons) or "no reason recorded"
            problem = None
            if kind == "no_match" and explanation.fired:
                problem = f"examples.no_match fired but must not: «{_short(text)}» ({why})"
            elif kind != "no_match" and not explanation.fired:
                problem = f"examples.{kind} did not fire: «{_short(text)}» ({why})"
            elif kind == "review" and explanation.match and explanation.match.confidence != "review":
                problem = f"examples.review fired as a confident alert, not review: «{_short(text)}»"
            elif kind != "review" and explanation.match and explanation.match.confidence != "alert":
                reason = explanation.match.review_reason
                problem = f"examples.{kind} fired only as review ({reason}): «{_short(text)}»"
            elif kind == "planned" and explanation.match and explanation.match.modality != "planned":
                problem = (
                    f"examples.planned fired as {explanation.match.modality}, not planned: «{_short(text)}»"
                )
            if problem:
                failures.append(ExampleFailure(topic.source, topic.id, kind, text, problem))
    return failures
