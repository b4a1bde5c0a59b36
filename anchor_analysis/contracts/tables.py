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
    """Which staff residence contract a file follows (by LSOA or by postcode), from its columns."""
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
        typed, lookup_failures = _postcodes_to_lsoa_counts(typed, file, place)
        failures += lookup_failures
    return typed.reset_index(drop=True), failures, len(raw)


def postcode_lookup(place: str | Place = "leeds") -> pd.DataFrame:
    """Postcode -> LSOA 2021 for the place's region, from the public data.

    Parameters
    ----------
    place : str or Place, default "leeds"
        The place, whose configuration names its regional postcode lookup.

    Returns
    -------
    DataFrame
        Columns ``postcode, lsoa21_code``: the place's ``region`` slice of the ONS postcode lookup
        (:func:`~anchor_analysis.public.lookups.load_postcode_lookup`).

    Raises
    ------
    PostcodeLookupUnavailable
        The public data is not configured or the lookup cannot be read.

    Examples
    --------
    >>> postcode_lookup().shape, postcode_lookup("birmingham").shape  # doctest: +PUBLIC_DATA
    ((135044, 2), (135856, 2))
    """
    try:
        from anchor_analysis import public
    except ImportError as exc:
        raise PostcodeLookupUnavailable(f"the public data module is not available ({exc})") from exc
    missing = getattr(public, "PublicDataMissing", OSError)
    try:
        return public.load_postcode_lookup(scope="region", columns=["postcode", "lsoa21_code"], place=place)
    except (missing, OSError) as exc:
        raise PostcodeLookupUnavailable(str(exc)) from exc


def _postcodes_to_lsoa_counts(typed: pd.DataFrame, file: str, place: Place) -> tuple[pd.DataFrame, list[Failure]]:
    """One row per staff member -> staff counts per LSOA; the postcodes (personal data) go no further.

    Postcodes outside the lookup (outside the region, or not real) and blank postcodes count under a
    missing lsoa_code, so every staff member is counted once. Without the lookup the counts are empty and one
    failure says why.
    """
    try:
        lookup = postcode_lookup(place)
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

    Staff residence by postcode (one row per staff member) comes back as LSOA counts, through the public
    postcode lookup; the postcodes go no further. A ledger is checked in chunks first, then read whole.

    Parameters
    ----------
    path : str or path-like
        The file.
    table : str
        One of anchors, progression, metrics, staff_residence, sites, ledger.
    place : str or Place, optional
        The place whose rules apply; default Leeds.
    anchors : DataFrame, optional
        The converted anchors table; with it the cross-table rules (the anchor is listed, and was a member that
        year) are checked too.

    Returns
    -------
    DataFrame
        The typed table; warnings (e.g. a Windows-1252 file) are kept as text in ``frame.attrs["warnings"]``.

    Raises
    ------
    ValueError
        ``table`` is not one of the tables above.
    ValidationFailed
        The file breaks its contract (or cannot be read); ``.report`` lists every failure.

    See Also
    --------
    anchor_analysis.contracts.network.load_network : Every table of a network folder, checked together.

    Examples
    --------
    >>> anchors = read_table("data/raw/demo/anchors.csv", "anchors")
    >>> len(anchors), anchors.dtypes.astype(str).to_dict()
    (14, {'anchor_id': 'str', 'name': 'str', 'sector': 'str', 'joined_year': 'Int64', 'left_year': 'Int64'})
    >>> len(read_table("data/raw/demo/metrics.csv", "metrics", anchors=anchors))
    1142

    Every failure of a file is reported at once:

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sites.csv"
    >>> rows = ["anchor_id,site_name,postcode,main_site", "uni_a,Campus,ls2 9jt,yes", "uni_a,Annexe,LS1,true"]
    >>> _ = path.write_text("\\n".join(rows))
    >>> read_table(path, "sites")
    Traceback (most recent call last):
    anchor_analysis.core.errors.ValidationFailed: sites.csv: 2 errors
      sites.csv row 2, column 'main_site': value 'yes': main_site must be true or false
      sites.csv row 3, column 'postcode': value 'LS1': not a valid UK postcode
    2 errors, 0 warnings in 1 file
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
