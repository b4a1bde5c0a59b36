"""The annual batch run (``anchor-analysis report``) end to end, with tiny stand-in notebooks.

The real report notebooks are not used: each test writes three small notebooks with the report's parameter cell
(year, data_dir, output_dir, place) that save a CSV and a PNG and print a headline value. Validation is replaced
by a stub so the tests do not depend on the data contracts. Kernels really start, so this module takes ~30 s.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import stat
import subprocess
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from anchor_analysis import reporting as report
from anchor_analysis.cli import main
from anchor_analysis.core.errors import InvalidReturns, ReportError
from anchor_analysis.core.files import ordinary_file_mode
from anchor_analysis.reporting import export
from anchor_analysis.reporting.index import write_index

YEAR = 2023
TITLE = "Network impact report 2023/24"

BODY = '''
import struct
import zlib
from pathlib import Path

from IPython.display import Image, Markdown, display


def png(width, height):
    raw = b"".join(b"\\x00" + bytes([180, 40, 40]) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


out = Path(output_dir)
(out / "tables").mkdir(parents=True, exist_ok=True)
(out / "figures").mkdir(parents=True, exist_ok=True)
headline = year * 3 + SALT
(out / "tables" / "headline.csv").write_text(f"year,section,value\\n{year},SECTION,{headline}\\n")
(out / "figures" / "block.png").write_bytes(png(8, 6))
display(Markdown(f"Headline value for SECTION: **{headline}**"))
display(Image(data=png(60, 24)))
'''

COVERAGE = '''
(out / "tables" / "coverage.csv").write_text("statement\\nCOVERAGE-LINE\\n")
'''

NAMES = {"baseline": "01_baseline", "progression": "02_progression_review",
         "neighbourhoods": "03_priority_neighbourhoods"}


def headline(section: str, year: int = YEAR) -> int:
    return year * 3 + 7 + list(NAMES).index(section)


def write_notebook(folder: Path, section: str, *, fails: bool = False, coverage: bool = False) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = BODY.replace("SECTION", section).replace("SALT", str(7 + list(NAMES).index(section)))
    if coverage:
        code += COVERAGE.replace("COVERAGE-LINE", f"13 of 14 anchors reported for {section}")
    nb.cells = [
        new_markdown_cell(f"# {section.title()} stand-in\n\nNarrative for {section}.\n\n## Findings"),
        new_code_cell('year = 2000\ndata_dir = "."\noutput_dir = "out"\nplace = "leeds"',
                      metadata={"tags": ["parameters"]}),
        new_code_cell(code),
    ]
    if fails:
        nb.cells.append(new_code_cell(f"raise ValueError('stand-in failure in {section}')"))
    nb.cells.append(new_markdown_cell("## Notes\n\nThe end."))
    path = folder / f"{NAMES[section]}.ipynb"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


class StubReport:
    """What the runner needs of a validation report: ``ok``, ``warnings`` and ``format()``."""

    def __init__(self, errors: list[str] | None = None):
        self.lines = errors or []
        self.warnings = 0

    @property
    def ok(self) -> bool:
        return not self.lines

    def format(self, *, all_warnings: bool = True) -> str:
        return "\n".join(self.lines + [f"{len(self.lines)} errors, 0 warnings in 1 file"])


@pytest.fixture
def network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    folder.mkdir()
    (folder / "network.toml").write_text('name = "Stand-in Anchor Network"\nplace = "leeds"\nsynthetic = true\n')
    (folder / "anchors.csv").write_text("anchor_id,name,sector,joined_year,left_year\nA01,Anchor one,health,2018,\n")
    return folder


@pytest.fixture(autouse=True)
def valid_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("anchor_analysis.reporting.run.prepare_returns",
                        lambda data_dir, place=None: StubReport())


@pytest.fixture
def notebooks(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "notebooks"
    return [write_notebook(folder, "baseline", coverage=True), write_notebook(folder, "progression"),
            write_notebook(folder, "neighbourhoods")]


def cli(*args: str | Path) -> object:
    return CliRunner().invoke(main, ["report", *map(str, args)], catch_exceptions=False)


def notebook_args(paths: list[Path]) -> list[str | Path]:
    return [item for path in paths for item in ("--notebooks", path)]


def previous_output(out: Path, year: int = YEAR) -> dict[str, bytes]:
    """A previous run's output for ``year``; returns its content to compare with later."""
    folder = out / str(year)
    (folder / "report").mkdir(parents=True)
    (folder / "report" / "old.html").write_text("previous report")
    (folder / "baseline" / "tables").mkdir(parents=True)
    (folder / "baseline" / "tables" / "headline.csv").write_text("year,section,value\n2023,baseline,1\n")
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staging_left(out: Path) -> list[str]:
    return [p.name for p in out.glob(".staging-*")]


