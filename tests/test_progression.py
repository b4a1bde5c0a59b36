"""Progression Framework analysis: scores, overview (and the published 2019/20 table), trajectories, benchmarking,
priorities; edge cases and property tests."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anchor_analysis.analysis import progression as P
from anchor_analysis.core import load_framework
from anchor_analysis.core.errors import NoReturnsError
from anchor_analysis.publish import anonymise as A

REPO = Path(__file__).resolve().parents[1]
DEMO_CANDIDATES = (REPO / "data" / "raw" / "demo", Path("/tmp/demo_preview"))
FW = load_framework()
ACTIVITIES = list(FW.activities[["dimension", "activity"]].itertuples(index=False, name=None))
COLUMNS = ["year", "anchor_id", "dimension", "activity", "current", "ambition", "priority", "comment"]

# Seed 003, "Progression Framework Results Overview" (2019/20, "Table based on PF review scores from 7 anchors").
PUBLISHED_2019 = pd.DataFrame(
    [("employment", "Employer", 3.1, 3.7, 0.6), ("procurement", "Procurement", 1.7, 2.7, 1.0),
     ("environment_assets", "Bricks & Mortar", 2.5, 3.1, 0.6),
     ("service_delivery", "Service Delivery", 2.7, 3.8, 1.1), ("civic", "Corporate & Civic", 2.8, 3.7, 0.9)],
    columns=["dimension", "published_label", "current", "ambition", "stretch"])


def frame(rows) -> pd.DataFrame:
    """Progression rows from (year, anchor, activity, current, ambition[, priority]) tuples."""
    dims = dict((a, d) for d, a in ACTIVITIES)
    out = []
    for r in rows:
        year, anchor, activity, current, ambition = r[:5]
        priority = r[5] if len(r) > 5 else None
        out.append((year, anchor, dims[activity], activity, current, ambition, priority, None))
    return pd.DataFrame(out, columns=COLUMNS)


def full_return(year: int, anchor: str, current: int = 2, ambition: int = 3, priority: str | None = "medium"):
    return [(year, anchor, act, current, ambition, priority) for _, act in ACTIVITIES]


@pytest.fixture(scope="module")
def demo():
    """The demo network: through the kit's loader when it exists, else the CSVs read with pandas."""
    folder = next((d for d in DEMO_CANDIDATES if (d / "progression.csv").exists()), None)
    if folder is None:
        pytest.skip("no demo network in data/raw/demo or /tmp/demo_preview")
    try:
        from anchor_analysis.contracts import load_network
    except ImportError:  # the loader is not there yet: plain CSVs (int64 levels)
        return SimpleNamespace(progression=pd.read_csv(folder / "progression.csv"),
                               anchors=pd.read_csv(folder / "anchors.csv"), synthetic=True)
    return load_network(folder)


@pytest.fixture(scope="module")
def demo_csv():
    folder = next((d for d in DEMO_CANDIDATES if (d / "progression.csv").exists()), None)
    if folder is None:
        pytest.skip("no demo network in data/raw/demo or /tmp/demo_preview")
    return pd.read_csv(folder / "progression.csv")


# --- the published 2019/20 table (seed 003) -------------------------------------------------------------------

def test_demo_2019_reproduces_the_published_overview_exactly(demo):
    ov = P.network_overview(demo.progression, 2019, published_rounding=True)
    assert ov.columns.tolist() == ["year", "dimension", "label", "published_label", "n_reporting", "current",
                                   "ambition", "stretch"]
    assert ov["n_reporting"].tolist() == [7] * 5  # "PF review scores from 7 anchors"
    pd.testing.assert_frame_equal(ov[PUBLISHED_2019.columns].reset_index(drop=True), PUBLISHED_2019)


def test_demo_2019_combined_target_is_2_75_to_3_75(demo):
    ov = P.network_overview(demo.progression, 2019, published_rounding=True)
    assert P.combined_target(ov) == (2.75, 3.75)
    assert P.combined_target(ov, ("service_delivery", "civic")) == (2.75, 3.75)


