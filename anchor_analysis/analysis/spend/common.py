"""The vocabulary of the spend analysis and the helpers its summaries share (money in whole pence).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from anchor_analysis.core.errors import SpendError
from anchor_analysis.core.places import UNKNOWN, Place, load_place
from anchor_analysis.core.years import financial_year

# --- vocabulary ---------------------------------------------------------------------------------------------

DETAIL_COLUMNS = ("company_number", "expense_type", "service_area")
"""Further text columns a ledger may carry (read from finance exports through a column mapping): blank when a
file has none, kept in the supplier-level table so influenceable-spend rules can look at them."""

LEDGER_COLUMNS = ("anchor_id", "payment_date", "amount", "supplier_id", "supplier_name", "supplier_postcode",
                  "category", *DETAIL_COLUMNS)
"""Columns of a ledger file (design.md section 4). ``supplier_id`` or ``supplier_name`` may be absent, not both;
the :data:`DETAIL_COLUMNS` may be absent."""

REQUIRED_LEDGER_COLUMNS = ("anchor_id", "payment_date", "amount", "supplier_postcode", "category")
"""Columns every ledger must have (with ``supplier_id`` or ``supplier_name``, or both)."""

MATCH_STATUSES = ("matched", "outside_lookup_area", "not_found", "unlocated", "malformed", "blank")
"""How a supplier postcode was located, best first.

``matched``: in the lookup with a local authority. ``outside_lookup_area``: a well-formed postcode of a postcode area
the lookup does not cover at all (e.g. ``M1 1AE`` with a lookup of LS/BD/WF/HX/HD/HG/YO): counted as
``elsewhere`` by default. ``not_found``: well-formed, in a covered area, but not in the lookup (mistyped or invented,
e.g. ``LS99 9ZZ``). ``unlocated``: in the lookup but without a geography (NSPL's non-geographic postcodes).
``malformed``: not a postcode format (``LS1``, ``N/A``). ``blank``: empty. All but the first two are ``unknown``.
"""

SUPPLIER_COLUMNS = ("anchor_id", "year", "supplier_id", "supplier_name", "supplier_postcode", "category",
                    *DETAIL_COLUMNS)
"""Keys of the supplier-level table (:attr:`SpendAnalysis.suppliers`): one row per anchor, financial year,
supplier, category, company number, expense type and service area as written in the ledger."""

BY = ("anchor_id", "year")
"""Default grouping of every summary: one row (set) per anchor and financial year."""

_CLASSIFICATION_COLUMNS = ("postcode_normalised", "postcode_area", "match_status", "lad_code", "ring",
                           "lsoa21_code", "imd_decile")
EDITION_DECILES = ("imd2019_decile", "imd2025_decile")
"""Each IMD edition's decile of the supplier's postcode, carried beside ``imd_decile`` (the edition asked for) when
the lookup has them, so one classification serves both editions."""
IMD_EDITIONS = (2019, 2025)
"""The IMD editions a supplier's postcode can be classified by."""
_NO_CATEGORY = "(no category)"


# --- helpers for the summaries ------------------------------------------------------------------------------

def _pence(amount: pd.Series) -> np.ndarray:
    """Amounts in whole pence (int64, rounded half to even); :class:`SpendError` if any is missing or not a number."""
    values = pd.to_numeric(amount, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(values).any():
        raise SpendError("amount has missing or non-numeric values; fix the ledger before summarising")
    return np.round(values * 100).astype(np.int64)


def _financial_year(dates: pd.Series) -> pd.Series:
    """The financial year of each payment date (:func:`anchor_analysis.core.years.financial_year`) as int64: a
    summary needs every line in a year, so a missing or unreadable date is an error here."""
    years = financial_year(dates)
    if years.isna().any():
        bad = dates[years.isna()].iloc[0]
        raise SpendError(f"payment_date must be a date for every line (YYYY-MM-DD); found {bad!r}: validate the "
                         "ledger first (anchor-analysis validate)")
    return years.astype("int64")


def _with_year(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a ``year`` column (the financial year of ``payment_date``) when it has none."""
    if "year" in frame.columns or "payment_date" not in frame.columns:
        return frame
    out = frame.copy()
    out["year"] = _financial_year(frame["payment_date"])
    return out


def _lines(frame: pd.DataFrame) -> np.ndarray:
    """Lines per row: the ``lines`` column of a supplier-level table, else 1 per ledger line."""
    return frame["lines"].to_numpy(dtype="int64") if "lines" in frame.columns else np.ones(len(frame), "int64")


def _need(frame: pd.DataFrame, columns: Sequence[str], hint: str) -> None:
    """Raise :class:`SpendError` naming the missing columns, with a hint at what to do."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SpendError(f"missing column(s) {missing}: {hint}")


_NEED_RING = "classify the ledger first (classify_supplier_postcodes)"
_NEED_RULES = "flag influenceable lines first (apply_influenceable_rules)"


def _prepared(frame: pd.DataFrame, by: Sequence[str], *, ring: bool = True) -> pd.DataFrame:
    """Copy with year, pence and lines columns, checked for what the summaries need."""
    frame = _with_year(frame)
    if ring:
        _need(frame, ["ring"], _NEED_RING)
    _need(frame, ["influenceable"], _NEED_RULES)
    _need(frame, list(by), "group by columns that exist (by=...)")
    out = frame.copy()
    out["_pence"] = _pence(frame["amount"])
    out["_lines"] = _lines(frame)
    return out


def _ring_order(frame: pd.DataFrame, place: str | Place | None) -> list[str]:
    """Ring keys innermost first, then elsewhere and unknown."""
    if place is not None:
        return [*load_place(place).ring_keys, UNKNOWN]
    if isinstance(frame["ring"].dtype, pd.CategoricalDtype):
        return [str(c) for c in frame["ring"].cat.categories]
    raise SpendError("the ring column is not categorical: pass place=... so the rings can be ordered")


def _groups(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The distinct groups of ``by``, sorted (one empty group when ``by`` is empty)."""
    if not by:
        return pd.DataFrame(index=[0])
    return frame[by].drop_duplicates().sort_values(by, na_position="last").reset_index(drop=True)


def _sum_by(frame: pd.DataFrame, keys: list[str], values: Sequence[str] = ("_pence", "_lines")) -> pd.DataFrame:
    """Sums of ``values`` per ``keys`` (one row of totals when ``keys`` is empty)."""
    if not keys:
        return frame[list(values)].sum().to_frame().T.astype("int64")
    return frame.groupby(keys, dropna=False, observed=True, sort=False)[list(values)].sum().reset_index()


def _grid(groups: pd.DataFrame, by: list[str], column: str, values: Sequence[Any]) -> pd.DataFrame:
    """Every group crossed with every value of ``column`` (so zero rows are reported, not missing)."""
    grid = groups.merge(pd.DataFrame({column: list(values)}), how="cross")
    return grid[[*by, column]]


def _money(pence: pd.Series) -> pd.Series:
    """Pence to pounds (missing counts as zero)."""
    return pence.fillna(0).astype("int64") / 100


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """``part / whole`` as float, missing where ``whole`` is zero."""
    whole = whole.astype("float64")
    return (part.astype("float64") / whole.where(whole != 0)).astype("float64")
