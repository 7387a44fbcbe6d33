"""Sources and articles: what is already known, and storing an article once ("what is new")."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rasid.storage.clock import utcnow
from rasid.storage.models import Article, FeedState, Source
from rasid.storage.records import NewArticle

_SPACE = re.compile(r"\s+")


def content_hash(title: str, text: str) -> str:
    """Hash of the article's words, blind to whitespace, so a re-published copy hashes the same."""
    body = _SPACE.sub(" ", f"{title}\n{text}").strip()
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _dialect_insert(dialect: str, model: type):  # type: ignore[no-untyped-def]
    """INSERT with ON CONFLICT support: PostgreSQL's or SQLite's."""
    return postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)


def _insert(session: Session, model: type, values: dict[str, object], index: list[str]):  # type: ignore[no-untyped-def]
    ins = _dialect_insert(session.get_bind().dialect.name, model)
    return ins.values(**values).on_conflict_do_nothing(index_elements=index)


def ensure_sources(session: Session, sources: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Rows for the configured sources (name, homepage), created if missing; returns name -> id."""
    wanted = dict(sources)
    for name, homepage in wanted.items():
        session.execute(
            _insert(
                session,
                Source,
                {"name": name, "homepage": homepage, "created_at": utcnow(), "consecutive_failures": 0},
                ["name"],
            )
        )
    rows = session.execute(select(Source.name, Source.id).where(Source.name.in_(list(wanted))))
    return {name: sid for name, sid in rows}


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """Which of these canonical URLs are stored already."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        found.update(session.scalars(select(Article.url).where(Article.url.in_(chunk))))
    return found


_ARTICLE_COLUMNS = (
    "source_id",
    "url",
    "title",
    "text",
    "published_at",
    "author",
    "language",
    "content_hash",
    "fetched_at",
    "story_id",
)
_TWIN = (
    select(Article.id, Article.story_id)
    .where(Article.content_hash == bindparam("digest"))
    .order_by(Article.id)
    .limit(1)
)
_OWN_STORY = update(Article).where(Article.id == bindparam("new_id")).values(story_id=Article.id)


@cache
def _article_insert(dialect: str):  # type: ignore[no-untyped-def]
    """INSERT .. ON CONFLICT (url) DO NOTHING RETURNING id, built once per dialect (values bound)."""
    return (
        _dialect_insert(dialect, Article)
        .values({c: bindparam(c) for c in _ARTICLE_COLUMNS})
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(Article.id)
    )


def insert_article(session: Session, source_id: int, article: NewArticle) -> int | None:
    """Store the article unless its URL is known: the new article's id, or None when it was not new.

    Safe against a concurrent writer (INSERT .. ON CONFLICT DO NOTHING): only one caller gets the row.
    An article whose text another URL already carries joins that article's story. Prepared statements
    only, no ORM object (the pipeline stores one article per page)."""
    digest = content_hash(article.title, article.text)
    conn = session.connection()  # core statements: no ORM bookkeeping per article
    twin = conn.execute(_TWIN, {"digest": digest}).first()
    new_id = conn.execute(
        _article_insert(conn.dialect.name),
        {
            "source_id": source_id,
            "url": article.url,
            "title": article.title,
            "text": article.text,
            "published_at": article.published,
            "author": article.author,
            "language": article.language,
            "content_hash": digest,
            "fetched_at": utcnow(),
            "story_id": (twin[1] or twin[0]) if twin is not None else None,
        },
    ).scalar_one_or_none()
    if new_id is not None and twin is None:
        conn.execute(_OWN_STORY, {"new_id": new_id})
    return new_id


def feed_state(session: Session, source_id: int, url: str) -> FeedState | None:
    return session.scalar(select(FeedState).where(FeedState.source_id == source_id, FeedState.url == url))


def save_feed_state(
    session: Session, source_id: int, url: str, status: int, etag: str | None, last_modified: str | None
) -> None:
    """Remember the validators of a feed answer, for the next conditional GET."""
    session.execute(_insert(session, FeedState, {"source_id": source_id, "url": url}, ["source_id", "url"]))
    state = feed_state(session, source_id, url)
    assert state is not None
    state.last_status = status
    state.last_fetched_at = utcnow()
    if status == 200:
        state.etag = etag
        state.last_modified = last_modified


def record_crawl(
    session: Session,
    source_id: int,
    *,
    ok: bool,
    error: str | None,
    new_articles: int,
    at: datetime | None = None,
) -> Source:
    """Update a source's health after a crawl."""
    now = at or utcnow()
    source = session.get(Source, source_id)
    assert source is not None
    source.last_crawl_at = now
    if ok:
        source.last_success_at = now
        source.consecutive_failures = 0
        source.last_error = None
    else:
        source.consecutive_failures = (source.consecutive_failures or 0) + 1
        source.last_error = error
        source.last_error_at = now
    if new_articles:
        source.last_new_article_at = now
    return source
