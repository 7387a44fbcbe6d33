"""The frontier on SQLite and PostgreSQL: entries recorded once, due again with backoff, dropped when their
article is stored, given up after their time, counted per source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outbox_helpers import store_article

from rasid.storage import Database, NewArticle, ensure_sources
from rasid.storage.frontier import add_pending, backoff, claim_due, frontier_counts, note_failure

T0 = datetime(2026, 12, 5, 8, tzinfo=UTC)
DAY = timedelta(days=1)


def test_entries_come_back_with_backoff_until_stored(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        sid = ensure_sources(s, [("منفذ", "https://example.org/")])["منفذ"]
        add_pending(s, sid, ["https://example.org/a", "https://example.org/b"], T0, ["https://example.org/c"])
        add_pending(s, sid, ["https://example.org/a"], T0)  # seen again: one entry
    with db.session() as s:
        assert claim_due(s, sid, T0, DAY, 10) == ["https://example.org/c"]  # over the limit: due at once
        assert claim_due(s, sid, T0 + backoff(1) - timedelta(seconds=1), DAY, 10) == []
        assert len(claim_due(s, sid, T0 + backoff(1), DAY, 10)) == 3  # a, b and c: each one step on
    with db.session() as s:
        store_article(s, sid, NewArticle(url="https://example.org/a", title="t", text="x", published=T0))
        note_failure(s, "https://example.org/b", "HTTP 500")
    later = T0 + timedelta(hours=2)
    with db.session() as s:
        assert sorted(claim_due(s, sid, later, DAY, 10)) == ["https://example.org/b", "https://example.org/c"]
        assert frontier_counts(s, [sid])[sid].pending == 2  # a is stored: dropped
    with db.session() as s:
        assert claim_due(s, sid, T0 + 2 * DAY, DAY, 10) == []  # too old: given up, not asked
        counts = frontier_counts(s, [sid])[sid]
        assert counts.given_up == 2 and counts.pending == 0
        assert counts.last_given_up is not None and "example.org" in counts.last_given_up
    db.dispose()


def test_backoff_grows_and_is_capped() -> None:
    steps = [backoff(n) for n in range(1, 12)]
    assert steps[0] == timedelta(seconds=15) and steps == sorted(steps)
    assert steps[-1] == timedelta(hours=1)
