"""The dispatcher's fast paths keep its guarantees: batch claims, settling a sent alert in core statements,
concurrent sends per channel, and story features computed lazily."""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from outbox_helpers import claim_due, settle_sent

from alerts.helpers import dispatcher, headline, queue
from alerts.servers import http_sink
from rasid.alerts.stories import LazyFeatures, features, grams, similarity
from rasid.config import ChannelSettings
from rasid.storage import Alert, Database, Delivery
from rasid.storage.outbox import take


def _json(port: int, name: str = "desk") -> ChannelSettings:
    return ChannelSettings(name=name, url=f"json://127.0.0.1:{port}/{name}")


def test_take_claims_pending_alerts_once_in_the_order_asked(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 6, ["desk"])
    with db.session() as s:
        ids = sorted(a.id for a in s.query(Alert))
        assert take(s, [ids[3], ids[1], ids[3]], token="a") == [ids[3], ids[1]]
        assert take(s, [*ids, 10_000], token="b") == [ids[0], ids[2], ids[4], ids[5]]
        assert take(s, ids, token="c") == []
        rows = {a.id: a for a in s.query(Alert).populate_existing()}
        assert {rows[i].claim_token for i in (ids[1], ids[3])} == {"a"}
        assert all(rows[i].status == "sending" and rows[i].attempts == 1 for i in ids)
    db.dispose()


def test_claims_of_racing_takers_never_overlap(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 60, ["desk"])
    taken: list[int] = []
    lock = threading.Lock()

    def work(token: str) -> None:
        while True:
            with db.session() as s:
                got = [a.id for a in claim_due(s, limit=7, token=token)]
            if not got:
                return
            with lock:
                taken.extend(got)

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken) == 60 and len(set(taken)) == 60
    db.dispose()


def test_settle_sent_changes_only_what_this_claimant_holds(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 4, ["desk"])
    with db.session() as s:
        a, b, c, d = sorted(a.id for a in s.query(Alert))
        take(s, [a, b, c, d], token="me")
        # b was taken back by a peer after the lease ran out.
        s.query(Alert).filter(Alert.id == b).update({"claim_token": "peer"})
    with db.session() as s:
        kept = settle_sent(s, [a, b, 99_999], duration_ms=12.5, token="me", carried=[c])
        assert kept == [a]
    with db.session() as s:
        rows = {r.id: r for r in s.query(Alert)}
        assert rows[a].status == "sent" and rows[a].sent_with is None and rows[a].claim_token is None
        assert rows[a].sent_at is not None
        assert rows[b].status == "sending" and rows[b].claim_token == "peer"  # not ours any more
        assert rows[c].status == "sent" and rows[c].sent_with == a  # carried inside a's message
        assert rows[d].status == "sending"
        attempts = Counter(x.alert_id for x in s.query(Delivery))
        # a and b were attempted (b's attempt is still recorded), c only rode along, 99999 does not exist.
        assert attempts == {a: 1, b: 1}
        assert {x.duration_ms for x in s.query(Delivery)} == {12.5}
    db.dispose()


def test_concurrent_sends_deliver_each_alert_once_with_its_own_id(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 40, ["desk", "mail"])
    with http_sink() as sink:
        sink.delay = 0.01
        d = dispatcher(db, [_json(sink.port), _json(sink.port, "mail")], concurrency=4, claim_batch=15)
        try:
            assert d.dispatch_due().sent == 80
        finally:
            d.close()
        with db.session() as s:
            alerts = s.query(Alert).all()
            assert {a.status for a in alerts} == {"sent"}
            expected = sorted((f"/{a.channel}", str(a.id)) for a in alerts)
            assert s.query(Delivery).count() == 80
        # Every request carried its own alert's id (plugins are never shared between threads).
        got = sorted((r.path, r.headers["X-Rasid-Alert-Id"]) for r in sink.requests)
        assert got == expected
        for r in sink.requests:
            assert r.payload["message"].splitlines()[-1].startswith("https://x.org/")
    db.dispose()


def test_concurrent_sends_stop_on_a_failing_channel(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 12, ["desk"])
    with http_sink() as sink:
        sink.status = 500
        d = dispatcher(db, [_json(sink.port)], concurrency=3, claim_batch=12, retry_base="60s")
        try:
            stats = d.dispatch_due()
        finally:
            d.close()
        # At most the sends already in flight fail; the channel's other alerts wait, attempt not counted.
        assert 1 <= stats.failed <= 3 and stats.sent == 0 and len(sink.requests) == stats.failed
        with db.session() as s:
            alerts = s.query(Alert).all()
            assert {a.status for a in alerts} == {"pending"}
            assert sum(a.attempts for a in alerts) == stats.failed
            assert all(a.claim_token is None for a in alerts)
    db.dispose()


