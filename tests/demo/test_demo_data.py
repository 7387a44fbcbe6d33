"""The bundled demo outlets: they load, look like news, and the answer key covers every topic and article."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rasid.demo.outlets import load_expected, load_sample_outlets

TOPICS = {"new_member", "camp_handover", "communique"}


def test_demo_outlets_load_with_articles() -> None:
    outlets = load_sample_outlets(rebase_dates=False)
    assert len(outlets) == 3
    assert len({o.slug for o in outlets}) == 3 and len({o.name for o in outlets}) == 3
    for outlet in outlets:
        assert 6 <= len(outlet.articles) <= 8, outlet.slug
        assert len({a.slug for a in outlet.articles}) == len(outlet.articles)
        for article in outlet.articles:
            words = len(" ".join(article.paragraphs).split())
            assert 120 <= words <= 300, (article.slug, words)
            assert 3 <= len(article.paragraphs) <= 6, article.slug
            assert article.published.utcoffset() == timedelta(hours=3)
            assert article.title and article.section


def test_dates_are_moved_to_the_last_days() -> None:
    now = datetime(2027, 3, 10, 6, 0, tzinfo=UTC)
    dates = [a.published for o in load_sample_outlets(now) for a in o.articles]
    assert max(dates) <= now
    assert now - max(dates) < timedelta(days=1)
    assert now - min(dates) < timedelta(days=3)  # inside the crawler's default max_article_age


def test_expected_covers_every_article_and_topic() -> None:
    outlets = load_sample_outlets(rebase_dates=False)
    expected = load_expected()
    keys = [(e.outlet, e.slug) for e in expected]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(o.slug, a.slug) for o in outlets for a in o.articles}
    raised = set().union(*(e.topics for e in expected))
    assert raised == TOPICS
    assert set().union(*(e.hard_for for e in expected)) <= TOPICS
    stories: dict[str, set[str]] = {}
    for e in expected:
        if e.story:
            stories.setdefault(e.story, set()).add(e.outlet)
    assert any(len(outlets_) >= 2 for outlets_ in stories.values())
    negatives = [e for e in expected if not e.topics]
    assert len(negatives) >= len(expected) // 2
