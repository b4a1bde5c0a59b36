"""Back test: every published Leeds figure is recomputed through the library and must match.

Each mutation test changes one definition the way a careless edit might, and shows the back test notices.
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
    CANNOT,
    DIFFERS,
    MATCHES,
    format_table,
    registry,
    reproduce,
    round_half_up,
    verdict,
)
from anchor_analysis.cli import main
from anchor_analysis.core import members
from anchor_analysis.derived import processed_network


def test_registry_is_complete_and_well_formed():
    reg = registry()
    assert reg.index.is_unique
    assert set(reg["rule"]) <= {"rounds_to", "over", "equals"}
    assert reg["source"].str.contains(r"\d{3}_[0-9a-f]{16}\.txt|public data").all()
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
    assert len(reproduction) == len(registry())


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
    assert "SYNTHETIC" in ok.output and f"{len(registry())} figures: {len(registry())} matches" in ok.output
    changed = tmp_path / "network"
    shutil.copytree(demo_dir, changed)
    metrics = pd.read_csv(changed / "metrics.csv", dtype=str)
    row = (metrics["year"] == "2023") & (metrics["anchor_id"] == "nhs_trust_a") & (metrics["metric"] == "headcount")
    metrics.loc[row, "value"] = str(int(metrics.loc[row, "value"].iloc[0]) + 400)
    metrics.to_csv(changed / "metrics.csv", index=False)
    bad = runner.invoke(main, ["reproduce", "--data-dir", str(changed)])
    assert bad.exit_code == 1
    assert "differs" in bad.output
