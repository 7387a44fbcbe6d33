"""rasid.page_workers: the page pipeline in child processes; a worker that dies or hangs costs one page."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rasid.config import ChannelSettings, SourceSettings
from rasid.demo.outlets import load_sample_outlets
from rasid.demo.pages import article_page
from rasid.page_workers import PageWorkers, PipelineRecipe
from rasid.pipeline import FetchedPage
from rasid.storage import Article, Database

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://demo.example/"


@pytest.fixture
def pages() -> list[FetchedPage]:
    outlet = load_sample_outlets()[0]
    return [
        FetchedPage("demo", f"{BASE}articles/{a.slug}.html", article_page(outlet, BASE, a, 2026).encode())
        for a in outlet.articles
    ]


@pytest.fixture
def recipe(tmp_path: Path) -> PipelineRecipe:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    Database(url).dispose()  # migrated by the parent, as services do
    return PipelineRecipe(
        url,
        [ROOT / "config" / "watchlists" / "coalition.toml"],
        [SourceSettings(name="demo", homepage=BASE, timezone="Asia/Damascus")],
        [ChannelSettings(name="desk", url="json://127.0.0.1:9/")],
    )


def _stored(recipe: PipelineRecipe) -> int:
    db = Database(recipe.database_url, migrate=False)
    try:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(Article)) or 0
    finally:
        db.dispose()


def _pids(workers: PageWorkers) -> list[int]:
    return [w.process.pid for w in workers._all]


def test_workers_store_every_page_once(recipe: PipelineRecipe, pages: list[FetchedPage]) -> None:
    workers = PageWorkers(recipe, processes=2, page_timeout=60)
    try:
        results = [f.result(timeout=120) for f in [workers.submit(p) for p in pages + pages[:3]]]
        assert len(_pids(workers)) == 2 and os.getpid() not in _pids(workers)
    finally:
        workers.close()
    assert [r.outcome for r in results].count("new") == len(pages)
    assert [r.outcome for r in results].count("duplicate") == 3
    assert any(r.topics for r in results)
    assert _stored(recipe) == len(pages)


def test_a_dead_worker_costs_one_page_and_is_replaced(
    recipe: PipelineRecipe, pages: list[FetchedPage], caplog: pytest.LogCaptureFixture
) -> None:
    workers = PageWorkers(recipe, processes=1, page_timeout=60)
    try:
        assert workers.submit(pages[0]).result(timeout=120).outcome == "new"
        (pid,) = _pids(workers)
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        lost = workers.submit(pages[1]).result(timeout=120)
        assert lost.outcome == "error" and "died" in (lost.error or "")
        assert "page worker died" in caplog.text
        again = [workers.submit(p).result(timeout=120) for p in pages[1:4]]
        assert [r.outcome for r in again] == ["new"] * 3
        assert _pids(workers) and _pids(workers)[0] != pid
    finally:
        workers.close()
    assert _stored(recipe) == 4


def test_a_page_over_the_time_limit_stops_its_worker(
    recipe: PipelineRecipe, pages: list[FetchedPage], caplog: pytest.LogCaptureFixture
) -> None:
    workers = PageWorkers(recipe, processes=1, page_timeout=0.001)
    try:
        slow = workers.submit(pages[0]).result(timeout=120)
        assert slow.outcome == "error" and "took over" in (slow.error or "")
        assert "its worker was stopped" in caplog.text
        workers.page_timeout = 60
        assert workers.submit(pages[1]).result(timeout=120).outcome == "new"
    finally:
        workers.close()


def test_close_ends_every_worker(recipe: PipelineRecipe, pages: list[FetchedPage]) -> None:
    workers = PageWorkers(recipe, processes=2, page_timeout=60)
    [f.result(timeout=120) for f in [workers.submit(p) for p in pages[:4]]]
    procs = [w.process for w in workers._all]
    workers.close()
    assert procs and all(p.poll() is not None for p in procs)
    assert workers.submit(pages[5]).result(timeout=10).outcome == "error"


def test_sigterm_ends_an_idle_worker_cleanly(recipe: PipelineRecipe, pages: list[FetchedPage]) -> None:
    workers = PageWorkers(recipe, processes=1, page_timeout=60)
    try:
        workers.submit(pages[0]).result(timeout=120)
        (proc,) = [w.process for w in workers._all]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        workers.close()


def test_a_worker_that_cannot_start_is_reported_and_not_kept(
    recipe: PipelineRecipe, pages: list[FetchedPage], tmp_path: Path
) -> None:
    broken = PipelineRecipe(
        recipe.database_url,
        [tmp_path / "missing.toml"],
        recipe.sources,
        recipe.channels,
        log_level="CRITICAL",
    )
    workers = PageWorkers(broken, processes=1, page_timeout=60)
    try:
        result = workers.submit(pages[0]).result(timeout=120)
        assert result.outcome == "error" and "did not start" in (result.error or "")
        assert workers._all == []
    finally:
        workers.close()


def test_page_workers_are_a_page_handler_like_the_pipeline(
    recipe: PipelineRecipe, pages: list[FetchedPage]
) -> None:
    """The crawler is handed either one: both take a page and give its result (`process_async`)."""
    import asyncio

    from rasid.pipeline import PageHandler

    workers: PageHandler = PageWorkers(recipe, processes=1, page_timeout=60)

    async def work() -> list[str]:
        return [(await workers.process_async(p)).outcome for p in pages[:2]]

    try:
        assert asyncio.run(work()) == ["new", "new"]
    finally:
        workers.close()
    assert _stored(recipe) == 2
