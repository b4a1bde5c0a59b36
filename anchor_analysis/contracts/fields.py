"""The fields of every table contract, and the lossless conversion of cell text to their types.

A table is read as text, then converted column by column (:func:`convert`: lossless only, so "3.0" becomes 3 but
"3.5" stays a failure); :mod:`anchor_analysis.contracts.schemas` then checks the typed frame.

>>> [f.name for f in FIELDS["anchors"]]
['anchor_id', 'name', 'sector', 'joined_year', 'left_year']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from anchor_analysis.contracts.report import HEADER_ROW, Failure, excel_row
from anchor_analysis.core.framework import LEVELS
from anchor_analysis.core.postcodes import normalise_postcodes

Kind = Literal["text", "year", "level", "count", "number", "date", "flag", "postcode"]

TABLES = ("anchors", "progression", "metrics", "staff_residence", "staff_residence_postcodes", "sites",
          "ledger", "local_spend_survey", "commitments", "suppliers")
"""Contracts by name; ``staff_residence_postcodes`` is staff_residence with one row per staff member;
``local_spend_survey`` holds the answers of the local multiplier's round 3 survey (one row per respondent)."""

LEVEL_RULE = f"level must be an integer {LEVELS[0]}–{LEVELS[-1]}"
LSOA_PATTERN = r"[EW]01\d{6}"
PRIORITIES = ("high", "medium", "low")
RESPONDENT_TYPES = ("supplier", "staff")
"""Who answers the local multiplier survey: local suppliers and staff who live locally (NEF's LM3 round 3)."""
SIZE_BANDS = ("micro", "small", "medium", "large")
"""Supplier size bands; micro, small and medium are SMEs (PPN 001: under 250 staff and turnover up to £44m or
balance sheet up to £38m)."""
SIC_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")
"""The sections of SIC 2007 (A agriculture ... U extraterritorial bodies)."""
COMPANY_NUMBER_PATTERN = r"\d{8}|[A-Z]{2}\d{6}|R\d{7}"
"""A Companies House number: 8 digits (00012345), or a 2-letter prefix and 6 digits (SC123456, OC301234)."""
CHARITY_NUMBER_PATTERN = r"\d{6,7}(-\d{1,2})?|SC0\d{5}|NIC\d{6}"
"""A charity number: England and Wales (1012345, a linked charity 1012345-1), Scotland (SC012345), NI (NIC100002)."""
SUPPLIER_ATTRIBUTES = ("company_number", "charity_number", "postcode", "size_band", "vcse", "sic_section",
                       "public_body")
"""The register's attributes of a supplier; each has a ``<attribute>_source`` and ``<attribute>_date`` column."""

_DTYPES: dict[str, object] = {
    "text": "str", "postcode": "str", "year": "Int64", "level": "Int64", "count": "Int64",
    "number": "Float64", "date": pa.DateTime, "flag": "boolean",
}

_CONVERSION_RULES = {
    "year": "year must be a financial year written like 2023 or 2023/24",
    "level": LEVEL_RULE,
    "count": "must be a non-negative whole number",
    "number": "must be a number, written without £, commas or units",
    "date": "must be a date written YYYY-MM-DD",
    "flag": "must be true or false",
}
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
TOO_LARGE_RULE = "is too large to be a number (beyond ±1.8e308, it would be read as infinity)"


