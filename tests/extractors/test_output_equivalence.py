"""extract_article's outputs pinned: real benchmark pages, rasid's fixture pages and demo outlet pages.

The expected results (data/output_equivalence.json) were written by the extractor as it was before the
performance work on it; any change to an output is a behaviour change and fails here. Titles and texts are
stored as sha256 (the repository must not hold copies of publisher text), with their length and line count;
every other field of Article.to_dict() is stored as is.

Regenerate (only for an intended behaviour change; review the diff), from the repository root:

    .venv/bin/python -m tests.extractors.test_output_equivalence --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

import pytest

from rasid.demo import pages
from rasid.demo.outlets import Outlet, SampleArticle, load_sample_outlets
from rasid.demo.pages import SECTIONS
from rasid.extractors import ExtractOptions, extract_article

from .conftest import BENCHMARK
from .page_builder import URL, encoded, page_bytes, with_invalid_bytes

EXPECTED = Path(__file__).parent / "data" / "output_equivalence.json"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DEMO_YEAR = 2026

# (options, now) per variant: what the pipeline passes (options with a zone, now), the library default,
# the benchmark's (short bodies kept, no language hint) and a per-outlet body selector with drop-lines.
VARIANTS: dict[str, tuple[ExtractOptions | None, datetime | None]] = {
    "default": (None, None),
    "crawl": (ExtractOptions(timezone="Asia/Damascus"), NOW),
    "bench": (ExtractOptions(min_text_chars=0, language=None), None),
    "selector": (
        ExtractOptions(
            body_selector="article p, main p, .article-body p, #content p",
            drop_lines=("re:^\\W*$", "re:^(?:اقرأ|شاهد)"),
            timezone="Africa/Cairo",
            min_text_chars=0,
        ),
        NOW,
    ),
}

# One page: (bytes, url, content_type).
Page = tuple[bytes, str, str | None]


def _sha(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode("utf-8")).hexdigest()


def summarize(html: bytes, url: str, content_type: str | None, variant: str) -> dict[str, Any] | None:
    """extract_article's to_dict() with title and text replaced by sha256, length and line count."""
    options, now = VARIANTS[variant]
    article = extract_article(html, url, options, content_type=content_type, now=now)
    if article is None:
        return None
    out = article.to_dict()
    title, text = out.pop("title"), out.pop("text")
    out["title_sha256"] = _sha(title)
    out["title_chars"] = len(title)
    out["text_sha256"] = _sha(text)
    out["text_chars"] = len(text)
    out["text_lines"] = len(text.splitlines())
    return out


def _fixture(name: str) -> Page:
    return page_bytes(name), URL, None


def _fixture_encoded(codec: str, content_type: str | None) -> Page:
    return encoded("article_legacy", codec, None), URL, content_type


def _fixture_invalid_bytes() -> Page:
    return with_invalid_bytes("article_boilerplate"), URL, None


def _demo_home(outlet: Outlet, base: str) -> Page:
    return pages.homepage(outlet, base, DEMO_YEAR).encode(), base, None


def _demo_section(outlet: Outlet, base: str, section: str) -> Page:
    html = pages.section_page(outlet, base, section, DEMO_YEAR) or ""
    return html.encode(), f"{base}section/{section}.html", None


def _demo_article(outlet: Outlet, base: str, article: SampleArticle) -> Page:
    html = pages.article_page(outlet, base, article, DEMO_YEAR)
    return html.encode(), f"{base}articles/{article.slug}.html", "text/html; charset=utf-8"


def _benchmark_page(path: Path, url: str) -> Page:
    return path.read_bytes(), url, None


def local_pages() -> dict[str, Callable[[], Page]]:
    """Fixture pages (and legacy encodings of them) and demo outlet pages; no publisher text."""
    found: dict[str, Callable[[], Page]] = {}
    for path in sorted((Path(__file__).parent / "pages").glob("*.html")):
        found[f"fixture/{path.stem}"] = partial(_fixture, path.stem)
    found["fixture/article_legacy@cp1256-undeclared"] = partial(_fixture_encoded, "cp1256", None)
    found["fixture/article_legacy@iso-8859-6-header"] = partial(
        _fixture_encoded, "iso-8859-6", "text/html; charset=ISO-8859-6"
    )
    found["fixture/article_boilerplate@invalid-bytes"] = _fixture_invalid_bytes
    for outlet in load_sample_outlets(rebase_dates=False):
        base = f"http://{outlet.slug}.demo.test/"
        found[f"demo/{outlet.slug}/home"] = partial(_demo_home, outlet, base)
        for section in sorted(set(SECTIONS.values()))[:2]:
            found[f"demo/{outlet.slug}/section-{section}"] = partial(_demo_section, outlet, base, section)
        for article in outlet.articles:
            found[f"demo/{outlet.slug}/{article.slug}"] = partial(_demo_article, outlet, base, article)
    return found


def benchmark_pages(root: Path) -> dict[str, Callable[[], Page]]:
    """The real pages of the shared extraction benchmark, with their URLs from manifest.tsv."""
    found: dict[str, Callable[[], Page]] = {}
    for line in (root / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        cols = line.split("\t")
        match = re.search(r"url=([^;\s]+)", cols[6])
        path = root / "pages" / f"{cols[0]}.html"
        found[f"bench/{cols[0]}"] = partial(_benchmark_page, path, match.group(1) if match else "")
    return found


@cache
def _expected() -> dict[str, Any]:
    if not EXPECTED.is_file():  # the coverage tests then fail, naming the missing pages
        return {}
    data: dict[str, Any] = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return data


def _ids(prefix: str) -> list[str]:
    return sorted(k for k in _expected() if k.startswith(prefix))


def _check(key: str, page: Callable[[], Page]) -> None:
    html, url, content_type = page()
    expected = _expected()[key]
    got = {variant: summarize(html, url, content_type, variant) for variant in VARIANTS}
    assert got == expected, key


def test_expected_file_covers_every_local_page() -> None:
    assert set(local_pages()) == {k for k in _expected() if not k.startswith("bench/")}


@pytest.mark.parametrize("key", _ids("fixture/") + _ids("demo/"))
def test_local_page_outputs_unchanged(key: str) -> None:
    _check(key, local_pages()[key])


def test_expected_file_covers_every_benchmark_page(benchmark_root: Path) -> None:
    assert set(benchmark_pages(benchmark_root)) == {k for k in _expected() if k.startswith("bench/")}


@pytest.mark.parametrize("key", _ids("bench/"))
def test_benchmark_page_outputs_unchanged(key: str, benchmark_root: Path) -> None:
    _check(key, benchmark_pages(benchmark_root)[key])


def _all_pages() -> Iterator[tuple[str, Callable[[], Page]]]:
    yield from local_pages().items()
    if (BENCHMARK / "manifest.tsv").is_file():
        yield from benchmark_pages(BENCHMARK).items()
    else:
        raise SystemExit(f"extraction benchmark not found at {BENCHMARK}: the expected file needs it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {EXPECTED.name} from the current code")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for key, page in _all_pages():
        html, url, content_type = page()
        results[key] = {variant: summarize(html, url, content_type, variant) for variant in VARIANTS}
    text = json.dumps(dict(sorted(results.items())), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if args.write:
        EXPECTED.parent.mkdir(exist_ok=True)
        EXPECTED.write_text(text, encoding="utf-8")
        print(f"wrote {len(results)} pages x {len(VARIANTS)} variants to {EXPECTED}")
    else:
        print(text)


if __name__ == "__main__":
    main()
