"""A second place for real: the Birmingham demo network's report on Birmingham's own geography, and no Leeds data in it.

One report run (2023/24, HTML and PDF) of data/raw/demo-birmingham; every table, figure (SVG text), page (HTML and the
PDF's text), executed notebook and the provenance is scanned for the Leeds geography: Leeds' local authority code
E08000035, the codes of Leeds' 2011 and 2021 LSOAs and of its wards, and "West Yorkshire"; every table also for the word
"Leeds". A method note citing where the framework or a method came from may name Leeds, so pages are not scanned for
the word. A place without boundaries runs the map sections too, each saying so in place of its map.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import papermill as pm
import pytest
from click.testing import CliRunner

from anchor_analysis import public
from anchor_analysis.cli import main
from conftest import REPO

BIRMINGHAM_DEMO = REPO / "data" / "raw" / "demo-birmingham"
LEEDS = "E08000035"


def _text(path) -> str:
    if path.suffix == ".pdf":
        if shutil.which("pdftotext") is None:
            pytest.fail("pdftotext (poppler-utils) is needed to read the PDF back; CI installs it")
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return path.read_text(encoding="utf-8", errors="ignore")


@pytest.fixture(scope="module")
def leeds_geography(public_data_dir) -> re.Pattern:
    """Leeds' LA code, its 2011 and 2021 LSOA codes and ward codes, and "West Yorkshire", as one pattern."""
    codes = {LEEDS, "West Yorkshire"}
    for lsoa_year in (2011, 2021):
        lookup = public.load_lsoa_lookup(lsoa_year, LEEDS, data_dir=public_data_dir)
        codes |= set(lookup["lsoa_code"]) | set(lookup["ward_code"])
    assert len(codes) > 520  # 482 and 488 LSOAs (most unchanged codes shared), 33 wards (2019 and 2024 codes)
    return re.compile("|".join(re.escape(code) for code in sorted(codes)))


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, public_data_dir):
    out = tmp_path_factory.mktemp("birmingham")
    result = CliRunner().invoke(main, ["report", "--year", "2023", "--data-dir", str(BIRMINGHAM_DEMO), "--out",
                                       str(out), "--formats", "html,pdf"])
    if result.exit_code != 0 and "no Chromium found" in result.output:
        pytest.fail("Chromium is needed for the PDF: apt-get install chromium (CI installs it)")
    assert result.exit_code == 0, result.output[-3000:]
    return out / "2023"


def test_the_report_is_built_on_birmingham_s_geography(report_dir):
    """Maps of IMD 2019 deciles, priority neighbourhoods, staff and spend on Birmingham's 639 and 659 LSOAs and 69
    wards; the PDF has its pages and the SYNTHETIC banner."""
    figures = {p.stem for p in (report_dir / "neighbourhoods" / "figures").glob("*.svg")}
    assert {"imd2019_deciles", "priority_neighbourhoods", "staff_rate_by_ward", "staff_rate_by_lsoa",
            "staff_by_ward_per_anchor", "spend_by_ward", "anchor_sites"} <= figures
    tables = report_dir / "neighbourhoods" / "tables"
    assert len((tables / "ward_deprivation.csv").read_text().splitlines()) == 1 + 69
    assert len((tables / "staff_by_lsoa.csv").read_text().splitlines()) == 1 + 639  # IMD 2019: 2011 LSOAs
    profile = (tables / "deprivation_profile.csv").read_text().splitlines()
    assert profile[1].startswith("2019,1,264,")  # 264 of 639 in decile 1 (File 10: 0.4131)
    html = _text(report_dir / "report" / "network-impact-report-2023-24.html")
    assert "SYNTHETIC" in html and "Birmingham demo anchor network (SYNTHETIC)" in html
    pdf = _text(report_dir / "report" / "network-impact-report-2023-24.pdf")
    assert "Birmingham demo anchor network (SYNTHETIC): priority neighbourhoods, 2023/24 (IMD 2019)" in pdf
    assert "SYNTHETIC DATA" in pdf
    provenance = json.loads((report_dir / "provenance.json").read_text())
    keys = set(provenance["public_datasets"])
    assert {"boundaries_birmingham_wards", "postcodes_west_midlands"} <= keys and "boundaries_wards" not in keys


