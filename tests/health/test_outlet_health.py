"""Outlet health: failing or silent longer than the usual rhythm raises one operations note, and a
recovery note when the outlet comes back; delivered by apprise to a real json:// desk."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from rasid import health
from rasid.alerts import open_channels
from rasid.config import ChannelSettings, Settings, SourceSettings
from rasid.demo.desk import AlertDesk
from rasid.storage import Article, Database, Source, ensure_sources, record_crawl
from rasid.storage.clock import utcnow


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        sources=[SourceSettings(name="منفذ", homepage="https://x.org/", poll="10m")],
        base_dir=tmp_path,
    )


def test_failing_outlet_raises_one_note_then_a_recovery(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    settings = _settings(tmp_path)
    with db.session() as s:
        sid = ensure_sources(s, [("منفذ", "https://x.org/")])["منفذ"]
        src = s.get(Source, sid)
        assert src is not None
        src.last_success_at = utcnow() - timedelta(hours=3)
        record_crawl(s, sid, ok=False, error="HTTP 503", new_articles=0)
    with AlertDesk() as desk:
        ops = list(
            open_channels(
                [ChannelSettings(name="ops", url=desk.apprise_url("ops"), operations=True)]
            ).values()
        )
        changes = health.review(db, settings)
        assert [(c.source, c.new) for c in changes] == [("منفذ", "failing")]
        assert "HTTP 503" in changes[0].detail
        assert health.notify(db, ops, changes) == 1
        assert health.review(db, settings) == []  # told once
        with db.session() as s:
            record_crawl(s, sid, ok=True, error=None, new_articles=1)
        back = health.review(db, settings)
        assert [(c.old, c.new) for c in back] == [("failing", "ok")]
        health.notify(db, ops, back)
        assert [r.title for r in desk.received] == ["rasid: منفذ is failing", "rasid: منفذ is back"]
    db.dispose()


def test_a_short_failure_is_not_news(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    with db.session() as s:
        sid = ensure_sources(s, [("منفذ", "https://x.org/")])["منفذ"]
        record_crawl(s, sid, ok=True, error=None, new_articles=0)
        record_crawl(s, sid, ok=False, error="timeout", new_articles=0)
    assert health.review(db, _settings(tmp_path)) == []
    db.dispose()


def test_silent_outlet_measured_against_its_own_rhythm(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    now = utcnow()
    with db.session() as s:
        sid = ensure_sources(s, [("منفذ", "https://x.org/")])["منفذ"]
        for i in range(8):  # one article an hour, the last one 30 hours ago
            s.add(
                Article(
                    source_id=sid,
                    url=f"https://x.org/{i}",
                    title="ع",
                    text="ن",
                    content_hash=str(i),
                    fetched_at=now - timedelta(hours=30 + i),
                )
            )
        src = s.get(Source, sid)
        assert src is not None
        src.last_new_article_at = now - timedelta(hours=30)
        src.last_success_at = now
    changes = health.review(db, _settings(tmp_path))
    assert [c.new for c in changes] == ["silent"] and "usually one every 1.0 h" in changes[0].detail
    db.dispose()


def test_usual_gap_needs_history() -> None:
    now = utcnow()
    assert health.usual_gap([now, now - timedelta(hours=1)]) is None
    assert health.usual_gap([now - timedelta(minutes=10 * i) for i in range(6)]) == 600
