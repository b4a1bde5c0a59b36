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
