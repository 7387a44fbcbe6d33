"""The one error a bad configuration raises: which file, which key, what is wrong."""

from __future__ import annotations

from pathlib import Path


class ConfigError(Exception):
    """A configuration that cannot be used; `str()` names the file, the key and the problem."""

    def __init__(self, path: Path | str | None, key: str | None, message: str) -> None:
        self.path = Path(path) if path is not None else None
        self.key = key
        self.message = message
        where = str(self.path) if self.path is not None else "<config>"
        if key:
            where = f"{where}: {key}"
        super().__init__(f"{where}: {message}")
