"""deploy/rasid.service as systemd reads it: `systemd-analyze verify` finds nothing wrong, and the unit and
the shipped config agree (state in the StateDirectory through RASID_STATE_DIR, notify readiness, exit 2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "rasid.service"


def _keys() -> dict[str, str]:
    return dict(
        line.split("=", 1)
        for line in UNIT.read_text(encoding="utf-8").splitlines()
        if "=" in line and line[0] != "#"
    )


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        reason = "systemd-analyze is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    rasid = Path(sys.executable).parent / "rasid"
    unit = tmp_path / "rasid.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/opt/rasid/bin/rasid", str(rasid)), "utf-8")
    run = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and not run.stderr.strip(), run.stderr


def test_unit_and_shipped_config_agree() -> None:
    keys = _keys()
    assert keys["Type"] == "notify" and keys["WatchdogSec"]
    assert keys["StateDirectory"] == "rasid" and "RASID_STATE_DIR=/var/lib/rasid" in UNIT.read_text("utf-8")
    assert keys["RestartPreventExitStatus"] == "2"
    config = (REPO / "config" / "rasid.toml").read_text(encoding="utf-8")
    assert "${RASID_STATE_DIR:-../data}/rasid.db" in config and "${RASID_STATE_DIR:-..}/digests" in config


def test_the_shipped_config_puts_state_in_the_state_directory(tmp_path: Path) -> None:
    env = {**os.environ, "RASID_STATE_DIR": str(tmp_path / "var-lib-rasid")}
    code = (
        "from rasid.config import load_settings; s = load_settings('config/rasid.toml'); "
        "print(s.storage.url); print(s.digest.dir)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    url, digests = run.stdout.split()
    assert url == f"sqlite:///{tmp_path / 'var-lib-rasid' / 'rasid.db'}"
    assert digests == str(tmp_path / "var-lib-rasid" / "digests")
