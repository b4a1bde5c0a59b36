"""Core metrics: coverage on every total, no missing return counted as zero, like-for-like comparisons."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anchor_analysis.analysis import metrics as M
from anchor_analysis.core import member_mask, members, membership_table


def _anchors():
    return pd.DataFrame({
        "anchor_id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"],
        "sector": ["nhs", "nhs", "university", "university"],
        "joined_year": [2018, 2018, 2018, 2021], "left_year": [None, None, 2021, None],
    })


def _long(rows):
    return pd.DataFrame(rows, columns=["year", "anchor_id", "metric", "value", "unit"])


def test_membership_rules():
    anchors = _anchors()
    assert members(anchors, 2020) == ["a", "b", "c"]
    assert members(anchors, 2021) == ["a", "b", "d"]  # c left in 2021, d joined
    assert member_mask(anchors, 2017).sum() == 0
    assert len(membership_table(anchors, range(2019, 2022))) == 9


def test_missing_return_is_not_zero_and_coverage_is_stated():
    metrics = _long([(2020, "a", "headcount", 100, "people"), (2020, "b", "headcount", 50, "people")])
    row = M.network_totals(metrics, _anchors(), 2020).set_index("metric").loc["headcount"]
    assert row["total"] == 150
    assert (row["n_reporting"], row["n_members"]) == (2, 3)
    assert row["coverage_statement"] == "2 of 3 anchors reporting (67%)"
    assert row["not_reporting"] == "c"


def test_returns_of_non_members_are_ignored():
    metrics = _long([(2021, "c", "headcount", 999, "people"), (2021, "a", "headcount", 10, "people")])
    row = M.network_totals(metrics, _anchors(), 2021).set_index("metric").loc["headcount"]
    assert row["total"] == 10 and row["n_members"] == 3


def test_no_returns_for_a_year_is_a_clear_error():
    metrics = _long([(2020, "a", "headcount", 100, "people")])
    with pytest.raises(M.NoDataError, match="no metrics returns for 2022/23"):
        M.network_totals(metrics, _anchors(), 2022)
    with pytest.raises(M.NoDataError, match="no anchors were members"):
        M.network_totals(metrics, _anchors(), 2010)


def test_share_uses_a_matched_denominator():
    metrics = _long([
        (2020, "a", "headcount", 100, "people"), (2020, "a", "staff_in_leeds", 80, "people"),
        (2020, "b", "headcount", 300, "people"), (2020, "b", "staff_in_leeds", 60, "people"),
        (2020, "c", "headcount", 1000, "people"),  # no staff_in_leeds: left out of both sides
    ])
    share = M.network_share(metrics, _anchors(), 2020, "staff_in_leeds", "headcount")
    assert share["pooled"] == pytest.approx(140 / 400)
    assert share["mean_of_shares"] == pytest.approx((0.8 + 0.2) / 2)
    assert share["n_reporting"] == 2 and share["n_members"] == 3


def test_estimate_is_separate_and_brackets_itself():
    metrics = _long([
        (2020, "a", "headcount", 100, "people"), (2020, "b", "headcount", 200, "people"),
        (2020, "c", "headcount", 400, "people"),
        (2020, "a", "total_spend", 1000, "GBP"), (2020, "c", "total_spend", 8000, "GBP"),
    ])
    est = M.estimate_network_total(metrics, _anchors(), 2020, "total_spend")
    assert est["reported"] == 9000
    assert est["imputed"] == ["b"]
    assert est["estimate"] == pytest.approx(9000 + 200 * 10)  # b imputed at its NHS peer's 10 GBP per head
    assert est["low"] <= est["estimate"] <= est["high"]
    assert "imputed" in est["method"]


def test_year_on_year_all_reporting_and_like_for_like():
    metrics = _long([
        (2020, "a", "headcount", 100, "people"), (2020, "b", "headcount", 100, "people"),
        (2021, "a", "headcount", 110, "people"), (2021, "d", "headcount", 500, "people"),
    ])
    yoy = M.year_on_year(metrics, _anchors(), "headcount", 2021)
    assert (yoy["all_previous"], yoy["all_now"]) == (200, 610)
    assert (yoy["lfl_previous"], yoy["lfl_now"], yoy["n_lfl"]) == (100, 110, 1)
    assert yoy["lfl_change_pct"] == pytest.approx(10.0)  # a percentage
    assert yoy["all_change_pct"] == pytest.approx(205.0)


def test_anchor_year_on_year_compares_with_last_return():
    metrics = _long([(2019, "a", "headcount", 100, "people"), (2021, "a", "headcount", 120, "people"),
                     (2021, "d", "headcount", 50, "people")])
    table = M.anchor_year_on_year(metrics, "headcount", 2021).set_index("anchor_id")
    assert table.at["a", "compared_with"] == 2019 and table.at["a", "change"] == 20
    assert math.isnan(table.at["d", "change"])


def test_carbon_reduction_is_like_for_like():
    rows = []
    for year, a_val, b_val in ((2019, 100, None), (2023, 60, 500)):
        rows += [(year, "a", "scope1_tco2e", a_val / 2, "tCO2e"), (year, "a", "scope2_tco2e", a_val / 2, "tCO2e")]
        if b_val:
            rows += [(year, "b", "scope1_tco2e", b_val, "tCO2e"), (year, "b", "scope2_tco2e", 0, "tCO2e")]
    result = M.carbon_reduction(_long(rows), 2019, 2023)
    assert result["reduction"] == 40 and result["anchors"] == ["a"] and result["excluded"] == ["b"]
    assert result["reduction_pct"] == pytest.approx(40.0)  # a percentage, like every *_pct column


def test_carbon_trajectory_path_reaches_zero_in_net_zero_year():
    rows = [(y, "a", s, 100 - 10 * (y - 2019), "tCO2e") for y in range(2019, 2024)
            for s in ("scope1_tco2e", "scope2_tco2e")]
    traj = M.carbon_trajectory(_long(rows), 2019, "leeds")
    assert traj.iloc[0]["path_to_net_zero"] == 200
    assert traj.set_index("year").at[2023, "path_to_net_zero"] == pytest.approx(200 * (1 - 4 / 11))
    assert traj.attrs["projected_net_zero_year"] == pytest.approx(2023 + 120 / 20)


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.floats(0, 1e6)), min_size=1, max_size=8,
                unique_by=lambda t: t[0]))
def test_total_is_sum_of_member_returns(values):
    metrics = _long([(2021, a, "headcount", v, "people") for a, v in values])
    in_network = [v for a, v in values if a != "c"]  # c left in 2021
    if not in_network:
        return
    row = M.network_totals(metrics, _anchors(), 2021).set_index("metric").loc["headcount"]
    assert row["total"] == pytest.approx(sum(in_network))
    assert row["n_reporting"] == len(in_network) <= row["n_members"]


def test_demo_headline_matches_published_2023_figures(demo_dir):
    metrics = pd.read_csv(demo_dir / "metrics.csv")
    anchors = pd.read_csv(demo_dir / "anchors.csv")
    head = M.headline(metrics, anchors, 2023, "leeds").set_index("key")
    assert 62_000 < head.at["workforce", "value"] < 62_500
    assert round(100 * head.at["staff_share_place", "value"]) == 64
    assert round(head.at["staff_most_deprived", "value"], -2) == 12_300
    assert round(head.at["spend_place", "value"] / 1e6) == 511
    assert round(head.at["carbon_reduction", "value"], -3) == 110_000
    assert head.at["spend_place", "coverage_statement"] == "13 of 14 anchors reporting (93%)"


def test_headline_in_the_base_year_has_no_carbon_reduction(demo_dir):
    metrics = pd.read_csv(demo_dir / "metrics.csv")
    anchors = pd.read_csv(demo_dir / "anchors.csv")
    row = M.headline(metrics, anchors, 2019, "leeds", carbon_base_year=2019).set_index("key").loc["carbon_reduction"]
    assert math.isnan(row["value"]) and "not after the base year" in row["coverage_statement"]


def test_headline_figures_nobody_reported_are_missing_not_zero():
    metrics = _long([(2023, "a", "headcount", 100, "people"), (2023, "a", "staff_in_leeds", 60, "people")])
    head = M.headline(metrics, _anchors(), 2023, "leeds").set_index("key")
    for key in ("staff_most_deprived", "spend_place"):
        assert math.isnan(head.at[key, "value"]) and head.at[key, "n_reporting"] == 0, key
    assert head.at["workforce", "value"] == 100


def test_year_on_year_percentages_are_plain_floats():
    metrics = _long([(2022, "a", "headcount", 100, "people"), (2023, "a", "headcount", 110, "people")])
    change = M.year_on_year(metrics, _anchors(), "headcount", 2023)
    assert type(change["all_change_pct"]) is float and change["all_change_pct"] == pytest.approx(10.0)
