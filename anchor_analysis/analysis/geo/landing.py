"""Where spend lands: ledger lines located to wards and priority neighbourhoods.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from anchor_analysis import public
from anchor_analysis.analysis.geo.areas import OUTSIDE_LOOKUP, UNKNOWN_AREA, PathLike, PlaceLike, _place, lsoa_wards
from anchor_analysis.analysis.geo.neighbourhoods import PriorityNeighbourhoods
from anchor_analysis.analysis.geo.residence import _membership, lsoa21_to_edition
from anchor_analysis.core.years import financial_year

# --- spend landing ------------------------------------------------------------------------------------------


def locate_suppliers(ledger: pd.DataFrame, data_dir: PathLike | None = None) -> pd.DataFrame:
    """Ledger lines with the supplier's LSOA 2021, ward (current code) and local authority.

    Uses ``lsoa21_code`` if the ledger already carries it (e.g. from the spend module's classification),
    otherwise joins the normalised ``supplier_postcode`` to the NSPL postcode lookup (LS, BD, WF, HX, HD, HG, YO
    areas). Adds ``year`` (financial year of ``payment_date``) if absent, ``supplier_lsoa21_code``,
    ``supplier_ward_code``, ``supplier_ward_name``, ``supplier_lad_code`` (``unknown`` for a blank or malformed
    postcode; ``supplier_lad_code`` is ``outside_lookup`` for a well-formed postcode outside the lookup's areas,
    i.e. outside the place). The postcode itself goes no further than this frame.
    """
    from anchor_analysis.core.postcodes import normalise_postcodes, valid_postcode_mask

    out = ledger.copy()
    if "year" not in out.columns:
        out["year"] = financial_year(out["payment_date"])
    if "lsoa21_code" in out.columns:  # already classified (anchor_analysis.analysis.spend.classify_supplier_postcodes)
        lsoa = out["lsoa21_code"].astype("str").where(out["lsoa21_code"].notna())
        outside = (out["match_status"].astype("str") == "outside_lookup_area" if "match_status" in out.columns
                   else pd.Series(False, index=out.index))
    else:
        lookup = public.load_postcode_lookup("region", columns=["postcode", "lsoa21_code"], data_dir=data_dir)
        to_lsoa = lookup.drop_duplicates("postcode").set_index("postcode")["lsoa21_code"].astype("str")
        lsoa = normalise_postcodes(out["supplier_postcode"]).map(to_lsoa)
        # a well-formed postcode the regional lookup does not hold lies outside the lookup's postcode areas
        outside = lsoa.isna() & valid_postcode_mask(out["supplier_postcode"])
    wards = lsoa_wards(2021, data_dir=data_dir).set_index("lsoa_code")
    out["supplier_lsoa21_code"] = lsoa.fillna(UNKNOWN_AREA).astype("str")
    for column, source in (("supplier_ward_code", "ward_code"), ("supplier_ward_name", "ward_name"),
                           ("supplier_lad_code", "lad_code")):
        out[column] = lsoa.map(wards[source]).fillna(UNKNOWN_AREA).astype("str")
    out.loc[outside.to_numpy(), "supplier_lad_code"] = OUTSIDE_LOOKUP
    return out


def _supplier_key(ledger: pd.DataFrame) -> str:
    """The column identifying suppliers: ``supplier_id`` where the ledger has one, else ``supplier_name``."""
    if "supplier_id" in ledger.columns and ledger["supplier_id"].notna().any():
        return "supplier_id"
    if "supplier_name" in ledger.columns:
        return "supplier_name"
    raise ValueError("the ledger needs a supplier_id or supplier_name column")


def _located(ledger: pd.DataFrame, data_dir: PathLike | None) -> pd.DataFrame:
    return ledger if "supplier_ward_code" in ledger.columns else locate_suppliers(ledger, data_dir)


def spend_by_ward(ledger: pd.DataFrame, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> pd.DataFrame:
    """Spend with suppliers located in each ward of the place, per financial year (every ward, zeros kept).

    ``ledger``: lines with ``anchor_id, payment_date, amount, supplier_id, supplier_postcode`` (filter it to
    influenceable spend first where that applies). Columns: ``year, ward_code, ward_name, spend`` (GBP, net of
    credits), ``n_lines, n_suppliers, share_of_spend`` (share of the year's ledger spend, all locations).
    ``attrs["totals"]``: per year, spend in the place, elsewhere located, and not located.
    """
    place = _place(place)
    lines = _located(ledger, data_dir)
    wards = lsoa_wards(2021, place.local_authority_code, data_dir)[["ward_code", "ward_name"]].drop_duplicates()
    in_place = lines[lines["supplier_lad_code"] == place.local_authority_code]
    supplier = _supplier_key(lines)
    grouped = in_place.groupby(["year", "supplier_ward_code"], as_index=False).agg(
        spend=("amount", "sum"), n_lines=("amount", "size"), n_suppliers=(supplier, "nunique"))
    grouped = grouped.rename(columns={"supplier_ward_code": "ward_code"})
    years = pd.DataFrame({"year": sorted(lines["year"].unique())})
    out = years.merge(wards, how="cross").merge(grouped, on=["year", "ward_code"], how="left")
    out[["spend"]] = out[["spend"]].fillna(0.0)
    out[["n_lines", "n_suppliers"]] = out[["n_lines", "n_suppliers"]].fillna(0).astype("int64")
    year_total = lines.groupby("year")["amount"].sum()
    out["share_of_spend"] = out["spend"] / out["year"].map(year_total)
    totals = pd.DataFrame({
        "total": year_total,
        "in_place": in_place.groupby("year")["amount"].sum(),
        "not_located": lines[lines["supplier_lad_code"] == UNKNOWN_AREA].groupby("year")["amount"].sum(),
    }).fillna(0.0)
    totals["elsewhere"] = totals["total"] - totals["in_place"] - totals["not_located"]
    out = out.sort_values(["year", "ward_name"], ignore_index=True)
    out.attrs["totals"] = totals
    return out


def spend_in_priority_neighbourhoods(ledger: pd.DataFrame, clusters: PriorityNeighbourhoods | pd.DataFrame,
                                     data_dir: PathLike | None = None) -> pd.DataFrame:
    """Spend with suppliers located in each priority neighbourhood, per financial year (zeros kept).

    Supplier LSOA 2021 -> the neighbourhoods' edition geography as for staff (best-fit LSOA 2011 for IMD 2019).
    Columns: ``year, cluster_id, name, rank, spend, n_lines, n_suppliers, share_of_spend``.
    """
    lines = _located(ledger, data_dir)
    lsoas = _membership(clusters)
    edition = int(lsoas["edition"].iloc[0]) if len(lsoas) else 2025
    mapping = lsoa21_to_edition(edition, data_dir).set_index("lsoa21_code")["lsoa_code"]
    lines = lines.assign(cluster_id=lines["supplier_lsoa21_code"].map(mapping).map(
        lsoas.set_index("lsoa_code")["cluster_id"]))
    grouped = lines.dropna(subset=["cluster_id"]).groupby(["year", "cluster_id"], as_index=False).agg(
        spend=("amount", "sum"), n_lines=("amount", "size"), n_suppliers=(_supplier_key(lines), "nunique"))
    names = lsoas[["cluster_id", "name", "rank"]].drop_duplicates()
    years = pd.DataFrame({"year": sorted(lines["year"].unique())})
    out = years.merge(names, how="cross").merge(grouped, on=["year", "cluster_id"], how="left")
    out["spend"] = out["spend"].fillna(0.0)
    out[["n_lines", "n_suppliers"]] = out[["n_lines", "n_suppliers"]].fillna(0).astype("int64")
    out["share_of_spend"] = out["spend"] / out["year"].map(lines.groupby("year")["amount"].sum())
    return out.sort_values(["year", "rank"], ignore_index=True)


def classified_ledger(ledger_files: Sequence[PathLike], place: PlaceLike = "leeds", imd_edition: int = 2019,
                      influenceable_only: bool = True, data_dir: PathLike | None = None) -> pd.DataFrame:
    """A network's ledger files read, located and (by default) filtered to influenceable spend.

    Uses :mod:`anchor_analysis.analysis.spend`: ``read_ledger``, ``classify_supplier_postcodes`` (NSPL lookup of the
    region) and ``apply_influenceable_rules`` (the shipped rules), then :func:`locate_suppliers` for wards.
    ``attrs["excluded"]``: spend excluded as not influenceable, per financial year.
    """
    from anchor_analysis.analysis import spend

    place = _place(place)
    ledger = spend.read_ledger([Path(p) for p in ledger_files])
    lookup = public.load_postcode_lookup("region", data_dir=data_dir)
    lines = spend.apply_influenceable_rules(spend.classify_supplier_postcodes(ledger, lookup, place, imd_edition))
    lines = locate_suppliers(lines, data_dir)
    excluded = lines[~lines["influenceable"].astype(bool)].groupby("year")["amount"].sum()
    if influenceable_only:
        lines = lines[lines["influenceable"].astype(bool)].reset_index(drop=True)
    lines.attrs["excluded"] = excluded
    return lines
