"""Building one year inside a staging folder, and moving it into place only when it is complete.

In: the run's settings and a staging folder. Out: ``<out>/<year>`` (or ``<out>/failed/<year>``) holding the
executed notebooks, each section's figures and tables, the report pages, the combined report (HTML and PDF) and
``provenance.json``, and the :class:`~anchor_analysis.reporting.options.YearResult` saying how it went.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from pathlib import Path

from anchor_analysis.core.errors import PdfError
from anchor_analysis.core.files import exchange_paths
from anchor_analysis.core.years import fy_label
from anchor_analysis.reporting.combined import combined_report, report_file_stem
from anchor_analysis.reporting.export import export_html, strip_external_resources
from anchor_analysis.reporting.kernels import KernelQueue, _error_text, execute_notebook
from anchor_analysis.reporting.options import Echo, Notebook, NotebookResult, RunSettings, YearResult, _print
from anchor_analysis.reporting.pages import stamp_footers
from anchor_analysis.reporting.pdf import pdf_page_count, print_pdf
from anchor_analysis.reporting.provenance import ledger_readings, published_inputs
from anchor_analysis.reporting.summary import report_summary

# --- one year -------------------------------------------------------------------------------------------------


def _retarget(executed: Path, old: Path, new: Path) -> None:
    """Point the injected ``output_dir`` of an executed notebook at where its outputs now are."""
    import nbformat

    if not executed.is_file():
        return
    nb = nbformat.read(executed, as_version=4)
    changed = False
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and str(old) in cell.source:
            cell.source = cell.source.replace(str(old), str(new))
            changed = True
    recorded = nb.metadata.get("papermill", {}).get("parameters", {})
    for key, value in recorded.items():
        if isinstance(value, str) and str(old) in value:
            recorded[key] = value.replace(str(old), str(new))
            changed = True
    if changed:
        nbformat.write(nb, executed)


def _replace_dir(work: Path, final: Path, trash: Path) -> None:
    """Move ``work`` to ``final``, an existing ``final`` to ``trash``: swapped in one step where the system can
    (so a kill never finds ``final`` missing), else moved aside first and restored on failure."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists() and exchange_paths(work, final):
        os.replace(work, trash)
    elif final.exists():
        os.replace(final, trash)
        try:
            os.replace(work, final)
        except BaseException:
            os.replace(trash, final)
            raise
    else:
        os.replace(work, final)


def build_year(year: int, settings: RunSettings, staging: Path, echo: Echo | None = None,
               kernels: KernelQueue | None = None) -> YearResult:
    """Execute and export one year inside ``staging/<year>``.

    The steps: run every notebook (a failing one does not stop the others), then, only when all succeeded, export
    each section's page, the combined report and ``provenance.json``, then print the PDF (a failed PDF leaves the
    HTML standing). Nothing outside ``staging`` is touched: :func:`promote` moves the year into place, in the main
    process. The caller owns ``staging`` and removes it afterwards, whatever happens here.

    Parameters
    ----------
    year : int
        The financial year (2023 = 2023/24).
    settings : RunSettings
        The run's settings.
    staging : Path
        An empty folder of the caller's; the year is built in ``staging/<year>``.
    echo : callable, optional
        Receives each progress line; default: print it.
    kernels : KernelQueue, optional
        The run's kernels, started ahead; by default, this year's own (closed when the year is done).

    Returns
    -------
    YearResult
        Its paths relative to ``staging/<year>``; failures recorded in it, not raised.

    Examples
    --------
    A year without notebooks runs no kernel: it builds just the combined report and ``provenance.json``.

    >>> import dataclasses
    >>> import tempfile
    >>> from anchor_analysis.reporting.run import prepare
    >>> settings = prepare("data/raw/demo", tempfile.mkdtemp(), "html", notebooks=["notebooks/01_baseline.ipynb"])
    >>> staging = Path(tempfile.mkdtemp())
    >>> result = build_year(2023, dataclasses.replace(settings, notebooks=()), staging)
    [2023/24] HTML report: ok in ... s
    >>> result.report_html.as_posix(), sorted(p.name for p in (staging / "2023").iterdir())
    ('report/network-impact-report-2023-24.html', ['notebooks', 'provenance.json', 'report'])
    """
    if kernels is None:
        kernels = KernelQueue(settings.kernel_name, [(year, nb) for nb in settings.notebooks])
        try:
            return build_year(year, settings, staging, echo, kernels)
        finally:
            kernels.close()
    echo = echo or _print
    started = time.monotonic()
    result = YearResult(year=year)
    work = staging / str(year)
    (work / "notebooks").mkdir(parents=True)
    for nb in settings.notebooks:
        result.notebooks.append(_run_notebook(year, nb, settings, work, kernels, echo))
    if all(nb.ok for nb in result.notebooks):
        _export_html(year, settings, work, result, echo)
    if result.error is None and all(nb.ok for nb in result.notebooks) and "pdf" in settings.formats:
        _print_pdf(year, settings, work, result, echo)
    _record_executed(work, result)
    result.seconds = time.monotonic() - started
    return result


