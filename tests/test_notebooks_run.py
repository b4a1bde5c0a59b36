"""Every notebook runs top to bottom under Papermill for every demo year, and nbval re-runs it to the same output.

Papermill executes each notebook with its typed parameters (as the annual batch run does) into a temporary folder
and the test checks it saved figures and tables. nbval then re-executes one executed copy per notebook and
compares every text and table output cell by cell with the first run; only temporary paths and memory addresses
are sanitised (tests/nbval_sanitize.cfg), images are compared by the figure tests instead.
"""

from __future__ import annotations

import subprocess
import sys

import papermill as pm
import pytest

from conftest import DEMO_DIR, REPO

NOTEBOOKS = REPO / "notebooks"
YEARS = range(2019, 2025)
WEST_MIDLANDS = {"data_dir": str(REPO / "data" / "raw" / "demo-west-midlands"), "place": "birmingham"}
BIRMINGHAM = {"data_dir": str(REPO / "data" / "raw" / "demo-birmingham"), "place": "birmingham"}


def _cases():
    yield pytest.param("00_reproduce_published_figures", {}, id="00-reproduce")
    for year in YEARS:
        yield pytest.param("01_baseline", {"year": year}, id=f"01-{year}")
        yield pytest.param("02_progression_review", {"year": year}, id=f"02-{year}")
        for edition in (2019, 2025):
            yield pytest.param("03_priority_neighbourhoods", {"year": year, "imd_edition": edition},
                               id=f"03-{year}-imd{edition}")
    # the anchor profile: a founding anchor, one that left, a late joiner named by its name
    for year, anchor in ((2019, "nhs_trust_a"), (2023, "nhs_body_d"), (2024, "Government Department A")):
        yield pytest.param("04_anchor_profile", {"year": year, "anchor": anchor}, id=f"04-{year}-{anchor}")
    # the second place: the West Midlands anchors (FY23) and a Birmingham member, on Birmingham's geography (the
    # Birmingham report itself runs in tests/test_report_birmingham.py)
    for name in ("01_baseline", "02_progression_review", "03_priority_neighbourhoods"):
        yield pytest.param(name, {"year": 2022, **WEST_MIDLANDS}, id=f"{name[:2]}-west-midlands-2022")
    yield pytest.param("04_anchor_profile", {"year": 2022, "anchor": "Local Authority B", **WEST_MIDLANDS},
                       id="04-west-midlands-2022-Local Authority B")
    yield pytest.param("04_anchor_profile", {"year": 2023, "anchor": "nhs_trust_a", **BIRMINGHAM},
                       id="04-birmingham-2023-nhs_trust_a")
    yield pytest.param("03_priority_neighbourhoods", {"year": 2023, "imd_edition": 2025, **BIRMINGHAM},
                       id="03-birmingham-2023-imd2025")


def _execute(name: str, params: dict, folder):
    out_dir = folder / "out"
    executed = folder / f"{name}.ipynb"
    pm.execute_notebook(NOTEBOOKS / f"{name}.ipynb", executed, kernel_name="python3", progress_bar=False,
                        cwd=str(NOTEBOOKS), log_output=False,
                        parameters={"data_dir": str(DEMO_DIR), "output_dir": str(out_dir), "place": "leeds", **params})
    return executed, out_dir


@pytest.mark.parametrize(("name", "params"), list(_cases()))
def test_notebook_runs_under_papermill(name, params, tmp_path, public_data_dir):
    if not (NOTEBOOKS / f"{name}.ipynb").exists():
        pytest.fail(f"notebooks/{name}.ipynb is missing")
    _, out_dir = _execute(name, params, tmp_path)
    figures = sorted((out_dir / "figures").glob("*.png"))
    tables = sorted((out_dir / "tables").glob("*.csv"))
    assert figures, "no figure saved"
    assert tables and all(t.stat().st_size > 0 for t in tables), "no table saved"
    assert {f.stem for f in figures} == {f.stem for f in (out_dir / "figures").glob("*.svg")}, "PNG without SVG"


@pytest.mark.parametrize("name", ["00_reproduce_published_figures", "01_baseline", "02_progression_review",
                                  "03_priority_neighbourhoods", "04_anchor_profile"])
def test_notebook_outputs_are_reproducible_under_nbval(name, tmp_path, public_data_dir):
    executed, _ = _execute(name, {"year": 2023} if not name.startswith("00") else {}, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(executed), "--nbval-current-env", "-p", "no:cacheprovider",
         "--nbval-sanitize-with", str(REPO / "tests" / "nbval_sanitize.cfg"), "-q", "--rootdir", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_anchor_profile_of_a_year_before_the_anchor_joined_says_so(tmp_path, public_data_dir):
    executed, out_dir = _execute("04_anchor_profile", {"year": 2019, "anchor": "cultural_body_a"}, tmp_path)
    text = executed.read_text(encoding="utf-8")
    assert "Cultural Body A was not a member of the network in 2019/20" in text
    assert not list((out_dir / "figures").glob("*.png"))
