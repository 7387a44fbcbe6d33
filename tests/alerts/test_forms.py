"""The registry of channel kinds: scheme -> kind -> form, and a channel's `format` choosing the form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rasid.alerts import email, plain, telegram
from rasid.alerts.channels import open_channel
from rasid.alerts.digest.deliver import _format_of
from rasid.alerts.forms import EMAIL, PLAIN, TELEGRAM, form_of, kind_of, scheme_of
from rasid.alerts.message import AlertView, compose, compose_batch, composer
from rasid.config import ChannelSettings

TG_URL = "tgram://123456789:abcdefghij_klmnopq/-1001234567/"
URLS = {
    "tgram": TG_URL,
    "mailtos": "mailtos://u:p@smtp.example.org?to=d@example.org",
    "json": "json://127.0.0.1/",
}


def _view() -> AlertView:
    moment = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    return AlertView("t", "موضوع", "خبر", "منفذ", "https://e.org/1", moment, moment, "asserted", [])


def test_schemes_have_one_kind_each() -> None:
    assert kind_of("tgram") is TELEGRAM and kind_of("TGRAM") is TELEGRAM
    assert kind_of("mailto") is EMAIL and kind_of("mailtos") is EMAIL
    assert kind_of("json") is PLAIN and kind_of("discord") is PLAIN and kind_of("") is PLAIN
    assert scheme_of("MailTos://a@b") == "mailtos" and scheme_of("nothing") == ""
    assert not TELEGRAM.titled and TELEGRAM.one_at_a_time and EMAIL.titled and not PLAIN.one_at_a_time


def test_auto_is_the_kinds_own_form() -> None:
    assert composer("tgram") is telegram.compose and composer("mailto") is email.compose
    assert composer("json") is plain.compose
    assert form_of("mailtos").compose_batch is email.compose_batch


@pytest.mark.parametrize(
    ("scheme", "fmt", "body_format", "composed_by"),
    [
        ("tgram", "auto", "html", telegram.compose),
        ("tgram", "text", "text", plain.compose),
        ("tgram", "html", "html", telegram.compose),
        ("mailtos", "auto", "html", email.compose),
        ("mailtos", "text", "text", plain.compose),
        ("json", "auto", "text", plain.compose),
        ("json", "html", "html", email.compose),
    ],
)
def test_a_channels_format_chooses_its_messages(
    scheme: str, fmt: str, body_format: str, composed_by: object
) -> None:
    channel = open_channel(ChannelSettings(name="c", url=URLS[scheme], format=fmt))
    assert channel.kind is kind_of(scheme) and channel.form.compose is composed_by
    view = _view()
    assert channel.compose(view, "UTC") == composed_by(view, "UTC")  # type: ignore[operator]
    assert channel.compose(view, "UTC").body_format == body_format
    assert channel.compose_batch([view, view], "UTC").body_format == body_format
    assert channel.compose_batch([view], "UTC") == channel.compose(view, "UTC")
    assert _format_of(channel) == body_format  # the digest summary takes the same form


def test_compose_by_scheme_is_the_auto_form() -> None:
    view = _view()
    for scheme in URLS:
        assert compose(view, scheme, "UTC") == open_channel(
            ChannelSettings(name="c", url=URLS[scheme])
        ).compose(view, "UTC")
        assert compose_batch([view, view], scheme, "UTC") == form_of(scheme).compose_batch(
            [view, view], "UTC"
        )
