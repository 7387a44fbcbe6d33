"""`rasid watchlist backtest` on a database filled by a real crawl of the sample outlets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rasid.cli import main
from rasid.commands.demo import write_demo_config
from rasid.demo.desk import AlertDesk
from rasid.demo.outlets import load_sample_outlets
from rasid.demo.server import OutletServer

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "config" / "watchlists" / "coalition.toml"

LOOSE = """
[[topics]]
id = "camp_handover"
title_ar = "مخيمات"
title_en = "Camps, loosely"
description = "Any mention of al-Hol: what a too-loose rule would fire on."
[topics.groups]
camp = ["الهول"]
[[topics.rules]]
all = ["camp"]
"""


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backtest")
    outlets = load_sample_outlets()
    with OutletServer(outlets) as server, AlertDesk() as desk:
        config = write_demo_config(folder, server, outlets, desk.apprise_url(), poll="1m")
        run = subprocess.run(
            [sys.executable, "-m", "rasid", "--config", str(config), "crawl", "--once"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
    return config


def _backtest(config: Path, watchlist: Path) -> dict[str, dict[str, object]]:
    result = CliRunner().invoke(
        main, ["--config", str(config), "watchlist", "backtest", str(watchlist), "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_active_watchlist_changes_nothing(crawled: Path) -> None:
    diff = _backtest(crawled, SHIPPED)
    assert all(not d["new"] and not d["lost"] for d in diff.values())
    assert sum(int(d["kept"]) for d in diff.values()) >= 5  # type: ignore[call-overload]


def test_a_loose_rule_shows_what_it_would_add_and_drop(crawled: Path, tmp_path: Path) -> None:
    loose = tmp_path / "loose.toml"
    loose.write_text(LOOSE, encoding="utf-8")
    diff = _backtest(crawled, loose)
    new = {row["url"].rsplit("/", 1)[-1] for row in diff["camp_handover"]["new"]}  # type: ignore[index, union-attr]
    lost = {row["url"].rsplit("/", 1)[-1] for row in diff["camp_handover"]["lost"]}  # type: ignore[index, union-attr]
    assert "hol-families-convoy-deir-ezzor.html" in new and "hol-camp-water-shortage.html" in new
    assert not new & lost and int(diff["camp_handover"]["kept"]) >= 2  # type: ignore[call-overload]
    # topics the candidate does not define are reported as no longer firing
    assert diff["new_member"]["lost"] and not diff["new_member"]["new"]
    text = CliRunner().invoke(main, ["--config", str(crawled), "watchlist", "backtest", str(loose)]).output
    assert "would newly fire" in text and "«" in text
