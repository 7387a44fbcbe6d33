"""Words for the verdicts of rules: why a topic fired on a sentence or did not (`rasid match --explain`,
`rasid watchlist check`, review reasons). Matching decides in data (`rules.Verdict`); this only writes."""

from __future__ import annotations

from rasid.matching.hits import ArticleHits
from rasid.matching.rules import Verdict


def describe(verdict: Verdict, article: ArticleHits, label: str) -> str:
    """One reason line, as `label: what happened in «the sentence»`."""
    d = verdict.detail
    where = article.snippet(verdict.key) if verdict.key is not None else "the article"
    kind = verdict.kind
    if kind == "anywhere_missing":
        text = f"'anywhere' group {d[0]!r} not found in title or text"
    elif kind == "nowhere_found":
        text = f"blocked: 'nowhere' group {d[0]!r} found ({d[1]!r})"
    elif kind == "negated":
        text = f"{d[0]!r} is negated (لم/لن/لا before it) in {where}"
    elif kind == "attaches_to_rival":
        text = f"the event word attaches to {d[0]} in {where}"
    elif kind == "too_far":
        text = f"groups all present but not within {d[0]} words in {where}"
    elif kind == "blocked":
        text = f"blocked by {d[0]} in {where}"
    elif kind == "denied":
        text = f"denied by {d[0]!r} in {where}"
    elif kind == "background":
        text = f"background ({d[0]!r}), not news, in {where}"
    elif kind == "planned_only":
        text = f"planned ({d[0]!r}) but this topic takes only reported events, in {where}"
    elif kind == "low_score":
        text = f"score {d[0]:g} below min_score {d[1]:g} in {where}"
    elif kind == "unconfirmed_rival":
        text = (
            f"two doubts (no {d[0]!r} term anywhere, and the article names a rival, {d[1]!r}, that a bare "
            f"word may stand for) in {where}"
        )
    elif kind == "two_doubts":
        text = f"two doubts (review: {review_reason(d[0], label)}; and no {d[1]!r} term anywhere) in {where}"
    elif kind == "fired":
        modality, confidence, why, firing = d
        fired_as = modality if confidence == "alert" else f"{modality}, review: {review_reason(why, label)}"
        text = f"fired ({fired_as}) on {where}: " + ", ".join(f"{g}={term!r}" for g, term in firing)
    elif kind == "no_term":
        text = "no sentence has a term of " + ", ".join(repr(g) for g in d[0])
    elif kind == "partial":
        text = f"no sentence has all required groups; closest, {where}, lacks {', '.join(d[0])}"
    else:  # pragma: no cover - every kind fire_rule gives is worded above
        text = f"{kind} {d!r}"
    return f"{label}: {text}"


def review_reason(why: str | None, label: str) -> str | None:
    """The reason a match is only `review`, in words ("review_rule" is a rule that gives only review)."""
    return f"{label} gives only review" if why == "review_rule" else why
