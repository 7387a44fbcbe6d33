"""Sending the digest through apprise to real local servers: email (aiosmtpd) gets the HTML page with the
files attached, Telegram (a local Bot API) a summary and digest.html, channels without `digest` nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasid.alerts.channels import open_channel
from rasid.alerts.digest import TopicInfo, build_digest, deliver_digest, parse_week, summary
from rasid.config import ChannelSettings
from rasid.storage import Database

from ..servers import fake_telegram, smtp_server
from .fill import TZ, Filler, evidence
from .test_digest import at

WEEK = parse_week("2026-W47", TZ)
TOPICS = [TopicInfo("camp_handover", "انتقال السيطرة على المخيمات")]


@pytest.fixture
def files(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'rasid.db'}")
    f = Filler(db)
    f.source("منفذ أ")
    f.source("منفذ صامت")
    ev = evidence("تسلمت الحكومة مخيم الهول", ["مخيم الهول"])
    for i in range(5):
        f.article(
            "منفذ أ", f"الحكومة تتسلم مخيم الهول <b>{i}</b>", at(17, 10 + i), topics={"camp_handover": ev}
        )
    yield build_digest(db, WEEK, TOPICS, tmp_path / "digests")
    db.dispose()


def test_email_gets_the_page_and_telegram_a_summary_with_the_file(files) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as box, fake_telegram() as telegram:
        channels = {
            "mail": open_channel(
                ChannelSettings(
                    name="mail",
                    url=f"mailto://127.0.0.1:{box.port}?from=rasid@example.org&to=desk@example.org",
                    digest=True,
                )
            ),
            "tg": open_channel(ChannelSettings(name="tg", url="tgram://123456:ABCdef/-100123", digest=True)),
            "alerts-only": open_channel(
                ChannelSettings(name="alerts-only", url="tgram://123456:ABCdef/-100999", digest=False)
            ),
        }
        outcome = deliver_digest(files, channels)
        assert outcome.sent == ["mail", "tg"] and not outcome.failed

        (message,) = box.messages
        assert "2026-W47" in str(message["subject"])
        html_part = message.get_body(preferencelist=("html",))
        assert html_part is not None
        page = html_part.get_content()
        assert 'dir="rtl"' in page and "&lt;b&gt;4&lt;/b&gt;" in page
        names = sorted(str(part.get_filename()) for part in message.iter_attachments())
        assert names == ["activity.png", "digest.json", "digest.md"]

        paths = [r.path for r in telegram.requests]
        assert any(p.endswith("/sendDocument") for p in paths), paths
        assert all("-100999" not in str(r.payload) for r in telegram.requests)
        document = next(r for r in telegram.requests if r.path.endswith("/sendDocument"))
        assert "digest.html" in document.payload.get("raw", "")


def test_summary_fits_telegram_and_escapes(files) -> None:  # type: ignore[no-untyped-def]
    text = summary(files.digest, "html")
    assert len(text) < 4096
    assert "&lt;b&gt;0&lt;/b&gt;" in text and "<b>0</b>" not in text
    assert "… و2 أخرى" in text  # three of five stories shown
    assert "منفذ صامت" in text  # the silent outlet is named
