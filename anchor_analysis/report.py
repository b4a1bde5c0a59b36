"""The annual batch run: validate a network's returns, execute the notebooks per year, export the reports.

``anchor-analysis report --year 2023`` (see :func:`run_report`) does, for each year:

1. validates the network folder once (:func:`anchor_analysis.validation.validate_directory`); invalid returns stop
   the run before anything is executed or written;
2. executes every notebook with Papermill (kernel ``python3``, working directory = the notebook's folder) with the
   typed parameters ``year`` (int), ``data_dir`` (str), ``output_dir`` (str) and ``place`` (str), each in a fresh
   kernel started while the notebook before it runs (:class:`KernelQueue`);
3. exports each executed notebook to HTML with nbconvert (inputs hidden, images embedded, CSS inline, no script or
   stylesheet from a CDN: the pages render offline), builds the combined *Network impact report* HTML (cover,
   contents, the sections, data sources and method notes, coverage, provenance) and prints it to PDF with headless
   Chromium;
4. writes ``<out>/index.html`` across every year present.

Layout of ``<out>`` (``section`` is ``baseline``, ``progression`` or ``neighbourhoods``; any other notebook's
section is its file name without the leading ``NN_``)::

    <out>/index.html                                   every year present, with links
    <out>/<year>/notebooks/<notebook>.ipynb            executed notebooks (outputs included)
    <out>/<year>/<section>/figures/, tables/           what each notebook saved under its ``output_dir``
    <out>/<year>/report/<notebook>.html                one page per notebook, inputs hidden
    <out>/<year>/report/network-impact-report-<yyyy-yy>.html and .pdf   the combined report
    <out>/<year>/provenance.json                       network, synthetic flag, versions, git commit, input checksums,
                                                       parameters
    <out>/failed/<year>/                               the last failed run of a year, kept for inspection

Safety: a year is built in ``<out>/.staging-<year>-<random>/<year>`` (by a worker process with ``--jobs N``) and
renamed into ``<out>/<year>`` by the main process (:func:`promote`, with SIGINT/SIGTERM held across the renames)
only when every notebook ran and the HTML was built, so a failed or interrupted run leaves the previous outputs as
they were. A failed year (executed notebooks, and whatever the notebooks that ran wrote) goes to
``<out>/failed/<year>/`` instead; staging folders are always removed, and an interrupt stops the workers first.
One failing notebook does not stop the others. A PDF failure (e.g. no Chromium) is reported and makes the run
fail, but does not hold back the HTML.

The runner writes nothing into the notebooks' tables: identical inputs give byte-identical CSVs as long as the
notebooks themselves are deterministic (and do not write ``output_dir``, which names the staging folder, into them).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import html
import itertools
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .config import Place, fy_label, parse_fy

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

CHROMIUM_ENV = "ANCHOR_ANALYSIS_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)
NO_CHROMIUM = f"no Chromium found: install it with `apt-get install chromium` or set {CHROMIUM_ENV}"
PDF_TIMEOUT = 300
"""Seconds Chromium may take to print one report."""

REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell", "parameters", "injected-parameters"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})

Echo = Callable[[str], None]


class ReportError(Exception):
    """A report run that cannot start (bad options, no notebooks, unreadable network.toml, unknown place)."""


class InvalidReturns(Exception):
    """The network's returns failed validation; ``.report`` is the validation report (``.ok``, ``.format()``)."""

    def __init__(self, report: object):
        super().__init__("the network's returns failed validation")
        self.report = report


class PdfError(RuntimeError):
    """Chromium is missing or could not print the report."""


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
    from .config import ConfigError

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


def no_chromium_message() -> str:
    """Why there is no PDF: NO_CHROMIUM, plus the bad ``$ANCHOR_ANALYSIS_CHROMIUM`` when it is set."""
    configured = os.environ.get(CHROMIUM_ENV)
    return f"{NO_CHROMIUM} ({CHROMIUM_ENV}={configured} was not found)" if configured else NO_CHROMIUM


