"""The weekly digest: a week's stories per topic as HTML, Markdown, JSON and a chart, sent where asked."""

from rasid.alerts.digest.collect import TopicInfo, collect, collect_week, topics_from_watchlist
from rasid.alerts.digest.deliver import DigestDelivery, deliver_digest, send_digest, summary
from rasid.alerts.digest.model import Digest
from rasid.alerts.digest.run import DigestRun, run_digest
from rasid.alerts.digest.schedule import add_digest_job, digest_trigger, parse_schedule
from rasid.alerts.digest.schema import SCHEMA
from rasid.alerts.digest.week import Week, last_complete_week, parse_week, week_of
from rasid.alerts.digest.write import DigestFiles, build_digest, write_digest

__all__ = [
    "SCHEMA",
    "Digest",
    "DigestDelivery",
    "DigestFiles",
    "DigestRun",
    "TopicInfo",
    "Week",
    "add_digest_job",
    "build_digest",
    "collect",
    "collect_week",
    "deliver_digest",
    "digest_trigger",
    "last_complete_week",
    "parse_schedule",
    "parse_week",
    "run_digest",
    "send_digest",
    "summary",
    "topics_from_watchlist",
    "week_of",
    "write_digest",
]
