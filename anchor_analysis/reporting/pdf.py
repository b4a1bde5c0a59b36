"""Printing the combined report to PDF with headless Chromium.

In: the combined report's HTML (:mod:`anchor_analysis.reporting.combined`). Out: its PDF, printed by the Chromium
that ``$ANCHOR_ANALYSIS_CHROMIUM`` names or the first of :data:`CHROMIUM_NAMES` on ``PATH``, and its page count.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from anchor_analysis.core.errors import PdfError

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
    "--generate-pdf-document-outline",  # PDF bookmarks from the report's headings
)
NO_CHROMIUM = f"no Chromium found: install it with `apt-get install chromium` or set {CHROMIUM_ENV}"
PDF_TIMEOUT = 300
"""Seconds Chromium may take to print one report."""


def no_chromium_message() -> str:
    """Say why there is no PDF: :data:`NO_CHROMIUM`, plus the bad ``$ANCHOR_ANALYSIS_CHROMIUM`` when it is set.

    Returns
    -------
    str

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {CHROMIUM_ENV: "/nowhere/chromium"}):
    ...     print(no_chromium_message())
    no Chromium found: install it with `apt-get install chromium` or set ANCHOR_ANALYSIS_CHROMIUM \
(ANCHOR_ANALYSIS_CHROMIUM=/nowhere/chromium was not found)
    """
    configured = os.environ.get(CHROMIUM_ENV)
    return f"{NO_CHROMIUM} ({CHROMIUM_ENV}={configured} was not found)" if configured else NO_CHROMIUM


def find_chromium() -> str | None:
    """Find the Chromium to print with: ``$ANCHOR_ANALYSIS_CHROMIUM`` if set, else the first of CHROMIUM_NAMES on PATH.

    Returns
    -------
    str or None
        The command or path; None when the configured one does not exist, or none is on ``PATH``.

    Examples
    --------
    >>> from unittest import mock
    >>> browser = Path(tempfile.mkdtemp()) / "chromium"
    >>> _ = browser.write_text("")
    >>> with mock.patch.dict(os.environ, {CHROMIUM_ENV: str(browser)}):
    ...     find_chromium() == str(browser)
    True
    >>> with mock.patch.dict(os.environ, {CHROMIUM_ENV: "/nowhere/chromium"}):
    ...     print(find_chromium())
    None
    """
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return shutil.which(configured) or (configured if Path(configured).is_file() else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


# --- PDF ------------------------------------------------------------------------------------------------------


def pdf_page_count(path: Path) -> int:
    """Count the pages of a PDF: ``pdfinfo`` when available, else the page objects in its bytes.

    Parameters
    ----------
    path : Path
        The PDF.

    Returns
    -------
    int

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.backends.backend_pdf import PdfPages
    >>> path = Path(tempfile.mkdtemp()) / "two-pages.pdf"
    >>> with PdfPages(path) as pdf:
    ...     for _ in range(2):
    ...         fig = plt.figure()
    ...         pdf.savefig(fig)
    ...         plt.close(fig)
    >>> pdf_page_count(path)
    2
    """
    if shutil.which("pdfinfo"):
        done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60)
        found = re.search(r"^Pages:\s+(\d+)", done.stdout, re.M)
        if found:
            return int(found.group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def print_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None, timeout: int = PDF_TIMEOUT) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium, in a profile folder of its own.

    Parameters
    ----------
    html_path : Path
        The page to print.
    pdf_path : Path
        The PDF to write (an old one is removed first).
    chromium : str, optional
        The Chromium to run; default: :func:`find_chromium`.
    timeout : int, default PDF_TIMEOUT
        Seconds Chromium may take.

    Raises
    ------
    PdfError
        On any failure: no Chromium, Chromium not starting, timing out, failing, or writing no or an empty PDF.

    Examples
    --------
    >>> from unittest import mock
    >>> folder = Path(tempfile.mkdtemp())
    >>> with mock.patch.dict(os.environ, {CHROMIUM_ENV: "/nowhere/chromium"}):
    ...     print_pdf(folder / "report.html", folder / "report.pdf")
    Traceback (most recent call last):
    ...
    anchor_analysis.core.errors.PdfError: no Chromium found: ...=/nowhere/chromium was not found)
    """
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
