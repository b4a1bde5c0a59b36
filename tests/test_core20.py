"""The NHS Core20 workforce: staff living in national IMD quintile 1 (deciles 1-2), beside decile 1."""

from __future__ import annotations

import pandas as pd
import pytest

from anchor_analysis.analysis import baseline
from anchor_analysis.analysis.geo.core20 import (
    core20_headline,
    core20_table,
    core20_tables,
    describe_core20,
    staff_in_core20,
)
from anchor_analysis.analysis.geo.residence import lsoa21_to_edition, staff_in_most_deprived
from anchor_analysis.contracts import load_network


@pytest.fixture(scope="module")
def network(public_data_dir):
    return load_network("data/raw/demo")


def _lsoas_of_decile(edition: int, decile: int, n: int) -> list[str]:
    table = lsoa21_to_edition(edition)
    return sorted(table.loc[table["imd_decile"] == decile, "lsoa21_code"])[:n]


@pytest.mark.parametrize("edition", [2019, 2025])
def test_core20_counts_deciles_1_and_2_and_nothing_else(public_data_dir, edition):
    one, two, three = (_lsoas_of_decile(edition, d, 2) for d in (1, 2, 3))
    residence = pd.DataFrame({"year": 2023, "anchor_id": "a", "lsoa_code": [*one, *two, *three, None],
                              "count": [11, 12, 13, 14, 15, 16, 17]})
    row = staff_in_core20(residence, edition).iloc[0]
    assert (row["staff"], row["staff_in_decile1"], row["staff_in_core20"]) == (98, 23, 50)
    assert row["share_core20"] == pytest.approx(50 / 98)


@pytest.mark.parametrize("edition", [2019, 2025])
def test_on_the_demo_core20_holds_decile_1_and_decile_1_is_the_sections(network, edition):
    residence = network.staff_residence[network.staff_residence["year"] == 2023]
    core20 = staff_in_core20(residence, edition).set_index("anchor_id")
    decile1 = staff_in_most_deprived(residence, edition).set_index("anchor_id")
    assert (core20["staff_in_decile1"] == decile1["staff_in_most_deprived"]).all()
    assert (core20["staff_in_core20"] >= core20["staff_in_decile1"]).all()
    assert (core20["staff_in_core20"] > core20["staff_in_decile1"]).any()


def test_small_core20_counts_are_withheld_with_a_second_cell_and_the_share_with_them(public_data_dir):
    one, two = _lsoas_of_decile(2019, 1, 1), _lsoas_of_decile(2019, 2, 1)
    residence = pd.DataFrame({"year": 2023, "anchor_id": ["a", "a", "b", "b", "c", "c"],
                              "lsoa_code": [one[0], two[0]] * 3, "count": [2, 1, 40, 30, 50, 25]})
    table = core20_table(residence, 2023, 2019).set_index("anchor_id")
    assert pd.isna(table.at["a", "staff_in_core20"]) and pd.isna(table.at["a", "share_core20"])
    assert pd.isna(table.at["a", "staff_in_decile1"])
    # the network total (3 + 70 + 75) is published, so a second anchor's count is withheld too
    assert table["staff_in_core20"].drop(index="network").isna().sum() >= 2
    assert table.at["network", "staff_in_core20"] == 148
    assert "staff_in_core20 primary" in table.at["a", "suppressed"]
    assert "withheld" in describe_core20(table.reset_index(), 2023, "a")
    tables = core20_tables(table.reset_index())
    assert "network" not in set(tables["staff_core20_by_anchor"]["anchor_id"])
    assert "anchor_id" not in tables["staff_core20_network"]


def test_the_headline_carries_core20_beside_decile_1(network):
    head = baseline.headline_figures(network, 2023)
    keys = head["key"].tolist()
    assert keys[keys.index("staff_most_deprived") + 1] == "staff_core20"
    row = head.set_index("key").loc["staff_core20"]
    residence = network.staff_residence[network.staff_residence["year"] == 2023]
    assert row["value"] == staff_in_core20(residence, 2019)["staff_in_core20"].sum()
    assert row["display"] == f"{int(row['value']):,}"
    with_2025 = baseline.headline_figures(network, 2023, imd_edition=2025).set_index("key")
    assert with_2025.at["staff_core20", "value"] == staff_in_core20(residence, 2025)["staff_in_core20"].sum()


def test_without_residence_the_headline_sums_the_returned_core20_metric(network):
    metrics = pd.DataFrame({"year": 2023, "anchor_id": ["nhs_trust_a", "university_a"], "metric": "staff_in_core20",
                            "value": [4000.0, 900.0], "unit": "people"})
    plain = type("N", (), {"anchors": network.anchors, "staff_residence": None, "metrics": metrics,
                           "place": network.place})()
    row = core20_headline(plain, 2023).iloc[0]
    assert row["value"] == 4900 and row["coverage_statement"] == "2 of 14 anchors reporting (14%)"