def find_chromium() -> str | None:
    """The Chromium to print with: ``$ANCHOR_ANALYSIS_CHROMIUM`` if set, else the first of CHROMIUM_NAMES on PATH."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return shutil.which(configured) or (configured if Path(configured).is_file() else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


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


# --- provenance -----------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(data_dir: Path) -> list[dict]:
    """Every file of the network folder (hidden files aside): relative path, size and sha256, sorted by path."""
    rows = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            rows.append({"file": relative.as_posix(), "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    return rows


def git_commit(where: Path | None = None) -> str:
    """``git rev-parse HEAD`` of the repository holding the package (``"unknown"`` outside one), marked if dirty."""
    where = where or Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=30, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not head:
        return "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head


def public_datasets() -> tuple[list[dict], str, str | None]:
    """The public datasets registry and attribution statements; a note instead when the registry is unavailable."""
    try:
        from . import public

        frame = public.registry()
        rows = frame.to_dict(orient="records")
        return rows, public.attribution(), None
    except Exception as exc:  # the registry is optional for the report: degrade with a note
        return [], "", f"public datasets registry unavailable ({type(exc).__name__}: {exc})"


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"anchor-analysis": __version__, "python": platform.python_version()}
    for name in ("papermill", "nbconvert", "nbclient", "ipykernel", "pandas"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_date() -> datetime:
    """Now, or ``$SOURCE_DATE_EPOCH`` when set (for reproducible report HTML)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now().astimezone()


def _read_network_toml(data_dir: Path) -> dict:
    path = data_dir / "network.toml"
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: not valid TOML ({exc})") from exc


# --- running one notebook -------------------------------------------------------------------------------------


IPYKERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR")
"""What nbclient adds when it starts an IPython kernel itself (no history database), and the kernel's own log
held to errors: ipykernel 7 warns on every start that its local TCP sockets are unencrypted, a line per notebook
between the run's progress lines. Anything a notebook prints or raises is in its outputs, not in this log."""


def start_kernel(kernel_name: str, cwd: Path):
    """Start a kernel in ``cwd`` as nbclient would for Papermill, without waiting for it to be ready; returns its
    (asynchronous) kernel manager. The process boots in the background."""
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=kernel_name)
    run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=list(IPYKERNEL_ARGUMENTS))
    return km


