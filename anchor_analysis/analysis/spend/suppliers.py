"""Suppliers: names normalised for matching, exact duplicate lines, and concentration on the top suppliers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.common import (
    BY,
    LEDGER_COLUMNS,
    _financial_year,
    _groups,
    _pence,
    _prepared,
    _share,
    _sum_by,
    _with_year,
)
from anchor_analysis.core.errors import SpendError

# --- exact duplicates ---------------------------------------------------------------------------------------

def _present(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    """The columns of ``columns`` that ``frame`` has, in that order."""
    return [c for c in columns if c in frame.columns]


def report_exact_duplicates(ledger: pd.DataFrame, by: Sequence[str] = BY) -> pd.DataFrame:
    """Exact duplicate lines per group: lines identical in every ledger column (amount to the penny).

    Every copy after the first counts. They are reported, not dropped; :func:`remove_exact_duplicates` drops them if
    the analyst decides they are errors (a genuine repeat payment looks the same, so the kit never decides this on
    its own).

    Parameters
    ----------
    ledger : DataFrame
        Line-level ledger (the :data:`LEDGER_COLUMNS` it has are compared).
    by : sequence of str, default ``("anchor_id", "year")``
        The groups; ``year`` is the financial year of ``payment_date`` when the ledger has no ``year``.

    Returns
    -------
    DataFrame
        ``*by, duplicate_lines, duplicate_spend`` (GBP), one row per group (zeros included).

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "payment_date": "2023-05-01", "amount": [10.0, 10.0, 10.0, 5.0],
    ...                       "supplier_id": "S1", "supplier_name": "X", "supplier_postcode": "", "category": "C"})
    >>> report_exact_duplicates(lines).values.tolist()
    [['a', 2023, 2, 20.0]]
    """
    frame = _with_year(ledger)
    keys = _present(frame, LEDGER_COLUMNS)
    work = frame[keys].copy()
    work["amount"] = _pence(frame["amount"])
    copies = work.groupby(keys, dropna=False, sort=False).size().rename("n").reset_index()
    copies = copies[copies["n"] > 1]
    copies["year"] = _financial_year(copies["payment_date"])
    copies["duplicate_lines"] = copies["n"] - 1
    copies["duplicate_pence"] = copies["duplicate_lines"] * copies["amount"]
    by = list(by)
    groups = frame[by].drop_duplicates().sort_values(by).reset_index(drop=True) if by else pd.DataFrame(index=[0])
    sums = copies.groupby(by, dropna=False)[["duplicate_lines", "duplicate_pence"]].sum() if by else \
        copies[["duplicate_lines", "duplicate_pence"]].sum().to_frame().T
    out = groups.merge(sums.reset_index(), on=by, how="left") if by else sums.reset_index(drop=True)
    out["duplicate_lines"] = out["duplicate_lines"].fillna(0).astype("int64")
    out["duplicate_spend"] = out.pop("duplicate_pence").fillna(0).astype("int64") / 100
    return out.reset_index(drop=True)


def remove_exact_duplicates(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger without exact duplicate lines, keeping the first copy of each (see :func:`report_exact_duplicates`).

    Parameters
    ----------
    ledger : DataFrame
        Line-level ledger.

    Returns
    -------
    DataFrame
        The rows of ``ledger`` that are not a later copy of an earlier row (index kept).

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "payment_date": "2023-05-01", "amount": [10.0, 10.001, 5.0],
    ...                       "supplier_id": "S1", "supplier_name": "X", "supplier_postcode": "", "category": "C"})
    >>> remove_exact_duplicates(lines)["amount"].tolist()  # 10.001 is 10.00 to the penny
    [10.0, 5.0]
    """
    keys = _present(ledger, LEDGER_COLUMNS)
    work = ledger[keys].copy()
    work["amount"] = _pence(ledger["amount"])
    return ledger[~work.duplicated(keep="first")]


_PLACEHOLDER_NAMES = ("N A", "NA", "NULL", "NONE", "NAN", "UNKNOWN")
"""Normalised names that are placeholders for a missing name ("#N/A", "N/A", "null"), not suppliers."""


def normalise_supplier_name(names: pd.Series) -> pd.Series:
    """Supplier names reduced for matching.

    Upper case, ``&`` -> ``AND``, punctuation dropped, spaces collapsed, ``LIMITED`` -> ``LTD`` and ``PUBLIC LIMITED
    COMPANY`` -> ``PLC`` at the end, a leading ``THE`` dropped. Blank names and placeholders ("#N/A", "N/A", "null",
    "unknown") become missing.

    Parameters
    ----------
    names : Series
        Supplier names as written.

    Returns
    -------
    Series
        The normalised names (str), on the same index.

    Examples
    --------
    >>> names = pd.Series(["The Acme Co. Limited", "ACME CO LTD", " ", "A & B (Leeds) plc", "#N/A"])
    >>> normalise_supplier_name(names).tolist()
    ['ACME CO LTD', 'ACME CO LTD', nan, 'A AND B LEEDS PLC', nan]
    """
    text = names.astype("str").str.upper()
    text = text.str.replace("&", " AND ", regex=False)
    text = text.str.replace(r"[^A-Z0-9 ]+", " ", regex=True)
    text = text.str.replace(r" +", " ", regex=True).str.strip(" ")
    text = text.str.replace(r"^THE ", "", regex=True)
    text = text.str.replace(r" PUBLIC LIMITED COMPANY$", " PLC", regex=True)
    text = text.str.replace(r" LIMITED$", " LTD", regex=True)
    return text.where(~text.fillna("").isin(["", *_PLACEHOLDER_NAMES])).astype("str")