def test_lazy_features_score_exactly_like_features() -> None:
    rng = random.Random(5)
    shared = headline(rng, 3)
    texts = [(f"{shared} {headline(rng, 4)}", headline(rng, 70)) for _ in range(12)]
    texts.append(("تسلمت الحكومة السورية مخيم الهول", "أعلنت وزارة الداخلية تسلم مخيم الهول " * 20))
    texts.append(("الحكومة السورية تتسلم مخيم الهول", "تسلمت السلطات إدارة مخيم الهول " * 20))
    eager = [features(t, x) for t, x in texts]
    lazy = [LazyFeatures(t, x) for t, x in texts]
    for i in range(len(texts)):
        title, text = texts[i]
        lead = " ".join(text.split()[:60])
        assert eager[i].lead == grams(f"{title} {lead}")  # n-grams are per word: title | lead
        for j in range(len(texts)):
            assert similarity(lazy[i], lazy[j]) == similarity(eager[i], eager[j])
        assert lazy[i].title == eager[i].title and lazy[i].lead == eager[i].lead


def test_a_lone_alert_is_checked_without_comparing(db_url: str) -> None:
    db = Database(db_url)
    queue(db, 1, ["desk"])
    with http_sink() as sink:
        d = dispatcher(db, [_json(sink.port)])
        assert d.dispatch_due().sent == 1
    with db.session() as s:
        (alert,) = s.query(Alert).all()
        assert alert.story_checked and alert.parent_id is None
    db.dispose()


def test_sent_log_stores_what_settle_sent_stores(db_url: str) -> None:
    """The dispatcher's plain DB-API recorder: the same rules and the very same stored values (text of
    timestamps on SQLite included) as the core statements, committed by itself, rolled back on error."""
    from sqlalchemy import bindparam, text

    from rasid.storage.clock import utcnow
    from rasid.storage.sentlog import SentLog

    db = Database(db_url)
    queue(db, 9, ["desk"])
    with db.session() as s:
        ids = sorted(a.id for a in s.query(Alert))
        take(s, ids, token="me")
        s.query(Alert).filter(Alert.id.in_([ids[1], ids[5], ids[8]])).update({"claim_token": "peer"})
    now = utcnow()
    with db.session() as s:
        core = settle_sent(
            s, [ids[0], ids[1], 99_999], duration_ms=3.5, token="me", carried=[ids[2]], now=now
        )
    log = SentLog(db.engine.dialect)
    raw = db.engine.raw_connection()
    try:
        plain = log(raw, [ids[4], ids[5], 99_998], duration_ms=3.5, token="me", carried=[ids[6]], now=now)
        assert log(raw, [ids[3]], duration_ms=1.0, now=now) == [ids[3]]  # no token: any state
        # One alert alone (the dispatcher's usual call): a peer's is recorded but not changed, a gone
        # one not recorded at all.
        assert log(raw, [ids[8]], duration_ms=2.0, token="me", now=now) == []
        assert log(raw, [99_997], duration_ms=2.0, token="me", now=now) == []
    finally:
        raw.close()
    assert core == [ids[0]] and plain == [ids[4]]

    def rows(alert_ids: list[int]) -> list[tuple[object, ...]]:
        """The stored values as the driver gives them (timestamps as SQLite's text), ids made relative."""
        alerts = text(
            "SELECT status, sent_at, last_error, claim_token, sent_with - id, attempts FROM alerts "
            "WHERE id IN :ids ORDER BY id"
        ).bindparams(bindparam("ids", expanding=True))
        attempts = text(
            "SELECT alert_id - :first, attempted_at, ok, error, duration_ms, claim_token FROM deliveries "
            "WHERE alert_id IN :ids ORDER BY id"
        ).bindparams(bindparam("ids", expanding=True))
        with db.engine.connect() as c:
            a = c.execute(alerts, {"ids": alert_ids}).all()
            d = c.execute(attempts, {"ids": alert_ids, "first": alert_ids[0]}).all()
        return [tuple(r) for r in a] + [tuple(r) for r in d]

    # ids[4..6] went through SentLog exactly as ids[0..2] went through settle_sent.
    assert rows([ids[4], ids[5], ids[6]]) == rows([ids[0], ids[1], ids[2]])
    with db.session() as s:
        assert s.get(Alert, ids[3]).status == "sent"  # type: ignore[union-attr]
        peer = s.get(Alert, ids[8])
        assert peer is not None and peer.status == "sending" and peer.claim_token == "peer"
        assert [d.alert_id for d in s.query(Delivery).filter(Delivery.duration_ms == 2.0)] == [ids[8]]
    # A failing statement rolls the attempt back whole.
    raw = db.engine.raw_connection()
    try:
        with pytest.raises(Exception):  # noqa: B017 - the driver's own error class
            log(raw, [ids[7]], duration_ms=object(), token="me", now=now)  # type: ignore[arg-type]
    finally:
        raw.close()
    with db.session() as s:
        assert s.get(Alert, ids[7]).status == "sending"  # type: ignore[union-attr]
        assert s.query(Delivery).filter(Delivery.alert_id == ids[7]).count() == 0
    db.dispose()