def test_demo_2019_high_ambition_high_priority_is_the_published_pair(demo):
    chosen = P.high_ambition_high_priority(demo.progression, 2019)
    assert chosen["dimension"].tolist() == ["service_delivery", "civic"]
    assert "combined, from a current level of 2.75 to an ambition of 3.75" in P.describe_focus(
        demo.progression, 2019)


def test_published_rounding_is_half_up_on_exact_means():
    # current: anchors 1, 1, 1, 1.25, 1.5 -> exactly 1.15, stored in binary as 1.1499999...;
    # ambition: anchors 2, 2, 2, 2.5, 2.75 -> exactly 2.25, which banker's rounding takes down to 2.2
    levels = {"a": ([1, 1, 1, 1], [2, 2, 2, 2]), "b": ([1, 1, 1, 1], [2, 2, 2, 2]), "c": ([1, 1, 1, 1], [2, 2, 2, 2]),
              "d": ([1, 1, 1, 2], [2, 2, 3, 3]), "e": ([1, 1, 2, 2], [2, 3, 3, 3])}
    employment = [act for dim, act in ACTIVITIES if dim == "employment"]
    p = frame([(2020, anchor, act, c, a) for anchor, (cur, amb) in levels.items()
               for act, c, a in zip(employment, cur, amb, strict=True)])
    exact = P.network_overview(p, 2020).set_index("dimension").loc["employment"]
    assert (exact["current"], exact["ambition"]) == (pytest.approx(1.15), 2.25)
    assert round(float(exact["current"]), 1) == 1.1 and round(2.25, 1) == 2.2  # the traps avoided
    pub = P.network_overview(p, 2020, published_rounding=True).set_index("dimension").loc["employment"]
    assert (pub["current"], pub["ambition"], pub["stretch"]) == (1.2, 2.3, 1.1)


def test_round_half_up():
    assert P.round_half_up(2.25) == Decimal("2.3")
    assert P.round_half_up(2.35) == Decimal("2.4")  # binary 2.35 is 2.34999..., read as written
    assert P.round_half_up(Fraction(23, 20)) == Decimal("1.2")
    assert P.round_half_up(Fraction(-9, 4)) == Decimal("-2.3")
    assert P.round_half_up(2.725, 2) == Decimal("2.73")
    assert P.round_half_up(3) == Decimal("3.0")


def test_combined_target_errors():
    ov = pd.DataFrame({"dimension": ["civic"], "current": [2.0], "ambition": [np.nan]})
    with pytest.raises(ValueError, match="not in the overview"):
        P.combined_target(ov)
    with pytest.raises(ValueError, match="no ambition score"):
        P.combined_target(ov, ["civic"])
    with pytest.raises(ValueError, match="at least one"):
        P.combined_target(ov, [])


# --- dimension scores -----------------------------------------------------------------------------------------

def test_partial_assessment_gets_a_score_with_its_count():
    p = frame([(2021, "a", "recruitment", 2, 4), (2021, "a", "pay_and_conditions", 3, 3),
               (2021, "a", "social_value", 1, 2)])
    s = P.dimension_scores(p).set_index("dimension")
    assert len(s) == len(FW.dimension_keys)
    emp = s.loc["employment"]
    assert (emp["current"], emp["ambition"], emp["stretch"]) == (2.5, 3.5, 1.0)
    assert (emp["n_activities_assessed"], emp["n_activities_framework"]) == (2, 4)
    assert s.loc["procurement", "n_activities_assessed"] == 1
    civic = s.loc["civic"]
    assert civic["n_activities_assessed"] == 0 and pd.isna(civic["current"]) and pd.isna(civic["stretch"])