def _run_notebook(year: int, nb: Notebook, settings: RunSettings, work: Path, kernels: KernelQueue,
                  echo: Echo) -> NotebookResult:
    """Execute one notebook into ``work/notebooks`` with the year's parameters; a failure is recorded, not raised."""
    label = fy_label(year)
    parameters = {"year": int(year), "data_dir": str(settings.data_dir),
                  "output_dir": str(work / nb.section), "place": settings.place}
    if settings.anonymise:
        parameters["anonymise"] = True
    (work / nb.section).mkdir(parents=True, exist_ok=True)
    echo(f"[{label}] {nb.name}: running")
    t0 = time.monotonic()
    km = kernels.take(year, nb)
    try:
        execute_notebook(nb.path, work / "notebooks" / nb.name, parameters, kernel_name=settings.kernel_name, km=km)
    except Exception as exc:  # a failing notebook must not stop the others
        seconds = time.monotonic() - t0
        echo(f"[{label}] {nb.name}: FAILED after {seconds:.1f} s: {_error_text(exc)}")
        return NotebookResult(nb.name, nb.section, nb.title, False, seconds, error=_error_text(exc))
    seconds = time.monotonic() - t0
    echo(f"[{label}] {nb.name}: ok in {seconds:.1f} s")
    return NotebookResult(nb.name, nb.section, nb.title, True, seconds)


def _export_html(year: int, settings: RunSettings, work: Path, result: YearResult, echo: Echo) -> None:
    """Section pages, combined report and ``provenance.json``; a failure is recorded in ``result.error``."""
    label = fy_label(year)
    try:
        t0 = time.monotonic()
        (work / "report").mkdir()
        bodies = _export_sections(year, settings, work, result)
        report_html = work / "report" / f"{report_file_stem(year)}.html"
        summary = report_summary(settings, year, [nb.section for nb, _ in bodies])
        report_html.write_text(strip_external_resources(combined_report(settings, year, work, bodies, summary)),
                               encoding="utf-8")
        result.report_html = Path("report") / report_html.name
        _write_provenance(year, settings, work)
        echo(f"[{label}] HTML report: ok in {time.monotonic() - t0:.1f} s")
    except Exception as exc:
        result.error = f"HTML export failed: {_error_text(exc)}"
        echo(f"[{label}] HTML export FAILED: {_error_text(exc)}")


def _export_sections(year: int, settings: RunSettings, work: Path, result: YearResult) -> list[tuple[Notebook, str]]:
    """Each executed notebook's page under ``work/report``; returns their bodies for the combined report."""
    label = fy_label(year)
    bodies: list[tuple[Notebook, str]] = []
    for nb, nb_result in zip(settings.notebooks, result.notebooks, strict=True):
        body = export_html(work / "notebooks" / nb.name, work / "report" / f"{nb.path.stem}.html",
                           f"{nb.title} {label}", nb.path.parent)
        bodies.append((nb, body))
        nb_result.html = Path("report") / f"{nb.path.stem}.html"
    return bodies


