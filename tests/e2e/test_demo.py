"""`rasid demo` as a user runs it: the bundled outlets are crawled by the real daemon, the article
published mid-run is found by the next poll, every expected topic fires and nothing else does, the week's
digest is written, and a folder the demo did not make is never deleted."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rasid.demo.outlets import load_expected

pytestmark = pytest.mark.slow


def test_demo_runs_the_daemon_and_alerts_on_the_expected_articles(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run = subprocess.run(
        [sys.executable, "-m", "rasid", "demo", "--dir", str(folder), "--timeout", "60"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "publishes a new article" in run.stdout
    db = sqlite3.connect(folder / "rasid.db")
    matched = {
        (url.rsplit("/", 1)[-1].removesuffix(".html"), topic)
        for url, topic in db.execute(
            "select a.url, m.topic from matches m join articles a on a.id = m.article_id"
        )
    }
    expected = {(e.slug, t) for e in load_expected() for t in e.topics}
    assert matched == expected
    articles = db.execute("select count(*) from articles").fetchone()[0]
    assert articles == len(load_expected())
    sent = db.execute("select count(*) from alerts where status = 'sent'").fetchone()[0]
    delivered = re.search(r"(\d+) alerts delivered", run.stdout)
    assert delivered and int(delivered.group(1)) == sent > 0
    assert run.stdout.count("🔔") == sent
    digest = re.search(r"this week's digest: (\S+)", run.stdout)
    assert digest and Path(digest.group(1)).is_file()
    assert "مخيم الهول" in Path(digest.group(1)).read_text(encoding="utf-8")
    again = subprocess.run(
        [sys.executable, "-m", "rasid", "demo", "--dir", str(folder), "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "was not made by" not in again.stderr  # its own folder: a later demo may empty it


def test_demo_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("an analyst's notes", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "rasid", "demo", "--dir", str(tmp_path), "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "was not made by `rasid demo`" in run.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "an analyst's notes"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