def stop_kernel(km) -> None:
    """Kill a kernel that is still running (one started ahead and not used, or left by a failed run)."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)


def _handing_over(km) -> type:
    """A kernel manager class for nbclient whose "instances" are the already started ``km``: nbclient then connects
    to that kernel, runs the notebook and shuts the kernel down exactly as it does a kernel it started itself."""

    class StartedKernelManager(type(km)):
        def __new__(cls, *args, **kwargs):
            return km  # not an instance of this subclass, so __init__ does not run again

    return StartedKernelManager


def execute_notebook(source: Path, executed: Path, parameters: dict, kernel_name: str = KERNEL_NAME,
                     km=None) -> None:
    """Run ``source`` with Papermill into ``executed``, in the notebook's own folder; raises on a failing cell.

    ``km``: a kernel already started for this notebook (:class:`KernelQueue`), in ``source``'s folder; by default
    Papermill starts one. Either way the kernel is shut down when the notebook is done."""
    import papermill

    handover = {"kernel_manager_class": _handing_over(km)} if km is not None else {}
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            kernel_name=kernel_name,
            cwd=str(source.parent),
            progress_bar=False,
            log_output=False,
            start_timeout=120,
            extra_arguments=list(IPYKERNEL_ARGUMENTS),
            **handover,
        )
    finally:
        if km is not None:
            stop_kernel(km)  # when Papermill stopped before handing it to nbclient


class KernelQueue:
    """The kernels of a run's notebooks, each started one notebook ahead.

    Starting a kernel (Python, ipykernel, IPython) takes half a second to a second, on the critical path of every
    notebook when Papermill starts it. Here, when a notebook starts, the kernel of the next one in ``plan`` (the
    order the notebooks will run in, as ``(year, notebook)``) starts too, in that notebook's folder, on a core the
    running notebook leaves idle; the first one starts before validation. Each kernel is fresh and runs exactly one
    notebook, as with Papermill's own; nothing is run in it before the notebook.
    A kernel that fails to start is left to Papermill, which then reports the error as usual. :meth:`close` kills
    every kernel of the queue still running (one started ahead for a notebook that never ran, after a failure or an
    interrupt).
    """

    def __init__(self, kernel_name: str, plan: Iterable[tuple[int, Notebook]]):
        self.kernel_name = kernel_name
        self.plan = [(int(year), nb.path) for year, nb in plan]
        self.ahead: dict[int, object] = {}  # position in the plan -> kernel manager started for it
        self.every: list[object] = []  # every kernel manager started, for close()
        self.next = 0  # position of the next notebook to run

    def _start(self, position: int) -> None:
        if position < len(self.plan) and position not in self.ahead:
            try:
                km = start_kernel(self.kernel_name, self.plan[position][1].parent)
            except Exception:  # Papermill will try again, and report why it fails
                km = None
            self.ahead[position] = km
            if km is not None:
                self.every.append(km)

    def start_next(self) -> None:
        """Start the kernel of the next notebook in the plan (if it is not started yet)."""
        self._start(self.next)

    def take(self, year: int, nb: Notebook):
        """The kernel started for ``nb`` of ``year`` (None: let Papermill start one), and start the following one."""
        key = (int(year), nb.path)
        position = next((i for i in range(self.next, len(self.plan)) if self.plan[i] == key), None)
        if position is None:
            return None
        for skipped in [p for p in self.ahead if p < position]:
            km = self.ahead.pop(skipped)
            if km is not None:
                stop_kernel(km)
        km = self.ahead.pop(position, None)
        self.next = position + 1
        self._start(self.next)
        return km

    def close(self) -> None:
        """Kill every kernel of the queue that is still running."""
        for km in self.every:
            stop_kernel(km)
        self.ahead.clear()
        self.every.clear()


def _error_text(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


# --- HTML export ----------------------------------------------------------------------------------------------


def _report_ready(nb_node):
    """A copy of an executed notebook as it should read in a report: parameter cells, cells tagged
    ``remove-cell``, code cells without output and stderr streams dropped; ``remove-output`` cells emptied."""
    import copy

    nb = copy.deepcopy(nb_node)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = [] if tags & REMOVE_OUTPUT_TAGS else cell.get("outputs", [])
            cell.outputs = [o for o in outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            if not cell.outputs:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


OFFLINE_TEMPLATE = "anchor-analysis-offline.html.j2"
_OFFLINE_TEMPLATE_SOURCE = """{%- extends 'index.html.j2' -%}
{#- nbconvert's lab page without anything fetched from the network: no require.js, MathJax, Mermaid or widget
    scripts (all from CDNs). The CSS (JupyterLab's, the light theme, Pygments) stays inline; fonts are the
    system's. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
_NO_CDN = {"mathjax_url": "", "require_js_url": "", "jquery_url": "", "mermaid_js_url": "",
           "mermaid_layout_elk_js_url": "", "jupyter_widgets_base_url": "", "widget_renderer_url": ""}
"""HTMLExporter's CDN addresses, blanked: a template that still used one would get nothing to fetch."""


@functools.cache
def _exporter(template_name: str):
    """nbconvert's HTML exporter for the report: inputs and prompts hidden, images embedded, nothing from a CDN
    (``lab`` pages use :data:`OFFLINE_TEMPLATE`; ``basic`` bodies have no ``<head>`` to load anything). One per
    template and process, reused for every notebook: its templates are compiled once."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    offline = {"template_file": OFFLINE_TEMPLATE} if template_name == "lab" else {}
    return HTMLExporter(
        template_name=template_name,
        extra_loaders=[DictLoader({OFFLINE_TEMPLATE: _OFFLINE_TEMPLATE_SOURCE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        **offline,
        **_NO_CDN,
    )


_REMOTE = r"""["']?\s*(?:https?:)?//"""  # an attribute value or CSS address starting http://, https:// or //
_REMOTE_SCRIPT = re.compile(
    rf"""<script\b[^>]*?\bsrc\s*=\s*{_REMOTE}[^>]*>.*?</script\s*>"""  # <script src="https://…">…</script>
    r"""|<script\b[^>]*>(?:(?!</script).)*?\bimport\s*\(\s*["'](?:https?:)?//.*?</script\s*>""",  # import("…")
    re.S | re.I,
)
_REMOTE_TAG = re.compile(rf"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*{_REMOTE}[^>]*>""", re.S | re.I)
_REMOTE_IMPORT = re.compile(rf"""@import\s+(?:url\(\s*)?{_REMOTE}[^;]*;""", re.I)


def strip_external_resources(page: str) -> str:
    """Remove what a page would fetch from the network to render: ``<script src="http…">`` (and scripts that
    ``import("http…")``), ``<link href="http…">`` (stylesheets, fonts, preloads) and CSS ``@import`` of a remote
    address. Ordinary hyperlinks (``<a href="https://…">``) stay. A safety net behind :data:`OFFLINE_TEMPLATE`:
    it also catches remote scripts and stylesheets inside a notebook's own HTML outputs."""
    page = _REMOTE_SCRIPT.sub("", page)
    page = _REMOTE_TAG.sub("", page)  # <link href="https://…"> (stylesheets, fonts, preloads); unclosed scripts
    return _REMOTE_IMPORT.sub("", page)


def export_html(executed: Path, target: Path, title: str, source_dir: Path) -> str:
    """Write the standalone HTML page of an executed notebook (inputs hidden, images embedded, CSS inline, nothing
    fetched from the network) to ``target``; return the notebook's report body (nbconvert's ``basic`` template)
    for the combined report."""
    import nbformat

    nb = _report_ready(nbformat.read(executed, as_version=4))
    nb.metadata["title"] = title
    resources = {"metadata": {"name": executed.stem, "path": str(source_dir)}}
    page, _ = _exporter("lab").from_notebook_node(nb, resources=dict(resources))
    target.write_text(strip_external_resources(page), encoding="utf-8")
    body, _ = _exporter("basic").from_notebook_node(nb, resources=dict(resources))
    return strip_external_resources(body)


_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"<h([123])([^>]*)>(.*?)</h\1>", re.S | re.I)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).replace("¶", "").split())


