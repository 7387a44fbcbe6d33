"""Benchmark: the digest of a week with 50,000 articles and 2,000 matches (SQLite, bulk-filled).

Usage (from the repository root): .venv/bin/python bench/digest/bench_digest.py [--articles N] [--matches N]
[--url postgresql+psycopg://...]. Prints the time to read the week and to write each of the four files.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from rasid.alerts.digest import TopicInfo, collect_week, parse_week
from rasid.alerts.digest.chart import render_chart
from rasid.alerts.digest.render_html import render_html
from rasid.alerts.digest.render_markdown import render_markdown
from rasid.alerts.digest.write import digest_json, write_digest
from rasid.storage import Article, Database, Match, Source

TZ = "Asia/Damascus"
TOPICS = [
    TopicInfo("new_member", "انضمام عضو جديد إلى التحالف الدولي ضد داعش", "A new member joins"),
    TopicInfo("camp_handover", "انتقال السيطرة على مخيمات وسجون داعش", "Camp handover"),
    TopicInfo("communique", "بيان لاجتماع وزراء التحالف الدولي ضد داعش", "Communique"),
]
SENTENCE = "وقال مصدر مسؤول إن الحكومة تسلمت إدارة مخيم الهول صباح اليوم بموجب اتفاق برعاية التحالف الدولي"
TERMS = ["تسلمت", "مخيم الهول", "التحالف الدولي"]


def fill(db: Database, articles: int, matches: int, sources: int = 25, seed: int = 47) -> None:
    """`articles` articles spread over the week (plus a tenth as many the week before), `matches` of them
    matched; a third of matched articles share their story with other outlets."""
    rng = random.Random(seed)
    week = parse_week("2026-W47", TZ)
    span = (week.end - week.start).total_seconds()
    with db.session() as s:
        s.execute(
            insert(Source),
            [
                {"id": i + 1, "name": f"منفذ {i + 1}", "homepage": f"https://o{i + 1}.example.org/"}
                for i in range(sources)
            ],
        )
    rows = []
    before = articles // 10
    for i in range(articles + before):
        start = week.start if i < articles else week.start - timedelta(days=7)
        moment = start + timedelta(seconds=rng.random() * span)
        rows.append(
            {
                "id": i + 1,
                "source_id": rng.randrange(sources) + 1,
                "url": f"https://o.example.org/a/{i + 1}",
                "title": f"عنوان الخبر رقم {i + 1} عن مخيم الهول والتحالف الدولي",
                "text": SENTENCE,
                "published_at": moment,
                "fetched_at": moment + timedelta(minutes=5),
                "content_hash": f"{i + 1:064x}",
                "story_id": i + 1,
            }
        )
    matched = rng.sample(range(articles), matches) + rng.sample(
        range(articles, articles + before), matches // 10
    )
    for j, idx in enumerate(matched[: matches // 3]):  # multi-outlet stories: 3 reports per story
        rows[idx]["story_id"] = rows[matched[(j // 3) * 3]]["id"]
    base = 24
    terms = [
        {"term": t, "text": t, "start": base + SENTENCE.index(t), "end": base + SENTENCE.index(t) + len(t)}
        for t in TERMS
    ]
    evidence = [
        {"field": "text", "sentence": SENTENCE, "start": base, "end": base + len(SENTENCE), "terms": terms}
    ]
    match_rows = [
        {
            "article_id": rows[idx]["id"],
            "topic": TOPICS[k % len(TOPICS)].id,
            "score": 2.0,
            "modality": "asserted",
            "evidence": evidence,
            "created_at": rows[idx]["fetched_at"],
        }
        for k, idx in enumerate(matched)
    ]
    with db.session() as s:
        for i in range(0, len(rows), 5000):
            s.execute(insert(Article), rows[i : i + 5000])
        s.execute(insert(Match), match_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--matches", type=int, default=2_000)
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        t0 = time.perf_counter()
        fill(db, args.articles, args.matches)
        print(
            f"filled {args.articles} + {args.articles // 10} articles, {args.matches} matches in "
            f"{time.perf_counter() - t0:.1f}s ({db.engine.dialect.name})"
        )
        week = parse_week("2026-W47", TZ)
        for run in (1, 2):
            t = time.perf_counter()
            digest = collect_week(db, week, TOPICS)
            t_collect = time.perf_counter() - t
            t = time.perf_counter()
            files = write_digest(digest, Path(tmp) / "digests")
            t_write = time.perf_counter() - t
            t = time.perf_counter()
            chart = render_chart(digest)
            t_chart = time.perf_counter() - t
            t = time.perf_counter()
            page = render_html(digest, chart)
            t_html = time.perf_counter() - t
            t = time.perf_counter()
            text = render_markdown(digest)
            t_md = time.perf_counter() - t
            t = time.perf_counter()
            data = digest_json(digest)
            t_json = time.perf_counter() - t
            total = t_collect + t_write
            stories = digest.totals.stories
            print(
                f"run {run}: read {t_collect:.2f}s | chart {t_chart:.2f}s html {t_html:.2f}s md {t_md:.2f}s "
                f"json {t_json:.2f}s | write_digest (all four) {t_write:.2f}s | total {total:.2f}s; "
                f"{stories} stories, {digest.totals.articles} matched articles, "
                f"html {len(page) / 1e6:.1f} MB, md {len(text) / 1e6:.1f} MB, json {len(data) / 1e6:.1f} MB"
            )
            assert files.html.is_file()
        db.dispose()


if __name__ == "__main__":
    main()
