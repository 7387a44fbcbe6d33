"""End to end: a real `rasid crawl --once` of the sample outlets fills a database; `rasid digest --week
... --send` (twice, in fresh processes) writes the same four files both times and sends the digest to a
json:// desk; headless Chromium opens digest.html offline and the screenshot reads right to left."""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from conftest import need
from PIL import Image

from rasid.alerts.digest import SCHEMA, week_of
from rasid.alerts.digest.chart import COLOURS
from rasid.commands.demo import write_demo_config
from rasid.demo.desk import AlertDesk
from rasid.demo.outlets import load_sample_outlets
from rasid.demo.server import OutletServer

pytestmark = pytest.mark.slow
TZ = "Asia/Damascus"
DIGEST = (
    "import sys; from rasid.cli import main; from rasid.commands.digest import digest_command; "
    "main.add_command(digest_command, 'digest'); main()"
)


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)


def _matched_by_week(db: Path) -> dict[str, Counter[str]]:
    """Confidently matched articles per (week, topic), read with plain SQL: the answer the digest's counts
    must give (possible matches, confidence 'review', are listed apart and not counted)."""
    out: dict[str, Counter[str]] = {}
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT m.topic, coalesce(a.published_at, a.fetched_at) FROM matches m JOIN articles a "
            "ON a.id = m.article_id WHERE m.confidence = 'alert'"
        ).fetchall()
    for topic, moment in rows:
        week = week_of(datetime.fromisoformat(moment).replace(tzinfo=UTC), TZ).label
        out.setdefault(week, Counter())[topic] += 1
    return out


def _screenshot(chromium: str, page: Path, out: Path, profile: Path) -> np.ndarray:
    result = _run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={out}",
            "--window-size=800,1200",
            page.as_uri(),
        ],
        timeout=60,
    )
    assert out.is_file(), result.stderr[-2000:]
    return np.asarray(Image.open(out).convert("RGB")).astype(int)


def test_digest_of_a_real_crawl(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    need(chromium is not None, "Chromium is not installed (bash scripts/test installs Debian's chromium)")
    assert chromium is not None
    outlets = load_sample_outlets()
    with OutletServer(outlets) as server, AlertDesk() as desk:
        config = write_demo_config(tmp_path, server, outlets, desk.apprise_url("desk"), poll="1h")
        with config.open("a", encoding="utf-8") as f:
            f.write("digest = true\n")  # the demo desk, the last [[channels]] table, takes digests too
        crawl = _run([sys.executable, "-m", "rasid", "--config", str(config), "crawl", "--once"])
        assert crawl.returncode == 0, crawl.stderr[-3000:]

        by_week = _matched_by_week(tmp_path / "rasid.db")
        assert by_week, "the crawl stored no matches"
        week = max(by_week, key=lambda w: (sum(by_week[w].values()), w))
        alerts_before = len(desk.received)

        copies = []
        for _ in range(2):
            made = _run(
                [sys.executable, "-c", DIGEST, "--config", str(config), "digest", "--week", week, "--send"]
            )
            assert made.returncode == 0, made.stderr[-3000:]
            folder = tmp_path / "digests" / week
            copies.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
        assert set(copies[0]) == {"digest.html", "digest.md", "digest.json", "activity.png", "schema.json"}
        assert copies[0] == copies[1], "regenerating a week must give identical files"

        digests = desk.received[alerts_before:]
        assert len(digests) == 2 and all(week in d.title for d in digests)
        attachment = digests[0].payload["attachments"][0]
        assert attachment["filename"] == "digest.html"
        assert base64.b64decode(attachment["base64"]) == copies[0]["digest.html"]

    data = json.loads(copies[0]["digest.json"])
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert data["week"] == week
    assert {t["id"]: t["counts"]["articles"] for t in data["topics"] if t["counts"]["articles"]} == dict(
        by_week[week]
    )
    assert {o["name"] for o in data["outlets"]} == {o.name for o in outlets}
    stories = [s for t in data["topics"] for s in t["stories"]]
    assert all(s["evidence"] and s["evidence"]["highlights"] for s in stories)

    page = tmp_path / "digests" / week / "digest.html"
    shot = _screenshot(chromium, page, tmp_path / "shot.png", tmp_path / "profile")
    height, width, _ = shot.shape
    ink = shot.sum(axis=2) < 3 * 150
    assert ink.mean() > 0.01, "the page rendered blank"
    rows = np.where(ink.any(axis=1))[0]
    band_end = rows[0]
    while band_end + 1 < height and ink[band_end + 1].any():
        band_end += 1
    cols = np.where(ink[rows[0] : band_end + 1].any(axis=0))[0]
    assert cols.max() > width * 0.9, f"the title does not start at the right edge ({cols.max()}/{width})"
    assert cols.min() > width * 0.35, f"the title reaches the left side ({cols.min()}/{width}): not RTL"
    colours = [np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in COLOURS[:3]]
    bars = sum(int((np.abs(shot - c).sum(axis=2) < 30).sum()) for c in colours)
    assert bars > 200, "the embedded chart's bars are not visible offline"
