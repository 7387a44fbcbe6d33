"""The source policy every role obeys: a failing source waits 0, 1, 3, 7... polls (at most 6 h), one that
asked to wait (Retry-After) is not due until then, one that answers again is due at once; in Redis the
policy one process learns is the policy another obeys."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime, timedelta

from conftest import need

from rasid.crawler.report import CrawlReport
from rasid.runtime.policy import MAX_BACKOFF, SourcePolicy, backoff_seconds

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _report(name: str, ok: bool, not_before: datetime | None = None) -> CrawlReport:
    report = CrawlReport()
    src = report.of(name)
    if ok:
        src.listings_ok = 1
    else:
        src.listing_errors.append("https://x.org/feed.xml: HTTP 500")
    src.not_before = not_before
    return report


def test_backoff_grows_to_six_hours() -> None:
    assert [backoff_seconds(60, n) for n in range(5)] == [0, 0, 60, 180, 420]
    assert backoff_seconds(600, 30) == MAX_BACKOFF


def test_a_failing_source_waits_longer_each_time_and_is_due_again_once_it_answers() -> None:
    policy = SourcePolicy(lambda name: 60.0)
    policy.learn(_report("a", ok=False), T0)
    assert policy.due("a", T0) and policy.failing == {"a": 1}
    policy.learn(_report("a", ok=False), T0)
    assert not policy.due("a", T0 + timedelta(seconds=59)) and policy.due("a", T0 + timedelta(seconds=60))
    policy.learn(_report("a", ok=False), T0)
    assert not policy.due("a", T0 + timedelta(seconds=179))
    policy.learn(_report("a", ok=True), T0)
    assert policy.due("a", T0) and policy.failing == {}


def test_retry_after_wins_over_a_shorter_backoff_and_over_success() -> None:
    policy = SourcePolicy(lambda name: 60.0)
    later = T0 + timedelta(hours=1)
    policy.learn(_report("a", ok=False, not_before=later), T0)
    assert not policy.due("a", later - timedelta(seconds=1)) and policy.due("a", later)
    assert policy.next_polls(T0) == {"a": later.isoformat(timespec="seconds")}
    policy.learn(_report("b", ok=True, not_before=later), T0)
    assert not policy.due("b", T0)


def test_what_a_worker_learns_in_redis_the_scheduler_obeys() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        need(False, "Redis is not running on 127.0.0.1:6379")
    import redis

    from rasid.runtime.shared import RedisState

    client = redis.Redis(host="127.0.0.1", port=6379)
    ns = f"rasid-test-{uuid.uuid4().hex[:8]}"
    try:
        worker = SourcePolicy(lambda name: 60.0, RedisState(client, f"{ns}:f", f"{ns}:nb"))
        scheduler = SourcePolicy(lambda name: 60.0, RedisState(client, f"{ns}:f", f"{ns}:nb"))
        now = datetime.now(UTC)
        worker.learn(_report("منفذ", ok=False, not_before=now + timedelta(hours=1)), now)
        scheduler.refresh(["منفذ"])
        assert not scheduler.due("منفذ", now) and scheduler.failing == {"منفذ": 1}
        worker.learn(_report("منفذ", ok=True), now)
        scheduler.refresh(["منفذ"])
        assert scheduler.due("منفذ", now) and scheduler.failing == {}
    finally:
        client.delete(f"{ns}:f", f"{ns}:nb")
        client.close()
