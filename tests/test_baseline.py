"""Baseline tables: coverage on every total, disclosure control on per-anchor counts of people."""

from __future__ import annotations

import pandas as pd
import pytest

from anchor_analysis.analysis import baseline as B
from anchor_analysis.contracts import load_network
from anchor_analysis.publish import anchor_labels, assert_no_small_counts


@pytest.fixture(scope="module")
def network(demo_dir):
    return load_network(demo_dir)


def test_headline_uses_residence_with_the_edition_of_the_year(network, public_data_dir):
    head = B.headline_figures(network, 2023).set_index("key")
    assert head.at["staff_most_deprived", "display"] == "12,300"
    with_2025 = B.headline_figures(network, 2023, imd_edition=2025).set_index("key")
    assert with_2025.at["staff_most_deprived", "value"] != head.at["staff_most_deprived", "value"]


def test_totals_list_unreported_metrics_instead_of_zero(network):
    table = B.totals_table(network, 2019, B.CARBON_METRICS).set_index("metric")
    assert table.at["scope3_tco2e", "n_reporting"] == 0 and table.at["scope3_tco2e", "display"] == "-"
    assert table.at["scope1_tco2e", "coverage"] == "10 of 11 anchors reporting (91%)"


def test_per_anchor_people_counts_are_disclosure_controlled(network):
    labels = anchor_labels(network.anchors["anchor_id"], network.anchors, anonymise=True)
    table = B.per_anchor_table(network, 2023, B.WORKFORCE_METRICS, labels=labels,
                               people=("staff_in_most_deprived", "apprentices"))
    assert not table["anchor"].str.contains("NHS|University").any()
    for col in ("staff_in_most_deprived", "apprentices"):
        published = table[["anchor", col]].rename(columns={col: "n"})
        total = network.metrics.query("year == 2023 and metric == @col")["value"].astype(float).sum()
        assert_no_small_counts(published, "n", network.place.disclosure_threshold, group_totals=pd.Series([total]))


def test_ledger_comparison_sentence(demo_dir, public_data_dir):
    from anchor_analysis.analysis import spend
    from anchor_analysis.derived import processed_network

    processed = processed_network(demo_dir)
    analysis = processed.spend(2023)
    assert analysis.suppliers["anchor_id"].nunique() == 13
    text = B.describe_ledger_comparison(spend.compare_with_returns(analysis.summary, processed.metrics))
    assert "£511.0m returned" in text and "13 anchors" in text


def test_change_table_absent_in_first_year(network):
    assert B.change_table(network, 2019, B.SPEND_METRICS) is None
    change = B.change_table(network, 2023, B.SPEND_METRICS)
    assert (change["n_lfl"] <= change[["n_now", "n_previous"]].min(axis=1)).all()


def test_carbon_sentence_names_the_anchors_left_out_by_name_or_code(network):
    text = B.describe_carbon(network, 2024, 2019)
    assert "Not in the comparison: Cultural Body A, Cultural Body B, FE College B, Government Department A" in text
    assert "cultural_body_a" not in text
    codes = anchor_labels(network.anchors["anchor_id"], network.anchors, anonymise=True)
    coded = B.describe_carbon(network, 2024, 2019, codes)
    assert "Cultural Body" not in coded and codes["cultural_body_a"] in coded
    assert "fell by" in text and "(33.6%)" in text  # reduction_pct is a percentage
