"""Column mappings: which column of a finance export is read as which ledger field, and the presets for the shapes
published files come in (``data/ledger_presets.toml``), matched by their headers.

A mapping is written per anchor, in ``network.toml`` (``[ledger.<anchor_id>]``) or beside its files
(``ledger/<anchor_id>/mapping.toml``; :mod:`anchor_analysis.contracts.mapping_files` reads and writes them); a file
without one is read with the preset its header matches best.
Resolved against one file's header, a mapping becomes a :class:`ColumnPlan`: the column of each field, named in
every failure by both names ("'Net Amount' (amount)").

>>> plan, failures = resolve_columns(["Payment Date", "Amount", "Organisational Unit", "Beneficiary Name"], None,
...                                  file="spend.csv")
>>> plan.preset, plan.label("amount"), failures
('leeds_city_council', "'Amount' (amount)", [])
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from anchor_analysis.contracts.report import Failure
from anchor_analysis.core.errors import ConfigError

MAPPED_FIELDS = ("anchor_id", "payment_date", "amount", "debit", "credit", "supplier_id", "supplier_name",
                 "company_number", "supplier_postcode", "category", "expense_type", "service_area", "vat")
"""The ledger fields a column can be read as (``debit`` and ``credit`` together stand for ``amount``)."""

SIGNS = ("payments_positive", "payments_negative")
"""How an export signs its amounts: payments positive and credits negative (most), or the other way round."""

MAPPING_KEYS = ("preset", "columns", "date_format", "skip_rows", "footer_rows", "sign", "sheet")
"""The settings of a mapping (a ``[ledger.<anchor_id>]`` table, or a ``mapping.toml``)."""

MAPPING_FILE = "mapping.toml"
"""The name of a mapping kept beside an anchor's ledger files."""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def normalise_header(text: str) -> str:
    """A header as presets and mappings compare it: camelCase split, lower case, punctuation and spaces collapsed.

    Parameters
    ----------
    text : str
        The header as written.

    Returns
    -------
    str
        Lower-case words separated by single spaces.

    Examples
    --------
    >>> [normalise_header(h) for h in ["SupplierName", " supplier_name ", "Supplier Name", "Amount (£)"]]
    ['supplier name', 'supplier name', 'supplier name', 'amount']
    """
    return _NOT_ALPHANUMERIC.sub(" ", _CAMEL.sub(" ", str(text)).lower()).strip()


# --- presets


@dataclass(frozen=True)
class Preset:
    """One published shape of ledger file (a ``[[preset]]`` of ``data/ledger_presets.toml``).

    Parameters
    ----------
    key : str
        Its identifier, e.g. ``"lgtc"``.
    label : str
        What it reads, for people.
    source : str
        Where the shape comes from.
    signature : tuple of str
        Headers that must all be present for the preset to match.
    columns : dict of str to tuple of str
        Field -> the headers it is read from, best first.
    date_format : str
        ``"auto"``, ``"iso"``, ``"excel"`` or a strptime pattern.

    Examples
    --------
    >>> preset = presets()["over_25k"]
    >>> preset.signature, preset.columns["service_area"]
    (('Entity', 'Expense Type', 'Expense Area'), ('Expense Area',))
    """

    key: str
    label: str
    source: str
    signature: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    date_format: str = "auto"


def load_presets(path: str | Path | None = None) -> dict[str, Preset]:
    """The ledger presets, by key, in file order: the kit's ``data/ledger_presets.toml`` by default.

    Parameters
    ----------
    path : str or Path, optional
        A presets TOML file of the same shape.

    Returns
    -------
    dict of str to Preset
        The presets in file order.

    Raises
    ------
    ConfigError
        The file is not valid TOML, or a preset lacks a key, a label or columns, or names an unknown field.

    Examples
    --------
    >>> list(load_presets())
    ['contract', 'public_spending_basic', 'public_spending_detailed', 'leeds_city_council', \
'leeds_city_council_2010', 'over_25k', 'lgtc']
    """
    if path is None:
        text = (resources.files("anchor_analysis") / "data" / "ledger_presets.toml").read_text(encoding="utf-8")
        source = "ledger_presets.toml"
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    try:
        tables = tomllib.loads(text).get("preset", [])
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from exc
    found: dict[str, Preset] = {}
    for number, table in enumerate(tables, start=1):
        key, columns = table.get("key"), table.get("columns")
        if not isinstance(key, str) or not table.get("label") or not isinstance(columns, dict) or not columns:
            raise ConfigError(f"{source}, preset {number}: needs key, label and [preset.columns]")
        unknown = sorted(set(columns) - set(MAPPED_FIELDS))
        if unknown:
            raise ConfigError(f"{source}, preset {key!r}: unknown field(s) {unknown}; fields are {list(MAPPED_FIELDS)}")
        found[key] = Preset(key, table["label"], table.get("source", ""), tuple(table.get("signature", ())),
                            {name: tuple(headers) for name, headers in columns.items()},
                            table.get("date_format", "auto"))
    return found


