"""The synthetic demo networks: determinism, labelling, internal consistency and the published aggregates.

The aggregate checks here recompute each figure directly from the committed files with plain pandas; the
published-figures reproduction (anchor_analysis.analysis.published) later recomputes them through the library itself.
Three networks ship, each from its targets file (anchor_analysis/data/demo/): Leeds (data/raw/demo), Birmingham
(data/raw/demo-birmingham) and the West Midlands (data/raw/demo-west-midlands).
"""

from __future__ import annotations

import filecmp
import tomllib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anchor_analysis.demo import available_demo_networks, largest_remainder, load_demo_targets, write_demo_network
from conftest import REPO

LEEDS = load_demo_targets("leeds")
NETWORKS = available_demo_networks()


@pytest.fixture(scope="module")
def demo(demo_dir):
    metrics = pd.read_csv(demo_dir / "metrics.csv")
    wide = metrics.pivot_table(index=["year", "anchor_id"], columns="metric", values="value", aggfunc="first")
    return {
        "anchors": pd.read_csv(demo_dir / "anchors.csv"),
        "progression": pd.read_csv(demo_dir / "progression.csv"),
        "metrics": metrics,
        "wide": wide,
        "residence": pd.read_csv(demo_dir / "staff_residence.csv"),
    }


@given(st.integers(0, 10_000), st.lists(st.floats(0.001, 1000), min_size=1, max_size=40))
def test_largest_remainder_sums_and_stays_within_one_of_quota(total, weights):
    counts = largest_remainder(total, np.array(weights))
    assert counts.sum() == total
    quotas = np.array(weights) / sum(weights) * total
    assert np.all(np.abs(counts - quotas) < 1 + 1e-9)


@pytest.mark.parametrize("network", NETWORKS)
def test_generator_is_deterministic_and_matches_committed_files(network, tmp_path, public_data_dir):
    targets = load_demo_targets(network)
    committed = REPO / targets.folder
    first, second = tmp_path / "a", tmp_path / "b"
    write_demo_network(first, data_dir=public_data_dir, network=network)
    write_demo_network(second, data_dir=public_data_dir, network=network)
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(committed).as_posix() for p in committed.rglob("*") if p.is_file())
    for name in names:
        assert filecmp.cmp(first / name, second / name, shallow=False), f"{name} differs between two runs"
        assert filecmp.cmp(first / name, committed / name, shallow=False), (
            f"{targets.folder}/{name} is stale: run `anchor-analysis demo-data --network {network}` and commit")


@pytest.mark.parametrize("network", NETWORKS)
def test_demo_is_labelled_synthetic(network):
    folder = REPO / load_demo_targets(network).folder
    meta = tomllib.loads((folder / "network.toml").read_text())
    assert meta["synthetic"] is True
    assert "SYNTHETIC" in meta["name"] and meta["description"].startswith("SYNTHETIC DATA")
    assert "**Every number in this folder is synthetic.**" in (folder / "README.md").read_text()


@pytest.mark.parametrize("network", NETWORKS)
def test_demo_is_small(network):
    files = [p for p in (REPO / load_demo_targets(network).folder).rglob("*") if p.is_file()]
    assert max(p.stat().st_size for p in files) < 5_000_000
    assert sum(p.stat().st_size for p in files) < 5_000_000


def test_membership(demo):
    anchors = demo["anchors"]
    left = anchors["left_year"]

    def members(year):
        return int(((anchors["joined_year"] <= year) & (left.isna() | (year < left))).sum())

    assert (members(2018), members(2019), members(2023)) == (9, 11, 14)
    assert anchors.groupby("sector").size().to_dict() == {
        "culture": 2, "fe_college": 2, "government": 1, "local_authority": 1, "nhs": 4, "university": 3,
        "utility": 1}
    assert anchors["name"].str.fullmatch(r"(NHS Trust|NHS Body|University|FE College|Local Authority|Water Utility|"
                                         r"Government Department|Cultural Body) [A-D]").all()


