"""The network's spend on resolved suppliers: shared top suppliers, size bands, VCSE, sectors and leakage,
redacted payees and concentration.

Every function reads the keyed, located supplier-level table of a build
(:func:`~anchor_analysis.analysis.spend.register.resolve_ledger`) and the register with the kit's additions
(:func:`~anchor_analysis.analysis.spend.register.register_with_additions`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from anchor_analysis.analysis.spend.resolution import NO_SUPPLIER_KEY, REDACTED_KEY, matching_name
from anchor_analysis.analysis.spend.suppliers import spend_concentration
from anchor_analysis.contracts.fields import SIZE_BANDS

SME_BANDS = ("micro", "small", "medium")
"""The size bands of SMEs (PPN 001: fewer than 250 staff and turnover up to £44m or balance sheet up to £38m)."""
PERSON_NAME = r"^[A-Z][a-z]+ [A-Z][a-z]+$"
"""A supplier name that looks like a person's ("Anne Hall": two capitalised words, no legal form, no trade word): a
sole trader, never singled out by name."""
_TRADE_WORDS = ("Services", "Care", "Group", "Trust", "Council", "School", "Church", "Centre", "Centres",
                "Cafe", "Shop", "Stores", "Store", "Homes", "Hire", "Motors", "Solutions", "Supplies", "Systems",
                "Foods", "Print", "Press", "Media", "Design", "Energy", "Water", "Club", "Society", "Association")
WITHHELD_NAME = "an individual or sole trader (name withheld)"
SIC_SECTION_NAMES = {
    "A": "Agriculture, forestry and fishing", "B": "Mining and quarrying", "C": "Manufacturing",
    "D": "Electricity and gas", "E": "Water and waste", "F": "Construction", "G": "Wholesale and retail",
    "H": "Transport and storage", "I": "Accommodation and food", "J": "Information and communication",
    "K": "Finance and insurance", "L": "Real estate", "M": "Professional and scientific",
    "N": "Administrative and support", "O": "Public administration", "P": "Education",
    "Q": "Health and social work", "R": "Arts and recreation", "S": "Other services", "T": "Households",
    "U": "Extraterritorial bodies",
}
"""SIC 2007 sections by letter (short labels)."""


def _influenceable(ledger: pd.DataFrame) -> pd.DataFrame:
    """The influenceable rows of real suppliers (redacted payees and nameless lines aside)."""
    rows = ledger[~ledger["supplier_key"].isin([REDACTED_KEY, NO_SUPPLIER_KEY])]
    return rows[rows["influenceable"].astype(bool)] if "influenceable" in rows else rows


def _attribute(ledger: pd.DataFrame, register: pd.DataFrame | None, column: str) -> pd.Series:
    """The register's ``column`` for each row's supplier (missing when the register does not say)."""
    if register is None or column not in register:
        return pd.Series(pd.NA, index=ledger.index, dtype="str")
    known = register.dropna(subset=[column]).drop_duplicates("supplier_key").set_index("supplier_key")[column]
    return ledger["supplier_key"].map(known.astype("str").str.strip().str.lower()).astype("str")


def shared_top_suppliers(ledger: pd.DataFrame, register: pd.DataFrame | None, year: int, top: int = 20,
                         min_anchors: int = 2) -> pd.DataFrame:
    """The network's top suppliers used by ``min_anchors`` or more anchors in ``year``, with each anchor's spend.

    Suppliers whose name looks like a person's (:data:`PERSON_NAME`) and that have no company or charity number
    are shown as :data:`WITHHELD_NAME`: sole traders are not singled out by name.

    Parameters
    ----------
    ledger : DataFrame
        The keyed supplier-level table (``year, anchor_id, supplier_key, supplier_name, amount``).
    register : DataFrame or None
        The register with the kit's additions (``canonical_name``).
    year : int
        The financial year.
    top : int, default 20
        How many suppliers.
    min_anchors : int, default 2
        The fewest anchors a supplier must be used by.

    Returns
    -------
    DataFrame
        ``supplier, anchors, spend, <one column per anchor>``, largest spend first.

    Examples
    --------
    >>> rows = pd.DataFrame({"year": 2023, "anchor_id": ["a", "b", "a", "b"],
    ...                      "supplier_key": ["S1", "S1", "S2", "S3"],
    ...                      "supplier_name": ["ACME LTD", "Acme Limited", "Anne Hall", "Zed"],
    ...                      "amount": [10.0, 5.0, 7.0, 1.0]})
    >>> shared_top_suppliers(rows, None, 2023).values.tolist()
    [['ACME LTD', 2, 15.0, 10.0, 5.0]]
    """
    rows = _influenceable(ledger[ledger["year"] == year])
    wide = rows.pivot_table(index="supplier_key", columns="anchor_id", values="amount", aggfunc="sum", fill_value=0.0)
    anchors = (wide > 0).sum(axis=1)
    wide = wide[anchors >= min_anchors]
    out = wide.assign(anchors=anchors.reindex(wide.index), spend=wide.sum(axis=1))
    out = out.sort_values(["spend"], ascending=False, kind="stable").head(top)
    out.insert(0, "supplier", _display_names(out.index, rows, register))
    columns = ["supplier", "anchors", "spend", *wide.columns]
    return out.reset_index(drop=True)[columns].rename_axis(columns=None)


def _display_names(keys: pd.Index, rows: pd.DataFrame, register: pd.DataFrame | None) -> list[str]:
    """Each key's canonical name (the register's, else its highest-spend name), persons' names withheld."""
    best = (rows.groupby(["supplier_key", "supplier_name"])["amount"].sum().reset_index()
            .sort_values(["supplier_key", "amount", "supplier_name"], ascending=[True, False, True])
            .drop_duplicates("supplier_key").set_index("supplier_key")["supplier_name"])
    names = pd.Series(keys, index=keys).map(best)
    numbered = pd.Series(False, index=keys)
    if register is not None:
        known = register.drop_duplicates("supplier_key").set_index("supplier_key")
        names = pd.Series(keys, index=keys).map(known["canonical_name"]).fillna(names)
        for column in ("company_number", "charity_number"):
            if column in known:
                numbered |= pd.Series(keys, index=keys).map(known[column]).fillna("").astype("str").str.strip() != ""
    text = names.astype("str")
    legal_form = matching_name(text).fillna("") != text.str.upper()
    trade = text.str.split().map(lambda words: any(w in _TRADE_WORDS for w in words))
    person = text.str.match(PERSON_NAME) & ~legal_form & ~trade.astype(bool) & ~numbered
    return names.where(~person, WITHHELD_NAME).astype("str").tolist()


