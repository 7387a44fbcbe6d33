"""The plain-text form of an alert, for every apprise service without markup (json://, SMS, chat webhooks).

First line: the topic title (and the planned marker); last line: the article URL.
"""

from __future__ import annotations

from rasid.alerts.message import ALSO, AlertView, Message, label, reason, sentence_of, subject, when
from rasid.text import clean

URL_LIMIT = 2000


def _url(url: str) -> str:
    return clean(url, URL_LIMIT)


def compose(view: AlertView, tz: str) -> Message:
    sentence, _ = sentence_of(view)
    if view.followup:
        outlet = f"{clean(view.outlet, 100)} · {when(view, tz)}"
        lines = [label(view), ALSO, outlet, clean(view.headline, 300)]
        return Message(subject(view), "\n".join([*lines, "", _url(view.url)]), "text")
    lines = [label(view), clean(view.headline, 300), f"{clean(view.outlet, 100)} · {when(view, tz)}"]
    if view.review:
        lines.append(reason(view))
    if sentence:
        lines += ["", clean(sentence, 600)]
    if view.also:
        lines += ["", ALSO + ":"]
        lines += [f"- {clean(a.outlet, 100)}: {clean(a.headline, 200)} {_url(a.url)}" for a in view.also[:10]]
    lines += ["", _url(view.url)]
    return Message(subject(view), "\n".join(lines), "text")


def compose_batch(views: list[AlertView], tz: str) -> Message:
    """Several alerts in one message: each as topic, headline, outlet and time, and its link."""
    blocks = []
    for view in views:
        head = f"{label(view)}: {clean(view.headline, 300)}"
        if view.followup:
            head = f"{label(view)}: {ALSO} {clean(view.outlet, 100)} — {clean(view.headline, 300)}"
        why = f"\n{reason(view)}" if view.review else ""
        blocks.append(f"{head}\n{clean(view.outlet, 100)} · {when(view, tz)}{why}\n{_url(view.url)}")
    title = clean(f"rasid: {len(views)} تنبيهات — alerts", 200)
    return Message(title, "\n\n".join(blocks), "text")
