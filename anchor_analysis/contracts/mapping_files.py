"""Column mappings as the analyst writes them: read from ``network.toml`` (``[ledger.<anchor_id>]``) or a
``ledger/<anchor_id>/mapping.toml``, every setting checked, and written out (the mapping a file was read with) as
a starting configuration to edit.

>>> mapping, failures = mapping_from_settings({"preset": "lgtc", "date_format": "DD/MM/YYYY"},
...                                           "network.toml [ledger.council]", file="network.toml")
>>> mapping.preset, mapping.date_format, failures
('lgtc', 'DD/MM/YYYY', [])
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

from anchor_analysis.contracts.mapping import MAPPED_FIELDS, MAPPING_KEYS, SIGNS, LedgerMapping, presets
from anchor_analysis.contracts.parsing import DATE_FORMATS
from anchor_analysis.contracts.report import Failure

_SETTING_CHECKS = {
    "preset": (lambda v: isinstance(v, str) and v in presets(), "the key of a preset ({presets})"),
    "date_format": (lambda v: isinstance(v, str) and (v in ("auto", "iso", "excel") or v in DATE_FORMATS
                                                      or "%" in v),
                    "\"auto\", \"iso\", \"excel\", a format such as \"DD/MM/YYYY\" or a pattern such as "
                    "\"%d/%m/%Y\""),
    "skip_rows": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number, 0 or more"),
    "footer_rows": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number, 0 or more"),
    "sign": (lambda v: v in SIGNS, " or ".join(f'"{s}"' for s in SIGNS)),
    "sheet": (lambda v: isinstance(v, str) and bool(v.strip()), "a sheet name"),
}


def mapping_from_settings(table: object, where: str, *, file: str) -> tuple[LedgerMapping | None, list[Failure]]:
    """A mapping from its TOML table, with a failure for every setting that cannot be used.

    Parameters
    ----------
    table : object
        The parsed TOML table (``[ledger.<anchor_id>]`` of ``network.toml``, or a whole ``mapping.toml``).
    where : str
        Where it is written, for messages and :attr:`LedgerMapping.source`.
    file : str
        The file the failures name.

    Returns
    -------
    mapping : LedgerMapping or None
        The mapping; None when it has an error.
    failures : list of Failure
        Unknown settings, values of the wrong kind, unknown fields.

    Examples
    --------
    >>> _, failures = mapping_from_settings({"columns": {"amount": 3, "colour": "Red"}, "sign": "up"},
    ...                                     "mapping.toml", file="ledger/council/mapping.toml")
    >>> for failure in failures:
    ...     print(failure.describe())
    ledger/council/mapping.toml column 'sign': value 'up': sign must be "payments_positive" or "payments_negative"
    ledger/council/mapping.toml column 'columns.amount': value '3': a column is named by its header, in quotes (or a \
list of headers)
    ledger/council/mapping.toml column 'columns.colour': unknown field: fields are anchor_id, payment_date, amount, \