@dataclass(frozen=True)
class Field:
    """A column of a table: its name, how its text is read, and whether it may be absent or blank.

    Parameters
    ----------
    name : str
        The column's name (headers are matched ignoring case and surrounding spaces).
    kind : {"text", "year", "level", "count", "number", "date", "flag", "postcode"}, default "text"
        How the cell text converts (:func:`convert`): a financial year (``2023`` or ``2023/24``), a level 1-4, a
        non-negative whole number, a number, an ISO date, true/false, a postcode (normalised) or text.
    required : bool, default True
        The column must be in the file (an optional column that is absent is added, all blank).
    nullable : bool, default False
        Cells may be blank.

    Examples
    --------
    >>> [(f.name, f.kind) for f in FIELDS["metrics"]][:2]
    [('year', 'year'), ('anchor_id', 'text')]
    >>> FIELDS["anchors"][-1]
    Field(name='left_year', kind='year', required=False, nullable=True)
    """

    name: str
    kind: Kind = "text"
    required: bool = True
    """The column must be in the file (an optional column that is absent is added, all blank)."""
    nullable: bool = False
    """Cells may be blank."""


FIELDS: dict[str, tuple[Field, ...]] = {
    "anchors": (
        Field("anchor_id"), Field("name"), Field("sector"), Field("joined_year", "year"),
        Field("left_year", "year", required=False, nullable=True),
    ),
    "progression": (
        Field("year", "year"), Field("anchor_id"), Field("dimension"), Field("activity"),
        Field("current", "level"), Field("ambition", "level"),
        Field("priority", required=False, nullable=True), Field("comment", required=False, nullable=True),
    ),
    "metrics": (
        Field("year", "year"), Field("anchor_id"), Field("metric"), Field("value", "number"), Field("unit"),
    ),
    "staff_residence": (
        Field("year", "year"), Field("anchor_id"), Field("lsoa_code"), Field("count", "count"),
    ),
    "staff_residence_postcodes": (
        Field("year", "year"), Field("anchor_id"), Field("postcode", "postcode", nullable=True),
    ),
    "sites": (
        Field("anchor_id"), Field("site_name"), Field("postcode", "postcode"), Field("main_site", "flag"),
    ),
    "ledger": (
        Field("anchor_id"), Field("payment_date", "date"), Field("amount", "number"),
        Field("supplier_id", nullable=True), Field("supplier_name", nullable=True),
        Field("supplier_postcode", nullable=True), Field("category", nullable=True),
        # read from finance exports through a column mapping; optional in a file in the contract's shape
        Field("company_number", required=False, nullable=True), Field("expense_type", required=False, nullable=True),
        Field("service_area", required=False, nullable=True), Field("vat", "number", required=False, nullable=True),
    ),
    "local_spend_survey": (
        Field("year", "year"), Field("respondent_type"), Field("local_share", "number"), Field("weight", "number"),
        # blank: a respondent of the whole network's survey, not one anchor's
        Field("anchor_id", required=False, nullable=True),
    ),
    # what the network committed to: a metric, a framework dimension, or several of either added (" + ")
    "commitments": (
        Field("commitment_id"), Field("label"), Field("kind"), Field("measure"), Field("baseline_year", "year"),
        Field("baseline_value", "number", nullable=True), Field("target_year", "year"),
        Field("target_value", "number"), Field("committed_by"), Field("source"),
    ),
    "suppliers": (
        Field("supplier_key"), Field("canonical_name"),
        Field("company_number", required=False, nullable=True), Field("charity_number", required=False, nullable=True),
        Field("postcode", "postcode", required=False, nullable=True),
        Field("size_band", required=False, nullable=True), Field("vcse", "flag", required=False, nullable=True),
        Field("sic_section", required=False, nullable=True),
        Field("public_body", "flag", required=False, nullable=True),
        Field("aliases", required=False, nullable=True),
        *(Field(f"{attribute}_{part}", kind, required=False, nullable=True)
          for attribute in SUPPLIER_ATTRIBUTES for part, kind in (("source", "text"), ("date", "date"))),
    ),
}

KEYS: dict[str, tuple[str, ...]] = {
    "anchors": ("anchor_id",),
    "progression": ("year", "anchor_id", "activity"),
    "metrics": ("year", "anchor_id", "metric"),
    "staff_residence": ("year", "anchor_id", "lsoa_code"),
    "commitments": ("commitment_id",),
    "suppliers": ("supplier_key",),
}
"""Columns that identify a row; two rows with the same key are an error."""

