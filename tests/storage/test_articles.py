"""Storing articles once, on SQLite and PostgreSQL: the answer to "what is new"."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

from outbox_helpers import store_article

from rasid.storage import (
    Article,
    Database,
    NewArticle,
    ensure_sources,
    feed_state,
    known_urls,
    record_crawl,
    save_feed_state,
)


def _article(url: str, text: str = "نص الخبر") -> NewArticle:
    return NewArticle(url=url, title="عنوان", text=text, published=datetime(2026, 11, 20, 9, tzinfo=UTC))


def test_article_is_stored_once_and_known_afterwards(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        sid = ensure_sources(s, [("منفذ", "https://example.org/")])["منفذ"]
        first = store_article(s, sid, _article("https://example.org/a"))
        again = store_article(s, sid, _article("https://example.org/a"))
    assert first is not None and again is None
    with db.session() as s:
        assert known_urls(s, ["https://example.org/a", "https://example.org/b"]) == {"https://example.org/a"}
        assert s.query(Article).count() == 1
    db.dispose()


def test_sources_are_created_once(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        a = ensure_sources(s, [("عنب بلدي", "https://www.enabbaladi.net/")])
    with db.session() as s:
        b = ensure_sources(
            s, [("عنب بلدي", "https://www.enabbaladi.net/"), ("روداو", "https://www.rudaw.net/arabic")]
        )
    assert a["عنب بلدي"] == b["عنب بلدي"] and len(b) == 2
    db.dispose()


def test_same_text_on_two_urls_joins_one_story(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
        a = store_article(s, sid, _article("https://x.org/1", "نص واحد"))
        b = store_article(s, sid, _article("https://x.org/2", "نص  واحد"))
        c = store_article(s, sid, _article("https://x.org/3", "نص آخر"))
        assert a and b and c
        assert b.story_id == a.id == a.story_id and c.story_id == c.id
    db.dispose()


def test_times_come_back_aware_and_in_utc(db_url: str) -> None:
    db = Database(db_url)
    damascus = timezone(timedelta(hours=3))
    with db.session() as s:
        sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
        row = store_article(
            s,
            sid,
            NewArticle("https://x.org/t", "ع", "ن", published=datetime(2026, 11, 20, 12, tzinfo=damascus)),
        )
        assert row is not None
        rid = row.id
    with db.session() as s:
        got = s.get(Article, rid)
        assert got is not None and got.published_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
        assert got.published_at.tzinfo is not None
    db.dispose()


def test_concurrent_writers_store_an_article_once(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
    results: list[bool] = []

    def write() -> None:
        with db.session() as s:
            results.append(store_article(s, sid, _article("https://x.org/race")) is not None)

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    db.dispose()


def test_feed_validators_and_source_health(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
        save_feed_state(s, sid, "https://x.org/feed", 200, '"abc"', "Mon, 23 Nov 2026 10:00:00 GMT")
    with db.session() as s:
        save_feed_state(s, sid, "https://x.org/feed", 304, None, None)
        state = feed_state(s, sid, "https://x.org/feed")
        assert state is not None and state.etag == '"abc"' and state.last_status == 304
        src = record_crawl(s, sid, ok=False, error="HTTP 503", new_articles=0)
        assert src.consecutive_failures == 1 and src.last_error == "HTTP 503"
        src = record_crawl(s, sid, ok=True, error=None, new_articles=2)
        assert src.consecutive_failures == 0 and src.last_new_article_at is not None
    db.dispose()
