"""One story, one alert: the demo's twin al-Hol reports group; unrelated same-topic same-day ones do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outbox_helpers import store_article

from alerts.helpers import dispatcher
from alerts.servers import http_sink
from rasid.alerts.stories import features, similarity
from rasid.config import ChannelSettings
from rasid.demo.outlets import load_expected, load_sample_outlets
from rasid.storage import Alert, Article, Database, NewArticle, NewMatch, ensure_sources, record_matches

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def _demo_articles(topic: str) -> list[tuple[str, str, object]]:
    """(outlet name, slug, article) of every demo article expected to raise `topic`."""
    outlets = {o.slug: o for o in load_sample_outlets(rebase_dates=False)}
    return [
        (outlets[e.outlet].name, e.slug, outlets[e.outlet].article(e.slug))
        for e in load_expected()
        if topic in e.topics
    ]


def test_demo_twins_are_similar_and_unrelated_reports_are_not() -> None:
    arts = _demo_articles("camp_handover")
    feats = {slug: features(a.title, "\n".join(a.paragraphs)) for _, slug, a in arts}  # type: ignore[attr-defined]
    twins = similarity(feats["hol-camp-handover-damascus"], feats["syria-takes-over-al-hol-camp"])
    other = max(
        similarity(feats[s], feats["iraq-receives-isis-detainees"])
        for s in ("hol-camp-handover-damascus", "syria-takes-over-al-hol-camp")
    )
    assert twins >= 0.18 > other, (twins, other)


def test_twin_reports_become_one_alert_with_also_reported_by(db_url: str) -> None:
    db = Database(db_url)
    arts = sorted(_demo_articles("camp_handover"), key=lambda x: x[2].published)  # type: ignore[attr-defined]
    with db.session() as s:
        sources = ensure_sources(s, [(name, f"https://{i}.example/") for i, (name, _, _) in enumerate(arts)])
        for name, slug, a in arts:
            row = store_article(
                s,
                sources[name],
                NewArticle(f"https://{slug}.example/", a.title, "\n".join(a.paragraphs), a.published),  # type: ignore[attr-defined]
            )
            assert row is not None
            record_matches(s, row.id, [NewMatch("camp_handover", 2.0)], {"camp_handover": ["desk"]})
    with http_sink() as sink:
        d = dispatcher(db, [ChannelSettings(name="desk", url=f"json://127.0.0.1:{sink.port}/a")])
        d.dispatch_due()
        messages = [r.payload["message"] for r in sink.requests]
        assert len(messages) == 2  # the al-Hol handover once (with its twin), the Iraq transfer once
        hol = next(m for m in messages if "hol-camp-handover-damascus" in m)
        assert "syria-takes-over-al-hol-camp" in hol and "also reported by" in hol
        with db.session() as s:
            twin = s.query(Alert).filter(Alert.parent_id.is_not(None)).one()
            assert twin.status == "sent" and twin.sent_with == twin.parent_id
        # A later outlet, after the first alert went out: a short follow-up, not a new alert.
        with db.session() as s:
            src = ensure_sources(s, [("ثالث", "https://3.example/")])["ثالث"]
            name, slug, a = next(x for x in arts if x[1] == "syria-takes-over-al-hol-camp")
            row = store_article(
                s,
                src,
                NewArticle(
                    "https://third.example/hol",
                    a.title + " (تحديث)",  # type: ignore[attr-defined]
                    "\n".join(a.paragraphs[:2]),  # type: ignore[attr-defined]
                    a.published + timedelta(hours=3),  # type: ignore[attr-defined]
                ),
            )
            assert row is not None
            record_matches(s, row.id, [NewMatch("camp_handover", 2.0)], {"camp_handover": ["desk"]})
        assert d.dispatch_due().sent == 1
        follow = sink.requests[-1].payload["message"].splitlines()
        assert follow[0] == "تسليم مخيم" and "also reported by" in follow[1]
        assert follow[-1] == "https://third.example/hol"
        # One meaning of "story": the articles the alerts folded are one story for the digest too.
        with db.session() as s:
            hol = {
                a.url: a.story_id
                for a in s.query(Article)
                if "hol" in a.url or "al-hol" in a.url or a.url == "https://third.example/hol"
            }
        assert len(hol) == 3 and len(set(hol.values())) == 1, hol
    db.dispose()


def test_same_kind_of_event_reported_days_apart_is_not_one_story(db_url: str) -> None:
    """A backlog crawled at once (a new outlet, or after downtime): similar reports of different days stay
    separate alerts, since the window is measured on publication time, not on when rasid saw them."""
    from datetime import timedelta

    db = Database(db_url)
    arts = _demo_articles("camp_handover")
    twin_a = next(a for _, slug, a in arts if slug == "hol-camp-handover-damascus")
    twin_b = next(a for _, slug, a in arts if slug == "syria-takes-over-al-hol-camp")
    with db.session() as s:
        src = ensure_sources(s, [("منفذ", "https://x.example/")])["منفذ"]
        for url, a, when in (
            ("https://x.example/1", twin_a, NOW - timedelta(days=6)),
            ("https://x.example/2", twin_b, NOW),
        ):
            row = store_article(s, src, NewArticle(url, a.title, "\n".join(a.paragraphs), when))  # type: ignore[attr-defined]
            assert row is not None
            record_matches(s, row.id, [NewMatch("camp_handover", 2.0)], {"camp_handover": ["desk"]})
    with http_sink() as sink:
        d = dispatcher(db, [ChannelSettings(name="desk", url=f"json://127.0.0.1:{sink.port}/a")])
        d.dispatch_due()
        assert len(sink.requests) == 2
        assert not any("also reported by" in r.payload["message"] for r in sink.requests)
    db.dispose()
