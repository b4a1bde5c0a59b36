"""Back test: every published figure is recomputed through the library and must match, or say why not.

The Leeds figures (seeds 000, 001, 003) on the Leeds demo network; seed 004's on the West Midlands demo anchors
and the Birmingham demo network, its Table 1 IMD rankings on the public data. Each mutation test changes one
definition the way a careless edit might, and shows the back test notices.
"""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from anchor_analysis.analysis import metrics as metrics_module
from anchor_analysis.analysis.progression import scores as progression_module
from anchor_analysis.analysis.published import (
    APART,
    CANNOT,
    DIFFERS,
    MATCHES,
    RULES,
    format_table,
    registry,
    reproduce,
    round_half_up,
    verdict,
)
from anchor_analysis.cli import main
from anchor_analysis.core import members
from anchor_analysis.derived import processed_network
from conftest import REPO


def test_registry_is_complete_and_well_formed():
    reg = registry()
    assert reg.index.is_unique
    assert set(reg["rule"]) <= set(RULES)
    assert reg["source"].str.contains(r"\d{3}_[0-9a-f]{16}\.txt|public data").all()
    assert all(isinstance(n, list) and n for n in reg["networks"])
    assert len(registry("leeds")) == 37 and not registry("leeds")["source"].str.startswith("004_").any()
    # contradictory statements of the same quantity are both recorded
    assert {"spend_leeds_2023", "spend_leeds_2023_over", "workforce_2023_over", "workforce_2023_rounded"} <= set(
        reg.index)
    assert len(reg[reg["computation"] == "pf_overview"]) == 15


@pytest.mark.parametrize(("computed", "published", "rule", "precision", "expected"), [
    (3.14, 3.1, "rounds_to", 0.1, MATCHES),
    (3.15, 3.1, "rounds_to", 0.1, DIFFERS),  # half up: 3.15 -> 3.2
    (0.5249, 0.525, "rounds_to", 0.001, MATCHES),
    (62_499, 62_000, "rounds_to", 1000, MATCHES),
    (62_500, 62_000, "rounds_to", 1000, DIFFERS),
    (2_000_000_001, 2e9, "over", 1, MATCHES),
    (2e9, 2e9, "over", 1, DIFFERS),
    (114, 114, "equals", 1, MATCHES),
    (float("nan"), 114, "equals", 1, CANNOT),
    (11_250_000_000, 10_500_000_000, "compare", 1e8, "apart: the kit's 7.1% above"),
    (848_925_897, 1e9, "compare", 1e9, "apart: the kit's 15.1% below, the same at published precision"),
    (10_500_000_000, 10_500_000_000, "compare", 1e8, "apart: the kit's 0.0% above, the same at published precision"),
])
def test_verdicts(computed, published, rule, precision, expected):
    assert verdict(computed, published, rule, precision) == expected


def test_round_half_up_is_not_bankers_rounding():
    assert round_half_up(2.25, 0.1) == 2.3 and round(2.25, 1) == 2.2
    assert round_half_up(0.125, 0.01) == 0.13


@pytest.fixture(scope="module")
def reproduction(public_data_dir, demo_dir):
    return reproduce(processed_network(demo_dir), public_data_dir)


def test_demo_network_reproduces_every_published_figure(reproduction):
    failures = reproduction[reproduction["verdict"] != MATCHES]
    assert failures.empty, format_table(failures)
    assert len(reproduction) == len(registry("leeds"))


def test_terminal_table_names_every_figure_left_aligned_and_cut_only_at_a_word(reproduction):
    header, *rows = format_table(reproduction).split("\n\n")[0].splitlines()
    assert header.startswith("figure ") and len(rows) == len(reproduction)
    for label, row in zip(reproduction["label"], rows, strict=True):
        shown = re.split(r"\s{2,}", row)[0]
        assert shown == label or (shown.endswith(" …") and label.startswith(shown[:-2] + " ")), (label, row)


def test_public_data_figure_is_recomputed_from_real_data(reproduction):
    row = reproduction.set_index("key").loc["leeds_lsoas_imd2019_decile1"]
    assert (row["computed"], row["verdict"]) == (114, MATCHES)


def _differing(result: pd.DataFrame) -> set[str]:
    return set(result.loc[result["verdict"] == DIFFERS, "key"])


def test_mutation_stretch_from_unrounded_means_is_caught(monkeypatch, public_data_dir, demo_dir):
    """Stretch as round(mean ambition - mean current) instead of rounded ambition - rounded current."""
    original = progression_module.network_overview

    def mutated(progression, year, *, published_rounding=False, **kwargs):
        table = original(progression, year, **kwargs)
        if published_rounding:
            table["stretch"] = [round_half_up(a - c, 0.1) for a, c in zip(table["ambition"], table["current"],
                                                                              strict=True)]
            table["current"] = [round_half_up(v, 0.1) for v in table["current"]]
            table["ambition"] = [round_half_up(v, 0.1) for v in table["ambition"]]
        return table

    monkeypatch.setattr(progression_module, "network_overview", mutated)
    assert "pf_employment_stretch" in _differing(reproduce(processed_network(demo_dir), public_data_dir))


