"""Maps (anchor_analysis.figures.maps) and the priority neighbourhoods notebook's published outputs.

Map tests draw real boundaries and skip, saying why, without the public data. Every map must carry a title, a
legend with a title, a scale bar, a north arrow and the Open Government Licence attribution, use no font under
8 pt, and save byte-identically twice.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import matplotlib.figure
import matplotlib.pyplot as plt
import matplotlib.text
import nbformat
import numpy as np
import pandas as pd
import pytest

from anchor_analysis.analysis import geo
from anchor_analysis.core import POSTCODE_PATTERN, DisclosureError, load_place
from anchor_analysis.figures import maps
from anchor_analysis.publish import assert_no_small_counts

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "03_priority_neighbourhoods.ipynb"
OGL = "Open Government Licence"


# --- class breaks (no data needed) --------------------------------------------------------------------------


def test_pooled_breaks_are_shared_across_years() -> None:
    years = {2019: pd.Series([5.0, 10.0, 20.0, np.nan]), 2020: pd.Series([40.0, 80.0, 120.0])}
    breaks = maps.pooled_breaks(list(years.values()), k=3)
    assert breaks.bins[-1] >= 120 and breaks.lower == 5.0
    assert list(breaks.bins) == sorted(set(breaks.bins))
    # one scale for every year: the same value gets the same class whichever year it is mapped in
    assert breaks.classify([40.0]).tolist() == maps.pooled_breaks(list(years.values()), k=3).classify([40.0]).tolist()
    assert breaks.classify(years[2019]).tolist()[-1] == -1  # missing -> no class
    with pytest.raises(ValueError, match="pooled"):
        breaks.classify([500.0])
    assert len(breaks.labels()) == breaks.k
    with pytest.raises(ValueError, match="no values"):
        maps.pooled_breaks([pd.Series([np.nan])])
    assert maps.pooled_breaks([[7.0, 7.0]]).bins == (7.0,)


def test_compact_attribution_merges_repeats() -> None:
    text = maps.compact_attribution(["boundaries_lsoa11", "boundaries_wards", "boundaries_lad", "imd2019_file1",
                                     "imd2019_file2"])
    assert text.count("Source: Office for National Statistics") == 1
    assert "Contains OS data © Crown copyright and database right 2011, 2022, 2024." in text
    assert text.count("Contains public sector information licensed under the Open Government Licence v3.0") == 1


# --- the maps -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def layers(public_data_dir: Path) -> dict:
    pn = geo.priority_neighbourhoods(2019, data_dir=public_data_dir)
    return {
        "lsoas": geo.lsoa_layer(2019, "leeds", public_data_dir),
        "wards": geo.ward_layer("leeds", public_data_dir),
        "pn": pn,
        "attribution": maps.attribution_text(geo.attribution_keys(2019)),
    }


def _check_furniture(fig) -> None:
    found = maps.map_elements(fig)
    for gid in (maps.GID_TITLE, maps.GID_LEGEND, maps.GID_SCALE, maps.GID_NORTH, maps.GID_ATTRIBUTION):
        assert found[gid], f"map has no {gid}"
    assert found[maps.GID_TITLE][0].get_text().strip()
    legend = found[maps.GID_LEGEND][0]
    assert legend.get_title().get_text().strip(), "legend has no title"
    assert any(t.get_text().endswith("km") for t in found[maps.GID_SCALE] if hasattr(t, "get_text"))
    assert any(getattr(t, "get_text", lambda: "")() == "N" for t in found[maps.GID_NORTH])
    assert OGL in found[maps.GID_ATTRIBUTION][0].get_text().replace("\n", " ")
    assert min(maps.font_sizes(fig)) >= maps.MIN_FONT
    assert tuple(fig.get_size_inches()) == pytest.approx(maps.A4_PORTRAIT)


def _legend_labels(fig) -> list[str]:
    return [t.get_text() for t in maps.map_elements(fig)[maps.GID_LEGEND][0].get_texts()]


def test_imd_decile_map(layers) -> None:
    fig = maps.imd_decile_map(layers["lsoas"], layers["wards"], 2019, attribution=layers["attribution"])
    _check_furniture(fig)
    labels = _legend_labels(fig)
    assert labels[0] == "1 most deprived (114)"
    assert any(label.startswith("No data") for label in labels)
    key = [t.get_text() for t in fig.texts if t.get_gid() == "ward-key"]
    assert key[0] == "Wards" and "1 Adel & Wharfedale" in key and len(key) == 34
    assert ax_crs_is_bng(fig, layers["lsoas"])
    plt.close(fig)


def ax_crs_is_bng(fig, layer) -> bool:
    """The map axes show British National Grid metres: its limits enclose the layer's EPSG:27700 bounds."""
    ax = next(a for a in fig.axes if a.get_position().height > 0.4)
    minx, miny, maxx, maxy = layer.total_bounds
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return layer.crs.to_epsg() == 27700 and x0 <= minx and maxx <= x1 and y0 <= miny and maxy <= y1


