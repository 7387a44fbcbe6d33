"""Composing an alert for a channel: plain text for most services, escaped HTML for Telegram and email.

Everything taken from the web (headline, outlet, sentence) is untrusted: escaped, and cut to size.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TELEGRAM_LIMIT = 4096
HTML_SCHEMES = ("tgram", "mailto", "mailtos")
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)


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
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    body_format: str  # "text" | "html"


def _clean(text: str, limit: int) -> str:
    text = " ".join(text.translate(_BIDI_CONTROLS).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sentence(view: AlertView) -> tuple[str, list[tuple[int, int]]]:
    """The first evidence sentence and its matched spans (relative to the sentence)."""
    for ev in view.evidence:
        sentence = ev.get("sentence") or ""
        if not sentence:
            continue
        base = int(ev.get("start", 0))
        spans = []
        for term in ev.get("terms", []):
            s, e = int(term.get("start", 0)) - base, int(term.get("end", 0)) - base
            if 0 <= s < e <= len(sentence):
                spans.append((s, e))
        return sentence, sorted(set(spans))
    return "", []


def _highlight(sentence: str, spans: list[tuple[int, int]], limit: int) -> str:
    """HTML-escaped sentence with matched spans in <b>, cut at `limit` visible characters."""
    out: list[str] = []
    pos = 0
    for s, e in spans:
        if s < pos or s >= limit:
            continue
        out.append(html.escape(sentence[pos:s]))
        out.append(f"<b>{html.escape(sentence[s : min(e, limit)])}</b>")
        pos = min(e, limit)
    out.append(html.escape(sentence[pos:limit]))
    text = "".join(out)
    return text + ("…" if len(sentence) > limit else "")


def _when(view: AlertView, tz: str) -> str:
    moment = view.published or view.fetched
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def compose(view: AlertView, scheme: str, tz: str) -> Message:
    """The message for a channel whose apprise URL starts with `scheme`."""
    planned = view.modality == "planned"
    label = f"{view.topic_title}{' (مخطط/متوقع — planned)' if planned else ''}"
    headline = _clean(view.headline, 300)
    outlet = _clean(view.outlet, 100)
    sentence, spans = _sentence(view)
    sentence_clean = sentence.translate(_BIDI_CONTROLS)
    title = _clean(f"[{view.topic_title}] {view.headline}", 200)
    if scheme in HTML_SCHEMES:
        body = (
            f"<b>{html.escape(label)}</b>\n"
            f"<b>{html.escape(headline)}</b>\n"
            f"{html.escape(outlet)} · {_when(view, tz)}\n"
        )
        if sentence_clean:
            body += f"\n{_highlight(sentence_clean, spans, 600)}\n"
        body += f'\n<a href="{html.escape(view.url, quote=True)}">{html.escape(_clean(view.url, 300))}</a>'
        if scheme.startswith("mailto"):
            body = f'<div dir="rtl" lang="ar">{body.replace(chr(10), "<br>")}</div>'
        return Message(title, body[:TELEGRAM_LIMIT], "html")
    lines = [label, headline, f"{outlet} · {_when(view, tz)}"]
    if sentence_clean:
        lines += ["", _clean(sentence_clean, 600)]
    lines += ["", view.url]
    return Message(title, "\n".join(lines), "text")
