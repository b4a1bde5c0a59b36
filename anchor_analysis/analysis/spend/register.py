"""The supplier register at work: ledger lines keyed to resolved suppliers, located through the register, the
worksheet of unlocated suppliers an analyst fills in, and the located shares the report states.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.analysis.spend.locate import classify_supplier_postcodes
from anchor_analysis.analysis.spend.resolution import (
    NO_SUPPLIER_KEY,
    REDACTED_KEY,
    MatchSettings,
    name_variants,
    resolve_suppliers,
)
from anchor_analysis.core.places import UNKNOWN, Place

WORKSHEET_COLUMNS = ("supplier_key", "canonical_name", "spend", "lines", "anchors", "cumulative_share",
                     "company_number", "postcode", "size_band", "vcse", "sic_section", "public_body")
"""The columns of the worksheet of unlocated suppliers: who they are, how much they hold, and blanks to fill in."""

_CLASSIFIED = ("postcode_normalised", "postcode_area", "match_status", "lad_code", "ring", "lsoa21_code",
               "imd_decile", "imd2019_decile", "imd2025_decile")


def key_ledger(ledger: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """The supplier-level table with each row's resolved ``supplier_key`` and ``match_score``.

    Parameters
    ----------
    ledger : DataFrame
        The classified supplier-level table (``anchor_id, supplier_name``, optionally ``company_number``).
    keys : DataFrame
        :func:`~anchor_analysis.analysis.spend.resolution.resolve_suppliers`' keys of the ledger's
        :func:`~anchor_analysis.analysis.spend.resolution.name_variants`.

    Returns
    -------
    DataFrame
        ``ledger`` (same rows, same order) with ``supplier_key`` and ``match_score``.

    Examples
    --------
    >>> ledger = pd.DataFrame({"anchor_id": "a", "supplier_name": ["Acme Ltd", "ACME LIMITED", None]})
    >>> keys = pd.DataFrame({"anchor_id": "a", "supplier_name": ["Acme Ltd", "ACME LIMITED", ""],
    ...                      "company_number": "", "supplier_key": ["N-1", "N-1", "(no supplier)"],
    ...                      "match_score": 100.0})
    >>> key_ledger(ledger, keys)["supplier_key"].tolist()
    ['N-1', 'N-1', '(no supplier)']
    """
    on = ["anchor_id", "supplier_name", "company_number"]
    left = pd.DataFrame({column: (ledger[column].astype("str").str.strip().fillna("") if column in ledger else "")
                         for column in on}, index=ledger.index)
    right = keys[[*on, "supplier_key", "match_score"]].drop_duplicates(on)
    merged = left.merge(right, on=on, how="left", validate="m:1")
    out = ledger.copy()
    out["supplier_key"] = merged["supplier_key"].fillna(NO_SUPPLIER_KEY).astype("str").to_numpy()
    out["match_score"] = merged["match_score"].astype("float64").to_numpy()
    return out


def locate_through_register(ledger: pd.DataFrame, register: pd.DataFrame | None, place: Place,
                            imd_edition: int, lookup: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows without a usable postcode take their supplier's postcode from the register.

    Parameters
    ----------
    ledger : DataFrame
        The classified, keyed supplier-level table (:func:`key_ledger`).
    register : DataFrame or None
        The supplier register (contract ``suppliers``); None: nothing is located.
    place : Place
        The place whose rings classify the postcodes.
    imd_edition : int
        The IMD edition of ``imd_decile``.
    lookup : DataFrame, optional
        The postcode lookup; default the place's public regional lookup.

    Returns
    -------
    DataFrame
        ``ledger`` with ``located_by``: ``ledger`` (its own postcode), ``register`` (the register's postcode, the
        classification columns replaced) or ``unlocated``.

    Examples
    --------
    >>> lookup = pd.DataFrame({"postcode": ["LS1 1UR"], "lad24_code": ["E08000035"], "lsoa21_code": ["E01033010"],
    ...                        "imd2019_decile": [3]})
    >>> from anchor_analysis.core.places import load_place
    >>> lines = classify_supplier_postcodes(pd.DataFrame({"supplier_postcode": ["", "LS1 1UR"],
    ...                                                   "supplier_key": ["S1", "S2"]}), lookup)
    >>> register = pd.DataFrame({"supplier_key": ["S1"], "postcode": ["LS1 1UR"]})
    >>> out = locate_through_register(lines, register, load_place("leeds"), 2019, lookup)
    >>> out[["ring", "located_by"]].astype(str).values.tolist()
    [['leeds', 'register'], ['leeds', 'ledger']]
    """
    out = ledger.copy()
    own = (out["ring"].astype("str") != UNKNOWN).to_numpy()
    out["located_by"] = np.where(own, "ledger", "unlocated")
    if register is None or "postcode" not in register or out.empty:
        return out
    postcodes = register.dropna(subset=["postcode"]).drop_duplicates("supplier_key").set_index("supplier_key")
    found = out["supplier_key"].map(postcodes["postcode"])
    take = ~own & found.notna().to_numpy()
    if not take.any():
        return out
    relocated = classify_supplier_postcodes(pd.DataFrame({"supplier_postcode": found[take].astype("str")}),
                                            lookup, place, imd_edition)
    usable = (relocated["ring"].astype("str") != UNKNOWN).to_numpy()
    rows = out.index[take][usable]
    for column in _CLASSIFIED:
        if column in out and column in relocated:
            out.loc[rows, column] = relocated.loc[usable, column].to_numpy()
    out.loc[rows, "located_by"] = "register"
    return out


