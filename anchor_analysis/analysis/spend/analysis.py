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
    DETAIL_COLUMNS,
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

    ``suppliers`` is the classified supplier-level table; every other table is computed from it per anchor and
    financial year when the analysis is made, except ``concentration``: the network's top suppliers by year, each
    supplier matched by its normalised name across anchors (``concentration_by_anchor`` has each anchor's own top
    suppliers), and ``reconciliation``, which accounts for every line and pound read.

    Parameters
    ----------
    suppliers : DataFrame
        One row per :data:`SUPPLIER_COLUMNS` combination, with ``lines, amount, credit_lines, credit_amount,
        duplicate_lines, duplicate_amount``, the classification columns and ``influenceable, rule``.
    place : Place
        The place whose rings classify the spend.
    imd_edition : int
        The IMD edition of ``imd_decile``.
    rules : SpendRules
        The influenceable-spend rules applied.
    engine : str
        ``"pandas"`` or ``"duckdb"``: which engine built ``suppliers``.
    drop_exact_duplicates : bool
        Whether exact duplicate lines were dropped from the totals.
    top_n : tuple of int, default ``(10, 50, 300)``
        The sizes of the top supplier groups of the concentration tables.

    Attributes
    ----------
    by_ring, by_decile, leakage, summary, excluded, match_status : DataFrame
        :func:`spend_by_ring`, :func:`spend_by_deprivation_decile`, :func:`leakage_by_category`,
        :func:`ledger_summary`, :func:`excluded_by_rule` and :func:`match_status_summary` of ``suppliers``.
    concentration, concentration_by_anchor : DataFrame
        :func:`spend_concentration` per year across anchors and per anchor and year: suppliers by their resolved
        ``supplier_key`` when the table has one (a build's), else by normalised name.
    duplicates : DataFrame
        ``anchor_id, year, duplicate_lines, duplicate_spend, dropped``.
    reconciliation : DataFrame
        :func:`~anchor_analysis.analysis.spend.reconciliation.reconcile_ledgers`.

    Examples
    --------
    >>> lookup = pd.DataFrame({"postcode": ["LS1 1UR"], "lad24_code": ["E08000035"], "lsoa21_code": ["E01033010"],
    ...                        "imd2019_decile": [1]})
    >>> ledger = pd.DataFrame({"anchor_id": "a", "payment_date": ["2023-04-03", "2023-05-01"], "amount": [100.0, 50.0],
    ...                        "supplier_id": ["S1", "S2"], "supplier_postcode": ["LS1 1UR", "M1 1AE"],
    ...                        "category": "ICT"})
    >>> analysis = analyse_ledger(ledger, lookup=lookup)
    >>> analysis.by_ring[["ring", "spend"]].values.tolist()
    [['leeds', 100.0], ['west_yorkshire', 0.0], ['elsewhere', 50.0], ['unknown', 0.0]]
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
        """Compute every table from ``suppliers``."""
        s, place = self.suppliers, self.place
        self.by_ring = spend_by_ring(s, place)
        self.by_decile = spend_by_deprivation_decile(s, place)
        # the network's suppliers across anchors: one firm's spend from several anchors counts once
        key = "supplier_key" if "supplier_key" in s else None
        self.concentration = spend_concentration(s, self.top_n, by=("year",), supplier_key=key or "supplier_name")
        self.concentration_by_anchor = spend_concentration(s, self.top_n, supplier_key=key or "supplier_id")
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
        """All tables by name, ``suppliers`` first.

        Returns
        -------
        dict of str to DataFrame
            ``suppliers``, ``by_ring``, ``by_decile``, ``concentration``, ``concentration_by_anchor``, ``leakage``,
            ``summary``, ``excluded``, ``match_status``, ``duplicates``, ``reconciliation``.

        Examples
        --------
        >>> lookup = pd.DataFrame({"postcode": ["LS1 1UR"], "lad24_code": ["E08000035"], "lsoa21_code": ["E01033010"],
        ...                        "imd2019_decile": [1]})
        >>> ledger = pd.DataFrame({"anchor_id": "a", "payment_date": "2023-04-03", "amount": [100.0],
        ...                        "supplier_id": "S1", "supplier_postcode": "LS1 1UR", "category": "ICT"})
        >>> {name: len(table) for name, table in analyse_ledger(ledger, lookup=lookup).tables().items()}
        {'suppliers': 1, 'by_ring': 4, 'by_decile': 11, 'concentration': 3, 'concentration_by_anchor': 3, 'leakage': 1,
         'summary': 12, 'excluded': 6, 'match_status': 6, 'duplicates': 1, 'reconciliation': 14}
        """
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
    for column in ("supplier_id", "supplier_name", "supplier_postcode", "category", *DETAIL_COLUMNS):
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
    for column in ("supplier_id", "supplier_name", *DETAIL_COLUMNS):
        if column not in lines.columns:
            lines[column] = pd.Series(pd.NA, index=lines.index, dtype="str")
    lines["p"] = _pence(lines["amount"])
    lines["year"] = _financial_year(lines["payment_date"])
    lines["payment_date"] = pd.to_datetime(lines["payment_date"], format="ISO8601").dt.normalize()
    text = ["anchor_id", "supplier_id", "supplier_name", "supplier_postcode", "category", *DETAIL_COLUMNS]
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

    Lines are summed per supplier (as written), financial year, postcode and category, then classified
    (:func:`classify_supplier_postcodes`) and flagged (:func:`apply_influenceable_rules`).

    Parameters
    ----------
    ledger : DataFrame
        Ledger lines: ``anchor_id, payment_date, amount, supplier_postcode, category`` and ``supplier_id`` or
        ``supplier_name`` (or both).
    place : str or Place, default "leeds"
        The place whose rings classify the suppliers.
    lookup : DataFrame, optional
        A postcode lookup (default the place's: ``public.load_postcode_lookup("region", place=place)``).
    imd_edition : int, default 2019
        The IMD edition of ``imd_decile``: 2019 or 2025.
    rules : SpendRules, str or Path, optional
        The influenceable-spend rules (default: the kit's).
    imd : DataFrame, optional
        Deciles per LSOA 2021 replacing the lookup's (see :func:`prepare_postcode_lookup`).
    outside_lookup : {"elsewhere", "unknown"}, default "elsewhere"
        The ring of a well-formed postcode of an area the lookup does not cover.
    drop_exact_duplicates : bool, default False
        ``False`` keeps exact duplicate lines in every total and reports them (``duplicates`` table,
        ``duplicate_lines``/``duplicate_spend`` metrics); ``True`` keeps only the first copy.
    top_n : sequence of int, default ``(10, 50, 300)``
        The sizes of the top supplier groups.

    Returns
    -------
    SpendAnalysis

    Raises
    ------
    SpendError
        If the ledger lacks a column, has an amount that is not a number, or the lookup, rules or arguments cannot be
        used.

    See Also
    --------
    anchor_analysis.analysis.spend.engine.classify_ledger_files : The same analysis of CSV files, in one DuckDB pass.

    Examples
    --------
    >>> lookup = pd.DataFrame({"postcode": ["LS1 1UR", "BD1 1AA"], "lad24_code": ["E08000035", "E08000032"],
    ...                        "lsoa21_code": ["E01033010", "E01033690"], "imd2019_decile": [3, 1]})
    >>> ledger = pd.DataFrame({"anchor_id": "a", "amount": [100.0, 50.0, 50.0, -20.0],
    ...                        "payment_date": ["2023-04-03", "2023-05-01", "2023-05-01", "2024-03-31"],
    ...                        "supplier_id": ["S1", "S2", "S2", "S1"],
    ...                        "supplier_postcode": ["ls11ur", "BD1 1AA", "BD1 1AA", "LS1 1UR"], "category": "Goods"})
    >>> summary = analyse_ledger(ledger, lookup=lookup).summary.set_index("metric")["value"]
    >>> summary[["spend_leeds", "spend_west_yorkshire", "credit_spend", "duplicate_lines"]].tolist()
    [80.0, 180.0, -20.0, 1.0]
    >>> deduplicated = analyse_ledger(ledger, lookup=lookup, drop_exact_duplicates=True)
    >>> deduplicated.summary.set_index("metric")["value"][["total_spend", "duplicate_lines"]].tolist()
    [130.0, 1.0]
    """
    place = load_place(place)
    rules = rules if isinstance(rules, SpendRules) else load_spend_rules(rules)
    _check_ledger_frame(ledger, "the ledger")
    suppliers = _pandas_suppliers(ledger, drop_exact_duplicates)
    suppliers = classify_supplier_postcodes(suppliers, _load_lookup(lookup, place), place, imd_edition, imd=imd,
                                            outside_lookup=outside_lookup)
    suppliers = _finalise_suppliers(suppliers, place, rules)
    return SpendAnalysis(suppliers, place, _check_edition(imd_edition), rules, "pandas", drop_exact_duplicates,
                         top_n=tuple(top_n))
