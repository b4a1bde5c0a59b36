"""The combined network impact report of a year: cover, contents, sections, sources, coverage, provenance.

In: the run's settings and each notebook's exported body (:func:`anchor_analysis.reporting.export.export_html`).
Out: one standalone HTML page, styled by :data:`REPORT_CSS` for screen and A4 print.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Iterable, Sequence
from pathlib import Path

from anchor_analysis import __version__
from anchor_analysis.core.years import fy_label
from anchor_analysis.publish.vocabulary import reader_header
from anchor_analysis.reporting.export import _section_body
from anchor_analysis.reporting.options import Notebook, RunSettings
from anchor_analysis.reporting.provenance import ledger_readings, published_inputs

REPORT_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10pt;
       line-height: 1.45; color: #1b1b1b; }
body { margin: 0 auto; max-width: 178mm; }
@media screen { body { max-width: 60rem; padding: 2rem 1.5rem; } }
h1, h2, h3, h4 { line-height: 1.25; break-after: avoid; page-break-after: avoid; color: #10304f; }
h1 { font-size: 20pt; margin: 0 0 .6em; }
h2 { font-size: 14pt; margin: 1.4em 0 .5em; }
h3 { font-size: 11.5pt; margin: 1.2em 0 .4em; }
p, li { orphans: 3; widows: 3; }
a { color: #0b4f8a; text-decoration: underline; text-underline-offset: .12em; }  /* not by colour alone */
nav.contents a { text-decoration: none; }
code, pre, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8pt; }
td.mono { font-size: 7pt; white-space: nowrap; overflow-wrap: normal; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .4em 0; }
img, svg { max-width: 100%; height: auto; }
/* a figure leaves room on its page for the lines after it (a full-page map pushed its caption to a page alone),
   and the heading and text that introduce it stay on its page */
.output_png img { max-height: 205mm; width: auto; }
.text_cell:has(+ .code_cell .output_png) { break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; max-width: 100%; font-size: 8.5pt; margin: .6em 0 1em; }
th, td { border-bottom: .5pt solid #9a9a9a; padding: .25em .55em; vertical-align: top; }
table[data-fit~="squeezed"] th { overflow-wrap: anywhere; }
table.meta td { overflow-wrap: anywhere; }
thead th { border-bottom: 1pt solid #333; text-align: left; }
td { text-align: right; }
td.text, table.meta td { text-align: left; }
table.facts th:first-child, table.facts td:first-child { white-space: nowrap; overflow-wrap: normal; }
tr, img, .output_png, .output_svg, figure { break-inside: avoid; page-break-inside: avoid; }
.cover { min-height: 245mm; display: flex; flex-direction: column; justify-content: center; }
.cover .network { font-size: 14pt; color: #444; margin: 0 0 .4em; letter-spacing: .02em; }
.cover h1 { font-size: 30pt; margin: 0 0 .3em; }
.cover .year { font-size: 13pt; margin: 0 0 2.2em; }
.cover .meta { color: #555; font-size: 9.5pt; }
.synthetic-banner { border: 3pt solid #b00020; color: #b00020; background: #fdecee; font-weight: bold;
                    font-size: 15pt; letter-spacing: .08em; padding: 5mm 6mm; margin: 0 0 12mm; text-align: center; }
.synthetic-banner small { display: block; font-size: 9.5pt; letter-spacing: 0; font-weight: normal; margin-top: 2mm; }
.synthetic-tag { color: #b00020; font-weight: bold; font-size: 8pt; letter-spacing: .06em; float: right; }
nav.contents { break-before: page; page-break-before: always; }
nav.contents ol { padding-left: 1.4em; }
nav.contents li { margin: .25em 0; }
nav.contents ol ol { font-size: 9pt; list-style: none; padding-left: 1em; }
nav.contents li.level3 { padding-left: 1.2em; font-size: 8.5pt; margin: .1em 0; }
.report-section { break-before: page; page-break-before: always; }
.section-eyebrow { font-size: 8.5pt; text-transform: uppercase; letter-spacing: .08em; color: #666; margin: 0; }
.section-links { font-size: 8.5pt; color: #666; }
.cell, .output_area, .output_subarea { margin: 0; padding: 0; }
.output_area + .output_area { margin-top: .4em; }
.output_text pre, .output_stream pre { background: #f6f6f6; padding: 4pt 6pt; }
.dataframe { font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: 9pt; }
.prompt, .anchor-link { display: none; }
.summary ol.messages { padding-left: 1.4em; }
.summary li.message { margin: .35em 0; }
.summary .rule { color: #555; font-size: 8pt; }
table.summary-table { width: 100%; }
table.summary-table caption { text-align: left; font-weight: bold; color: #10304f; padding: 0 0 .3em; }
table.summary-table th[scope="row"] { text-align: left; font-weight: normal; }
table.summary-table .note { font-size: 7pt; }
.summary p.note, .summary ul.note { font-size: 8pt; margin: .3em 0; }
.summary ul.note li { margin: 0; }
table.summary-table .num { white-space: nowrap; }
h2.new-page { break-before: page; page-break-before: always; }
table.commitments { font-size: 7.5pt; }
table.commitments th[scope="row"] { width: 24%; }
table.commitments td, table.commitments th { padding: .25em .35em; }
td.status { white-space: nowrap; font-weight: bold; }
td.status-on-track { color: #00603f; }
td.status-at-risk { color: #7a4a00; }
td.status-off-track { color: #a33b00; }
td.chart { padding: .1em .2em; width: 37mm; }
svg.sparkline { display: block; }
"""


