"""Loading a TOML file into `Settings`: `${ENV}` expansion, relative paths, errors naming file and key."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rasid.config.errors import ConfigError
from rasid.config.schema import Settings

DEFAULT_CONFIG = Path("config/rasid.toml")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def resolve_config_path(path: str | Path | None) -> Path:
    """The config file to use: the given one, else $RASID_CONFIG, else config/rasid.toml."""
    if path:
        return Path(path)
    env = os.environ.get("RASID_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


def _expand(value: Any, path: Path, key: str, env: dict[str, str]) -> Any:
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(path, key, f"environment variable {name} is not set")

        return _ENV.sub(sub, value)
    if isinstance(value, list):
        return [_expand(v, path, f"{key}[{i}]", env) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _expand(v, path, f"{key}.{k}" if key else k, env) for k, v in value.items()}
    return value


def _key_of(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            label = ""
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                name = node[item].get("name")
                label = f" ({name})" if name else ""
            parts[-1] = f"{parts[-1]}[{item}]{label}" if parts else f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _resolve_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        rel = url[len(prefix) :]
        if rel and not rel.startswith(":"):
            return prefix + str((base / rel).resolve())
    return url


def settings_from_dict(
    data: dict[str, Any], path: Path, env: dict[str, str] | None = None, check_env: bool = True
) -> Settings:
    """Validate an already-parsed config; `path` is used in messages and as the base for relative paths."""
    environ = dict(os.environ) if env is None else env
    expanded = _expand(data, path, "", environ) if check_env else data
    base = path.parent.resolve()
    try:
        settings = Settings.model_validate({**expanded, "base_dir": base})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = _key_of(tuple(first["loc"]), expanded)
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling against README's configuration reference)"
        more = len(exc.errors()) - 1
        if more:
            msg += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ConfigError(path, key or None, msg) from None
    storage = settings.storage.model_copy(update={"url": _resolve_sqlite(settings.storage.url, base)})
    return settings.model_copy(update={"storage": storage})


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read and validate the config file; raises ConfigError naming the file and key."""
    cfg = resolve_config_path(path)
    try:
        raw = cfg.read_bytes()
    except FileNotFoundError:
        raise ConfigError(cfg, None, "no such file (pass --config PATH or set RASID_CONFIG)") from None
    except OSError as exc:
        raise ConfigError(cfg, None, f"cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(cfg, None, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(cfg, None, f"not valid TOML: {exc}") from None
    return settings_from_dict(data, cfg, env)