# A rule is reported as fixed text, or as text that depends on the failing rows: (frame, index) -> texts.
Explain = Callable[[pd.DataFrame, pd.Index], list[str]]


# --- conversion from text


def convert(raw: pd.DataFrame, table: str, *, file: str
            ) -> tuple[pd.DataFrame, list[Failure], set[tuple[int, str]]]:
    """Convert a frame of cell texts (blank = ``""``) to the table's types, losslessly.

    Only lossless conversions are made: "3.0" becomes 3 but "3.5" stays a failure. Surrounding spaces are trimmed;
    blank cells become missing values. Columns not in the contract are dropped; a required column that is
    absent is left out (:func:`column_failures` reports it).

    Parameters
    ----------
    raw : DataFrame
        The cell texts, indexed by data-row position (0 = Excel row 2).
    table : str
        The contract's name, one of :data:`TABLES`.
    file : str
        The file name the failures name.

    Returns
    -------
    typed : DataFrame
        The typed frame on the same index; optional columns that are absent are added, all blank.
    failures : list of Failure
        One per cell that does not convert, quoting the cell as typed.
    bad_cells : set of tuple of (int, str)
        Those cells as ``(position, column)``, so later checks do not report them again.

    Examples
    --------
    >>> raw = pd.DataFrame({"anchor_id": ["a", "b"], "name": ["Alpha", "Beta"], "sector": ["nhs", "university"],
    ...                     "joined_year": ["2019/20", "2020.5"]})
    >>> typed, failures, bad_cells = convert(raw, "anchors", file="anchors.csv")
    >>> typed.values.tolist()
    [['a', 'Alpha', 'nhs', 2019, <NA>], ['b', 'Beta', 'university', <NA>, <NA>]]
    >>> print(failures[0].describe())
    anchors.csv row 3, column 'joined_year': value '2020.5': year must be a financial year written like 2023 or
    2023/24
    >>> bad_cells
    {(1, 'joined_year')}
    """
    typed = {}
    failures: list[Failure] = []
    bad_cells: set[tuple[int, str]] = set()
    for f in FIELDS[table]:
        if f.name not in raw.columns:
            if not f.required:
                typed[f.name] = pd.Series(pd.NA, index=raw.index, dtype=_pandas_dtype(f.kind))
            continue
        text = raw[f.name].astype("str").str.strip()
        text = text.where(text != "")
        values, bad = _CONVERTERS[f.kind](text)
        typed[f.name] = values
        for position in bad[bad].index:
            cell = str(raw.at[position, f.name])
            failures.append(Failure(file, excel_row(position), f.name, cell, _conversion_rule(f, cell)))
            bad_cells.add((position, f.name))
    return pd.DataFrame(typed, index=raw.index), failures, bad_cells


def _conversion_rule(f: Field, cell: str = "") -> str:
    """The rule a ``cell`` of field ``f`` that does not convert breaks, naming the column where that helps."""
    if f.kind == "number" and re.fullmatch(_NUMBER, cell.strip()):
        return f"{f.name} {TOO_LARGE_RULE}"
    rule = _CONVERSION_RULES[f.kind]
    return rule if f.kind in ("year", "level") else f"{f.name} {rule}"


def _pandas_dtype(kind: Kind) -> str:
    """The pandas dtype of a converted column of ``kind``."""
    return "datetime64[ns]" if kind == "date" else str(_DTYPES[kind])


