"""The `rasid` command's global options (--config, --log-level, --log-format) work before or after the
subcommand, as operators write them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rasid.cli import hoist_global_options

COMMANDS = {"run", "status", "sources", "match"}


def test_global_options_after_the_subcommand_move_before_it() -> None:
    assert hoist_global_options(["run", "--config", "a.toml"], COMMANDS) == ["--config", "a.toml", "run"]
    assert hoist_global_options(
        ["sources", "check", "--config=a.toml", "--log-level", "DEBUG"], COMMANDS
    ) == [
        "--config=a.toml",
        "--log-level",
        "DEBUG",
        "sources",
        "check",
    ]
    assert hoist_global_options(["--config", "a.toml", "run", "--role", "worker"], COMMANDS) == [
        "--config",
        "a.toml",
        "run",
        "--role",
        "worker",
    ]
    assert hoist_global_options(["match", "--", "--config"], COMMANDS) == ["match", "--", "--config"]
    assert hoist_global_options(["--version"], COMMANDS) == ["--version"]


def test_the_demo_hint_works_either_way(tmp_path: Path) -> None:
    config = tmp_path / "rasid.toml"
    config.write_text('[storage]\nurl = "sqlite:///rasid.db"\n', encoding="utf-8")
    for args in (["--config", str(config), "status"], ["status", "--config", str(config)]):
        run = subprocess.run(
            [sys.executable, "-m", "rasid", *args], capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 1 and f"no database at {tmp_path / 'rasid.db'}" in run.stderr, run.stderr


def test_crawl_once_exits_1_when_every_source_failed_and_0_when_one_worked(tmp_path: Path) -> None:
    from rasid.demo.outlets import load_sample_outlets
    from rasid.demo.server import OutletServer

    repo = Path(__file__).resolve().parents[1]
    outlet = load_sample_outlets()[0]
    down = '[[sources]]\nname = "down"\nhomepage = "http://127.0.0.1:9/"\n'
    with OutletServer([outlet]) as server:
        up = (
            f'[[sources]]\nname = "{outlet.name}"\nhomepage = "{server.base_url(outlet.slug)}"\n'
            f'feeds = ["{server.feed_url(outlet.slug)}"]\n'
        )
        for sources, code in ((down, 1), (down + up, 0)):
            config = tmp_path / f"rasid-{code}.toml"
            config.write_text(
                f'[storage]\nurl = "sqlite:///rasid-{code}.db"\n[crawler]\nallow_private_addresses = true\n'
                f'download_timeout = "5s"\nretry_times = 0\nmax_article_age = "3650d"\n'
                f'[watch]\nwatchlists = ["{repo / "config" / "watchlists" / "coalition.toml"}"]\n' + sources,
                encoding="utf-8",
            )
            command = [sys.executable, "-m", "rasid", "--config", str(config), "crawl", "--once"]
            run = subprocess.run(command, capture_output=True, text=True, timeout=120)
            assert run.returncode == code, run.stderr[-2000:]
            assert "FAILED" in run.stdout and "Traceback" not in run.stderr
            assert "progress: sources " in run.stdout  # not a terminal: plain progress lines
