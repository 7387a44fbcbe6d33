"""The dispatcher against a real json:// sink on loopback: delivered once, retried when the sink fails,
given up after the configured time, never sent twice across dispatcher restarts."""

from __future__ import annotations

from datetime import timedelta

from alerts.helpers import dispatcher, queue
from alerts.servers import http_sink
from rasid.config import ChannelSettings
from rasid.storage import Alert, Database, Delivery, Route
from rasid.storage.clock import utcnow


def _json(port: int) -> ChannelSettings:
    return ChannelSettings(name="desk", url=f"json://127.0.0.1:{port}/alerts")


def _make_due(db: Database) -> None:
    with db.session() as s:
        for a in s.query(Alert).filter(Alert.status == "pending"):
            a.next_attempt_at = utcnow() - timedelta(seconds=1)


def test_each_alert_delivered_once_with_its_idempotency_id(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 5, ["desk"])
    with http_sink() as sink:
        d = dispatcher(db, [_json(sink.port)])
        assert d.dispatch_due().sent == 5
        assert d.dispatch_due().sent == 0
        dispatcher(db, [_json(sink.port)]).recover()  # a restarted dispatcher finds nothing to resend
        assert dispatcher(db, [_json(sink.port)]).dispatch_due().sent == 0
        assert len(sink.requests) == 5
        with db.session() as s:
            ids = sorted(str(a.id) for a in s.query(Alert))
        assert sorted(sink.alert_ids()) == ids
        first = sink.requests[0].payload["message"].splitlines()
        assert first[0] == "انضمام عضو جديد" and first[-1].startswith("https://x.org/")
    db.dispose()


def test_review_matches_reach_only_review_channels_marked_with_their_reason(db_url: str) -> None:
    db = Database(db_url)
    routes: list[str | Route] = ["desk", Route("triage", "review")]
    queue(db, 1, routes, seed=1)
    queue(db, 1, routes, seed=2, confidence="review", review_reason="التحالف بعيد عن كلمة الانضمام")
    with http_sink() as desk, http_sink() as triage:
        channels = [
            _json(desk.port),
            ChannelSettings(name="triage", url=f"json://127.0.0.1:{triage.port}/t", confidence="review"),
        ]
        assert dispatcher(db, channels).dispatch_due().sent == 3
        assert len(desk.requests) == 1 and len(triage.requests) == 2
        (confident,) = desk.requests
        assert confident.payload["message"].splitlines()[0] == "انضمام عضو جديد"
        possible = [r.payload["message"] for r in triage.requests if "possible match" in r.payload["message"]]
        assert len(possible) == 1
        lines = possible[0].splitlines()
        assert lines[0] == "انضمام عضو جديد (مطابقة محتملة — possible match)"
        assert "to review because: التحالف بعيد عن كلمة الانضمام" in lines[3]
    db.dispose()


def test_a_channel_down_for_many_attempts_then_back(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 3, ["desk"])
    with http_sink() as sink:
        sink.status = 500
        d = dispatcher(db, [_json(sink.port)], retry_base="1s", retry_max="4s")
        delays = []
        for _ in range(6):
            stats = d.dispatch_due()
            # One request per round: after the first failure the channel's other alerts wait with it.
            assert stats.failed == 1 and stats.dead == 0
            with db.session() as s:
                alerts = s.query(Alert).order_by(Alert.id).all()
                assert all(a.status == "pending" for a in alerts)
                tried = min(alerts, key=lambda a: a.next_attempt_at)
                delays.append(max(a.next_attempt_at for a in alerts) - utcnow())
            _make_due(db)
        assert len(sink.requests) == 6
        # Exponential backoff, capped by retry_max.
        assert delays[0] < timedelta(seconds=1.5) and timedelta(seconds=3) < delays[-1] <= timedelta(
            seconds=4
        )
        sink.status = 200
        assert d.dispatch_due().sent == 3
        with db.session() as s:
            assert all(a.status == "sent" for a in s.query(Alert))
            assert s.query(Delivery).filter(Delivery.ok.is_(False)).count() == 6
            assert s.query(Delivery).filter(Delivery.ok.is_(True)).count() == 3
        assert len({i for i in sink.alert_ids()}) == 3
        del tried
    db.dispose()


def test_gives_up_after_the_configured_time(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 1, ["desk"])
    with http_sink() as sink:
        sink.status = 503
        stats = dispatcher(db, [_json(sink.port)], give_up_after=0).dispatch_due()
        assert stats.dead == 1
        with db.session() as s:
            alert = s.query(Alert).one()
            assert alert.status == "dead" and "503" in (alert.last_error or "")
    db.dispose()


def test_the_channels_format_is_the_form_the_daemon_sends(db_url: str) -> None:
    """`format = "html"` on a plain (json://) channel: the daemon's sends take it, not only `alerts test`."""
    db = Database(db_url)
    queue(db, 1, ["desk"])
    with http_sink() as sink:
        html = ChannelSettings(name="desk", url=f"json://127.0.0.1:{sink.port}/alerts", format="html")
        assert dispatcher(db, [html]).dispatch_due().sent == 1
        body = sink.requests[0].payload["message"]
        assert "<b>" in body or "<a " in body, body
    db.dispose()