def spend_by_attribute(ledger: pd.DataFrame, register: pd.DataFrame | None, column: str,
                       by: Sequence[str] = ("year",), order: Sequence[str] | None = None) -> pd.DataFrame:
    """Influenceable spend by a register attribute of the suppliers (size band, VCSE flag, SIC section).

    Parameters
    ----------
    ledger : DataFrame
        The keyed supplier-level table.
    register : DataFrame or None
        The register with the kit's additions.
    column : str
        The attribute: ``size_band``, ``vcse``, ``sic_section`` or ``public_body``.
    by : sequence of str, default ``("year",)``
        The groups.
    order : sequence of str, optional
        The attribute's values in order (``unknown`` last always).

    Returns
    -------
    DataFrame
        ``*by, <column>, suppliers, spend, share`` (of the group's influenceable spend, unknown included).

    Examples
    --------
    >>> rows = pd.DataFrame({"year": 2023, "supplier_key": ["S1", "S2", "S3"], "supplier_name": "x",
    ...                      "amount": [60.0, 30.0, 10.0]})
    >>> register = pd.DataFrame({"supplier_key": ["S1", "S2"], "size_band": ["Small", "large"]})
    >>> spend_by_attribute(rows, register, "size_band", order=SIZE_BANDS)[["size_band", "spend", "share"]].values
    array([['small', 60.0, 0.6],
           ['large', 30.0, 0.3],
           ['unknown', 10.0, 0.1]], dtype=object)
    """
    by = list(by)
    rows = _influenceable(ledger)
    rows = rows.assign(**{column: _attribute(rows, register, column).fillna("unknown")})
    out = rows.groupby([*by, column]).agg(suppliers=("supplier_key", "nunique"), spend=("amount", "sum"))
    out = out.reset_index()
    out["share"] = out["spend"] / out.groupby(by)["spend"].transform("sum")
    values = [*(order or sorted(set(out[column]) - {"unknown"})), "unknown"]
    out[column] = pd.Categorical(out[column], categories=list(dict.fromkeys(values)), ordered=True)
    out = out.sort_values([*by, column], kind="stable", ignore_index=True)
    out[column] = out[column].astype("str")
    return out