def _supplier_keys(frame: pd.DataFrame, supplier_key: str) -> pd.Series:
    """The key identifying each line's supplier: ``id:`` + its id, else ``name:`` + its normalised name."""
    names = normalise_supplier_name(frame["supplier_name"]) if "supplier_name" in frame else None
    if supplier_key == "supplier_name":
        if names is None:
            raise SpendError("supplier_key='supplier_name' needs a supplier_name column")
        return ("name:" + names).fillna("(no supplier)")
    if supplier_key not in frame.columns:
        raise SpendError(f"no {supplier_key!r} column to identify suppliers by")
    ids = frame[supplier_key].astype("str").str.strip()
    ids = ("id:" + ids).where(ids.fillna("") != "")
    if names is not None:
        ids = ids.fillna("name:" + names)
    return ids.fillna("(no supplier)")


def spend_concentration(
    classified: pd.DataFrame, top_n: Sequence[int] = (10, 50, 300), by: Sequence[str] = BY,
    supplier_key: str = "supplier_id",
) -> pd.DataFrame:
    """How concentrated net influenceable spend is: the top-N suppliers' share (CLES "Preston method": top 300).

    Credits net against their supplier before ranking. When a group has fewer than N suppliers, all of them are
    counted, so the share is 1.

    Parameters
    ----------
    classified : DataFrame
        Lines or the supplier-level table with ``influenceable`` and ``amount``.
    top_n : sequence of int, default ``(10, 50, 300)``
        The sizes of the top groups.
    by : sequence of str, default ``("anchor_id", "year")``
        The groups, e.g. ``("year",)`` for the network's suppliers across anchors.
    supplier_key : str, default "supplier_id"
        How suppliers are identified: ``supplier_id`` (lines without one fall back to the normalised supplier name),
        or ``"supplier_name"`` to match suppliers by name, e.g. across anchors with ``by=("year",)``.

    Returns
    -------
    DataFrame
        ``*by, top_n, suppliers`` (with any influenceable line) ``, top_spend, total_spend, share`` (top_spend /
        total_spend).

    Raises
    ------
    SpendError
        If ``top_n`` holds a number below 1, or a needed column is missing.

    Examples
    --------
    >>> lines = pd.DataFrame({"anchor_id": "a", "year": 2023, "supplier_id": ["A", "B", "C", "D", "D"],
    ...                       "amount": [50.0, 30.0, 15.0, 10.0, -5.0], "influenceable": True})
    >>> spend_concentration(lines, top_n=(1, 2))[["top_n", "top_spend", "share"]].to_dict("list")
    {'top_n': [1, 2], 'top_spend': [50.0, 80.0], 'share': [0.5, 0.8]}
    """
    by = list(by)
    sizes = sorted({int(n) for n in top_n})
    if not sizes or sizes[0] < 1:
        raise SpendError(f"top_n must be positive whole numbers, got {top_n!r}")
    frame = _prepared(classified, by, ring=False)
    frame = frame[frame["influenceable"]]
    frame = frame.assign(_supplier=_supplier_keys(frame, supplier_key))
    net = _sum_by(frame, [*by, "_supplier"], ("_pence",))
    net = net.sort_values([*by, "_pence", "_supplier"], ascending=[True] * len(by) + [False, True],
                          na_position="last", kind="stable")
    net["_rank"] = net.groupby(by, sort=False, dropna=False).cumcount() + 1 if by else np.arange(1, len(net) + 1)
    groups = _groups(_with_year(classified), by)
    totals = _sum_by(net.assign(_suppliers=1), by, ("_pence", "_suppliers"))
    base = groups.merge(totals, on=by, how="left") if by else totals
    parts = []
    for n in sizes:
        top = _sum_by(net[net["_rank"] <= n].rename(columns={"_pence": "_top"}), by, ("_top",))
        part = base.merge(top, on=by, how="left") if by else base.assign(_top=top["_top"].sum())
        parts.append(part.assign(top_n=n))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values([*by, "top_n"], na_position="last", kind="stable").reset_index(drop=True)
    total = out["_pence"].fillna(0).astype("int64")
    top = out["_top"].fillna(0).astype("int64")
    out["suppliers"] = out["_suppliers"].fillna(0).astype("int64")
    out["top_spend"] = top / 100
    out["total_spend"] = total / 100
    out["share"] = _share(top, total)
    out["top_n"] = out["top_n"].astype("int64")
    return out[[*by, "top_n", "suppliers", "top_spend", "total_spend", "share"]]