def test_a_missing_level_is_not_assessed_never_zero():
    p = frame([(2021, "a", "recruitment", 2, 4), (2021, "a", "pay_and_conditions", None, 3)])
    emp = P.dimension_scores(p).set_index("dimension").loc["employment"]
    assert (emp["current"], emp["ambition"], emp["n_activities_assessed"]) == (2.0, 4.0, 1)


@pytest.mark.parametrize("dtype", ["int64", "float64", "Int64", "Float64", "object"])
def test_level_and_year_dtypes_do_not_matter(dtype):
    base = frame(full_return(2022, "a", 2, 3) + full_return(2022, "b", 3, 4))
    expected = P.network_overview(base, 2022)
    other = base.copy()
    for col in ("current", "ambition"):
        other[col] = other[col].astype(dtype)
    other["year"] = other["year"].astype("Int64" if dtype in ("Int64", "Float64") else "int64")
    pd.testing.assert_frame_equal(P.network_overview(other, 2022), expected)
    pd.testing.assert_frame_equal(P.network_overview(other, 2022, published_rounding=True),
                                  P.network_overview(base, 2022, published_rounding=True))


def test_clear_errors_for_bad_tables():
    p = frame([(2021, "a", "recruitment", 2, 4)])
    with pytest.raises(ValueError, match="lacks column"):
        P.dimension_scores(p.drop(columns="ambition"))
    bad = p.assign(dimension="wellbeing")
    with pytest.raises(ValueError, match="dimension.*not in the framework"):
        P.dimension_scores(bad)
    with pytest.raises(ValueError, match="activities not in the framework"):
        P.dimension_scores(p.assign(activity="social_value"))  # a procurement activity under employment
    with pytest.raises(ValueError, match="duplicate rows"):
        P.dimension_scores(pd.concat([p, p]))


# --- overview -----------------------------------------------------------------------------------------------------

def test_a_year_with_no_returns_is_a_clear_error():
    p = frame(full_return(2020, "a") + full_return(2022, "a"))
    for call in (lambda: P.network_overview(p, 2021), lambda: P.network_overview(p, 2021, published_rounding=True),
                 lambda: P.benchmark(p, 2021), lambda: P.priorities(p, 2021),
                 lambda: P.high_ambition_high_priority(p, 2021), lambda: P.describe_year(p, 2021)):
        with pytest.raises(NoReturnsError, match=r"no progression returns for 2021/22"):
            call()
    with pytest.raises(ValueError, match="returns exist for 2020/21, 2022/23"):
        P.network_overview(p, "2021/22")
    with pytest.raises(NoReturnsError, match="no progression returns for 2019/20"):
        P.network_trajectory(p, like_for_like=True, base_year=2019)


def test_year_accepts_the_financial_year_label():
    p = frame(full_return(2023, "a"))
    pd.testing.assert_frame_equal(P.network_overview(p, "2023/24"), P.network_overview(p, 2023))


def test_a_dimension_nobody_assessed_stays_with_n_zero():
    p = frame([(2021, a, act, 2, 3) for a in ("a", "b") for d, act in ACTIVITIES if d != "civic"])
    ov = P.network_overview(p, 2021).set_index("dimension")
    assert ov.index.tolist() == FW.dimension_keys
    assert ov.loc["civic", "n_reporting"] == 0
    assert ov.loc["civic", ["current", "ambition", "stretch", "current_median", "ambition_max"]].isna().all()
    pub = P.network_overview(p, 2021, published_rounding=True).set_index("dimension")
    assert pub.loc["civic", "n_reporting"] == 0 and pub.loc["civic", ["current", "stretch"]].isna().all()
    assert "Not assessed by any anchor this year: Corporate and civic." in P.describe_year(p, 2021)
    pr = P.priorities(p, 2021).set_index("dimension")
    assert pd.isna(pr.loc["civic", "stretch_rank"]) and pr.index[-1] == "civic"


