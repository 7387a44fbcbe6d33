"""Sending a written digest through apprise to the channels with `digest = true`: email gets the whole
HTML page (files attached), Telegram and the rest a short summary with digest.html attached."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field

import apprise

from rasid.alerts.channels import Channel
from rasid.alerts.digest.escape import safe_url
from rasid.alerts.digest.labels import NO_MATCHES, REVIEW_TITLE, STATUS, TITLE, week_line
from rasid.alerts.digest.model import Digest
from rasid.alerts.digest.write import DigestFiles
from rasid.alerts.forms import EMAIL
from rasid.text import clean

log = logging.getLogger(__name__)

SUMMARY_LIMIT = 3500  # under Telegram's 4,096 characters, with room for the title
TOP_STORIES = 3


@dataclass
class DigestDelivery:
    """Which channels got the digest and which did not (with apprise's complaint)."""

    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def digest_channels(channels: dict[str, Channel]) -> list[Channel]:
    return [c for name, c in sorted(channels.items()) if c.settings.digest]


def _format_of(channel: Channel) -> str:
    """ "html" or "text": the channel's message form (its kind's own, or its `format`)."""
    return channel.form.name


def summary(digest: Digest, fmt: str) -> str:
    """A few lines for chat: counts per topic beside last week's, top headlines, troubled outlets."""
    rich = fmt == "html"

    def esc(text: str) -> str:
        return html.escape(text, quote=True) if rich else text

    def bold(text: str) -> str:
        return f"<b>{esc(text)}</b>" if rich else text

    def link(text: str, url: str) -> str:
        target = safe_url(url)
        if rich and target:
            return f'<a href="{html.escape(target, quote=True)}">{esc(text)}</a>'
        return f"{text} {target}" if target else text

    lines = [bold(f"{TITLE} — {digest.week.label}"), esc(week_line(digest)), ""]
    if digest.empty:
        lines += [esc(NO_MATCHES), ""]
    for t in digest.topics:
        c = t.counts
        lines.append(
            f"{bold(t.title_ar)}: {c.stories} ({c.articles}) — "
            + esc(f"الأسبوع الماضي: {c.previous_stories} ({c.previous_articles})")
        )
        for s in t.stories[:TOP_STORIES]:
            extra = f" +{len(s.outlets) - 1}" if len(s.outlets) > 1 else ""
            lines.append(f"• {link(clean(s.headline, 200), s.url)} — {esc(s.outlet)}{extra}")
        if len(t.stories) > TOP_STORIES:
            lines.append(esc(f"… و{len(t.stories) - TOP_STORIES} أخرى في الملف المرفق"))
    reviewed = digest.to_review
    if reviewed:  # possible matches: only how many, the attached page lists them with their reasons
        lines += ["", bold(f"{REVIEW_TITLE}:")]
        lines += [f"• {esc(t.title_ar)}: {len(t.review)}" for t in reviewed]
    troubled = digest.troubled
    if troubled:
        lines += ["", bold("منافذ تعذّر جلبها أو صمتت:")]
        lines += [esc(f"• {o.name}: {STATUS[o.status]}") for o in troubled]
    text = "\n".join(lines)
    while len(text) > SUMMARY_LIMIT and len(lines) > 3:
        lines.pop(-1)
        text = "\n".join([*lines, esc("…")])
    return text


def _attach(paths: list[str]) -> apprise.AppriseAttachment:
    attachment = apprise.AppriseAttachment()
    for p in paths:
        attachment.add(p)
    return attachment


def send_digest(files: DigestFiles, channel: Channel) -> tuple[bool, str]:
    """Send one digest to one channel; (ok, error)."""
    digest = files.digest
    title = f"{TITLE} — {digest.week.label}"
    fmt = _format_of(channel)
    if channel.kind is EMAIL and fmt == "html":
        body = files.html.read_text(encoding="utf-8")
        attach = [str(files.chart), str(files.markdown), str(files.json)]
    else:
        body = summary(digest, fmt)
        attach = [str(files.html)]
    body_format = apprise.NotifyFormat.HTML if fmt == "html" else apprise.NotifyFormat.TEXT
    try:
        result = channel.apprise.notify(
            body=body, title=title, body_format=body_format, attach=_attach(attach)
        )
    except Exception as exc:  # a plugin bug must not stop the scheduler
        return False, f"{type(exc).__name__}: {exc}"
    if result:
        return True, ""
    logs = getattr(result, "logs", None)
    errors = [str(getattr(e, "message", e)) for e in logs()] if callable(logs) else []
    return False, "; ".join(errors)[:1000] or "delivery failed"


def deliver_digest(files: DigestFiles, channels: dict[str, Channel]) -> DigestDelivery:
    """Send the digest to every channel that asks for it (`digest = true`)."""
    outcome = DigestDelivery()
    for channel in digest_channels(channels):
        ok, error = send_digest(files, channel)
        if ok:
            outcome.sent.append(channel.name)
            log.info("digest %s delivered to %s [%s]", digest_label(files), channel.name, channel.masked_url)
        else:
            outcome.failed[channel.name] = error
            log.warning("digest %s not delivered to %s: %s", digest_label(files), channel.name, error)
    return outcome


def digest_label(files: DigestFiles) -> str:
    return files.digest.week.label
