"""The send journal (SQLite): sends recorded in a file until their batch is committed, replayed into the
database when their dispatcher died, once, and never for a dispatcher that still runs."""

from __future__ import annotations

import os
import socket
from collections import Counter
from datetime import timedelta
from pathlib import Path

from alerts.helpers import dispatcher, queue
from alerts.servers import http_sink
from rasid.config import ChannelSettings
from rasid.storage import Alert, Database, Delivery
from rasid.storage.journal import SendJournal, leftovers, read
from rasid.storage.outbox import take


def _db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'rasid.db'}")


def _dead_token() -> str:
    """A claim token of this host whose process has ended."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return f"{socket.gethostname()}:{pid}:0123456789ab"


def _claimed_by(db: Database, token: str, n: int) -> list[int]:
    queue(db, n, ["desk"])
    with db.session() as s:
        ids = sorted(a.id for a in s.query(Alert))
        assert take(s, ids, token=token, lease=timedelta(minutes=5)) == ids
    return ids


def test_the_journal_lives_beside_a_file_database_only(tmp_path: Path) -> None:
    j = SendJournal.beside(f"sqlite:///{tmp_path / 'x.db'}", "h:1:abc")
    assert j is not None and j.path.parent == tmp_path and j.path.name.startswith("x.db.")
    assert SendJournal.beside("sqlite:///:memory:", "t") is None
    assert SendJournal.beside("sqlite://", "t") is None
    assert SendJournal.beside("postgresql://localhost/test", "t") is None


def test_a_dead_dispatchers_journal_is_replayed_once_and_removed(tmp_path: Path) -> None:
    db = _db(tmp_path)
    token = _dead_token()
    ids = _claimed_by(db, token, 4)
    dead = SendJournal.beside(db.url, token)
    assert dead is not None
    stamp = "2026-12-02 04:00:00.000000"
    assert dead.append(ids[0], stamp, 12.5) and dead.append(ids[1], stamp, 7.0)
    with open(dead.path, "ab") as f:
        f.write(b"999")  # torn last line: the process died while writing it
    assert [e[0] for e in read(dead.path)] == ids[:2]

    d = dispatcher(db, [ChannelSettings(name="desk", url="json://127.0.0.1:9/a")])
    assert d.recover() == 2  # the two recorded sends are marked sent; the other two go back to pending
    assert not dead.path.exists()
    with db.session() as s:
        states = {a.id: a.status for a in s.query(Alert)}
        deliveries = [(x.alert_id, x.ok, x.duration_ms, x.claim_token) for x in s.query(Delivery)]
    assert states == {ids[0]: "sent", ids[1]: "sent", ids[2]: "pending", ids[3]: "pending"}
    assert sorted(deliveries) == [(ids[0], True, 12.5, token), (ids[1], True, 7.0, token)]

    # The same journal once more (a crash after the batch was committed, before the journal was
    # emptied): nothing changes and no delivery is recorded twice.
    dead = SendJournal.beside(db.url, token)
    assert dead is not None and dead.append(ids[0], stamp, 12.5)
    dead.close()
    d.recover()
    with db.session() as s:
        assert s.query(Delivery).count() == 2
        assert {a.id: a.status for a in s.query(Alert)} == states
    db.dispose()


def test_a_running_dispatchers_journal_is_left_alone(tmp_path: Path) -> None:
    db = _db(tmp_path)
    alive = f"{socket.gethostname()}:{os.getppid()}:0123456789ab"  # our parent: running
    ids = _claimed_by(db, alive, 1)
    theirs = SendJournal.beside(db.url, alive)
    assert theirs is not None and theirs.append(ids[0], "2026-12-02 04:00:00.000000", 1.0)
    d = dispatcher(db, [ChannelSettings(name="desk", url="json://127.0.0.1:9/a")])
    assert d.outbox.journal is not None and leftovers(d.outbox.journal, lambda t: t != alive) == []
    d.recover()
    assert theirs.path.exists()
    with db.session() as s:
        assert s.query(Alert).one().status == "sending" and s.query(Delivery).count() == 0
    db.dispose()


def test_sends_go_through_the_journal_and_it_is_removed_on_close(tmp_path: Path) -> None:
    db = _db(tmp_path)
    queue(db, 7, ["desk"])
    with http_sink() as sink:
        d = dispatcher(
            db, [ChannelSettings(name="desk", url=f"json://127.0.0.1:{sink.port}/a")], claim_batch=3
        )
        assert d.dispatch_due().sent == 7
        assert d.outbox.journal is not None and d.outbox.journal.path.exists()
        assert d.outbox.journal.path.stat().st_size == 0  # every batch committed, the journal emptied
        d.close()
        assert not d.outbox.journal.path.exists()
    with db.session() as s:
        assert {a.status for a in s.query(Alert)} == {"sent"}
        assert (
            Counter(x.alert_id for x in s.query(Delivery).filter(Delivery.ok.is_(True))).most_common(1)[0][1]
            == 1
        )
        assert s.query(Delivery).count() == 7
    db.dispose()


def test_an_unwritable_journal_falls_back_to_the_database(tmp_path: Path) -> None:
    db = _db(tmp_path)
    queue(db, 3, ["desk"])
    with http_sink() as sink:
        d = dispatcher(db, [ChannelSettings(name="desk", url=f"json://127.0.0.1:{sink.port}/a")])
        assert d.outbox.journal is not None
        d.outbox.journal.path.mkdir()  # opening it as a file fails
        assert d.dispatch_due().sent == 3
        d.close()
    with db.session() as s:
        assert {a.status for a in s.query(Alert)} == {"sent"} and s.query(Delivery).count() == 3
    db.dispose()
