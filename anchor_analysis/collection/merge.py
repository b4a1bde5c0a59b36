"""Returns into tables: an anchor's rows for a year replaced by its return's, what changed, the CSV text written.

A return is the anchor's whole return for the year: its rows replace every row of that anchor and year in
progression, metrics and staff residence, and its ledger becomes ``ledger/<anchor_id>_<year>.csv``. Rows are
compared by value, so taking in the same return twice changes nothing.

>>> old = pd.DataFrame({"year": [2025], "anchor_id": ["a"], "metric": ["headcount"], "value": [1240.0],
...                     "unit": ["people"]})
>>> new = old.assign(value=[12400.0])
>>> merged, changes = replace_rows(old, new, "metrics", "a", 2025)
>>> merged["value"].tolist(), changes[["key", "change", "before", "after"]].values.tolist()
([12400.0], [['headcount', 'changed', 'value=1240 unit=people', 'value=12400 unit=people']])
"""

from __future__ import annotations

import io

import pandas as pd

from anchor_analysis.contracts.fields import FIELDS, KEYS

TABLE_FILES = {"progression": "progression.csv", "metrics": "metrics.csv", "staff_residence": "staff_residence.csv"}
"""The tables a collect writes (ledgers aside), and their files."""


def ledger_file(anchor_id: str, year: int) -> str:
    """The ledger file a collected return is written to: ``ledger/<anchor_id>_<year>.csv``."""
    return f"ledger/{anchor_id}_{int(year)}.csv"


def _text(value: object) -> str:
    """A typed value as the CSV holds it: whole numbers without a decimal point, dates as ISO, blanks empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def table_csv(frame: pd.DataFrame, table: str) -> bytes:
    """A table as the network's CSV (contract columns in order, LF line ends, UTF-8).

    Examples
    --------
    >>> frame = pd.DataFrame({"year": [2025], "anchor_id": ["a"], "metric": ["land_ha"], "value": [92.6],
    ...                       "unit": ["ha"]})
    >>> table_csv(frame, "metrics").decode()
    'year,anchor_id,metric,value,unit\\n2025,a,land_ha,92.6,ha\\n'
    """
    columns = [f.name for f in FIELDS[table]]
    text = frame.reindex(columns=columns).map(_text) if len(frame) else pd.DataFrame(columns=columns)
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _row_text(row: pd.Series, columns: list[str]) -> str:
    """A row's values (other than its key) as ``column=value`` pairs, for the change log."""
    return " ".join(f"{c}={_text(row[c])}" for c in columns if _text(row[c]) != "")


def replace_rows(current: pd.DataFrame, new: pd.DataFrame, table: str, anchor_id: str, year: int
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace the rows of ``anchor_id`` in ``year`` by ``new``, and say what changed, row by row.

    Parameters
    ----------
    current : DataFrame
        The network's table (typed).
    new : DataFrame
        The return's rows of the table (typed; one anchor and year), possibly empty.
    table : str
        ``progression``, ``metrics`` or ``staff_residence``.
    anchor_id : str
        The anchor.
    year : int
        The financial year.

    Returns
    -------
    merged : DataFrame
        The table with the anchor's rows of the year replaced where they stood (new ones last); the other rows
        keep their order, so the file's diff shows only what changed.
    changes : DataFrame
        ``anchor_id, year, table, key, change, before, after``: one row per row added, changed or removed.
    """
    columns = [f.name for f in FIELDS[table]]
    key = KEYS[table][-1]
    mine = (current["anchor_id"] == anchor_id) & (current["year"] == year)
    before = current.loc[mine].set_index(key)
    after = new.reindex(columns=columns).set_index(key)
    values = [c for c in columns if c not in KEYS[table]]
    rows = []
    for item in list(before.index) + [k for k in after.index if k not in before.index]:
        old = _row_text(before.loc[item], values) if item in before.index else None
        fresh = _row_text(after.loc[item], values) if item in after.index else None
        if old != fresh:
            change = "added" if old is None else "removed" if fresh is None else "changed"
            rows.append({"anchor_id": anchor_id, "year": int(year), "table": table, "key": item, "change": change,
                         "before": old or "", "after": fresh or ""})
    # The new rows take the place of the old ones (or go last), so the file's other rows keep their order.
    at = int(mine.to_numpy().argmax()) if mine.any() else len(current)
    kept = current.loc[~mine].reset_index(drop=True)
    merged = pd.concat([kept.iloc[:at], new.reindex(columns=columns), kept.iloc[at:]], ignore_index=True)
    return merged, pd.DataFrame(rows, columns=["anchor_id", "year", "table", "key", "change", "before", "after"])


def ledger_change(old: bytes | None, new: bytes | None, anchor_id: str, year: int) -> dict | None:
    """The change log's row for a ledger file replaced, added or removed (None when its bytes are the same)."""
    if old == new:
        return None

    def summary(content: bytes | None) -> str:
        if content is None:
            return ""
        frame = pd.read_csv(io.BytesIO(content), usecols=["amount"])
        return f"{len(frame)} payments, total {frame['amount'].sum():,.2f}"

    change = "added" if old is None else "removed" if new is None else "changed"
    return {"anchor_id": anchor_id, "year": int(year), "table": "ledger", "key": ledger_file(anchor_id, year),
            "change": change, "before": summary(old), "after": summary(new)}