def test_progression_2019_matches_published_overview(demo):
    """Seed 003, 'Progression Framework Results Overview': 7 anchors, means to one decimal place."""
    p = demo["progression"]
    y = p[p["year"] == 2019]
    assert y["anchor_id"].nunique() == 7
    dims = y.groupby(["anchor_id", "dimension"])[["current", "ambition"]].mean().groupby("dimension").mean()
    published = {"employment": (3.1, 3.7), "procurement": (1.7, 2.7), "environment_assets": (2.5, 3.1),
                 "service_delivery": (2.7, 3.8), "civic": (2.8, 3.7)}
    for dim, (cur, amb) in published.items():
        assert abs(dims.at[dim, "current"] - cur) < 0.05 and abs(dims.at[dim, "ambition"] - amb) < 0.05, dim
    assert (p["ambition"] >= p["current"]).all()
    assert p["current"].between(1, 4).all() and p["ambition"].between(1, 4).all()
    assert set(p["year"]) == set(LEEDS.years)


def test_2023_workforce_matches_published(demo):
    y = demo["wide"].loc[2023]
    assert len(y) == 14
    assert 62_000 < y["headcount"].sum() < 62_500  # "over 62,000" (000) and "62,000" to the thousand (001)
    assert round(100 * y["staff_in_leeds"].sum() / y["headcount"].sum()) == 64
    assert round(y["staff_in_most_deprived"].sum(), -2) == 12_300


def test_spend_figures_match_published(demo):
    wide = demo["wide"]
    y23 = wide.loc[2023]
    assert round(y23["spend_leeds"].sum() / 1e6) == 511
    y19 = wide.loc[2019]
    assert y19["total_spend"].count() == 11 and y19["total_spend"].sum() > 2e9
    base = y19.dropna(subset=["spend_leeds"])
    assert len(base) == 6
    for col, target in (("spend_leeds", 48.0), ("spend_west_yorkshire", 52.5)):
        pooled = 100 * base[col].sum() / base["influenceable_spend"].sum()
        mean_of_shares = 100 * (base[col] / base["influenceable_spend"]).mean()
        assert round(pooled, 1) == target and round(mean_of_shares, 1) == target, col


def test_living_wage_10_of_11(demo):
    lw = demo["wide"].loc[2019, "living_wage"]
    assert lw.count() == 11 and lw.sum() == 10


def test_carbon_reduction_over_four_years(demo):
    wide = demo["wide"]
    s12 = (wide["scope1_tco2e"] + wide["scope2_tco2e"]).dropna()
    start, end = s12.loc[2019], s12.loc[2023]
    both = start.index.intersection(end.index)
    assert len(both) < len(end)  # like-for-like: anchors without a 2019/20 figure are left out
    assert round(start[both].sum() - end[both].sum(), -3) == 110_000


def test_residence_agrees_with_metrics_and_has_no_postcodes(demo, demo_dir):
    res = demo["residence"]
    assert list(res.columns) == ["year", "anchor_id", "lsoa_code", "count"]
    assert (res["count"] > 0).all()
    totals = res.groupby(["year", "anchor_id"])["count"].sum()
    wide = demo["wide"]
    assert (totals == wide.loc[totals.index, "headcount"]).all()
    assert "postcode" not in (demo_dir / "staff_residence.csv").read_text().splitlines()[0]


def test_every_anchor_spec_is_in_the_data(demo):
    assert sorted(demo["anchors"]["anchor_id"]) == sorted(a.anchor_id for a in LEEDS.anchors)
    assert set(demo["metrics"]["anchor_id"]) == {a.anchor_id for a in LEEDS.anchors}


# --- the Birmingham demo network (seed 004, Table 1) --------------------------------------------------------


@pytest.fixture(scope="module")
def birmingham():
    folder = REPO / "data" / "raw" / "demo-birmingham"
    metrics = pd.read_csv(folder / "metrics.csv")
    return {"folder": folder, "anchors": pd.read_csv(folder / "anchors.csv"), "metrics": metrics,
            "wide": metrics.pivot_table(index=["year", "anchor_id"], columns="metric", values="value",
                                        aggfunc="first")}


def test_birmingham_is_six_public_bodies_established_2019(birmingham):
    """Seed 004, Table 1: established 2019; 6 members; non-private institutions of over 250 employees and GBP 5m
    annual spend on goods and services."""
    anchors = birmingham["anchors"]
    assert len(anchors) == 6 and set(anchors["joined_year"]) == {2019} and anchors["left_year"].isna().all()
    assert not set(anchors["sector"]) & {"other", "utility"}
    wide = birmingham["wide"]
    assert (wide["headcount"] > 250).all() and (wide["total_spend"] > 5_000_000).all()
    assert wide.index.get_level_values("anchor_id").nunique() == 6


