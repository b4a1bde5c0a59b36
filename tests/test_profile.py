"""One anchor beside the network (anchor_analysis.analysis.profile) on the demo network: the numbers of the report."""

from __future__ import annotations

import pandas as pd
import pytest

from anchor_analysis.analysis import geo, metrics, profile
from anchor_analysis.analysis.progression import benchmark
from anchor_analysis.contracts import load_network


@pytest.fixture(scope="module")
def demo(demo_dir, public_data_dir):
    return load_network(demo_dir)


def test_find_anchor_by_id_or_name_and_a_clear_error_otherwise(demo):
    assert profile.find_anchor(demo.anchors, "nhs_trust_a") == "nhs_trust_a"
    assert profile.find_anchor(demo.anchors, "  government department A ") == "government_department_a"
    with pytest.raises(profile.UnknownAnchorError) as caught:
        profile.find_anchor(demo.anchors, "Leeds Teaching Hospitals")
    message = str(caught.value)
    assert message.startswith("unknown anchor 'Leeds Teaching Hospitals': the anchors table lists ")
    assert "cultural_body_a (Cultural Body A)" in message and "water_utility_a (Water Utility A)" in message


def test_facts_say_when_an_anchor_left_and_which_years_it_returned(demo):
    facts = profile.anchor_facts(demo, "nhs_body_d").set_index("item")["value"]
    assert facts["member"] == "2018/19 to 2023/24 (has left)"
    returned = sorted(demo.metrics.loc[demo.metrics["anchor_id"] == "nhs_body_d", "year"].unique())
    assert facts["metrics returns"] == ", ".join(f"{y}/{(y + 1) % 100:02d}" for y in returned)
    assert profile.anchor_facts(demo, "nhs_trust_a").set_index("item").at["member", "value"] == "since 2018/19"


def test_metrics_are_the_anchors_returns_beside_the_network_totals(demo):
    table = profile.anchor_metrics(demo, "nhs_trust_a", 2023).set_index("metric")
    raw = demo.metrics[(demo.metrics["anchor_id"] == "nhs_trust_a") & (demo.metrics["year"] == 2023)]
    assert set(table.index) == set(raw["metric"])
    assert table["value"].to_dict() == raw.set_index("metric")["value"].astype(float).to_dict()
    totals = metrics.network_totals(demo.metrics, demo.anchors, 2023, demo.place).set_index("metric")
    for metric in ("headcount", "spend_leeds", "scope1_tco2e"):
        assert table.at[metric, "network_total"] == pytest.approx(totals.at[metric, "total"])
        assert table.at[metric, "n_reporting"] == totals.at[metric, "n_reporting"]
        assert table.at[metric, "share_of_network"] == pytest.approx(table.at[metric, "value"]
                                                                   / totals.at[metric, "total"])
    before = raw.merge(demo.metrics[(demo.metrics["anchor_id"] == "nhs_trust_a") & (demo.metrics["year"] == 2022)],
                       on="metric", suffixes=("", "_2022")).set_index("metric")
    assert table.at["headcount", "compared_with"] == 2022
    assert table.at["headcount", "change_pct"] == pytest.approx(
        100 * (before.at["headcount", "value"] / before.at["headcount", "value_2022"] - 1))
    assert pd.isna(table.at["living_wage", "share_of_network"])  # a flag: its sum counts anchors


def test_an_unreported_metric_is_left_out_never_zero(demo):
    reported = demo.metrics[demo.metrics["year"] == 2023]
    all_metrics = set(reported["metric"])
    anchor_id, missing = next((a, all_metrics - set(g["metric"])) for a, g in reported.groupby("anchor_id")
                              if all_metrics - set(g["metric"]))
    table = profile.anchor_metrics(demo, anchor_id, 2023)
    assert missing and not missing & set(table["metric"])
    assert profile.anchor_metrics(demo, "government_department_a", 2019).empty


def test_progression_positions_are_the_networks_benchmark(demo):
    table = profile.anchor_progression(demo, "university_b", 2023).set_index("dimension")
    bench = benchmark(demo.progression, 2023, anchors=demo.anchors)
    bench = bench[bench["anchor_id"] == "university_b"].set_index("dimension")
    assert list(table.index) == list(bench.index)
    for column in ("current", "ambition", "network_median", "position"):
        assert table[column].tolist() == bench[column].tolist()
    assert (table["compared_with"].dropna() < 2023).all()
    assert profile.anchor_progression(demo, "cultural_body_a", 2019).empty


def test_score_history_stops_at_the_year(demo):
    history = profile.anchor_score_history(demo, "nhs_trust_a", 2021)
    assert set(history["year"]) == {2019, 2020, 2021} and set(history["anchor"]) == {"NHS Trust A"}
    assert profile.anchor_score_history(demo, "government_department_a", 2019).empty


def test_staff_by_ward_is_the_published_column_of_the_network_grid(demo):
    mine = profile.anchor_staff_by_ward(demo.staff_residence, "fe_college_b", 2023, demo.place)
    grid = geo.staff_by_ward_and_anchor(demo.staff_residence, 2023, demo.place)
    grid = grid[grid["anchor_id"] == "fe_college_b"].drop(columns="anchor_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, grid)
    shown = mine["staff"].dropna()
    assert ((shown == 0) | (shown >= demo.place.disclosure_threshold)).all()
    assert mine["suppressed"].fillna("").ne("").any(), "a small college should have withheld wards"


def test_describe_says_what_was_returned_or_why_nothing_is_shown(demo):
    assert profile.describe_anchor(demo, "government_department_a", 2019) == (
        "Government Department A was not a member of the network in 2019/20: there is nothing of 2019/20 to profile.")
    assert profile.describe_anchor(demo, "nhs_trust_a", 2023) == (
        "In 2023/24, NHS Trust A returned a Progression Framework self-assessment, core metrics and staff residence "
        "counts.")


def test_staff_helpers_use_the_published_counts_and_the_reports_deprivation_function(demo):
    res = demo.staff_residence
    every = profile.anchor_staff_counts_every_year(res, "nhs_trust_a", demo.place)
    years = sorted(res.loc[res["anchor_id"] == "nhs_trust_a", "year"].unique())
    assert len(every) == len(years)
    assert every[-1].tolist() == profile.anchor_staff_by_ward(res, "nhs_trust_a", years[-1], demo.place)[
        "staff"].tolist()
    counts = geo.staff_in_most_deprived(res, 2019).query("anchor_id == 'nhs_trust_a' and year == 2023").iloc[0]
    text = profile.describe_staff_in_most_deprived(res, "nhs_trust_a", 2023, 2019)
    assert text.startswith(f"**{int(counts['staff_in_most_deprived']):,} of {int(counts['staff']):,} staff**")
