"""A real worked example: Leeds City Council's published spend of one year, its suppliers resolved.

The council's transparency ledger names its suppliers but never locates them (no postcodes), under thousands of
spellings. Resolving them shows how many suppliers there really are, how concentrated the spend is on them, how
much is redacted, which payees are public bodies, and which few suppliers an analyst should locate first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pandas as pd

from anchor_analysis.analysis.spend.register import unlocated_worksheet
from anchor_analysis.analysis.spend.resolution import (
    REDACTED_KEY,
    MatchSettings,
    name_variants,
    public_body_by_name,
    resolve_suppliers,
)
from anchor_analysis.core.years import fy_label

COUNCIL_EXAMPLE_YEAR = 2019
"""The worked example's year: 2019/20, the council's 299,541 lines under about 16,000 names (issue 14)."""
COUNCIL = "leeds_city_council"
"""The anchor id the council's lines carry in the example."""


@dataclass
class CouncilResolution:
    """The council's suppliers resolved for one year.

    Parameters
    ----------
    summary : DataFrame
        ``measure, value``: lines, spend, distinct names, resolved suppliers, top-N shares on names and on resolved
        suppliers, redacted share of spend and lines, public bodies recognised by name (the same every run).
    worksheet : DataFrame
        The top unlocated suppliers as the worksheet an analyst fills in
        (:func:`~anchor_analysis.analysis.spend.register.unlocated_worksheet`), public bodies marked.
    keys : DataFrame
        Each distinct name with its supplier key and match score.
    review : DataFrame
        The borderline pairs.
    seconds : float
        The time the year's lines took to read (when not given) and resolve.
    """

    summary: pd.DataFrame
    worksheet: pd.DataFrame
    keys: pd.DataFrame
    review: pd.DataFrame
    seconds: float = 0.0


def resolve_council_year(year: int = COUNCIL_EXAMPLE_YEAR, spending: pd.DataFrame | None = None, data_dir: Any = None,
                         settings: MatchSettings | None = None, top_n: int = 300, rows: int = 300
                         ) -> CouncilResolution:
    """Resolve the suppliers of Leeds City Council's spend in financial year ``year``.

    Parameters
    ----------
    year : int, default 2019
        The financial year (2019 = 2019/20).
    spending : DataFrame, optional
        Lines with ``payment_date, amount_gbp, supplier_name`` (and ``company_number``); default the public
        basic spending file (:func:`anchor_analysis.public.load_spending`).
    data_dir : path, optional
        The public data folder.
    settings : MatchSettings, optional
        The resolution's thresholds.
    top_n : int, default 300
        The top group of the concentration measure (CLES: the largest 300 suppliers).
    rows : int, default 300
        How many suppliers the worksheet lists.

    Returns
    -------
    CouncilResolution

    Examples
    --------
    >>> lines = pd.DataFrame({"payment_date": pd.to_datetime(["2019-05-01"] * 4),
    ...                       "amount_gbp": [100.0, 50.0, 30.0, 20.0],
    ...                       "supplier_name": ["Mears Limited", "MEARS LTD", "REDACTED PERSONAL DATA",
    ...                                         "Kirklees Council"]})
    >>> result = resolve_council_year(2019, lines, top_n=1)
    >>> result.summary.set_index("measure").loc[["distinct names", "resolved suppliers"], "value"].tolist()
    [4.0, 3.0]
    >>> result.worksheet[["canonical_name", "spend", "public_body"]].values.tolist()
    [['Mears Limited', 150.0, ''], ['Kirklees Council', 20.0, 'true']]
    """
    started = time.perf_counter()
    lines = _year_lines(year, spending, data_dir)
    variants = name_variants(lines, by=())
    keys, review = resolve_suppliers(variants, settings)
    keyed = lines.merge(keys[["supplier_name", "company_number", "supplier_key"]],
                        on=["supplier_name", "company_number"], how="left", validate="m:1")
    seconds = time.perf_counter() - started
    per_key = keyed.groupby(["supplier_key", "supplier_name"], as_index=False).agg(
        amount=("amount", "sum"), lines=("amount", "size")).assign(anchor_id=COUNCIL, located_by="unlocated")
    public = public_body_by_name(per_key["supplier_name"])
    public_keys = set(per_key.loc[public, "supplier_key"])
    sheet = unlocated_worksheet(per_key).head(rows)
    sheet["public_body"] = sheet["supplier_key"].isin(public_keys).map({True: "true", False: ""})
    summary = _summary(year, keyed, public_keys, top_n)
    return CouncilResolution(summary, sheet.reset_index(drop=True), keys, review, seconds)


def _year_lines(year: int, spending: pd.DataFrame | None, data_dir: Any) -> pd.DataFrame:
    """The year's lines: ``supplier_name, company_number, amount`` (names as text, blanks as "")."""
    if spending is None:
        from anchor_analysis.public import load_spending

        spending = load_spending("basic", ["payment_date", "amount_gbp", "supplier_name", "company_number"],
                                 data_dir=data_dir)
    dates = pd.to_datetime(spending["payment_date"])
    start = pd.Timestamp(f"{year}-04-01")
    frame = spending[(dates >= start) & (dates < start + pd.DateOffset(years=1))]
    number = frame["company_number"] if "company_number" in frame else pd.Series("", index=frame.index)
    return pd.DataFrame({"supplier_name": frame["supplier_name"].astype("str").fillna("").to_numpy(),
                         "company_number": number.astype("str").fillna("").str.strip().to_numpy(),
                         "amount": frame["amount_gbp"].astype("float64").to_numpy()})


def _top_share(keyed: pd.DataFrame, column: str, top_n: int) -> float:
    """The top ``top_n`` (by net spend per ``column``) suppliers' share of the net positive spend."""
    net = keyed.groupby(column)["amount"].sum()
    net = net[net > 0].sort_values(ascending=False, kind="stable")
    return float(net.head(top_n).sum() / net.sum()) if len(net) else float("nan")


def _summary(year: int, keyed: pd.DataFrame, public_keys: set, top_n: int) -> pd.DataFrame:
    """The worked example's figures, one per row."""
    redacted = keyed["supplier_key"] == REDACTED_KEY
    public = keyed["supplier_key"].isin(public_keys)
    total = keyed["amount"].sum()
    values = [
        ("financial year", fy_label(year)), ("lines", len(keyed)), ("spend (GBP)", round(total, 2)),
        ("distinct names", keyed["supplier_name"].nunique()),
        ("resolved suppliers", keyed.loc[~redacted, "supplier_key"].nunique() + int(redacted.any())),
        (f"top {top_n} share on names", _top_share(keyed, "supplier_name", top_n)),
        (f"top {top_n} share on resolved suppliers", _top_share(keyed[~redacted], "supplier_key", top_n)),
        ("redacted share of spend", keyed.loc[redacted, "amount"].sum() / total),
        ("redacted share of lines", redacted.mean()),
        ("public bodies recognised by name", len(public_keys)),
        ("public bodies' share of spend", keyed.loc[public, "amount"].sum() / total),
    ]
    return pd.DataFrame({"measure": [m for m, _ in values],
                         "value": [v if isinstance(v, str) else float(v) for _, v in values]})