def pdf_text(path: Path) -> str:
    """The PDF's text via pdftotext (poppler-utils), whitespace collapsed; else its raw bytes (title metadata)."""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        return " ".join(text.split())
    print("pdftotext not found (apt-get install poppler-utils): searching the PDF bytes instead")
    data = path.read_bytes()
    return data.decode("latin-1") + data.decode("utf-16-be", errors="ignore")


# --- options -------------------------------------------------------------------------------------------------


def test_years_and_formats_are_parsed() -> None:
    assert report.parse_years(["2023"]) == [2023]
    assert report.parse_years(["2023/24"], "2019-2021") == [2019, 2020, 2021, 2023]
    assert report.parse_years((), "2019, 2021") == [2019, 2021]
    with pytest.raises(ReportError, match="give a year"):
        report.parse_years()
    with pytest.raises(ReportError, match="backwards"):
        report.parse_years((), "2024-2019")
    assert report.parse_formats("html,pdf") == ("html", "pdf")
    assert report.parse_formats("pdf") == ("html", "pdf")  # the PDF is printed from the HTML
    with pytest.raises(ReportError, match="unknown format"):
        report.parse_formats("docx")


def test_sections_follow_the_notebook_names(tmp_path: Path) -> None:
    assert report.Notebook.from_path(tmp_path / "01_baseline.ipynb").section == "baseline"
    assert report.Notebook.from_path(tmp_path / "02_progression_review.ipynb").section == "progression"
    assert report.Notebook.from_path(tmp_path / "03_priority_neighbourhoods.ipynb").section == "neighbourhoods"
    assert report.Notebook.from_path(tmp_path / "04_reproduction.ipynb").section == "reproduction"


def test_missing_notebooks_are_a_clear_error(network: Path, tmp_path: Path) -> None:
    result = cli("--year", YEAR, "--data-dir", network, "--out", tmp_path / "out", "--notebooks",
                 tmp_path / "nope.ipynb")
    assert result.exit_code != 0
    assert "notebook(s) not found" in result.output
    assert not (tmp_path / "out").exists()


# --- index ---------------------------------------------------------------------------------------------------


def test_the_index_is_readable_by_a_colleague_or_a_web_server(tmp_path: Path) -> None:
    """index.html gets the mode a plain open() would give (0644 under umask 022), not a temporary file's 0600."""
    (tmp_path / "2023" / "report").mkdir(parents=True)
    for _ in range(2):  # written afresh, then replacing the index of an earlier run
        index = write_index(tmp_path)
        assert index == tmp_path / "index.html"
        assert stat.S_IMODE(index.stat().st_mode) == ordinary_file_mode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023", "index.html"]  # no temporary file left behind


# --- end to end ----------------------------------------------------------------------------------------------


