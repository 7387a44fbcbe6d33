"""`rasid match`, `rasid eval` and `rasid watchlist check` through a local click group (CliRunner)."""

import json
import os
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rasid.commands.matching import eval_command, match_command, watchlist_group

REPO = Path(__file__).resolve().parents[2]
WATCHLIST = REPO / "config" / "watchlists" / "coalition.toml"
SHARED = REPO / ".." / "shared"


@click.group()
@click.option("--config", "config_path", default=None)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    ctx.obj = {"config_path": config_path}


cli.add_command(match_command)
cli.add_command(eval_command)
cli.add_command(watchlist_group)


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_match_reads_stdin_and_reports_bad_lines_without_stopping() -> None:
    good = {"id": "a1", "title": "سوريا تنضم إلى التحالف الدولي ضد داعش", "text": "خبر."}
    other = {"id": 7, "text": "مباراة كرة قدم."}
    stdin = "\n".join(
        [json.dumps(good, ensure_ascii=False), "{broken", json.dumps({"id": 3}), json.dumps(other)]
    )
    result = CliRunner().invoke(cli, ["match", "--watchlist", str(WATCHLIST)], input=stdin)
    assert result.exit_code == 0, result.output
    rows = _lines(result.stdout)
    assert [r["id"] for r in rows] == ["a1", None, 3, 7]
    assert rows[0]["topics"] == ["new_member"]
    assert rows[0]["matches"][0]["evidence"][0]["field"] == "title"
    assert "error" in rows[1] and rows[2]["error"] == '"text" must be a string'
    assert rows[3] == {"id": 7, "topics": [], "review": [], "matches": []}
    assert rows[0]["review"] == [] and rows[0]["matches"][0]["confidence"] == "alert"
    assert "<stdin>:2: not JSON" in result.stderr and "<stdin>:3:" in result.stderr


def test_match_files_with_explain(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"id": "x", "text": "نفت الحكومة انضمامها إلى التحالف الدولي ضد داعش."}) + "\n"
    )
    result = CliRunner().invoke(cli, ["match", "--explain", "--watchlist", str(WATCHLIST), str(path)])
    assert result.exit_code == 0, result.output
    [row] = _lines(result.stdout)
    assert row["topics"] == [] and row["review"] == []
    reasons = {e["topic"]: e["reasons"] for e in row["explain"]}
    assert any("denied" in r for r in reasons["new_member"])


