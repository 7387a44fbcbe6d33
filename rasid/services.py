"""Building rasid's parts from settings, once per process: database, matcher, pipeline (and the page
handler the crawler is given: the pipeline, or page workers around it), the crawl store, channels."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rasid.alerts import Channel, Dispatcher, open_channels
from rasid.config import Settings
from rasid.logs import JsonFormatter
from rasid.matching import Matcher, Watchlist, load_watchlists
from rasid.page_workers import PageWorkers, PipelineRecipe
from rasid.pipeline import PageHandler, Pipeline
from rasid.storage import Database
from rasid.storage.crawl_port import CrawlStore


@dataclass
class Services:
    settings: Settings
    db: Database
    watchlist: Watchlist
    matcher: Matcher
    pipeline: Pipeline
    channels: dict[str, Channel]
    dispatcher: Dispatcher
    pages: PageHandler
    store: CrawlStore

    @property
    def topic_titles(self) -> dict[str, str]:
        return {t.id: t.title_ar or t.id for t in self.watchlist.topics}

    def close(self) -> None:
        self.pages.close()
        self.pipeline.close()
        self.dispatcher.close()
        self.db.dispose()


def build_services(settings: Settings, config_path: str | None = None) -> Services:
    """Everything the daemon and the one-shot commands need. Raises ConfigError / WatchlistError early."""
    watchlist = load_watchlists(settings.watchlist_paths)
    channels = open_channels(settings.channels, config_path)
    topics = [t.id for t in watchlist.topics]
    unknown = [(c.name, t) for c in settings.channels for t in c.topics if t != "*" and t not in topics]
    if unknown:
        from rasid.config import ConfigError

        name, topic = unknown[0]
        raise ConfigError(config_path, f"channels ({name}).topics", f"no watch topic has the id {topic!r}")
    db = Database(settings.storage.url)
    matcher = Matcher(watchlist)
    enabled = [s for s in settings.sources if s.enabled]
    pipeline = Pipeline(db, matcher, enabled, settings.channels, topics)
    pages: PageHandler = pipeline
    if settings.crawler.page_processes and not _in_memory(settings.storage.url):
        recipe = PipelineRecipe(
            settings.storage.url, list(settings.watchlist_paths), enabled, settings.channels, *_log_setup()
        )
        pages = PageWorkers(recipe, settings.crawler.page_processes, settings.crawler.page_timeout)
    titles = {t.id: t.title_ar or t.id for t in watchlist.topics}
    dispatcher = Dispatcher(db, channels, settings.alerts, titles)
    return Services(settings, db, watchlist, matcher, pipeline, channels, dispatcher, pages, CrawlStore(db))


def _in_memory(url: str) -> bool:
    """An SQLite database that lives in this process only (other processes cannot share it)."""
    return url.startswith("sqlite") and (url.rstrip("/") in ("sqlite:", "sqlite:/") or ":memory:" in url)


def _log_setup() -> tuple[str, str]:
    """The level and format this process logs with, for the page workers to log the same way."""
    root = logging.getLogger()
    json_out = any(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    return logging.getLevelName(root.level), "json" if json_out else "human"
