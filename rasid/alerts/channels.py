"""Channels as apprise sees them: one apprise plugin per configured channel, URLs checked and masked, its
kind and message form from the registry (`rasid.alerts.forms`), and one send that reports what happened
(ok, errors, Telegram's retry_after)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

import apprise

from rasid.alerts.forms import Form, Kind, form_of, kind_of, scheme_of
from rasid.alerts.message import AlertView, Message
from rasid.alerts.telegram import retry_after
from rasid.config import ChannelSettings, ConfigError
from rasid.redact import mask_url, remember_secrets

IDEMPOTENCY_HEADER = "X-Rasid-Alert-Id"


@dataclass
class SendOutcome:
    """What one send did: `retry_after` is set when the service asked us to wait (HTTP 429)."""

    ok: bool
    errors: list[str] = field(default_factory=list)
    retry_after: float | None = None
    duration_ms: float = 0.0

    @property
    def error(self) -> str:
        return "; ".join(self.errors)[:1000] or "delivery failed"


@dataclass
class Channel:
    """A configured channel ready to send: its apprise object, scheme, and masked URL for logs; its kind
    and the form of its messages (the kind's own, or the one its `format` asks for)."""

    settings: ChannelSettings
    apprise: apprise.Apprise
    scheme: str
    masked_url: str

    @property
    def name(self) -> str:
        return self.settings.name

    # Looked up once per channel, not on every compose and send (a channel's scheme and format are fixed).
    @cached_property
    def kind(self) -> Kind:
        return kind_of(self.scheme)

    @cached_property
    def form(self) -> Form:
        return form_of(self.scheme, self.settings.format)

    def compose(self, view: AlertView, tz: str) -> Message:
        """The message of one alert for this channel."""
        return self.form.compose(view, tz)

    def compose_batch(self, views: list[AlertView], tz: str) -> Message:
        """One message carrying several held alerts (one alert: its own message)."""
        form = self.form
        return form.compose(views[0], tz) if len(views) == 1 else form.compose_batch(views, tz)

    @property
    def idempotent(self) -> bool:
        """Whether each request carries the alert id in a header a receiver can deduplicate on."""
        return isinstance(getattr(self.apprise[0], "headers", None), dict)

    def send(self, message: Message, alert_id: int | None = None) -> SendOutcome:
        """Send through apprise (which never raises); the alert id goes in an idempotency header
        wherever the service takes custom headers (json://, xml://, form://, mailto://)."""
        plugin = self.apprise[0]
        headers = getattr(plugin, "headers", None)
        if isinstance(headers, dict):
            if alert_id is None:
                headers.pop(IDEMPOTENCY_HEADER, None)
            else:
                headers[IDEMPOTENCY_HEADER] = str(alert_id)
        # Telegram draws the title itself (in bold, above the body); our body already carries it.
        title = message.title if self.kind.titled else ""
        started = time.monotonic()
        try:
            result = self.apprise.notify(body=message.body, title=title, body_format=message.body_format)
            ok = bool(result)
            errors = (
                []
                if ok
                else [
                    str(getattr(entry, "message", entry))
                    for entry in result.logs()
                    if str(getattr(entry, "level", "ERROR")).upper() in ("WARNING", "ERROR", "CRITICAL")
                ]
            )
        except Exception as exc:  # apprise should not raise; a plugin bug must not stop the dispatcher
            ok, errors = False, [f"{type(exc).__name__}: {exc}"]
        took = (time.monotonic() - started) * 1000
        wait = None if ok else retry_after(errors)
        return SendOutcome(ok, errors, wait, took)


def open_channel(settings: ChannelSettings, config_path: str | None = None) -> Channel:
    """Build the apprise object; a URL apprise cannot use is a configuration error (exit 2).

    A channel is one apprise service, sent to from the dispatcher's own thread: apprise's async mode (each
    notify handed to a thread pool and waited for, meant for fanning out to many services) is turned off,
    so a send runs in the calling thread (apprise's own retries, formats and result logs are unchanged)."""
    asset = apprise.AppriseAsset(async_mode=False)
    plugin = apprise.Apprise.instantiate(settings.url, asset=asset)
    if plugin is None:
        scheme = settings.url.split("://", 1)[0]
        raise ConfigError(
            config_path,
            f"channels ({settings.name}).url",
            f"apprise does not understand this URL (scheme {scheme!r})",
        )
    app = apprise.Apprise(asset=asset)
    app.add(plugin)
    remember_secrets(settings.url)  # masked in every log line from now on, apprise's own included
    return Channel(settings, app, scheme_of(settings.url), mask_url(plugin.url(privacy=True)))


def open_channels(channels: list[ChannelSettings], config_path: str | None = None) -> dict[str, Channel]:
    return {c.name: open_channel(c, config_path) for c in channels}