def _section_body(body: str, section: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Make one notebook's body safe to merge: ids and local links prefixed by the section, anchor links
    removed, tables fitted to the page. Returns the body and its h1–h3 headings as (level, id, text)."""
    body = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", body, flags=re.S)
    body = _fit_tables(body)
    body = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{section}-{m.group(1)}"', body)
    body = re.sub(r'\bhref="#([^"]+)"', lambda m: f'href="#{section}-{m.group(1)}"', body)
    numbers = itertools.count()

    def add_id(match: re.Match) -> str:
        number = next(numbers)
        if re.search(r'\bid="', match.group(2)):
            return match.group(0)
        level, attributes, text = match.groups()
        return f'<h{level} id="{section}-h{number}"{attributes}>{text}</h{level}>'

    body = _HEADING.sub(add_id, body)
    headings = []
    for match in _HEADING.finditer(body):
        anchor = re.search(r'\bid="([^"]+)"', match.group(2))
        headings.append((int(match.group(1)), anchor.group(1) if anchor else section, _text(match.group(3))))
    return body, headings


PAGE_WIDTH_PT = 480.0
"""Usable width of an A4 page between the report's margins, in points (with a little to spare)."""
TABLE_FONT_PT = (5.5, 8.5)
"""Smallest and largest font size of a notebook table in the combined report."""

_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S | re.I)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)


_CELL = re.compile(r"<td\b([^>]*)>(.*?)</td>", re.S | re.I)
_NUMBER = re.compile(r"[(]?[£$€]?\s*[-+−–]?[£$€]?[\d.,]+\s*(?:%|[a-zA-Z]{1,3}|tCO2e)?[)]?|nan|NaN|<NA>|None|-|–|")
"""A cell that reads as a number (``60,510``, ``£535.5m``, ``-4.4%``, ``131,199 t``) or as nothing: aligned right."""


def _align_text_left(match: re.Match) -> str:
    attributes, cell = match.groups()
    if _NUMBER.fullmatch(_text(cell)) or "class=" in attributes:
        return match.group(0)
    return f'<td class="text"{attributes}>{cell}</td>'


def _fit_table(table: str) -> str:
    """Size one notebook table to the page. Values break only at spaces and underscores (numbers never break);
    the font shrinks until the narrowest layout fits, down to TABLE_FONT_PT[0]; past that, headers may also
    break anywhere (``squeezed``)."""
    body_widest: dict[int, int] = {}
    head_widest: dict[int, int] = {}
    for row in _ROW.findall(table):
        for column, (kind, cell) in enumerate(re.findall(r"<t([hd])\b[^>]*>(.*?)</t[hd]>", row, re.S | re.I)):
            longest = max(len(token) for token in re.split(r"[\s_]+", _text(cell)))
            widest = head_widest if kind.lower() == "h" else body_widest
            widest[column] = max(widest.get(column, 0), longest)
    columns = sorted(set(body_widest) | set(head_widest))
    if not columns:
        return table

    def font_size(head_cap: int) -> float:
        chars = sum(max(body_widest.get(c, 0), min(head_widest.get(c, 0), head_cap)) for c in columns)
        return PAGE_WIDTH_PT / (0.62 * chars + 1.1 * len(columns))  # glyphs plus cell padding, in em

    size = min(TABLE_FONT_PT[1], font_size(head_cap=10**6))
    squeezed = size < TABLE_FONT_PT[0]
    if squeezed:
        size = min(TABLE_FONT_PT[1], font_size(head_cap=3))
    size = max(size, TABLE_FONT_PT[0])
    table = re.sub(r">([^<]*)<", lambda m: ">" + m.group(1).replace("_", "_<wbr>") + "<", table)
    table = _CELL.sub(_align_text_left, table)
    fit = "fitted squeezed" if squeezed else "fitted"
    return re.sub(r"^<table\b", f'<table data-fit="{fit}" style="font-size: {size:.1f}pt"', table, count=1,
                  flags=re.I)


_FIRST_CELL = re.compile(r"(<tr\b[^>]*>\s*)<t([hd])\b([^>]*)>(.*?)</t\2>", re.S | re.I)


