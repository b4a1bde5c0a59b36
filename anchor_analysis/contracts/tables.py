"""One table file in, validated and typed frame out (staff postcodes aggregated to LSOA counts on read).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from anchor_analysis.contracts.fields import column_failures, convert
from anchor_analysis.contracts.ledgers import _read_whole_ledger
from anchor_analysis.contracts.readers import READABLE_TABLES, _read_raw
from anchor_analysis.contracts.report import HEADER_ROW, Failure, ValidationReport
from anchor_analysis.contracts.schemas import contract
from anchor_analysis.core.errors import FileProblem, PostcodeLookupUnavailable, ValidationFailed
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.core.postcodes import normalise_postcodes

# --- one table




def _staff_residence_form(raw: pd.DataFrame, file: str) -> str:
    by_lsoa = bool({"lsoa_code", "count"} & set(raw.columns))
    if "postcode" in raw.columns and by_lsoa:
        raise FileProblem(Failure(file, HEADER_ROW, None, None,
                                   "use either lsoa_code and count, or postcode (one row per staff member), "
                                   "not both"))
    if "postcode" in raw.columns:
        return "staff_residence_postcodes"
    if by_lsoa:
        return "staff_residence"
    raise FileProblem(Failure(file, HEADER_ROW, None, None,
                               "needs either columns lsoa_code and count, or a postcode column "
                               f"(found: {', '.join(raw.columns)})"))


def _load_table(path: Path, table: str, place: Place, anchors: pd.DataFrame | None, file: str
                ) -> tuple[pd.DataFrame | None, list[Failure], int]:
    """Read, convert and check one table: (typed frame or None if unreadable, failures, data rows read)."""
    try:
        raw, failures = _read_raw(path, table, file)
        form = _staff_residence_form(raw, file) if table == "staff_residence" else table
    except FileProblem as problem:
        return None, [problem.failure], 0
    failures += column_failures(raw, form, file)
    typed, conversion_failures, bad_cells = convert(raw, form, file=file)
    failures += conversion_failures
    table_contract = contract(form, place, anchors, columns=list(typed.columns))
    failures += table_contract.failures(typed, file=file, raw=raw, skip_cells=bad_cells)
    order = {name: number for number, name in enumerate(raw.columns)}
    failures.sort(key=lambda f: (f.row or 0, order.get(f.column, -1)))
    if form == "staff_residence_postcodes":
        typed, lookup_failures = _postcodes_to_lsoa_counts(typed, file)
        failures += lookup_failures
    return typed.reset_index(drop=True), failures, len(raw)


def postcode_lookup() -> pd.DataFrame:
    """Postcode -> LSOA 2021 for the place's region (``postcode``, ``lsoa21_code``), from the public data."""
    try:
        from anchor_analysis import public
    except ImportError as exc:
        raise PostcodeLookupUnavailable(f"the public data module is not available ({exc})") from exc
    missing = getattr(public, "PublicDataMissing", OSError)
    try:
        return public.load_postcode_lookup(scope="region", columns=["postcode", "lsoa21_code"])
    except (missing, OSError) as exc:
        raise PostcodeLookupUnavailable(str(exc)) from exc


def _postcodes_to_lsoa_counts(typed: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Failure]]:
    """One row per staff member -> staff counts per LSOA; the postcodes (personal data) go no further.

    Postcodes outside the lookup (outside the region, or not real) and blank postcodes count under a
    missing lsoa_code, so every staff member is counted once.
    """
    try:
        lookup = postcode_lookup()
    except PostcodeLookupUnavailable as exc:
        empty = typed.drop(columns="postcode").iloc[0:0].assign(lsoa_code=pd.Series(dtype="str"),
                                                                count=pd.Series(dtype="Int64"))
        return empty, [Failure(file, None, "postcode", None, f"cannot map postcodes to LSOAs: {exc}")]
    keys = normalise_postcodes(lookup["postcode"])
    to_lsoa = lookup.assign(postcode=keys).drop_duplicates("postcode").set_index("postcode")
    lsoa = typed["postcode"].map(to_lsoa["lsoa21_code"]).astype("str")
    people = typed.drop(columns="postcode").assign(lsoa_code=lsoa)
    del typed, lsoa
    counts = (people.groupby(["year", "anchor_id", "lsoa_code"], dropna=False, sort=True).size()
              .rename("count").reset_index())
    counts = counts.astype({"year": "Int64", "anchor_id": "str", "lsoa_code": "str", "count": "Int64"})
    return counts, []


def read_table(path: str | Path, table: str, *, place: str | Place | None = None,
               anchors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read one table file (CSV or XLSX) and return it converted and validated.

    ``table`` is one of anchors, progression, metrics, staff_residence, sites, ledger. ``place`` defaults
    to Leeds. With ``anchors`` (the anchors frame) the cross-table rules are checked too. Raises
    :class:`ValidationFailed` listing every failure; warnings (e.g. a Windows-1252 file) are kept as
    text in ``frame.attrs["warnings"]``. Staff residence by postcode comes back as LSOA counts.
    """
    if table not in READABLE_TABLES:
        raise ValueError(f"unknown table {table!r}: choose one of {', '.join(READABLE_TABLES)}")
    path = Path(path)
    place = load_place(place or "leeds")
    file = path.name
    if table == "ledger":
        return _read_whole_ledger(path, place, anchors, file)
    frame, failures, rows = _load_table(path, table, place, anchors, file)
    report = ValidationReport()
    report.checked(file, rows)
    report.extend(failures)
    if not report.ok or frame is None:
        raise ValidationFailed(report)
    frame.attrs["warnings"] = [f.describe() for f in report.failures]
    return frame