@functools.cache
def presets() -> dict[str, Preset]:
    """The kit's presets (:func:`load_presets`, read once per process).

    Returns
    -------
    dict of str to Preset
        The presets in file order.

    Examples
    --------
    >>> presets()["lgtc"].columns["amount"][:2]
    ('Net Amount', 'Amount')
    """
    return load_presets()


def _preset_fields(preset: Preset, header: Sequence[str], whole: bool = True) -> dict[str, int] | None:
    """The columns ``preset`` reads from ``header`` (field -> position), or None when it does not match.

    With ``whole=False`` the columns it finds are returned even when it does not match (a mapping that starts
    from the preset fills the rest).
    """
    positions: dict[str, int] = {}
    for number, name in enumerate(header):
        positions.setdefault(normalise_header(name), number)
    if whole and not all(normalise_header(h) in positions for h in preset.signature):
        return None
    fields: dict[str, int] = {}
    for name in MAPPED_FIELDS:
        for candidate in preset.columns.get(name, ()):
            position = positions.get(normalise_header(candidate))
            if position is not None and position not in fields.values():
                fields[name] = position
                break
    return fields if not (whole and _missing_fields(fields)) else None


def match_preset(header: Sequence[str], candidates: Mapping[str, Preset] | None = None
                 ) -> tuple[Preset, dict[str, int]] | None:
    """The preset that reads ``header`` best: all its signature headers present, the required fields found, and
    the most of the file's columns read (the first listed on a tie).

    Parameters
    ----------
    header : sequence of str
        A file's header, as written.
    candidates : mapping of str to Preset, optional
        The presets to try (default :func:`presets`).

    Returns
    -------
    tuple of (Preset, dict of str to int) or None
        The preset and the column position of each field it reads; None when no preset matches.

    Examples
    --------
    >>> preset, fields = match_preset(["Department Family", "Entity", "Date", "Expense Type", "Expense Area",
    ...                                "Supplier", "Transaction Number", "Amount"])
    >>> preset.key, fields
    ('over_25k', {'payment_date': 2, 'amount': 7, 'supplier_name': 5, 'category': 3, 'service_area': 4})
    >>> match_preset(["when", "how much"]) is None
    True
    """
    best = None
    for preset in (candidates or presets()).values():
        fields = _preset_fields(preset, header)
        if fields is not None and (best is None or len(fields) > len(best[1])):
            best = (preset, fields)
    return best


def _missing_fields(fields: Mapping[str, object]) -> list[str]:
    """The required fields a set of mapped fields lacks: a date, an amount (or debit and credit), a supplier."""
    missing = [] if "payment_date" in fields else ["payment_date"]
    if "amount" not in fields and not {"debit", "credit"} <= set(fields):
        missing.append("amount")
    if not {"supplier_name", "supplier_id"} & set(fields):
        missing.append("supplier_name or supplier_id")
    return missing


# --- mappings written by the analyst


@dataclass(frozen=True)
class LedgerMapping:
    """How an anchor's ledger files are read, as the analyst wrote it (any setting may be left out).

    Parameters
    ----------
    columns : dict of str to tuple of str, optional
        Field -> the header(s) named for it (naming two is an error when a file is read).
    preset : str, optional
        The preset to start from (its columns fill the fields ``columns`` leaves out).
    date_format : str, optional
        ``"auto"``, ``"iso"``, ``"excel"`` or a strptime pattern such as ``"%d/%m/%Y"``; default the preset's.
    skip_rows : int, optional
        Rows above the header (title rows); default: found from the header.
    footer_rows : int, optional
        Rows at the end to drop; default: total rows and one-cell notes after the last line.
    sign : {"payments_positive", "payments_negative"}, default "payments_positive"
        How the amounts are signed.
    sheet : str, optional
        The workbook sheet to read; default a sheet named ``ledger``, else the first.
    source : str, optional
        Where it was written, for messages (``network.toml [ledger.council]``).

    Examples
    --------
    >>> mapping = LedgerMapping({"amount": ("Net Amount",)}, skip_rows=2, source="network.toml [ledger.council]")
    >>> mapping.columns, mapping.preset, mapping.sign
    ({'amount': ('Net Amount',)}, None, 'payments_positive')
    """

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    preset: str | None = None
    date_format: str | None = None
    skip_rows: int | None = None
    footer_rows: int | None = None
    sign: str = "payments_positive"
    sheet: str | None = None
    source: str = ""


