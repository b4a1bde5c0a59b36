"""Shared fixtures. Real public data lives outside the repo; tests that need it skip, saying why, when absent."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from anchor_analysis.core.settings import PROCESSED_ENV, PUBLIC_DATA_ENV

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "data" / "raw" / "demo"

# Derived tables built by the tests (and by the notebooks they run, which inherit the environment) go to a folder
# of this test session, never into the repository's data/processed.
if not os.environ.get(PROCESSED_ENV):
    _PROCESSED = tempfile.mkdtemp(prefix="anchor-analysis-tests-processed-")
    os.environ[PROCESSED_ENV] = _PROCESSED
    atexit.register(shutil.rmtree, _PROCESSED, ignore_errors=True)


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