def test_mutation_missing_return_counted_as_zero_is_caught(monkeypatch, public_data_dir, demo_dir):
    """A member without a row for a metric counted as reporting zero."""

    def mutated(metrics, anchors, year, metric):
        sub = metrics[(metrics["year"] == year) & (metrics["metric"] == metric)]
        values = sub.set_index("anchor_id")["value"].astype(float)
        return values.reindex(members(anchors, year), fill_value=0.0).sort_index()

    monkeypatch.setattr(metrics_module, "_year_values", mutated)
    caught = _differing(reproduce(processed_network(demo_dir), public_data_dir))
    assert {"spend_share_leeds_2019_mean_of_shares", "spend_baseline_anchors_2019"} <= caught


def test_mutation_unassessed_activity_counted_as_zero_is_caught(monkeypatch, public_data_dir, demo_dir):
    """An activity an anchor did not assess counted as level 0 in its dimension score."""
    original = progression_module.network_overview

    def mutated(progression, year, **kwargs):
        frame = progression.copy()
        fw = progression_module.load_framework()
        filled = []
        for (y, anchor), group in frame.groupby(["year", "anchor_id"]):
            missing = fw.activities[~fw.activities["activity"].isin(group["activity"])]
            filled.append(pd.DataFrame({"year": y, "anchor_id": anchor, "dimension": missing["dimension"],
                                        "activity": missing["activity"], "current": 0, "ambition": 0}))
        frame = pd.concat([frame, *filled], ignore_index=True)
        # level 0 is not a level: drop the validation the real function does, keep its arithmetic
        frame[["current", "ambition"]] = frame[["current", "ambition"]].astype(float).replace(0.0, 1e-9)
        return original(frame, year, **kwargs)

    monkeypatch.setattr(progression_module, "network_overview", mutated)
    assert "pf_environment_assets_current" in _differing(reproduce(processed_network(demo_dir), public_data_dir))


def test_mutation_carbon_not_like_for_like_is_caught(monkeypatch, public_data_dir, demo_dir):
    """The four-year reduction taken over everyone reporting each year instead of like-for-like."""

    def mutated(metrics, base_year, year, scopes=metrics_module.SCOPE12):
        wide = metrics_module.metrics_wide(metrics[metrics["metric"].isin(scopes)])
        total = wide[list(scopes)].dropna().sum(axis=1)
        base, now = total.loc[base_year].sum(), total.loc[year].sum()
        return {"reduction": float(base - now), "n_anchors": len(total.loc[year])}

    monkeypatch.setattr(metrics_module, "carbon_reduction", mutated)
    assert "carbon_reduction_four_years" in _differing(reproduce(processed_network(demo_dir), public_data_dir))


def test_cli_exit_codes(tmp_path, public_data_dir, demo_dir):
    runner = CliRunner()
    ok = runner.invoke(main, ["reproduce", "--data-dir", str(demo_dir)])
    assert ok.exit_code == 0, ok.output
    leeds = len(registry("leeds"))
    assert "SYNTHETIC" in ok.output and f"{leeds} figures: {leeds} matches" in ok.output
    changed = tmp_path / "network"
    shutil.copytree(demo_dir, changed)
    metrics = pd.read_csv(changed / "metrics.csv", dtype=str)
    row = (metrics["year"] == "2023") & (metrics["anchor_id"] == "nhs_trust_a") & (metrics["metric"] == "headcount")
    metrics.loc[row, "value"] = str(int(metrics.loc[row, "value"].iloc[0]) + 400)
    metrics.to_csv(changed / "metrics.csv", index=False)
    bad = runner.invoke(main, ["reproduce", "--data-dir", str(changed)])
    assert bad.exit_code == 1
    assert "differs" in bad.output


# --- seed 004: the West Midlands anchors, and the West Midlands networks of Table 1 ---------------------------


SEED_004 = registry()[registry()["source"].str.startswith("004_")]


@pytest.fixture(scope="module")
def west_midlands(public_data_dir):
    return reproduce(processed_network(REPO / "data" / "raw" / "demo-west-midlands"), public_data_dir).set_index("key")


def test_every_seed_004_figure_gets_a_verdict_on_the_west_midlands_demo(west_midlands):
    assert set(west_midlands.index) == set(SEED_004.index)
    assert not (west_midlands["verdict"] == DIFFERS).any(), format_table(west_midlands.reset_index())
    baseline = [key for key in west_midlands.index if key.startswith("wm_") and not key.endswith("_headline")]
    assert (west_midlands.loc[baseline, "verdict"] == MATCHES).all()
    assert west_midlands.loc["wm_emissions_2022", "computed"] == pytest.approx(579_390_062, abs=0.5)


