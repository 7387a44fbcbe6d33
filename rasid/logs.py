"""Logging set-up: human-readable or JSON lines, one configuration for rasid, Scrapy and apprise."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from rasid.redact import RedactingFilter


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def check_level(level: str) -> str:
    """`level` upper-cased, or ValueError naming the levels there are."""
    if level.upper() not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)} (got {level!r})")
    return level.upper()


def setup_logging(level: str = "INFO", fmt: str = "human", stream: object = None) -> None:
    """One handler on the root logger (human lines with the date, or JSON), secrets redacted."""
    level = check_level(level)
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
        )
    handler.addFilter(RedactingFilter())  # no secret of a channel or database URL reaches any log line
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Scrapy and apprise speak at INFO about every request; keep them at WARNING unless debugging.
    noisy = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    for name in (
        "scrapy",
        "twisted",
        "apprise",
        "apscheduler",
        "trafilatura",
        "htmldate",
        "filelock",
        "alembic",
    ):
        logging.getLogger(name).setLevel(noisy)
    # "Disabled AddressGuardMiddleware" is the configured behaviour (allow_private_addresses), not news.
    logging.getLogger("scrapy.middleware").setLevel(logging.ERROR if noisy == logging.WARNING else noisy)
    # An unreachable outlet is reported once per crawl by rasid ("source X: cannot read URL: ..."); Scrapy's
    # robots.txt and retry middlewares would add an ERROR with a traceback for every attempt.
    for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry"):
        logging.getLogger(name).setLevel(logging.CRITICAL if noisy == logging.WARNING else noisy)
