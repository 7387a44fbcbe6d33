"""One digest run: read the week, write its folder, send it to the channels that ask for it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rasid.alerts.channels import Channel
from rasid.alerts.digest.collect import TopicInfo, collect_week
from rasid.alerts.digest.deliver import DigestDelivery, deliver_digest
from rasid.alerts.digest.week import Week, last_complete_week
from rasid.alerts.digest.write import DigestFiles, write_digest
from rasid.config import Settings
from rasid.storage import Database
from rasid.storage.clock import utcnow

log = logging.getLogger(__name__)


@dataclass
class DigestRun:
    files: DigestFiles
    delivery: DigestDelivery | None


def run_digest(
    settings: Settings,
    db: Database,
    topics: Sequence[TopicInfo],
    channels: dict[str, Channel] | None = None,
    week: Week | None = None,
    now: datetime | None = None,
) -> DigestRun:
    """Write the digest of `week` (default: the last complete week) and, given channels, deliver it."""
    week = week or last_complete_week(now or utcnow(), settings.digest.timezone)
    files = write_digest(collect_week(db, week, topics), settings.digest_dir)
    d = files.digest
    log.info(
        "digest %s written to %s: %d stories in %d matched articles, %d outlets failed or silent",
        week.label, files.folder, d.totals.stories, d.totals.articles, len(d.troubled),
    )  # fmt: skip
    delivery = deliver_digest(files, channels) if channels else None
    return DigestRun(files, delivery)
