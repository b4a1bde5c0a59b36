"""End to end on the real notebooks: one command from the demo network's returns to the 2023/24 report."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from anchor_analysis.cli import main


def digests(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def raw_before(demo_dir):
    return digests(demo_dir)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, public_data_dir, demo_dir, raw_before):
    out = tmp_path_factory.mktemp("outputs")
    result = CliRunner().invoke(main, ["report", "--year", "2023", "--data-dir", str(demo_dir), "--out", str(out),
                                       "--formats", "html,pdf"])
    if result.exit_code != 0 and "no Chromium found" in result.output:
        pytest.fail("Chromium is needed for the PDF: apt-get install chromium (CI installs it)")
    assert result.exit_code == 0, result.output[-3000:]
    return out / "2023"


def test_the_raw_returns_are_left_as_they_were(report_dir, demo_dir, raw_before):
    assert digests(demo_dir) == raw_before


def test_every_section_and_the_combined_report_are_written(report_dir):
    notebooks = sorted(p.name for p in (report_dir / "notebooks").glob("*.ipynb"))
    assert notebooks == ["01_baseline.ipynb", "02_progression_review.ipynb", "03_priority_neighbourhoods.ipynb"]
    for section in ("baseline", "progression", "neighbourhoods"):
        assert list((report_dir / section / "figures").glob("*.png")), section
        assert list((report_dir / section / "tables").glob("*.csv")), section
    assert (report_dir / "report" / "network-impact-report-2023-24.html").exists()
    assert (report_dir / "report" / "network-impact-report-2023-24.pdf").stat().st_size > 10_000


def test_combined_html_carries_the_headline_figures_and_the_synthetic_banner(report_dir):
    html = (report_dir / "report" / "network-impact-report-2023-24.html").read_text(encoding="utf-8")
    for figure in ("62,300", "64%", "12,300", "£511.0m", "110,000"):
        assert figure in html, figure
    assert "SYNTHETIC" in html
    assert "13 of 14 anchors reporting" in html  # coverage is stated, not hidden


def test_the_impact_measures_are_in_the_report_with_their_method_notes_under_disclosure_control(report_dir):
    """Section 1: Core20 in the headline and LM3 with its interval; section 3: need beside effort per ward."""
    import pandas as pd

    html = (report_dir / "report" / "network-impact-report-2023-24.html").read_text(encoding="utf-8")
    for text in ("Staff living in the NHS Core20 areas (IMD quintile 1)", "Local Multiplier 3", "The Money Trail",
                 "Need beside effort", "Anchor Dashboard", "Core20PLUS5"):
        assert text in html, text
    network = pd.read_csv(report_dir / "baseline" / "tables" / "lm3_network.csv").iloc[0]
    assert 1.7 <= network["lm3"] <= 2.1  # the range the Health Foundation cites
    assert network["lm3_low"] <= network["lm3"] <= network["lm3_high"] and network["lm3_low"] < network["lm3_high"]
    assert f"{network['lm3']:.2f}" in html and f"{network['lm3_low']:.2f} to {network['lm3_high']:.2f}" in html
    assert (report_dir / "baseline" / "figures" / "lm3.png").exists()
    threshold = 10
    core20 = pd.read_csv(report_dir / "baseline" / "tables" / "staff_core20_by_anchor.csv")
    for column in ("staff_in_core20", "staff_in_decile1"):
        shown = core20[column].dropna()
        assert ((shown == 0) | (shown >= threshold)).all()
    assert (core20["staff_in_core20"].fillna(0) >= core20["staff_in_decile1"].fillna(0)).all()
    need = pd.read_csv(report_dir / "neighbourhoods" / "tables" / "need_and_effort.csv")
    assert set(need["geography"]) == {"ward", "priority neighbourhood", "whole place"}
    staff = need["staff"].dropna()
    assert ((staff == 0) | (staff >= threshold)).all()
    assert need.loc[need["staff"].isna(), "staff_per_1000"].isna().all()
    ranked = pd.read_csv(report_dir / "neighbourhoods" / "tables" / "high_need_low_effort_wards.csv")
    assert len(ranked) and ranked["gap"].is_monotonic_decreasing
    assert (report_dir / "neighbourhoods" / "figures" / "need_effort_quadrant.png").exists()


def test_pdf_has_pages_and_the_title(report_dir):
    pdf = report_dir / "report" / "network-impact-report-2023-24.pdf"
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF back; CI installs it")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Network impact report" in text and "2023/24" in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))) >= 5


def test_site_postcodes_are_not_published(report_dir, demo_dir):
    """Demo sites sit at randomly drawn real postcodes (possibly someone's home): they are mapped, never printed.
    (Staff postcodes never get this far: they are aggregated to LSOAs on read, see tests/test_io.py.)"""
    import pandas as pd

    sites = pd.read_csv(demo_dir / "sites.csv")["postcode"]
    published = " ".join(p.read_text(encoding="utf-8", errors="ignore")
                         for p in report_dir.rglob("*") if p.suffix in {".csv", ".html"})
    assert not [pc for pc in sites if pc in published]


@pytest.fixture(scope="module")
def anonymised_dir(tmp_path_factory, public_data_dir, demo_dir):
    out = tmp_path_factory.mktemp("anonymised")
    result = CliRunner().invoke(main, ["report", "--year", "2023", "--data-dir", str(demo_dir), "--out", str(out),
                                       "--formats", "html,pdf", "--anonymise"])
    assert result.exit_code == 0, result.output[-3000:]
    return out / "2023"


def published_text(path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return path.read_text(encoding="utf-8", errors="ignore")


def test_an_anonymised_report_names_no_anchor_anywhere(anonymised_dir, demo_dir):
    """Every table, figure (SVG text), page, PDF, executed notebook and the provenance of an --anonymise run: no
    anchor's name or id, while the codes are there."""
    import pandas as pd

    anchors = pd.read_csv(demo_dir / "anchors.csv")
    needles = set(anchors["anchor_id"]) | set(anchors["name"])
    files = [p for p in anonymised_dir.rglob("*") if p.suffix in {".csv", ".html", ".svg", ".pdf", ".json", ".ipynb"}]
    assert len(files) > 50
    leaks = {p.relative_to(anonymised_dir).as_posix(): sorted(n for n in needles if n in published_text(p))
             for p in files}
    assert not {file: found for file, found in leaks.items() if found}
    combined = published_text(anonymised_dir / "report" / "network-impact-report-2023-24.html")
    assert "Anchor A" in combined and "Anchor N" in combined
    assert "ledger/ (" in combined  # the per-anchor ledger files as one row