def test_overview_spread_uses_the_anchors_dimension_scores():
    p = frame([(2021, a, "civic_partnerships", c, 4) for a, c in zip("abcde", [1, 2, 2, 3, 4], strict=True)])
    row = P.network_overview(p, 2021).set_index("dimension").loc["civic"]
    assert row["n_reporting"] == 5
    assert (row["current_min"], row["current_q1"], row["current_median"], row["current_q3"],
            row["current_max"]) == (1, 2, 2, 3, 4)
    assert row["current"] == pytest.approx(2.4) and row["stretch"] == pytest.approx(1.6)


def test_a_single_anchor_year():
    p = frame(full_return(2020, "a", 2, 3) + full_return(2021, "a", 3, 3) + full_return(2021, "b", 1, 4))
    ov = P.network_overview(p, 2020)
    assert ov["n_reporting"].tolist() == [1] * 5
    assert (ov["current_q1"] == 2).all() and (ov["current_q3"] == 2).all() and (ov["stretch"] == 1).all()
    b = P.benchmark(p, 2020)
    assert set(b["position"]) == {"at median"}
    assert P.describe_year(p, 2020).startswith("In 2020/21, 1 anchor returned")


# --- trajectories ---------------------------------------------------------------------------------------------

def test_trajectory_over_a_skipped_year_is_flagged_not_invented():
    p = frame(full_return(2019, "a", 1, 3) + full_return(2020, "a", 2, 3) + full_return(2022, "a", 3, 4)
              + full_return(2019, "b", 2, 2) + full_return(2020, "b", 2, 3))
    t = P.trajectories(p)
    a = t[(t["anchor_id"] == "a") & (t["dimension"] == "civic")].set_index("year")
    assert a.index.tolist() == [2019, 2020, 2022]  # no 2021 row is made up
    assert pd.isna(a.loc[2019, "compared_with"]) and pd.isna(a.loc[2019, "current_change"])
    assert pd.isna(a.loc[2019, "current_change_since_first"])
    assert (a.loc[2020, "compared_with"], a.loc[2020, "gap_years"]) == (2019, 0)
    assert (a.loc[2022, "compared_with"], a.loc[2022, "gap_years"]) == (2020, 1)
    assert a.loc[2022, "current_change"] == 1 and a.loc[2022, "current_change_since_first"] == 2
    assert a.loc[2022, "ambition_change"] == 1 and (a["first_year"] == 2019).all()
    # until: the report year's view of history
    assert P.trajectories(p, until=2020)["year"].max() == 2020


def test_an_anchor_that_left_the_network():
    anchors = pd.DataFrame({"anchor_id": ["a", "b"], "name": ["Alpha Trust", "Beta College"],
                            "sector": ["nhs", "fe_college"], "joined_year": [2018, 2018], "left_year": [2021, None]})
    p = frame(full_return(2019, "a", 2, 3) + full_return(2020, "a", 3, 4)
              + full_return(2019, "b", 1, 2) + full_return(2020, "b", 1, 2) + full_return(2021, "b", 2, 2))
    t = P.trajectories(p)
    assert t.loc[t["anchor_id"] == "a", "year"].max() == 2020
    assert P.network_overview(p, 2021)["n_reporting"].tolist() == [1] * 5
    b2020 = P.benchmark(p, 2020, anchors=anchors)
    assert set(b2020["anchor"]) == {"Alpha Trust", "Beta College"}
    b2021 = P.benchmark(p, 2021, anchors=anchors)
    assert set(b2021["anchor"]) == {"Beta College"}
    # its code stays reserved: Beta is "Anchor B" in every year, with or without Alpha reporting
    assert set(P.benchmark(p, 2021, anchors=anchors, anonymise=True)["anchor"]) == {"Anchor B"}
    lfl = P.network_trajectory(p, like_for_like=True)
    assert lfl.loc[lfl["year"] == 2021, "n_reporting"].tolist() == [1] * 5


