"""What a report run is asked to do: notebooks, years, formats, and the settings every year's build gets.
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
    print(message, flush=True)


# --- notebooks and options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notebook:
    """A notebook to execute: its source path, the section folder it writes to and its title in the report."""

    path: Path
    section: str
    title: str

    @property
    def name(self) -> str:
        return self.path.name

    @classmethod
    def from_path(cls, path: str | Path) -> Notebook:
        path = Path(path).resolve()
        if path.stem in SECTIONS:
            section, title = SECTIONS[path.stem]
        else:
            section = re.sub(r"^\d+[_-]+", "", path.stem) or path.stem
            title = section.replace("_", " ").replace("-", " ").capitalize()
        return cls(path=path, section=section, title=title)


def declared_parameters(path: str | Path) -> set[str]:
    """Names assigned in the notebook's cell tagged ``parameters`` (empty when it has none or it does not parse)."""
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
    """The three report notebooks in ``folder`` that exist, in report order."""
    return [Path(folder) / f"{stem}.ipynb" for stem in SECTIONS if (Path(folder) / f"{stem}.ipynb").is_file()]


def parse_years(year: Iterable[str | int] = (), years: str | None = None) -> list[int]:
    """Years from ``--year`` values (``2023`` or ``2023/24``) and a ``--years`` spec (``2019-2024``, ``2019,2021``)."""
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
    """``"html,pdf"`` -> ``("html", "pdf")``; HTML is always built (the PDF is printed from it)."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = {item.strip().lower() for item in items if item.strip()}
    unknown = chosen - set(FORMATS)
    if unknown:
        raise ReportError(f"unknown format(s) {', '.join(sorted(unknown))}: choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in chosen or f == "html")


@dataclass(frozen=True)
class RunSettings:
    """Everything one year's build needs; picklable so years can run in separate processes."""

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
        return fy_label(self.year)

    @property
    def built(self) -> bool:
        """Every notebook ran and the HTML report was built and moved into place."""
        return self.out_dir is not None and self.error is None and all(nb.ok for nb in self.notebooks)

    @property
    def ok(self) -> bool:
        return self.built and self.pdf_error is None


@dataclass
class RunResult:
    years: list[YearResult]
    out_dir: Path
    index: Path | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.years) and all(year.ok for year in self.years)
