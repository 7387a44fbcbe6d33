"""Alerts: composing messages, the apprise dispatcher over the outbox, and (later) the weekly digest."""

from rasid.alerts.channels import Channel, open_channel, open_channels
from rasid.alerts.dispatcher import Dispatcher, DispatchStats
from rasid.alerts.message import AlertView, Message, compose

__all__ = [
    "AlertView",
    "Channel",
    "DispatchStats",
    "Dispatcher",
    "Message",
    "compose",
    "open_channel",
    "open_channels",
]
