"""Fixtures for the extractor tests: the shared benchmark folder (skip locally, fail under CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "extraction"


@pytest.fixture(scope="session")
def benchmark_root() -> Path:
    """../shared/benchmarks/extraction beside the repository; required when CI=true."""
    if not (BENCHMARK / "manifest.tsv").is_file():
        reason = f"extraction benchmark not found at {BENCHMARK}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (required when CI=true)")
        pytest.skip(reason)
    return BENCHMARK
