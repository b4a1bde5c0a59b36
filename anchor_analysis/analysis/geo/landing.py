"""Where spend lands: ledger lines located to wards and priority neighbourhoods.
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis import public
from anchor_analysis.analysis.geo.areas import OUTSIDE_LOOKUP, UNKNOWN_AREA, PathLike, PlaceLike, _place, lsoa_wards
from anchor_analysis.analysis.geo.neighbourhoods import PriorityNeighbourhoods
from anchor_analysis.analysis.geo.residence import _membership, lsoa21_to_edition
from anchor_analysis.core.years import financial_year, fy_label

# --- spend landing ------------------------------------------------------------------------------------------


def locate_suppliers(ledger: pd.DataFrame, data_dir: PathLike | None = None,
                     place: PlaceLike = "leeds") -> pd.DataFrame:
    """Ledger lines with the supplier's LSOA 2021, ward (current code) and local authority.

    Uses ``lsoa21_code`` if the ledger already carries it (e.g. from the spend module's classification), otherwise
    joins the normalised ``supplier_postcode`` to the place's regional NSPL postcode lookup (Leeds: the LS, BD, WF,
    HX, HD, HG and YO areas). The postcode itself goes no further than this frame.

    Parameters
    ----------
    ledger : DataFrame
        Ledger lines (``payment_date``, ``supplier_postcode``) or a classified ledger (``lsoa21_code``, and
        ``match_status`` to tell postcodes outside the lookup).
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).
    place : str, Path or Place, default "leeds"
        The place whose postcode lookup locates postcodes.

    Returns
    -------
    DataFrame
        A copy of ``ledger`` with ``year`` (financial year of ``payment_date``) if absent, ``supplier_lsoa21_code``,
        ``supplier_ward_code``, ``supplier_ward_name``, ``supplier_lad_code`` (``unknown`` for a blank or malformed
        postcode; ``supplier_lad_code`` is ``outside_lookup`` for a well-formed postcode outside the lookup's areas,
        i.e. outside the place).

    Examples
    --------
    >>> ledger = pd.DataFrame({"payment_date": "2023-04-03", "supplier_postcode": ["LS2 9JT", "M1 1AE", "LS1"]})
    >>> located = locate_suppliers(ledger)  # doctest: +PUBLIC_DATA
    >>> located[["year", "supplier_ward_name", "supplier_lad_code"]].values.tolist()  # doctest: +PUBLIC_DATA
    [[2023, 'Little London & Woodhouse', 'E08000035'], [2023, 'unknown', 'outside_lookup'],
     [2023, 'unknown', 'unknown']]
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
        lookup = public.load_postcode_lookup("region", columns=["postcode", "lsoa21_code"], data_dir=data_dir,
                                             place=place)
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


def _located(ledger: pd.DataFrame, data_dir: PathLike | None, place: PlaceLike) -> pd.DataFrame:
    """Located lines with a ``_lines`` count: 1 per ledger line, or the ``lines`` of a supplier-level row."""
    out = ledger if "supplier_ward_code" in ledger.columns else locate_suppliers(ledger, data_dir, place)
    lines = out["lines"].astype("int64") if "lines" in out.columns else 1
    return out.assign(_lines=lines)


