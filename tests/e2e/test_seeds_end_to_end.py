"""End to end, with real processes: the five seed articles served by local outlets (RSS, news sitemap,
homepage discovery), `rasid crawl --once` in a fresh process, alerts delivered by apprise to a json://
desk. Every seed labelled 1 raises exactly one alert for that topic, none labelled 0 does; a second cycle
and a restarted daemon raise nothing new."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rasid.demo.desk import AlertDesk, Received
from rasid.demo.outlets import Outlet, SampleArticle
from rasid.demo.server import OutletServer
from rasid.matching import load_watchlists

REPO = Path(__file__).resolve().parents[2]
WATCHLIST = REPO / "config" / "watchlists" / "coalition.toml"
pytestmark = pytest.mark.slow


def _seed_outlets(seeds: Path) -> tuple[list[Outlet], dict[str, str]]:
    """Three outlets sharing the five seeds; returns them and article slug -> seed file name."""
    now = datetime.now(UTC)
    files = sorted(seeds.glob("*.txt"))
    outlets = [Outlet(name=f"منفذ {i + 1}", slug=f"outlet{i + 1}") for i in range(3)]
    slugs: dict[str, str] = {}
    for n, path in enumerate(files):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        slug = f"seed-{n}"
        article = SampleArticle(
            slug=slug,
            title=lines[0],
            paragraphs=lines[1:],
            published=now - timedelta(days=3 * n, hours=1),  # the seeds report events days apart
            author="مراسل",
        )
        outlets[n % 3].articles.append(article)
        slugs[slug] = path.name
    return outlets, slugs


def _config(tmp: Path, server: OutletServer, outlets: list[Outlet], desk: AlertDesk, storage: str) -> Path:
    sources = []
    for i, o in enumerate(outlets):
        listing = ""
        if i == 0:
            listing = f'feeds = ["{server.feed_url(o.slug)}"]\n'
        elif i == 1:
            listing = f'sitemaps = ["{server.sitemap_url(o.slug)}"]\n'
        sources.append(
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n{listing}poll = "2s"\n'
        )
    text = (
        f'[storage]\nurl = "{storage}"\n'
        '[crawler]\nallow_private_addresses = true\nmax_article_age = "30d"\n'
        f'[watch]\nwatchlists = ["{WATCHLIST}"]\n[alerts]\ndispatch_every = "1s"\n'
        + "".join(sources)
        + f'[[channels]]\nname = "desk"\nurl = "{desk.apprise_url("desk")}"\ntopics = ["*"]\n'
    )
    path = tmp / "rasid.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _rasid(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "rasid", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def _alerts(desk: AlertDesk, titles: dict[str, str], url_to_seed: dict[str, str]) -> list[tuple[str, str]]:
    """(seed file, topic id) of every alert received, read from the delivered text itself."""
    by_title = {v: k for k, v in titles.items()}
    out = []
    for item in desk.received:
        lines = item.message.strip().splitlines()
        topic = by_title[lines[0].split(" (")[0]]
        url = lines[-1].strip()
        out.append((url_to_seed[url], topic))
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def storage(request: pytest.FixtureRequest) -> str:
    """The end-to-end run on the embedded default and on PostgreSQL."""
    if request.param == "sqlite":
        return "sqlite:///state/rasid.db"
    return str(request.getfixturevalue("pg_url"))


def test_seeds_raise_exactly_the_labelled_alerts(shared_dir: Path, tmp_path: Path, storage: str) -> None:
    seeds = shared_dir / "seeds"
    labels = json.loads((seeds / "labels.json").read_text(encoding="utf-8"))["labels"]
    outlets, slugs = _seed_outlets(seeds)
    titles = {t.id: t.title_ar for t in load_watchlists([WATCHLIST]).topics}
    received: list[Received] = []
    with OutletServer(outlets) as server, AlertDesk(on_alert=received.append) as desk:
        config = _config(tmp_path, server, outlets, desk, storage)
        url_to_seed = {
            server.article_url(o.slug, a.slug).rstrip("/"): slugs[a.slug] for o in outlets for a in o.articles
        }

        first = _rasid("--config", str(config), "crawl", "--once")
        assert first.returncode == 0, first.stderr
        assert "5 new articles" in first.stdout, first.stdout
        got = _alerts(desk, titles, url_to_seed)
        assert len(got) == len(set(got)), f"an alert was delivered twice: {got}"
        for seed, topics in labels.items():
            for topic, label in topics.items():
                if topic == "why" or label == "B":
                    continue
                n = got.count((seed, topic))
                assert n == label, f"{seed} {topic}: labelled {label}, {n} alerts; all: {got}"

        second = _rasid("--config", str(config), "crawl", "--once")
        assert second.returncode == 0, second.stderr
        assert "0 new articles" in second.stdout and len(desk.received) == len(got)

        # The daemon, restarted on the same database: it polls, finds nothing new, and stops on SIGTERM.
        for o in outlets:
            server.clear_requests(o.slug)
        daemon = subprocess.Popen(
            [sys.executable, "-m", "rasid", "--config", str(config), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if all(len(server.requests(o.slug)) >= 2 for o in outlets):  # every outlet polled again
                    break
                time.sleep(0.5)
            time.sleep(3)  # and a second poll of each (poll = 2s)
            daemon.send_signal(signal.SIGTERM)
            out, err = daemon.communicate(timeout=15)
        finally:
            if daemon.poll() is None:
                daemon.kill()
        assert daemon.returncode == 0, err
        assert "0 new articles" in out or "rasid stopped" in out, out
        assert len(desk.received) == len(got), "the restarted daemon delivered an alert again"
