"""`rasid init` and `rasid --version`, as an operator runs them: real processes, real folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import rasid


def _rasid(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rasid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_version(tmp_path: Path) -> None:
    run = _rasid("--version", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.strip() == f"rasid {rasid.__version__}"


def test_init_writes_a_working_folder_and_refuses_to_overwrite(tmp_path: Path) -> None:
    run = _rasid("init", "desk", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    folder = tmp_path / "desk"
    assert (folder / "rasid.toml").is_file() and (folder / "state").is_dir()
    assert (folder / "watchlists" / "coalition.toml").is_file()
    assert (folder / "watchlists" / "lexicon" / "places.toml").is_file()
    text = (folder / "rasid.toml").read_text(encoding="utf-8")
    assert "${RASID_STATE_DIR:-state}" in text and "../data" not in text

    check = _rasid("--config", str(folder / "rasid.toml"), "watchlist", "check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stdout.count("ok ") == 3

    from rasid.config import load_settings

    settings = load_settings(folder / "rasid.toml")
    assert settings.storage.url == f"sqlite:///{folder / 'state' / 'rasid.db'}"

    before = (folder / "rasid.toml").read_bytes()
    (folder / "watchlists" / "mine.toml").write_text("# an analyst's own topics\n", encoding="utf-8")
    again = _rasid("init", "desk", cwd=tmp_path)
    assert again.returncode == 1 and "overwrites nothing" in again.stderr
    assert (folder / "rasid.toml").read_bytes() == before
    assert (folder / "watchlists" / "mine.toml").is_file()


def test_init_says_why_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where the folder should go", encoding="utf-8")
    run = _rasid("init", "blocked/desk", cwd=tmp_path)
    assert run.returncode == 1
    assert "cannot write" in run.stderr and "Traceback" not in run.stderr
