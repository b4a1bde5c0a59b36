"""What a report run is asked to do: notebooks, years, formats, and the settings every year's build gets.

In: the command line's options (``--year``, ``--years``, ``--formats``, ``--notebooks``). Out: the years, the
:class:`Notebook` specs and the :class:`RunSettings` of a run, and the result records a run fills in
(:class:`NotebookResult`, :class:`YearResult`, :class:`RunResult`).

>>> parse_years(["2023/24"], "2019-2020"), parse_formats("pdf")
([2019, 2020, 2023], ('html', 'pdf'))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from anchor_analysis.core.errors import ReportError
from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_label, parse_fy

SECTIONS: dict[str, tuple[str, str]] = {
    "01_baseline": ("baseline", "Baseline"),
    "02_progression_review": ("progression", "Progression review"),
    "03_priority_neighbourhoods": ("neighbourhoods", "Priority neighbourhoods"),
}
"""Notebook stem -> (section folder, section title) for the three report notebooks, in report order."""

DEFAULT_NOTEBOOK_DIR = Path("notebooks")
KERNEL_NAME = "python3"
FORMATS = ("html", "pdf")
PARAMETERS = ("year", "data_dir", "output_dir", "place")
"""Parameters every report notebook declares in its cell tagged ``parameters``."""


Echo = Callable[[str], None]


def _print(message: str) -> None:
    """The default :data:`Echo`: print ``message`` and flush."""
    print(message, flush=True)


# --- notebooks and options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notebook:
    """A notebook to execute: its source path, the section folder it writes to and its title in the report.

    Parameters
    ----------
    path : Path
        The notebook's source (absolute when made by :meth:`from_path`).
    section : str
        The folder under ``<out>/<year>/`` that its ``output_dir`` names.
    title : str
        Its title in the combined report.

    Examples
    --------
    >>> nb = Notebook.from_path("notebooks/01_baseline.ipynb")
    >>> nb.name, nb.section, nb.title
    ('01_baseline.ipynb', 'baseline', 'Baseline')
    """

    path: Path
    section: str
    title: str

    @property
    def name(self) -> str:
        """The notebook's file name, ``01_baseline.ipynb``."""
        return self.path.name

    @classmethod
    def from_path(cls, path: str | Path) -> Notebook:
        """Make the spec of the notebook at ``path``.

        The three report notebooks (:data:`SECTIONS`) get their section and title; any other notebook's section is
        its file name without the leading ``NN_``, and its title that section in words.

        Parameters
        ----------
        path : str or Path
            The notebook (it need not exist); resolved to an absolute path.

        Returns
        -------
        Notebook

        Examples
        --------
        >>> nb = Notebook.from_path("notebooks/04_anchor_profile.ipynb")
        >>> nb.section, nb.title, nb.path.is_absolute()
        ('anchor_profile', 'Anchor profile', True)
        """
        path = Path(path).resolve()
        if path.stem in SECTIONS:
            section, title = SECTIONS[path.stem]
        else:
            section = re.sub(r"^\d+[_-]+", "", path.stem) or path.stem
            title = section.replace("_", " ").replace("-", " ").capitalize()
        return cls(path=path, section=section, title=title)


def declared_parameters(path: str | Path) -> set[str]:
    """Return the names assigned in the notebook's cell tagged ``parameters``.

    Parameters
    ----------
    path : str or Path
        The notebook.

    Returns
    -------
    set of str
        The names; empty when the notebook has no such cell, or it (or the cell) does not parse.

    Examples
    --------
    >>> import tempfile
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("year = 2023\\ndata_dir: str = ''", metadata={"tags": ["parameters"]})
    >>> path = Path(tempfile.mkdtemp()) / "01_baseline.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    >>> sorted(declared_parameters(path))
    ['data_dir', 'year']
    """
    import ast

    import nbformat

    try:
        nb = nbformat.read(Path(path), as_version=4)
    except Exception:  # an unreadable notebook is reported when it runs
        return set()
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def default_notebooks(folder: str | Path = DEFAULT_NOTEBOOK_DIR) -> list[Path]:
    """List the three report notebooks (:data:`SECTIONS`) in ``folder`` that exist, in report order.

    Parameters
    ----------
    folder : str or Path, default "notebooks"
        Where to look.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("02_progression_review.ipynb", "01_baseline.ipynb", "scratch.ipynb"):
    ...     _ = (folder / name).write_text("{}")
    >>> [p.name for p in default_notebooks(folder)]
    ['01_baseline.ipynb', '02_progression_review.ipynb']
    """
    return [Path(folder) / f"{stem}.ipynb" for stem in SECTIONS if (Path(folder) / f"{stem}.ipynb").is_file()]


