"""Metrics of one process: alert counters labelled by channel, no *_created series, the process's own."""

from __future__ import annotations

from rasid.alerts import DispatchStats
from rasid.metrics import Metrics


def test_alert_counters_are_labelled_by_channel() -> None:
    metrics = Metrics(outbox_counts=lambda: {"pending": 3, "dead": 1, "sent": 9})
    round_one, round_two = DispatchStats(), DispatchStats()
    round_one.count("desk", sent=2)
    round_one.count("mail", failed=1, dead=1)
    round_two.count("desk", sent=1)
    round_one += round_two
    assert (round_one.sent, round_one.failed, round_one.dead) == (3, 1, 1)
    metrics.dispatched(round_one)
    text = metrics.render().decode()
    assert 'rasid_alerts_sent_total{channel="desk"} 3.0' in text
    assert 'rasid_alerts_failed_total{channel="mail"} 1.0' in text
    assert 'rasid_alerts_dead_total{channel="mail"} 1.0' in text
    assert (
        'rasid_outbox_alerts{status="pending"} 3.0' in text
        and 'rasid_outbox_alerts{status="dead"} 1.0' in text
    )
    assert "_created" not in text and "process_cpu_seconds_total" in text
