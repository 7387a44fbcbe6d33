"""The floor under any Scrapy + trafilatura crawler on this machine, measured in one run beside the
baseline (issue 3/6's target: 2x `trafilatura --feed`'s articles per second).

    .venv/bin/python bench/crawl/floor.py [--outlets 100] [--articles 50] [--sample 500]

Over the same simulated outlets as bench_crawl.py (corpus.py, served by serve.py), in one run:

1. `trafilatura --feed` (as in bench_crawl.py): the baseline's articles per second.
2. A plain Scrapy crawl that fetches every article and does nothing with it (fetch_only.py): the CPU one
   page costs Scrapy alone, start-up subtracted (measured by the same crawl with no feeds).
3. `trafilatura.extract(html, url=url)` alone on a sample of the fetched pages (trafilatura's own
   extraction, what its --feed mode runs per page), and rasid's `extract_article`: CPU per page.
4. The outlets' server CPU per request during (2).

The ceiling: with every core busy and nothing wasted, a crawler that fetches with Scrapy and extracts at
least as well as trafilatura cannot beat cores / (Scrapy's CPU per page + trafilatura's extraction CPU per
page + the server's CPU per request) articles per second; one that also stores and matches each article (as
rasid must; trafilatura --feed does neither) adds rasid's match-and-store CPU to the sum. The script prints
both ceilings beside 2x the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_crawl import PYTHON, RESOLVE, measure, trafilatura_settings  # noqa: E402
from corpus import make_outlets  # noqa: E402
from resolve import install  # noqa: E402
from serve import ServerPool  # noqa: E402


def cpu_per_page(fn, pages: list[tuple[str, bytes]], passes: int = 3) -> float:  # type: ignore[no-untyped-def]
    """Least process CPU seconds per page over `passes` passes (after one warm-up page)."""
    fn(*pages[0])
    best = float("inf")
    for _ in range(passes):
        t = time.process_time()
        for url, html in pages:
            fn(url, html)
        best = min(best, (time.process_time() - t) / len(pages))
    return best


def after_extraction(sample: list[tuple[str, bytes]], opts, now: datetime, work: Path) -> float:  # type: ignore[no-untyped-def]
    """CPU per article of what rasid does after extraction (match, then store with the article's matches
    and alerts in one transaction: rasid.pipeline.Pipeline without its extraction) on a fresh SQLite file."""
    from bench_crawl import WATCHLIST

    from rasid.config import ChannelSettings, SourceSettings
    from rasid.extractors import extract_article
    from rasid.matching import Matcher, load_watchlists
    from rasid.pipeline import Pipeline
    from rasid.storage import Database

    articles = [(u, extract_article(h, u, opts, now=now)) for u, h in sample]
    watchlist = load_watchlists([WATCHLIST])
    topics = [t.id for t in watchlist.topics]
    db = Database(f"sqlite:///{work / 'after.db'}")
    pipeline = Pipeline(
        db,
        Matcher(watchlist),
        [SourceSettings(name="bench", homepage="https://bench.example/")],
        [ChannelSettings(name="desk", url="json://127.0.0.1:9/")],
        topics,
    )
    import rasid.pipeline as stages

    real = stages.extract_article
    by_url = dict(articles)
    stages.extract_article = lambda html, url, *a, **k: by_url[url]  # type: ignore[assignment]
    try:
        pipeline.process(stages.FetchedPage("bench", articles[0][0], b""))  # warm-up
        t = time.process_time()
        for url, _ in articles[1:]:
            pipeline.process(stages.FetchedPage("bench", url, b""))
        return (time.process_time() - t) / (len(articles) - 1)
    finally:
        stages.extract_article = real


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--outlets", type=int, default=100)
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--sample", type=int, default=500, help="pages extracted in-process")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rasid-floor-"))
    outlets = make_outlets(args.outlets, args.articles, now=datetime.now(UTC))
    n = args.outlets * args.articles
    cores = os.cpu_count() or 1
    out: dict[str, object] = {"outlets": args.outlets, "articles": n, "cores": cores}
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    with ServerPool(outlets, processes=2) as pool:
        feeds = work / "feeds.txt"
        feeds.write_text("".join(pool.feed_url(o.slug) + "\n" for o in outlets))
        empty = work / "none.txt"
        empty.write_text("")

        # 1. the baseline
        cfg = trafilatura_settings(work)
        cmd = [PYTHON, RESOLVE, "-m", "trafilatura.cli", "--feed", "-i", str(feeds), "--json"]
        cmd += ["--parallel", "4", "-o", str(work / "out"), "--config-file", str(cfg)]
        traf = measure("trafilatura --feed", cmd, pool, work / "trafilatura.log")
        got = sum(1 for _ in (work / "out").rglob("*.json"))
        out["trafilatura_feed"] = {
            "wall_s": round(traf.wall, 2),
            "cpu_s": round(traf.cpu, 2),
            "articles": got,
            "per_s": round(got / traf.wall, 1),
        }

        # 2. Scrapy alone; 4. the server per request
        start = measure(
            "scrapy start-up",
            [PYTHON, RESOLVE, "-m", "fetch_only", str(empty)],
            pool,
            work / "s0.log",
            env,
        )
        fetch = measure(
            "scrapy fetch only",
            [PYTHON, RESOLVE, "-m", "fetch_only", str(feeds), str(args.concurrency)],
            pool,
            work / "s1.log",
            env,
        )
        pages_line = (work / "s1.log").read_text().strip().splitlines()[-1]
        fetched = int(pages_line.split()[-1]) if pages_line.startswith("pages") else 0
        scrapy_ms = 1000 * (fetch.cpu - start.cpu) / max(fetched, 1)
        server_ms = 1000 * fetch.server["cpu"] / max(fetch.server["requests"], 1)
        out["scrapy_fetch_only"] = {
            "pages": fetched,
            "wall_s": round(fetch.wall, 2),
            "cpu_s": round(fetch.cpu, 2),
            "startup_cpu_s": round(start.cpu, 2),
            "pages_per_s": round(fetched / max(fetch.wall - start.wall, 1e-9), 1),
            "cpu_ms_per_page": round(scrapy_ms, 2),
        }
        out["server_cpu_ms_per_request"] = round(server_ms, 2)

        # 3. extraction alone, in this process
        install()
        import trafilatura

        from rasid.extractors import ExtractOptions, extract_article

        sample: list[tuple[str, bytes]] = []
        for outlet in outlets:
            for article in outlet.articles:
                if len(sample) >= args.sample:
                    break
                url = f"{pool.bases[outlet.slug]}articles/{article.slug}.html"
                with urllib.request.urlopen(url) as r:
                    sample.append((url, r.read()))
        traf_ms = 1000 * cpu_per_page(lambda u, h: trafilatura.extract(h, url=u), sample)
        opts = ExtractOptions(timezone="Asia/Damascus")
        now = datetime.now(UTC)
        rasid_ms = 1000 * cpu_per_page(lambda u, h: extract_article(h, u, opts, now=now), sample)
        out["extract_cpu_ms_per_page"] = {"trafilatura": round(traf_ms, 2), "rasid": round(rasid_ms, 2)}
        after_ms = 1000 * after_extraction(sample, opts, now, work)
        out["rasid_match_and_store_cpu_ms_per_article"] = round(after_ms, 2)

    baseline = out["trafilatura_feed"]["per_s"]  # type: ignore[index]
    per_article = scrapy_ms + traf_ms + server_ms
    ceiling = cores * 1000 / per_article
    out["ceiling_per_s"] = round(ceiling, 1)
    # a crawler that also stores and matches what it extracts (rasid's job; trafilatura --feed does neither)
    with_stages = cores * 1000 / (per_article + after_ms)
    out["ceiling_with_match_and_store_per_s"] = round(with_stages, 1)
    out["target_per_s"] = round(2 * baseline, 1)
    print(json.dumps(out, indent=2))
    print(
        f"\nceiling on {cores} cores: {cores} x 1000 / ({scrapy_ms:.2f} Scrapy + {traf_ms:.2f} trafilatura "
        f"extract + {server_ms:.2f} server) = {ceiling:.0f} articles/s; target 2 x {baseline:.0f} = "
        f"{2 * baseline:.0f} articles/s ({'reachable' if ceiling >= 2 * baseline else 'out of reach'})"
    )
    print(
        f"storing and matching too: {cores} x 1000 / ({per_article:.2f} + {after_ms:.2f} rasid match and "
        f"store) = {with_stages:.0f} articles/s "
        f"({'reachable' if with_stages >= 2 * baseline else 'out of reach'})"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
