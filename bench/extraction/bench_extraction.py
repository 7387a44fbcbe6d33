"""Extraction benchmark: rasid's extract_article beside trafilatura's defaults, per page and per language.

Run by hand from the repository root:

    .venv/bin/python bench/extraction/bench_extraction.py [--benchmark DIR] [--pages] [--dates]

DIR defaults to ../shared/benchmarks/extraction beside the repository. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scoring import BenchPage, GroupScore, PageScore, aggregate, load_manifest, score_page

from rasid.extractors import ExtractOptions, extract_article

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BENCHMARK = REPO_ROOT.parent / "shared" / "benchmarks" / "extraction"

Extractor = Callable[[BenchPage, bytes], str]


def rasid_text(page: BenchPage, html: bytes) -> str:
    # min_text_chars=0: a short body is scored, not dropped; the language hint is the page's own.
    article = extract_article(html, page.url, ExtractOptions(min_text_chars=0, language=None))
    return article.text if article else ""


def trafilatura_default_text(page: BenchPage, html: bytes) -> str:
    return trafilatura.extract(html, url=page.url) or ""


EXTRACTORS: dict[str, Extractor] = {"rasid": rasid_text, "trafilatura": trafilatura_default_text}


@dataclass(frozen=True)
class PageResult:
    page: BenchPage
    scores: dict[str, PageScore]


def run(root: Path) -> list[PageResult]:
    """Score every extractor on every page under root."""
    results: list[PageResult] = []
    for page in load_manifest(root):
        html = page.html_path.read_bytes()
        scores = {name: score_page(page, fn(page, html)) for name, fn in EXTRACTORS.items()}
        results.append(PageResult(page, scores))
    return results


def by_group(results: list[PageResult]) -> dict[str, dict[str, GroupScore]]:
    """{group: {extractor: aggregate}}, groups ordered with Arabic first."""
    groups = sorted({r.page.group for r in results}, key=lambda g: (not g.startswith("ar"), g))
    table: dict[str, dict[str, GroupScore]] = {}
    for group in groups:
        rows = [r for r in results if r.page.group == group]
        table[group] = {name: aggregate(group, (r.scores[name] for r in rows)) for name in EXTRACTORS}
    return table


def markdown(table: dict[str, dict[str, GroupScore]]) -> str:
    lines = [
        "| language | pages | rasid F1 (mean) | trafilatura F1 (mean) | rasid P / R | trafilatura P / R |",
        "|---|---|---|---|---|---|",
    ]
    for group, scores in table.items():
        r, t = scores["rasid"], scores["trafilatura"]
        lines.append(
            f"| {group} | {r.pages} | {r.f1:.3f} ({r.mean_f1:.3f}) | {t.f1:.3f} ({t.mean_f1:.3f}) "
            f"| {r.precision:.3f} / {r.recall:.3f} | {t.precision:.3f} / {t.recall:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmark", type=Path, default=DEFAULT_BENCHMARK)
    parser.add_argument("--pages", action="store_true", help="also print per-page scores")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args.benchmark)
    elapsed = time.perf_counter() - started
    if args.pages:
        for r in results:
            cells = "  ".join(f"{n} P {s.precision:.3f} R {s.recall:.3f}" for n, s in r.scores.items())
            print(f"{r.page.page_id:40} {cells}")
        print()
    print(markdown(by_group(results)))
    print(f"\n{len(results)} pages, both extractors, {elapsed:.1f} s")


if __name__ == "__main__":
    main()