def test_one_year_end_to_end(network: Path, notebooks: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("--year", YEAR, "--data-dir", network, "--out", out, "--formats", "html,pdf",
                 *notebook_args(notebooks))
    chromium = report.find_chromium()
    print(result.output)
    year_dir = out / str(YEAR)

    # executed notebooks, with typed parameters pointing at where the outputs now are
    for section, stem in NAMES.items():
        executed = nbformat.read(year_dir / "notebooks" / f"{stem}.ipynb", as_version=4)
        parameters = executed.metadata["papermill"]["parameters"]
        assert parameters["year"] == YEAR and isinstance(parameters["year"], int)
        assert parameters["output_dir"] == str(year_dir / section)
        assert parameters["data_dir"] == str(network.resolve())
        assert parameters["place"] == "leeds"
        injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert "year = 2023\n" in injected[0].source
        # figures and tables under <out>/<year>/<section>/
        table = year_dir / section / "tables" / "headline.csv"
        assert table.read_text() == f"year,section,value\n{YEAR},{section},{headline(section)}\n"
        assert (year_dir / section / "figures" / "block.png").read_bytes().startswith(b"\x89PNG")
        # one HTML page per notebook, inputs hidden, images embedded
        page = (year_dir / "report" / f"{stem}.html").read_text()
        assert f"Headline value for {section}" in page
        assert "data:image/png;base64," in page
        assert "zlib.compress" not in page

    combined = (year_dir / "report" / "network-impact-report-2023-24.html").read_text()
    assert f"<title>{TITLE}</title>" in combined
    assert "SYNTHETIC DATA" in combined and "Stand-in Anchor Network" in combined
    assert f"<strong>{headline('neighbourhoods')}</strong>" in combined
    assert "import struct" not in combined  # inputs hidden
    assert combined.count("data:image/png;base64,") == 3
    for heading in ("Contents", "Data sources and method notes", "Coverage", "Provenance"):
        assert f"{heading}</h1>" in combined
    assert "13 of 14 anchors reported for baseline" in combined
    assert report.sha256_file(network / "anchors.csv") in combined
    assert report.sha256_file(notebooks[0]) in combined
    assert "Open Government Licence" in combined or "registry unavailable" in combined
    provenance = json.loads((year_dir / "provenance.json").read_text())
    assert provenance["year"] == YEAR and provenance["git_commit"]
    assert provenance["network"] == "Stand-in Anchor Network" and provenance["synthetic"] is True

    index = (out / "index.html").read_text()
    assert "2023/report/network-impact-report-2023-24.html" in index
    assert "<td>Stand-in Anchor Network <span class=\"synthetic\">SYNTHETIC DATA</span></td>" in index
    assert f"<td>{provenance['run_date'][:10]}</td>" in index
    assert '01_baseline.html">Baseline</a>, <a href="2023/report/02_progression_review.html">Progression review</a>' \
        in index
    assert staging_left(out) == [] and not (out / "failed").exists()

    pdf = year_dir / "report" / "network-impact-report-2023-24.pdf"
    if chromium is None:
        assert result.exit_code == 1
        assert report.NO_CHROMIUM in result.output
        assert not pdf.exists()
        pytest.skip(f"PDF not checked: {report.NO_CHROMIUM}")
    assert result.exit_code == 0, result.output
    assert report.pdf_page_count(pdf) > 0
    assert TITLE in pdf_text(pdf)


def test_no_chromium_fails_the_pdf_step_but_keeps_the_html(network: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(report.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    notebook = write_notebook(tmp_path / "notebooks", "baseline")
    out = tmp_path / "out"
    result = cli("--year", YEAR, "--data-dir", network, "--out", out, "--notebooks", notebook)
    assert result.exit_code == 1
    assert report.NO_CHROMIUM in result.output
    assert f"{report.CHROMIUM_ENV}={tmp_path / 'no-such-chromium'} was not found" in result.output
    assert "PDF      FAILED" in result.output
    assert "Run FAILED" in result.output
    assert (out / str(YEAR) / "report" / "network-impact-report-2023-24.html").is_file()
    assert not (out / str(YEAR) / "report" / "network-impact-report-2023-24.pdf").exists()


def test_invalid_returns_stop_the_run(network: Path, notebooks: list[Path], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    before = previous_output(out)
    failing = StubReport(["progression.csv row 7, column 'current': value '5': level must be an integer 1–4"])
    monkeypatch.setattr("anchor_analysis.reporting.run.prepare_returns", lambda data_dir, place=None: failing)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a notebook ran although the returns are invalid")

    monkeypatch.setattr(report.build, "execute_notebook", never)
    result = cli("--year", YEAR, "--data-dir", network, "--out", out, *notebook_args(notebooks))
    assert result.exit_code == 1
    assert "level must be an integer 1–4" in result.output
    assert "failed validation" in result.output
    assert snapshot(out / str(YEAR)) == before
    assert sorted(p.name for p in out.iterdir()) == [str(YEAR)]


def test_a_year_without_returns_stops_the_run_before_anything_runs(network: Path, notebooks: list[Path],
                                                                   tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    returns = StubReport()
    returns.years = {2019, 2020, 2023}
    monkeypatch.setattr("anchor_analysis.reporting.run.prepare_returns", lambda data_dir, place=None: returns)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a notebook ran for a year without returns")

    monkeypatch.setattr(report.build, "execute_notebook", never)
    out = tmp_path / "out"
    result = cli("--years", "2022-2023", "--data-dir", network, "--out", out, *notebook_args(notebooks))
    assert result.exit_code == 1
    assert (f"no returns for 2022/23 in {network.resolve()}: the progression and metrics returns cover 2019/20, "
            "2020/21, 2023/24") in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert kernel_processes() == []


def test_a_failing_notebook_does_not_stop_the_others(network: Path, tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    paths = [write_notebook(folder, "baseline"), write_notebook(folder, "progression", fails=True),
             write_notebook(folder, "neighbourhoods")]
    out = tmp_path / "out"
    before = previous_output(out)
    result = cli("--year", YEAR, "--data-dir", network, "--out", out, "--formats", "html", *notebook_args(paths))
    print(result.output)
    assert result.exit_code == 1
    failed = out / "failed" / str(YEAR)
    culprit = failed / "notebooks" / "02_progression_review.ipynb"
    assert f"see {culprit}" in result.output
    assert "ValueError: stand-in failure in progression" in result.output
    assert "left as it was" in result.output
    # the other two ran to the end; their outputs are kept with the failed run
    for section in ("baseline", "neighbourhoods"):
        assert (failed / section / "tables" / "headline.csv").is_file()
        assert (failed / "notebooks" / f"{NAMES[section]}.ipynb").is_file()
    executed = nbformat.read(culprit, as_version=4)
    assert any(o.get("ename") == "ValueError" for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    # the previous output is untouched and nothing half-built is left
    assert snapshot(out / str(YEAR)) == before
    assert staging_left(out) == []
    assert "failed/2023" in (out / "index.html").read_text()


def test_reruns_give_byte_identical_tables(network: Path, tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    paths = [write_notebook(folder, "baseline", coverage=True), write_notebook(folder, "progression")]
    out = tmp_path / "out"
    tables = []
    for _ in range(2):
        result = report.run_report([YEAR], data_dir=network, out_dir=out, formats="html", notebooks=paths)
        assert result.ok, report.format_summary(result)
        tables.append({k: v for k, v in snapshot(out / str(YEAR)).items() if k.endswith(".csv")})
    assert len(tables[0]) == 3
    assert tables[0] == tables[1]
    assert staging_left(out) == []


@pytest.mark.parametrize("where", ["notebook", "export"])
def test_an_interrupted_run_leaves_previous_outputs(network: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    where: str) -> None:
    folder = tmp_path / "notebooks"
    paths = [write_notebook(folder, "baseline"), write_notebook(folder, "progression")]
    out = tmp_path / "out"
    before = previous_output(out)
    real_execute = report.execute_notebook
    calls = []

    def interrupted_execute(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C (or SIGTERM, which the CLI turns into one) during the 2nd notebook
        real_execute(*args, **kwargs)

    def broken_export(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    if where == "notebook":
        monkeypatch.setattr(report.build, "execute_notebook", interrupted_execute)
        with pytest.raises(KeyboardInterrupt):
            report.run_report([YEAR], data_dir=network, out_dir=out, formats="html", notebooks=paths)
        assert not (out / "failed").exists()
    else:
        monkeypatch.setattr(report.build, "export_html", broken_export)
        result = report.run_report([YEAR], data_dir=network, out_dir=out, formats="html", notebooks=paths)
        assert not result.ok
        assert "disk full" in report.format_summary(result)
    assert snapshot(out / str(YEAR)) == before
    assert staging_left(out) == []


def test_years_run_in_parallel(network: Path, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "notebooks", "baseline")
    out = tmp_path / "out"
    result = cli("--years", "2022-2023", "--jobs", "2", "--data-dir", network, "--out", out, "--formats", "html",
                 "--notebooks", notebook)
    assert result.exit_code == 0, result.output
    for year in (2022, 2023):
        assert (out / str(year) / "baseline" / "tables" / "headline.csv").read_text().endswith(
            f"{year},baseline,{headline('baseline', year)}\n")
        label = report.report_file_stem(year)
        assert (out / str(year) / "report" / f"{label}.html").is_file()
    index = (out / "index.html").read_text()
    assert re.search(r"2022/23.*2023/24|2023/24.*2022/23", index, re.S)
    assert staging_left(out) == []


# --- offline HTML --------------------------------------------------------------------------------------------

REMOTE_SCRIPT_OR_STYLESHEET = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//|<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|@import\s+(?:url\(\s*)?["']?\s*(?:https?:)?//|\bimport\s*\(\s*["'](?:https?:)?//""", re.I)

REMOTE_OUTPUT = '''
from IPython.display import HTML, Markdown, display

display(HTML('<link rel="stylesheet" href="https://cdn.example.org/widgets.css">'
             '<script src="https://cdn.example.org/widgets.js"></script>'
             "<style>@import url('https://fonts.example.org/css?family=Inter');</style>"
             '<p>Output with remote scripts</p>'))
display(Markdown("Unit rates per $1{,}000$ residents, from the [ONS](https://www.ons.gov.uk/)."))
'''


def assert_offline(page: str, where: str) -> None:
    """Nothing fetched from the network: no remote script, stylesheet or CSS import; hyperlinks may be remote."""
    found = REMOTE_SCRIPT_OR_STYLESHEET.search(page)
    assert found is None, f"{where}: remote resource {page[found.start():found.start() + 120]!r}"
    assert 'src="http' not in page, where
    assert all(tag.startswith("<a ") for tag in re.findall(r"<[a-z]+\b[^>]*\bhref=\"http[^>]*>", page)), where
    assert "cdnjs.cloudflare.com" not in page and "cdn.example.org" not in page, where


def test_remote_scripts_and_stylesheets_are_stripped() -> None:
    page = ('<head><script src="https://cdn.example.org/require.js"></script><script>var local = 1;</script>'
            "<link rel='stylesheet' href='//cdn.example.org/x.css'><link rel=\"stylesheet\" href=\"local.css\">"
            '<style>@import url("https://fonts.example.org/css"); body { margin: 0; }</style>'
            '<script type="module">const m = (await import("https://cdn.example.org/m.mjs")).default;</script>'
            '<script src="http://cdn.example.org/unclosed.js"></head>'
            '<body><a href="https://www.ons.gov.uk/">ONS</a><img src="data:image/png;base64,AAAA"></body>')
    stripped = report.strip_external_resources(page)
    assert_offline(stripped, "stripped page")
    for kept in ("<script>var local = 1;</script>", 'href="local.css"', "body { margin: 0; }",
                 '<a href="https://www.ons.gov.uk/">ONS</a>', 'src="data:image/png;base64,AAAA"'):
        assert kept in stripped


def _first_column(table: str) -> list[str]:
    return [export._text(cell) for *_, cell in export._FIRST_CELL.findall(table)]


def test_row_numbers_are_dropped_from_report_tables_and_named_indexes_kept() -> None:
    import pandas as pd

    frame = pd.DataFrame({"metric": ["headcount", "land_ha"], "value": [62_300, 15.5]})
    for shown in (frame, frame.iloc[[1]], frame.set_axis([30, 31])):  # positions left by filtering count too
        table = export._TABLE.search(shown._repr_html_()).group(0)
        dropped = report.drop_row_numbers(table)
        assert _first_column(dropped)[0] == "metric" and "<th>0</th>" not in dropped
        assert export._text(dropped).split() == [w for w in export._text(table).split() if not w.isdigit()
                                                  or w not in {"0", "1", "30", "31"}]
    styled = export._TABLE.search(frame.style.to_html()).group(0)
    assert _first_column(report.drop_row_numbers(styled))[:2] == ["metric", "headcount"]
    for kept in (frame.set_index("metric"), frame.rename_axis("row"), frame.set_axis(["a", "b"]),
                 frame.T):
        table = export._TABLE.search(kept._repr_html_()).group(0)
        assert report.drop_row_numbers(table) == table, kept
    assert report.drop_row_numbers("<table><tr><td>1</td></tr></table>") == "<table><tr><td>1</td></tr></table>"


def test_report_tables_align_words_left_and_numbers_right() -> None:
    import pandas as pd

    frame = pd.DataFrame({"label": ["Workforce (headcount)"], "display": ["£535.5m"], "share": ["-4.4%"],
                          "n": [60_510], "coverage": ["13 of 13 anchors reporting (100%)"]})
    fitted = export._fit_table(export._TABLE.search(frame._repr_html_()).group(0))
    cells = dict((export._text(cell), 'class="text"' in attributes)
                 for attributes, cell in export._CELL.findall(fitted))
    assert cells == {"Workforce (headcount)": True, "£535.5m": False, "-4.4%": False, "60510": False,
                     "13 of 13 anchors reporting (100%)": True}


def test_anonymised_provenance_folds_the_per_anchor_files() -> None:
    rows = [{"file": "anchors.csv", "bytes": 10, "sha256": "a" * 64},
            {"file": "ledger/trust_2023.csv", "bytes": 5, "sha256": "b" * 64},
            {"file": "ledger/uni_2023.csv", "bytes": 7, "sha256": "c" * 64}]
    assert report.published_inputs(rows) == rows
    folded = report.published_inputs(rows, anonymise=True)
    assert [r["file"] for r in folded] == ["anchors.csv", "ledger/ (2 files)"]
    assert folded[1]["bytes"] == 12
    changed = report.published_inputs([rows[0], rows[1], {**rows[2], "sha256": "d" * 64}], anonymise=True)
    assert changed[1]["sha256"] != folded[1]["sha256"]  # still a checksum of every file
    assert rows[1]["file"] == "ledger/trust_2023.csv"


def test_anonymise_refuses_a_notebook_that_cannot_hide_names(network: Path, notebooks: list[Path],
                                                          tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("--year", YEAR, "--data-dir", network, "--out", out, "--anonymise", *notebook_args(notebooks))
    assert result.exit_code == 1
    assert f"--anonymise: {', '.join(p.name for p in notebooks)} have no 'anonymise' parameter" in result.output
    assert not out.exists()
    real = report.DEFAULT_NOTEBOOK_DIR
    assert {"anonymise"} <= report.declared_parameters(real / "01_baseline.ipynb")
    assert all("anonymise" in report.declared_parameters(p) for p in report.default_notebooks(real))


def test_exported_html_renders_offline(network: Path, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "notebooks", "baseline")
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(-1, new_code_cell(REMOTE_OUTPUT))
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                            "version_minor": 0}}
    nbformat.write(nb, notebook)
    out = tmp_path / "out"
    result = cli("--year", YEAR, "--data-dir", network, "--out", out, "--formats", "html", "--notebooks", notebook)
    assert result.exit_code == 0, result.output
    pages = sorted(out.rglob("*.html"))
    assert {p.name for p in pages} == {"01_baseline.html", "network-impact-report-2023-24.html", "index.html"}
    for path in pages:
        page = path.read_text()
        assert_offline(page, path.name)
        assert "<style" in page  # CSS inline
        if path.name != "index.html":
            assert "Output with remote scripts" in page
            assert '<a href="https://www.ons.gov.uk/">ONS</a>' in page  # hyperlinks are kept
            assert "data:image/png;base64," in page
    notebook_page = (out / str(YEAR) / "report" / "01_baseline.html").read_text()
    assert "jp-Notebook" in notebook_page and "--jp-ui-font-family" in notebook_page  # JupyterLab's CSS, inline
    assert "@font-face" not in notebook_page  # system fonts only: nothing to fetch


# --- kernels started ahead -----------------------------------------------------------------------------------

def kernel_processes() -> list[object]:
    import psutil

    found = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if any("ipykernel" in part for part in child.cmdline()):
                found.append(child)
    return found


def test_kernels_start_ahead_in_the_notebook_folder_and_none_is_left(network: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folders = [tmp_path / "first", tmp_path / "second"]
    paths = [write_notebook(folders[0], "baseline"), write_notebook(folders[1], "progression")]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(new_code_cell("import os\nprint('cwd=' + os.getcwd())"))
        nbformat.write(nb, path)
    given = []
    real_execute = report.execute_notebook

    def execute(*args: object, km: object = None, **kwargs: object) -> None:
        given.append(km)
        real_execute(*args, km=km, **kwargs)

    monkeypatch.setattr(report.build, "execute_notebook", execute)
    out = tmp_path / "out"
    result = report.run_report([2022, YEAR], data_dir=network, out_dir=out, formats="html", notebooks=paths)
    assert result.ok, report.format_summary(result)
    assert len(given) == 4 and all(km is not None for km in given)  # every kernel was started ahead
    for year in (2022, YEAR):
        for folder, path in zip(folders, paths, strict=True):
            executed = nbformat.read(out / str(year) / "notebooks" / path.name, as_version=4)
            printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
            assert f"cwd={folder}" in printed
            counts = [c.execution_count for c in executed.cells if c.cell_type == "code"]
            assert counts == list(range(1, len(counts) + 1))  # a fresh kernel for each notebook
    assert kernel_processes() == []


def test_kernels_started_ahead_are_stopped_when_the_run_stops(network: Path, notebooks: list[Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    failing = StubReport(["anchors.csv row 2: duplicate anchor_id"])
    monkeypatch.setattr("anchor_analysis.reporting.run.prepare_returns", lambda data_dir, place=None: failing)
    with pytest.raises(InvalidReturns):
        report.run_report([YEAR], data_dir=network, out_dir=tmp_path / "out", notebooks=notebooks)
    assert kernel_processes() == []

    monkeypatch.setattr("anchor_analysis.reporting.run.prepare_returns",
                        lambda data_dir, place=None: StubReport())
    real_execute = report.execute_notebook

    def interrupted(*args: object, **kwargs: object) -> None:
        if Path(args[0]).name == notebooks[1].name:
            raise KeyboardInterrupt
        real_execute(*args, **kwargs)

    monkeypatch.setattr(report.build, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.run_report([YEAR], data_dir=network, out_dir=tmp_path / "out", formats="html", notebooks=notebooks)
    assert kernel_processes() == []
