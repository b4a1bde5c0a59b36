"""House style and the Progression Framework figures: titled, axis-labelled, sourced, greyscale-safe, saved
deterministically as PNG and SVG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from anchor_analysis.analysis import progression as P  # noqa: E402
from anchor_analysis.core.errors import NoReturnsError  # noqa: E402
from anchor_analysis.figures import progression as F  # noqa: E402
from anchor_analysis.figures import style as G  # noqa: E402
from anchor_analysis.publish.anonymise import label_anchors  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEMO_CANDIDATES = (REPO / "data" / "raw" / "demo", Path("/tmp/demo_preview"))


@pytest.fixture(scope="module")
def demo():
    folder = next((d for d in DEMO_CANDIDATES if (d / "progression.csv").exists()), None)
    if folder is None:
        pytest.skip("no demo network in data/raw/demo or /tmp/demo_preview")
    return pd.read_csv(folder / "progression.csv"), pd.read_csv(folder / "anchors.csv")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _figures(progression: pd.DataFrame, anchors: pd.DataFrame, *, synthetic: bool = True) -> dict[str, Figure]:
    source = "Demo anchor network, Progression Framework self-assessments"
    scores = label_anchors(P.dimension_scores(progression, until=2023), anchors)
    return {
        "dumbbell": F.dumbbell_current_ambition(P.network_overview(progression, 2023), source=source,
                                                synthetic=synthetic),
        "heatmap": F.anchor_dimension_heatmap(scores, 2023, source=source, synthetic=synthetic),
        "trajectory": F.trajectory_lines(P.network_trajectory(progression, until=2023), source=source,
                                         synthetic=synthetic),
        "small_multiples": F.anchor_small_multiples(scores, source=source, synthetic=synthetic),
    }


def _labelled(fig: Figure) -> tuple[bool, bool]:
    axes = [ax for ax in fig.axes if ax.get_visible()]
    return any(ax.get_xlabel() for ax in axes), any(ax.get_ylabel() for ax in axes)


def test_every_figure_is_titled_labelled_and_sourced(demo):
    for name, fig in _figures(*demo).items():
        assert isinstance(fig, Figure), name
        assert G.figure_title(fig).strip(), f"{name} has no title"
        assert _labelled(fig) == (True, True), f"{name} lacks axis labels"
        assert G.source_text(fig).startswith("Source: Demo anchor network"), name
        assert G.source_text(fig).endswith("(SYNTHETIC demo data)"), name


def test_real_data_figures_are_not_tagged_synthetic(demo):
    fig = _figures(*demo, synthetic=False)["dumbbell"]
    assert "SYNTHETIC" not in G.source_text(fig)
    assert G.source_line("x", synthetic=True) == "Source: x (SYNTHETIC demo data)"
    assert G.source_line("Source: SYNTHETIC y", synthetic=True) == "Source: SYNTHETIC y"


def test_dumbbell_labels_carry_n_and_show_unassessed_dimensions():
    overview = pd.DataFrame({"year": 2021, "dimension": ["employment", "civic"], "label": ["Employment", "Civic"],
                             "n_reporting": [7, 0], "current": [3.25, np.nan], "ambition": [3.7, np.nan]})
    fig = F.dumbbell_current_ambition(overview)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Employment\n(n=7)", "Civic\n(not assessed)"]
    assert "2021/22" in G.figure_title(fig)
    texts = [t.get_text() for t in ax.texts]
    assert "3.3" in texts  # 3.25 rounds half up, like the published tables (Python's format would say 3.2)


def test_heatmap_marks_partial_and_unassessed_cells():
    p = pd.DataFrame({"year": 2022, "anchor_id": ["a", "a", "b"], "dimension": ["employment", "civic", "employment"],
                      "activity": ["recruitment", "civic_partnerships", "recruitment"], "current": [2, 3, 4],
                      "ambition": [3, 4, 4]})
    fig = F.anchor_dimension_heatmap(P.dimension_scores(p), 2022, title="Custom title")
    assert G.figure_title(fig) == "Custom title"
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"2.0*", "4.0*", "3.0*"} <= texts  # one of four employment activities, one of two civic ones
    assert fig.axes[0].patch.get_hatch()  # hatched background shows through unassessed cells
    with pytest.raises(NoReturnsError, match="no progression returns for 2020/21"):
        F.anchor_dimension_heatmap(P.dimension_scores(p), 2020)
    with pytest.raises(ValueError, match="value must be"):
        F.anchor_dimension_heatmap(P.dimension_scores(p), 2022, value="priority")


def test_small_multiples_use_anonymous_codes_when_asked(demo):
    progression, anchors = demo
    scores = label_anchors(P.dimension_scores(progression, until=2020), anchors, anonymise=True)
    fig = F.anchor_small_multiples(scores)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert titles and all(t.startswith("Anchor ") for t in titles)


def test_trajectory_rejects_the_like_for_like_frame(demo):
    progression, _ = demo
    with pytest.raises(ValueError, match="like_for_like"):
        F.trajectory_lines(P.network_trajectory(progression, like_for_like=True))


def test_save_figure_writes_png_and_svg_and_is_byte_identical(demo, tmp_path):
    progression, anchors = demo
    fig = _figures(progression, anchors)["heatmap"]
    first = G.save_figure(fig, tmp_path / "a", "heatmap")
    assert [p.name for p in first] == ["heatmap.png", "heatmap.svg"]
    assert first[0].read_bytes().startswith(b"\x89PNG")
    svg = first[1].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<dc:date>" not in svg
    second = G.save_figure(fig, tmp_path / "b", "heatmap")
    again = G.save_figure(_figures(progression, anchors)["heatmap"], tmp_path / "c", "heatmap")  # a re-run
    for a, b, c in zip(first, second, again, strict=True):
        assert a.read_bytes() == b.read_bytes() == c.read_bytes(), a.name
    assert not list((tmp_path / "a").glob("*.part")), "temporary files left behind"
    with pytest.raises(ValueError, match="plain file stem"):
        G.save_figure(fig, tmp_path, "../escape")
    with pytest.raises(ValueError, match="unsupported figure format"):
        G.save_figure(fig, tmp_path, "x", formats=("gif",))


def test_png_is_150_dpi(demo, tmp_path):
    fig = _figures(*demo)["dumbbell"]
    png = G.save_figure(fig, tmp_path, "dumbbell", formats=("png",))[0]
    width = int.from_bytes(png.read_bytes()[16:20], "big")
    assert width == round(fig.get_figwidth() * 150)


def test_house_style_is_colour_blind_safe_and_greyscale_readable():
    def grey(colour: str) -> float:
        r, g, b = to_rgb(colour)
        return 0.299 * r + 0.587 * g + 0.114 * b

    assert abs(grey(G.CURRENT_COLOUR) - grey(G.AMBITION_COLOUR)) > 0.2  # the two-series pair differs in lightness
    styles = [G.series_style(i) for i in range(5)]  # the five dimensions
    assert len({s["marker"] for s in styles}) == 5 and len({str(s["linestyle"]) for s in styles}) == 5
    assert set(G.PALETTE) <= set(G.OKABE_ITO.values())
    with mpl.rc_context():
        G.apply_house_style()
        assert mpl.rcParams["svg.hashsalt"] == G.SVG_HASHSALT
        assert mpl.rcParams["savefig.dpi"] == 150
        assert mpl.rcParams["image.cmap"] == "cividis"
        assert [c["color"] for c in mpl.rcParams["axes.prop_cycle"]][:5] == list(G.PALETTE[:5])
