"""CPU time per article of rasid's extract_article (and trafilatura's own extract, for reference).

Run by hand from the repository root:

    .venv/bin/python bench/extraction/bench_cpu.py [--rounds 5] [--benchmark DIR] [--no-trafilatura]
    .venv/bin/python bench/extraction/bench_cpu.py --profile demo   # cProfile of extract_article, top 30

Page sets:
  demo  200 article pages in the demo outlets' full boilerplate (rasid/demo/pages.py), generated as the crawl
        benchmark generates them (bench/crawl/corpus.py: 4 outlets x 50 articles, seed 7, all date styles).
  real  the real pages of the shared extraction benchmark (../shared/benchmarks/extraction/pages).

CPU time is the process's user+system time (time.process_time) over one pass of a set, divided by the pages;
each set is passed --rounds times after one warm-up pass, and min / median over the rounds are printed (the
min is the figure least disturbed by other work on the machine). extract_article is called as the crawl
pipeline calls it: default ExtractOptions, `now` given.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crawl"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from corpus import make_outlets

from rasid.demo import pages
from rasid.extractors import ExtractOptions, extract_article

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BENCHMARK = REPO_ROOT.parent / "shared" / "benchmarks" / "extraction"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

Page = tuple[bytes, str]


def demo_pages(n_outlets: int = 4, n_articles: int = 50) -> list[Page]:
    out: list[Page] = []
    for outlet in make_outlets(n_outlets, n_articles, now=NOW):
        base = f"http://{outlet.slug}.rasid-bench.test/"
        for article in outlet.articles:
            html = pages.article_page(outlet, base, article, NOW.year).encode()
            out.append((html, f"{base}articles/{article.slug}.html"))
    return out


def real_pages(root: Path) -> list[Page]:
    return [(p.read_bytes(), "") for p in sorted((root / "pages").glob("*.html"))]


def run_rasid(page_set: list[Page]) -> None:
    options = ExtractOptions()
    for html, url in page_set:
        extract_article(html, url, options, now=NOW)


def run_trafilatura(page_set: list[Page]) -> None:
    for html, url in page_set:
        trafilatura.extract(html, url=url or None)


def cpu_ms_per_page(fn: Callable[[list[Page]], None], page_set: list[Page], rounds: int) -> list[float]:
    fn(page_set)  # warm-up: imports, regex and lxml caches
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        fn(page_set)
        samples.append((time.process_time() - start) * 1000 / len(page_set))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--benchmark", type=Path, default=DEFAULT_BENCHMARK)
    parser.add_argument("--no-trafilatura", action="store_true", help="time rasid only")
    parser.add_argument("--profile", choices=("demo", "real"), help="cProfile extract_article on one set")
    args = parser.parse_args()

    sets: dict[str, list[Page]] = {"demo": demo_pages()}
    if (args.benchmark / "pages").is_dir():
        sets["real"] = real_pages(args.benchmark)
    else:
        print(f"(no real pages: {args.benchmark / 'pages'} not found)")

    if args.profile:
        page_set = sets[args.profile]
        run_rasid(page_set)
        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(run_rasid, page_set)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return

    extractors: dict[str, Callable[[list[Page]], None]] = {"rasid extract_article": run_rasid}
    if not args.no_trafilatura:
        extractors["trafilatura.extract"] = run_trafilatura
    print("| pages | extractor | CPU ms/article min | median | rounds |")
    print("|---|---|---|---|---|")
    for set_name, page_set in sets.items():
        for name, fn in extractors.items():
            samples = cpu_ms_per_page(fn, page_set, args.rounds)
            print(
                f"| {set_name} ({len(page_set)}) | {name} | {min(samples):.2f} | "
                f"{statistics.median(samples):.2f} | {args.rounds} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
