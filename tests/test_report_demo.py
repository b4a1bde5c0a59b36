"""End to end on the real notebooks: one command from the demo network's returns to the 2023/24 report."""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess

import pytest
from click.testing import CliRunner
from faults import listing

from anchor_analysis.cli import main
from anchor_analysis.core.files import ordinary_file_mode


def digests(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory, demo_dir):
    """The demo network's returns on a read-only folder (raw data is never written to)."""
    folder = tmp_path_factory.mktemp("read-only") / "raw" / "demo"
    shutil.copytree(demo_dir, folder)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)


@pytest.fixture(scope="module")
def raw_before(raw_dir):
    """Every file's digest, and every file's and folder's size, modification time and mode: tests run as root too,
    where a read-only mode stops no write, so what would change if anything were written is kept to compare."""
    return digests(raw_dir), listing(raw_dir)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, public_data_dir, raw_dir, raw_before):
    out = tmp_path_factory.mktemp("outputs")
    result = CliRunner().invoke(main, ["report", "--year", "2023", "--data-dir", str(raw_dir), "--out", str(out),
                                       "--formats", "html,pdf"])
    if result.exit_code != 0 and "no Chromium found" in result.output:
        pytest.fail("Chromium is needed for the PDF: apt-get install chromium (CI installs it)")
    assert result.exit_code == 0, result.output[-3000:]
    return out / "2023"


def test_the_raw_returns_on_a_read_only_folder_are_left_as_they_were(report_dir, raw_dir, raw_before):
    assert (digests(raw_dir), listing(raw_dir)) == raw_before
    assert all(not path.stat().st_mode & 0o222 for path in [raw_dir, *raw_dir.rglob("*")])


def test_every_output_file_has_ordinary_permissions(report_dir):
    """0644 files and 0755 folders under the usual umask 022: what a colleague or a web server can read."""
    out = report_dir.parent
    modes = {p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*")}
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != ordinary_file_mode() | (0o111 if (out / name).is_dir() else 0)}
    assert not wrong
    assert len(modes) > 50 and "2023/report/network-impact-report-2023-24.pdf" in modes and "index.html" in modes


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


def test_the_report_opens_with_the_summary_and_the_commitments(report_dir):
    html = (report_dir / "report" / "network-impact-report-2023-24.html").read_text(encoding="utf-8")
    summary, commitments = html.index('id="summary"'), html.index('id="commitments"')
    assert summary < commitments < html.index('<nav class="contents">') < html.index('id="section-baseline"')
    assert html[summary:commitments].count('<li class="message">') >= 3
    assert "Local spend with Leeds businesses" in html[commitments:] and "Status rule." in html
    pdf = report_dir / "report" / "network-impact-report-2023-24.pdf"
    second = subprocess.run(["pdftotext", "-f", "2", "-l", "3", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    assert "Executive summary" in second[:200] and "Key messages" in second and "Commitments" in second


def test_pages_are_used_bookmarked_and_footed(report_dir):
    """No page under a third used except the last page before a new section; bookmarks from the headings; each
    page after the cover has its section and number in the footer."""
    from pypdf import PdfReader

    from anchor_analysis.reporting.pages import page_sections, page_usage

    pdf = report_dir / "report" / "network-impact-report-2023-24.pdf"
    usage, sections = page_usage(pdf), page_sections(pdf)
    ends_section = [i == len(sections) - 1 or sections[i + 1] != sections[i] for i in range(len(sections))]
    sparse = [(number + 1, round(used, 2), sections[number]) for number, used in enumerate(usage)
              if used < 1 / 3 and not ends_section[number]]
    assert not sparse, sparse
    titles = [item.title for item in PdfReader(pdf).outline if not isinstance(item, list)]
    assert titles[1:3] == ["Executive summary", "Contents"] and "Provenance" in titles
    reader = PdfReader(pdf)
    total = len(reader.pages)
    for number in (1, total // 2, total - 1):
        footer = reader.pages[number].extract_text().strip().splitlines()[-1]
        assert footer == f"Network impact report 2023/24 · {sections[number]} · page {number + 1} of {total}"


def test_figures_tables_and_headings_are_accessible(report_dir):
    """Every figure has alt text from its title and caption, every table header cells in the reader's words (no
    machine column names), and headings go down one level at a time."""
    import html as html_lib
    import re

    page = (report_dir / "report" / "network-impact-report-2023-24.html").read_text(encoding="utf-8")
    alts = re.findall(r'<img\b[^>]*\balt="([^"]*)"', page)
    assert len(alts) == page.count("<img ") > 10
    assert all(len(alt) > 20 and "No description" not in alt for alt in alts), alts
    assert any(alt.startswith("Leeds: where staff of network anchors live") for alt in alts)
    tables = re.findall(r"<table\b.*?</table>", page, re.S)
    assert tables and all("<th" in table for table in tables)
    headers = {html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
               for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", page, re.S)}
    assert not {h for h in headers if "_" in h}
    assert {"Anchors reporting", "Current, lower quartile", "Who it covers"} <= headers
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", page)]
    assert not [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]


def test_the_report_passes_an_automated_accessibility_check(report_dir):
    """axe-core in the system Chromium, through Playwright: no serious or critical violation."""
    from axe_check import SERIOUS, axe_violations, describe

    from anchor_analysis.reporting.pdf import find_chromium

    chromium = find_chromium()
    if chromium is None:
        pytest.fail("Chromium is needed for the accessibility check: apt-get install chromium (CI installs it)")
    violations = axe_violations(report_dir / "report" / "network-impact-report-2023-24.html", chromium)
    assert not [v for v in violations if v["impact"] in SERIOUS], describe(violations)


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
