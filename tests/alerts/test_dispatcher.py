"""The dispatcher against a real json:// desk on loopback: delivered once, retried when the desk fails,
given up after the configured time, never sent twice across dispatcher restarts."""

from __future__ import annotations

from datetime import timedelta

from rasid.alerts import Dispatcher, open_channels
from rasid.config import ChannelSettings
from rasid.config.schema import AlertSettings
from rasid.demo.desk import AlertDesk
from rasid.storage import (
    Alert,
    Database,
    Delivery,
    NewArticle,
    NewMatch,
    ensure_sources,
    record_matches,
    store_article,
)
from rasid.storage.clock import utcnow


def _queue(db: Database, n: int, channels: list[str]) -> None:
    with db.session() as s:
        sid = ensure_sources(s, [("منفذ", "https://x.org/")])["منفذ"]
        for i in range(n):
            art = store_article(s, sid, NewArticle(f"https://x.org/{i}", f"عنوان {i}", "نص"))
            assert art is not None
            evidence = [{"field": "text", "sentence": "انضمت دولة", "start": 0, "end": 10, "terms": []}]
            record_matches(
                s, art.id, [NewMatch("new_member", 2.0, "asserted", evidence)], {"new_member": channels}
            )


def _dispatcher(db: Database, desk: AlertDesk, **alert_settings: object) -> Dispatcher:
    channels = open_channels([ChannelSettings(name="desk", url=desk.apprise_url())])
    return Dispatcher(db, channels, AlertSettings(**alert_settings), {"new_member": "انضمام عضو جديد"})  # type: ignore[arg-type]


def test_each_alert_delivered_once(db_url: str) -> None:
    db = Database(db_url)
    _queue(db, 5, ["desk"])
    with AlertDesk() as desk:
        d = _dispatcher(db, desk)
        assert d.dispatch_due().sent == 5
        assert d.dispatch_due().sent == 0
        _dispatcher(db, desk).recover()  # a restarted dispatcher finds nothing to resend
        assert _dispatcher(db, desk).dispatch_due().sent == 0
        assert len(desk.received) == 5
        assert {r.title for r in desk.received} == {f"[انضمام عضو جديد] عنوان {i}" for i in range(5)}
    db.dispose()


def test_failures_are_retried_with_backoff_then_delivered(db_url: str) -> None:
    db = Database(db_url)
    _queue(db, 2, ["desk"])
    with AlertDesk() as desk:
        desk.status = 500
        d = _dispatcher(db, desk, retry_base="1s")
        stats = d.dispatch_due()
        assert stats.failed == 2 and stats.dead == 0 and desk.received == []
        with db.session() as s:
            alerts = s.query(Alert).all()
            assert all(a.status == "pending" and a.next_attempt_at > utcnow() for a in alerts)
            assert all("500" in (a.last_error or "") for a in alerts)
            for a in alerts:
                a.next_attempt_at = utcnow() - timedelta(seconds=1)
        desk.status = 200
        assert d.dispatch_due().sent == 2
        with db.session() as s:
            assert s.query(Delivery).count() == 4
    db.dispose()


def test_gives_up_after_the_configured_time(db_url: str) -> None:
    db = Database(db_url)
    _queue(db, 1, ["desk"])
    with AlertDesk() as desk:
        desk.status = 503
        stats = _dispatcher(db, desk, give_up_after=0).dispatch_due()
        assert stats.dead == 1
        with db.session() as s:
            assert s.query(Alert).one().status == "dead"
    db.dispose()