def test_match_uses_the_config_and_exits_2_on_a_bad_one(tmp_path: Path) -> None:
    config = tmp_path / "rasid.toml"
    config.write_text(f'[watch]\nwatchlists = ["{WATCHLIST.as_posix()}"]\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "match"], input='{"id": 1, "text": "x"}\n')
    assert result.exit_code == 0, result.output
    missing = tmp_path / "none.toml"
    result = CliRunner().invoke(cli, ["--config", str(missing), "match"], input="")
    assert result.exit_code == 2 and "none.toml" in result.stderr
    result = CliRunner().invoke(cli, ["match", "--watchlist", str(missing)], input="")
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_watchlist_check_reports_the_failing_example(tmp_path: Path) -> None:
    ok = CliRunner().invoke(cli, ["watchlist", "check", str(WATCHLIST)])
    assert ok.exit_code == 0, ok.output
    assert "ok   new_member" in ok.stdout
    shutil.copytree(WATCHLIST.parent / "lexicon", tmp_path / "lexicon")  # its lexicons sit beside it
    broken = tmp_path / "w.toml"
    broken.write_text(
        WATCHLIST.read_text(encoding="utf-8").replace(
            'no_match = [\n  "قررت المملكة',
            'no_match = [\n  "انضمت سوريا إلى التحالف الدولي ضد داعش.",\n  "قررت المملكة',
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["watchlist", "check", str(broken)])
    assert result.exit_code == 1
    assert "FAIL new_member" in result.stdout
    assert "examples.no_match fired but must not" in result.stderr and "انضمت سوريا" in result.stderr


def test_eval_on_seeds_and_dev() -> None:
    dev, seeds = SHARED / "matching" / "dev.jsonl", SHARED / "seeds"
    if not dev.is_file() or not seeds.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"labelled passages missing: {dev}, {seeds}")
        pytest.skip(f"labelled passages not found beside the repository ({dev})")
    args = ["eval", "--watchlist", str(WATCHLIST), str(dev), "--seeds", str(seeds), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passages"] == 32
    assert {t["topic"] for t in data["topics"]} == {"new_member", "camp_handover", "communique"}
    assert all(t["precision"] >= 0.95 and t["recall"] >= 0.95 for t in data["topics"])


def test_eval_lists_false_positives_and_misses(tmp_path: Path) -> None:
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"id": "fp", "text": "انضمت سوريا إلى التحالف الدولي ضد داعش.", "labels": {"new_member": 0}},
        {"id": "miss", "text": "خبر لا علاقة له.", "labels": {"new_member": 1}},
        {"id": "b", "text": "خبر.", "labels": {"new_member": "B"}},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    result = CliRunner().invoke(cli, ["eval", "--watchlist", str(WATCHLIST), str(path)])
    assert result.exit_code == 0, result.output
    assert "false positives: fp" in result.stdout and "misses: miss" in result.stdout
    assert CliRunner().invoke(cli, ["eval", "--watchlist", str(WATCHLIST)]).exit_code == 2


def test_eval_gives_both_levels_review_on_negatives_and_causes(tmp_path: Path) -> None:
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"id": "tp", "text": "انضمت سوريا إلى التحالف الدولي ضد داعش.", "labels": {"new_member": 1}},
        {"id": "fp", "text": "انضمت سوريا إلى التحالف الدولي ضد داعش.", "labels": {"new_member": 0}},
        {"id": "miss", "text": "خبر لا علاقة له.", "labels": {"new_member": 1}},
        {"id": "tn", "text": "مباراة كرة قدم.", "labels": {"new_member": 0, "communique": 0}},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    args = ["eval", "--watchlist", str(WATCHLIST), str(path)]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passages"] == 4 and data["part"] == "all"
    assert data["review_on_negatives"] == {"fired": 0, "negatives": 3, "share": 0.0}
    topic = {t["topic"]: t for t in data["topics"]}["new_member"]
    assert topic["precision"] == 0.5 and topic["recall"] == 0.5  # the alert-only scores, as before
    assert topic["alert"]["fp"] == 1 and topic["any"]["fn"] == 1
    assert topic["review_on_negatives"] == {"fired": 0, "negatives": 2, "share": 0.0, "ids": []}
    causes = {c["id"]: (c["kind"], c["cause"]) for c in topic["causes"]}
    assert set(causes) == {"fp", "miss"}
    assert causes["fp"][0] == "fp" and "fired" in causes["fp"][1] and len(causes["fp"][1]) <= 120
    assert causes["miss"] == ("fn", "no term of any group found")
    text = CliRunner().invoke(cli, args).stdout
    assert "alert only" in text and "alert + review" in text and "by cause:" in text
    assert "miss   miss: no term of any group found" in text
    assert "review fired on 0 of 3 negative labels" in text