def test_priority_neighbourhoods_map(layers) -> None:
    pn = layers["pn"]
    fig = maps.priority_neighbourhoods_map(pn.clusters, layers["lsoas"], layers["wards"], 2019, rule=pn.rule,
                                           attribution=layers["attribution"])
    _check_furniture(fig)
    ranks = sorted(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_gid() == "pn-label")
    assert ranks == [str(r) for r in range(1, 7)]
    table = [t.get_text() for t in fig.texts if t.get_gid() == "pn-table"]
    assert pn.clusters["name"].iloc[0] in table
    assert "Rule:" in maps.map_elements(fig)[maps.GID_CAPTION][0].get_text()
    plt.close(fig)


def test_withheld_areas_are_hatched_grey_and_counted(layers) -> None:
    wards = layers["wards"]
    values = pd.Series(np.linspace(10, 120, len(wards)))
    flags = pd.Series([""] * len(wards))
    values[[0, 1]] = np.nan
    flags[[0, 1]] = ["primary", "secondary"]
    values[2] = np.nan  # no data, not withheld
    layer = wards.assign(rate_per_1000=values, suppressed=flags)
    breaks = maps.pooled_breaks([values.dropna(), values.dropna() * 0.5])
    fig = maps.staff_rate_map(layer, breaks, 2023, attribution=layers["attribution"], threshold=10, wards=wards,
                              synthetic=True, priority=layers["pn"].clusters)
    _check_furniture(fig)
    legend = maps.map_elements(fig)[maps.GID_LEGEND][0]
    handles = {text.get_text(): handle for text, handle in zip(legend.get_texts(), legend.legend_handles,
                                                               strict=True)}
    withheld = next(h for label, h in handles.items() if label.startswith("Withheld"))
    assert withheld.get_hatch() == maps.WITHHELD["hatch"] and "(2 wards)" in [
        label[label.rindex("("):] for label in handles if label.startswith("Withheld")]
    assert "No data (1 ward)" in handles  # one ward: singular
    caption = maps.map_elements(fig)[maps.GID_CAPTION][0].get_text().replace("\n", " ")
    assert "2 wards withheld by disclosure control" in caption and "1 ward with no data" in caption
    hatched = [c for c in fig.axes[0].collections if c.get_hatch() == maps.WITHHELD["hatch"]]
    assert hatched, "withheld areas are drawn hatched"
    assert "SYNTHETIC" in fig.texts[1].get_text()
    plt.close(fig)


