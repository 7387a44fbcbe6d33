"""Exactly once per channel under faults: a dispatcher SIGKILLed while a send is in flight, and two
dispatchers working one PostgreSQL outbox at the same time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from alerts.helpers import dispatcher, queue
from alerts.servers import HttpServer, http_sink
from rasid.config import ChannelSettings
from rasid.storage import Alert, Database, Delivery

CHILD = """
import sys
from rasid.alerts import Dispatcher, open_channels
from rasid.config import ChannelSettings
from rasid.config.schema import AlertSettings
from rasid.storage import Database
db = Database(sys.argv[1])
channels = open_channels([ChannelSettings(name="desk", url=sys.argv[2])])
Dispatcher(db, channels, AlertSettings(claim_batch=int(sys.argv[3])), {}).dispatch_due()
"""


def _sink_url(port: int) -> str:
    return f"json://127.0.0.1:{port}/alerts"


def _dispatch_until(db_url: str, sink: HttpServer, *, batch: int, requests: int) -> subprocess.Popen[bytes]:
    """A dispatcher in a child process (claims of `batch`), once the sink has seen `requests` requests."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, _sink_url(sink.port), str(batch)], env=env)
    deadline = time.monotonic() + 20
    while len(sink.requests) < requests and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    assert len(sink.requests) == requests
    return child


def test_sigkill_mid_send_loses_nothing_and_the_receiver_sees_each_alert_once(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 6, ["desk"])
    with http_sink() as sink:
        sink.hang_on = 4  # the 4th alert reaches the sink; the answer never comes back before the kill
        child = _dispatch_until(db_url, sink, batch=3, requests=4)
        child.send_signal(signal.SIGKILL)
        child.wait()
        with db.session() as s:
            states = Counter(a.status for a in s.query(Alert))
        assert states == {"sent": 3, "sending": 3}  # the second claimed batch of three
        # Restart: the dead process's claim is taken back at once (same host, pid gone).
        d = dispatcher(db, [ChannelSettings(name="desk", url=_sink_url(sink.port))])
        assert d.recover() == 3
        assert d.dispatch_due().sent == 3
        with db.session() as s:
            assert {a.status for a in s.query(Alert)} == {"sent"}
            ids = sorted(str(a.id) for a in s.query(Alert))
        received = sink.alert_ids()
        # Nothing lost; the one alert in flight at the kill was sent again with the same idempotency id,
        # so a receiver that honours X-Rasid-Alert-Id shows each alert once. No other alert was repeated.
        assert sorted(set(received)) == ids
        assert len(received) == 7 and Counter(received).most_common(1)[0][1] == 2
    db.dispose()


def test_sigkill_before_a_batch_is_marked_sent_sends_none_of_it_again(db_url: str) -> None:
    """Within a batch each send is recorded by its delivery row at once, and the alerts are marked sent
    together at the end: killed in between, the restart marks the recorded ones sent, not pending."""
    db = Database(db_url)
    queue(db, 8, ["desk"])
    with http_sink() as sink:
        sink.hang_on = 5  # one batch of 8: four sent and recorded, the fifth in flight at the kill
        child = _dispatch_until(db_url, sink, batch=10, requests=5)
        time.sleep(0.2)  # the fourth send's record committed
        child.send_signal(signal.SIGKILL)
        child.wait()
        with db.session() as s:
            assert Counter(a.status for a in s.query(Alert)) == {"sending": 8}
        d = dispatcher(db, [ChannelSettings(name="desk", url=_sink_url(sink.port))])
        assert d.recover() == 4  # the fifth (in flight) and the three never tried go back to pending
        with db.session() as s:
            assert Counter(a.status for a in s.query(Alert)) == {"sent": 4, "pending": 4}
            sent = {a.id for a in s.query(Alert).filter(Alert.status == "sent")}
            # each recorded send has its delivery row (from the send journal on SQLite)
            assert sorted(x.alert_id for x in s.query(Delivery).filter(Delivery.ok.is_(True))) == sorted(sent)
        assert d.dispatch_due().sent == 4
        received = Counter(sink.alert_ids())
        with db.session() as s:
            assert {a.status for a in s.query(Alert)} == {"sent"}
            assert sorted(received) == sorted(str(a.id) for a in s.query(Alert))
        # Only the alert in flight at the kill arrived twice (same X-Rasid-Alert-Id both times).
        assert sorted(received.values()) == [1] * 7 + [2]
    db.dispose()


def test_sigkill_between_sends_sends_nothing_twice(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 4, ["desk"])
    with http_sink() as sink:
        sink.delay = 0.3
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, _sink_url(sink.port), "3"], env=env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.session() as s:
                if s.query(Alert).filter(Alert.status == "sent").count() >= 2:
                    break
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait()
        sink.delay = 0
        d = dispatcher(db, [ChannelSettings(name="desk", url=_sink_url(sink.port))])
        d.recover()
        d.dispatch_due()
        received = sink.alert_ids()
        assert len(received) - len(set(received)) <= 1  # at most the one in flight at the kill
        assert len(set(received)) == 4
    db.dispose()


def test_two_dispatchers_on_postgresql_deliver_each_alert_once(pg_url: str) -> None:
    Database(pg_url).dispose()
    db = Database(pg_url)
    queue(db, 60, ["desk", "mail"])
    with http_sink() as sink:
        channels = [
            ChannelSettings(name="desk", url=_sink_url(sink.port)),
            ChannelSettings(name="mail", url=f"json://127.0.0.1:{sink.port}/mail"),
        ]
        workers = [dispatcher(Database(pg_url), channels, claim_batch=5) for _ in range(2)]
        sent: list[int] = []
        threads = [threading.Thread(target=lambda w=w: sent.append(w.dispatch_due().sent)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(sent) == 120 and all(n > 0 for n in sent)  # both worked, neither took the other's
        per_channel = Counter((r.path, r.headers["X-Rasid-Alert-Id"]) for r in sink.requests)
        assert len(per_channel) == 120 and max(per_channel.values()) == 1
        for w in workers:
            w.db.dispose()
    db.dispose()