def test_birmingham_staff_and_suppliers_are_on_birmingham_postcodes(birmingham, public_data_dir):
    from anchor_analysis import public

    lookup = public.load_postcode_lookup(data_dir=public_data_dir, place="birmingham").set_index("postcode")
    sites = pd.read_csv(birmingham["folder"] / "sites.csv")
    assert (sites["postcode"].map(lookup["lad24_code"]) == "E08000025").all()
    residence = pd.read_csv(birmingham["folder"] / "staff_residence.csv")
    lad = residence["lsoa_code"].map(lookup.drop_duplicates("lsoa21_code").set_index("lsoa21_code")["lad24_code"])
    assert lad.notna().all()  # every LSOA is one of the West Midlands postcode areas'
    in_place = residence.assign(lad=lad.astype(str)).query("lad == 'E08000025'")["count"].sum()
    assert in_place / residence["count"].sum() > 0.5  # most staff live in Birmingham, as the returns say
    files = sorted((birmingham["folder"] / "ledger").glob("*.csv"))
    ledgers = pd.concat([pd.read_csv(path, keep_default_na=False) for path in files])
    located = ledgers["supplier_postcode"].map(lookup["lad24_code"]).astype(str)
    assert (located == "E08000025").mean() > 0.3
    assert not ledgers["supplier_postcode"].str.startswith(("LS", "BD", "WF", "HX", "HD")).any()


@pytest.mark.parametrize("network", NETWORKS)
def test_every_demo_network_validates(network, public_data_dir):
    from click.testing import CliRunner

    from anchor_analysis.cli import main

    result = CliRunner().invoke(main, ["validate", str(REPO / load_demo_targets(network).folder)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("0 errors")


# --- the West Midlands demo anchors (seed 004, the baseline) ------------------------------------------------


@pytest.fixture(scope="module")
def west_midlands():
    folder = REPO / "data" / "raw" / "demo-west-midlands"
    metrics = pd.read_csv(folder / "metrics.csv")
    return {"folder": folder, "anchors": pd.read_csv(folder / "anchors.csv"),
            "metrics": metrics[metrics["year"] == 2022]}


def test_west_midlands_anchors_cover_the_seven_authorities_and_the_sectors(west_midlands, public_data_dir):
    """Seed 004: 'approximately 60 anchor institutions, in sectors ranging from the local authorities and blue light
    services ...'; the issue: local authorities, NHS, blue light, universities, colleges, housing, culture."""
    from anchor_analysis import public
    from anchor_analysis.core import load_place

    anchors = west_midlands["anchors"]
    assert 55 <= len(anchors) <= 65 and (anchors["joined_year"] <= 2022).all()
    assert {"local_authority", "nhs", "blue_light", "university", "fe_college", "housing", "culture"} <= set(
        anchors["sector"])
    lookup = public.load_postcode_lookup(data_dir=public_data_dir, place="birmingham").set_index("postcode")
    sites = pd.read_csv(west_midlands["folder"] / "sites.csv")
    site_lads = set(sites["postcode"].map(lookup["lad24_code"]).astype(str))
    assert site_lads == set(load_place("birmingham").ring("west_midlands").lad_codes)


@pytest.mark.parametrize(("metrics", "total", "share"), [
    (["total_spend"], 10_200_000_000, 76),
    (["spend_west_midlands"], 3_700_000_000, 76),
    (["headcount"], 186_726, 85),
    (["land_ha"], 7_224, 40),
    (["scope1_tco2e", "scope2_tco2e"], 579_390.062, 42),
])
def test_west_midlands_baseline_agrees_with_seed_004(west_midlands, metrics, total, share):
    """Seed 004, 'What role do anchor institutions play in the West Midlands economy?', FY23 read as 2022/23:
    £10.2bn reported by 76%, £3.7bn of it in the West Midlands, 186,726 employees by 85%, 7,224 ha by 40%,
    579,390,062 kg CO2e of scope 1 and 2 by 42%."""
    rows = west_midlands["metrics"][west_midlands["metrics"]["metric"].isin(metrics)]
    reporters = rows.groupby("anchor_id")["metric"].nunique()
    reporters = reporters[reporters == len(metrics)].index
    value = rows[rows["anchor_id"].isin(reporters)]["value"].sum()
    assert round(value * 1000) == round(total * 1000)  # to the kilogram, the pound, the person, the 0.001 ha
    assert round(100 * len(reporters) / len(west_midlands["anchors"])) == share
