"""Telegram: alerts as escaped HTML (parse_mode=HTML) within 4,096 characters, and reading its 429s."""

from __future__ import annotations

import html
import re

from rasid.alerts.message import (
    ALSO,
    TELEGRAM_LIMIT,
    AlertView,
    Message,
    label,
    reason,
    sentence_of,
    subject,
    when,
)
from rasid.text import clean, clean_marked

HREF_LIMIT = 2000
_RETRY_AFTER = re.compile(r"retry[ _-]?after\D{0,5}(\d+(?:\.\d+)?)", re.IGNORECASE)


def size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def highlight(sentence: str, spans: list[tuple[int, int]], limit: int) -> str:
    """The sentence cleaned and cut at `limit` characters on a word, escaped, matched spans in <b>."""
    text, marks = clean_marked(sentence, spans, limit)
    out: list[str] = []
    pos = 0
    for s, e in marks:
        out.append(esc(text[pos:s]))
        out.append(f"<b>{esc(text[s:e])}</b>")
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def link(url: str, text: str | None = None) -> str:
    """An <a> to `url`; an absurdly long (hostile) URL is shown cut, not linked."""
    shown = esc(clean(text if text is not None else url, 300))
    if len(url) > HREF_LIMIT or not url.startswith(("http://", "https://")):
        return shown
    return f'<a href="{html.escape(url, quote=True)}">{shown}</a>'


def _fit(parts: list[str], optional: list[int]) -> str:
    """Join parts; while over Telegram's limit, drop the optional parts (last first)."""
    body = "\n".join(p for p in parts if p is not None)
    drop = list(optional)
    while size(body) > TELEGRAM_LIMIT and drop:
        parts[drop.pop()] = ""
        body = "\n".join(parts)
    body = re.sub(r"\n{3,}", "\n\n", body)
    if size(body) > TELEGRAM_LIMIT:  # only the fixed parts are left, each already cut: cannot happen
        body = esc(clean(html.unescape(re.sub(r"<[^>]+>", "", body)), TELEGRAM_LIMIT - 1))
    return body


def compose(view: AlertView, tz: str) -> Message:
    outlet = esc(clean(view.outlet, 100))
    if view.followup:
        parts = [
            f"<b>{esc(label(view))}</b>",
            f"↩ {esc(ALSO)}: <b>{outlet}</b> · {when(view, tz)}",
            esc(clean(view.headline, 300)),
            link(view.url),
        ]
        return Message(subject(view), _fit(parts, []), "html")
    sentence, spans = sentence_of(view)
    parts = [
        f"<b>{esc(label(view))}</b>",
        f"<b>{esc(clean(view.headline, 300))}</b>",
        f"{outlet} · {when(view, tz)}",
    ]
    if view.review:
        parts.append(f"<i>{esc(reason(view))}</i>")
    parts += ["", highlight(sentence, spans, 600) if sentence else "", ""]
    optional = [len(parts) - 2]
    if view.also:
        also = ", ".join(link(a.url, a.outlet) for a in view.also[:10])
        parts += [f"{esc(ALSO)}: {also}", ""]
        optional.insert(0, len(parts) - 2)
    parts.append(link(view.url))
    return Message(subject(view), _fit(parts, optional), "html")


def compose_batch(views: list[AlertView], tz: str) -> Message:
    header = f"<b>rasid · {len(views)}</b>"
    blocks = []
    for view in views:
        lead = f"{esc(ALSO)} " if view.followup else ""
        why = f"\n<i>{esc(reason(view))}</i>" if view.review else ""
        blocks.append(
            f"<b>{esc(label(view))}</b>: {lead}{esc(clean(view.headline, 200))}\n"
            f"{esc(clean(view.outlet, 100))} · {when(view, tz)} · {link(view.url, 'link')}{why}"
        )
    body = header
    for i, block in enumerate(blocks):
        more = f"\n\n… +{len(blocks) - i}"
        if size(body + "\n\n" + block) + size(more) > TELEGRAM_LIMIT:
            body += more
            break
        body += "\n\n" + block
    return Message(f"rasid: {len(views)}", body, "html")


def retry_after(errors: list[str]) -> float | None:
    """Seconds Telegram asked us to wait (a 429 answer), read from apprise's report; None if it did not."""
    text = " ".join(errors)
    m = _RETRY_AFTER.search(text)
    if m:
        return float(m.group(1))
    if "error=429" in text:
        return 0.0  # rate limited without a figure: the caller's own backoff applies
    return None
