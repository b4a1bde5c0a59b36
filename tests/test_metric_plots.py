"""Baseline figures: titled, labelled, sourced, tagged synthetic when they should be, deterministic to save."""

from __future__ import annotations

import pandas as pd
import pytest

from anchor_analysis.analysis import metrics as M
from anchor_analysis.analysis.published import published_overview
from anchor_analysis.contracts import load_network
from anchor_analysis.figures import metrics as mp
from anchor_analysis.figures.style import figure_title, save_figure, source_text


@pytest.fixture(scope="module")
def network(demo_dir):
    return load_network(demo_dir)


def _figures(network):
    m, a = network.metrics, network.anchors
    shares = M.metrics_wide(m).loc[2023].reset_index()
    shares["share"] = shares["staff_in_leeds"] / shares["headcount"]
    bands = pd.DataFrame({"anchor": ["A", "B"], "leeds": [5e6, 1e6], "rest": [1e6, 2e6], "out": [3e6, 0.0]})
    recomputed = published_overview(2019).assign(current=lambda t: t["current"] + 0.0)
    return {
        "headline": mp.headline_panel(M.headline(m, a, 2023), 2023, synthetic=True),
        "coverage": mp.coverage_grid(M.members_reporting(m, a, 2023), 2023, synthetic=True),
        "carbon": mp.carbon_trajectory_chart(M.carbon_trajectory(m, 2019), synthetic=True),
        "shares": mp.anchor_share_bars(shares, value="share", label="anchor_id", title="Staff living in Leeds",
                                       xlabel="Share of staff", reference=0.64, synthetic=True),
        "rings": mp.spend_by_ring_bars(bands, [("leeds", "Leeds"), ("rest", "Rest"), ("out", "Elsewhere")],
                                       title="Spend by ring", synthetic=True),
        "overview": mp.published_vs_recomputed_overview(published_overview(2019), recomputed, year=2019,
                                                        synthetic=True),
    }


def test_every_figure_is_titled_sourced_and_labelled(network):
    for name, fig in _figures(network).items():
        assert figure_title(fig), name
        assert source_text(fig).startswith("Source:") and "SYNTHETIC" in source_text(fig), name
        if name != "headline":
            ax = fig.axes[0]
            assert ax.get_xlabel() and ax.get_ylabel(), name


def test_saving_twice_is_byte_identical(network, tmp_path):
    fig = _figures(network)["carbon"]
    first = [p.read_bytes() for p in save_figure(fig, tmp_path / "a", "carbon")]
    again = mp.carbon_trajectory_chart(M.carbon_trajectory(network.metrics, 2019), synthetic=True)
    second = [p.read_bytes() for p in save_figure(again, tmp_path / "b", "carbon")]
    assert first == second


@pytest.mark.parametrize(("value", "unit", "text"), [
    (511_000_000, "GBP", "£511.0m"), (2.1e9, "GBP", "£2.10bn"), (0.644, "share", "64%"),
    (62_300, "people", "62,300"), (float("nan"), "people", "not reported")])
def test_format_value(value, unit, text):
    assert mp.format_value(value, unit) == text


def test_ring_bands_one_row_per_anchor_and_the_bands_innermost_first():
    from anchor_analysis.core import load_place

    by_ring = pd.DataFrame({"anchor_id": ["a", "a", "b"], "ring": ["leeds", "unknown", "elsewhere"],
                            "spend": [5.0, 1.0, 2.0]})
    bands, rings = mp.ring_bands(by_ring, load_place("leeds"), {"a": "Alpha", "b": "Beta"})
    assert rings == [("leeds", "Leeds"), ("west_yorkshire", "rest of West Yorkshire"), ("elsewhere", "elsewhere"),
                     ("unknown", "unknown postcode")]
    row = bands.set_index("anchor").loc["Alpha"]
    assert (row["leeds"], row["unknown"]) == (5.0, 1.0)
    assert bands.set_index("anchor").at["Beta", "elsewhere"] == 2.0