def _esc(value: object) -> str:
    """``value`` as text, escaped for HTML (quotes too)."""
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], cls: str = "meta", mono: Iterable[int] = ()) -> str:
    """An HTML table of class ``cls``, cells left-aligned; the columns numbered in ``mono`` in a monospace font."""
    mono = set(mono)
    head = "".join(f'<th scope="col">{_esc(reader_header(h))}</th>' for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="text{" mono" if i in mono else ""}">{_esc(v)}</td>' for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def report_file_stem(year: int) -> str:
    """Return the file name, without suffix, of a year's combined report.

    Parameters
    ----------
    year : int
        The financial year (2023 = 2023/24).

    Returns
    -------
    str

    Examples
    --------
    >>> report_file_stem(2023)
    'network-impact-report-2023-24'
    """
    return f"network-impact-report-{fy_label(year).replace('/', '-')}"


def _read_coverage(path: Path, limit: int = 200) -> tuple[list[str], list[list[str]]]:
    """The header and first ``limit`` rows of a ``coverage.csv``."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return [], []
    return rows[0], rows[1 : limit + 1]


def _coverage_html(work: Path, notebooks: Sequence[Notebook]) -> str:
    """The Coverage appendix: each section's ``coverage.csv`` statements as a list (or the table as it is)."""
    parts = []
    for nb in notebooks:
        candidates = [work / nb.section / "tables" / "coverage.csv", work / nb.section / "coverage.csv"]
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            continue
        header, rows = _read_coverage(path)
        parts.append(f"<h2>{_esc(nb.title)}</h2>")
        lowered = [h.strip().lower() for h in header]
        if "statement" in lowered:
            col = lowered.index("statement")
            items = "".join(f"<li>{_esc(row[col])}</li>" for row in rows if len(row) > col and row[col].strip())
            parts.append(f"<ul>{items}</ul>")
        elif header:
            parts.append(_table(header, rows, cls="coverage"))
        else:
            parts.append('<p class="note">coverage.csv is empty.</p>')
    if not parts:
        return ('<p>None: no notebook wrote coverage statements for this year '
                '(a notebook states coverage by saving <code>tables/coverage.csv</code>).</p>')
    return "\n".join(parts)


def _sources_html(settings: RunSettings, year: int) -> str:
    """The Data sources and method notes appendix: the returns, the public datasets and how figures are made."""
    prov = settings.provenance
    groups: dict[str, int] = {}
    for row in prov["inputs"]:
        top, slash, _ = row["file"].partition("/")
        groups[f"{top}/" if slash else top] = groups.get(f"{top}/" if slash else top, 0) + 1
    files = ", ".join(f"<code>{_esc(name)}</code>" + (f" ({count} files)" if name.endswith("/") else "")
                      for name, count in groups.items()) or "none"
    synthetic = (
        "<p><strong>These returns are synthetic</strong>: invented, pseudonymous anchors on the real geography, "
        "constructed to agree with the network's published aggregates. They describe no real organisation.</p>"
        if settings.synthetic else ""
    )
    parts = [
        "<h2>Network returns</h2>",
        f"<p>The {_esc(settings.network_name)} returns for {fy_label(year)} in <code>{_esc(settings.data_dir.name)}"
        f"</code>, validated against the data contracts before the run: {files}. Checksums are under "
        "<a href=\"#provenance\">Provenance</a>.</p>",
        synthetic,
        "<h2>Public reference data</h2>",
    ]
    if prov["public_note"]:
        parts.append(f'<p class="note">{_esc(prov["public_note"])}</p>')
    else:
        rows = [(d.get("title", ""), d.get("publisher", ""), d.get("licence", "")) for d in prov["public"]]
        parts.append("<p>Openly licensed public datasets registered with the kit (each notebook uses those it "
                     "needs):</p>")
        parts.append(_table(("dataset", "publisher", "licence"), rows))
        if prov["attribution"]:
            lines = "".join(f"<li>{_esc(line)}</li>" for line in prov["attribution"].splitlines() if line.strip())
            parts.append(f"<p>Attribution:</p><ul>{lines}</ul>")
    parts.append("<h2>Method notes</h2><ul>")
    parts.append(f"<li><strong>Financial year</strong> April–March, labelled by its start: {fy_label(year)} runs "
                 f"from 1 April {year} to 31 March {year + 1}.</li>")
    parts.append("<li><strong>Progression Framework</strong>: each anchor scores every activity on four levels "
                 "(1 basic, 2 intermediate, 3 good, 4 best practice), now (<em>current</em>) and as "
                 "<em>ambition</em>; <em>stretch</em> = ambition − current. A dimension score is the mean of an "
                 "anchor's activity levels; a network score is the mean over the anchors that reported that year "
                 "and is always shown with the number reporting.</li>")
    where = settings.place_config
    rings = "; ".join(f"{_esc(ring.label)} ({_esc(', '.join(ring.lad_codes))})" for ring in where.rings)
    parts.append(f"<li><strong>Local</strong> is measured in concentric rings for {_esc(where.name)}: {rings}; "
                 "everything outside is <em>elsewhere</em>.</li>")
    parts.append(f"<li><strong>Most deprived areas</strong> are LSOAs in national decile 1 of the Index of "
                 f"Multiple Deprivation; the edition in use for {fy_label(year)} is IMD {where.imd_edition_for(year)} "
                 f"(editions configured: {', '.join(str(e) for e in where.imd_editions)}). Deciles are never "
                 "compared across editions.</li>")
    parts.append(f"<li><strong>Disclosure control</strong>: published counts below {where.disclosure_threshold} "
                 "are suppressed, with secondary suppression where a total would reveal them.</li>")
    parts.append(f"<li><strong>Net zero</strong>: carbon trajectories are read against {_esc(where.name)}'s "
                 f"net-zero year, {where.net_zero_year}.</li>")
    parts.append("<li><strong>Influenceable spend</strong> is non-pay spend with external suppliers, excluding "
                 "payments to other public bodies, tax, pensions, levies and grants to individuals; each excluded "
                 "pound is reported.</li>")
    parts.append("<li><strong>Coverage</strong>: every network total states the anchors reporting out of the anchors "
                 "in the network that year, and the share of the total they represent. A metric not reported is "
                 "missing, never zero.</li></ul>")
    return "\n".join(p for p in parts if p)


def _ledger_readings_html(readings: dict, anonymise: bool) -> list[str]:
    """The finance exports read through a mapping or preset, and how (nothing when every ledger was contract-shaped)."""
    rows = ledger_readings(readings, anonymise)
    if not rows:
        return []
    if anonymise:
        table = _table(("read with", "files", "lines"), [(r["read_with"], r["files"], f"{r['lines']:,}") for r in rows])
    else:
        table = _table(("file", "read with", "columns (header → field)", "rows dropped (title, blank, footer)"),
                       [(r["file"], r["read_with"], ", ".join(f"{h} → {f}" for f, h in r["columns"].items()),
                         f"{r['title_rows']}, {r['blank_rows']}, {r['footer_rows']}") for r in rows], mono=(0,))
    return ["<h2>Ledgers read through a column mapping</h2>", table]


def _provenance_html(settings: RunSettings, year: int, executed: Sequence[tuple[Notebook, Path]]) -> str:
    """The Provenance appendix: package, commit, run date, notebooks, input files and public datasets, checksummed."""
    prov = settings.provenance
    facts = [
        ("package", f"anchor-analysis {prov['versions']['anchor-analysis']}"),
        ("git commit", prov["git_commit"]),
        ("run date", settings.run_date.isoformat(timespec="seconds")),
        ("financial year", f"{fy_label(year)} (parameter year = {year})"),
        ("network folder", str(settings.data_dir)),
        ("place", settings.place),
        ("kernel", settings.kernel_name),
        ("software", ", ".join(f"{k} {v}" for k, v in prov["versions"].items() if k != "anchor-analysis")),
    ]
    parts = [_table(("item", "value"), facts, cls="meta facts"), "<h2>Notebooks</h2>"]
    parts.append(_table(("notebook", "section", "sha256 of the source"),
                        [(nb.name, nb.section, prov["notebooks"].get(nb.name, "")) for nb, _ in executed], mono=(2,)))
    parts.append("<h2>Input files</h2>")
    if prov["inputs"]:
        parts.append(_table(("file", "bytes", "sha256"),
                            [(r["file"], r["bytes"], r["sha256"])
                             for r in published_inputs(prov["inputs"], settings.anonymise)], mono=(1, 2)))
        if settings.anonymise:
            parts.append('<p class="note">Anchors are anonymised in this report: the files of each subfolder (one '
                         "per anchor, named after it) are listed as one row, whose sha256 is that of their names and "
                         "checksums (here and in <code>provenance.json</code>).</p>")
    else:
        parts.append('<p class="note">No input files found.</p>')
    parts += _ledger_readings_html(prov.get("ledgers", {}), settings.anonymise)
    parts.append("<h2>Public datasets</h2>")
    if prov["public_note"]:
        parts.append(f'<p class="note">{_esc(prov["public_note"])}</p>')
    else:
        parts.append("<p>Registered files (read, where a notebook uses them, only after their sha256 matched); "
                     "titles, licences and attribution are under <a href=\"#sources\">Data sources</a>.</p>")
        rows = [(d.get("key", ""), d.get("sha256", "")) for d in prov["public"]]
        parts.append(_table(("dataset", "sha256"), rows, mono=(0, 1)))
    return "\n".join(parts)


def combined_report(settings: RunSettings, year: int, work: Path, bodies: Sequence[tuple[Notebook, str]],
                    summary: str = "") -> str:
    """Make the combined *Network impact report* HTML of one year.

    The page has a cover (with a banner when the data are synthetic), the executive summary when one is given,
    the contents (each section with its h2 and h3 headings), one section per notebook and the appendices: data
    sources and method notes, coverage (from the sections' ``coverage.csv`` in ``work``) and provenance.

    Parameters
    ----------
    settings : RunSettings
        The run's settings (:func:`anchor_analysis.reporting.run.prepare`).
    year : int
        The financial year (2023 = 2023/24).
    work : Path
        The year's folder: ``<section>/tables/coverage.csv`` are read from it.
    bodies : sequence of (Notebook, str)
        Each notebook with its exported body, in report order.
    summary : str, default ""
        The executive summary section (:func:`anchor_analysis.reporting.summary.executive_summary_html`), placed
        after the cover and first in the contents.

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> import re
    >>> import tempfile
    >>> from anchor_analysis.reporting.run import prepare
    >>> settings = prepare("data/raw/demo", tempfile.mkdtemp(), "html", notebooks=["notebooks/01_baseline.ipynb"])
    >>> body = "<h1>Baseline</h1><h2>Staff</h2><p>62,300 staff.</p>"
    >>> page = combined_report(settings, 2023, Path(tempfile.mkdtemp()), [(settings.notebooks[0], body)])
    >>> re.findall("<title>(.*)</title>", page), "SYNTHETIC DATA" in page
    (['Network impact report 2023/24'], True)
    >>> re.findall(r'<li(?: class="level2")?><a href="#[^"]+">([^<]+)</a>', page)
    ['Baseline', 'Staff', 'Data sources and method notes', 'Coverage', 'Provenance']
    """
    label = fy_label(year)
    tag = '<span class="synthetic-tag">SYNTHETIC DATA</span>' if settings.synthetic else ""
    contents, sections = [], []
    if summary:
        contents.append('<li><a href="#summary">Executive summary</a><ol><li class="level2"><a href="#commitments">'
                        "Commitments</a></li></ol></li>")
    for number, (nb, body) in enumerate(bodies, start=1):
        entry, section = _notebook_section(nb, body, number, label, tag)
        contents.append(entry)
        sections.append(section)
    for anchor, heading, content in _appendices(settings, year, work, bodies):
        contents.append(f'<li><a href="#{anchor}">{heading}</a></li>')
        sections.append(f'<section class="report-section" id="{anchor}"><p class="section-eyebrow">{tag}{label}</p>'
                        f"<h1>{heading}</h1>\n{content}</section>")
    return _report_page(settings, year, contents, sections, summary)


def _notebook_section(nb: Notebook, body: str, number: int, label: str, tag: str) -> tuple[str, str]:
    """A notebook's entry in the contents (with its h2 and h3 headings) and its section of the report."""
    body, headings = _section_body(body, nb.section)
    h1s = [h for h in headings if h[0] == 1]
    subs = [h for h in headings if h[0] in (2, 3)]
    if h1s:
        heading = ""
        anchor, shown = h1s[0][1], h1s[0][2]
    else:
        anchor, shown = nb.section, nb.title
        heading = f'<h1 id="{_esc(anchor)}">{_esc(nb.title)}</h1>'
    sub_items = "".join(f'<li class="level{level}"><a href="#{_esc(i)}">{_esc(t)}</a></li>'
                        for level, i, t in subs)
    entry = (f'<li><a href="#{_esc(anchor)}">{_esc(shown)}</a>'
             f'{f"<ol>{sub_items}</ol>" if sub_items else ""}</li>')
    links = (f'<p class="section-links">Also as <a href="{_esc(nb.path.stem)}.html">a page of its own</a> and as '
             f'<a href="../notebooks/{_esc(nb.name)}">the executed notebook</a>.</p>')
    section = (
        f'<section class="report-section" id="section-{_esc(nb.section)}">'
        f'<p class="section-eyebrow">{tag}Section {number} · {_esc(nb.title)} · {label}</p>'
        f"{heading}\n{links}\n{body}</section>"  # links first: at the end they could fill a page alone
    )
    return entry, section


def _appendices(settings: RunSettings, year: int, work: Path,
                bodies: Sequence[tuple[Notebook, str]]) -> list[tuple[str, str, str]]:
    """The appendices after the sections, as (anchor, heading, HTML): sources and method notes, coverage, provenance."""
    executed = [(nb, work / "notebooks" / nb.name) for nb, _ in bodies]
    return [
        ("sources", "Data sources and method notes", _sources_html(settings, year)),
        ("coverage", "Coverage", _coverage_html(work, [nb for nb, _ in bodies])),
        ("provenance", "Provenance", _provenance_html(settings, year, executed)),
    ]


def _report_page(settings: RunSettings, year: int, contents: Sequence[str], sections: Sequence[str],
                 summary: str = "") -> str:
    """The whole page around the summary, the contents entries and the sections: head, styles and cover."""
    label = fy_label(year)
    title = f"Network impact report {label}"
    date = settings.run_date
    banner = (
        '<div class="synthetic-banner">SYNTHETIC DATA<small>This report is built from the synthetic demo network: '
        "invented, pseudonymous anchors. It describes no real organisation and no real performance.</small></div>"
        if settings.synthetic else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="anchor-analysis {_esc(__version__)}">
<title>{_esc(title)}</title>
<style>{REPORT_CSS}</style>
</head>
<body>
<header class="cover">
{banner}
<p class="network">{_esc(settings.network_name)}</p>
<h1>{_esc(title)}</h1>
<p class="year">Financial year {label}: 1 April {year} to 31 March {year + 1}</p>
<p class="meta">Run on {date.day} {date:%B %Y} · anchor-analysis {_esc(__version__)}</p>
</header>
<main>
{summary}
<nav class="contents">
<h1>Contents</h1>
<ol>{"".join(contents)}</ol>
</nav>
{"".join(sections)}
</main>
</body>
</html>
"""