def test_spend_and_sites_maps(layers, public_data_dir: Path, demo_dir: Path) -> None:
    wards = layers["wards"]
    spend = wards.assign(spend=np.linspace(0, 9e7, len(wards)))
    breaks = maps.pooled_breaks([spend["spend"] / 1e6])
    fig = maps.spend_by_ward_map(spend, breaks, 2023, attribution=layers["attribution"], wards=wards)
    _check_furniture(fig)
    assert not any(label.startswith("Withheld") for label in _legend_labels(fig))
    plt.close(fig)
    sites = geo.site_locations(pd.read_csv(demo_dir / "sites.csv", dtype="str"), public_data_dir)
    attribution = maps.attribution_text(["boundaries_wards", "postcodes_region"], synthetic=True, source="demo")
    fig = maps.anchor_sites_map(sites, wards, attribution=attribution, synthetic=True)
    _check_furniture(fig)
    assert len([t for t in fig.texts if t.get_gid() == "site-key"]) == len(sites) + 1  # title + one line each
    plt.close(fig)


def test_small_multiples_map(layers) -> None:
    wards = layers["wards"]
    panels = {f"Anchor {c}": wards.assign(staff=pd.array([0, 12, pd.NA] * 11, dtype="Int64"),
                                          suppressed=["", "", "primary"] * 11) for c in "ABC"}
    breaks = maps.pooled_breaks([[0.0, 12.0, 40.0]])
    fig = maps.anchor_small_multiples_map(panels, "staff", breaks, 2023, attribution=layers["attribution"],
                                          threshold=10)
    _check_furniture(fig)
    assert "33 anchor-ward counts withheld" in maps.map_elements(fig)[maps.GID_CAPTION][0].get_text().replace(
        "\n", " ")
    plt.close(fig)


def test_maps_render_once_when_saved_not_after_every_layer(layers, monkeypatch, tmp_path: Path) -> None:
    # geopandas asks for a redraw after each layer; rendering then made a 14-panel map take seconds
    renders = []
    original = matplotlib.figure.Figure.draw
    monkeypatch.setattr(matplotlib.figure.Figure, "draw", lambda self, renderer: renders.append(self)
                        or original(self, renderer))
    wards = layers["wards"]
    panels = {f"Anchor {c}": wards.assign(staff=pd.array([15, 30, 45] * 11, dtype="Int64"), suppressed="")
              for c in "ABCD"}
    fig = maps.anchor_small_multiples_map(panels, "staff", maps.pooled_breaks([[15.0, 45.0]]), 2023,
                                          attribution=layers["attribution"], threshold=10)
    assert renders == []
    assert "draw_idle" not in vars(fig.canvas)  # an ordinary figure again, for interactive use
    maps.save_map(fig, tmp_path, "panels")
    assert len(renders) == 2  # PNG and SVG
    fig2, _ = maps.new_map("Title", bounds=wards.total_bounds)
    assert "draw_idle" not in vars(fig2.canvas)
    plt.close(fig)
    plt.close(fig2)


def test_saved_maps_are_deterministic(layers, tmp_path: Path) -> None:
    digests = []
    for run in ("a", "b"):
        fig = maps.imd_decile_map(layers["lsoas"], layers["wards"], 2019, attribution=layers["attribution"])
        paths = maps.save_map(fig, tmp_path / run, "imd")
        plt.close(fig)
        assert sorted(p.suffix for p in paths) == [".png", ".svg"]
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    assert digests[0] == digests[1]
    assert "<dc:date>" not in (tmp_path / "a" / "imd.svg").read_text(encoding="utf-8")


# --- the notebook's published outputs -----------------------------------------------------------------------


def test_disclosure_check_catches_a_leak() -> None:
    published = pd.DataFrame({"year": 2023, "ward_code": list("ABC"), "staff": pd.array([3, 40, pd.NA],
                                                                                         dtype="Int64")})
    with pytest.raises(DisclosureError):
        assert_no_small_counts(published, "staff", 10, ["year"], pd.Series({2023: 48}))