def test_eval_part_scores_only_one_side_of_the_outlet_split(tmp_path: Path) -> None:
    from rasid.matching.evaluation import Passage, part_of

    outlets = [f"https://www.outlet{i}.example/a" for i in range(40)]
    scored = [u for u in outlets if part_of(Passage("x", "", None, {}, u)) == "score"]
    tuned = [u for u in outlets if u not in scored]
    assert scored and tuned
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"id": f"s{i}", "url": u, "text": "خبر.", "labels": {"new_member": 0}} for i, u in enumerate(scored)
    ]
    rows += [
        {"id": f"t{i}", "url": u, "text": "خبر.", "labels": {"new_member": 0}} for i, u in enumerate(tuned)
    ]
    rows.append({"id": "none", "text": "خبر.", "labels": {"new_member": 0}})  # no address: tuned on
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    counts = {}
    for part in ("tune", "score", "all"):
        args = ["eval", "--watchlist", str(WATCHLIST), str(path), "--part", part, "--json"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["part"] == part and data["loaded"] == len(rows)
        counts[part] = data["passages"]
    assert counts == {"tune": len(tuned) + 1, "score": len(scored), "all": len(rows)}
    text = CliRunner().invoke(cli, ["eval", "--watchlist", str(WATCHLIST), str(path), "--part", "score"])
    assert text.stdout.startswith(f"{len(scored)} passages (part score of {len(rows)})")
    bad = CliRunner().invoke(cli, ["eval", "--watchlist", str(WATCHLIST), str(path), "--part", "dev"])
    assert bad.exit_code == 2


NEAR_OR_REVIEW = """
[[topics]]
id = "camp_handover"
title_ar = "مخيمات"
title_en = "Camps"
description = "al-Hol handed over: confident when the words are close, possible when further apart."
[topics.groups]
handover = ["تسلم", "تسليم"]
camp = ["الهول"]
[[topics.rules]]
all = ["handover", "camp"]
near = 3
review_near = 20
"""
CLOSE = "تسلمت الحكومة مخيم الهول."
FAR = "تسلمت الحكومة العراقية اليوم بعد مفاوضات طويلة مع الأطراف المعنية في الشرق إدارة مخيم الهول."
DELIVERY = (
    "تسلمت الوزارة اليوم بعد اجتماعات طويلة مع الشركات المعنية في العاصمة شحنة أدوية مخصصة لأطفال مخيم الهول."
)


def test_match_lists_possible_matches_apart(tmp_path: Path) -> None:
    watchlist = tmp_path / "w.toml"
    watchlist.write_text(NEAR_OR_REVIEW, encoding="utf-8")
    stdin = "\n".join(
        json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in (("c", CLOSE), ("f", FAR))
    )
    for extra in ([], ["--explain"]):
        result = CliRunner().invoke(cli, ["match", "--watchlist", str(watchlist), *extra], input=stdin)
        assert result.exit_code == 0, result.output
        close, far = _lines(result.stdout)
        assert (close["topics"], close["review"]) == (["camp_handover"], [])
        assert (far["topics"], far["review"]) == ([], ["camp_handover"])
        assert close["matches"][0]["confidence"] == "alert" and "review_reason" not in close["matches"][0]
        assert (
            far["matches"][0]["confidence"] == "review"
            and "3 words apart" in far["matches"][0]["review_reason"]
        )


def test_eval_scores_review_apart_and_its_firing_on_negatives(tmp_path: Path) -> None:
    watchlist = tmp_path / "w.toml"
    watchlist.write_text(NEAR_OR_REVIEW, encoding="utf-8")
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"id": "close", "text": CLOSE, "labels": {"camp_handover": 1}},
        {"id": "far", "text": FAR, "labels": {"camp_handover": 1}},
        {"id": "far-no", "text": DELIVERY, "labels": {"camp_handover": 0}},
        {"id": "other", "text": "مباراة كرة قدم.", "labels": {"camp_handover": 0}},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    result = CliRunner().invoke(cli, ["eval", "--watchlist", str(watchlist), str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (topic,) = data["topics"]
    assert (topic["alert"]["tp"], topic["alert"]["fp"], topic["alert"]["fn"]) == (1, 0, 1)
    assert (topic["any"]["tp"], topic["any"]["fp"], topic["any"]["fn"]) == (2, 1, 0)
    assert topic["recall"] == 0.5 and topic["any"]["recall"] == 1.0
    assert topic["review_on_negatives"] == {"fired": 1, "negatives": 2, "share": 0.5, "ids": ["far-no"]}
    assert data["review_on_negatives"] == {"fired": 1, "negatives": 2, "share": 0.5}
    causes = {c["id"]: (c["kind"], c["cause"]) for c in topic["causes"]}
    assert causes["far"][0] == "fn" and causes["far"][1]
    assert causes["far-no"] == ("review", "the words of the event are more than 3 words apart")
    text = CliRunner().invoke(cli, ["eval", "--watchlist", str(watchlist), str(path)]).stdout
    assert "review on negatives: far-no" in text and "1/2 (50.0%)" in text
    assert "review fired on 1 of 2 negative labels (50.0%)" in text
