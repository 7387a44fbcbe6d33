"""config/rasid.toml, the configuration rasid ships with: it loads and lists real outlets."""

from __future__ import annotations

from pathlib import Path

from rasid.config import load_settings

CONFIG = Path(__file__).resolve().parents[2] / "config" / "rasid.toml"
ENV = {"TELEGRAM_BOT_TOKEN": "x", "TELEGRAM_CHAT_ID": "1"}


def test_shipped_config_loads_with_real_outlets() -> None:
    settings = load_settings(CONFIG, env=ENV)
    enabled = [s for s in settings.sources if s.enabled]
    assert len(enabled) >= 15
    homepages = {s.homepage for s in enabled}
    for required in (
        "https://www.enabbaladi.net/",
        "https://www.rudaw.net/arabic",
        "https://www.alanba.com.kw/",
    ):
        assert required in homepages
    for source in enabled:
        assert source.timezone and source.country, source.name
    assert settings.storage.url == "sqlite:///" + str((CONFIG.parent.parent / "data" / "rasid.db").resolve())
    assert settings.watchlist_paths == [CONFIG.parent / "watchlists" / "coalition.toml"]
    assert not settings.crawler.allow_private_addresses
