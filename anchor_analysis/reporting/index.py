"""``<out>/index.html`` across every year present, and the run's one-screen summary.

In: the output folder (its year folders and their ``provenance.json``) and a run's
:class:`~anchor_analysis.reporting.options.RunResult`. Out: the index page and the summary text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from anchor_analysis import __version__
from anchor_analysis.core.files import atomic_write_text
from anchor_analysis.core.years import fy_label
from anchor_analysis.reporting.combined import _esc, report_file_stem
from anchor_analysis.reporting.options import Notebook, RunResult

# --- index and summary ----------------------------------------------------------------------------------------


def _read_provenance(year_dir: Path) -> dict:
    """A built year's ``provenance.json`` (empty when missing or unreadable: the index still lists the year)."""
    try:
        built = json.loads((year_dir / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return built if isinstance(built, dict) else {}


def write_index(out_dir: str | Path) -> Path:
    """Write ``<out>/index.html`` listing every year folder present, newest first, with links to what it holds.

    Each year shows its network (tagged when synthetic), build date, reports, section pages and executed notebooks,
    and notes a later failed run; after the table come the years whose only run failed (their executed notebooks
    are under ``<out>/failed/<year>``). The page is written atomically.

    Parameters
    ----------
    out_dir : str or Path
        The output folder.

    Returns
    -------
    Path
        ``<out>/index.html``.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / "2023" / "report").mkdir(parents=True)
    >>> _ = (out / "2023" / "report" / "network-impact-report-2023-24.html").write_text("")
    >>> _ = (out / "2023" / "provenance.json").write_text('{"network": "Demo network", "run_date": "2025-01-31"}')
    >>> (out / "failed" / "2024" / "notebooks").mkdir(parents=True)
    >>> page = write_index(out).read_text(encoding="utf-8")
    >>> re.findall(r"<td>(2023/24|Demo network|2025-01-31)</td>", page)
    ['2023/24', 'Demo network', '2025-01-31']
    >>> re.findall(r"<li>([^;]*);", page)
    ['2024/25: no report yet']
    """
    out_dir = Path(out_dir)
    rows = [_year_row(out_dir, folder) for folder in _year_dirs(out_dir)]
    page = _index_page(rows, _failed_only_items(out_dir))
    # never half a page for a reader, and an ordinary mode: a bare mkstemp (0600) hid it from colleagues and servers
    return atomic_write_text(out_dir / "index.html", page)


def _year_dirs(out_dir: Path) -> list[Path]:
    """The year folders (four digits) of ``out_dir``, newest first."""
    return sorted((p for p in out_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)),
                  key=lambda p: int(p.name), reverse=True)


def _year_row(out_dir: Path, folder: Path) -> str:
    """One year folder's table row: year (and a later failed run), network, build date and links."""
    year = int(folder.name)
    links = []
    for suffix, text in ((".html", "report (HTML)"), (".pdf", "report (PDF)")):
        path = folder / "report" / f"{report_file_stem(year)}{suffix}"
        if path.is_file():
            links.append(f'<a href="{_esc(path.relative_to(out_dir).as_posix())}">{text}</a>')
    sections = [p for p in sorted((folder / "report").glob("*.html")) if not p.stem.startswith("network-impact")]
    section_links = ", ".join(f'<a href="{_esc(p.relative_to(out_dir).as_posix())}">'
                              f"{_esc(Notebook.from_path(p).title)}</a>" for p in sections)
    notebooks = ", ".join(f'<a href="{_esc(p.relative_to(out_dir).as_posix())}">{_esc(p.name)}</a>'
                          for p in sorted((folder / "notebooks").glob("*.ipynb")))
    failed = out_dir / "failed" / folder.name
    note = (f' <span class="failed">a later run failed: see <a href="failed/{folder.name}/notebooks/">'
            f"failed/{folder.name}</a></span>") if failed.is_dir() else ""
    built = _read_provenance(folder)
    network = _esc(built.get("network") or "—")
    if built.get("synthetic"):
        network += ' <span class="synthetic">SYNTHETIC DATA</span>'
    run = _esc(str(built.get("run_date", ""))[:10] or "—")
    return (f"<tr><td>{fy_label(year)}{note}</td><td>{network}</td><td>{run}</td>"
            f"<td>{' · '.join(links) or '—'}</td><td>{section_links or '—'}</td>"
            f"<td>{notebooks or '—'}</td></tr>")


def _failed_only_items(out_dir: Path) -> str:
    """List items for the years under ``<out>/failed`` that have no report yet ("" when there are none)."""
    failed_only = sorted(p.name for p in (out_dir / "failed").glob("*")
                         if p.is_dir() and not (out_dir / p.name).is_dir()) if (out_dir / "failed").is_dir() else []
    return "".join(f'<li>{fy_label(int(n))}: no report yet; the last run failed, see '
                   f'<a href="failed/{n}/notebooks/">failed/{n}</a></li>' for n in failed_only if n.isdigit())


def _index_page(rows: list[str], extra: str) -> str:
    """The index page: its table of year ``rows``, then the ``extra`` list items of years that only failed."""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Network impact reports</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.45; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; padding: .35rem .6rem;
       border-bottom: 1px solid #ccc; vertical-align: top; }}
a {{ color: #0b4f8a; }} .failed {{ color: #b00020; font-size: .85em; }}
.synthetic {{ color: #b00020; font-weight: bold; font-size: .75em; letter-spacing: .05em; white-space: nowrap; }}
</style></head>
<body>
<h1>Network impact reports</h1>
<p>Built by <code>anchor-analysis report</code> (anchor-analysis {_esc(__version__)}).</p>
<table><thead><tr><th>year</th><th>network</th><th>built</th><th>report</th><th>sections</th>
<th>executed notebooks</th></tr></thead>
<tbody>{"".join(rows) or '<tr><td colspan="6">No reports yet.</td></tr>'}</tbody></table>
{f"<ul>{extra}</ul>" if extra else ""}
</body>
</html>
"""


def _shown_path(path: Path | None) -> str:
    """``path`` relative to the working directory when under it, else as it is; ``?`` for none."""
    if path is None:
        return "?"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def format_summary(result: RunResult) -> str:
    """Summarise a run on one screen: what was produced and where, and what failed.

    A failed notebook points at its executed notebook; a year that was not built says whether its previous
    outputs were left standing.

    Parameters
    ----------
    result : RunResult
        The run's result.

    Returns
    -------
    str
        The summary, ending "All done." or "Run FAILED: see above.".

    Examples
    --------
    >>> import tempfile
    >>> from anchor_analysis.reporting.options import NotebookResult, YearResult
    >>> ok = NotebookResult("01_baseline.ipynb", "baseline", "Baseline", True, 12.5)
    >>> failed = NotebookResult("02_progression_review.ipynb", "progression", "Progression review", False, 3.2,
    ...                         executed=Path("outputs/failed/2024/notebooks/02_progression_review.ipynb"),
    ...                         error="KeyError: 'year'")
    >>> built = YearResult(2023, [ok], out_dir=Path("outputs/2023"), seconds=41.2,
    ...                    report_html=Path("outputs/2023/report/network-impact-report-2023-24.html"))
    >>> print(format_summary(RunResult([built, YearResult(2024, [ok, failed], seconds=20.0)],
    ...                                Path(tempfile.mkdtemp()), seconds=61.2)))
    <BLANKLINE>
    Summary: 1 of 2 year(s) built in 61 s
      2023/24  ok  (41 s)
          report   outputs/2023/report/network-impact-report-2023-24.html
          outputs  outputs/2023/{notebooks,report,<section>/figures|tables}
      2024/25  FAILED  (20 s)
          FAILED   02_progression_review.ipynb: KeyError: 'year'
                   see outputs/failed/2024/notebooks/02_progression_review.ipynb
          no previous output; nothing of this run was moved into place
    Run FAILED: see above.
    """
    built = sum(y.built for y in result.years)
    lines = ["", f"Summary: {built} of {len(result.years)} year(s) built in {result.seconds:.0f} s"]
    for year in result.years:
        status = "ok" if year.ok else ("built, PDF FAILED" if year.built else "FAILED")
        lines.append(f"  {year.label}  {status}  ({year.seconds:.0f} s)")
        if year.built:
            lines.append(f"      report   {_shown_path(year.report_html)}")
            if year.report_pdf:
                lines.append(f"      pdf      {_shown_path(year.report_pdf)} ({year.pdf_pages} pages)")
            lines.append(f"      outputs  {_shown_path(year.out_dir)}/{{notebooks,report,<section>/figures|tables}}")
        for nb in year.notebooks:
            if not nb.ok:
                lines.append(f"      FAILED   {nb.name}: {nb.error}")
                where = _shown_path(nb.executed) if nb.executed else "(no executed notebook was written)"
                lines.append(f"               see {where}")
        if year.error:
            lines.append(f"      FAILED   {year.error}")
        if year.pdf_error:
            lines.append(f"      PDF      FAILED: {year.pdf_error}")
        if not year.built:
            previous = result.out_dir / str(year.year)
            kept = f"previous {_shown_path(previous)} left as it was" if previous.is_dir() else "no previous output"
            lines.append(f"      {kept}; nothing of this run was moved into place")
    for note in result.notes:
        lines.append(f"  note: {note}")
    if result.index:
        lines.append(f"  index    {_shown_path(result.index)}")
    lines.append("All done." if result.ok else "Run FAILED: see above.")
    return "\n".join(lines)
