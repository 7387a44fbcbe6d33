"""The dispatcher's fast paths keep its guarantees: batch claims, settling a sent alert in core statements,
concurrent sends per channel, and story features computed lazily."""

from __future__ import annotations

import random
import threading
from collections import Counter

from alerts.helpers import dispatcher, headline, queue
from alerts.servers import http_sink
from rasid.alerts.stories import LazyFeatures, features, grams, similarity
from rasid.config import ChannelSettings
from rasid.storage import Alert, Database, Delivery, claim_due
from rasid.storage.outbox import settle_sent, take


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
