"""Storage: typed models, sessions, Alembic migrations, and the queries the other stages need."""

from rasid.storage.articles import (
    content_hash,
    ensure_sources,
    feed_state,
    insert_article,
    known_urls,
    record_crawl,
    save_feed_state,
)
from rasid.storage.database import Database, make_engine, upgrade
from rasid.storage.frontier import FrontierCounts, PendingArticle, frontier_counts
from rasid.storage.matches import record_matches
from rasid.storage.models import Alert, Article, Base, Delivery, FeedState, Match, Source
from rasid.storage.records import CONFIDENCES, NewArticle, NewMatch, Route
from rasid.storage.settling import counts_by_status, release_stale, settle

__all__ = [
    "CONFIDENCES",
    "Alert",
    "Article",
    "Base",
    "Database",
    "Delivery",
    "FeedState",
    "FrontierCounts",
    "Match",
    "NewArticle",
    "NewMatch",
    "PendingArticle",
    "Route",
    "Source",
    "content_hash",
    "counts_by_status",
    "ensure_sources",
    "feed_state",
    "frontier_counts",
    "insert_article",
    "known_urls",
    "make_engine",
    "record_crawl",
    "record_matches",
    "release_stale",
    "save_feed_state",
    "settle",
    "upgrade",
]