def spend_by_ward(ledger: pd.DataFrame, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> pd.DataFrame:
    """Spend with suppliers located in each ward of the place, per financial year (every ward, zeros kept).

    Filter the ledger to influenceable spend first where that applies (:func:`influenceable_lines`).

    Parameters
    ----------
    ledger : DataFrame
        Lines with ``anchor_id, payment_date, amount, supplier_id, supplier_postcode``, or the classified
        supplier-level table (whose ``lines`` are counted), located or not (:func:`locate_suppliers`).
    place : str, Path or Place, default "leeds"
        The place whose wards are listed.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``year, ward_code, ward_name, spend`` (GBP, net of credits), ``n_lines, n_suppliers, share_of_spend`` (share
        of the year's ledger spend, all locations). ``attrs["totals"]``: per year, spend in total, in the place,
        elsewhere located, and not located.

    Examples
    --------
    >>> ledger = pd.DataFrame({"anchor_id": "a", "payment_date": "2023-04-03", "amount": [100.0, 50.0, 30.0, 20.0],
    ...                        "supplier_id": ["S1", "S2", "S3", "S4"],
    ...                        "supplier_postcode": ["LS2 9JT", "BD1 1AA", "M1 1AE", "LS1"]})
    >>> wards = spend_by_ward(ledger)  # doctest: +PUBLIC_DATA
    >>> len(wards), wards.loc[wards["spend"] > 0, ["ward_name", "spend", "share_of_spend"]].values.tolist()
    ... # doctest: +PUBLIC_DATA
    (33, [['Little London & Woodhouse', 100.0, 0.5]])
    >>> wards.attrs["totals"].loc[2023].to_dict()  # doctest: +PUBLIC_DATA
    {'total': 200.0, 'in_place': 100.0, 'not_located': 20.0, 'elsewhere': 80.0}
    """
    place = _place(place)
    lines = _located(ledger, data_dir, place)
    wards = lsoa_wards(2021, place.local_authority_code, data_dir)[["ward_code", "ward_name"]].drop_duplicates()
    in_place = lines[lines["supplier_lad_code"] == place.local_authority_code]
    supplier = _supplier_key(lines)
    grouped = in_place.groupby(["year", "supplier_ward_code"], as_index=False).agg(
        spend=("amount", "sum"), n_lines=("_lines", "sum"), n_suppliers=(supplier, "nunique"))
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
                                     data_dir: PathLike | None = None, place: PlaceLike = "leeds") -> pd.DataFrame:
    """Spend with suppliers located in each priority neighbourhood, per financial year (zeros kept).

    Supplier LSOA 2021 -> the neighbourhoods' edition geography as for staff (best-fit LSOA 2011 for IMD 2019).

    Parameters
    ----------
    ledger : DataFrame
        Ledger lines or the supplier-level table, located or not (see :func:`spend_by_ward`).
    clusters : PriorityNeighbourhoods or DataFrame
        :func:`priority_neighbourhoods`, or its ``lsoas`` membership table.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).
    place : str, Path or Place, default "leeds"
        The place whose postcode lookup locates lines not located yet.

    Returns
    -------
    DataFrame
        ``year, cluster_id, name, rank, spend, n_lines, n_suppliers, share_of_spend``.

    Examples
    --------
    >>> from anchor_analysis.analysis.geo import priority_neighbourhoods
    >>> ledger = pd.DataFrame({"anchor_id": "a", "payment_date": "2023-04-03", "amount": [100.0, 40.0],
    ...                        "supplier_id": ["S1", "S2"], "supplier_postcode": ["LS9 7TF", "LS2 9JT"]})
    >>> spend = spend_in_priority_neighbourhoods(ledger, priority_neighbourhoods(2019))  # doctest: +PUBLIC_DATA
    >>> spend[["cluster_id", "spend", "n_suppliers"]].head(2).values.tolist()  # doctest: +PUBLIC_DATA
    [['PN01', 100.0, 1], ['PN02', 0.0, 0]]
    """
    lines = _located(ledger, data_dir, place)
    lsoas = _membership(clusters)
    edition = int(lsoas["edition"].iloc[0]) if len(lsoas) else 2025
    mapping = lsoa21_to_edition(edition, data_dir).set_index("lsoa21_code")["lsoa_code"]
    lines = lines.assign(cluster_id=lines["supplier_lsoa21_code"].map(mapping).map(
        lsoas.set_index("lsoa_code")["cluster_id"]))
    grouped = lines.dropna(subset=["cluster_id"]).groupby(["year", "cluster_id"], as_index=False).agg(
        spend=("amount", "sum"), n_lines=("_lines", "sum"), n_suppliers=(_supplier_key(lines), "nunique"))
    names = lsoas[["cluster_id", "name", "rank"]].drop_duplicates()
    years = pd.DataFrame({"year": sorted(lines["year"].unique())})
    out = years.merge(names, how="cross").merge(grouped, on=["year", "cluster_id"], how="left")
    out["spend"] = out["spend"].fillna(0.0)
    out[["n_lines", "n_suppliers"]] = out[["n_lines", "n_suppliers"]].fillna(0).astype("int64")
    out["share_of_spend"] = out["spend"] / out["year"].map(lines.groupby("year")["amount"].sum())
    return out.sort_values(["year", "rank"], ignore_index=True)