debit, credit, supplier_id, supplier_name, company_number, supplier_postcode, category, expense_type, service_area, vat
    """
    if not isinstance(table, dict):
        return None, [Failure(file, None, None, str(table), f"{where} must be a table of mapping settings")]
    failures = [Failure(file, None, key, None, f"unknown setting in {where} (known: {', '.join(MAPPING_KEYS)})")
                for key in table if key not in MAPPING_KEYS]
    settings = {}
    for key, (check, expected) in _SETTING_CHECKS.items():
        if key in table:
            if check(table[key]):
                settings[key] = table[key]
            else:
                failures.append(Failure(file, None, key, str(table[key]),
                                        f"{key} must be {expected.format(presets=', '.join(presets()))}"))
    columns, column_failures = _columns_from_settings(table.get("columns", {}), file)
    failures += column_failures
    if failures:
        return None, failures
    return LedgerMapping(columns=columns, source=where, **settings), []


def _columns_from_settings(table: object, file: str) -> tuple[dict[str, tuple[str, ...]], list[Failure]]:
    """The ``columns`` table of a mapping: field -> header or list of headers."""
    if not isinstance(table, dict):
        return {}, [Failure(file, None, "columns", str(table), "columns must be a table: field = \"header\"")]
    columns, failures = {}, []
    for name, value in table.items():
        headers = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else None
        if name not in MAPPED_FIELDS:
            failures.append(Failure(file, None, f"columns.{name}", None,
                                    f"unknown field: fields are {', '.join(MAPPED_FIELDS)}"))
        elif not headers or not all(isinstance(h, str) and h.strip() for h in headers):
            failures.append(Failure(file, None, f"columns.{name}", str(value),
                                    "a column is named by its header, in quotes (or a list of headers)"))
        else:
            columns[name] = headers
    return columns, failures


def read_mapping_file(path: Path, file: str) -> tuple[LedgerMapping | None, list[Failure]]:
    """A ``mapping.toml`` kept beside an anchor's ledger files.

    Parameters
    ----------
    path : Path
        The file.
    file : str
        Its name in messages (``ledger/council/mapping.toml``).

    Returns
    -------
    mapping : LedgerMapping or None
        The mapping; None when it cannot be used.
    failures : list of Failure
        Why not.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "mapping.toml"
    >>> _ = path.write_text('date_format = "%d/%m/%Y"\\n[columns]\\npayment_date = "Paid"\\n', encoding="utf-8")
    >>> mapping, _ = read_mapping_file(path, "ledger/council/mapping.toml")
    >>> mapping.date_format, mapping.columns, mapping.source
    ('%d/%m/%Y', {'payment_date': ('Paid',)}, 'ledger/council/mapping.toml')
    """
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, [Failure(file, None, None, None, f"not valid TOML: {exc}")]
    return mapping_from_settings(table, file, file=file)


# --- mappings written out, as a starting configuration


def _toml_string(text: str) -> str:
    """A TOML basic string."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def mapping_toml(reading: Mapping, table: str | None = None) -> str:
    """The mapping a file was read with, as TOML an analyst can edit and keep.

    Parameters
    ----------
    reading : mapping
        How the file was read (an entry of
        :attr:`~anchor_analysis.contracts.report.ValidationReport.readings`): ``columns``, ``date_format``,
        ``sign``, ``header_row`` and optionally ``sheet`` and ``source``.
    table : str, optional
        The TOML table to write it under (``"ledger.council"`` for ``network.toml``); default none, the form of a
        ``ledger/<anchor_id>/mapping.toml``.

    Returns
    -------
    str
        The TOML text, ending in a newline.

    Examples
    --------
    >>> reading = {"source": "preset 'lgtc'", "columns": {"payment_date": "Date Paid", "amount": "Net Amount",
    ...            "supplier_name": "Supplier"}, "date_format": "DD/MM/YYYY", "sign": "payments_positive",
    ...            "header_row": 3}
    >>> print(mapping_toml(reading, "ledger.council"))
    [ledger.council]
    date_format = "DD/MM/YYYY"
    skip_rows = 2
    sign = "payments_positive"
    <BLANKLINE>
    [ledger.council.columns]
    payment_date = "Date Paid"
    amount = "Net Amount"
    supplier_name = "Supplier"
    <BLANKLINE>
    """
    settings = []
    if reading.get("date_format"):
        settings.append(f"date_format = {_toml_string(reading['date_format'])}")
    if (reading.get("header_row") or 1) > 1:
        settings.append(f"skip_rows = {int(reading['header_row']) - 1}")
    if reading.get("sheet"):
        settings.append(f"sheet = {_toml_string(reading['sheet'])}")
    settings.append(f"sign = {_toml_string(reading.get('sign') or 'payments_positive')}")
    columns = [f"{name} = {_toml_string(header)}" for name, header in reading.get("columns", {}).items()]
    head = [f"[{table}]"] if table else []
    columns_head = f"[{table}.columns]" if table else "[columns]"
    return "\n".join([*head, *settings, "", columns_head, *columns]) + "\n"


def mappings_toml(readings: Mapping[str, Mapping]) -> str:
    """The mappings a network's exports were read with, as ``[ledger.<anchor_id>]`` sections for ``network.toml``.

    One section per anchor, from its first file; files of the anchor read another way are listed in a comment.

    Parameters
    ----------
    readings : mapping of str to mapping
        File -> how it was read (:attr:`~anchor_analysis.contracts.report.ValidationReport.readings`).

    Returns
    -------
    str
        The TOML text.

    Examples
    --------
    >>> readings = {"ledger/council/2019.csv": {"anchor": "council", "source": "preset 'lgtc'",
    ...             "columns": {"payment_date": "Date", "amount": "Amount", "supplier_name": "Supplier"},
    ...             "date_format": "DD/MM/YYYY", "sign": "payments_positive", "header_row": 1}}
    >>> for line in mappings_toml(readings).splitlines()[4:7]:
    ...     print(line)
    # ledger/council/2019.csv: read with preset 'lgtc'
    [ledger.council]
    date_format = "DD/MM/YYYY"
    """
    lines = ["# The column mappings the ledger files were read with (anchor-analysis). Copy a section into",
             "# network.toml, or save it without its [ledger.<anchor_id>] prefix as ledger/<anchor_id>/mapping.toml,",
             "# and edit it: a written mapping is used instead of the preset its header matches.", ""]
    firsts: dict[str, Mapping] = {}
    for file, reading in readings.items():
        anchor = reading.get("anchor")
        if anchor is None:
            continue
        if anchor in firsts:
            if reading.get("columns") != firsts[anchor].get("columns"):
                lines.append(f"# {file} was read with other columns: {reading.get('source')}")
            continue
        firsts[anchor] = reading
        key = anchor if re.fullmatch(r"[A-Za-z0-9_-]+", anchor) else _toml_string(anchor)
        lines += [f"# {file}: read with {reading.get('source')}", mapping_toml(reading, f"ledger.{key}")]
    return "\n".join(lines)
