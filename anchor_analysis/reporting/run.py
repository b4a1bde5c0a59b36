"""The whole run: options checked, returns validated, every year built (in parallel with ``jobs``), the index
written. :func:`run_report` is what ``anchor-analysis report`` calls.

In: the command line's options. Out: ``<out>/<year>`` per year built (see :mod:`anchor_analysis.reporting`),
``<out>/index.html`` and the :class:`~anchor_analysis.reporting.options.RunResult`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from anchor_analysis.core.errors import InvalidReturns, ReportError
from anchor_analysis.core.files import clear_partial_files
from anchor_analysis.core.locks import folder_lock
from anchor_analysis.core.years import fy_label
from anchor_analysis.reporting.build import _build_year_in_child, build_year, promote
from anchor_analysis.reporting.index import write_index
from anchor_analysis.reporting.kernels import KernelQueue
from anchor_analysis.reporting.options import (
    DEFAULT_NOTEBOOK_DIR,
    FORMATS,
    SECTIONS,
    Echo,
    Notebook,
    RunResult,
    RunSettings,
    YearResult,
    _print,
    declared_parameters,
    default_notebooks,
    parse_formats,
)
from anchor_analysis.reporting.pdf import find_chromium, no_chromium_message
from anchor_analysis.reporting.provenance import (
    _package_versions,
    _read_network_toml,
    git_commit,
    input_files,
    public_datasets,
    run_date,
    sha256_file,
)

# --- the whole run --------------------------------------------------------------------------------------------


def prepare(
    data_dir: str | Path = "data/raw/demo",
    out_dir: str | Path = "outputs",
    formats: str | Iterable[str] = FORMATS,
    place: str | None = None,
    notebooks: Sequence[str | Path] | None = None,
    anonymise: bool = False,
) -> RunSettings:
    """Check the options and gather what every year shares (network, place, provenance); validates nothing.

    Parameters
    ----------
    data_dir : str or Path, default "data/raw/demo"
        The network folder; its ``network.toml`` gives the network's name, place and synthetic flag.
    out_dir : str or Path, default "outputs"
        The output folder (not created here).
    formats : str or iterable of str, default ("html", "pdf")
        See :func:`~anchor_analysis.reporting.options.parse_formats`.
    place : str, optional
        A place name or a place TOML; default: the network's, else ``leeds``.
    notebooks : sequence of str or Path, optional
        The notebooks to run, in order; default: the three report notebooks in ``notebooks/``.
    anonymise : bool, default False
        Name anchors by code; every notebook must declare an ``anonymise`` parameter.

    Returns
    -------
    RunSettings

    Raises
    ------
    ReportError
        For a missing network folder or notebook, no notebooks, notebooks sharing a section, an unknown format or
        place, or ``anonymise`` with a notebook that cannot hide names.

    Examples
    --------
    >>> settings = prepare("data/raw/demo", tempfile.mkdtemp(), "html", notebooks=["notebooks/01_baseline.ipynb"])
    >>> settings.place, settings.synthetic, sorted(settings.provenance)
    ('leeds', True, ['attribution', 'git_commit', 'inputs', 'notebooks', 'public', 'public_note', 'versions'])
    >>> prepare("data/raw/nowhere")
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.ReportError: network folder .../data/raw/nowhere does not exist
    """
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise ReportError(f"network folder {data_dir} does not exist")
    chosen = [Path(p) for p in notebooks] if notebooks else default_notebooks()
    if not chosen:
        raise ReportError(f"no notebooks to run: none of {', '.join(f'{s}.ipynb' for s in SECTIONS)} is in "
                          f"{DEFAULT_NOTEBOOK_DIR.resolve()}; pass --notebooks")
    missing = [str(p) for p in chosen if not p.is_file()]
    if missing:
        raise ReportError(f"notebook(s) not found: {', '.join(missing)}")
    specs = tuple(Notebook.from_path(p) for p in chosen)
    if anonymise:
        unable = [nb.name for nb in specs if "anonymise" not in declared_parameters(nb.path)]
        if unable:
            verb = "has" if len(unable) == 1 else "have"
            raise ReportError(f"--anonymise: {', '.join(unable)} {verb} no 'anonymise' parameter, so cannot hide "
                              "anchor names; run without --anonymise or add the parameter")
    sections = [nb.section for nb in specs]
    if len(set(sections)) != len(sections) or len({nb.name for nb in specs}) != len(specs):
        raise ReportError(f"two notebooks would write to the same section folder or name: {sections}")
    network = _read_network_toml(data_dir)
    place_value = place or network.get("place") or "leeds"
    if Path(place_value).suffix == ".toml" and Path(place_value).is_file():
        place_value = str(Path(place_value).resolve())
    from anchor_analysis.core.errors import ConfigError
    from anchor_analysis.core.places import load_place

    try:
        place_obj = load_place(place_value)
    except ConfigError as exc:
        raise ReportError(str(exc)) from exc
    public_rows, attribution, public_note = public_datasets(place_obj)
    provenance = {
        "versions": _package_versions(),
        "git_commit": git_commit(),
        "inputs": input_files(data_dir),
        "notebooks": {nb.name: sha256_file(nb.path) for nb in specs},
        "public": public_rows,
        "attribution": attribution,
        "public_note": public_note,
    }
    return RunSettings(
        data_dir=data_dir,
        out_dir=Path(out_dir).resolve(),
        notebooks=specs,
        place=str(place_value),
        formats=parse_formats(formats),
        chromium=find_chromium(),
        network_name=str(network.get("name") or place_obj.network_name),
        synthetic=bool(network.get("synthetic", False)),
        run_date=run_date(),
        provenance=provenance,
        place_config=place_obj,
        anonymise=bool(anonymise),
    )


def prepare_returns(data_dir: Path, place: str | None = None):
    """Validate the network's returns and build its derived tables for the run (or reuse them when nothing changed).

    Every notebook of every year then reads the same tables
    (:func:`anchor_analysis.derived.processed_network`) and no ledger line is classified twice.

    Parameters
    ----------
    data_dir : Path
        The network folder.
    place : str, optional
        The place; default: the network's.

    Returns
    -------
    ValidationReport
        Its failures when the returns are invalid (nothing is built then), else its warnings.

    Examples
    --------
    >>> report = prepare_returns(Path("data/raw/demo"))  # doctest: +PUBLIC_DATA
    >>> report.ok, sorted(report.years)  # doctest: +PUBLIC_DATA
    (True, [2019, 2020, 2021, 2022, 2023, 2024])
    """
    from anchor_analysis.core.errors import ValidationFailed
    from anchor_analysis.derived import processed_network

    try:
        return processed_network(data_dir, place).report
    except ValidationFailed as exc:
        return exc.report


def validate(settings: RunSettings, place: str | None = None, echo: Echo | None = None):
    """Validate the network folder (building its derived tables) and say how it went.

    Parameters
    ----------
    settings : RunSettings
        The run's settings (``data_dir``).
    place : str, optional
        The place; default: the network's.
    echo : callable, optional
        Receives the line saying the returns are valid (with or without warnings); default: print it.

    Returns
    -------
    ValidationReport
        The report of valid returns (with their warnings).

    Raises
    ------
    InvalidReturns
        When the returns have errors.

    Examples
    --------
    >>> settings = prepare("data/raw/demo", tempfile.mkdtemp(), "html", notebooks=["notebooks/01_baseline.ipynb"])
    >>> report = validate(settings)  # doctest: +PUBLIC_DATA
    validation: .../data/raw/demo ok with warnings (0 errors, ... warnings in ... files); ... lists them
    """
    echo = echo or _print
    report = prepare_returns(settings.data_dir, place)
    if not report.ok:
        raise InvalidReturns(report)
    settings.provenance["ledgers"] = dict(getattr(report, "readings", {}))  # how each export was read, for the record
    warnings = getattr(report, "warnings", 0)
    if warnings:
        counts = report.format().strip().splitlines()[-1]
        echo(f"validation: {settings.data_dir} ok with warnings ({counts}); "
             f"`anchor-analysis validate --all-warnings {settings.data_dir}` lists them")
    else:
        echo(f"validation: {settings.data_dir} ok")
    return report


def check_years_have_returns(years: Sequence[int], report: object, data_dir: Path) -> None:
    """Check that every year asked for has returns: no progression and no metrics rows would fail every notebook.

    A folder with no progression or metrics at all is left to the notebooks, which say what they need.

    Parameters
    ----------
    years : sequence of int
        The years asked for.
    report : ValidationReport
        The validation report; its ``years`` are those with progression or metrics rows.
    data_dir : Path
        The network folder, for the message.

    Raises
    ------
    ReportError
        Naming the years without returns, and those with.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> check_years_have_returns([2023], SimpleNamespace(years={2019, 2023}), Path("demo"))
    >>> check_years_have_returns([2023, 2030], SimpleNamespace(years={2019, 2023}), Path("demo"))
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.ReportError: no returns for 2030/31 in demo: the progression and metrics returns \
cover 2019/20, 2023/24
    """
    known = sorted(getattr(report, "years", None) or ())
    missing = [y for y in years if y not in known]
    if known and missing:
        raise ReportError(f"no returns for {', '.join(fy_label(y) for y in missing)} in {data_dir}: the progression "
                          f"and metrics returns cover {', '.join(fy_label(y) for y in known)}")


def run_report(
    years: Sequence[int],
    data_dir: str | Path = "data/raw/demo",
    out_dir: str | Path = "outputs",
    formats: str | Iterable[str] = FORMATS,
    jobs: int = 1,
    place: str | None = None,
    notebooks: Sequence[str | Path] | None = None,
    echo: Echo | None = None,
    anonymise: bool = False,
    wait: float = 0,
) -> RunResult:
    """Validate, then build every year (``jobs`` years at a time, in separate processes when ``jobs > 1``).

    With one job (or one year) the years share one :class:`~anchor_analysis.reporting.kernels.KernelQueue`, the
    first kernel starting while the returns are validated. Each year is built in a staging folder and moved into
    place by this process (:func:`~anchor_analysis.reporting.build.promote`); then ``<out>/index.html`` is
    written. Unusable options and invalid returns are raised before anything is written. The run holds the output
    folder (:func:`~anchor_analysis.core.locks.folder_lock`) from start to end: a second run on it waits ``wait``
    seconds, then stops, and only a run holding it clears the staging folders a killed run left.

    Parameters
    ----------
    years : sequence of int
        The financial years (2023 = 2023/24).
    data_dir : str or Path, default "data/raw/demo"
        The network folder (see :func:`prepare`).
    out_dir : str or Path, default "outputs"
        The output folder (created when missing).
    formats : str or iterable of str, default ("html", "pdf")
        The formats to build.
    jobs : int, default 1
        Years built at a time.
    place : str, optional
        A place name or a place TOML; default: the network's, else ``leeds``.
    notebooks : sequence of str or Path, optional
        The notebooks to run, in order; default: the three report notebooks in ``notebooks/``.
    echo : callable, optional
        Receives each progress line; default: print it.
    anonymise : bool, default False
        Name anchors by code in every notebook.
    wait : float, default 0
        Seconds to wait for another run holding the output folder (negative: for ever).

    Returns
    -------
    RunResult
        Notebook, export and PDF failures are reported in it (``.ok`` False), not raised.

    Raises
    ------
    ReportError
        For unusable options (no years, ``jobs`` below 1, see :func:`prepare`) or a year without returns.
    InvalidReturns
        For invalid returns.
    FolderLocked
        Another run holds the output folder (still, after ``wait`` seconds).

    Examples
    --------
    >>> run_report([2023], jobs=0)
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.ReportError: --jobs must be at least 1
    """
    echo = echo or _print
    started = time.monotonic()
    years = sorted({int(y) for y in years})
    if not years:
        raise ReportError("no years to run")
    if jobs < 1:
        raise ReportError("--jobs must be at least 1")
    settings = prepare(data_dir, out_dir, formats, place, notebooks, anonymise=anonymise)
    # years built in this process share one queue of kernels (worker processes keep their own, per year)
    kernels = (KernelQueue(settings.kernel_name, [(y, nb) for y in years for nb in settings.notebooks])
               if jobs == 1 or len(years) == 1 else None)
    with contextlib.ExitStack() as held:  # let go of in reverse: kernels closed, then the lock, then (no-op) kernels
        if kernels is not None:
            held.callback(kernels.close)  # a run the returns stop closes the kernel it started
            kernels.start_next()  # the first notebook's kernel starts while the returns are validated
        # returns that stop the run stop it before the output folder is touched (not even its lock is made)
        check_years_have_returns(years, validate(settings, place=place, echo=echo), settings.data_dir)
        held.enter_context(folder_lock(settings.out_dir, "anchor-analysis report", wait))
        if kernels is not None:
            held.callback(kernels.close)  # before the lock is let go: a run waiting for it starts after this one ends
        return _run_years(years, settings, jobs, kernels, started, echo)


def _run_years(years: Sequence[int], settings: RunSettings, jobs: int, kernels: KernelQueue | None, started: float,
               echo: Echo) -> RunResult:
    """Build the validated years (here with ``kernels``, else in ``jobs`` worker processes) and write the index."""
    notes = []
    if "pdf" in settings.formats and not settings.chromium:
        notes.append(f"PDF: {no_chromium_message()}")
        echo(f"warning: {no_chromium_message()}; the HTML reports will still be built")
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    cleared = clear_leftovers(settings.out_dir)
    if cleared:
        notes.append(f"removed what a killed run left in {settings.out_dir}: {', '.join(cleared)}")
    echo(f"running {len(settings.notebooks)} notebook(s) for {', '.join(fy_label(y) for y in years)} "
         f"({settings.network_name}{', SYNTHETIC data' if settings.synthetic else ''}"
         f"{', anchors anonymised' if settings.anonymise else ''}) into {settings.out_dir}")
    stagings = {y: Path(tempfile.mkdtemp(prefix=f".staging-{y}-", dir=settings.out_dir)) for y in years}
    results: dict[int, YearResult] = {}
    try:
        if kernels is not None:
            for y in years:
                built = _guarded(y, lambda y=y: build_year(y, settings, stagings[y], echo, kernels))
                results[y] = promote(built, settings, stagings[y])
        else:
            _run_parallel(years, settings, stagings, min(jobs, len(years)), results)
    finally:
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)
    index = write_index(settings.out_dir)
    return RunResult(years=[results[y] for y in years], out_dir=settings.out_dir, index=index,
                     seconds=time.monotonic() - started, notes=notes)


def clear_leftovers(out_dir: Path) -> list[str]:
    """Remove the staging folders (and temporary files) a killed run left in ``out_dir``; call it only while
    holding the folder's lock.

    A run killed between the two renames of :func:`~anchor_analysis.reporting.build.promote` left the year's
    previous output in its staging folder (``previous``, or ``previous-failed`` for ``<out>/failed/<year>``) and
    no ``<out>/<year>``: that output is put back first.

    Parameters
    ----------
    out_dir : Path
        The output folder.

    Returns
    -------
    list of str
        What was removed, relative to ``out_dir``.

    Examples
    --------
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / ".staging-2023-k1ll3d" / "previous" / "baseline").mkdir(parents=True)
    >>> (out / ".staging-2023-k1ll3d" / "2023").mkdir()
    >>> clear_leftovers(out), sorted(p.name for p in out.iterdir()), (out / "2023" / "baseline").is_dir()
    (['.staging-2023-k1ll3d'], ['2023'], True)
    """
    cleared = []
    for staging in sorted(out_dir.glob(".staging-*")):
        year = staging.name.split("-")[1]
        for previous, final in ((staging / "previous", out_dir / year),
                                (staging / "previous-failed", out_dir / "failed" / year)):
            if year.isdigit() and previous.is_dir() and not final.exists():
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(previous, final)  # killed between moving the old year aside and the new one in
        shutil.rmtree(staging, ignore_errors=True)
        cleared.append(staging.name)
    return cleared + [p.relative_to(out_dir).as_posix() for p in clear_partial_files(out_dir)]


def _guarded(year: int, build: Callable[[], YearResult]) -> YearResult:
    """Run one year; an unexpected error (not a notebook's) fails that year only."""
    try:
        return build()
    except Exception as exc:
        return YearResult(year=year, error=f"{type(exc).__name__}: {exc}")


def _worker_init() -> None:
    """Worker processes leave Ctrl-C to the main process, which stops them with SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_parallel(years: Sequence[int], settings: RunSettings, stagings: dict[int, Path], jobs: int,
                  results: dict[int, YearResult]) -> None:
    """Build years in worker processes; the main process alone moves each finished year into place."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init)
    try:
        futures = {pool.submit(_build_year_in_child, y, settings, stagings[y]): y for y in years}
        for future in as_completed(futures):
            y = futures[future]
            try:
                built = future.result()
            except Exception as exc:
                built = YearResult(year=y, error=f"{type(exc).__name__}: {exc}")
            results[y] = promote(built, settings, stagings[y])
    except BaseException:
        # interrupted: stop the workers now (their kernels exit with them) so that nothing more is built
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