def test_a_message_that_cannot_be_composed_fails_at_its_turn(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's messages are composed before its first send; one that cannot be still stops the round
    only when its turn comes: the alerts before it are sent and recorded as before."""
    from rasid.alerts.channels import Channel

    db = Database(db_url)
    queue(db, 5, ["desk"])
    with db.session() as s:
        bad = sorted(a.id for a in s.query(Alert))[2]
    real = Channel.compose

    def fragile(self, view, tz):  # type: ignore[no-untyped-def]
        if view.alert_id == bad:
            raise RuntimeError("cannot compose")
        return real(self, view, tz)

    monkeypatch.setattr(Channel, "compose", fragile)
    with http_sink() as sink:
        d = dispatcher(db, [_json(sink.port)])
        with pytest.raises(RuntimeError, match="cannot compose"):
            d.dispatch_due()
        assert len(sink.requests) == 2
    with db.session() as s:
        statuses = {a.id: a.status for a in s.query(Alert)}
        assert [statuses[i] for i in sorted(statuses)][:3] == ["sent", "sent", "sending"]
    db.dispose()


def test_a_recorded_send_not_yet_marked_is_marked_sent_when_its_claim_is_released(db_url: str) -> None:
    """SentLog.logged records a send by its delivery row alone; if the dispatcher dies before
    settle_batch, releasing its claim marks that alert sent (at the recorded time), while alerts with
    only a failed attempt, or none, go back to pending."""
    from datetime import timedelta

    from rasid.storage import release_stale, settle
    from rasid.storage.clock import utcnow
    from rasid.storage.sentlog import SentLog

    db = Database(db_url)
    queue(db, 4, ["desk"])
    with db.session() as s:
        ids = sorted(a.id for a in s.query(Alert))
        take(s, ids, token="me")
    log = SentLog(db.engine.dialect)
    raw = db.engine.raw_connection()
    try:
        at = utcnow() - timedelta(seconds=5)
        assert log.logged(raw.driver_connection, ids[0], duration_ms=1.0, token="me", now=at) is not None
        assert log.logged(raw.driver_connection, 99_999, duration_ms=1.0, token="me") is None  # gone
    finally:
        raw.close()
    with db.session() as s:  # a failed attempt under the same claim is no send
        s.add(Delivery(alert_id=ids[1], ok=False, error="boom", claim_token="me"))
        assert s.get(Alert, ids[0]).status == "sending"  # type: ignore[union-attr]
    with db.session() as s:
        assert release_stale(s, timedelta(0), dead_claimants=["me"]) == 3
    with db.session() as s:
        rows = {a.id: a for a in s.query(Alert)}
        assert rows[ids[0]].status == "sent" and rows[ids[0]].claim_token is None
        assert abs((rows[ids[0]].sent_at - at).total_seconds()) < 0.01  # type: ignore[operator]
        assert {rows[i].status for i in ids[1:]} == {"pending"}
    # Settled normally, the same alert is marked once; a peer's alert is left alone and reported.
    with db.session() as s:
        take(s, [ids[2], ids[3]], token="me")
        settle(s, ids[3], ok=False, retry_at=utcnow(), token="me")  # no longer held by "me"
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        sent = [(i, log.logged(conn, i, duration_ms=1.0, token="me"), None) for i in (ids[2], ids[3])]
        assert log.settle_batch(conn, sent, "me") == [ids[3]]
    finally:
        raw.close()
    with db.session() as s:
        assert s.get(Alert, ids[2]).status == "sent"  # type: ignore[union-attr]
        assert s.get(Alert, ids[3]).status == "pending"  # type: ignore[union-attr]
    db.dispose()


def test_on_postgresql_sends_are_recorded_with_fast_commits_and_the_pool_gets_its_setting_back(
    pg_url: str,
) -> None:
    """The recording connection commits without waiting for the disk (synchronous_commit off, for its
    session only); every connection the dispatcher gives back to the pool has the server's setting."""
    from contextlib import ExitStack

    db = Database(pg_url)
    queue(db, 12, ["desk"])
    with http_sink() as sink:
        d = dispatcher(db, [_json(sink.port)], claim_batch=5)
        seen: list[str] = []

        def look(*_: object) -> None:
            recording = d.outbox.connections.get()
            seen.append(recording.execute("SHOW synchronous_commit").fetchone()[0])
            recording.commit()  # as the dispatcher leaves it: no transaction open

        d.on_sent = look  # type: ignore[assignment]
        assert d.dispatch_due().sent == 12
        d.close()
    assert set(seen) == {"off"}
    with ExitStack() as stack:  # every pooled connection at once
        conns = [stack.enter_context(db.engine.connect()) for _ in range(5)]
        assert {c.exec_driver_sql("SHOW synchronous_commit").scalar() for c in conns} == {"on"}
    with db.session() as s:
        assert {a.status for a in s.query(Alert)} == {"sent"} and s.query(Delivery).count() == 12
    db.dispose()
