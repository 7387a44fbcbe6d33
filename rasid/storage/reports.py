"""Reads for the commands: the alerts list (rasid alerts list) and stored articles with the confidence of
their matches (rasid backtest)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rasid.storage.models import Alert, Article, Match, Source
from rasid.storage.states import DEAD


class AlertLine(NamedTuple):
    """An alert as `rasid alerts list` shows it."""

    id: int
    status: str
    attempts: int
    channel: str
    topic: str
    outlet: str
    title: str
    confidence: str | None
    parent_id: int | None
    last_error: str | None


def recent_alerts(session: Session, limit: int, dead_only: bool = False) -> list[AlertLine]:
    """The newest alerts (or dead letters), newest first."""
    query = (
        select(
            Alert.id,
            Alert.status,
            Alert.attempts,
            Alert.channel,
            Alert.topic,
            Source.name,
            Article.title,
            Match.confidence,
            Alert.parent_id,
            Alert.last_error,
        )
        .join(Match, Match.id == Alert.match_id)
        .join(Article, Article.id == Match.article_id)
        .join(Source, Source.id == Article.source_id)
        .order_by(Alert.id.desc())
        .limit(limit)
    )
    if dead_only:
        query = query.where(Alert.status == DEAD)
    return [AlertLine._make(row) for row in session.execute(query)]


@dataclass(frozen=True)
class StoredArticle:
    """A stored article, and topic -> confidence of the matches stored for it."""

    id: int
    title: str
    text: str
    url: str
    outlet: str
    fetched_at: datetime
    matches: dict[str, str]


def articles_since(session: Session, since: datetime) -> Iterator[StoredArticle]:
    """Articles first seen since `since`, oldest first, read 500 at a time."""
    query = (
        select(Article)
        .where(Article.fetched_at >= since)
        .options(selectinload(Article.matches), selectinload(Article.source))
        .order_by(Article.fetched_at)
    )
    for a in session.scalars(query).yield_per(500):
        matches = {m.topic: m.confidence or "alert" for m in a.matches}
        yield StoredArticle(a.id, a.title, a.text, a.url, a.source.name, a.fetched_at, matches)