def located_shares(ledger: pd.DataFrame, by: tuple[str, ...] = ("year", "anchor_id")) -> pd.DataFrame:
    """The located share of influenceable spend, lines and suppliers, per group, by how they were located.

    Only influenceable rows count when the table says which they are (payments to other public bodies, tax and
    pensions are not placed).

    Parameters
    ----------
    ledger : DataFrame
        :func:`locate_through_register`'s table (``amount, lines, supplier_key, located_by``).
    by : tuple of str, default ``("year", "anchor_id")``
        The groups; ``("year",)`` for the network.

    Returns
    -------
    DataFrame
        ``*by, spend, lines, suppliers, spend_located, lines_located, suppliers_located, share_spend_located,
        share_lines_located, share_suppliers_located, share_spend_by_register`` (a supplier counts as located when
        any of its spend is).

    Examples
    --------
    >>> rows = pd.DataFrame({"year": 2023, "anchor_id": "a", "supplier_key": ["S1", "S2", "S3"],
    ...                      "amount": [60.0, 30.0, 10.0], "lines": [3, 2, 1],
    ...                      "located_by": ["ledger", "register", "unlocated"]})
    >>> located_shares(rows)[["share_spend_located", "share_lines_located", "share_spend_by_register"]].values
    array([[0.9       , 0.83333333, 0.3       ]])
    """
    by = list(by)
    if "influenceable" in ledger:
        ledger = ledger[ledger["influenceable"].astype(bool)]
    frame = ledger.assign(_located=ledger["located_by"] != "unlocated",
                          _register=ledger["located_by"] == "register")
    frame = frame.assign(_spend_located=frame["amount"].where(frame["_located"], 0.0),
                         _lines_located=frame["lines"].where(frame["_located"], 0),
                         _spend_register=frame["amount"].where(frame["_register"], 0.0))
    out = frame.groupby(by, sort=True).agg(
        spend=("amount", "sum"), lines=("lines", "sum"), suppliers=("supplier_key", "nunique"),
        spend_located=("_spend_located", "sum"), lines_located=("_lines_located", "sum"),
        spend_by_register=("_spend_register", "sum"))
    located = frame[frame["_located"]].groupby(by)["supplier_key"].nunique()
    out["suppliers_located"] = located.reindex(out.index).fillna(0).astype("int64")
    for part in ("spend", "lines", "suppliers"):
        out[f"share_{part}_located"] = out[f"{part}_located"] / out[part].where(out[part] != 0)
    out["share_spend_by_register"] = out.pop("spend_by_register") / out["spend"].where(out["spend"] != 0)
    return out.reset_index()


