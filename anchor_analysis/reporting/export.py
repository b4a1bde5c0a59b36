"""Exporting executed notebooks to HTML: inputs hidden, images embedded, nothing fetched from a CDN.

In: an executed notebook. Out: its standalone page (nbconvert's ``lab`` template without remote scripts,
:data:`OFFLINE_TEMPLATE`) and its body for the combined report, whose tables are fitted to an A4 page.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from pathlib import Path

REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell", "parameters", "injected-parameters"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})


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
    """Remove what a page would fetch from the network to render.

    That is ``<script src="http…">`` (and scripts that ``import("http…")``), ``<link href="http…">``
    (stylesheets, fonts, preloads) and CSS ``@import`` of a remote address. Ordinary hyperlinks
    (``<a href="https://…">``) stay. A safety net behind :data:`OFFLINE_TEMPLATE`: it also catches remote scripts
    and stylesheets inside a notebook's own HTML outputs.

    Parameters
    ----------
    page : str
        HTML.

    Returns
    -------
    str
        The page without them.

    Examples
    --------
    >>> strip_external_resources('<script src="https://cdn.example/require.js"></script>'
    ...                          '<link rel="stylesheet" href="//fonts.example/a.css">'
    ...                          '<style>@import url(https://cdn.example/b.css); p {}</style>'
    ...                          '<a href="https://www.gov.uk">IMD</a>')
    '<style> p {}</style><a href="https://www.gov.uk">IMD</a>'
    """
    page = _REMOTE_SCRIPT.sub("", page)
    page = _REMOTE_TAG.sub("", page)  # <link href="https://…"> (stylesheets, fonts, preloads); unclosed scripts
    return _REMOTE_IMPORT.sub("", page)


def export_html(executed: Path, target: Path, title: str, source_dir: Path) -> str:
    """Write the standalone HTML page of an executed notebook and return its body for the combined report.

    The page has inputs hidden, images embedded, CSS inline and nothing fetched from the network. Parameter cells,
    cells tagged ``remove-cell``, code cells without output and stderr streams are left out; cells tagged
    ``remove-output`` lose their outputs.

    Parameters
    ----------
    executed : Path
        The executed notebook.
    target : Path
        The page to write.
    title : str
        The page's title.
    source_dir : Path
        The notebook's source folder (nbconvert resolves relative paths, e.g. of images, from it).

    Returns
    -------
    str
        The notebook's report body (nbconvert's ``basic`` template), without remote resources.

    Examples
    --------
    >>> import tempfile
    >>> import nbformat
    >>> folder = Path(tempfile.mkdtemp())
    >>> output = nbformat.v4.new_output("stream", name="stdout", text="62,300 staff")
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("year = 2023", metadata={"tags": ["parameters"]}),
    ...     nbformat.v4.new_markdown_cell("# Baseline"),
    ...     nbformat.v4.new_code_cell("print(staff)", outputs=[output])])
    >>> nbformat.write(nb, folder / "01_baseline.ipynb")
    >>> body = export_html(folder / "01_baseline.ipynb", folder / "01_baseline.html", "Baseline 2023/24", folder)
    >>> "62,300 staff" in body, "year = 2023" in body, "print(staff)" in body
    (True, False, False)
    >>> "<title>Baseline 2023/24</title>" in (folder / "01_baseline.html").read_text(encoding="utf-8")
    True
    """
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
    """The text of an HTML fragment: tags and pilcrows removed, entities unescaped, whitespace collapsed."""
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
        """Give a heading without an id the id ``<section>-h<n>``."""
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
    """Mark a table cell that does not read as a number ``class="text"`` (aligned left)."""
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
        """The font size at which the table fits, headers counted at most ``head_cap`` characters wide."""
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
    """Remove the row-number column pandas prints for an unnamed integer index.

    The numbers (0, 1, 2, … or the positions left after filtering) are noise in a report for a board. A table
    whose index has a name, or holds anything but whole numbers, or spans rows, is returned as it is.

    Parameters
    ----------
    table : str
        One HTML ``<table>`` as pandas writes it.

    Returns
    -------
    str
        The table, without its first column when that column is row numbers.

    Examples
    --------

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
    """Every table of a notebook body without row numbers and fitted to the page."""
    return _TABLE.sub(lambda m: _fit_table(drop_row_numbers(m.group(0))), body)
