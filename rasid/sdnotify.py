"""systemd's notify protocol (sd_notify): a datagram to $NOTIFY_SOCKET saying READY=1, WATCHDOG=1,
RELOADING=1, STOPPING=1 or STATUS=..., so a `Type=notify` unit knows the daemon is up, alive, reloading or
stopping.

No dependency: the protocol is one `sendto` on an AF_UNIX datagram socket (an address starting with "@" is
in the abstract namespace). Outside systemd ($NOTIFY_SOCKET unset) every call does nothing. A failure to send
is logged once and never stops the daemon."""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger("rasid.sdnotify")


class Notifier:
    """Sends notify messages to the socket systemd gave this process, if any."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address if address is not None else os.environ.get("NOTIFY_SOCKET") or None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def watchdog_interval(self) -> float | None:
        """Seconds between WATCHDOG=1 pings: half of $WATCHDOG_USEC, if systemd asked for a watchdog."""
        usec = os.environ.get("WATCHDOG_USEC", "")
        pid = os.environ.get("WATCHDOG_PID", "")
        if not usec.isdigit() or int(usec) <= 0 or (pid and pid != str(os.getpid())):
            return None
        return int(usec) / 2_000_000

    def send(self, *fields: str) -> bool:
        """Send `fields` (e.g. "READY=1", "STATUS=crawling 29 sources"); True if sent."""
        if not self.address:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(fields).encode("utf-8"), target)
            return True
        except OSError as exc:
            if not self._warned:
                log.warning("cannot notify systemd at %s: %s", self.address, exc.strerror or exc)
                self._warned = True
            return False

    def ready(self, status: str = "running") -> bool:
        return self.send("READY=1", f"STATUS={status}")

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def reloading(self) -> bool:
        return self.send("RELOADING=1", "STATUS=reloading the configuration")

    def stopping(self) -> bool:
        return self.send("STOPPING=1", "STATUS=stopping")
