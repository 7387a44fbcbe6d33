"""A dispatcher round costs the same whatever lies in the outbox: claiming a batch out of a large pending
backlog (after an outage), and grouping a new alert beside months of sent ones, look rows up through
their indexes instead of walking every pending or every checked alert.

Measured in SQLite virtual-machine steps (deterministic, unlike time): the same work on a small and on a
twenty times larger outbox must cost about the same."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, update

from alerts.helpers import dispatcher, queue
from rasid.alerts import Dispatcher
from rasid.config import ChannelSettings
from rasid.storage import Alert, Database

SMALL, LARGE = 60, 1200
STEP = 100  # VM instructions per tick


@contextmanager
def vm_ticks(db: Database) -> Iterator[list[int]]:
    """Ticks of SQLite's progress handler (one per STEP instructions) on every connection checked out."""
    box = [0]

    def tick() -> int:
        box[0] += 1
        return 0

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_progress_handler(tick, STEP)

    def on_checkin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_progress_handler(None, STEP)

    event.listen(db.engine, "checkout", on_checkout)
    event.listen(db.engine, "checkin", on_checkin)
    try:
        yield box
    finally:
        event.remove(db.engine, "checkout", on_checkout)
        event.remove(db.engine, "checkin", on_checkin)


def _link_all(d: Dispatcher, db: Database) -> None:
    with db.session() as s:
        d.stories.link_new(s, limit=10 * LARGE)


def _claim_cost(db: Database, backlog: int) -> int:
    """VM ticks of claiming one batch of 20 (with its views and story children) out of `backlog` pending."""
    queue(db, backlog, ["desk"])
    d = dispatcher(db, [ChannelSettings(name="desk", url="json://127.0.0.1:9/desk")])
    _link_all(d, db)  # group the whole backlog first (not measured)
    with vm_ticks(db) as ticks:
        jobs = d._claim(["desk"], 20)
    assert len(jobs) == 20
    return ticks[0]


def _small_and_large(tmp_path: Any, cost: Callable[[Database, int], int]) -> tuple[int, int]:
    """`cost` on a fresh outbox of SMALL and one of LARGE alerts."""
    small = Database(f"sqlite:///{tmp_path / 'small.db'}")
    large = Database(f"sqlite:///{tmp_path / 'large.db'}")
    try:
        return cost(small, SMALL), cost(large, LARGE)
    finally:
        small.dispose()
        large.dispose()


def test_claiming_a_batch_does_not_walk_the_pending_backlog(tmp_path: Any) -> None:
    cost_small, cost_large = _small_and_large(tmp_path, _claim_cost)
    # Walking the backlog would cost ~20x more on the large outbox.
    assert cost_large < 2 * cost_small + 20, (cost_small, cost_large)


def _link_cost(db: Database, history: int) -> int:
    """VM ticks of grouping one new alert when `history` alerts were sent long ago on its channel."""
    queue(db, history, ["desk"], seed=1)
    d = dispatcher(db, [ChannelSettings(name="desk", url="json://127.0.0.1:9/desk")])
    _link_all(d, db)
    old = datetime.now(UTC) - timedelta(days=90)
    with db.session() as s:
        s.execute(update(Alert).values(status="sent", created_at=old))
    queue(db, 1, ["desk"], seed=2)
    with vm_ticks(db) as ticks, db.session() as s:
        assert d.stories.link_new(s) == 0
    return ticks[0]


def test_grouping_a_new_alert_does_not_walk_months_of_sent_alerts(tmp_path: Any) -> None:
    cost_small, cost_large = _small_and_large(tmp_path, _link_cost)
    assert cost_large < 2 * cost_small + 20, (cost_small, cost_large)
