"""CI quality gate: rasid's per-language mean F1 on the extraction benchmark, beside trafilatura's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH_SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "extraction" / "bench_extraction.py"

# rasid may trail trafilatura's defaults by this much on a language (float noise, not a licence).
EPSILON = 0.005
# Absolute floors of the mean per-page F1, set a little under the measured values
# (bench/RESULTS.md, ## Extraction): ar 0.982, ar-snippets 1.000, en 0.966, pt 0.824, ja 0.923 ...
FLOORS = {
    "ar": 0.96,
    "ar-snippets": 0.95,
    "de": 0.96,
    "en": 0.95,
    "id": 0.97,
    "it": 0.94,
    "ja": 0.90,
    "ko": 0.96,
    "pt": 0.80,
    "ru": 0.97,
}


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rasid_bench_extraction", BENCH_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table(benchmark_root: Path) -> dict[str, dict[str, object]]:
    bench = _load_bench()
    result: dict[str, dict[str, object]] = bench.by_group(bench.run(benchmark_root))
    return result


def test_every_language_has_a_floor(table: dict[str, dict[str, object]]) -> None:
    assert set(table) == set(FLOORS)


@pytest.mark.parametrize("group", sorted(FLOORS))
def test_rasid_not_worse_than_trafilatura_and_above_floor(table: dict, group: str) -> None:
    rasid, trafilatura = table[group]["rasid"], table[group]["trafilatura"]
    assert rasid.mean_f1 >= trafilatura.mean_f1 - EPSILON, (group, rasid, trafilatura)
    assert rasid.mean_f1 >= FLOORS[group], (group, rasid.mean_f1)


def test_rasid_better_than_trafilatura_on_arabic(table: dict) -> None:
    assert table["ar"]["rasid"].mean_f1 > table["ar"]["trafilatura"].mean_f1
    assert table["ar-snippets"]["rasid"].mean_f1 > table["ar-snippets"]["trafilatura"].mean_f1