def sme_share(ledger: pd.DataFrame, register: pd.DataFrame | None, metrics: pd.DataFrame | None = None
              ) -> pd.DataFrame:
    """The SME share of influenceable spend on resolved suppliers, per year, beside the anchors' returned share.

    Parameters
    ----------
    ledger : DataFrame
        The keyed supplier-level table.
    register : DataFrame or None
        The register with the kit's additions (``size_band``).
    metrics : DataFrame, optional
        The metrics returns (``spend_sme`` and ``influenceable_spend`` of the anchors with ledgers that year).

    Returns
    -------
    DataFrame
        ``year, spend, spend_sme, spend_size_known, sme_share`` (of spend with a known size band),
        ``share_size_known`` and, with ``metrics``, ``returned_sme_share`` (their returned spend_sme over their
        influenceable spend).

    Examples
    --------
    >>> rows = pd.DataFrame({"year": 2023, "anchor_id": "a", "supplier_key": ["S1", "S2", "S3"],
    ...                      "supplier_name": "x", "amount": [60.0, 30.0, 10.0]})
    >>> register = pd.DataFrame({"supplier_key": ["S1", "S2"], "size_band": ["small", "large"]})
    >>> sme_share(rows, register)[["sme_share", "share_size_known"]].round(4).values.tolist()
    [[0.6667, 0.9]]
    """
    bands = spend_by_attribute(ledger, register, "size_band", order=SIZE_BANDS)
    pivot = bands.pivot_table(index="year", columns="size_band", values="spend", aggfunc="sum", fill_value=0.0)
    out = pd.DataFrame({"spend": pivot.sum(axis=1)})
    out["spend_sme"] = pivot[[b for b in SME_BANDS if b in pivot]].sum(axis=1)
    out["spend_size_known"] = pivot[[b for b in SIZE_BANDS if b in pivot]].sum(axis=1)
    out["sme_share"] = out["spend_sme"] / out["spend_size_known"].where(out["spend_size_known"] != 0)
    out["share_size_known"] = out["spend_size_known"] / out["spend"]
    if metrics is not None:
        out["returned_sme_share"] = _returned_sme_share(metrics, ledger).reindex(out.index)
    return out.reset_index()


def _returned_sme_share(metrics: pd.DataFrame, ledger: pd.DataFrame) -> pd.Series:
    """Per year, the anchors' returned spend_sme over their influenceable spend (those with ledgers only)."""
    with_ledgers = ledger[["year", "anchor_id"]].drop_duplicates()
    returned = metrics[metrics["metric"].isin(["spend_sme", "influenceable_spend"])]
    returned = returned.merge(with_ledgers, on=["year", "anchor_id"])
    wide = returned.pivot_table(index=["year", "anchor_id"], columns="metric", values="value", aggfunc="sum")
    wide = wide.dropna(subset=[c for c in ("spend_sme", "influenceable_spend") if c in wide])
    if "spend_sme" not in wide:
        return pd.Series(dtype="float64")
    sums = wide.groupby(level="year")[["spend_sme", "influenceable_spend"]].sum()
    return sums["spend_sme"] / sums["influenceable_spend"]


