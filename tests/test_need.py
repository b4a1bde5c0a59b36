"""Need beside effort per ward, per priority neighbourhood and for the whole place."""

from __future__ import annotations

import pandas as pd
import pytest

from anchor_analysis.analysis.geo import priority_neighbourhoods, ward_deprivation
from anchor_analysis.analysis.geo.need import (
    QUADRANTS,
    WHOLE_PLACE,
    area_status,
    high_need_low_effort,
    need_and_effort,
    publish_need_and_effort,
)
from anchor_analysis.analysis.geo.residence import lsoa21_to_edition
from anchor_analysis.core.errors import GeographyError


@pytest.fixture(scope="module")
def status(public_data_dir):
    return area_status(2025)


def _residence(lsoas: list[str], counts: list[int], year: int = 2023) -> pd.DataFrame:
    return pd.DataFrame({"year": year, "anchor_id": "a", "lsoa_code": lsoas, "count": counts})


def test_ward_status_is_the_population_weighted_imd_of_its_lsoas(status):
    table = need_and_effort(None, None, 2023, 2025).set_index(["geography", "area_code"])
    wards = ward_deprivation(2025).set_index("ward_code")
    for code, ward in wards.iterrows():
        row = table.loc[("ward", code)]
        assert row["imd_score"] == pytest.approx(ward["pop_weighted_score"])
        assert row["rank_in_place"] == ward["rank_in_place"] and row["population"] == ward["population"]
    lsoas = status[status["ward_code"] == wards.index[0]]
    working_age = lsoas["population_working_age"]
    expected = (lsoas["employment_rate"] * working_age).sum() / working_age.sum()
    assert table.loc[("ward", wards.index[0]), "employment_rate"] == pytest.approx(expected)
    assert table.loc[("whole place", WHOLE_PLACE), "population"] == status["population"].sum()
    assert (table["quadrant"] == "").all()  # no returns: no effort, no quadrant


def test_effort_counts_staff_per_1000_working_age_and_its_change_since_last_year(status):
    ward = status.sort_values("lsoa_code").iloc[0]
    same_ward = status.loc[status["ward_code"] == ward["ward_code"], "lsoa_code"].tolist()[:2]
    residence = pd.concat([_residence(same_ward, [30, 20]), _residence(same_ward, [10, 10], year=2022)])
    table = need_and_effort(residence, None, 2023, 2025).set_index(["geography", "area_code"])
    row = table.loc[("ward", ward["ward_code"])]
    working_age = status.loc[status["ward_code"] == ward["ward_code"], "population_working_age"].sum()
    assert row["staff"] == 50 and row["staff_per_1000"] == pytest.approx(50 / working_age * 1000)
    assert row["staff_per_1000_change"] == pytest.approx(30 / working_age * 1000)
    assert table.loc[("whole place", WHOLE_PLACE), "staff"] == 50
    assert table["spend"].isna().all()  # no ledgers: blank, not zero


def test_located_spend_per_resident_lands_in_the_suppliers_ward(status):
    lsoa = status.iloc[0]
    lines = pd.DataFrame({"year": 2023, "amount": [1000.0, 500.0], "supplier_lsoa21_code": [lsoa["lsoa_code"], None],
                          "supplier_ward_code": [lsoa["ward_code"], None], "supplier_lad_code": "E08000035"})
    table = need_and_effort(None, lines, 2023, 2025).set_index(["geography", "area_code"])
    population = status.loc[status["ward_code"] == lsoa["ward_code"], "population"].sum()
    assert table.loc[("ward", lsoa["ward_code"]), "spend_per_resident"] == pytest.approx(1000 / population)
    assert table.loc[("whole place", WHOLE_PLACE), "spend"] == 1000  # the unlocated line lands nowhere


def test_the_neediest_ward_without_effort_heads_the_high_need_low_effort_table(status):
    wards = status.groupby("ward_code").agg(score=("imd_score", "mean")).sort_values("score")
    neediest = wards.index[-1]
    # some effort everywhere but the neediest ward
    others = status[status["ward_code"] != neediest].groupby("ward_code")["lsoa_code"].first()
    table = need_and_effort(_residence(others.tolist(), [50] * len(others)), None, 2023, 2025)
    ranked = high_need_low_effort(table)
    assert ranked.iloc[0]["area_code"] == neediest and ranked.iloc[0]["quadrant"] == QUADRANTS[0]
    assert (ranked["need"] > 0.5).all() and (ranked["effort"] <= 0.5).all()
    assert ranked["gap"].is_monotonic_decreasing


def test_priority_neighbourhoods_are_rows_of_their_own_read_against_the_wards(public_data_dir):
    clusters = priority_neighbourhoods(2025, top_k=3)
    mapping = lsoa21_to_edition(2025).set_index("lsoa_code")["lsoa21_code"]
    member = mapping[clusters.lsoas["lsoa_code"].iloc[0]]
    table = need_and_effort(_residence([member], [12]), None, 2023, 2025, clusters=clusters.lsoas)
    neighbourhoods = table[table["geography"] == "priority neighbourhood"]
    assert sorted(neighbourhoods["area_code"]) == sorted(clusters.clusters["cluster_id"])
    assert neighbourhoods["staff"].sum() == 12
    assert (neighbourhoods["need"] > 0.5).all()  # the most deprived LSOAs of the place
    with pytest.raises(GeographyError, match="clusters are of IMD 2025, not of edition 2019"):
        need_and_effort(None, None, 2023, 2019, clusters=clusters.lsoas)


def test_published_staff_counts_are_disclosure_controlled_with_their_rates(status):
    codes = status.groupby("ward_code")["lsoa_code"].first()
    residence = _residence(codes.tolist(), [3] + [40] * (len(codes) - 1))
    published = publish_need_and_effort(need_and_effort(residence, None, 2023, 2025)).set_index("area_code")
    small = codes.index[0]
    assert pd.isna(published.at[small, "staff"]) and pd.isna(published.at[small, "staff_per_1000"])
    assert published.at[small, "suppressed"] == "primary"
    assert (published["suppressed"] == "secondary").sum() >= 1  # the ward total (the place's) is published
    assert published.at[WHOLE_PLACE, "staff"] == 3 + 40 * (len(codes) - 1)
    # positions rest on published values only: a withheld ward's effort is its spend's alone (none here: blank)
    assert pd.isna(published.at[small, "effort"]) and published.at[small, "quadrant"] == ""
