"""Benchmark scoring: Scrapinghub-style 4-gram shingle precision/recall, and snippet checks."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


@dataclass(frozen=True)
class PageScore:
    """Precision, recall and F1 of one page (each in 0..1)."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


@dataclass(frozen=True)
class BenchPage:
    """One benchmark page as listed in manifest.tsv."""

    page_id: str
    language: str
    truth_kind: str
    url: str
    html_path: Path
    truth_dir: Path

    @property
    def group(self) -> str:
        """Aggregation group: the language, with snippet pages kept apart (a different metric)."""
        return f"{self.language}-snippets" if self.truth_kind == "snippets" else self.language


def f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def score_full(truth: str, predicted: str) -> PageScore:
    """Shingle-multiset precision and recall, as the Scrapinghub AEB evaluate.py computes them."""
    t, p = _shingles(truth), _shingles(predicted)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return PageScore(precision, recall)


def _squash(text: str) -> str:
    return " ".join(text.split())


def score_snippets(must_have: Sequence[str], must_not: Sequence[str], predicted: str) -> PageScore:
    """Recall: share of must-have snippets contained; precision: share of must-not snippets absent."""
    text = _squash(predicted)
    found = sum(1 for s in must_have if _squash(s) in text)
    absent = sum(1 for s in must_not if _squash(s) not in text)
    recall = found / len(must_have) if must_have else 1.0
    precision = absent / len(must_not) if must_not else 1.0
    if not text:
        precision = 0.0
    return PageScore(precision, recall)


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_page(page: BenchPage, predicted: str) -> PageScore:
    if page.truth_kind == "snippets":
        must_have = _lines(page.truth_dir / f"{page.page_id}.snippets.txt")
        must_not = _lines(page.truth_dir / f"{page.page_id}.without.txt")
        return score_snippets(must_have, must_not, predicted)
    truth = (page.truth_dir / f"{page.page_id}.txt").read_text(encoding="utf-8")
    return score_full(truth, predicted)


def load_manifest(root: Path) -> list[BenchPage]:
    """Read manifest.tsv under root (the benchmark folder)."""
    pages: list[BenchPage] = []
    lines = (root / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if not line.strip():
            continue
        cols = line.split("\t")
        page_id, language, truth_kind, notes = cols[0], cols[1], cols[5], cols[6]
        match = re.search(r"url=([^;\s]+)", notes)
        pages.append(
            BenchPage(
                page_id=page_id,
                language=language,
                truth_kind=truth_kind,
                url=match.group(1) if match else "",
                html_path=root / "pages" / f"{page_id}.html",
                truth_dir=root / "truth",
            )
        )
    return pages


@dataclass(frozen=True)
class GroupScore:
    """Aggregate over the pages of one group: macro P/R (AEB style), F1 of those, and mean per-page F1."""

    group: str
    pages: int
    precision: float
    recall: float
    mean_f1: float

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def aggregate(group: str, scores: Iterable[PageScore]) -> GroupScore:
    items = list(scores)
    return GroupScore(
        group=group,
        pages=len(items),
        precision=statistics.fmean(s.precision for s in items),
        recall=statistics.fmean(s.recall for s in items),
        mean_f1=statistics.fmean(s.f1 for s in items),
    )
