"""Shared by the tests and the doctests of anchor_analysis (pytest runs both: see pyproject.toml).

Derived tables built while testing go to a folder of the session, never into data/processed. Docstring examples
that need the real public data carry ``# doctest: +PUBLIC_DATA`` and are skipped, saying why, when
ANCHOR_ANALYSIS_PUBLIC_DATA is unset (CI always sets it); every other example always runs.
"""

from __future__ import annotations

import atexit
import doctest
import os
import shutil
import tempfile

import pytest

from anchor_analysis.core.settings import PROCESSED_ENV, PUBLIC_DATA_ENV

PUBLIC_DATA = doctest.register_optionflag("PUBLIC_DATA")
"""Marks a docstring example that reads the public data (it runs whenever the data is configured)."""

if not os.environ.get(PROCESSED_ENV):
    _PROCESSED = tempfile.mkdtemp(prefix="anchor-analysis-tests-processed-")
    os.environ[PROCESSED_ENV] = _PROCESSED
    atexit.register(shutil.rmtree, _PROCESSED, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(PUBLIC_DATA_ENV):
        return
    skip = pytest.mark.skip(reason=f"{PUBLIC_DATA_ENV} is not set: docstring example needs the real public data")
    for item in items:
        examples = getattr(getattr(item, "dtest", None), "examples", ())
        if any(example.options.get(PUBLIC_DATA) for example in examples):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _pandas_display_options():
    """Each test and docstring example starts from pandas' own display options.

    ``reporting.section.open_section`` sets the report's number format for the notebook's kernel; run in a test
    process, it would change how every later docstring example in that process prints its tables.
    """
    yield
    import pandas as pd

    for option in ("display.float_format", "display.max_colwidth"):
        pd.reset_option(option)