def test_notebook_is_clean_and_parameterised() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("year = 2023", "imd_edition = None", 'data_dir = "../data/raw/demo"',
                 'output_dir = "../outputs/2023/neighbourhoods"', 'place = "leeds"',
                 'priority_rule = "most_deprived_10pct"', "top_k = 6"):
        assert name in tagged[0].source
    assert all(c.get("execution_count") is None and not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_notebook_outputs_reveal_no_small_count(public_data_dir: Path, demo_dir: Path, tmp_path: Path) -> None:
    """Run the notebook (2023, IMD 2025) and check every staff table it writes, read back from its CSV files."""
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "neighbourhoods"
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(executed), cwd=str(NOTEBOOK.parent), kernel_name="python3",
                               parameters={"year": 2023, "imd_edition": 2025, "data_dir": str(demo_dir),
                                           "output_dir": str(out)}, progress_bar=False)
    place = load_place("leeds")
    residence = pd.read_csv(demo_dir / "staff_residence.csv", dtype={"anchor_id": "str", "lsoa_code": "str"})
    resident = residence[residence["year"] == 2023]
    pn_lsoas = pd.read_csv(out / "tables" / "priority_neighbourhood_lsoas.csv", dtype={"lsoa_code": "str"})
    truth = {
        "staff_by_ward": geo.staff_rates(resident, place, "ward", data_dir=public_data_dir),
        "staff_by_lsoa": geo.staff_rates(resident, place, "lsoa", 2021, data_dir=public_data_dir),
        "staff_in_most_deprived_by_anchor": geo.staff_in_most_deprived(resident, 2025, public_data_dir).rename(
            columns={"staff_in_most_deprived": "count"}),
        "staff_in_priority_neighbourhoods": geo.staff_in_priority_neighbourhoods(resident, pn_lsoas,
                                                                                 data_dir=public_data_dir),
    }
    pn_anchor = geo.staff_in_priority_neighbourhoods(resident, pn_lsoas, by_anchor=True, data_dir=public_data_dir)
    truth["staff_in_priority_neighbourhoods_by_anchor"] = pn_anchor.groupby(["year", "anchor_id"],
                                                                            as_index=False)["count"].sum()
    per_anchor = geo.staff_rates(resident, place, "ward", by_anchor=True, data_dir=public_data_dir)
    for name, (groups, column) in geo.STAFF_TABLES.items():
        written = pd.read_csv(out / "tables" / f"{name}.csv", keep_default_na=False, na_values=[""],
                              dtype={"suppressed": "str"})
        if name == "staff_by_ward_and_anchor":
            for keys in (["year", "anchor_id"], ["year", "ward_code"]):
                assert_no_small_counts(written, column, place.disclosure_threshold, keys,
                                       per_anchor.groupby(keys)["count"].sum())
            assert (written["suppressed"] != "").any()
        else:
            assert_no_small_counts(written, column, place.disclosure_threshold, groups,
                                   truth[name].groupby(groups)["count"].sum())
        if name == "staff_by_lsoa":  # LSOAs add up to the published ward and neighbourhood counts
            cells = truth[name].merge(written[["lsoa_code", "ward_code", "cluster_id"]], on="lsoa_code")
            for keys in (["year", "ward_code"], ["year", "cluster_id"]):
                assert_no_small_counts(written.dropna(subset=[keys[1]]), column, place.disclosure_threshold, keys,
                                       cells.groupby(keys)["count"].sum())
    # no postcode anywhere in what the run wrote or showed
    pattern = re.compile(rf"\b{POSTCODE_PATTERN}\b")
    for path in sorted((out / "tables").glob("*.csv")):
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name
    nb = nbformat.read(executed, as_version=4)
    shown = " ".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert not pattern.search(shown)
    figures = sorted(p.name for p in (out / "figures").iterdir())
    for stem in ("imd2025_deciles", "priority_neighbourhoods", "staff_rate_by_ward", "staff_rate_by_lsoa",
                 "staff_by_ward_per_anchor", "spend_by_ward", "anchor_sites"):
        assert f"{stem}.png" in figures and f"{stem}.svg" in figures
