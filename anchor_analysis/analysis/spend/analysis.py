"""The whole spend analysis of a set of ledgers, from the supplier-level table (pandas engine).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.common import (
    _CLASSIFICATION_COLUMNS,
    BY,
    EDITION_DECILES,
    SUPPLIER_COLUMNS,
    _financial_year,
    _pence,
)
from anchor_analysis.analysis.spend.files import _check_ledger_frame
from anchor_analysis.analysis.spend.locate import (
    _STATUS_DTYPE,
    _check_edition,
    _load_lookup,
    _ring_dtype,
    classify_supplier_postcodes,
)
from anchor_analysis.analysis.spend.reconciliation import reconcile_ledgers
from anchor_analysis.analysis.spend.rules import SpendRules, apply_influenceable_rules, load_spend_rules
from anchor_analysis.analysis.spend.summaries import (
    excluded_by_rule,
    leakage_by_category,
    ledger_summary,
    match_status_summary,
    spend_by_deprivation_decile,
    spend_by_ring,
)
from anchor_analysis.analysis.spend.suppliers import spend_concentration
from anchor_analysis.core.places import ELSEWHERE, Place, load_place

# --- the whole analysis ---------------------------------------------------------------------------------------

@dataclass
class SpendAnalysis:
    """Every spend table for a set of ledgers (from :func:`analyse_ledger` or :func:`classify_ledger_files`).

    ``suppliers`` is the classified supplier-level table (one row per :data:`SUPPLIER_COLUMNS` combination, with
    ``lines, amount, credit_lines, credit_amount, duplicate_lines, duplicate_amount``, the classification columns
    and ``influenceable, rule``); every other table is computed from it per anchor and financial year, except
    ``concentration``: the network's top suppliers by year, each supplier matched by its normalised name across
    anchors (``concentration_by_anchor`` has each anchor's own top suppliers), and ``reconciliation``, which
    accounts for every line and pound read (:func:`~anchor_analysis.analysis.spend.reconciliation.reconcile_ledgers`).
    """

    suppliers: pd.DataFrame
    place: Place
    imd_edition: int
    rules: SpendRules
    engine: str
    drop_exact_duplicates: bool
    by_ring: pd.DataFrame = field(init=False)
    by_decile: pd.DataFrame = field(init=False)
    concentration: pd.DataFrame = field(init=False)
    concentration_by_anchor: pd.DataFrame = field(init=False)
    leakage: pd.DataFrame = field(init=False)
    summary: pd.DataFrame = field(init=False)
    excluded: pd.DataFrame = field(init=False)
    match_status: pd.DataFrame = field(init=False)
    duplicates: pd.DataFrame = field(init=False)
    reconciliation: pd.DataFrame = field(init=False)
    top_n: tuple[int, ...] = (10, 50, 300)

    def __post_init__(self) -> None:
        s, place = self.suppliers, self.place
        self.by_ring = spend_by_ring(s, place)
        self.by_decile = spend_by_deprivation_decile(s, place)
        # the network's suppliers across anchors: one firm's spend from several anchors counts once
        self.concentration = spend_concentration(s, self.top_n, by=("year",), supplier_key="supplier_name")
        self.concentration_by_anchor = spend_concentration(s, self.top_n)
        self.leakage = leakage_by_category(s, place)
        self.summary = ledger_summary(s, place)
        self.excluded = excluded_by_rule(s, self.rules)
        self.match_status = match_status_summary(s)
        dup = s.assign(_dup=_pence(s["duplicate_amount"])).groupby(list(BY), dropna=False)
        dup = dup[["duplicate_lines", "_dup"]].sum().reset_index()
        self.duplicates = pd.DataFrame({
            "anchor_id": dup["anchor_id"], "year": dup["year"],
            "duplicate_lines": dup["duplicate_lines"].astype("int64"),
            "duplicate_spend": dup["_dup"].astype("int64") / 100, "dropped": self.drop_exact_duplicates,
        })
        self.reconciliation = reconcile_ledgers(s, place, self.rules, drop_exact_duplicates=self.drop_exact_duplicates)

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name (``suppliers``, ``by_ring``, ``by_decile``, ``concentration``,
        ``concentration_by_anchor``, ``leakage``, ``summary``, ``excluded``, ``match_status``, ``duplicates``,
        ``reconciliation``)."""
        names = ("suppliers", "by_ring", "by_decile", "concentration", "concentration_by_anchor", "leakage",
                 "summary", "excluded", "match_status", "duplicates", "reconciliation")
        return {name: getattr(self, name) for name in names}


def _finalise_suppliers(frame: pd.DataFrame, place: Place, rules: SpendRules) -> pd.DataFrame:
    """Common column order, dtypes and row order of the supplier table, whichever engine built it."""
    frame = apply_influenceable_rules(frame, rules)
    out = pd.DataFrame(index=frame.index)
    for column in ("anchor_id",):
        out[column] = frame[column].astype("str")
    out["year"] = frame["year"].astype("int64")
    for column in ("supplier_id", "supplier_name", "supplier_postcode", "category"):
        out[column] = frame[column].astype("str")
    for column in ("lines", "credit_lines", "duplicate_lines"):
        out[column] = frame[column].astype("int64")
    for column in ("amount", "credit_amount", "duplicate_amount"):
        out[column] = frame[column.replace("amount", "pence")].astype("int64") / 100
    for column in ("postcode_normalised", "postcode_area", "lad_code", "lsoa21_code"):
        out[column] = frame[column].astype("str")
    out["match_status"] = pd.Categorical(frame["match_status"].astype("str"), dtype=_STATUS_DTYPE)
    out["ring"] = pd.Categorical(frame["ring"].astype("str"), dtype=_ring_dtype(place))
    out["imd_decile"] = frame["imd_decile"].astype("Int64")
    editions = [c for c in EDITION_DECILES if c in frame.columns]
    for column in editions:
        out[column] = frame[column].astype("Int64")
    out["influenceable"] = frame["influenceable"].astype(bool)
    out["rule"] = frame["rule"].astype("str")
    columns = [*SUPPLIER_COLUMNS, "lines", "amount", "credit_lines", "credit_amount", "duplicate_lines",
               "duplicate_amount", *_CLASSIFICATION_COLUMNS, *editions, "influenceable", "rule"]
    out = out[columns].sort_values(list(SUPPLIER_COLUMNS), na_position="last", kind="stable")
    return out.reset_index(drop=True)


def _pandas_suppliers(ledger: pd.DataFrame, drop_exact_duplicates: bool) -> pd.DataFrame:
    """Supplier-level sums of a line-level ledger, with exact-duplicate and credit counts (pence)."""
    lines = ledger.copy()
    for column in ("supplier_id", "supplier_name"):
        if column not in lines.columns:
            lines[column] = pd.Series(pd.NA, index=lines.index, dtype="str")
    lines["p"] = _pence(lines["amount"])
    lines["year"] = _financial_year(lines["payment_date"])
    lines["payment_date"] = pd.to_datetime(lines["payment_date"], format="ISO8601").dt.normalize()
    text = ["anchor_id", "supplier_id", "supplier_name", "supplier_postcode", "category"]
    for column in text:
        lines[column] = lines[column].astype("str")
    copies = lines.groupby([*text, "year", "payment_date", "p"], dropna=False, sort=False).size().rename("n")
    copies = copies.reset_index()
    kept = 1 if drop_exact_duplicates else copies["n"]
    copies["lines"] = kept
    copies["pence"] = kept * copies["p"]
    credit = copies["p"] < 0
    copies["credit_lines"] = np.where(credit, kept, 0)
    copies["credit_pence"] = np.where(credit, kept * copies["p"], 0)
    copies["duplicate_lines"] = copies["n"] - 1
    copies["duplicate_pence"] = (copies["n"] - 1) * copies["p"]
    measures = ["lines", "pence", "credit_lines", "credit_pence", "duplicate_lines", "duplicate_pence"]
    grouped = copies.groupby(list(SUPPLIER_COLUMNS), dropna=False, sort=False)[measures].sum()
    return grouped.reset_index()


def analyse_ledger(
    ledger: pd.DataFrame,
    place: str | Place = "leeds",
    lookup: pd.DataFrame | None = None,
    imd_edition: int = 2019,
    *,
    rules: SpendRules | str | Path | None = None,
    imd: pd.DataFrame | None = None,
    outside_lookup: str = ELSEWHERE,
    drop_exact_duplicates: bool = False,
    top_n: Sequence[int] = (10, 50, 300),
) -> SpendAnalysis:
    """The whole spend analysis of an in-memory, line-level ledger (pandas engine); see :class:`SpendAnalysis`.

    ``drop_exact_duplicates=False`` (default) keeps exact duplicate lines in every total and reports them
    (``duplicates`` table, ``duplicate_lines``/``duplicate_spend`` metrics); ``True`` keeps only the first copy.
    """
    place = load_place(place)
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    _check_ledger_frame(ledger, "the ledger")
    suppliers = _pandas_suppliers(ledger, drop_exact_duplicates)
    suppliers = classify_supplier_postcodes(suppliers, _load_lookup(lookup), place, imd_edition, imd=imd,
                                            outside_lookup=outside_lookup)
    suppliers = _finalise_suppliers(suppliers, place, rules)
    return SpendAnalysis(suppliers, place, _check_edition(imd_edition), rules, "pandas", drop_exact_duplicates,
                         top_n=tuple(top_n))