def influenceable_lines(classified: pd.DataFrame, data_dir: PathLike | None = None,
                        place: PlaceLike = "leeds") -> pd.DataFrame:
    """The influenceable lines of a classified ledger, located to wards (:func:`locate_suppliers`).

    Parameters
    ----------
    classified : DataFrame
        Ledger lines or the supplier-level table with ``year``, ``amount`` and ``influenceable`` (from the spend
        analysis: :attr:`anchor_analysis.derived.ProcessedNetwork.ledger` for a network).
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).
    place : str, Path or Place, default "leeds"
        The place whose postcode lookup locates lines that carry no LSOA yet.

    Returns
    -------
    DataFrame
        The influenceable rows with ``supplier_lsoa21_code, supplier_ward_code, supplier_ward_name,
        supplier_lad_code``. ``attrs["excluded"]``: the spend excluded as not influenceable, per financial year.

    Examples
    --------
    >>> from anchor_analysis.analysis.spend import apply_influenceable_rules, classify_supplier_postcodes
    >>> ledger = pd.DataFrame({"year": 2023, "amount": [100.0, 20.0], "supplier_postcode": ["LS2 9JT", "BD1 1AA"],
    ...                        "category": ["ICT", "Pensions"]})
    >>> classified = apply_influenceable_rules(classify_supplier_postcodes(ledger))  # doctest: +PUBLIC_DATA
    >>> lines = influenceable_lines(classified)  # doctest: +PUBLIC_DATA
    >>> lines["supplier_ward_name"].tolist(), lines.attrs["excluded"].to_dict()  # doctest: +PUBLIC_DATA
    (['Little London & Woodhouse'], {2023: 20.0})
    """
    keep = classified["influenceable"].astype(bool)
    excluded = classified[~keep].groupby("year")["amount"].sum()
    lines = locate_suppliers(classified[keep].reset_index(drop=True), data_dir, place)
    lines.attrs["excluded"] = excluded
    return lines


def describe_spend_landing(by_ward: pd.DataFrame, in_neighbourhoods: pd.DataFrame | None, year: int,
                           place_name: str) -> str:
    """One sentence: where the year's influenceable spend landed.

    From :func:`spend_by_ward` and :func:`spend_in_priority_neighbourhoods` of the influenceable lines.

    Parameters
    ----------
    by_ward : DataFrame
        :func:`spend_by_ward` (its ``attrs["totals"]`` is read).
    in_neighbourhoods : DataFrame or None
        :func:`spend_in_priority_neighbourhoods`; None where the place has no priority neighbourhoods (no
        boundaries to form them).
    year : int
        The financial year.
    place_name : str
        The place as named in the sentence.

    Returns
    -------
    str
        The sentence (Markdown), amounts in millions of pounds.

    Examples
    --------
    >>> by_ward = pd.DataFrame({"year": [2023]})
    >>> by_ward.attrs["totals"] = pd.DataFrame({"total": [12.4e6], "in_place": [5.3e6], "not_located": [0.2e6]},
    ...                                        index=pd.Index([2023], name="year"))
    >>> in_neighbourhoods = pd.DataFrame({"year": 2023, "cluster_id": ["PN01", "PN02"], "spend": [0.6e6, 0.3e6]})
    >>> print(describe_spend_landing(by_ward, in_neighbourhoods, 2023, "Leeds"))
    In 2023/24, **£5.3m** of £12.4m influenceable spend went to suppliers located in Leeds, £0.9m of it to suppliers
    in the priority neighbourhoods; £0.2m could not be located.
    >>> print(describe_spend_landing(by_ward, None, 2023, "Bradford"))
    In 2023/24, **£5.3m** of £12.4m influenceable spend went to suppliers located in Bradford; £0.2m could not be
    located.
    """
    totals = by_ward.attrs["totals"].loc[year] / 1e6
    landed = (f"In {fy_label(year)}, **£{totals['in_place']:,.1f}m** of £{totals['total']:,.1f}m influenceable spend "
              f"went to suppliers located in {place_name}")
    if in_neighbourhoods is not None:
        in_pn = in_neighbourhoods.loc[in_neighbourhoods["year"] == year, "spend"].sum() / 1e6
        landed += f", £{in_pn:,.1f}m of it to suppliers in the priority neighbourhoods"
    return f"{landed}; £{totals['not_located']:,.1f}m could not be located."
