"""Deprivation geography, priority neighbourhoods, staff residence and spend landing (anchor_analysis.analysis.geo).

Most tests need the real public data (IMD, lookups, boundaries, postcodes) and skip, saying why, without it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from anchor_analysis import public
from anchor_analysis.analysis import geo
from anchor_analysis.analysis.geo import neighbourhoods as geo_neighbourhoods
from anchor_analysis.core import POSTCODE_PATTERN, load_place
from anchor_analysis.core.errors import PriorityListError
from anchor_analysis.derived import processed_network
from anchor_analysis.publish import assert_no_small_counts, publish_counts, write_tables

LEEDS = "E08000035"
pytestmark = pytest.mark.public_data


@pytest.fixture(scope="module")
def place():
    return load_place("leeds")


@pytest.fixture(scope="module")
def residence(demo_dir: Path) -> pd.DataFrame:
    return pd.read_csv(demo_dir / "staff_residence.csv", dtype={"anchor_id": "str", "lsoa_code": "str"})


@pytest.fixture(scope="module")
def neighbourhoods(public_data_dir: Path) -> dict[int, geo.PriorityNeighbourhoods]:
    return {edition: geo.priority_neighbourhoods(edition, data_dir=public_data_dir) for edition in (2019, 2025)}


# --- pure helpers (no data) ---------------------------------------------------------------------------------


def test_cutoff_and_rule_parsing() -> None:
    assert geo.most_deprived_cutoff(32_844, 10) == 3284
    assert geo.most_deprived_cutoff(33_755, 10) == 3375
    assert geo.parse_priority_rule("most_deprived_10pct") == 10.0
    assert geo.parse_priority_rule("most_deprived_2.5pct") == 2.5
    assert geo.parse_priority_rule("lists/my_neighbourhoods.csv") == Path("lists/my_neighbourhoods.csv")
    with pytest.raises(ValueError, match="most_deprived_<N>pct"):
        geo.parse_priority_rule("most deprived")
    with pytest.raises(ValueError, match="most_deprived_pct"):
        geo.most_deprived_cutoff(100, 0)


def test_components_union_find() -> None:
    labels = geo_neighbourhoods._components(5, np.array([0, 3]), np.array([1, 4]))
    assert labels.tolist() == [0, 0, 1, 2, 2]


# --- deprivation profile and wards -------------------------------------------------------------------------


@pytest.mark.parametrize(("edition", "decile1", "total"), [(2019, 114, 482), (2025, 84, 488)])
def test_deprivation_profile(public_data_dir: Path, edition: int, decile1: int, total: int) -> None:
    profile = geo.deprivation_profile(edition, "leeds", public_data_dir)
    assert profile["decile"].tolist() == list(range(1, 11))
    assert int(profile.loc[profile["decile"] == 1, "n_lsoas"].iloc[0]) == decile1
    assert int(profile["n_lsoas"].sum()) == total == profile.attrs["n_lsoas"]
    la_population = int(public.load_imd(edition, LEEDS, data_dir=public_data_dir)["population"].sum())
    assert int(profile["population"].sum()) == la_population == 771_857
    assert profile["share_lsoas"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize(("edition", "decile1", "total"), [(2019, 114, 482), (2025, 84, 488)])
def test_ward_deprivation_covers_33_wards(public_data_dir: Path, edition: int, decile1: int, total: int) -> None:
    wards = geo.ward_deprivation(edition, "leeds", public_data_dir)
    assert len(wards) == 33 and wards["ward_code"].is_unique
    assert int(wards["n_lsoas"].sum()) == total
    assert int(wards["n_lsoas_decile1"].sum()) == decile1
    la_population = int(public.load_imd(edition, LEEDS, data_dir=public_data_dir)["population"].sum())
    assert int(wards["population"].sum()) == la_population
    assert wards["share_population_decile1"].between(0, 1).all()
    assert sorted(wards["rank_in_place"]) == list(range(1, 34))
    # harmonised to the current codes: the ward boundaries' codes, for both editions
    boundaries = public.load_ward_boundaries(data_dir=public_data_dir)
    assert set(wards["ward_code"]) == set(boundaries["ward_code"])
    top = wards.sort_values("rank_in_place").iloc[0]
    assert top["pop_weighted_score"] == wards["pop_weighted_score"].max()


def test_editions_side_by_side_carries_the_caveat_and_no_differences(public_data_dir: Path) -> None:
    by_decile = geo.editions_side_by_side("leeds", "decile", data_dir=public_data_dir)
    by_ward = geo.editions_side_by_side("leeds", "ward", data_dir=public_data_dir)
    for table in (by_decile, by_ward):
        assert table.attrs["caveat"] == geo.EDITION_CAVEAT
        assert (table["note"] == geo.EDITION_CAVEAT).all()
        assert not [c for c in table.columns if re.search(r"diff|change|delta", c)]
    assert "not comparable" in geo.EDITION_CAVEAT
    row = by_decile.set_index("decile").loc[1]
    assert (row["n_lsoas_2019"], row["n_lsoas_2025"]) == (114, 84)
    assert len(by_ward) == 33


# --- priority neighbourhoods --------------------------------------------------------------------------------


@pytest.mark.parametrize("edition", [2019, 2025])
def test_priority_neighbourhoods_default_rule(public_data_dir: Path, neighbourhoods, edition: int) -> None:
    clusters, lsoas = neighbourhoods[edition]
    assert clusters.crs.to_epsg() == 27700
    assert len(clusters) == 6
    assert clusters["rank"].tolist() == list(range(1, 7))
    assert clusters["cluster_id"].is_unique and clusters["name"].is_unique
    scores = clusters["pop_weighted_score"].to_numpy()
    assert (np.diff(scores) <= 0).all(), "ranked most deprived first"
    # membership agrees with the cluster rows
    counts = lsoas.groupby("cluster_id").agg(n=("lsoa_code", "size"), people=("population", "sum"))
    merged = clusters.set_index("cluster_id").join(counts)
    assert (merged["n_lsoas"] == merged["n"]).all()
    assert (merged["population"] == merged["people"]).all()
    # every member is in the most deprived 10% nationally
    n_england = len(public.load_imd(edition, data_dir=public_data_dir))
    assert (lsoas["imd_rank"] <= geo.most_deprived_cutoff(n_england, 10)).all()
    assert (lsoas["imd_decile"] == 1).all()
    # the name lists the wards of the members, largest population share first
    for row in clusters.itertuples():
        members = lsoas[lsoas["cluster_id"] == row.cluster_id]
        assert set(row.wards.split(" / ")) == set(members["ward_name"])
        assert row.name.split(" (")[0] == row.wards


@pytest.mark.parametrize("edition", [2019, 2025])
def test_every_cluster_is_contiguous(public_data_dir: Path, neighbourhoods, edition: int) -> None:
    pn = neighbourhoods[edition]
    shapes = geo.lsoa_layer(edition, "leeds", public_data_dir).set_index("lsoa_code").geometry
    assert pn.candidates is not None and len(pn.candidates) > len(pn.clusters)
    full = geo.priority_neighbourhoods(edition, top_k=None, data_dir=public_data_dir)
    assert len(full.clusters) == len(pn.candidates)
    for cluster_id, members in full.lsoas.groupby("cluster_id"):
        union = shapely.union_all(shapes.loc[members["lsoa_code"]].buffer(geo.DEFAULT_TOLERANCE_M / 2).values)
        assert union.geom_type == "Polygon", f"{cluster_id} is not one contiguous area"


def test_large_clusters_are_split_along_wards(public_data_dir: Path, neighbourhoods) -> None:
    whole = geo.priority_neighbourhoods(2019, top_k=None, split_above_lsoas=None, data_dir=public_data_dir)
    assert whole.clusters["n_lsoas"].max() > 80  # the inner-city arc of IMD 2019 decile 1 LSOAs is one cluster
    split = neighbourhoods[2019].candidates
    assert split["n_lsoas"].sum() == whole.clusters["n_lsoas"].sum() == 114
    assert split["n_lsoas"].max() <= 20


def test_user_list_overrides_the_rule(public_data_dir: Path, tmp_path: Path) -> None:
    layer = geo.lsoa_layer(2025, "leeds", public_data_dir).sort_values("imd_rank")
    codes = layer["lsoa_code"].tolist()
    path = tmp_path / "neighbourhoods.csv"
    path.write_text(f"lsoa_code,name\n{codes[0]},Alpha\n{codes[1]},Alpha\n{codes[-1]},Omega\n", encoding="utf-8")
    clusters, lsoas = geo.priority_neighbourhoods(2025, lsoa_list=path, data_dir=public_data_dir)
    assert clusters["name"].tolist() == ["Alpha", "Omega"]  # ranked: Alpha holds the most deprived LSOAs
    assert clusters["n_lsoas"].tolist() == [2, 1]
    assert set(lsoas["lsoa_code"]) == {codes[0], codes[1], codes[-1]}
    via_rule = geo.priority_neighbourhoods_from_rule(str(path), 2025, data_dir=public_data_dir)
    assert via_rule.clusters["name"].tolist() == ["Alpha", "Omega"]


def test_user_list_errors_name_file_row_and_code(public_data_dir: Path, tmp_path: Path) -> None:
    lsoa21 = geo.lsoa_layer(2025, "leeds", public_data_dir)["lsoa_code"].tolist()
    lsoa11 = geo.lsoa_layer(2019, "leeds", public_data_dir)["lsoa_code"].tolist()
    only_2021 = sorted(set(lsoa21) - set(lsoa11))[0]
    path = tmp_path / "bad_list.csv"
    path.write_text(f"lsoa_code,name\n{lsoa11[0]},Fine\n{only_2021},Wrong edition\n{lsoa11[0]},Again\n,Blank\n",
                    encoding="utf-8")
    with pytest.raises(PriorityListError) as caught:
        geo.priority_neighbourhoods(2019, lsoa_list=path, data_dir=public_data_dir)
    message = str(caught.value)
    assert "bad_list.csv" in message
    assert f"row 3: lsoa_code {only_2021!r} is not one of the 482 LSOA 2011 codes of Leeds" in message
    assert "row 4" in message and "already listed on row 2" in message
    assert "row 5: lsoa_code is blank" in message
    assert len(caught.value.failures) == 3
    (tmp_path / "no_name.csv").write_text(f"lsoa_code\n{lsoa11[0]}\n", encoding="utf-8")
    with pytest.raises(PriorityListError, match=r"no_name\.csv: row 1 \(header\): missing column"):
        geo.priority_neighbourhoods(2019, lsoa_list=tmp_path / "no_name.csv", data_dir=public_data_dir)
    with pytest.raises(PriorityListError, match="file not found"):
        geo.priority_neighbourhoods(2019, lsoa_list=tmp_path / "absent.csv", data_dir=public_data_dir)


# --- staff residence ----------------------------------------------------------------------------------------


def test_staff_in_most_deprived_equals_the_demo_metrics(public_data_dir: Path, residence: pd.DataFrame,
                                                       demo_dir: Path) -> None:
    metrics = pd.read_csv(demo_dir / "metrics.csv", dtype={"anchor_id": "str"})
    expected = metrics[metrics["metric"] == "staff_in_most_deprived"].set_index(["year", "anchor_id"])["value"]
    got = geo.staff_in_most_deprived(residence, 2019, public_data_dir).set_index(["year", "anchor_id"])
    assert set(got.index) == set(expected.index), "one row per year and anchor with residence data"
    pd.testing.assert_series_equal(got["staff_in_most_deprived"].sort_index(),
                                   expected.astype("int64").sort_index(), check_names=False)
    network_2023 = int(got.loc[2023, "staff_in_most_deprived"].sum())
    assert network_2023 == 12_300  # "12,300 from the city's most disadvantaged wards" (seed 001)
    totals = residence.groupby(["year", "anchor_id"])["count"].sum()
    assert (got["staff"].sort_index() == totals.sort_index()).all()


def test_staff_in_most_deprived_2025_uses_lsoa21_deciles(public_data_dir: Path, residence: pd.DataFrame) -> None:
    got = geo.staff_in_most_deprived(residence, 2025, public_data_dir)
    deciles = public.imd_for_lsoa21(2025, data_dir=public_data_dir).set_index("lsoa21_code")["imd_decile"]
    expected = residence[residence["lsoa_code"].map(deciles) == 1]["count"].sum()
    assert int(got["staff_in_most_deprived"].sum()) == int(expected)


@pytest.mark.parametrize(("level", "lsoa_year"), [("ward", 2021), ("lsoa", 2021), ("lsoa", 2011), ("ward", 2011)])
def test_staff_by_area_keeps_every_staff_member(public_data_dir: Path, residence: pd.DataFrame, level: str,
                                                lsoa_year: int) -> None:
    network = geo.staff_by_area(residence, level, lsoa_year, data_dir=public_data_dir)
    per_anchor = geo.staff_by_area(residence, level, lsoa_year, by_anchor=True, data_dir=public_data_dir)
    totals = residence.groupby("year")["count"].sum()
    assert (network.groupby("year")["count"].sum() == totals).all()
    assert (per_anchor.groupby("year")["count"].sum() == totals).all()
    assert not network.duplicated(["year", f"{level}_code"]).any()
    if level == "ward":
        assert network.loc[network["lad_code"] == LEEDS, "ward_code"].nunique() == 33


def test_staff_rates_cover_every_ward(public_data_dir: Path, residence: pd.DataFrame) -> None:
    rates = geo.staff_rates(residence, "leeds", "ward", data_dir=public_data_dir)
    assert (rates.groupby("year").size() == 33).all()
    expected = rates["count"] / rates["population_working_age"] * 1000
    assert np.allclose(rates["rate_per_1000"], expected)
    in_leeds = geo.staff_by_area(residence, "ward", data_dir=public_data_dir)
    in_leeds = in_leeds[in_leeds["lad_code"] == LEEDS].groupby("year")["count"].sum()
    assert (rates.groupby("year")["count"].sum() == in_leeds).all()


@pytest.mark.parametrize("edition", [2019, 2025])
def test_staff_in_priority_neighbourhoods(public_data_dir: Path, residence: pd.DataFrame, neighbourhoods,
                                          edition: int) -> None:
    pn = neighbourhoods[edition]
    counts = geo.staff_in_priority_neighbourhoods(residence, pn, data_dir=public_data_dir)
    assert (counts.groupby("year").size() == len(pn.clusters)).all()
    mapping = geo.lsoa21_to_edition(edition, public_data_dir).set_index("lsoa21_code")["lsoa_code"]
    inside = residence["lsoa_code"].map(mapping).isin(set(pn.lsoas["lsoa_code"]))
    assert int(counts["count"].sum()) == int(residence.loc[inside, "count"].sum()) > 0
    by_anchor = geo.staff_in_priority_neighbourhoods(residence, pn, by_anchor=True, data_dir=public_data_dir)
    assert int(by_anchor["count"].sum()) == int(counts["count"].sum())


# --- disclosure of published staff tables --------------------------------------------------------------------


def _true_tables(residence: pd.DataFrame, year: int, edition: int, pn, data_dir: Path) -> dict[str, pd.DataFrame]:
    """The unsuppressed counts behind each published table, keyed like geo.staff_tables."""
    resident = residence[residence["year"] == year]
    per_anchor = geo.staff_rates(resident, "leeds", "ward", by_anchor=True, data_dir=data_dir)
    pn_anchor = geo.staff_in_priority_neighbourhoods(resident, pn, by_anchor=True, data_dir=data_dir)
    lsoa_year = geo.EDITION_LSOA_YEAR[edition]
    by_lsoa = geo.staff_rates(resident, "leeds", "lsoa", lsoa_year, data_dir=data_dir)
    by_lsoa["ward_code"] = by_lsoa["lsoa_code"].map(geo.lsoa_wards(lsoa_year, LEEDS, data_dir).set_index(
        "lsoa_code")["ward_code"])
    by_lsoa["cluster_id"] = by_lsoa["lsoa_code"].map(pn.lsoas.set_index("lsoa_code")["cluster_id"])
    return {
        "staff_by_ward": geo.staff_rates(resident, "leeds", "ward", data_dir=data_dir),
        "staff_by_lsoa": by_lsoa,
        "staff_by_ward_and_anchor": per_anchor,
        "staff_in_most_deprived_by_anchor": geo.staff_in_most_deprived(resident, edition, data_dir).rename(
            columns={"staff_in_most_deprived": "count"}),
        "staff_in_priority_neighbourhoods": geo.staff_in_priority_neighbourhoods(resident, pn, data_dir=data_dir),
        "staff_in_priority_neighbourhoods_by_anchor": pn_anchor.groupby(["year", "anchor_id"],
                                                                        as_index=False)["count"].sum(),
    }


def _check_published(name: str, published: pd.DataFrame, truth: pd.DataFrame, threshold: int) -> None:
    groups, column = geo.STAFF_TABLES[name]
    if name == "staff_by_ward_and_anchor":
        # a two-way table: ward totals (over anchors) and anchor totals (over wards) are both published
        for keys in (["year", "anchor_id"], ["year", "ward_code"]):
            totals = truth.groupby(keys)["count"].sum()
            assert_no_small_counts(published, column, threshold, keys, totals)
    else:
        totals = truth.groupby(["year"])["count"].sum()
        assert_no_small_counts(published, column, threshold, ["year"], totals)
    if name == "staff_by_lsoa":  # ward and neighbourhood totals are published in other tables
        for keys in (["year", "ward_code"], ["year", "cluster_id"]):
            inside = published.dropna(subset=[keys[1]])
            assert_no_small_counts(inside, column, threshold, keys, truth.groupby(keys)["count"].sum())
    shown = published.dropna(subset=[column])
    assert ((shown[column] == 0) | (shown[column] >= threshold)).all()
    if "rate_per_1000" in published.columns:
        assert published.loc[published[column].isna(), "rate_per_1000"].isna().all()


@pytest.mark.parametrize(("year", "edition"), [(2023, 2019), (2019, 2025)])
def test_published_staff_tables_reveal_no_small_count(public_data_dir: Path, residence: pd.DataFrame,
                                                      neighbourhoods, place, tmp_path: Path, year: int,
                                                      edition: int) -> None:
    pn = neighbourhoods[edition]
    tables = geo.staff_tables(residence, year, edition, pn, place, public_data_dir)
    assert set(tables) == set(geo.STAFF_TABLES)
    truth = _true_tables(residence, year, edition, pn, public_data_dir)
    assert (tables["staff_by_ward_and_anchor"]["suppressed"] != "").any(), "the demo has small anchor-ward counts"
    # check what is written, read back as a reader of the CSV files would
    write_tables(tables, tmp_path)
    pattern = re.compile(rf"\b{POSTCODE_PATTERN}\b")
    for name in tables:
        text = (tmp_path / f"{name}.csv").read_text(encoding="utf-8")
        assert not pattern.search(text), f"{name}.csv contains a postcode"
        written = pd.read_csv(tmp_path / f"{name}.csv", dtype={"suppressed": "str"}, keep_default_na=False,
                              na_values=[""])
        _check_published(name, written, truth[name], place.disclosure_threshold)


def test_publish_counts_protects_cells_within_other_published_groups(place) -> None:
    table = pd.DataFrame({"year": 2023, "ward_code": ["A", "A", "A", "B", "B"], "count": [3, 50, 60, 4, 70]})
    alone = publish_counts(table, place)
    ward_b = alone[alone["ward_code"] == "B"]
    assert ward_b["count"].isna().sum() == 1, "year-level suppression alone leaves ward B's 4 recoverable"
    published = publish_counts(table, place, also_groups=[["year", "ward_code"]])
    ward_totals = table.groupby(["year", "ward_code"])["count"].sum()
    assert_no_small_counts(published, "count", 10, ["year", "ward_code"], ward_totals)
    assert_no_small_counts(published, "count", 10, ["year"], table.groupby(["year"])["count"].sum())
    assert published["suppressed"].tolist() == ["primary", "secondary", "", "primary", "secondary"]


def test_publish_counts_blanks_rates_of_withheld_counts(place) -> None:
    table = pd.DataFrame({"year": 2023, "ward_code": list("ABCD"), "count": [3, 40, 12, 25],
                          "rate_per_1000": [0.3, 4.0, 1.2, 2.5]})
    published = publish_counts(table, place)
    assert published["count"].isna().tolist() == [True, False, True, False]
    assert published["rate_per_1000"].isna().tolist() == [True, False, True, False]
    assert published["suppressed"].tolist() == ["primary", "", "secondary", ""]


# --- spend landing and sites --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger_lines(public_data_dir: Path, demo_dir: Path) -> pd.DataFrame:
    ledger = processed_network(demo_dir).ledger
    return geo.influenceable_lines(ledger[ledger["year"] == 2023], public_data_dir)


def test_spend_by_ward_and_priority_neighbourhoods(public_data_dir: Path, ledger_lines: pd.DataFrame,
                                                   neighbourhoods) -> None:
    assert ledger_lines["influenceable"].all()
    wards = geo.spend_by_ward(ledger_lines, "leeds", public_data_dir)
    assert (wards.groupby("year").size() == 33).all()
    totals = wards.attrs["totals"]
    assert wards.groupby("year")["spend"].sum().to_numpy() == pytest.approx(totals["in_place"].to_numpy())
    assert (totals[["in_place", "elsewhere", "not_located"]].sum(axis=1)).to_numpy() == pytest.approx(
        totals["total"].to_numpy())
    in_leeds = ledger_lines.loc[ledger_lines["ring"].astype(str) == "leeds", "amount"].groupby(
        ledger_lines["year"]).sum()
    assert totals["in_place"].to_numpy() == pytest.approx(in_leeds.to_numpy())  # agrees with spend's rings
    lines_in_leeds = ledger_lines.loc[ledger_lines["ring"].astype(str) == "leeds", "lines"].sum()
    assert wards["n_lines"].sum() == lines_in_leeds  # ledger lines, not supplier-level rows
    for edition, pn in neighbourhoods.items():
        landed = geo.spend_in_priority_neighbourhoods(ledger_lines, pn, public_data_dir)
        assert len(landed) == len(pn.clusters) * ledger_lines["year"].nunique()
        assert 0 <= landed["spend"].sum() <= totals["in_place"].sum(), edition


def test_locate_suppliers_without_the_spend_module(public_data_dir: Path) -> None:
    ledger = pd.DataFrame({"anchor_id": "a", "payment_date": pd.to_datetime(["2023-04-03", "2024-03-31",
                                                                               "2023-06-01", "2023-07-01"]),
                           "amount": [100.0, 50.0, 25.0, 10.0], "supplier_id": ["S1", "S2", "S3", "S4"],
                           "supplier_postcode": ["ls11ur", "M1 1AE", "", "LS1"]})
    located = geo.locate_suppliers(ledger, public_data_dir)
    assert located["year"].tolist() == [2023, 2023, 2023, 2023]
    assert located["supplier_ward_name"].tolist()[0] == "Little London & Woodhouse"
    assert located["supplier_lad_code"].tolist() == [LEEDS, geo.OUTSIDE_LOOKUP, geo.UNKNOWN_AREA, geo.UNKNOWN_AREA]


def test_site_locations(public_data_dir: Path, demo_dir: Path) -> None:
    sites = pd.read_csv(demo_dir / "sites.csv", dtype="str")
    points = geo.site_locations(pd.concat([sites, pd.DataFrame({"anchor_id": ["x"], "site_name": ["Nowhere"],
                                                                "postcode": ["ZZ9 9ZZ"]})]), public_data_dir)
    assert "postcode" not in points.columns
    assert points.crs.to_epsg() == 27700
    assert points["located"].tolist() == [True] * len(sites) + [False]
    outline = public.load_lad_boundaries("place", data_dir=public_data_dir).geometry.iloc[0]
    assert points[points["located"]].within(outline.buffer(500)).all()
