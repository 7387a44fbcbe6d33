"""Channels against real servers on loopback: a fake Telegram Bot API (200, 429, 500 on demand) and a real
SMTP server (aiosmtpd) whose MIME message is parsed back."""

from __future__ import annotations

from datetime import timedelta

from alerts.helpers import dispatcher, queue
from alerts.servers import fake_telegram, smtp_server, telegram_429
from rasid.config import ChannelSettings
from rasid.storage import Alert, Database
from rasid.storage.clock import utcnow

TG = ChannelSettings(name="tg", url="tgram://123456789:abcdefghij_klmnopq/-1001234567/")


def test_telegram_gets_escaped_html_for_the_right_chat(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    queue(db, 2, ["tg"])
    with db.session() as s:  # a hostile headline
        art = s.query(Alert).order_by(Alert.id).first().match.article  # type: ignore[union-attr]
        art.title = "<script>x</script> **عاجل** & " + "خ" * 10_000
    with fake_telegram() as bot:
        stats = dispatcher(db, [TG]).dispatch_due()
        assert stats.sent == 2
        sends = [r for r in bot.requests if r.path.endswith("/sendMessage")]
        assert len(sends) == 2
        for r in sends:
            assert r.path == "/bot123456789:abcdefghij_klmnopq/sendMessage"
            assert r.payload["chat_id"] == -1001234567 and r.payload["parse_mode"] == "HTML"
            assert len(r.payload["text"]) <= 4096
        text = sends[0].payload["text"]
        assert (
            text.startswith("<b>انضمام عضو جديد</b>") and "&lt;script&gt;" in text and "<script>" not in text
        )
        assert '<a href="https://x.org/1/0">' in text and "…" in text
    db.dispose()


def test_telegram_429_is_retried_after_the_time_it_asks_and_500_with_backoff(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    queue(db, 3, ["tg"])
    with fake_telegram() as bot:
        bot.plan = [telegram_429(120)]
        d = dispatcher(db, [TG], retry_base="2s")
        stats = d.dispatch_due()
        assert stats.failed == 1 and stats.sent == 0 and len(bot.requests) == 1  # the others wait too
        with db.session() as s:
            alerts = s.query(Alert).all()
            assert all(a.status == "pending" for a in alerts)
            waits = [(a.next_attempt_at - utcnow()).total_seconds() for a in alerts]
            assert all(115 < w <= 120 for w in waits)
            assert "retry after 120" in (min(alerts, key=lambda a: a.id).last_error or "")
            for a in alerts:
                a.next_attempt_at = utcnow() - timedelta(seconds=1)
        bot.plan = [(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})]
        stats = d.dispatch_due()
        assert stats.failed == 1
        with db.session() as s:
            first = s.query(Alert).order_by(Alert.id).first()
            assert first is not None and first.attempts == 2
            wait = (first.next_attempt_at - utcnow()).total_seconds()
            assert 2 < wait <= 4  # retry_base * 2 ** (attempts - 1)
            for a in s.query(Alert):
                a.next_attempt_at = utcnow() - timedelta(seconds=1)
        assert d.dispatch_due().sent == 3
        assert len(bot.requests) == 5
    db.dispose()


def test_email_arrives_as_rtl_html_with_a_plain_part_and_an_arabic_subject(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    queue(db, 1, ["mail"])
    with db.session() as s:
        art = s.query(Alert).one().match.article
        art.title = "دمشق تتسلّم مخيم الهول <b>"
        headline = art.title
    with smtp_server() as box:
        mail = ChannelSettings(
            name="mail", url=f"mailto://127.0.0.1:{box.port}?from=a@example.com&to=b@example.com"
        )
        assert dispatcher(db, [mail]).dispatch_due().sent == 1
        (msg,) = box.messages
        assert msg["Subject"] == f"[انضمام عضو جديد] {headline}"
        assert msg["X-Rasid-Alert-Id"] == "1"
        assert msg.get_content_type() == "multipart/alternative"
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        assert plain is not None and html is not None
        html_text = html.get_content()
        plain_text = plain.get_content()
        assert 'dir="rtl"' in html_text and "دمشق تتسلّم مخيم الهول &lt;b&gt;" in html_text
        assert "دمشق تتسلّم مخيم الهول" in plain_text and "https://x.org/1/0" in plain_text
        assert "<div" not in plain_text
    db.dispose()
