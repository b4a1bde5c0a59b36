"""Taking a filled-in supplier worksheet into the network's register, as a new version.

The worksheet (``anchor-analysis suppliers worksheet``) lists the unlocated suppliers with blank postcode, size,
VCSE and sector columns. Filled in, it is validated like the register itself (file, row, column and rule), then
merged: a supplier the register lacks is added; for one it holds, only the attributes the register leaves blank
are filled. What an analyst entered in the register is never overwritten (a worksheet value that differs is
reported and left out). The merged register is written as a new version (:mod:`~anchor_analysis.collection.versions`:
the earlier file is kept under ``versions/``), never edited in place.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from anchor_analysis.collection.versions import write_version
from anchor_analysis.contracts.fields import FIELDS, SUPPLIER_ATTRIBUTES
from anchor_analysis.contracts.readers import _read_raw, find_table_file
from anchor_analysis.contracts.report import Failure, ValidationReport
from anchor_analysis.contracts.tables import read_table
from anchor_analysis.core.errors import ValidationFailed

REGISTER_FILE = "suppliers.csv"
_COLUMNS = [f.name for f in FIELDS["suppliers"]]


def merge_worksheet(data_dir: str | Path, worksheet: str | Path, when: str | None = None
                    ) -> tuple[Path | None, pd.DataFrame]:
    """Validate a filled-in worksheet and merge it into the register of ``data_dir`` as a new version.

    Parameters
    ----------
    data_dir : str or path-like
        The network folder (its ``suppliers.csv`` or ``.xlsx``, if any, is the register).
    worksheet : str or path-like
        The filled-in worksheet (CSV or XLSX in the register's columns; its other columns are ignored).
    when : str, optional
        The ISO time recorded; default now (UTC). Its date is the date of each attribute filled in.

    Returns
    -------
    version : Path or None
        The new version's folder, or None when the worksheet changed nothing.
    changes : DataFrame
        ``key, change, before, after``: each supplier added, each attribute filled, each worksheet value that
        differed from the register's and was left out (``kept``).

    Raises
    ------
    ValidationFailed
        The worksheet or the register breaks the register's contract (file, row, column and rule of each).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "suppliers.csv").write_text("supplier_key,canonical_name,postcode\\nS1,Acme Ltd,LS1 1UR\\n")
    >>> sheet = folder.parent / f"{folder.name}-worksheet.csv"
    >>> _ = sheet.write_text("supplier_key,canonical_name,spend,postcode,size_band\\n"
    ...                      "S1,Acme Ltd,900,LS9 9ZZ,small\\nN-2,Bolt Ltd,100,LS2 7EJ,\\nN-3,Other,5,,\\n")
    >>> version, changes = merge_worksheet(folder, sheet, when="2026-05-01T09:00:00+00:00")
    >>> changes.values.tolist()
    [['S1', 'kept', 'postcode=LS1 1UR', 'postcode=LS9 9ZZ'], ['S1', 'filled', '', 'size_band=small'],
     ['N-2', 'added', '', 'canonical_name=Bolt Ltd; postcode=LS2 7EJ']]
    >>> read_table(folder / "suppliers.csv", "suppliers")[["supplier_key", "postcode", "size_band"]].values.tolist()
    [['S1', 'LS1 1UR', 'small'], ['N-2', 'LS2 7EJ', nan]]
    >>> sorted(p.name for p in (folder / "versions").iterdir())
    ['0001', '0002', 'changes.csv']
    """
    data_dir, worksheet = Path(data_dir), Path(worksheet)
    when = when or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    read_table(worksheet, "suppliers")  # refused with file, row, column and rule when malformed
    current = find_table_file(data_dir, "suppliers")
    register = _raw_cells(current) if current is not None else pd.DataFrame(columns=_COLUMNS)
    if current is not None:
        read_table(current, "suppliers")
    merged, changes = _merged(register, _raw_cells(worksheet), worksheet.name, when[:10])
    if not (changes["change"] != "kept").any():
        return None, changes
    files: dict[str, bytes | None] = {REGISTER_FILE: _csv_bytes(merged)}
    if current is not None and current.name != REGISTER_FILE:
        files[current.relative_to(data_dir).as_posix()] = None  # an XLSX register becomes the CSV version
    log = changes[changes["change"] != "kept"].assign(anchor_id="", year="", table="suppliers",
                                                      workbook=worksheet.name)
    version = write_version(data_dir, files, log[["anchor_id", "year", "table", "key", "change", "before", "after",
                                                  "workbook"]], when=when)
    _check_written(data_dir)
    return version, changes


def _raw_cells(path: Path) -> pd.DataFrame:
    """The register's cells as text ("" for blank), every contract column present."""
    raw, _ = _read_raw(path, "suppliers", path.name)
    raw = raw.fillna("").astype("str")
    for column in _COLUMNS:
        if column not in raw:
            raw[column] = ""
    return raw[_COLUMNS].reset_index(drop=True)


def _merged(register: pd.DataFrame, sheet: pd.DataFrame, source: str, date: str
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The register with the worksheet's new suppliers and blank attributes filled, and the changes made."""
    out = register.copy()
    changes = []
    position = {key: i for i, key in enumerate(out["supplier_key"])}
    values = [c for c in ("canonical_name", *SUPPLIER_ATTRIBUTES, "aliases") if c in sheet]
    for row in sheet.itertuples(index=False):
        given = {c: getattr(row, c).strip() for c in values if getattr(row, c).strip()}
        attributes = {c: v for c, v in given.items() if c in SUPPLIER_ATTRIBUTES}
        if row.supplier_key not in position:
            if attributes:
                new = {c: "" for c in _COLUMNS} | given | {"supplier_key": row.supplier_key}
                new |= _provenance(row, attributes, source, date)
                out = pd.concat([out, pd.DataFrame([new])], ignore_index=True)
                position[row.supplier_key] = len(out) - 1
                changes.append((row.supplier_key, "added", "", "; ".join(f"{c}={v}" for c, v in given.items())))
            continue
        i = position[row.supplier_key]
        for column, value in attributes.items():
            before = out.at[i, column].strip()
            if not before:
                out.at[i, column] = value
                for part, text in _provenance(row, {column: value}, source, date).items():
                    out.at[i, part] = text
                changes.append((row.supplier_key, "filled", "", f"{column}={value}"))
            elif before.lower() != value.lower():
                changes.append((row.supplier_key, "kept", f"{column}={before}", f"{column}={value}"))
    return out, pd.DataFrame(changes, columns=["key", "change", "before", "after"])


def _provenance(row, attributes: dict[str, str], source: str, date: str) -> dict[str, str]:
    """The source and date of each attribute filled: the worksheet's own when it gives them, else its name and
    the merge's date."""
    out = {}
    for column in attributes:
        own_source = getattr(row, f"{column}_source", "").strip()
        own_date = getattr(row, f"{column}_date", "").strip()
        out[f"{column}_source"] = own_source or f"worksheet {source}"
        out[f"{column}_date"] = own_date or date
    return out


def _csv_bytes(register: pd.DataFrame) -> bytes:
    """The register as UTF-8 CSV bytes (LF line ends), in the contract's column order."""
    buffer = io.StringIO()
    register[_COLUMNS].to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _check_written(data_dir: Path) -> None:
    """The written register reads back valid (a guard: the merge only ever combines valid cells)."""
    try:
        read_table(data_dir / REGISTER_FILE, "suppliers")
    except ValidationFailed as exc:  # pragma: no cover - would be a bug in the merge
        report = ValidationReport()
        report.add(Failure(REGISTER_FILE, None, None, None, f"the merged register is not valid: {exc}"))
        raise ValidationFailed(report) from exc