def drop_row_numbers(table: str) -> str:
    """Remove the row-number column pandas prints for an unnamed integer index (0, 1, 2, … or the positions left
    after filtering): in a report for a board they are noise. A table whose index has a name, or holds anything
    but whole numbers, or spans rows, is returned as it is.

    >>> drop_row_numbers("<table><thead><tr><th></th><th>a</th></tr></thead>"
    ...                  "<tbody><tr><th>0</th><td>1</td></tr></tbody></table>")
    '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
    """
    firsts = _FIRST_CELL.findall(table)
    head = re.search(r"<thead\b.*?</thead>", table, re.S | re.I)
    if not firsts or not head or "<tbody" not in table.lower():
        return table
    n_head = len(_ROW.findall(head.group(0)))
    if len(firsts) != len(_ROW.findall(table)) or n_head == 0 or n_head == len(firsts):
        return table
    header_cells, body_cells = firsts[:n_head], firsts[n_head:]
    if any(kind.lower() != "h" or "span" in attrs.lower() for _, kind, attrs, _ in firsts):
        return table
    if any(_text(cell) for _, _, _, cell in header_cells):
        return table
    if not all(re.fullmatch(r"\d+", _text(cell)) for _, _, _, cell in body_cells):
        return table
    return _FIRST_CELL.sub(lambda m: m.group(1), table)


def _fit_tables(body: str) -> str:
    return _TABLE.sub(lambda m: _fit_table(drop_row_numbers(m.group(0))), body)


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
a { color: #0b4f8a; text-decoration: none; }
code, pre, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8pt; }
td.mono { font-size: 7pt; white-space: nowrap; overflow-wrap: normal; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .4em 0; }
img, svg { max-width: 100%; height: auto; }
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
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], cls: str = "meta", mono: Iterable[int] = ()) -> str:
    mono = set(mono)
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="text{" mono" if i in mono else ""}">{_esc(v)}</td>' for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def report_file_stem(year: int) -> str:
    return f"network-impact-report-{fy_label(year).replace('/', '-')}"


def _read_coverage(path: Path, limit: int = 200) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return [], []
    return rows[0], rows[1 : limit + 1]


def _coverage_html(work: Path, notebooks: Sequence[Notebook]) -> str:
    parts = []
    for nb in notebooks:
        candidates = [work / nb.section / "tables" / "coverage.csv", work / nb.section / "coverage.csv"]
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            continue
        header, rows = _read_coverage(path)
        parts.append(f"<h3>{_esc(nb.title)}</h3>")
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


def published_inputs(inputs: Sequence[dict], anonymise: bool = False) -> list[dict]:
    """The input files as the report lists them. Anonymised, the files of each subfolder (ledgers are one per
    anchor and named after it) fold into one row, ``ledger/ (65 files)``, whose sha256 is that of the sorted
    ``name sha256`` lines of its files: still a checksum of every input, without naming an anchor.

    >>> rows = [{"file": "anchors.csv", "bytes": 9, "sha256": "a"}, {"file": "ledger/x_2023.csv", "bytes": 5,
    ...         "sha256": "b"}]
    >>> [r["file"] for r in published_inputs(rows, anonymise=True)]
    ['anchors.csv', 'ledger/ (1 file)']
    """
    if not anonymise:
        return list(inputs)
    rows: list[dict] = []
    folders: dict[str, list[dict]] = {}
    for row in inputs:
        folder = row["file"].rpartition("/")[0]
        if folder:
            if folder not in folders:
                folders[folder] = []
                rows.append({"file": folder})
            folders[folder].append(row)
        else:
            rows.append(row)
    for row in rows:
        members = folders.get(row["file"])
        if members is None:
            continue
        listing = "".join(f"{m['file']} {m['sha256']}\n" for m in sorted(members, key=lambda m: m["file"]))
        n = len(members)
        row.update(file=f"{row['file']}/ ({n} file{'s' if n != 1 else ''})", bytes=sum(m["bytes"] for m in members),
                   sha256=hashlib.sha256(listing.encode()).hexdigest())
    return rows


def _provenance_html(settings: RunSettings, year: int, executed: Sequence[tuple[Notebook, Path]]) -> str:
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
    parts = [_table(("item", "value"), facts, cls="meta facts"), "<h3>Notebooks</h3>"]
    parts.append(_table(("notebook", "section", "sha256 of the source"),
                        [(nb.name, nb.section, prov["notebooks"].get(nb.name, "")) for nb, _ in executed], mono=(2,)))
    parts.append("<h3>Input files</h3>")
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
    parts.append("<h3>Public datasets</h3>")
    if prov["public_note"]:
        parts.append(f'<p class="note">{_esc(prov["public_note"])}</p>')
    else:
        parts.append("<p>Registered files (read, where a notebook uses them, only after their sha256 matched); "
                     "titles, licences and attribution are under <a href=\"#sources\">Data sources</a>.</p>")
        rows = [(d.get("key", ""), d.get("sha256", "")) for d in prov["public"]]
        parts.append(_table(("dataset", "sha256"), rows, mono=(0, 1)))
    return "\n".join(parts)


