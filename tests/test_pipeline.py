"""rasid.pipeline: pages from the crawler are extracted, stored once, matched and queued, one at a time in
the pipeline's own thread."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rasid.config import ChannelSettings, SourceSettings
from rasid.demo.outlets import load_sample_outlets
from rasid.demo.pages import article_page
from rasid.matching import Matcher, load_watchlists
from rasid.pipeline import FetchedPage, Pipeline, routes_for
from rasid.storage import Alert, Article, Database, Match, Route

ROOT = Path(__file__).resolve().parents[1]


def _pipeline(tmp_path: Path) -> Pipeline:
    watchlist = load_watchlists([ROOT / "config" / "watchlists" / "coalition.toml"])
    return Pipeline(
        Database(f"sqlite:///{tmp_path / 'p.db'}"),
        Matcher(watchlist),
        [SourceSettings(name="demo", homepage="https://demo.example/", timezone="Asia/Damascus")],
        [ChannelSettings(name="desk", url="json://127.0.0.1:9/")],
        [t.id for t in watchlist.topics],
    )


def test_pages_are_worked_one_at_a_time_in_the_pipelines_own_thread(tmp_path: Path) -> None:
    outlet = load_sample_outlets()[0]
    base = "https://demo.example/"
    pages = [
        FetchedPage("demo", f"{base}articles/{a.slug}.html", article_page(outlet, base, a, 2026).encode())
        for a in outlet.articles
    ]
    pipeline = _pipeline(tmp_path)
    seen: list[str] = []
    running = 0
    overlap = False
    work = pipeline._process

    def spy(page: FetchedPage):  # type: ignore[no-untyped-def]
        nonlocal running, overlap
        running += 1
        overlap = overlap or running > 1
        seen.append(threading.current_thread().name)
        try:
            return work(page)
        finally:
            running -= 1

    pipeline._process = spy  # type: ignore[method-assign]

    async def crawl() -> list[str]:
        results = await asyncio.gather(*(pipeline.process_async(p) for p in pages + pages[:2]))
        return [r.outcome for r in results]

    outcomes = asyncio.run(crawl())
    pipeline.close()
    assert outcomes.count("new") == len(pages) and outcomes.count("duplicate") == 2
    assert not overlap
    assert set(seen) == {"rasid-pages_0"}
    with pipeline.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == len(pages)
        # every article is its own story here (no two carry the same text), and matched ones are queued
        assert s.scalar(
            select(func.count()).select_from(Article).where(Article.story_id == Article.id)
        ) == len(pages)
        assert (s.scalar(select(func.count()).select_from(Alert)) or 0) > 0


def test_a_page_that_breaks_extraction_is_an_error_outcome_not_an_exception(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    result = asyncio.run(
        pipeline.process_async(FetchedPage("demo", "https://demo.example/x", b"\x00\x01\x02"))
    )
    pipeline.close()
    assert result.outcome == "error" and result.error


def test_routes_carry_each_channels_confidence() -> None:
    channels = [
        ChannelSettings(name="desk", url="json://127.0.0.1:9/"),
        ChannelSettings(name="triage", url="json://127.0.0.1:9/", confidence="review"),
        ChannelSettings(name="camps", url="json://127.0.0.1:9/", topics=["camp_handover"]),
        ChannelSettings(name="ops", url="json://127.0.0.1:9/", operations=True),
    ]
    routes = routes_for(channels, ["new_member", "camp_handover"])
    assert routes == {
        "new_member": [Route("desk"), Route("triage", "review")],
        "camp_handover": [Route("desk"), Route("triage", "review"), Route("camps")],
    }


def test_confident_matches_are_stored_as_alerts_and_reach_review_channels_too(tmp_path: Path) -> None:
    outlet = load_sample_outlets()[0]
    base = "https://demo.example/"
    watchlist = load_watchlists([ROOT / "config" / "watchlists" / "coalition.toml"])
    pipeline = Pipeline(
        Database(f"sqlite:///{tmp_path / 'p.db'}"),
        Matcher(watchlist),
        [SourceSettings(name="demo", homepage=base, timezone="Asia/Damascus")],
        [
            ChannelSettings(name="desk", url="json://127.0.0.1:9/"),
            ChannelSettings(name="triage", url="json://127.0.0.1:9/", confidence="review"),
        ],
        [t.id for t in watchlist.topics],
    )
    results = [
        pipeline.process(
            FetchedPage("demo", f"{base}articles/{a.slug}.html", article_page(outlet, base, a, 2026).encode())
        )
        for a in outlet.articles
    ]
    pipeline.close()
    matched = [r for r in results if r.topics or r.review]
    assert matched
    with pipeline.db.session() as s:
        stored = {(m.topic, m.confidence) for m in s.scalars(select(Match))}
        channels = {(a.topic, a.channel) for a in s.scalars(select(Alert))}
    alert_topics = {t for r in matched for t in r.topics}
    review_topics = {t for r in matched for t in r.review}
    assert stored == {(t, "alert") for t in alert_topics} | {(t, "review") for t in review_topics}
    # every confident match goes to both channels; possible ones only to the review channel
    assert {(t, "desk") for t in alert_topics} | {(t, "triage") for t in alert_topics} <= channels
    assert all((t, "desk") not in channels for t in review_topics - alert_topics)


REVIEW_ONLY = """
[[topics]]
id = "camp_handover"
title_ar = "مخيمات"
title_en = "Camps, possibly"
description = "Any mention of al-Hol, only ever as a possible match."
[topics.groups]
camp = ["الهول"]
[[topics.rules]]
all = ["camp"]
review = true
"""


def test_possible_matches_travel_to_review_channels_and_the_digest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A watchlist whose rule only gives review: stored as review, queued and sent only to the review
    channel, its message saying it is possible and why, and listed apart in the week's digest."""
    from alerts.servers import http_sink

    from rasid.alerts import Dispatcher, open_channels
    from rasid.alerts.digest import TopicInfo, collect_week, week_of
    from rasid.config.schema import AlertSettings

    (tmp_path / "w.toml").write_text(REVIEW_ONLY, encoding="utf-8")
    watchlist = load_watchlists([tmp_path / "w.toml"])
    outlet = load_sample_outlets()[0]
    base = "https://demo.example/"
    with http_sink() as desk, http_sink() as triage:
        channels = [
            ChannelSettings(name="desk", url=f"json://127.0.0.1:{desk.port}/d"),
            ChannelSettings(name="triage", url=f"json://127.0.0.1:{triage.port}/t", confidence="review"),
        ]
        db = Database(f"sqlite:///{tmp_path / 'p.db'}")
        pipeline = Pipeline(
            db,
            Matcher(watchlist),
            [SourceSettings(name="demo", homepage=base, timezone="Asia/Damascus")],
            channels,
            ["camp_handover"],
        )
        with caplog.at_level(logging.INFO, logger="rasid.pipeline"):
            results = [
                pipeline.process(
                    FetchedPage(
                        "demo", f"{base}articles/{a.slug}.html", article_page(outlet, base, a, 2026).encode()
                    )
                )
                for a in outlet.articles
            ]
        pipeline.close()
        possible = [r for r in results if r.review]
        assert possible and all(r.review == ("camp_handover",) and not r.topics for r in possible)
        assert all(r.alerts == 1 for r in possible)
        assert any("to review camp_handover" in m for m in caplog.messages)
        with db.session() as s:
            matches = list(s.scalars(select(Match)))
            assert {m.confidence for m in matches} == {"review"} and all(m.review_reason for m in matches)
            assert {a.channel for a in s.scalars(select(Alert))} == {"triage"}
        titles = {"camp_handover": "مخيمات"}
        stats = Dispatcher(db, open_channels(channels), AlertSettings(), titles).dispatch_due()
        assert stats.sent >= 1 and not desk.requests and triage.requests
        for request in triage.requests:
            lines = request.payload["message"].splitlines()
            assert lines[0] == "مخيمات (مطابقة محتملة — possible match)"
            assert any(line.startswith("للمراجعة لأن — to review because: ") for line in lines)
    published = [a.published for a in outlet.articles]
    week = week_of(max(published), "Asia/Damascus")
    digest = collect_week(db, week, [TopicInfo("camp_handover", "مخيمات")])
    (topic,) = digest.topics
    assert not topic.stories and topic.review and all(s.review_reason for s in topic.review)
    db.dispose()
