"""The database tables as typed SQLAlchemy 2.0 models: sources, feeds, articles, matches, the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from rasid.storage.clock import utcnow
from rasid.storage.states import PENDING
from rasid.storage.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base; every table of rasid hangs off its metadata."""


class Source(Base):
    """An outlet as configured, with its crawl health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    homepage: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_crawl_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_new_article_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    health: Mapped[str] = mapped_column(String(16), default="ok", server_default="ok")
    health_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    health_notified: Mapped[str] = mapped_column(String(16), default="ok", server_default="ok")

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class FeedState(Base):
    """Per feed or sitemap address: validators for conditional GET and the last answer."""

    __tablename__ = "feed_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_feed_states_source_url"),)


class Article(Base):
    """An article stored once, under its canonical URL, with the hash of its text."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    author: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    story_id: Mapped[int | None] = mapped_column(Integer, index=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    source: Mapped[Source] = relationship(back_populates="articles")
    matches: Mapped[list[Match]] = relationship(back_populates="article")


class Match(Base):
    """A watch topic that fired on an article, with the evidence that made it fire and how sure it is."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(100), index=True)
    score: Mapped[float] = mapped_column(Float)
    modality: Mapped[str] = mapped_column(String(16), default="asserted")
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # "alert" (confident) or "review" (possible: a person should look; `review_reason` says why).
    confidence: Mapped[str] = mapped_column(String(8), default="alert", server_default="alert")
    review_reason: Mapped[str | None] = mapped_column(Text)

    article: Mapped[Article] = relationship(back_populates="matches")

    __table_args__ = (UniqueConstraint("article_id", "topic", name="uq_matches_article_topic"),)


class Alert(Base):
    """The outbox: one row per (article, topic, channel), written with the match; worked by the dispatcher."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)  # see rasid.storage.states
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # The dispatcher that holds the alert while `sending` ("host:pid:nonce"); `next_attempt_at` is then
    # the end of its lease.
    claim_token: Mapped[str | None] = mapped_column(String(80))
    # One story, one alert: the first alert of the same story on this channel ("also reported by").
    parent_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Sent inside another alert's message (a story's first alert, or a batch): that alert's id.
    sent_with: Mapped[int | None] = mapped_column(Integer)
    # False until the dispatcher has looked for an earlier alert of the same story.
    story_checked: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    match: Mapped[Match] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(back_populates="alert")

    __table_args__ = (
        UniqueConstraint("article_id", "topic", "channel", name="uq_alerts_article_topic_channel"),
        Index("ix_alerts_status_due", "status", "next_attempt_at"),
        Index("ix_alerts_channel_topic_created", "channel", "topic", "created_at"),
    )


class Delivery(Base):
    """One attempt to deliver an alert through its channel, successful or not."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    claim_token: Mapped[str | None] = mapped_column(String(80))

    alert: Mapped[Alert] = relationship(back_populates="deliveries")