def test_no_leeds_data_reaches_a_birmingham_output(report_dir, leeds_geography):
    files = [p for p in report_dir.rglob("*") if p.suffix in {".csv", ".svg", ".html", ".pdf", ".json", ".ipynb"}]
    assert {".csv", ".svg", ".html", ".pdf", ".json", ".ipynb"} <= {p.suffix for p in files} and len(files) > 60
    leaks = {}
    for path in files:
        text = _text(path)
        found = set(leeds_geography.findall(text))
        if path.suffix == ".csv" and "Leeds" in text:
            found.add("Leeds")
        if found:
            leaks[path.relative_to(report_dir).as_posix()] = sorted(found)[:5]
    assert not leaks


def test_the_scan_finds_leeds_data_where_there_is_some(tmp_path, leeds_geography, public_data_dir):
    """The scan is not blind: a table of the Leeds wards, as the report writes one, is caught."""
    from anchor_analysis.analysis.geo import ward_deprivation

    table = tmp_path / "ward_deprivation.csv"
    ward_deprivation(2019, "leeds", data_dir=public_data_dir).to_csv(table, index=False)
    assert leeds_geography.search(_text(table)) and "Leeds" not in _text(table)  # codes, not the word, give it away


def _without_boundaries(tmp_path):
    """birmingham.toml with its [datasets] naming a postcode lookup only: a place without boundaries."""
    text = (REPO / "anchor_analysis" / "data" / "places" / "birmingham.toml").read_text()
    path = tmp_path / "birmingham_no_maps.toml"
    path.write_text(re.sub(r"(?m)^(lsoa11|lsoa21|ward|lad)_boundaries = .*\n", "", text))
    return path


@pytest.mark.parametrize(("notebook", "params"), [
    ("03_priority_neighbourhoods", {"year": 2023}),
    ("04_anchor_profile", {"year": 2023, "anchor": "nhs_trust_a"}),
])
def test_a_place_without_boundaries_runs_and_says_so_in_each_map_section(notebook, params, tmp_path,
                                                                        public_data_dir):
    place = _without_boundaries(tmp_path)
    out = tmp_path / "out"
    executed = tmp_path / f"{notebook}.ipynb"
    pm.execute_notebook(REPO / "notebooks" / f"{notebook}.ipynb", executed, kernel_name="python3",
                        progress_bar=False, cwd=str(REPO / "notebooks"), log_output=False,
                        parameters={"data_dir": str(BIRMINGHAM_DEMO), "output_dir": str(out), "place": str(place),
                                    **params})
    text = executed.read_text(encoding="utf-8")
    notes = re.findall(r"No map of ([^:]+):\*\* no LSOA or ward boundaries are available for Birmingham", text)
    expected = ({"IMD 2019 deciles", "priority neighbourhoods", "staff per 1,000 working-age residents",
                 "where spend lands", "the anchors' sites"} if notebook.startswith("03")
                else {"where staff of NHS Trust A live"})
    assert set(notes) == expected
    charts = {p.stem for p in (out / "figures").glob("*.png")}
    # no maps; the charts that need no boundaries still draw (the profile's, and need beside effort)
    assert charts <= {"need_effort_quadrant"} or notebook.startswith("04")
    tables = {p.stem for p in (out / "tables").glob("*.csv")}
    needed = ({"deprivation_profile", "ward_deprivation", "staff_by_ward", "staff_by_lsoa", "spend_by_ward"}
              if notebook.startswith("03") else {"anchor_metrics", "anchor_staff_by_ward"})
    assert needed <= tables
