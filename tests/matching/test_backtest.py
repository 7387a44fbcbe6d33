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
    assert "would newly alert" in text and "«" in text


def test_alert_and_review_are_compared_apart(tmp_path: Path) -> None:
    """Stored review matches the candidate confirms would newly alert; stored ones it drops stop."""
    from outbox_helpers import store_article

    from rasid.commands.backtest import backtest
    from rasid.matching import Matcher, load_watchlists
    from rasid.storage import Database, NewArticle, NewMatch, ensure_sources, record_matches

    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    joined = "انضمت سوريا إلى التحالف الدولي ضد داعش."
    stored = [
        ("confirmed", joined, NewMatch("new_member", 1.0, confidence="review", review_reason="far")),
        ("kept", "أعلنت العراق " + joined, NewMatch("new_member", 2.0)),
        ("dropped", "مباراة كرة قدم.", NewMatch("camp_handover", 1.0, confidence="review")),
        ("gone", "خبر عن الطقس.", NewMatch("communique", 2.0)),
    ]
    with db.session() as s:
        sid = ensure_sources(s, [("منفذ", "https://x.org/")])["منفذ"]
        for slug, text, match in stored:
            art = store_article(s, sid, NewArticle(f"https://x.org/{slug}", slug, text))
            assert art is not None
            record_matches(s, art.id, [match], {})
    watchlist = load_watchlists([SHIPPED])
    diffs = backtest(db, Matcher(watchlist), 30, [t.id for t in watchlist.topics])
    db.dispose()
    new_member, camps, communique = diffs["new_member"], diffs["camp_handover"], diffs["communique"]
    assert [(r["title"], r["was"]) for r in new_member.new] == [("confirmed", "review")]
    assert new_member.kept == 1 and not new_member.review and not new_member.lost
    assert [(r["title"], r["was"]) for r in camps.lost] == [("dropped", "review")]
    assert [(r["title"], r["was"]) for r in communique.lost] == [("gone", "alert")]
    assert set(new_member.to_dict()) == {"kept", "kept_review", "new", "review", "lost"}


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


def test_a_review_only_rule_shows_what_would_go_to_review(crawled: Path, tmp_path: Path) -> None:
    candidate = tmp_path / "review.toml"
    candidate.write_text(REVIEW_ONLY, encoding="utf-8")
    diff = _backtest(crawled, candidate)["camp_handover"]
    review = {row["url"].rsplit("/", 1)[-1]: row["was"] for row in diff["review"]}  # type: ignore[union-attr]
    # the shipped alerts on al-Hol would now only go to review; other mentions of al-Hol newly too
    assert "alert" in review.values() and None in review.values()
    assert review.get("hol-camp-water-shortage.html", "absent") is None
    assert not diff["new"] and int(diff["kept"]) == 0 and int(diff["kept_review"]) == 0  # type: ignore[call-overload]
    assert all(row["review_reason"] for row in diff["review"])  # type: ignore[union-attr, index]
    text = (
        CliRunner().invoke(main, ["--config", str(crawled), "watchlist", "backtest", str(candidate)]).output
    )
    assert "would newly go to review" in text and "[was alert]" in text and "to review because:" in text
