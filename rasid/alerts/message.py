"""What an alert says (AlertView) and its message for a channel: Telegram HTML, e-mail HTML, or plain text.

Everything taken from the web (headline, outlet, sentence, URL) is untrusted: cleaned by `rasid.text`
(bidi and invisible controls removed, whitespace folded, cut on a word) and escaped wherever the channel
reads markup. Which composer a channel gets is decided by the registry in `rasid.alerts.forms`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from rasid.matching.results import Evidence
from rasid.text import clean, clean_marked

TELEGRAM_LIMIT = 4096
PLANNED = " (مخطط/متوقع — planned)"
ALSO = "أيضاً نشرته — also reported by"
REVIEW = " (مطابقة محتملة — possible match)"
REVIEW_WHY = "للمراجعة لأن — to review because"
REASON_LIMIT = 300


@dataclass(frozen=True)
class Also:
    """A later outlet that reported the same story."""

    outlet: str
    headline: str
    url: str


@dataclass(frozen=True)
class AlertView:
    """What an alert says, gathered from the database for one (article, topic)."""

    topic: str
    topic_title: str
    headline: str
    outlet: str
    url: str
    published: datetime | None
    fetched: datetime
    modality: str
    # Evidence records, or matches.evidence as stored (dicts, read with Evidence.from_dict when shown).
    evidence: Sequence[Evidence | Mapping[str, Any]]
    alert_id: int = 0
    also: tuple[Also, ...] = field(default=())
    # True when this alert only adds an outlet to a story already sent on the channel.
    followup: bool = False
    # "alert" (a confident match) or "review" (a possible one, sent to review channels with its reason).
    confidence: str = "alert"
    review_reason: str | None = None

    @property
    def review(self) -> bool:
        return self.confidence == "review"


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    body_format: str  # "text" | "html"


def label(view: AlertView) -> str:
    """The topic title, marked when the event is only planned and when the match is only possible."""
    return (
        clean(view.topic_title, 200)
        + (PLANNED if view.modality == "planned" else "")
        + (REVIEW if view.review else "")
    )


def reason(view: AlertView) -> str:
    """Why a possible match is not an alert, as one clean line ("" for a confident match)."""
    if not view.review:
        return ""
    return f"{REVIEW_WHY}: {clean(view.review_reason or '—', REASON_LIMIT)}"


def when(view: AlertView, tz: str) -> str:
    """The report's local time, as strftime("%Y-%m-%d %H:%M") writes it (formatted by hand: faster)."""
    m = (view.published or view.fetched).astimezone(ZoneInfo(tz))
    return f"{m.year}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}"


def sentence_of(view: AlertView) -> tuple[str, list[tuple[int, int]]]:
    """The first evidence sentence with something to show, cleaned (not cut), and its matched spans."""
    for item in view.evidence:
        ev = item if isinstance(item, Evidence) else Evidence.from_dict(item)
        text, spans = clean_marked(ev.sentence, ev.spans) if ev.sentence else ("", [])
        if text:
            return text, spans
    return "", []


def subject(view: AlertView) -> str:
    marker = " — مطابقة محتملة" if view.review else ""
    return clean(f"[{view.topic_title}{marker}] {view.headline}", 200)


@lru_cache(maxsize=64)
def composer(scheme: str) -> Callable[[AlertView, str], Message]:
    """The function composing the message for a channel whose apprise URL starts with `scheme`, in its
    kind's own form (a channel's `format` is honoured by `Channel.compose`)."""
    from rasid.alerts.forms import form_of

    return form_of(scheme).compose


def compose(view: AlertView, scheme: str, tz: str) -> Message:
    """The message for a channel whose apprise URL starts with `scheme`."""
    return composer(scheme)(view, tz)


def compose_batch(views: list[AlertView], scheme: str, tz: str) -> Message:
    """One message carrying several alerts held by a batching channel or its quiet hours."""
    from rasid.alerts.forms import form_of

    form = form_of(scheme)
    return form.compose(views[0], tz) if len(views) == 1 else form.compose_batch(views, tz)
