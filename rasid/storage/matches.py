"""Matches and their alerts, written in the article's transaction: one outbox row per channel."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy.orm import Session

from rasid.storage.articles import _insert
from rasid.storage.clock import utcnow
from rasid.storage.models import Alert, Match
from rasid.storage.records import NewMatch, Route
from rasid.storage.states import PENDING


def record_matches(
    session: Session,
    article_id: int,
    matches: Iterable[NewMatch],
    routes: Mapping[str, Sequence[str | Route]],
) -> list[int]:
    """Store the matches of a new article and one outbox row per channel that takes each topic at the
    match's confidence.

    `routes` maps topic id -> the channels that take it: `Route`s, or plain names (channels taking only
    confident "alert" matches); a "review" match goes only to routes with confidence "review". Returns the
    ids of the alerts created. Runs inside the caller's transaction, so an article, its matches and its
    alerts are committed together or not at all.
    """
    alert_ids: list[int] = []
    now = utcnow()
    for m in matches:
        match_id = session.execute(
            _insert(
                session,
                Match,
                {
                    "article_id": article_id,
                    "topic": m.topic,
                    "score": m.score,
                    "modality": m.modality,
                    "evidence": m.evidence,
                    "created_at": now,
                    "confidence": m.confidence,
                    "review_reason": m.review_reason,
                },
                ["article_id", "topic"],
            ).returning(Match.id)
        ).scalar_one_or_none()
        if match_id is None:
            continue
        for route in routes.get(m.topic, ()):
            if isinstance(route, str):
                route = Route(route)
            if not route.takes(m.confidence):
                continue
            alert_id = session.execute(
                _insert(
                    session,
                    Alert,
                    {
                        "match_id": match_id,
                        "article_id": article_id,
                        "topic": m.topic,
                        "channel": route.channel,
                        "status": PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                        "story_checked": False,
                    },
                    ["article_id", "topic", "channel"],
                ).returning(Alert.id)
            ).scalar_one_or_none()
            if alert_id is not None:
                alert_ids.append(alert_id)
    return alert_ids
