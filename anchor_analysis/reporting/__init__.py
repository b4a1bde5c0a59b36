"""The annual batch run: validate a network's returns, execute the notebooks per year, export the reports.

In: a network folder of returns (``data/raw/<network>``), the report notebooks and the years to run. Out: the
layout below. ``anchor-analysis report --year 2023`` (see :func:`run_report`):

1. checks the options and gathers what every year shares (:func:`prepare`: network, place, notebooks,
   provenance); unusable options stop the run before anything is written;
2. validates the network's returns and builds its derived tables once for the whole run
   (:func:`anchor_analysis.reporting.run.prepare_returns`, through :func:`anchor_analysis.derived.processed_network`:
   Parquet tables, see :mod:`anchor_analysis.derived`), with one job while the first notebook's kernel starts.
   Invalid returns (for which nothing is built), or a year without any, stop the run before a notebook is executed
   or anything is written to ``<out>``; every notebook of every year then reads these tables, so no ledger line is
   classified twice;
3. for each year, executes every notebook with Papermill (kernel ``python3``, working directory = the notebook's
   folder) with the typed parameters ``year`` (int), ``data_dir`` (str), ``output_dir`` (str) and ``place``
   (str), and ``anonymise`` (bool) with ``--anonymise``, each in a fresh kernel started while the notebook before
   it runs (:class:`KernelQueue`);
4. exports each executed notebook to HTML with nbconvert (inputs hidden, images embedded, CSS inline, no script or
   stylesheet from a CDN: the pages render offline), builds the combined *Network impact report* HTML (cover,
   contents, the sections, data sources and method notes, coverage, provenance) and prints it to PDF with headless
   Chromium;
5. writes ``<out>/index.html`` across every year present.

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

The modules: :mod:`~anchor_analysis.reporting.options` (what a run is asked to do, and its results),
:mod:`~anchor_analysis.reporting.run` (the whole run), :mod:`~anchor_analysis.reporting.build` (one year, staged and
promoted), :mod:`~anchor_analysis.reporting.kernels` (Papermill and kernels started ahead),
:mod:`~anchor_analysis.reporting.export` (HTML pages), :mod:`~anchor_analysis.reporting.combined` (the combined
report), :mod:`~anchor_analysis.reporting.pdf` (Chromium), :mod:`~anchor_analysis.reporting.provenance`,
:mod:`~anchor_analysis.reporting.index` (the index and the summary) and :mod:`~anchor_analysis.reporting.section`
(the set-up every notebook shares).

>>> parse_years(years="2022-2023"), report_file_stem(2023)
([2022, 2023], 'network-impact-report-2023-24')
"""

from __future__ import annotations

from anchor_analysis.reporting.build import (
    build_year,
    promote,
)
from anchor_analysis.reporting.combined import (
    REPORT_CSS,
    combined_report,
    report_file_stem,
)
from anchor_analysis.reporting.export import (
    OFFLINE_TEMPLATE,
    PAGE_WIDTH_PT,
    REMOVE_CELL_TAGS,
    REMOVE_OUTPUT_TAGS,
    TABLE_FONT_PT,
    drop_row_numbers,
    export_html,
    strip_external_resources,
)
from anchor_analysis.reporting.index import (
    format_summary,
    write_index,
)
from anchor_analysis.reporting.kernels import (
    IPYKERNEL_ARGUMENTS,
    KernelQueue,
    execute_notebook,
    start_kernel,
    stop_kernel,
)
from anchor_analysis.reporting.options import (
    DEFAULT_NOTEBOOK_DIR,
    FORMATS,
    KERNEL_NAME,
    PARAMETERS,
    SECTIONS,
    Echo,
    Notebook,
    NotebookResult,
    RunResult,
    RunSettings,
    YearResult,
    declared_parameters,
    default_notebooks,
    parse_formats,
    parse_years,
)
from anchor_analysis.reporting.pdf import (
    CHROMIUM_ENV,
    CHROMIUM_FLAGS,
    CHROMIUM_NAMES,
    NO_CHROMIUM,
    PDF_TIMEOUT,
    find_chromium,
    no_chromium_message,
    pdf_page_count,
    print_pdf,
)
from anchor_analysis.reporting.provenance import (
    git_commit,
    input_files,
    ledger_readings,
    public_datasets,
    published_inputs,
    run_date,
    sha256_file,
)
from anchor_analysis.reporting.run import (
    check_years_have_returns,
    prepare,
    run_report,
    validate,
)

__all__ = [
    "DEFAULT_NOTEBOOK_DIR",
    "Echo",
    "FORMATS",
    "KERNEL_NAME",
    "Notebook",
    "NotebookResult",
    "PARAMETERS",
    "RunResult",
    "RunSettings",
    "SECTIONS",
    "YearResult",
    "declared_parameters",
    "default_notebooks",
    "parse_formats",
    "parse_years",
    "git_commit",
    "input_files",
    "public_datasets",
    "published_inputs",
    "ledger_readings",
    "run_date",
    "sha256_file",
    "IPYKERNEL_ARGUMENTS",
    "KernelQueue",
    "execute_notebook",
    "start_kernel",
    "stop_kernel",
    "OFFLINE_TEMPLATE",
    "PAGE_WIDTH_PT",
    "REMOVE_CELL_TAGS",
    "REMOVE_OUTPUT_TAGS",
    "TABLE_FONT_PT",
    "drop_row_numbers",
    "export_html",
    "strip_external_resources",
    "REPORT_CSS",
    "combined_report",
    "report_file_stem",
    "CHROMIUM_ENV",
    "CHROMIUM_FLAGS",
    "CHROMIUM_NAMES",
    "NO_CHROMIUM",
    "PDF_TIMEOUT",
    "find_chromium",
    "no_chromium_message",
    "pdf_page_count",
    "print_pdf",
    "build_year",
    "promote",
    "format_summary",
    "write_index",
    "check_years_have_returns",
    "prepare",
    "run_report",
    "validate",
]
