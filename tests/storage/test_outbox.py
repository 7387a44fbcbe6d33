"""The outbox: matches and alerts written with the article, claimed once, retried, given up."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from outbox_helpers import claim_due, store_article

from rasid.storage import (
    Alert,
    Database,
    Delivery,
    Match,
    NewArticle,
    NewMatch,
    Route,
    ensure_sources,
    record_matches,
    release_stale,
    settle,
)
from rasid.storage.clock import utcnow


def _setup(db: Database, routes: dict[str, list[str]]) -> list[int]:
    with db.session() as s:
        sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
        art = store_article(s, sid, NewArticle("https://x.org/1", "عنوان", "نص"))
        assert art is not None
        return record_matches(
            s, art.id, [NewMatch("new_member", 3.0, "asserted", [{"sentence": "جملة"}])], routes
        )


def test_one_alert_per_channel_that_takes_the_topic(db_url: str) -> None:
    db = Database(db_url)
    ids = _setup(db, {"new_member": ["desk", "mail"], "communique": ["desk"]})
    assert len(ids) == 2
    with db.session() as s:
        assert {a.channel for a in s.query(Alert)} == {"desk", "mail"}
    db.dispose()


def test_review_matches_go_only_to_channels_that_take_review(db_url: str) -> None:
    """A confident match goes to every channel of its topic; a possible one only to "review" channels."""
    db = Database(db_url)
    reason = "the coalition is 14 words from the joining word"
    with db.session() as s:
        sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
        art = store_article(s, sid, NewArticle("https://x.org/1", "عنوان", "نص"))
        assert art is not None
        matches = [
            NewMatch("new_member", 3.0, "asserted", [{"sentence": "جملة"}]),
            NewMatch("communique", 1.5, "asserted", [], confidence="review", review_reason=reason),
        ]
        routes = {
            "new_member": ["desk", Route("triage", "review")],
            "communique": [Route("desk", "alert"), Route("triage", "review"), "mail"],
        }
        ids = record_matches(s, art.id, matches, routes)
    assert len(ids) == 3
    with db.session() as s:
        pairs = {(a.topic, a.channel) for a in s.query(Alert)}
        assert pairs == {("new_member", "desk"), ("new_member", "triage"), ("communique", "triage")}
        stored = {m.topic: (m.confidence, m.review_reason) for m in s.query(Match)}
        assert stored == {"new_member": ("alert", None), "communique": ("review", reason)}
    db.dispose()


def test_a_review_match_with_no_review_channel_is_stored_without_alerts(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
        art = store_article(s, sid, NewArticle("https://x.org/1", "عنوان", "نص"))
        assert art is not None
        review = NewMatch("new_member", 1.0, confidence="review", review_reason="far apart")
        assert record_matches(s, art.id, [review], {"new_member": ["desk"]}) == []
    with db.session() as s:
        (match,) = s.query(Match)
        assert match.confidence == "review" and s.query(Alert).count() == 0
    db.dispose()


def test_a_match_confidence_is_alert_or_review() -> None:
    with pytest.raises(ValueError, match="confidence"):
        NewMatch("new_member", 1.0, confidence="maybe")
    assert Route("desk").takes("alert") and not Route("desk").takes("review")
    assert Route("t", "review").takes("review") and not Route("t", "review").takes("other")


def test_an_article_rolled_back_leaves_no_alerts(db_url: str) -> None:
    db = Database(db_url)
    try:
        with db.session() as s:
            sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
            art = store_article(s, sid, NewArticle("https://x.org/1", "ع", "ن"))
            assert art is not None
            record_matches(s, art.id, [NewMatch("new_member", 1.0)], {"new_member": ["desk"]})
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with db.session() as s:
        assert s.query(Alert).count() == 0
    db.dispose()


def test_claim_settle_retry_and_dead(db_url: str) -> None:
    db = Database(db_url)
    _setup(db, {"new_member": ["desk"]})
    with db.session() as s:
        (alert,) = claim_due(s)
        assert alert.status == "sending" and alert.attempts == 1
        aid = alert.id
    with db.session() as s:
        assert claim_due(s) == []  # already taken
        settle(s, aid, ok=False, error="HTTP 500", retry_at=utcnow() + timedelta(seconds=60))
    with db.session() as s:
        assert claim_due(s) == []  # not due yet
        assert claim_due(s, now=utcnow() + timedelta(seconds=61))[0].id == aid
    with db.session() as s:
        settle(s, aid, ok=False, error="HTTP 500", retry_at=None)
    with db.session() as s:
        alert = s.get(Alert, aid)
        assert alert is not None and alert.status == "dead" and alert.last_error == "HTTP 500"
        assert s.query(Delivery).filter(Delivery.alert_id == aid).count() == 2
    db.dispose()


def test_stale_sending_alerts_are_released(db_url: str) -> None:
    db = Database(db_url)
    _setup(db, {"new_member": ["desk"]})
    with db.session() as s:
        claim_due(s)
    with db.session() as s:
        assert release_stale(s, timedelta(0)) == 1
        assert len(claim_due(s)) == 1
    db.dispose()


def test_two_dispatchers_never_take_the_same_alert(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        sid = ensure_sources(s, [("x", "https://x.org/")])["x"]
        for i in range(40):
            art = store_article(s, sid, NewArticle(f"https://x.org/{i}", f"ع {i}", f"ن {i}"))
            assert art is not None
            record_matches(s, art.id, [NewMatch("new_member", 1.0)], {"new_member": ["desk"]})
    taken: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            with db.session() as s:
                got = [a.id for a in claim_due(s, limit=3)]
            if not got:
                return
            with lock:
                taken.extend(got)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(set(taken)) and len(taken) == 40
    db.dispose()
