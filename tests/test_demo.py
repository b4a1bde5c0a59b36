"""The synthetic demo network: determinism, labelling, internal consistency and the published aggregates.

The aggregate checks here recompute each figure directly from the committed files with plain pandas; the
published-figures reproduction (anchor_analysis.analysis.published) later recomputes them through the library itself.
"""

from __future__ import annotations

import filecmp
import tomllib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anchor_analysis.demo import ANCHORS, YEARS, largest_remainder, write_demo_network


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


def test_generator_is_deterministic_and_matches_committed_files(tmp_path, public_data_dir, demo_dir):
    first, second = tmp_path / "a", tmp_path / "b"
    write_demo_network(first, seed=2019, data_dir=public_data_dir)
    write_demo_network(second, seed=2019, data_dir=public_data_dir)
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    for name in names:
        assert filecmp.cmp(first / name, second / name, shallow=False), f"{name} differs between two runs"
        assert filecmp.cmp(first / name, demo_dir / name, shallow=False), (
            f"data/raw/demo/{name} is stale: run `make demo-data` and commit")


def test_demo_is_labelled_synthetic(demo_dir):
    meta = tomllib.loads((demo_dir / "network.toml").read_text())
    assert meta["synthetic"] is True
    assert "SYNTHETIC" in meta["name"]
    assert "synthetic" in (demo_dir / "README.md").read_text().lower()


def test_demo_is_small(demo_dir):
    size = sum(p.stat().st_size for p in demo_dir.rglob("*") if p.is_file())
    assert size < 5_000_000


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
    assert set(p["year"]) == set(YEARS)


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
    assert sorted(demo["anchors"]["anchor_id"]) == sorted(a.anchor_id for a in ANCHORS)
    assert set(demo["metrics"]["anchor_id"]) == {a.anchor_id for a in ANCHORS}
