"""The crawler's one door to storage: rasid.crawler imports nothing of rasid.storage (it asks through
CrawlStorePort), and storage's CrawlStore answers each question of a crawl."""

from __future__ import annotations

import ast
from pathlib import Path

from rasid.crawler.port import CrawlStorePort
from rasid.storage import Database, NewArticle, Source, insert_article
from rasid.storage.crawl_port import CrawlStore

CRAWLER = Path(__file__).resolve().parents[2] / "rasid" / "crawler"


def test_the_crawler_never_imports_storage() -> None:
    wrong = []
    for path in CRAWLER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            wrong += [f"{path.name}: {n}" for n in names if n.startswith(("rasid.storage", "rasid.services"))]
    assert not wrong, wrong


def test_the_crawl_store_answers_what_a_crawl_asks(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    store: CrawlStorePort = CrawlStore(db)
    try:
        ids = store.source_ids([("منفذ", "https://x.org/"), ("آخر", "https://y.org/")])
        assert set(ids) == {"منفذ", "آخر"} and store.source_ids([("منفذ", "https://x.org/")]) == {
            "منفذ": ids["منفذ"]
        }
        store.save_validators(
            ids["منفذ"], "https://x.org/feed.xml", 200, '"v1"', "Fri, 20 Nov 2026 10:00:00 GMT"
        )
        assert store.validators(ids) == {
            ("منفذ", "https://x.org/feed.xml"): ('"v1"', "Fri, 20 Nov 2026 10:00:00 GMT")
        }
        with db.session() as s:
            insert_article(s, ids["منفذ"], NewArticle("https://x.org/a", "عنوان", "نص"))
        assert store.unknown_urls(["https://x.org/b", "https://x.org/a", "https://x.org/c"]) == [
            "https://x.org/b",
            "https://x.org/c",
        ]
        store.record_crawl(ids["آخر"], ok=False, error="HTTP 500", new_articles=0)
        store.record_crawl(ids["منفذ"], ok=True, error=None, new_articles=1)
        with db.session() as s:
            failing = s.get(Source, ids["آخر"])
            fine = s.get(Source, ids["منفذ"])
            assert (
                failing is not None and failing.consecutive_failures == 1 and failing.last_error == "HTTP 500"
            )
            assert (
                fine is not None and fine.last_success_at is not None and fine.last_new_article_at is not None
            )
    finally:
        db.dispose()
