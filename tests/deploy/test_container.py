"""The container path, checked outside a container (no container engine runs on this machine): the
Dockerfile's configuration steps run on a real `rasid init` folder, and every command compose.yaml gives a
rasid service is one the `rasid` command accepts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rasid.config import load_settings

REPO = Path(__file__).resolve().parents[2]


def _rasid(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rasid", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def _config_steps() -> list[str]:
    """The shell steps of the Dockerfile that edit /etc/rasid/rasid.toml after `rasid init /etc/rasid`."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", "\n")
    steps = [s.strip() for s in text.split("&&") if s.strip().startswith(("sed ", "printf "))]
    assert len(steps) >= 2, "the Dockerfile no longer edits the container's configuration"
    return steps


def test_the_images_configuration_reads_its_database_and_redis_from_the_environment(tmp_path: Path) -> None:
    folder = tmp_path / "etc-rasid"
    assert _rasid("init", str(folder)).returncode == 0
    for step in _config_steps():
        subprocess.run(["bash", "-c", step.replace("/etc/rasid", str(folder))], check=True)
    config = folder / "rasid.toml"

    env = os.environ.copy()
    try:
        os.environ.pop("RASID_DATABASE_URL", None)
        os.environ.pop("RASID_REDIS_URL", None)
        alone = load_settings(config)
        assert alone.storage.url == "sqlite:////var/lib/rasid/rasid.db"
        os.environ["RASID_DATABASE_URL"] = "postgresql+psycopg://rasid:rasid@postgres:5432/rasid"
        os.environ["RASID_REDIS_URL"] = "redis://redis:6379/0"
        composed = load_settings(config)
        assert composed.storage.url == "postgresql+psycopg://rasid:rasid@postgres:5432/rasid"
        assert composed.scale.redis_url == "redis://redis:6379/0"
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert _rasid("--config", str(config), "watchlist", "check").returncode == 0


def test_the_entry_point_runs() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    entry = json_list(re.search(r"^ENTRYPOINT (\[.*\])$", text, re.M))
    cmd = json_list(re.search(r"^CMD (\[.*\])$", text, re.M))
    assert entry[0] == "rasid"
    run = _rasid(*entry[1:], "--version")
    assert run.returncode == 0 and run.stdout.startswith("rasid ")
    assert _rasid(*entry[1:], *cmd, "--help").returncode == 0


def json_list(m: re.Match[str] | None) -> list[str]:
    import json

    assert m is not None
    value = json.loads(m.group(1))
    assert isinstance(value, list)
    return [str(v) for v in value]


@pytest.mark.parametrize("service", ["scheduler", "worker"])
def test_compose_commands_are_rasid_commands(service: str) -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    spec = compose["services"][service]
    assert spec["build"] == "." and "RASID_DATABASE_URL" in spec["environment"]
    run = _rasid(*spec["command"], "--help")
    assert run.returncode == 0, run.stderr
    assert set(compose["services"]) >= {"postgres", "redis", "scheduler", "worker"}
