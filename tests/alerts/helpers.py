"""Queueing alerts for tests: distinct articles (so they do not group into one story), real outbox rows."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from outbox_helpers import store_article

from rasid.alerts import Dispatcher, open_channels
from rasid.config import ChannelSettings
from rasid.config.schema import AlertSettings
from rasid.storage import (
    Database,
    NewArticle,
    NewMatch,
    Route,
    ensure_sources,
    record_matches,
)

TITLES = {"new_member": "انضمام عضو جديد", "camp_handover": "تسليم مخيم", "communique": "بيان وزاري"}
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def word(rng: random.Random) -> str:
    return "".join(rng.choice(_LETTERS) for _ in range(rng.randint(4, 7)))


def headline(rng: random.Random, words: int = 8) -> str:
    """Made-up Arabic-letter words: unrelated to any other headline the generator makes."""
    return " ".join(word(rng) for _ in range(words))


def queue(
    db: Database,
    n: int,
    channels: list[str | Route],
    topic: str = "new_member",
    seed: int = 1,
    outlet: str = "منفذ",
    confidence: str = "alert",
    review_reason: str | None = None,
) -> list[int]:
    """`n` unrelated articles, each matching `topic` (at `confidence`), routed to `channels`; returns the
    article ids."""
    rng = random.Random(seed)
    ids = []
    with db.session() as s:
        sid = ensure_sources(s, [(outlet, "https://x.org/")])[outlet]
        for i in range(n):
            title = headline(rng)
            text = headline(rng, 40)
            art = store_article(
                s,
                sid,
                NewArticle(
                    f"https://x.org/{seed}/{i}", title, text, published=datetime(2026, 11, 22, 9, tzinfo=UTC)
                ),
            )
            assert art is not None
            evidence = [{"field": "text", "sentence": "انضمت دولة", "start": 0, "end": 10, "terms": []}]
            match = NewMatch(topic, 2.0, "asserted", evidence, confidence, review_reason)
            record_matches(s, art.id, [match], {topic: channels})
            ids.append(art.id)
    return ids


def dispatcher(db: Database, channels: list[ChannelSettings], **alert_settings: object) -> Dispatcher:
    return Dispatcher(db, open_channels(channels), AlertSettings(**alert_settings), TITLES)  # type: ignore[arg-type]
