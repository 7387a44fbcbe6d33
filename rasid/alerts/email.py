"""E-mail: an HTML body written right to left (dir="rtl"), and the plain-text part apprise derives."""

from __future__ import annotations

import html

from rasid.alerts.message import ALSO, AlertView, Message, label, reason, sentence_of, subject, when
from rasid.alerts.telegram import highlight, link
from rasid.text import clean

STYLE = "font-family: Tahoma, Arial, sans-serif; font-size: 15px; line-height: 1.6"


def _wrap(inner: str) -> str:
    return f'<div dir="rtl" lang="ar" style="{STYLE}">{inner}</div>'


def compose(view: AlertView, tz: str) -> Message:
    esc = html.escape
    outlet = esc(clean(view.outlet, 100))
    if view.followup:
        inner = (
            f"<p><b>{esc(label(view))}</b></p>"
            f"<p>{esc(ALSO)}: <b>{outlet}</b> · {when(view, tz)}</p>"
            f"<p>{esc(clean(view.headline, 300))}</p><p>{link(view.url)}</p>"
        )
        return Message(subject(view), _wrap(inner), "html")
    sentence, spans = sentence_of(view)
    inner = (
        f"<p><b>{esc(label(view))}</b></p>"
        f"<h3>{esc(clean(view.headline, 300))}</h3>"
        f"<p>{outlet} · {when(view, tz)}</p>"
    )
    if view.review:
        inner += f"<p><i>{esc(reason(view))}</i></p>"
    if sentence:
        inner += f"<blockquote>{highlight(sentence, spans, 1000)}</blockquote>"
    if view.also:
        items = "".join(
            f"<li>{esc(clean(a.outlet, 100))}: {link(a.url, a.headline)}</li>" for a in view.also[:20]
        )
        inner += f"<p>{esc(ALSO)}:</p><ul>{items}</ul>"
    inner += f"<p>{link(view.url)}</p>"
    return Message(subject(view), _wrap(inner), "html")


def compose_batch(views: list[AlertView], tz: str) -> Message:
    esc = html.escape
    items = "".join(
        f"<li><b>{esc(label(v))}</b>: {(esc(ALSO) + ' ') if v.followup else ''}"
        f"{link(v.url, v.headline)}<br>{esc(clean(v.outlet, 100))} · {when(v, tz)}"
        f"{f'<br><i>{esc(reason(v))}</i>' if v.review else ''}</li>"
        for v in views
    )
    title = clean(f"rasid: {len(views)} تنبيهات — {views[0].topic_title}", 200)
    return Message(title, _wrap(f"<ul>{items}</ul>"), "html")