def unlocated_worksheet(ledger: pd.DataFrame, register: pd.DataFrame | None = None,
                        names: pd.DataFrame | None = None) -> pd.DataFrame:
    """The unlocated suppliers by spend, with the cumulative share of unlocated spend they cover, blanks to fill.

    Locate the few at the top: they hold most of the money. Redacted payees and lines without a name are left out
    (they cannot be located); so are suppliers the register already locates.

    Parameters
    ----------
    ledger : DataFrame
        :func:`locate_through_register`'s table (``supplier_key, supplier_name, anchor_id, amount, lines,
        located_by``; ``influenceable`` when present: only influenceable spend counts).
    register : DataFrame, optional
        The register: its canonical names are used, and its entries' other attributes prefilled.
    names : DataFrame, optional
        ``supplier_key, canonical_name`` proposed for suppliers the register lacks; default each key's
        highest-spend name.

    Returns
    -------
    DataFrame
        :data:`WORKSHEET_COLUMNS`, largest spend first.

    Examples
    --------
    >>> rows = pd.DataFrame({"supplier_key": ["S1", "S2", "S2", "S3"], "supplier_name": ["A", "B", "b", "C"],
    ...                      "anchor_id": ["x", "x", "y", "x"], "amount": [10.0, 60.0, 20.0, 99.0],
    ...                      "lines": 1, "located_by": ["unlocated", "unlocated", "unlocated", "ledger"]})
    >>> sheet = unlocated_worksheet(rows)
    >>> sheet[["supplier_key", "canonical_name", "spend", "anchors", "cumulative_share"]].values.tolist()
    [['S2', 'B', 80.0, 2, 0.8889], ['S1', 'A', 10.0, 1, 1.0]]
    """
    frame = ledger[~ledger["supplier_key"].isin([REDACTED_KEY, NO_SUPPLIER_KEY])]
    if "influenceable" in frame:
        frame = frame[frame["influenceable"].astype(bool)]
    located = set(frame.loc[frame["located_by"] != "unlocated", "supplier_key"])
    frame = frame[~frame["supplier_key"].isin(located)]
    sheet = frame.groupby("supplier_key").agg(spend=("amount", "sum"), lines=("lines", "sum"),
                                              anchors=("anchor_id", "nunique")).reset_index()
    sheet = sheet.sort_values(["spend", "supplier_key"], ascending=[False, True], kind="stable", ignore_index=True)
    total = sheet["spend"].clip(lower=0).sum()
    sheet["cumulative_share"] = (sheet["spend"].clip(lower=0).cumsum() / total).round(4) if total else 0.0
    best = (frame.groupby(["supplier_key", "supplier_name"])["amount"].sum().reset_index()
            .sort_values(["supplier_key", "amount", "supplier_name"], ascending=[True, False, True])
            .drop_duplicates("supplier_key").set_index("supplier_key")["supplier_name"])
    proposed = names.set_index("supplier_key")["canonical_name"] if names is not None else best
    sheet["canonical_name"] = sheet["supplier_key"].map(proposed).fillna(sheet["supplier_key"].map(best))
    known = register.set_index("supplier_key") if register is not None and len(register) else None
    for column in WORKSHEET_COLUMNS[6:]:
        sheet[column] = ""
        if known is not None and column in known:
            sheet[column] = sheet["supplier_key"].map(known[column].astype("str")).fillna("")
    if known is not None:
        sheet["canonical_name"] = sheet["supplier_key"].map(known["canonical_name"]).fillna(sheet["canonical_name"])
    sheet["spend"] = sheet["spend"].round(2)
    return sheet[list(WORKSHEET_COLUMNS)]