def test_network_trajectory_all_reporters_and_like_for_like():
    p = frame(full_return(2019, "a", 1, 2) + full_return(2019, "b", 3, 4)
              + full_return(2020, "a", 2, 3) + full_return(2020, "c", 4, 4))
    nt = P.network_trajectory(p).query("dimension == 'employment'").set_index("year")
    assert nt["n_reporting"].tolist() == [2, 2]
    assert nt["current"].tolist() == [2.0, 3.0]
    lfl = P.network_trajectory(p, like_for_like=True).query("dimension == 'employment'").iloc[0]
    assert (lfl["year"], lfl["compared_with"], lfl["n_reporting"]) == (2020, 2019, 1)
    assert (lfl["compared_current"], lfl["current"], lfl["current_change"]) == (1.0, 2.0, 1.0)
    base = P.network_trajectory(p, like_for_like=True, base_year=2019)
    assert base["compared_with"].unique().tolist() == [2019]
    assert P.network_trajectory(frame(full_return(2019, "a")), like_for_like=True).empty
    assert "Employment +1.00" in P.describe_change(p, 2020)
    assert "first year" in P.describe_change(p, 2019)


# --- benchmarking -------------------------------------------------------------------------------------------

def test_benchmark_positions_and_names():
    anchors = pd.DataFrame({"anchor_id": list("abcde"), "name": [f"Org {x.upper()}" for x in "abcde"]})
    p = frame([(2021, a, "civic_partnerships", c, 4) for a, c in zip("abcde", [1, 2, 2, 3, 4], strict=True)])
    b = P.benchmark(p, 2021, anchors=anchors).set_index("anchor_id")
    assert b.loc["a", "anchor"] == "Org A"
    assert b["position"].to_dict() == {"a": "below lower quartile", "b": "at median", "c": "at median",
                                       "d": "above median", "e": "above upper quartile"}
    assert (b["network_median"] == 2).all() and (b["n_reporting"] == 5).all()
    assert P.position_label(2.5, 2, 2, 3) == "above median" and P.position_label(1.5, 1, 2, 3) == "below median"
    act = P.benchmark(p, 2021, by="activity")
    assert act["activity"].unique().tolist() == ["civic_partnerships"]
    with pytest.raises(ValueError, match="'dimension' or 'activity'"):
        P.benchmark(p, 2021, by="anchor")
    with pytest.raises(ValueError, match="not in the anchors table"):
        P.benchmark(p, 2021, anchors=anchors.iloc[:2])


def test_anonymised_codes_are_stable_across_tables_and_years(demo):
    prog, anchors = demo.progression, demo.anchors
    codes = A.anchor_labels(prog["anchor_id"], anchors, anonymise=True)
    assert list(codes.values())[:2] == ["Anchor A", "Anchor B"]
    assert list(codes) == sorted(codes)
    for year in (2019, 2023):
        b = P.benchmark(prog, year, anchors=anchors, anonymise=True)
        assert "anchor_id" not in b.columns and "name" not in b.columns
        named = P.benchmark(prog, year, anchors=anchors)
        assert (named["anchor_id"].map(codes) == b["anchor"]).all()  # same rows, same order of codes
    scores = A.label_anchors(P.dimension_scores(prog, until=2019), anchors, anonymise=True)
    raw = P.dimension_scores(prog, until=2019)
    assert (raw["anchor_id"].map(codes) == scores["anchor"]).all()
    assert A.anonymous_code(26) == "Anchor AA"


# --- priorities ---------------------------------------------------------------------------------------------