def _text(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text as it is: (values, nothing failed)."""
    return text.astype("str"), pd.Series(False, index=text.index)


def _postcode(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Postcodes normalised (their format is a check of the schema): (values, nothing failed)."""
    return normalise_postcodes(text), pd.Series(False, index=text.index)


def _integer(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers as Int64: (values, cells that are not whole numbers)."""
    # "3" and "3.0" (spreadsheets write whole numbers either way) convert; "3.5" does not.
    ok = text.str.fullmatch(r"[+-]?\d{1,15}(?:\.0*)?").fillna(False).astype(bool)
    digits = text.where(ok).str.replace(r"\.0*$", "", regex=True)
    return pd.to_numeric(digits, errors="coerce").astype("Int64"), text.notna() & ~ok


def _year(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Financial years (``2023``, ``2023/24``, ``2023/2024``) as Int64: (years, cells that are not years)."""
    plain = text.str.fullmatch(r"\d{4}(?:\.0*)?").fillna(False).astype(bool)
    label = text.str.extract(r"^(\d{4})/(\d{2}|\d{4})$")
    start = pd.to_numeric(label[0], errors="coerce").astype("Int64")
    end = pd.to_numeric(label[1], errors="coerce").astype("Int64")
    # "2023/24" and "2023/2024" name the same year; "2023/25" names none.
    consecutive = (label[1].str.len() == 2) & ((start + 1) % 100 == end) | (start + 1 == end)
    consecutive = consecutive.fillna(False).astype(bool)
    plain_year = pd.to_numeric(text.where(plain).str.replace(r"\.0*$", "", regex=True), errors="coerce")
    years = plain_year.astype("Int64").where(plain, start.where(consecutive))
    return years.astype("Int64"), text.notna() & ~(plain | consecutive)


def _number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain decimal numbers as Float64: (values, cells that are not numbers, e.g. with £ or commas, or too large
    to hold: ``1e400`` would be read as infinity)."""
    ok = text.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    values = pd.to_numeric(text.where(ok), errors="coerce").astype("float64")
    finite = pd.Series(np.isfinite(values.to_numpy()), index=text.index)
    return values.where(finite).astype("Float64"), text.notna() & ~(ok & finite)


def _date(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO dates (YYYY-MM-DD) as datetime64[ns]: (dates, cells that are not dates)."""
    iso = text.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool))
    dates = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    return dates, text.notna() & dates.isna()


def _flag(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """true/false (or 1/0, any case) as boolean: (values, cells that are neither)."""
    values = text.str.lower().map({"true": True, "false": False, "1": True, "0": False}).astype("boolean")
    return values, text.notna() & values.isna()


_CONVERTERS: dict[str, Callable[[pd.Series], tuple[pd.Series, pd.Series]]] = {
    "text": _text, "postcode": _postcode, "year": _year, "level": _integer, "count": _integer,
    "number": _number, "date": _date, "flag": _flag,
}

def column_failures(raw: pd.DataFrame, table: str, file: str) -> list[Failure]:
    """The header failures of a raw frame against ``table``'s fields.

    Parameters
    ----------
    raw : DataFrame
        The cell texts as read (its columns are the file's headers, lower-cased and trimmed).
    table : str
        The contract's name, one of :data:`TABLES`.
    file : str
        The file name the failures name.

    Returns
    -------
    list of Failure
        On the header row: each required column that is missing (an error), then each column that is not part of
        the contract (a warning: it is ignored).

    Examples
    --------
    >>> raw = pd.DataFrame(columns=["anchor_id", "name", "sector", "colour"])
    >>> for failure in column_failures(raw, "anchors", "anchors.csv"):
    ...     print(failure.describe())
    anchors.csv row 1, column 'joined_year': required column is missing (found: anchor_id, name, sector, colour)
    anchors.csv row 1, column 'colour': warning: column is not part of the contract and is ignored
    """
    expected = [f.name for f in FIELDS[table]]
    found = ", ".join(raw.columns)
    failures = [Failure(file, HEADER_ROW, f.name, None, f"required column is missing (found: {found})")
                for f in FIELDS[table] if f.required and f.name not in raw.columns]
    failures += [Failure(file, HEADER_ROW, name, None, "column is not part of the contract and is ignored",
                         "warning") for name in raw.columns if name not in expected]
    return failures
