"""The reads and writes of story linking ("also reported by"): alerts not yet grouped, the earlier
alerts of a channel and topic, the text of their articles, and the links found, which also put the
articles in one story (`articles.story_id`, what the digest counts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Integer, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from rasid.storage.models import Alert, Article

_ALERTS = cast(Table, Alert.__table__)
LOCK_KEY = 0x72617369  # PostgreSQL advisory lock: one linker at a time across dispatchers
_CHUNK = 500


class NewAlert(NamedTuple):
    id: int
    channel: str
    topic: str
    article_id: int
    created_at: datetime


class EarlierAlert(NamedTuple):
    id: int
    parent_id: int | None  # its story's first alert
    article_id: int
    created_at: datetime


class ArticleText(NamedTuple):
    id: int
    title: str | None
    lead: str | None  # the first 2,000 characters of its text
    story_id: int | None
    reported_at: datetime | None  # publication time, else first seen


# The statements of every round, built once: executing the very same statement object each round spares
# SQLAlchemy rebuilding it and adapting its cached compiled form to a new one.
_UNCHECKED = (
    select(Alert.id, Alert.channel, Alert.topic, Alert.article_id, Alert.created_at)
    .where(Alert.story_checked.is_(False))
    .order_by(Alert.id)
    .limit(bindparam("b_limit", type_=Integer))
)
_EARLIER = (
    select(Alert.id, Alert.parent_id, Alert.article_id, Alert.created_at)
    .where(
        Alert.channel == bindparam("b_channel"),
        Alert.topic == bindparam("b_topic"),
        Alert.created_at >= bindparam("b_since"),
        Alert.id < bindparam("b_below"),
        # "IS NOT false" filters without steering SQLite to ix_alerts_story_checked, which would walk every
        # checked alert ever sent, newest first, instead of this channel's and topic's recent ones
        # (ix_alerts_channel_topic_created).
        Alert.story_checked.is_not(False),
    )
    # The newest first in the index's own order, so the walk stops after `b_limit` rows even when a
    # backlog fills the window (link_new puts them in id order).
    .order_by(Alert.created_at.desc(), Alert.id.desc())
    .limit(bindparam("b_limit", type_=Integer))
)
_TEXTS = select(
    Article.id,
    Article.title,
    func.substr(Article.text, 1, 2000),
    Article.story_id,
    func.coalesce(Article.published_at, Article.fetched_at),
).where(Article.id.in_(bindparam("b_ids", expanding=True)))
# Joining a story: one prepared UPDATE run for every linked alert of a round (executemany).
_JOIN = (
    update(_ALERTS)
    .where(_ALERTS.c.id == bindparam("b_id"))
    .values(parent_id=bindparam("b_parent"), story_checked=True)
)
_ALONE = (
    update(_ALERTS)
    .where(_ALERTS.c.id.in_(bindparam("b_ids", expanding=True)))
    .values(parent_id=None, story_checked=True)
)


def lock_linking(session: Session) -> None:
    """One linker at a time (PostgreSQL: an advisory lock held to the end of the transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))


def unchecked_alerts(session: Session, limit: int) -> list[NewAlert]:
    """Alerts not yet grouped into a story, oldest first."""
    return [NewAlert._make(r) for r in session.connection().execute(_UNCHECKED, {"b_limit": limit})]


def earlier_alerts(
    session: Session, channel: str, topic: str, since: datetime, below: int, limit: int
) -> list[EarlierAlert]:
    """Grouped alerts of this channel and topic created since `since`, ids below `below`, newest first."""
    rows = session.connection().execute(
        _EARLIER,
        {"b_channel": channel, "b_topic": topic, "b_since": since, "b_below": below, "b_limit": limit},
    )
    return [EarlierAlert._make(r) for r in rows]


def article_texts(session: Session, ids: Sequence[int]) -> list[ArticleText]:
    """Title, lead and story of these articles."""
    conn = session.connection()  # plain rows: no ORM result machinery per row
    out: list[ArticleText] = []
    for i in range(0, len(ids), _CHUNK):
        out += [ArticleText._make(r) for r in conn.execute(_TEXTS, {"b_ids": list(ids[i : i + _CHUNK])})]
    return out


def save_links(session: Session, links: Iterable[tuple[int, int | None]]) -> None:
    """(alert id, the first alert of the story it joins, or None for a story of its own): grouped."""
    conn = session.connection()
    links = list(links)
    alone = [alert_id for alert_id, parent in links if parent is None]
    for i in range(0, len(alone), _CHUNK):
        conn.execute(_ALONE, {"b_ids": alone[i : i + _CHUNK]})
    joined = [{"b_id": alert_id, "b_parent": parent} for alert_id, parent in links if parent is not None]
    if joined:
        conn.execute(_JOIN, joined)
        _one_story(session, joined)


def _one_story(session: Session, joined: list[dict[str, int]]) -> None:
    """One meaning of "story": an article whose alert joins another's ("also reported by") joins that
    article's story, with every article of its own story, so the digest counts what the alerts folded."""
    ids = {j["b_id"] for j in joined} | {j["b_parent"] for j in joined}
    article_of = dict(session.execute(select(Alert.id, Alert.article_id).where(Alert.id.in_(ids))).all())
    stories = dict(
        session.execute(
            select(Article.id, func.coalesce(Article.story_id, Article.id)).where(
                Article.id.in_(set(article_of.values()))
            )
        ).all()
    )
    for j in joined:
        follower, leader = article_of.get(j["b_id"]), article_of.get(j["b_parent"])
        if follower is None or leader is None:
            continue
        old, new = stories.get(follower, follower), stories.get(leader, leader)
        if old == new:
            continue
        session.execute(
            update(Article).where((Article.story_id == old) | (Article.id == follower)).values(story_id=new)
        )
        stories = {a: (new if s == old else s) for a, s in stories.items()}