def test_ties_share_a_rank_and_keep_framework_order():
    # every dimension: stretch 1 and all priorities high -> all tie at rank 1, rows in framework order
    p = frame(full_return(2021, "a", 2, 3, "high"))
    pr = P.priorities(p, 2021)
    assert pr["stretch_rank"].tolist() == [1] * 5 and pr["priority_rank"].tolist() == [1] * 5
    assert pr["dimension"].tolist() == FW.dimension_keys
    # one dimension pulled ahead: competition ranking 1, 2, 2, 2, 2
    p.loc[p["dimension"] == "civic", "ambition"] = 4
    pr = P.priorities(p, 2021)
    assert pr["dimension"].tolist()[0] == "civic"
    assert pr["stretch_rank"].tolist() == [1, 2, 2, 2, 2]
    assert pr["dimension"].tolist()[1:] == [d for d in FW.dimension_keys if d != "civic"]


def test_priority_shares_and_counts():
    p = frame([(2021, "a", "local_supply_chains", 1, 3, "high"), (2021, "a", "social_value", 2, 3, "low"),
               (2021, "b", "local_supply_chains", 2, 3, "high"), (2021, "b", "social_value", 2, 3, None),
               (2021, "c", "local_supply_chains", 2, 2, "medium")])
    dim = P.priorities(p, 2021).set_index("dimension").loc["procurement"]
    # per anchor: a 1/2, b 1/1 (b's unstated priority is not counted), c 0/1 -> mean 0.5
    assert (dim["n_reporting"], dim["n_priority_stated"], dim["n_high"]) == (3, 3, 2)
    assert dim["high_priority_share"] == pytest.approx(0.5)
    act = P.priorities(p, 2021, by="activity").set_index("activity")
    assert (act.loc["local_supply_chains", "n_high"], act.loc["local_supply_chains", "n_priority_stated"]) == (2, 3)
    assert act.loc["social_value", "n_priority_stated"] == 1
    without = P.priorities(p.drop(columns="priority"), 2021)
    assert without["high_priority_share"].isna().all() and (without["n_priority_stated"] == 0).all()


def test_high_ambition_high_priority_rule():
    rows = []
    for anchor in ("a", "b"):
        rows += [(2021, anchor, act, 2, amb, prio) for (dim, act) in ACTIVITIES
                 for amb, prio in [{"civic": (4, "high"), "service_delivery": (4, "low"),
                                    "procurement": (3, "high")}.get(dim, (2, "low"))]]
    chosen = P.high_ambition_high_priority(frame(rows), 2021)
    assert chosen["dimension"].tolist() == ["civic"]
    assert {"ambition_cutoff", "priority_cutoff"} <= set(chosen.columns)
    everything = P.high_ambition_high_priority(frame(rows), 2021, quantile=0.0)
    assert everything["dimension"].tolist() == FW.dimension_keys
    with pytest.raises(ValueError, match="quantile"):
        P.high_ambition_high_priority(frame(rows), 2021, quantile=2)


def test_demo_every_year_runs_and_counts_reporters(demo, demo_csv):
    prog = demo.progression
    for year in sorted(prog["year"].unique()):
        ov = P.network_overview(prog, int(year))
        n_anchors = prog.loc[prog["year"] == year, "anchor_id"].nunique()
        assert ov["n_reporting"].max() == n_anchors
        assert P.describe_year(prog, int(year)).startswith(f"In {int(year)}/")
        pd.testing.assert_frame_equal(ov, P.network_overview(demo_csv, int(year)))  # loader dtypes == pandas


# --- property tests ---------------------------------------------------------------------------------------------

@st.composite
def one_year(draw, year: int = 2022, max_anchors: int = 5) -> pd.DataFrame:
    n = draw(st.integers(1, max_anchors))
    rows = []
    for i in range(n):
        picks = draw(st.lists(st.tuples(st.booleans(), st.integers(1, 4), st.integers(0, 3),
                                        st.sampled_from(["high", "medium", "low", None])),
                              min_size=len(ACTIVITIES), max_size=len(ACTIVITIES)))
        if not any(keep for keep, *_ in picks):
            picks[0] = (True, *picks[0][1:])
        for (_, act), (keep, current, up, prio) in zip(ACTIVITIES, picks, strict=True):
            if keep:
                rows.append((year, f"anchor_{i}", act, current, min(current + up, 4), prio))
    return frame(rows)


PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(one_year())
def test_property_stretch_is_never_negative(p):
    s = P.dimension_scores(p)
    assert (s["stretch"].dropna() >= 0).all()
    ov = P.network_overview(p, 2022)
    assert (ov["stretch"].dropna() >= 0).all()
    assert (P.network_overview(p, 2022, published_rounding=True)["stretch"].dropna() >= 0).all()


@PROPERTY
@given(one_year())
def test_property_network_mean_lies_between_min_and_max(p):
    ov = P.network_overview(p, 2022).dropna(subset=["current"])
    for col in ("current", "ambition"):
        assert (ov[f"{col}_min"] - 1e-12 <= ov[col]).all() and (ov[col] <= ov[f"{col}_max"] + 1e-12).all()
        assert (ov[f"{col}_q1"] <= ov[f"{col}_median"] + 1e-12).all()
        assert (ov[f"{col}_median"] <= ov[f"{col}_q3"] + 1e-12).all()
    pub = P.network_overview(p, 2022, published_rounding=True).dropna(subset=["current"]).set_index("dimension")
    exact = ov.set_index("dimension")
    assert ((pub["current"] - exact["current"]).abs() <= 0.05 + 1e-9).all()


@PROPERTY
@given(one_year())
def test_property_n_reporting_equals_distinct_anchors(p):
    ov = P.network_overview(p, 2022).set_index("dimension")
    for dim in FW.dimension_keys:
        assert ov.loc[dim, "n_reporting"] == p.loc[p["dimension"] == dim, "anchor_id"].nunique()
    nt = P.network_trajectory(p).set_index("dimension")
    assert (nt["n_reporting"] == ov["n_reporting"]).all()
    b = P.benchmark(p, 2022)
    assert (b.groupby("dimension")["anchor_id"].nunique() == b.groupby("dimension")["n_reporting"].first()).all()


@PROPERTY
@given(one_year(max_anchors=1))
def test_property_one_anchor_overview_equals_its_scores(p):
    scores = P.dimension_scores(p).set_index("dimension")
    ov = P.network_overview(p, 2022).set_index("dimension")
    for col in ("current", "ambition", "stretch"):
        pd.testing.assert_series_equal(ov[col], scores[col], check_names=False)
    for stat in ("min", "q1", "median", "q3", "max"):
        pd.testing.assert_series_equal(ov[f"current_{stat}"], scores["current"], check_names=False)
    assert set(ov["n_reporting"]) <= {0, 1}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_year())
def test_property_float_levels_give_the_same_answers(p):
    as_float = p.astype({"current": "float64", "ambition": "float64"})
    pd.testing.assert_frame_equal(P.network_overview(as_float, 2022), P.network_overview(p, 2022))
    pd.testing.assert_frame_equal(P.priorities(as_float, 2022), P.priorities(p, 2022))


def test_publishable_tables_carry_codes_for_every_anchor_id_when_anonymised():
    anchors = pd.DataFrame({"anchor_id": ["uni", "trust", "council"], "name": ["Uni", "Trust", "Council"]})
    table = pd.DataFrame({"anchor_id": ["trust", "uni"], "reporting": ["council, trust", ""],
                          "imputed": [["uni"], []], "value": [1, 2]})
    assert A.publishable_table(table, anchors) is table  # not anonymised: as it was
    out = A.publishable_table(table, anchors, anonymise=True)
    assert out.columns.tolist() == ["anchor", "reporting", "imputed", "value"]
    assert out["anchor"].tolist() == ["Anchor B", "Anchor C"]  # codes in sorted anchor_id order
    assert out["reporting"].tolist() == ["Anchor A, Anchor B", ""]
    assert out["imputed"].tolist() == [["Anchor C"], []]
    assert table["anchor_id"].tolist() == ["trust", "uni"]  # the input is left alone