def combined_report(settings: RunSettings, year: int, work: Path, bodies: Sequence[tuple[Notebook, str]]) -> str:
    """The combined *Network impact report* HTML for one year."""
    label = fy_label(year)
    title = f"Network impact report {label}"
    date = settings.run_date
    banner = (
        '<div class="synthetic-banner">SYNTHETIC DATA<small>This report is built from the synthetic demo network: '
        "invented, pseudonymous anchors. It describes no real organisation and no real performance.</small></div>"
        if settings.synthetic else ""
    )
    tag = '<span class="synthetic-tag">SYNTHETIC DATA</span>' if settings.synthetic else ""
    contents, sections = [], []
    for number, (nb, body) in enumerate(bodies, start=1):
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
        contents.append(f'<li><a href="#{_esc(anchor)}">{_esc(shown)}</a>'
                        f'{f"<ol>{sub_items}</ol>" if sub_items else ""}</li>')
        links = (f'<p class="section-links">Also as <a href="{_esc(nb.path.stem)}.html">a page of its own</a> and as '
                 f'<a href="../notebooks/{_esc(nb.name)}">the executed notebook</a>.</p>')
        sections.append(
            f'<section class="report-section" id="section-{_esc(nb.section)}">'
            f'<p class="section-eyebrow">{tag}Section {number} · {_esc(nb.title)} · {label}</p>'
            f"{heading}\n{links}\n{body}</section>"  # links first: at the end they could fill a page alone
        )
    for anchor, shown in (("sources", "Data sources and method notes"), ("coverage", "Coverage"),
                          ("provenance", "Provenance")):
        contents.append(f'<li><a href="#{anchor}">{shown}</a></li>')
    executed = [(nb, work / "notebooks" / nb.name) for nb, _ in bodies]
    appendix = [
        ("sources", "Data sources and method notes", _sources_html(settings, year)),
        ("coverage", "Coverage", _coverage_html(work, [nb for nb, _ in bodies])),
        ("provenance", "Provenance", _provenance_html(settings, year, executed)),
    ]
    for anchor, heading, content in appendix:
        sections.append(f'<section class="report-section" id="{anchor}"><p class="section-eyebrow">{tag}{label}</p>'
                        f"<h1>{heading}</h1>\n{content}</section>")
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
<nav class="contents">
<h1>Contents</h1>
<ol>{"".join(contents)}</ol>
</nav>
{"".join(sections)}
</body>
</html>
"""


# --- PDF ------------------------------------------------------------------------------------------------------


def pdf_page_count(path: Path) -> int:
    """Pages of a PDF: ``pdfinfo`` when available, else the page objects in its bytes."""
    if shutil.which("pdfinfo"):
        done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60)
        found = re.search(r"^Pages:\s+(\d+)", done.stdout, re.M)
        if found:
            return int(found.group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def print_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None, timeout: int = PDF_TIMEOUT) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium; raises :class:`PdfError` on any failure."""
    chromium = chromium or find_chromium()
    if not chromium:
        raise PdfError(no_chromium_message())
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="anchor-chromium-", ignore_cleanup_errors=True) as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}",
                   html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium ({chromium}) did not finish printing within {timeout} s") from exc
        except OSError as exc:
            raise PdfError(f"could not start Chromium ({chromium}): {exc}") from exc
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = " | ".join(line for line in done.stderr.strip().splitlines()[-3:])
        raise PdfError(f"Chromium ({chromium}) failed to print the PDF (exit {done.returncode}): {tail or 'no output'}")


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
    """Move ``work`` to ``final``; an existing ``final`` is moved to ``trash`` first and restored on failure."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
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
    """Execute and export one year inside ``staging/<year>``; the paths in the result are relative to it.

    Nothing outside ``staging`` is touched: :func:`promote` moves the year into place, in the main process.
    The caller owns ``staging`` and removes it afterwards, whatever happens here. ``kernels``: the run's kernels,
    started ahead (by default, this year's own).
    """
    if kernels is None:
        kernels = KernelQueue(settings.kernel_name, [(year, nb) for nb in settings.notebooks])
        try:
            return build_year(year, settings, staging, echo, kernels)
        finally:
            kernels.close()
    echo = echo or _print
    label = fy_label(year)
    started = time.monotonic()
    result = YearResult(year=year)
    work = staging / str(year)
    (work / "notebooks").mkdir(parents=True)
    executed_paths: dict[str, Path] = {}  # name -> executed notebook in the staging folder
    for nb in settings.notebooks:
        executed = work / "notebooks" / nb.name
        parameters = {"year": int(year), "data_dir": str(settings.data_dir),
                      "output_dir": str(work / nb.section), "place": settings.place}
        if settings.anonymise:
            parameters["anonymise"] = True
        (work / nb.section).mkdir(parents=True, exist_ok=True)
        echo(f"[{label}] {nb.name}: running")
        t0 = time.monotonic()
        km = kernels.take(year, nb)
        try:
            execute_notebook(nb.path, executed, parameters, kernel_name=settings.kernel_name, km=km)
        except Exception as exc:  # a failing notebook must not stop the others
            seconds = time.monotonic() - t0
            result.notebooks.append(NotebookResult(nb.name, nb.section, nb.title, False, seconds,
                                                   error=_error_text(exc)))
            echo(f"[{label}] {nb.name}: FAILED after {seconds:.1f} s: {_error_text(exc)}")
        else:
            seconds = time.monotonic() - t0
            result.notebooks.append(NotebookResult(nb.name, nb.section, nb.title, True, seconds))
            echo(f"[{label}] {nb.name}: ok in {seconds:.1f} s")
        executed_paths[nb.name] = executed

    bodies: list[tuple[Notebook, str]] = []
    if all(nb.ok for nb in result.notebooks):
        try:
            t0 = time.monotonic()
            (work / "report").mkdir()
            for nb, nb_result in zip(settings.notebooks, result.notebooks, strict=True):
                body = export_html(executed_paths[nb.name], work / "report" / f"{nb.path.stem}.html",
                                   f"{nb.title} {label}", nb.path.parent)
                bodies.append((nb, body))
                nb_result.html = Path("report") / f"{nb.path.stem}.html"
            report_html = work / "report" / f"{report_file_stem(year)}.html"
            report_html.write_text(strip_external_resources(combined_report(settings, year, work, bodies)),
                                   encoding="utf-8")
            result.report_html = Path("report") / report_html.name
            provenance = {
                "year": year, "label": label, "run_date": settings.run_date.isoformat(timespec="seconds"),
                "network": settings.network_name, "synthetic": settings.synthetic, "anonymise": settings.anonymise,
                "data_dir": str(settings.data_dir), "place": settings.place, "kernel": settings.kernel_name,
                "git_commit": settings.provenance["git_commit"], "versions": settings.provenance["versions"],
                "notebooks": settings.provenance["notebooks"],
                "inputs": published_inputs(settings.provenance["inputs"], settings.anonymise),
                "public_datasets": [d.get("key") for d in settings.provenance["public"]],
                "public_note": settings.provenance["public_note"],
            }
            (work / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
            echo(f"[{label}] HTML report: ok in {time.monotonic() - t0:.1f} s")
        except Exception as exc:
            result.error = f"HTML export failed: {_error_text(exc)}"
            echo(f"[{label}] HTML export FAILED: {_error_text(exc)}")

    if result.error is None and all(nb.ok for nb in result.notebooks) and "pdf" in settings.formats:
        t0 = time.monotonic()
        pdf = work / "report" / f"{report_file_stem(year)}.pdf"
        try:
            print_pdf(work / result.report_html, pdf, settings.chromium)
        except PdfError as exc:
            result.pdf_error = str(exc)
            echo(f"[{label}] PDF: FAILED: {exc}")
        else:
            result.report_pdf = Path("report") / pdf.name
            result.pdf_pages = pdf_page_count(pdf)
            echo(f"[{label}] PDF: ok in {time.monotonic() - t0:.1f} s ({result.pdf_pages} pages)")

    for nb_result in result.notebooks:
        if (work / "notebooks" / nb_result.name).is_file():
            nb_result.executed = Path("notebooks") / nb_result.name
    result.seconds = time.monotonic() - started
    return result


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
    """Move a built year from ``staging`` into ``<out>/<year>`` (replacing the old one), or into
    ``<out>/failed/<year>`` when anything but the PDF failed. Runs in the main process only."""
    work = staging / str(result.year)
    succeeded = bool(result.notebooks) and result.error is None and all(nb.ok for nb in result.notebooks)
    final = settings.out_dir / str(result.year) if succeeded else settings.out_dir / "failed" / str(result.year)
    if work.is_dir():
        for executed in (work / "notebooks").glob("*.ipynb"):
            _retarget(executed, work, final)
        with _signals_held():
            _replace_dir(work, final, staging / "previous")
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
    try:
        folder.rmdir()
    except OSError:
        pass


def _build_year_in_child(year: int, settings: RunSettings, staging: Path) -> YearResult:
    return build_year(year, settings, staging)


# --- the whole run --------------------------------------------------------------------------------------------


def prepare(
    data_dir: str | Path = "data/raw/demo",
    out_dir: str | Path = "outputs",
    formats: str | Iterable[str] = FORMATS,
    place: str | None = None,
    notebooks: Sequence[str | Path] | None = None,
    anonymise: bool = False,
) -> RunSettings:
    """Check the options and gather what every year shares (network, place, provenance); validates nothing."""
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
    from .config import ConfigError, load_place

    try:
        place_obj = load_place(place_value)
    except ConfigError as exc:
        raise ReportError(str(exc)) from exc
    public_rows, attribution, public_note = public_datasets()
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


def validate(settings: RunSettings, place: str | None = None, echo: Echo | None = None):
    """Validate the network folder; raise :class:`InvalidReturns` when it has errors, else return the report."""
    echo = echo or _print
    from .validation import validate_directory

    report = validate_directory(settings.data_dir, place=place)
    if not report.ok:
        raise InvalidReturns(report)
    warnings = getattr(report, "warnings", 0)
    if warnings:
        counts = report.format().strip().splitlines()[-1]
        echo(f"validation: {settings.data_dir} ok with warnings ({counts}); "
             f"`anchor-analysis validate --all-warnings {settings.data_dir}` lists them")
    else:
        echo(f"validation: {settings.data_dir} ok")
    return report


def check_years_have_returns(years: Sequence[int], report: object, data_dir: Path) -> None:
    """Raise :class:`ReportError` for a year in which no anchor returned anything (no progression and no metrics
    rows): every notebook would fail on it. A folder with no progression or metrics at all is left to the
    notebooks, which say what they need."""
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
) -> RunResult:
    """Validate, then build every year (``jobs`` years at a time, in separate processes when ``jobs > 1``).

    Raises :class:`ReportError` for unusable options and :class:`InvalidReturns` for invalid returns, in both cases
    before anything is written. Notebook, export and PDF failures are reported in the result (``.ok`` False).
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
    try:
        if kernels is not None:
            kernels.start_next()  # the first notebook's kernel starts while the returns are validated
        check_years_have_returns(years, validate(settings, place=place, echo=echo), settings.data_dir)
        return _run_years(years, settings, jobs, kernels, started, echo)
    finally:
        if kernels is not None:
            kernels.close()


def _run_years(years: Sequence[int], settings: RunSettings, jobs: int, kernels: KernelQueue | None, started: float,
               echo: Echo) -> RunResult:
    notes = []
    if "pdf" in settings.formats and not settings.chromium:
        notes.append(f"PDF: {no_chromium_message()}")
        echo(f"warning: {no_chromium_message()}; the HTML reports will still be built")
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    leftovers = sorted(p.name for p in settings.out_dir.glob(".staging-*"))
    if leftovers:
        notes.append(f"leftover staging folders in {settings.out_dir} from a killed run: {', '.join(leftovers)} "
                     "(safe to delete when no other run is going)")
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


# --- index and summary ----------------------------------------------------------------------------------------


def _read_provenance(year_dir: Path) -> dict:
    """A built year's ``provenance.json`` (empty when missing or unreadable: the index still lists the year)."""
    try:
        built = json.loads((year_dir / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return built if isinstance(built, dict) else {}


def write_index(out_dir: str | Path) -> Path:
    """Write ``<out>/index.html``: every year folder present, newest first, with links to what it holds."""
    out_dir = Path(out_dir)
    rows = []
    year_dirs = sorted((p for p in out_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)),
                       key=lambda p: int(p.name), reverse=True)
    for folder in year_dirs:
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
        rows.append(f"<tr><td>{fy_label(year)}{note}</td><td>{network}</td><td>{run}</td>"
                    f"<td>{' · '.join(links) or '—'}</td><td>{section_links or '—'}</td>"
                    f"<td>{notebooks or '—'}</td></tr>")
    failed_only = sorted(p.name for p in (out_dir / "failed").glob("*")
                         if p.is_dir() and not (out_dir / p.name).is_dir()) if (out_dir / "failed").is_dir() else []
    extra = "".join(f'<li>{fy_label(int(n))}: no report yet; the last run failed, see '
                    f'<a href="failed/{n}/notebooks/">failed/{n}</a></li>' for n in failed_only if n.isdigit())
    page = f"""<!DOCTYPE html>
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
    index = out_dir / "index.html"
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".html", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.replace(tmp, index)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return index


def _shown_path(path: Path | None) -> str:
    if path is None:
        return "?"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def format_summary(result: RunResult) -> str:
    """One screen: what was produced and where, and what failed (pointing at the executed notebook)."""
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

