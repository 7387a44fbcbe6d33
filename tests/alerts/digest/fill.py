"""Writing sources, articles and matches straight into a real database, for digest tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasid.storage import Article, Database, Match, Source

TZ = "Asia/Damascus"


def evidence(sentence: str, terms: list[str], field: str = "text", offset: int = 10) -> list[dict[str, Any]]:
    """Evidence as the matcher writes it: offsets index the field, the sentence starting at `offset`."""
    found = []
    for term in terms:
        at = sentence.index(term)
        found.append({"term": term, "text": term, "start": offset + at, "end": offset + at + len(term)})
    end = offset + len(sentence)
    return [{"field": field, "sentence": sentence, "start": offset, "end": end, "terms": found}]


class Filler:
    """Adds rows one by one and remembers the ids."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.sources: dict[str, int] = {}
        self._n = 0

    def source(self, name: str, **health: Any) -> int:
        with self.db.session() as s:
            src = Source(name=name, homepage=f"https://{len(self.sources)}.example.org/", **health)
            s.add(src)
            s.flush()
            self.sources[name] = src.id
        return self.sources[name]

    def article(
        self,
        outlet: str,
        title: str,
        published: datetime | None,
        fetched: datetime | None = None,
        story: int | None = None,
        url: str | None = None,
        topics: dict[str, list[dict[str, Any]]] | None = None,
        modality: str = "asserted",
        confidence: str = "alert",
        review_reason: str | None = None,
    ) -> int:
        self._n += 1
        with self.db.session() as s:
            art = Article(
                source_id=self.sources[outlet],
                url=url or f"https://news.example.org/{self._n}",
                title=title,
                text=title,
                published_at=published,
                fetched_at=fetched or published,
                content_hash=f"{self._n:064d}",
                story_id=story,
            )
            s.add(art)
            s.flush()
            for topic, ev in (topics or {}).items():
                s.add(
                    Match(
                        article_id=art.id,
                        topic=topic,
                        score=2.0,
                        modality=modality,
                        evidence=ev,
                        confidence=confidence,
                        review_reason=review_reason,
                    )
                )
            return art.id
