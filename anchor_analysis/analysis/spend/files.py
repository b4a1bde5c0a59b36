"""Reading ledger CSV files with pandas (for ledgers that fit in memory).
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.common import LEDGER_COLUMNS, REQUIRED_LEDGER_COLUMNS
from anchor_analysis.core.errors import SpendError

# --- reading ledger files -------------------------------------------------------------------------------------

def _resolve_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Ledger files from a file, a folder (its ``*.csv``, ``*.csv.gz`` and ``*.parquet``), a glob pattern, or a list
    of those."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found += sorted([*path.glob("*.csv"), *path.glob("*.csv.gz"), *path.glob("*.parquet")])
        elif any(ch in str(item) for ch in "*?["):
            found += sorted(Path(p) for p in _glob(str(item)))
        elif path.is_file():
            found.append(path)
        else:
            raise SpendError(f"ledger file or folder not found: {item}")
    if not found:
        raise SpendError(f"no ledger files (*.csv, *.csv.gz, *.parquet) found in {paths}")
    return found


def _glob(pattern: str) -> list[str]:
    """The paths matching a glob pattern."""
    import glob

    return glob.glob(pattern)


def ledger_file_kind(path: Path) -> str:
    """What a ledger file is by its first bytes, whatever its name: ``"CSV"``, ``"gzip CSV"`` or ``"Parquet"``.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    str
        The kind; a file of any other content counts as CSV (its header then says what is wrong).

    Examples
    --------
    >>> import gzip, tempfile
    >>> path = Path(tempfile.mkdtemp()) / "spend.csv"
    >>> _ = path.write_bytes(gzip.compress(b"anchor_id,amount\\n"))
    >>> ledger_file_kind(path)
    'gzip CSV'
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    return "gzip CSV" if head.startswith(b"\x1f\x8b") else "Parquet" if head == b"PAR1" else "CSV"


def _read_header(path: Path) -> list[str]:
    """The trimmed header of a ledger file (CSV, gzip CSV or Parquet, by content); :class:`SpendError` for an empty
    file."""
    kind = ledger_file_kind(path)
    if kind == "Parquet":
        import pyarrow.parquet as pq

        try:
            return [name.strip() for name in pq.read_schema(path).names]
        except Exception as exc:  # pyarrow raises ArrowInvalid and OSError for a broken file
            raise SpendError(f"{path}: not a readable Parquet file: {exc}") from exc
    opener = gzip.open if kind == "gzip CSV" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise SpendError(f"{path}: empty file (no header row)")
    return [h.strip() for h in header]


def _check_header(path: Path) -> list[str]:
    """The header of a ledger file; :class:`SpendError` naming the file if a ledger column is missing."""
    header = _read_header(path)
    missing = [c for c in REQUIRED_LEDGER_COLUMNS if c not in header]
    if not ({"supplier_id", "supplier_name"} & set(header)):
        missing.append("supplier_id or supplier_name")
    if missing:
        raise SpendError(f"{path}: missing ledger column(s) {missing}; a ledger has columns {list(LEDGER_COLUMNS)}")
    return header


def _check_ledger_frame(ledger: pd.DataFrame, what: str) -> None:
    """:class:`SpendError` naming ``what`` if an in-memory ledger lacks a ledger column."""
    missing = [c for c in REQUIRED_LEDGER_COLUMNS if c not in ledger.columns]
    if not ({"supplier_id", "supplier_name"} & set(ledger.columns)):
        missing.append("supplier_id or supplier_name")
    if missing:
        raise SpendError(f"{what}: missing ledger column(s) {missing}; a ledger has columns {list(LEDGER_COLUMNS)}")


def read_ledger(paths: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """Read ledger CSV files with pandas (for ledgers that fit in memory): the :data:`LEDGER_COLUMNS`.

    Text stays text (``"N/A"`` is a value, not missing; only empty fields are missing), ``amount`` becomes float64 and
    ``payment_date`` datetime64. Columns may come in any order; extra columns are dropped and a missing
    ``supplier_id`` or ``supplier_name`` is left blank.

    Parameters
    ----------
    paths : str, Path or iterable of them
        A file, a folder (every ``*.csv`` / ``*.csv.gz`` in it), a glob pattern, or a list of those.

    Returns
    -------
    DataFrame
        Every line of every file, in file order.

    Raises
    ------
    SpendError
        If no file is found, a file lacks a ledger column, or an amount or date cannot be read; errors name the file
        and the row as Excel shows it (header = row 1).

    See Also
    --------
    anchor_analysis.analysis.spend.engine.classify_ledger_files : Reads and classifies files too big for memory.

    Examples
    --------
    >>> ledger = read_ledger("data/raw/demo/ledger/fe_college_a_2023.csv")
    >>> len(ledger), round(float(ledger["amount"].sum()), 2), str(ledger["payment_date"].min().date())
    (239, 31646993.0, '2023-04-01')
    >>> ledger.columns.tolist() == list(LEDGER_COLUMNS)
    True
    """
    frames = []
    for path in _resolve_paths(paths):
        _check_header(path)
        raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""], encoding="utf-8-sig")
        raw.columns = [c.strip() for c in raw.columns]
        frame = pd.DataFrame({c: raw[c] if c in raw else pd.Series(pd.NA, index=raw.index, dtype="str")
                              for c in LEDGER_COLUMNS})
        amount = pd.to_numeric(frame["amount"], errors="coerce")
        dates = pd.to_datetime(frame["payment_date"], format="ISO8601", errors="coerce")
        dates = dates.where(frame["payment_date"].str.match(r"\s*\d{4}-\d{1,2}-\d{1,2}").fillna(False).astype(bool))
        for column, parsed, rule in (("amount", amount, "a number"),
                                     ("payment_date", dates, "an ISO date (YYYY-MM-DD)")):
            bad = parsed.isna()
            if bad.any():
                rows = [f"row {i + 2} ({frame[column].iloc[i]!r})" for i in np.flatnonzero(bad.to_numpy())[:5]]
                raise SpendError(f"{path}: {int(bad.sum())} {column} value(s) are not {rule}: {', '.join(rows)}")
        frame["amount"] = amount.astype("float64")
        frame["payment_date"] = dates
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
