"""Settings for rasid: the schema, loading from TOML, `${ENV}` secrets and clear errors."""

from rasid.config.errors import ConfigError
from rasid.config.loader import DEFAULT_CONFIG, load_settings, resolve_config_path
from rasid.config.schema import (
    ChannelSettings,
    CrawlerSettings,
    DigestSettings,
    ExtractionOverrides,
    Settings,
    SourceSettings,
    StorageSettings,
    WatchSettings,
)

__all__ = [
    "DEFAULT_CONFIG",
    "ChannelSettings",
    "ConfigError",
    "CrawlerSettings",
    "DigestSettings",
    "ExtractionOverrides",
    "Settings",
    "SourceSettings",
    "StorageSettings",
    "WatchSettings",
    "load_settings",
    "resolve_config_path",
]