def resolve_ledger(ledger: pd.DataFrame, place: Place, imd_edition: int, register: pd.DataFrame | None = None,
                   settings: MatchSettings | None = None, decisions: pd.DataFrame | None = None,
                   lookup: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Resolve the suppliers of a classified supplier-level table and locate its rows through the register.

    The one resolution of a build (:mod:`anchor_analysis.derived.build`): every anchor's name variants linked
    together (:func:`~anchor_analysis.analysis.spend.resolution.resolve_suppliers`), each row keyed
    (:func:`key_ledger`), and rows without a usable postcode given their supplier's register postcode, else the
    postcode the other rows of the same supplier carry when they all agree (:func:`locate_through_register`).

    Parameters
    ----------
    ledger : DataFrame
        The classified supplier-level table.
    place : Place
        The place.
    imd_edition : int
        The IMD edition of the table's ``imd_decile``.
    register : DataFrame, optional
        The supplier register.
    settings : MatchSettings, optional
        The thresholds (``network.toml``'s ``[suppliers]``).
    decisions : DataFrame, optional
        The analyst's decisions on borderline pairs (``supplier_review.csv``).
    lookup : DataFrame, optional
        The postcode lookup; default the place's public regional lookup.

    Returns
    -------
    ledger : DataFrame
        Keyed and located: ``supplier_key, match_score, located_by`` added.
    keys : DataFrame
        One row per name variant: ``anchor_id, supplier_name, company_number, supplier_postcode, matching_name,
        supplier_key, match_score``.
    review : DataFrame
        The borderline pairs, with the decisions kept.

    Examples
    --------
    >>> from anchor_analysis.core.places import load_place
    >>> lookup = pd.DataFrame({"postcode": ["LS1 1UR"], "lad24_code": ["E08000035"], "lsoa21_code": ["E01033010"],
    ...                        "imd2019_decile": [3]})
    >>> lines = classify_supplier_postcodes(pd.DataFrame({
    ...     "anchor_id": ["a", "b"], "supplier_name": ["ACME LTD", "Acme Limited"],
    ...     "supplier_postcode": ["LS1 1UR", ""], "amount": [10.0, 5.0], "lines": 1}), lookup)
    >>> keyed, keys, review = resolve_ledger(lines, load_place("leeds"), 2019, lookup=lookup)
    >>> keyed["supplier_key"].nunique(), keyed["located_by"].tolist()  # b's line takes a's postcode for ACME
    (1, ['ledger', 'register'])
    """
    # only postcodes the lookup placed tell two suppliers apart: a junk one ("LS99 9ZZ") must not
    usable = ledger["ring"].astype("str") != UNKNOWN
    placed = ledger.assign(supplier_postcode=ledger["postcode_normalised"].where(usable, "")) \
        if "postcode_normalised" in ledger else ledger
    variants = name_variants(placed)
    keys, review = resolve_suppliers(variants, settings, register, decisions)
    keyed = key_ledger(ledger, keys)
    # the register's postcodes, else the one the other anchors' ledgers give the same supplier
    known = register_with_additions(register, keyed)
    return locate_through_register(keyed, known, place, imd_edition, lookup), keys, review


def register_with_additions(register: pd.DataFrame | None, ledger: pd.DataFrame) -> pd.DataFrame:
    """The register as the analyst keeps it, followed by the suppliers the kit resolved that it does not hold.

    The analyst's rows come first and unchanged (the kit never overwrites them); each addition has its key, the
    name with the most spend as ``canonical_name``, and ``aliases`` (its other names), its postcode when every
    row of it carries the same one, and ``kit (resolved from the ledgers)`` as source.

    Parameters
    ----------
    register : DataFrame or None
        The register.
    ledger : DataFrame
        The keyed supplier-level table (:func:`resolve_ledger`).

    Returns
    -------
    DataFrame
        The register's columns; an ``added_by_kit`` flag says which rows are additions.

    Examples
    --------
    >>> ledger = pd.DataFrame({"supplier_key": ["S1", "N-2", "N-2"], "supplier_name": ["A", "Bolt", "BOLT LTD"],
    ...                        "amount": [5.0, 9.0, 1.0], "postcode_normalised": [None, "LS1 1UR", "LS1 1UR"],
    ...                        "ring": ["unknown", "leeds", "leeds"]})
    >>> register = pd.DataFrame({"supplier_key": ["S1"], "canonical_name": ["Acme"]})
    >>> out = register_with_additions(register, ledger)
    >>> out[["supplier_key", "canonical_name", "aliases", "postcode", "added_by_kit"]].values.tolist()
    [['S1', 'Acme', nan, nan, False], ['N-2', 'Bolt', 'BOLT LTD', 'LS1 1UR', True]]
    """
    known = register.copy() if register is not None else pd.DataFrame({"supplier_key": [], "canonical_name": []})
    rows = ledger[~ledger["supplier_key"].isin([*known["supplier_key"], REDACTED_KEY, NO_SUPPLIER_KEY])]
    names = (rows.groupby(["supplier_key", "supplier_name"])["amount"].sum().reset_index()
             .sort_values(["supplier_key", "amount", "supplier_name"], ascending=[True, False, True]))
    canonical = names.drop_duplicates("supplier_key").set_index("supplier_key")["supplier_name"]
    aliases = names[names.duplicated("supplier_key", keep="first")]
    others = aliases.groupby("supplier_key")["supplier_name"].agg(lambda s: "|".join(sorted(s)))
    usable = rows["located_by"] == "ledger" if "located_by" in rows else rows["ring"].astype("str") != UNKNOWN
    own = rows[usable].groupby("supplier_key")["postcode_normalised"].agg(
        lambda s: s.iloc[0] if s.nunique() == 1 else pd.NA)
    added = pd.DataFrame({"supplier_key": canonical.index, "canonical_name": canonical.to_numpy()})
    added["aliases"] = added["supplier_key"].map(others)
    added["postcode"] = added["supplier_key"].map(own)
    added["postcode_source"] = np.where(added["postcode"].notna(), "kit (the ledgers' postcode)", None)
    added["canonical_name_source"] = "kit (resolved from the ledgers)"
    out = pd.concat([known.assign(added_by_kit=False), added.assign(added_by_kit=True)], ignore_index=True)
    return out