def parse_years(year: Iterable[str | int] = (), years: str | None = None) -> list[int]:
    """Return the years asked for by ``--year`` values and a ``--years`` spec, sorted and without repeats.

    Parameters
    ----------
    year : iterable of str or int, default ()
        ``--year`` values: ``2023`` or ``2023/24``.
    years : str, optional
        A ``--years`` spec: ranges and single years, comma-separated (``2019-2024``, ``2019,2021``).

    Returns
    -------
    list of int
        Financial years by their starting calendar year.

    Raises
    ------
    ReportError
        For a value that is not a financial year, a range that runs backwards, or no year at all.

    Examples
    --------
    >>> parse_years(["2023/24"], "2019-2020,2022")
    [2019, 2020, 2022, 2023]
    >>> parse_years(years="2024-2019")
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.ReportError: --years '2024-2019': the range runs backwards
    """
    from anchor_analysis.core.errors import ConfigError

    found: set[int] = set()
    try:
        for value in year:
            found.add(parse_fy(value))
        for part in (years or "").split(","):
            part = part.strip()
            if not part:
                continue
            start, dash, end = part.partition("-")
            if dash:
                first, last = parse_fy(start), parse_fy(end)
                if last < first:
                    raise ReportError(f"--years {part!r}: the range runs backwards")
                found.update(range(first, last + 1))
            else:
                found.add(parse_fy(part))
    except ConfigError as exc:
        raise ReportError(str(exc)) from exc
    if not found:
        raise ReportError("give a year: --year 2023 or --years 2019-2024")
    return sorted(found)


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Return the formats asked for, ``"html,pdf"`` -> ``("html", "pdf")``, in :data:`FORMATS` order.

    HTML is always built (the PDF is printed from it).

    Parameters
    ----------
    formats : str or iterable of str
        Comma-separated or as items; case and spaces do not matter.

    Returns
    -------
    tuple of str

    Raises
    ------
    ReportError
        For a format other than ``html`` and ``pdf``.

    Examples
    --------
    >>> parse_formats("PDF"), parse_formats(["html"])
    (('html', 'pdf'), ('html',))
    >>> parse_formats("docx")
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.ReportError: unknown format(s) docx: choose from html, pdf
    """
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = {item.strip().lower() for item in items if item.strip()}
    unknown = chosen - set(FORMATS)
    if unknown:
        raise ReportError(f"unknown format(s) {', '.join(sorted(unknown))}: choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in chosen or f == "html")


@dataclass(frozen=True)
class RunSettings:
    """Everything one year's build needs; picklable so years can run in separate processes.

    :func:`anchor_analysis.reporting.run.prepare` makes it from the run's options.

    Parameters
    ----------
    data_dir, out_dir : Path
        The network folder and the output folder (absolute).
    notebooks : tuple of Notebook
        The notebooks to run, in order.
    place : str
        The place configuration's name or TOML path, passed to every notebook.
    formats : tuple of str
        ``("html",)`` or ``("html", "pdf")``.
    chromium : str or None
        The Chromium that prints the PDF (None: none found).
    network_name : str
        The network's name, for the report.
    synthetic : bool
        The returns are synthetic (``network.toml``): the report says so on every page.
    run_date : datetime
        The date the report shows.
    provenance : dict
        ``versions, git_commit, inputs, notebooks, public, attribution, public_note``.
    place_config : Place
        The place configuration itself.
    kernel_name : str, default "python3"
        The Jupyter kernel of every notebook.
    anonymise : bool, default False
        Name anchors by code (see below).

    Examples
    --------
    >>> import tempfile
    >>> from anchor_analysis.reporting.run import prepare
    >>> settings = prepare("data/raw/demo", tempfile.mkdtemp(), "html", notebooks=["notebooks/01_baseline.ipynb"])
    >>> settings.network_name, settings.synthetic, settings.formats, [nb.section for nb in settings.notebooks]
    ('Demo anchor network (SYNTHETIC)', True, ('html',), ['baseline'])
    """

    data_dir: Path
    out_dir: Path
    notebooks: tuple[Notebook, ...]
    place: str
    formats: tuple[str, ...]
    chromium: str | None
    network_name: str
    synthetic: bool
    run_date: datetime
    provenance: dict
    place_config: Place
    kernel_name: str = KERNEL_NAME
    anonymise: bool = False
    """Anchors appear as "Anchor A", "Anchor B", ... (notebooks get ``anonymise = True``; the provenance lists the
    ledger files, whose names carry anchor ids, as a count and one checksum)."""


# --- results --------------------------------------------------------------------------------------------------


@dataclass
class NotebookResult:
    """How one notebook of a year ran.

    Parameters
    ----------
    name, section, title : str
        The notebook's file name, section folder and title (as in its :class:`Notebook`).
    ok : bool
        It ran to the end.
    seconds : float
        How long it ran.
    executed : Path, optional
        The executed notebook (see below).
    html : Path, optional
        Its page of the report.
    error : str, optional
        Why it failed: the failing cell's exception, shortened.

    Examples
    --------
    >>> NotebookResult("01_baseline.ipynb", "baseline", "Baseline", False, 3.2, error="KeyError: 'year'").ok
    False
    """

    name: str
    section: str
    title: str
    ok: bool
    seconds: float
    executed: Path | None = None
    """The executed notebook where it ended up (in ``<out>/<year>`` or ``<out>/failed/<year>``)."""
    html: Path | None = None
    error: str | None = None


@dataclass
class YearResult:
    """How one year of a run went: its notebooks, where its outputs are, what failed.

    Parameters
    ----------
    year : int
        The financial year (2023 = 2023/24).
    notebooks : list of NotebookResult
        One per notebook, in run order.
    out_dir, failed_dir : Path, optional
        Where the year ended up (see below).
    report_html, report_pdf : Path, optional
        The combined report.
    pdf_pages : int, optional
        Pages of the PDF.
    pdf_error, error : str, optional
        Why the PDF, or anything else but a notebook, failed.
    seconds : float, default 0.0
        How long the year took.

    Examples
    --------
    >>> ran = NotebookResult("01_baseline.ipynb", "baseline", "Baseline", True, 12.5)
    >>> year = YearResult(2023, [ran], out_dir=Path("outputs/2023"), pdf_error="no Chromium found")
    >>> year.label, year.built, year.ok
    ('2023/24', True, False)
    """

    year: int
    notebooks: list[NotebookResult] = field(default_factory=list)
    out_dir: Path | None = None
    """``<out>/<year>`` when the year was built and moved into place."""
    failed_dir: Path | None = None
    """``<out>/failed/<year>`` when it was not."""
    report_html: Path | None = None
    report_pdf: Path | None = None
    pdf_pages: int | None = None
    pdf_error: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def label(self) -> str:
        """The financial year's label, ``2023/24``."""
        return fy_label(self.year)

    @property
    def built(self) -> bool:
        """Every notebook ran and the HTML report was built and moved into place."""
        return self.out_dir is not None and self.error is None and all(nb.ok for nb in self.notebooks)

    @property
    def ok(self) -> bool:
        """The year was built and, when asked for, its PDF printed."""
        return self.built and self.pdf_error is None


@dataclass
class RunResult:
    """What a whole run produced: every year's result and the index.

    Parameters
    ----------
    years : list of YearResult
        One per year, in year order.
    out_dir : Path
        The output folder.
    index : Path, optional
        ``<out>/index.html``.
    seconds : float, default 0.0
        How long the run took.
    notes : list of str
        Things the run wants said (no Chromium, leftover staging folders).

    Examples
    --------
    >>> RunResult([], Path("outputs")).ok
    False
    """

    years: list[YearResult]
    out_dir: Path
    index: Path | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """There was a year, and every year is :attr:`YearResult.ok`."""
        return bool(self.years) and all(year.ok for year in self.years)