def test_headlines_are_the_kit_s_estimate_beside_the_published_figure_never_forced(west_midlands):
    """197,000 is not 186,726 / 0.85: the kit shows its estimate with its method and says how far apart they are."""
    heads = west_midlands.loc[[key for key in west_midlands.index if key.endswith("_headline")]]
    assert len(heads) == 4 and (heads["rule"] == "compare").all()
    assert heads["verdict"].str.startswith(APART).all()
    for key, row in heads.iterrows():
        gap = 100 * (row["computed"] - row["published"]) / row["published"]
        assert f"{abs(gap):.1f}% {'above' if gap >= 0 else 'below'}" in row["verdict"], key
        assert "kit estimate: each of the" in row["basis"] and "grossed up" in row["basis"], key
    employment = heads.loc["wm_employment_headline"]
    assert "53 of 62 reported 186,726" in employment["basis"]
    assert f"{186_726 * 62 / 53:,.0f}" in employment["basis"]  # the plain gross-up, beside the estimate
    reported = west_midlands.loc[["wm_spend_2022", "wm_employment_2022", "wm_land_2022", "wm_emissions_2022"],
                                 "computed"].to_numpy()
    assert (heads["computed"].to_numpy() >= reported).all()  # an estimate adds the non-reporters, never removes


def test_table_1_figures_of_another_network_say_whose_returns_they_need(west_midlands):
    members = west_midlands.loc[["sandwell_network_members", "birmingham_network_established"]]
    assert (members["verdict"] == CANNOT).all()
    assert members["basis"].str.contains("needs that network's own returns").all()


def test_birmingham_demo_reproduces_its_table_1_row(public_data_dir):
    result = reproduce(processed_network(REPO / "data" / "raw" / "demo-birmingham"), public_data_dir).set_index("key")
    assert set(result.index) == {"birmingham_network_established", "birmingham_network_members",
                                 "birmingham_area_population", "birmingham_imd_rank"}
    assert (result.drop(index="birmingham_area_population")["verdict"] == MATCHES).all()
    assert result.loc["birmingham_area_population", "verdict"].startswith(APART)


def test_imd_rankings_name_the_measure_that_gives_them(west_midlands):
    """Birmingham 7/317, Sandwell 12/317, Wolverhampton 24/317: rank of average score; Coventry and Warwickshire
    81/317: Coventry's rank of average rank (its rank of average score is 78); the Black Country's 3/38 ranks Local
    Enterprise Partnerships, which the district summaries cannot."""
    ranks = west_midlands.loc[[key for key in west_midlands.index if key.endswith("_imd_rank")]]
    for key, measure in (("birmingham", "rank of average score"), ("sandwell", "rank of average score"),
                         ("wolverhampton", "rank of average score"), ("coventry_warwickshire", "rank of average rank")):
        row = ranks.loc[f"{key}_imd_rank"]
        assert row["verdict"] == MATCHES and f"{measure} {int(row['published'])} of 317" in row["basis"], key
    assert "rank of average score 78" in ranks.loc["coventry_warwickshire_imd_rank", "basis"]
    black_country = ranks.loc["black_country_imd_rank"]
    assert black_country["verdict"] == CANNOT and "38 Local Enterprise Partnerships" in black_country["basis"]


def test_file_10_ranks_agree_with_the_lsoa_data(public_data_dir):
    """Independent of File 10: the population-weighted average IMD score and rank of every district's LSOAs (the
    mySociety scores and File 6 populations), ranked over the 317 districts, give the same ranks File 10 gives."""
    from anchor_analysis.public import load_imd, load_lad_summaries

    imd = load_imd(2019, data_dir=public_data_dir)
    for measure, column in (("average_score", "imd_score"), ("average_rank", "imd_rank")):
        weighted = (imd[column] * imd["population"]).groupby(imd["lad_code"]).sum() / imd.groupby("lad_code")[
            "population"].sum()
        # File 10 ranks 1 = most deprived: the highest average score, the lowest (most deprived) average rank
        ranks = weighted.rank(ascending=measure == "average_rank", method="min").astype(int)
        file10 = load_lad_summaries(2019, data_dir=public_data_dir).query("measure == @measure").set_index("lad_code")
        for lad in ("E08000025", "E08000026", "E08000028", "E08000031"):
            assert ranks[lad] == file10.at[lad, "rank"], (measure, lad)
        assert len(ranks) == len(file10) == 317


def test_mutation_missing_return_counted_as_zero_is_caught_by_the_coverage(monkeypatch, public_data_dir):
    """Coverage ("based on 76% of anchors") when a member without a return is counted as reporting zero."""

    def mutated(metrics, anchors, year, metric):
        sub = metrics[(metrics["year"] == year) & (metrics["metric"] == metric)]
        values = sub.set_index("anchor_id")["value"].astype(float)
        return values.reindex(members(anchors, year), fill_value=0.0).sort_index()

    monkeypatch.setattr(metrics_module, "_year_values", mutated)
    keys = ["wm_spend_coverage_2022", "wm_land_coverage_2022", "wm_emissions_coverage_2022"]
    network = processed_network(REPO / "data" / "raw" / "demo-west-midlands")
    assert _differing(reproduce(network, public_data_dir, figures=registry().loc[keys])) == set(keys)
