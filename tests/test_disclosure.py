"""No published cell reveals a small count, directly or by subtraction from a published total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anchor_analysis.publish.disclosure import (
    DisclosureError,
    assert_no_small_counts,
    publishable_total,
    round_counts,
    suppress_counts,
    suppress_grid,
)


def test_primary_and_secondary_suppression():
    t = pd.DataFrame({"area": list("ABCDE"), "staff": [3, 40, 12, 0, 25]})
    out = suppress_counts(t, "staff", threshold=10)
    assert out["suppressed"].tolist() == ["primary", "", "secondary", "", ""]
    assert out["staff"].isna().tolist() == [True, False, True, False, False]
    assert out.loc[3, "staff"] == 0  # a zero reveals nobody and is shown


def test_no_secondary_when_total_not_published():
    t = pd.DataFrame({"area": list("AB"), "staff": [3, 40]})
    out = suppress_counts(t, "staff", threshold=10, total_published=False)
    assert out["suppressed"].tolist() == ["primary", ""]


def test_secondary_until_withheld_sum_reaches_threshold():
    t = pd.DataFrame({"area": list("ABCD"), "staff": [2, 3, 50, 60]})
    out = suppress_counts(t, "staff", threshold=10)
    # 2 + 3 = 5 would be revealed by the total: the next smallest (50) is withheld too
    assert out["suppressed"].tolist() == ["primary", "primary", "secondary", ""]


def test_groups_are_controlled_separately():
    t = pd.DataFrame({"anchor": ["x"] * 3 + ["y"] * 3, "area": list("ABCABC"), "staff": [1, 20, 30, 40, 50, 60]})
    out = suppress_counts(t, "staff", threshold=10, group_cols=["anchor"])
    assert out["suppressed"].tolist() == ["primary", "secondary", "", "", "", ""]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="non-negative whole counts"):
        suppress_counts(pd.DataFrame({"staff": [-1, 5]}), "staff", 10)
    with pytest.raises(ValueError, match="positive"):
        suppress_counts(pd.DataFrame({"staff": [1]}), "staff", 0)


def test_round_counts():
    assert round_counts(pd.Series([1, 2, 3, 7, 12, 0])).tolist() == [0, 0, 5, 5, 10, 0]


def test_checker_catches_a_leak():
    leaky = pd.DataFrame({"area": list("AB"), "staff": [pd.NA, 40]}).astype({"staff": "Int64"})
    with pytest.raises(DisclosureError, match="reveals 3"):
        assert_no_small_counts(leaky, "staff", 10, group_totals=pd.Series([43]))
    with pytest.raises(DisclosureError, match="below 10"):
        assert_no_small_counts(pd.DataFrame({"staff": [4, 40]}), "staff", 10)


counts = st.lists(st.integers(0, 60), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(counts, st.integers(2, 15))
def test_property_no_published_cell_reveals_a_small_count(values, threshold):
    t = pd.DataFrame({"area": range(len(values)), "staff": values})
    out = suppress_counts(t, "staff", threshold)
    total = publishable_total(sum(values), threshold)
    assert_no_small_counts(out, "staff", threshold, group_totals=pd.Series([total], dtype="Float64"))
    shown = out["staff"].dropna()
    assert ((shown == 0) | (shown >= threshold)).all()
    # nothing larger than needed is lost where no small count exists
    if not any(0 < v < threshold for v in values):
        assert out["suppressed"].eq("").all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), min_size=3, max_size=3), min_size=2, max_size=8), st.integers(3, 12))
def test_property_grid_rows_and_columns(rows, threshold):
    grid = pd.DataFrame(rows, columns=["x", "y", "z"])
    published, flags = suppress_grid(grid, threshold)
    values = published.to_numpy(dtype="float", na_value=np.nan)
    shown = values[~np.isnan(values)]
    assert ((shown == 0) | (shown >= threshold)).all()
    for axis in (0, 1):
        totals = grid.sum(axis=axis)
        visible = published.fillna(0).sum(axis=axis)
        hidden_n = published.isna().sum(axis=axis)
        remainder = totals - visible
        # a line whose every cell is withheld publishes only its total, which the caller withholds when small
        safe = (remainder == 0) | ((remainder >= threshold) & (hidden_n >= 2)) | (hidden_n == grid.shape[axis])
        assert safe.all()
