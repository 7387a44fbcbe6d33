"""Configuration: valid files load; bad ones stop with the file, the key and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasid.config import ConfigError, load_settings
from rasid.config.durations import parse_duration


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rasid.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_and_relative_paths(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[storage]\nurl = "sqlite:///data/r.db"\n[[sources]]\nname = "عنب بلدي"\n'
        'homepage = "https://www.enabbaladi.net/"\npoll = "10m"\n',
    )
    s = load_settings(path)
    assert s.storage.url == f"sqlite:///{(tmp_path / 'data' / 'r.db').resolve()}"
    assert s.sources[0].poll == 600
    assert s.watchlist_paths == [tmp_path.resolve() / "watchlists" / "coalition.toml"]


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[channels]]\nname = "desk"\nurl = "tgram://${TOKEN}/${CHAT}"\n')
    s = load_settings(path, env={"TOKEN": "123:abc", "CHAT": "-100"})
    assert s.channels[0].url == "tgram://123:abc/-100"
    with pytest.raises(ConfigError, match=r"channels\[0\]\.url: environment variable TOKEN is not set"):
        load_settings(path, env={})


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ('[[sources]]\nname = "a"\nhomepage = "ftp://x"\n', "sources[0] (a).homepage", "not an http"),
        (
            '[[sources]]\nname = "a"\nhomepage = "https://x/"\npoll = "soon"\n',
            "sources[0] (a).poll",
            "duration",
        ),
        ("[storage]\nurll = 1\n", "storage.urll", "unknown key"),
        ('[digest]\ntimezone = "Mars/Olympus"\n', "digest.timezone", "unknown time zone"),
        (
            '[[sources]]\nname = "a"\nhomepage = "https://x/"\n[[sources]]\nname = "a"\nhomepage = "https://y/"\n',
            None,
            "two sources are named 'a'",
        ),
        ("[storage\n", None, "not valid TOML"),
        (
            '[[channels]]\nname = "desk"\nurl = "json://127.0.0.1:1/"\nconfidence = "possible"\n',
            "channels[0] (desk).confidence",
            "'possible' is not a confidence",
        ),
    ],
)
def test_bad_config_names_file_key_and_problem(
    tmp_path: Path, text: str, key: str | None, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(path) in str(info.value)
    if key:
        assert info.value.key == key
    assert message in str(info.value)


def test_channel_confidence_defaults_to_alert(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[channels]]\nname = "desk"\nurl = "json://127.0.0.1:1/"\n'
        '[[channels]]\nname = "triage"\nurl = "json://127.0.0.1:2/"\nconfidence = "review"\n',
    )
    s = load_settings(path)
    assert [c.confidence for c in s.channels] == ["alert", "review"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "nope.toml")


def test_durations() -> None:
    assert parse_duration("1h30m") == 5400
    assert parse_duration("90s") == 90
    assert parse_duration(15) == 15
    with pytest.raises(ValueError):
        parse_duration("10 minutes")


def test_channel_format_chooses_the_message_form_or_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[channels]]\nname = "desk"\nurl = "json://127.0.0.1/"\nformat = "html"\n')
    assert load_settings(path).channels[0].format == "html"
    path = _write(tmp_path, '[[channels]]\nname = "desk"\nurl = "json://127.0.0.1/"\nformat = "markdown"\n')
    with pytest.raises(ConfigError, match=r"\(desk\)\.format: 'markdown' is not a message form"):
        load_settings(path)
