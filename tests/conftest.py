"""Shared fixtures. Real public data lives outside the repo; tests that need it skip, saying why, when absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anchor_analysis.core.settings import PUBLIC_DATA_ENV

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "data" / "raw" / "demo"


@pytest.fixture(scope="session")
def public_data_dir() -> Path:
    """The real public data folder named by ANCHOR_ANALYSIS_PUBLIC_DATA; skips the test when unset."""
    value = os.environ.get(PUBLIC_DATA_ENV)
    if not value:
        pytest.skip(f"{PUBLIC_DATA_ENV} is not set: real public data checks not run")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"{PUBLIC_DATA_ENV}={value} is not a directory")
    return path


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return DEMO_DIR
