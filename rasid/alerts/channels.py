"""Channels as apprise sees them: one Apprise object per configured channel, URLs checked and masked."""

from __future__ import annotations

from dataclasses import dataclass

import apprise

from rasid.config import ChannelSettings, ConfigError


@dataclass
class Channel:
    """A configured channel ready to send: its apprise object, scheme, and masked URL for logs."""

    settings: ChannelSettings
    apprise: apprise.Apprise
    scheme: str
    masked_url: str

    @property
    def name(self) -> str:
        return self.settings.name


def open_channel(settings: ChannelSettings, config_path: str | None = None) -> Channel:
    """Build the apprise object; a URL apprise cannot use is a configuration error (exit 2)."""
    plugin = apprise.Apprise.instantiate(settings.url)
    if plugin is None:
        scheme = settings.url.split("://", 1)[0]
        raise ConfigError(
            config_path,
            f"channels ({settings.name}).url",
            f"apprise does not understand this URL (scheme {scheme!r})",
        )
    app = apprise.Apprise()
    app.add(plugin)
    scheme = settings.url.split("://", 1)[0].lower()
    return Channel(settings, app, scheme, plugin.url(privacy=True))


def open_channels(channels: list[ChannelSettings], config_path: str | None = None) -> dict[str, Channel]:
    return {c.name: open_channel(c, config_path) for c in channels}