# --- a mapping resolved against one file's header


@dataclass(frozen=True)
class ColumnPlan:
    """A mapping resolved against one file's header: the column each field is read from.

    Parameters
    ----------
    header : tuple of str
        The file's header, as written.
    fields : dict of str to int
        Field -> column position in ``header``.
    source : str
        What the plan came from: ``preset 'x'`` or where the mapping is written.
    preset : str or None
        The preset used, if any.
    date_format : str
        How the dates are read (``"auto"`` until a file's dates are seen).
    sign : str
        One of :data:`SIGNS`.
    footer_rows : int or None
        Rows at the end to drop, or None to find total rows and notes.
    header_row : int, default 1
        The header's row as Excel shows it (rows above it are title rows).

    Examples
    --------
    >>> plan = ColumnPlan(("Paid", "Net Amount", "Payee"), {"payment_date": 0, "amount": 1, "supplier_name": 2},
    ...                   "network.toml [ledger.council]", None, "%d/%m/%Y", "payments_positive", None)
    >>> plan.label("amount"), plan.columns()
    ("'Net Amount' (amount)", {'payment_date': 'Paid', 'amount': 'Net Amount', 'supplier_name': 'Payee'})
    """

    header: tuple[str, ...]
    fields: dict[str, int]
    source: str
    preset: str | None
    date_format: str
    sign: str
    footer_rows: int | None
    header_row: int = 1

    def column(self, name: str) -> str:
        """The header of the column read as field ``name``."""
        return self.header[self.fields[name]]

    def label(self, name: str) -> str:
        """The column read as field ``name`` by both names: ``'Net Amount' (amount)``."""
        return f"'{self.column(name)}' ({name})"

    def columns(self) -> dict[str, str]:
        """Field -> header, in field order."""
        return {name: self.column(name) for name in MAPPED_FIELDS if name in self.fields}

    def ignored(self) -> list[str]:
        """The file's headers no field is read from."""
        read = set(self.fields.values())
        return [name for number, name in enumerate(self.header) if number not in read and name.strip()]


def resolve_columns(header: Sequence[str], mapping: LedgerMapping | None, *, file: str, header_row: int = 1
                    ) -> tuple[ColumnPlan | None, list[Failure]]:
    """Resolve a mapping (or, without one, the best preset) against a file's header.

    Parameters
    ----------
    header : sequence of str
        The file's header, as written.
    mapping : LedgerMapping or None
        The anchor's mapping; None reads the file with the preset its header matches.
    file : str
        The file the failures name.
    header_row : int, default 1
        The header's row as Excel shows it.

    Returns
    -------
    plan : ColumnPlan or None
        The plan; None when the header cannot be read with the mapping (or no preset matches).
    failures : list of Failure
        On the header row: a mapped column not in the header, two columns named for one field, one column read as
        two fields, a required field with no column.

    Examples
    --------
    >>> mapping = LedgerMapping({"amount": ("Net Amount", "Gross"), "payment_date": ("Paid",),
    ...                          "supplier_name": ("Payee",)}, source="network.toml [ledger.council]")
    >>> _, failures = resolve_columns(["Paid", "Net Amount", "Gross", "Payee"], mapping, file="spend.csv")
    >>> print(failures[0].describe())
    spend.csv row 1, column 'Gross' (amount): two columns are mapped to amount ('Net Amount' and 'Gross', by \
network.toml [ledger.council]): map one
    """
    header = tuple(str(h).strip() for h in header)
    if mapping is not None and (mapping.columns or mapping.preset):
        return _planned(header, mapping, file, header_row)
    matched = match_preset(header)
    if matched is None:
        return None, [_no_preset(header, mapping, file, header_row)]
    preset, fields = matched
    return _plan(header, fields, f"preset '{preset.key}'", preset, mapping, header_row), []


