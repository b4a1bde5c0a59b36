"""The printed report's pages: the footer on each (report, section, page number) and how much of each is used.

In: the PDF Chromium printed (its bookmarks come from the report's headings). Out: the same PDF with a footer on
every page after the cover, naming the report, the section the page belongs to (the last top-level bookmark at or
before it) and "page N of M"; and, for the layout check, the share of each page's printable area that is used,
measured from the page as rendered (poppler's ``pdftoppm``), so figures count as well as text.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from anchor_analysis.core.errors import PdfError
from anchor_analysis.core.files import atomic_write_bytes

MARGIN_MM = (18.0, 18.0)
"""Top and bottom page margins of the report (``REPORT_CSS``'s ``@page``): the printable area lies between."""
FOOTER_MM = 9.0
"""The footer's baseline, above the page's bottom edge (inside the bottom margin)."""
MM_PER_PT = 25.4 / 72


def page_sections(pdf_path: Path) -> list[str]:
    """The section each page belongs to: the title of the last top-level bookmark starting at or before it.

    Parameters
    ----------
    pdf_path : Path
        A PDF with bookmarks (Chromium's ``--generate-pdf-document-outline``).

    Returns
    -------
    list of str
        One per page ("" before the first bookmark).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.backends.backend_pdf import PdfPages
    >>> from pypdf import PdfReader, PdfWriter
    >>> folder = Path(tempfile.mkdtemp())
    >>> with PdfPages(folder / "plain.pdf") as pdf:
    ...     for _ in range(3):
    ...         fig = plt.figure()
    ...         pdf.savefig(fig)
    ...         plt.close(fig)
    >>> writer = PdfWriter(clone_from=PdfReader(folder / "plain.pdf"))
    >>> _ = writer.add_outline_item("Baseline", 1)
    >>> _ = writer.write(folder / "marked.pdf")
    >>> page_sections(folder / "marked.pdf")
    ['', 'Baseline', 'Baseline']
    """
    from pypdf import PdfReader

    reader = PdfReader(pdf_path)
    starts: dict[int, str] = {}
    for item in reader.outline:
        if not isinstance(item, list):
            starts.setdefault(reader.get_destination_page_number(item), str(item.title))
    sections, current = [], ""
    for number in range(len(reader.pages)):
        current = starts.get(number, current)
        sections.append(current)
    return sections


def stamp_footers(pdf_path: Path, title: str, *, skip_first: bool = True) -> int:
    """Write a footer on every page of ``pdf_path`` (in place): the title, the page's section and "page N of M".

    Parameters
    ----------
    pdf_path : Path
        The printed report.
    title : str
        The report's title, ``Network impact report 2024/25``.
    skip_first : bool, default True
        Leave the cover without a footer.

    Returns
    -------
    int
        The pages stamped.

    Raises
    ------
    PdfError
        The PDF cannot be read or written.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.backends.backend_pdf import PdfPages
    >>> path = Path(tempfile.mkdtemp()) / "report.pdf"
    >>> with PdfPages(path) as pdf:
    ...     for _ in range(2):
    ...         fig = plt.figure(figsize=(8.27, 11.69))
    ...         pdf.savefig(fig)
    ...         plt.close(fig)
    >>> stamp_footers(path, "Network impact report 2024/25")
    1
    >>> from pypdf import PdfReader
    >>> PdfReader(path).pages[1].extract_text().strip()
    'Network impact report 2024/25 · page 2 of 2'
    """
    from pypdf import PdfReader, PdfWriter

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # Chromium's trailer sizes draw warnings that change nothing
    try:
        sections = page_sections(pdf_path)
        writer = PdfWriter(clone_from=PdfReader(pdf_path))
        total = len(writer.pages)
        numbers = range(1 if skip_first else 0, total)
        overlays = PdfReader(io.BytesIO(_footers([_footer_text(title, sections[n], n + 1, total) for n in numbers],
                                                 writer.pages[0].mediabox)))
        for overlay, number in zip(overlays.pages, numbers, strict=True):
            writer.pages[number].merge_page(overlay)
        stamped = io.BytesIO()
        writer.write(stamped)
        # the kit's atomic write: a killed run leaves the old file whole, and the new one gets ordinary permissions
        atomic_write_bytes(pdf_path, stamped.getvalue())
    except (OSError, ValueError) as exc:
        raise PdfError(f"could not write the page footers into {pdf_path.name}: {exc}") from exc
    return len(numbers)


def _footer_text(title: str, section: str, number: int, total: int) -> str:
    """``title · section · page N of M`` (the section left out when it is the title's own)."""
    parts = [title] + ([section] if section and section != title else []) + [f"page {number} of {total}"]
    return " · ".join(parts)


def _footers(texts: list[str], mediabox) -> bytes:
    """A PDF of one page per footer text, the size of the report's pages, the text at the footer's place."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    width, height = float(mediabox.width) / 72, float(mediabox.height) / 72
    out = io.BytesIO()
    with plt.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}), PdfPages(out) as pdf:
        for text in texts:
            fig = plt.figure(figsize=(width, height))
            fig.text(0.5, FOOTER_MM / 25.4 / height, text, ha="center", va="baseline", fontsize=7.5, color="#4d4d4d")
            pdf.savefig(fig, transparent=True)
            plt.close(fig)
    return out.getvalue()


def page_usage(pdf_path: Path, *, dpi: int = 24) -> list[float]:
    """The share of each page's printable height that is used: from the top margin to the lowest ink on the page.

    A page is rendered in grey (poppler's ``pdftoppm``); the footer band, in the bottom margin, is not counted.

    Parameters
    ----------
    pdf_path : Path
        The PDF.
    dpi : int, default 24
        The resolution rendered at (coarse is enough to find the lowest ink).

    Returns
    -------
    list of float
        One share (0 to 1) per page.

    Raises
    ------
    PdfError
        ``pdftoppm`` is not installed or fails.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.backends.backend_pdf import PdfPages
    >>> path = Path(tempfile.mkdtemp()) / "half.pdf"
    >>> with PdfPages(path) as pdf:
    ...     fig = plt.figure(figsize=(8.27, 11.69))
    ...     _ = fig.add_artist(plt.Rectangle((0.1, 0.5), 0.8, 0.4, color="black"))
    ...     pdf.savefig(fig)
    ...     plt.close(fig)
    >>> [round(share, 1) for share in page_usage(path)]
    [0.5]
    """
    if shutil.which("pdftoppm") is None:
        raise PdfError("pdftoppm (poppler-utils) is needed to measure the pages: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf_path), f"{folder}/page"],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise PdfError(f"pdftoppm could not render {pdf_path.name}: {done.stderr.strip()}")
        return [_used_share(_read_pgm(path), dpi) for path in sorted(Path(folder).glob("page-*.pgm"))]


def _read_pgm(path: Path) -> np.ndarray:
    """A binary greyscale PGM (P5) as an array of rows."""
    data = path.read_bytes()
    fields, position = [], 2
    while len(fields) < 3:  # width, height, maxval, separated by whitespace after the magic number
        while data[position : position + 1].isspace():
            position += 1
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(int(data[position:end]))
        position = end
    width, height, _ = fields
    return np.frombuffer(data, dtype=np.uint8, offset=position + 1, count=width * height).reshape(height, width)


def _used_share(pixels: np.ndarray, dpi: int) -> float:
    """From the top margin to the lowest row with ink, as a share of the printable height (footer band excluded)."""
    px_per_mm = dpi / 25.4
    top, bottom = (round(m * px_per_mm) for m in MARGIN_MM)
    area = pixels[top : pixels.shape[0] - bottom]
    inked = np.flatnonzero((area < 200).any(axis=1))
    return 0.0 if inked.size == 0 else float((inked[-1] + 1) / area.shape[0])