def _write_provenance(year: int, settings: RunSettings, work: Path) -> None:
    """``work/provenance.json``: the run's settings, versions and checksums (inputs folded when anonymised)."""
    provenance = {
        "year": year, "label": fy_label(year), "run_date": settings.run_date.isoformat(timespec="seconds"),
        "network": settings.network_name, "synthetic": settings.synthetic, "anonymise": settings.anonymise,
        "data_dir": str(settings.data_dir), "place": settings.place, "kernel": settings.kernel_name,
        "git_commit": settings.provenance["git_commit"], "versions": settings.provenance["versions"],
        "notebooks": settings.provenance["notebooks"],
        "inputs": published_inputs(settings.provenance["inputs"], settings.anonymise),
        "ledgers": ledger_readings(settings.provenance.get("ledgers", {}), settings.anonymise),
        "public_datasets": [d.get("key") for d in settings.provenance["public"]],
        "public_note": settings.provenance["public_note"],
    }
    (work / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")


def _print_pdf(year: int, settings: RunSettings, work: Path, result: YearResult, echo: Echo) -> None:
    """Print the combined report to PDF; a failure is recorded in ``result.pdf_error`` and the HTML stands."""
    label = fy_label(year)
    t0 = time.monotonic()
    pdf = work / "report" / f"{report_file_stem(year)}.pdf"
    try:
        print_pdf(work / result.report_html, pdf, settings.chromium)
        stamp_footers(pdf, f"Network impact report {label}")
    except PdfError as exc:
        result.pdf_error = str(exc)
        echo(f"[{label}] PDF: FAILED: {exc}")
    else:
        result.report_pdf = Path("report") / pdf.name
        result.pdf_pages = pdf_page_count(pdf)
        echo(f"[{label}] PDF: ok in {time.monotonic() - t0:.1f} s ({result.pdf_pages} pages)")


def _record_executed(work: Path, result: YearResult) -> None:
    """Point each notebook's result at its executed notebook, where one was written (even a failed one)."""
    for nb_result in result.notebooks:
        if (work / "notebooks" / nb_result.name).is_file():
            nb_result.executed = Path("notebooks") / nb_result.name


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM (delivered on exit) so that a rename pair is never cut in half."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def promote(result: YearResult, settings: RunSettings, staging: Path) -> YearResult:
    """Move a built year from ``staging`` into ``<out>/<year>``, or into ``<out>/failed/<year>`` when it failed.

    A year succeeded when it had notebooks and everything but the PDF worked: it replaces the old
    ``<out>/<year>`` (SIGINT and SIGTERM held across the renames) and clears an old ``<out>/failed/<year>``. The
    injected ``output_dir`` of each executed notebook is pointed at where its outputs now are. Runs in the main
    process only.

    Parameters
    ----------
    result : YearResult
        From :func:`build_year`, its paths relative to ``staging/<year>``.
    settings : RunSettings
        The run's settings (``out_dir``).
    staging : Path
        The folder the year was built in.

    Returns
    -------
    YearResult
        ``result``, its ``out_dir`` or ``failed_dir`` set and its paths made absolute.

    Examples
    --------
    >>> import tempfile
    >>> from anchor_analysis.reporting.options import NotebookResult
    >>> from anchor_analysis.reporting.run import prepare
    >>> settings = prepare("data/raw/demo", tempfile.mkdtemp(), "html", notebooks=["notebooks/01_baseline.ipynb"])
    >>> staging = Path(tempfile.mkdtemp())
    >>> (staging / "2023" / "baseline" / "tables").mkdir(parents=True)
    >>> ran = NotebookResult("01_baseline.ipynb", "baseline", "Baseline", True, 12.5)
    >>> result = promote(YearResult(2023, [ran]), settings, staging)
    >>> result.out_dir == settings.out_dir / "2023", (result.out_dir / "baseline" / "tables").is_dir()
    (True, True)
    """
    work = staging / str(result.year)
    succeeded = bool(result.notebooks) and result.error is None and all(nb.ok for nb in result.notebooks)
    final = settings.out_dir / str(result.year) if succeeded else settings.out_dir / "failed" / str(result.year)
    if work.is_dir():
        for executed in (work / "notebooks").glob("*.ipynb"):
            _retarget(executed, work, final)
        with _signals_held():  # a SIGKILL between the renames: the next run's clear_leftovers puts it back
            _replace_dir(work, final, staging / ("previous" if succeeded else "previous-failed"))
    if succeeded:
        result.out_dir = final
        shutil.rmtree(settings.out_dir / "failed" / str(result.year), ignore_errors=True)
        _remove_if_empty(settings.out_dir / "failed")
    elif work.is_dir() or final.is_dir():
        result.failed_dir = final
    for nb_result in result.notebooks:
        nb_result.executed = final / nb_result.executed if nb_result.executed else None
        nb_result.html = final / nb_result.html if nb_result.html else None
    result.report_html = final / result.report_html if result.report_html else None
    result.report_pdf = final / result.report_pdf if result.report_pdf else None
    return result


def _remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` if it is empty (and exists)."""
    try:
        folder.rmdir()
    except OSError:
        pass


def _build_year_in_child(year: int, settings: RunSettings, staging: Path) -> YearResult:
    """:func:`build_year` in a worker process (progress printed, the year's own kernels)."""
    return build_year(year, settings, staging)