def _plan(header: tuple[str, ...], fields: dict[str, int], source: str, preset: Preset | None,
          mapping: LedgerMapping | None, header_row: int) -> ColumnPlan:
    """A plan with the mapping's settings over the preset's."""
    date_format = (mapping.date_format if mapping and mapping.date_format else None) or (
        preset.date_format if preset else "auto")
    return ColumnPlan(header, fields, source, preset.key if preset else None, date_format,
                      mapping.sign if mapping else "payments_positive", mapping.footer_rows if mapping else None,
                      header_row)


def _planned(header: tuple[str, ...], mapping: LedgerMapping, file: str, header_row: int
             ) -> tuple[ColumnPlan | None, list[Failure]]:
    """A written mapping (over its preset, if it names one) resolved against ``header``."""
    preset = presets()[mapping.preset] if mapping.preset else None
    fields = _preset_fields(preset, header, whole=False) if preset else {}
    positions: dict[str, int] = {}
    for number, name in enumerate(header):
        positions.setdefault(normalise_header(name), number)
    failures = []
    for name, headers in mapping.columns.items():
        found = [(h, positions.get(normalise_header(h))) for h in headers]
        for missing, _ in (pair for pair in found if pair[1] is None):
            failures.append(Failure(file, header_row, missing, None,
                                    f"column named by {mapping.source} for {name} is not in the header "
                                    f"(found: {', '.join(h for h in header if h)})", field=name))
        if len(headers) > 1:
            failures.append(Failure(file, header_row, headers[-1], None,
                                    f"two columns are mapped to {name} ({' and '.join(repr(h) for h in headers)}, "
                                    f"by {mapping.source}): map one", field=name))
        fields.pop(name, None)
        if len(headers) == 1 and found[0][1] is not None:
            fields[name] = found[0][1]
    failures += _overlaps(header, fields, mapping, file, header_row)
    if not failures:
        failures += [Failure(file, header_row, None, None, f"{mapping.source} maps no column to {name}")
                     for name in _missing_fields(fields)]
    source = mapping.source + (f" (over preset '{preset.key}')" if preset else "")
    return (None, failures) if failures else (_plan(header, fields, source, preset, mapping, header_row), [])


def _overlaps(header: tuple[str, ...], fields: dict[str, int], mapping: LedgerMapping, file: str,
              header_row: int) -> list[Failure]:
    """One column read as two fields, or an amount mapped beside a debit and credit."""
    failures = []
    by_column: dict[int, list[str]] = {}
    for name, position in fields.items():
        by_column.setdefault(position, []).append(name)
    for position, names in by_column.items():
        if len(names) > 1:
            failures.append(Failure(file, header_row, header[position], None,
                                    f"one column is mapped to {' and '.join(names)} (by {mapping.source}): "
                                    "a column is read as one field"))
    if "amount" in fields and {"debit", "credit"} & set(fields):
        failures.append(Failure(file, header_row, None, None,
                                f"{mapping.source} maps amount and a debit or credit column: map amount, or debit "
                                "and credit"))
    elif len({"debit", "credit"} & set(fields)) == 1:
        failures.append(Failure(file, header_row, None, None,
                                f"{mapping.source} maps only one of debit and credit: map both (or amount)"))
    return failures


def _no_preset(header: tuple[str, ...], mapping: LedgerMapping | None, file: str, header_row: int) -> Failure:
    """The failure of a header no preset reads, naming what the nearest preset lacks."""
    nearest, found = None, {}
    for preset in presets().values():
        fields = {}
        for name in MAPPED_FIELDS:
            names = {normalise_header(h) for h in preset.columns.get(name, ())}
            hits = [h for h in header if normalise_header(h) in names]
            if hits:
                fields[name] = hits[0]
        if nearest is None or len(fields) > len(found):
            nearest, found = preset, fields
    lacks = ", ".join(_missing_fields(found)) or "its signature headers " + ", ".join(nearest.signature)
    shown = ", ".join(f"'{h}'" for h in header if h) or "nothing"
    return Failure(file, header_row, None, None,
                   f"no preset reads this header ({shown}; the nearest, '{nearest.key}', finds no {lacks}) and "
                   f"{'there is no mapping' if mapping is None else mapping.source + ' names no columns'}: "
                   "`anchor-analysis ledger inspect` proposes one")
