"""No secret of a channel URL reaches any output: the channel's shown URL, `rasid alerts test`, the log
of a crawl cycle at DEBUG (apprise's own lines included)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rasid.alerts.channels import open_channel
from rasid.config.schema import ChannelSettings

SECRET = "Zq8SecretToken77"
URLS = [
    f"json://127.0.0.1:1/hook?+X-Token={SECRET}",
    f"form://127.0.0.1:1/p?:field={SECRET}&-Authorization={SECRET}",
    f"xml://u:{SECRET}@127.0.0.1:1/p",
    f"json://127.0.0.1:1/{SECRET}?token={SECRET}",
    f"tgram://123456:{SECRET}/-100123",
    f"mailto://127.0.0.1:1?from=a@example.org&to=b@example.org&pass={SECRET}",
]


@pytest.mark.parametrize("url", URLS)
def test_a_channels_shown_url_carries_no_secret(url: str) -> None:
    channel = open_channel(ChannelSettings(name="c", url=url))
    assert SECRET not in channel.masked_url


@pytest.mark.parametrize("url", URLS[:4])
def test_alerts_test_and_a_debug_crawl_print_no_secret(url: str, tmp_path: Path) -> None:
    config = tmp_path / "rasid.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///rasid.db"\n[[channels]]\nname = "desk"\nurl = "{url}"\n'
        f'[[sources]]\nname = "x"\nhomepage = "http://127.0.0.1:1/"\n',
        encoding="utf-8",
    )
    for args in (["alerts", "test", "--channel", "desk"], ["crawl", "--once"]):
        run = subprocess.run(
            [sys.executable, "-m", "rasid", "--config", str(config), "--log-level", "DEBUG", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        output = run.stdout + run.stderr
        assert "desk" in output or args[0] == "crawl", output[-2000:]
        assert SECRET not in output, (args, output[-2000:])
