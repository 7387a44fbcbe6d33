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
