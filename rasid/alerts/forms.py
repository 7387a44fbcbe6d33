"""The one registry of channel kinds: an apprise scheme gives a kind (Telegram, e-mail, plain), a kind and
the channel's `format` give the form of its messages (the composer of one alert and of a batch).

Nowhere else tells channels apart by their URL: ask `kind_of(scheme)` or a Channel's `kind` and `form`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rasid.alerts import email, plain, telegram
from rasid.alerts.message import AlertView, Message
from rasid.config.schema import CHANNEL_FORMATS

FORMATS = CHANNEL_FORMATS
"""Values of a channel's `format`: "auto" (its kind's own form), "text" (plain text), "html"."""


@dataclass(frozen=True)
class Form:
    """How messages are written: one alert, several held alerts, and the body format apprise is told."""

    name: str  # "html" | "text"
    compose: Callable[[AlertView, str], Message]
    compose_batch: Callable[[list[AlertView], str], Message]


HTML_MAIL = Form("html", email.compose, email.compose_batch)
HTML_TELEGRAM = Form("html", telegram.compose, telegram.compose_batch)
TEXT = Form("text", plain.compose, plain.compose_batch)


@dataclass(frozen=True)
class Kind:
    """A kind of channel: its forms by name, the one it gets with `format = "auto"`, whether the service
    shows the title apart (Telegram does not: the body carries it), and whether it takes one send at a
    time (Telegram: its flood limits answer 429 with a retry_after that holds the whole chat)."""

    name: str
    forms: dict[str, Form]
    auto: str
    titled: bool = True
    one_at_a_time: bool = False

    def form(self, fmt: str = "auto") -> Form:
        """The form for a channel's `format` ("auto", "text" or "html")."""
        return self.forms[self.auto if fmt == "auto" else fmt]


TELEGRAM = Kind("telegram", {"html": HTML_TELEGRAM, "text": TEXT}, "html", titled=False, one_at_a_time=True)
EMAIL = Kind("email", {"html": HTML_MAIL, "text": TEXT}, "html")
PLAIN = Kind("plain", {"html": HTML_MAIL, "text": TEXT}, "text")
KINDS = {k.name: k for k in (TELEGRAM, EMAIL, PLAIN)}
SCHEMES = {"tgram": TELEGRAM, "mailto": EMAIL, "mailtos": EMAIL}
"""Apprise schemes with a kind of their own; every other service is plain."""


def kind_of(scheme: str) -> Kind:
    """The kind of a channel whose apprise URL starts with `scheme` ("tgram", "mailtos", "json", …)."""
    return SCHEMES.get(scheme.lower(), PLAIN)


def scheme_of(url: str) -> str:
    """The scheme of an apprise URL, lower case ("" when it has none)."""
    head, sep, _ = url.partition("://")
    return head.strip().lower() if sep else ""


def form_of(scheme: str, fmt: str = "auto") -> Form:
    """The form of the messages of a channel: its scheme's kind, and its `format`."""
    return kind_of(scheme).form(fmt)