def sector_leakage(ledger: pd.DataFrame, register: pd.DataFrame | None, place_ring: str,
                   by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Influenceable spend by SIC section and where it goes: kept in the place, or leaving it.

    Parameters
    ----------
    ledger : DataFrame
        The keyed, located supplier-level table (``ring``).
    register : DataFrame or None
        The register with the kit's additions (``sic_section``).
    place_ring : str
        The place's innermost ring (e.g. ``leeds``).
    by : sequence of str, default ``("year",)``
        The groups.

    Returns
    -------
    DataFrame
        ``*by, sic_section, sector, spend, spend_in_place, spend_leaving, spend_unlocated, leakage_share``
        (leaving / located), largest leaving spend first.

    Examples
    --------
    >>> rows = pd.DataFrame({"year": 2023, "supplier_key": ["S1", "S2", "S3"], "supplier_name": "x",
    ...                      "amount": [60.0, 30.0, 10.0], "ring": ["leeds", "elsewhere", "unknown"]})
    >>> register = pd.DataFrame({"supplier_key": ["S1", "S2", "S3"], "sic_section": ["F", "F", "Q"]})
    >>> sector_leakage(rows, register, "leeds")[["sic_section", "spend_leaving", "leakage_share"]].values.tolist()
    [['F', 30.0, 0.3333333333333333], ['Q', 0.0, nan]]
    """
    by = list(by)
    rows = _influenceable(ledger)
    ring = rows["ring"].astype("str")
    rows = rows.assign(sic_section=_attribute(rows, register, "sic_section").str.upper().fillna("UNKNOWN"),
                       spend_in_place=rows["amount"].where(ring == place_ring, 0.0),
                       spend_leaving=rows["amount"].where((ring != place_ring) & (ring != "unknown"), 0.0),
                       spend_unlocated=rows["amount"].where(ring == "unknown", 0.0))
    out = rows.groupby([*by, "sic_section"])[["amount", "spend_in_place", "spend_leaving", "spend_unlocated"]].sum()
    out = out.rename(columns={"amount": "spend"}).reset_index()
    out["sic_section"] = out["sic_section"].replace("UNKNOWN", "unknown")
    out.insert(len(by) + 1, "sector", out["sic_section"].map(SIC_SECTION_NAMES).fillna("not known"))
    located = out["spend_in_place"] + out["spend_leaving"]
    out["leakage_share"] = out["spend_leaving"] / located.where(located != 0)
    return out.sort_values([*by, "spend_leaving", "sic_section"], ascending=[True] * len(by) + [False, True],
                           kind="stable", ignore_index=True)


def redacted_payees(ledger: pd.DataFrame, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Redacted or withheld payees as a line of their own: their share of all spend and lines (never dropped).

    Examples
    --------
    >>> rows = pd.DataFrame({"year": 2023, "supplier_key": ["(redacted)", "S1"], "amount": [25.0, 75.0],
    ...                      "lines": [3, 1]})
    >>> redacted_payees(rows).to_dict("records")
    [{'year': 2023, 'redacted_spend': 25.0, 'redacted_lines': 3, 'share_spend': 0.25, 'share_lines': 0.75}]
    """
    by = list(by)
    frame = ledger.assign(_r=ledger["supplier_key"] == REDACTED_KEY)
    frame = frame.assign(_spend=frame["amount"].where(frame["_r"], 0.0), _lines=frame["lines"].where(frame["_r"], 0))
    out = frame.groupby(by).agg(redacted_spend=("_spend", "sum"), redacted_lines=("_lines", "sum"),
                                spend=("amount", "sum"), lines=("lines", "sum"))
    out["share_spend"] = out["redacted_spend"] / out["spend"]
    out["share_lines"] = out["redacted_lines"] / out["lines"]
    return out.drop(columns=["spend", "lines"]).reset_index()


def resolved_concentration(ledger: pd.DataFrame, top_n: Sequence[int] = (10, 50, 300),
                           by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """The top-N resolved suppliers' share of the network's influenceable spend (suppliers matched across anchors).

    Examples
    --------
    >>> rows = pd.DataFrame({"year": 2023, "anchor_id": ["a", "b", "a"], "supplier_key": ["S1", "S1", "S2"],
    ...                      "amount": [50.0, 30.0, 20.0], "influenceable": True})
    >>> resolved_concentration(rows, top_n=(1,))[["top_n", "suppliers", "share"]].to_dict("records")
    [{'top_n': 1, 'suppliers': 2, 'share': 0.8}]
    """
    return spend_concentration(ledger, top_n=top_n, by=by, supplier_key="supplier_key")


def supplier_tables(ledger: pd.DataFrame, register: pd.DataFrame | None, metrics: pd.DataFrame | None, year: int,
                    place_ring: str, top: int = 20) -> dict[str, pd.DataFrame]:
    """Every table of the resolved-supplier analysis of one year, by name (section 1 writes and shows them).

    Parameters
    ----------
    ledger : DataFrame
        The build's keyed, located supplier-level table (all years; ``year`` is selected).
    register : DataFrame or None
        The register with the kit's additions.
    metrics : DataFrame or None
        The metrics returns (for the returned SME share beside the resolved one).
    year : int
        The financial year.
    place_ring : str
        The place's innermost ring.
    top : int, default 20
        Rows of the shared top suppliers.

    Returns
    -------
    dict of str to DataFrame
        ``located`` (per anchor), ``located_network``, ``shared_top`` (one spend column per anchor id),
        ``size_bands``, ``sme``, ``vcse``, ``sectors``, ``redacted``, ``concentration``.

    Examples
    --------
    >>> rows = pd.DataFrame({"year": 2023, "anchor_id": ["a", "b"], "supplier_key": ["S1", "S1"],
    ...                      "supplier_name": ["ACME LTD", "Acme Limited"], "amount": [10.0, 5.0], "lines": 1,
    ...                      "influenceable": True, "ring": ["leeds", "unknown"],
    ...                      "located_by": ["ledger", "unlocated"]})
    >>> sorted(supplier_tables(rows, None, None, 2023, "leeds"))
    ['concentration', 'located', 'located_network', 'redacted', 'sectors', 'shared_top', 'size_bands', 'sme', 'vcse']
    """
    from anchor_analysis.analysis.spend.register import located_shares

    rows = ledger[ledger["year"] == year]
    return {
        "located": located_shares(rows), "located_network": located_shares(rows, by=("year",)),
        "shared_top": shared_top_suppliers(rows, register, year, top=top),
        "size_bands": spend_by_attribute(rows, register, "size_band", order=SIZE_BANDS),
        "sme": sme_share(rows, register, metrics), "vcse": spend_by_attribute(rows, register, "vcse",
                                                                              order=("true", "false")),
        "sectors": sector_leakage(rows, register, place_ring), "redacted": redacted_payees(rows),
        "concentration": resolved_concentration(rows),
    }
