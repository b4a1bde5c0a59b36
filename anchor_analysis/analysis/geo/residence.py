"""Where staff live: counts by LSOA and ward, rates per 1,000 residents, the most deprived areas, and the
disclosure-controlled staff tables the report publishes.
"""

from __future__ import annotations

import functools

import pandas as pd

from anchor_analysis import public
from anchor_analysis.analysis.geo.areas import (
    EDITION_LSOA_YEAR,
    UNKNOWN_AREA,
    PathLike,
    PlaceLike,
    _check_edition,
    _check_lsoa_year,
    _place,
    edition_for_lsoa_year,
    lsoa_wards,
    place_lsoas,
)
from anchor_analysis.analysis.geo.neighbourhoods import PriorityNeighbourhoods
from anchor_analysis.core.years import fy_label
from anchor_analysis.publish.disclosure import publish_counts

# --- staff residence -----------------------------------------------------------------------------------------


def _check_residence(residence: pd.DataFrame) -> pd.DataFrame:
    """A typed copy of the residence columns (``year, anchor_id, lsoa_code, count``), counts checked whole and >= 0."""
    needed = ["year", "anchor_id", "lsoa_code", "count"]
    missing = [c for c in needed if c not in residence.columns]
    if missing:
        raise ValueError(f"staff residence needs columns {needed}; missing {missing}. Postcode-level files are "
                         "aggregated to LSOA counts when read (anchor_analysis.contracts.load_network)")
    out = residence[needed].copy()
    counts = pd.to_numeric(out["count"])
    if counts.isna().any() or (counts < 0).any() or (counts != counts.round()).any():
        raise ValueError("staff residence counts must be non-negative whole numbers")
    out["count"] = counts.astype("int64")
    out["year"] = pd.to_numeric(out["year"]).astype("int64")
    out["anchor_id"] = out["anchor_id"].astype("str")
    out["lsoa_code"] = out["lsoa_code"].astype("str").where(out["lsoa_code"].notna())
    return out


def lsoa21_to_edition(edition: int, data_dir: PathLike | None = None) -> pd.DataFrame:
    """Each English LSOA 2021 with the LSOA of ``edition``'s geography standing for it and that LSOA's IMD.

    2025: the LSOA 2021 itself. 2019: its best-fit LSOA 2011 (see :func:`anchor_analysis.public.imd_for_lsoa21`).

    Parameters
    ----------
    edition : int
        The IMD edition, 2019 or 2025.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``lsoa21_code, lsoa_code, imd_score, imd_rank, imd_decile`` (a cached table, copied).

    Examples
    --------
    >>> mapping = lsoa21_to_edition(2019).set_index("lsoa21_code")  # doctest: +PUBLIC_DATA
    >>> len(mapping), mapping.loc["E01000001", ["lsoa_code", "imd_decile"]].astype(str).tolist()
    ... # doctest: +PUBLIC_DATA
    (33755, ['E01000001', '9'])
    """
    edition = _check_edition(edition)
    return _lsoa21_to_edition(edition, None if data_dir is None else str(data_dir)).copy()


@functools.lru_cache(maxsize=4)
def _lsoa21_to_edition(edition: int, data_dir: str | None) -> pd.DataFrame:
    """The cached table of :func:`lsoa21_to_edition`."""
    imd = public.imd_for_lsoa21(edition, data_dir=data_dir)
    code = imd["source_lsoa11_code"] if edition == 2019 else imd["lsoa21_code"]
    return pd.DataFrame({"lsoa21_code": imd["lsoa21_code"], "lsoa_code": code, "imd_score": imd["imd_score"],
                         "imd_rank": imd["imd_rank"], "imd_decile": imd["imd_decile"]})


def _residence_areas(residence: pd.DataFrame, level: str, lsoa_year: int, data_dir: PathLike | None) -> pd.DataFrame:
    """Residence rows with ``area_code, area_name, lad_code`` of ``level`` (unknown where not located)."""
    if level not in ("lsoa", "ward"):
        raise ValueError(f"level must be 'lsoa' or 'ward', not {level!r}")
    _check_lsoa_year(lsoa_year)
    out = residence.copy()
    if lsoa_year == 2011:
        best_fit = lsoa21_to_edition(2019, data_dir).set_index("lsoa21_code")["lsoa_code"]
        out["lsoa_code"] = out["lsoa_code"].map(best_fit)
    lookup = lsoa_wards(lsoa_year, data_dir=data_dir)
    if level == "lsoa":
        lookup = lookup[["lsoa_code", "lsoa_name", "lad_code"]].rename(columns={"lsoa_name": "area_name"})
        lookup["area_code"] = lookup["lsoa_code"]
    else:
        lookup = lookup[["lsoa_code", "ward_code", "ward_name", "lad_code"]].rename(
            columns={"ward_code": "area_code", "ward_name": "area_name"})
    out = out.merge(lookup, on="lsoa_code", how="left")
    unknown = out["area_code"].isna()
    out.loc[unknown, "area_code"] = UNKNOWN_AREA
    out.loc[unknown, "area_name"] = "Not located (no LSOA, or outside England and Wales)"
    out.loc[unknown, "lad_code"] = UNKNOWN_AREA
    return out


def staff_by_area(residence: pd.DataFrame, level: str = "lsoa", lsoa_year: int = 2021, by_anchor: bool = False,
                  data_dir: PathLike | None = None) -> pd.DataFrame:
    """Staff counts by LSOA or ward of residence, per year for the network (or per anchor with ``by_anchor``).

    Wards come from the best-fit lookups, with current codes. Areas anywhere in England and Wales are kept
    (``lad_code`` tells which are in the place); staff not located are one ``unknown`` row. Only areas where staff
    live appear (see :func:`staff_rates` for every area).

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``.
    level : {"lsoa", "ward"}, default "lsoa"
        The areas counted.
    lsoa_year : int, default 2021
        ``2011`` re-expresses the counts on 2011 LSOAs through each LSOA 2021's best-fit LSOA 2011.
    by_anchor : bool, default False
        Count per anchor as well as per year.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``year, [anchor_id,] <level>_code, <level>_name, lad_code, count``.

    Raises
    ------
    ValueError
        If a column is missing, a count is not a non-negative whole number, or ``level`` or ``lsoa_year`` is unknown.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> wards = staff_by_area(residence[residence["year"] == 2023], "ward")  # doctest: +PUBLIC_DATA
    >>> int(wards["count"].sum()), int((wards["lad_code"] == "E08000035").sum())  # doctest: +PUBLIC_DATA
    (62300, 33)
    """
    residence = _check_residence(residence)
    rows = _residence_areas(residence, level, lsoa_year, data_dir)
    keys = ["year", "anchor_id"] if by_anchor else ["year"]
    out = rows.groupby([*keys, "area_code", "area_name", "lad_code"], as_index=False)["count"].sum()
    out = out.rename(columns={"area_code": f"{level}_code", "area_name": f"{level}_name"})
    return out.sort_values([*keys, f"{level}_code"], ignore_index=True)


def staff_rates(residence: pd.DataFrame, place: PlaceLike = "leeds", level: str = "ward", lsoa_year: int = 2021,
                by_anchor: bool = False, data_dir: PathLike | None = None) -> pd.DataFrame:
    """Staff living in each area of the place per 1,000 working-age residents, every area and year (zeros kept).

    Working-age population (18-59/64, mid-2015, from IoD2019 File 6): on 2011 LSOAs as published, on 2021 LSOAs
    apportioned (see :func:`anchor_analysis.public.load_imd`). With ``by_anchor`` each year lists the anchors with
    residence data that year.

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``.
    place : str, Path or Place, default "leeds"
        The place whose areas are listed.
    level : {"ward", "lsoa"}, default "ward"
        The areas.
    lsoa_year : int, default 2021
        The LSOA geography (2011: through the best-fit LSOA 2011).
    by_anchor : bool, default False
        One row per anchor as well.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``year, [anchor_id,] <level>_code, <level>_name, count, population_working_age, rate_per_1000``.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> rates = staff_rates(residence[residence["year"] == 2023]).set_index("ward_name")  # doctest: +PUBLIC_DATA
    >>> armley = rates.loc["Armley"]  # doctest: +PUBLIC_DATA
    >>> int(armley["count"]), int(armley["population_working_age"]), round(float(armley["rate_per_1000"]), 1)
    ... # doctest: +PUBLIC_DATA
    (1222, 13420, 91.1)
    """
    place = _place(place)
    edition = edition_for_lsoa_year(lsoa_year)
    areas = place_lsoas(edition, place, data_dir)
    code, name = f"{level}_code", f"{level}_name"
    if level == "lsoa":
        population = areas[["lsoa_code", "lsoa_name", "population_working_age"]]
    else:
        population = areas.groupby(["ward_code", "ward_name"], as_index=False)["population_working_age"].sum()
    counts = staff_by_area(residence, level, lsoa_year, by_anchor, data_dir)
    counts = counts[counts["lad_code"] == place.local_authority_code]
    keys = ["year", "anchor_id"] if by_anchor else ["year"]
    present = _check_residence(residence)[keys].drop_duplicates()
    grid = present.merge(population, how="cross")
    out = grid.merge(counts[[*keys, code, "count"]], on=[*keys, code], how="left")
    out["count"] = out["count"].fillna(0).astype("int64")
    out["rate_per_1000"] = out["count"] / out["population_working_age"] * 1000
    out = out[[*keys, code, name, "count", "population_working_age", "rate_per_1000"]]
    return out.sort_values([*keys, code], ignore_index=True)


def staff_in_most_deprived(residence: pd.DataFrame, edition: int, data_dir: PathLike | None = None) -> pd.DataFrame:
    """Staff living in the most deprived areas (national IMD decile 1 of ``edition``), per year and anchor.

    The single source of the headline "staff from the most deprived areas": used by the baseline and priority
    neighbourhood notebooks alike. ``residence`` is counts by LSOA 2021; for IMD 2019 each LSOA 2021 takes its
    best-fit LSOA 2011's decile (:func:`anchor_analysis.public.imd_for_lsoa21`), for IMD 2025 its own. Decile 1
    anywhere in England counts, not only in the place. LSOAs without an English IMD (Wales) and unlocated staff count
    as not in decile 1 but are in ``staff``.

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``.
    edition : int
        The IMD edition, 2019 or 2025.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``year, anchor_id, staff`` (all staff with residence data), ``staff_in_most_deprived``,
        ``share_most_deprived`` (0-1); one row per year and anchor in ``residence``, sorted. Sum over anchors for the
        network figure. ``attrs["edition"]`` is the edition.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> residence = residence[residence["year"] == 2023]
    >>> counts = staff_in_most_deprived(residence, 2019)  # doctest: +PUBLIC_DATA
    >>> int(counts["staff_in_most_deprived"].sum()), int(counts["staff"].sum())  # doctest: +PUBLIC_DATA
    (12300, 62300)
    >>> int(staff_in_most_deprived(residence, 2025)["staff_in_most_deprived"].sum())  # doctest: +PUBLIC_DATA
    10755
    """
    return staff_in_deciles(residence, _check_edition(edition), {"most_deprived": (1,)}, data_dir)


def staff_in_deciles(residence: pd.DataFrame, edition: int, groups: dict[str, tuple[int, ...]],
                     data_dir: PathLike = None) -> pd.DataFrame:
    """Staff living in LSOAs of the given national IMD deciles of ``edition``, per year and anchor.

    The one count behind :func:`staff_in_most_deprived` (decile 1) and the Core20 (deciles 1 and 2).

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``.
    edition : int
        The IMD edition, 2019 or 2025.
    groups : dict of str to tuple of int
        Each group's name and its deciles: ``{"core20": (1, 2)}`` gives ``staff_in_core20`` and ``share_core20``.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``year, anchor_id, staff``, then ``staff_in_<group>`` for every group and ``share_<group>`` (0-1 of the staff
        with residence data) for every group; sorted by year and anchor. ``attrs["edition"]`` is the edition.
    """
    residence = _check_residence(residence)
    decile = residence["lsoa_code"].map(lsoa21_to_edition(edition, data_dir).set_index("lsoa21_code")["imd_decile"])
    for name, deciles in groups.items():
        residence[f"staff_in_{name}"] = residence["count"].where(decile.isin(deciles), 0)
    out = residence.groupby(["year", "anchor_id"], as_index=False)[["count", *(f"staff_in_{n}" for n in groups)]] \
        .sum().rename(columns={"count": "staff"})
    for name in groups:
        out[f"share_{name}"] = out[f"staff_in_{name}"] / out["staff"].where(out["staff"] > 0)
    out.attrs["edition"] = edition
    return out.sort_values(["year", "anchor_id"], ignore_index=True)


def _membership(clusters: PriorityNeighbourhoods | pd.DataFrame) -> pd.DataFrame:
    """The LSOA membership of priority neighbourhoods (the result's ``lsoas``, or that table itself), checked."""
    lsoas = clusters.lsoas if isinstance(clusters, PriorityNeighbourhoods) else clusters
    needed = {"cluster_id", "name", "rank", "lsoa_code", "edition"}
    if not needed <= set(lsoas.columns):
        raise ValueError(f"give priority_neighbourhoods(...) or its LSOA membership table (columns {sorted(needed)})")
    return lsoas


def staff_in_priority_neighbourhoods(residence: pd.DataFrame, clusters: PriorityNeighbourhoods | pd.DataFrame,
                                     by_anchor: bool = False, data_dir: PathLike | None = None) -> pd.DataFrame:
    """Staff living in each priority neighbourhood, per year (and anchor with ``by_anchor``); zeros kept.

    A residence LSOA 2021 is in a neighbourhood when the LSOA standing for it in the neighbourhoods' edition (itself
    for 2025, its best-fit LSOA 2011 for 2019) is a member.

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``.
    clusters : PriorityNeighbourhoods or DataFrame
        :func:`priority_neighbourhoods`, or its ``lsoas`` membership table.
    by_anchor : bool, default False
        One row per anchor as well.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``year, [anchor_id,] cluster_id, name, rank, count``.

    Raises
    ------
    ValueError
        If ``clusters`` is not a membership table.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> from anchor_analysis.analysis.geo import priority_neighbourhoods
    >>> clusters = priority_neighbourhoods(2019)  # doctest: +PUBLIC_DATA
    >>> staff = staff_in_priority_neighbourhoods(residence[residence["year"] == 2023], clusters)
    ... # doctest: +PUBLIC_DATA
    >>> staff[["cluster_id", "count"]].head(3).values.tolist()  # doctest: +PUBLIC_DATA
    [['PN01', 117], ['PN02', 55], ['PN03', 780]]
    """
    residence = _check_residence(residence)
    lsoas = _membership(clusters)
    edition = int(lsoas["edition"].iloc[0]) if len(lsoas) else 2025
    mapping = lsoa21_to_edition(edition, data_dir).set_index("lsoa21_code")["lsoa_code"]
    residence["edition_lsoa"] = residence["lsoa_code"].map(mapping)
    cluster_of = lsoas.set_index("lsoa_code")["cluster_id"]
    residence["cluster_id"] = residence["edition_lsoa"].map(cluster_of)
    keys = ["year", "anchor_id"] if by_anchor else ["year"]
    counts = residence.dropna(subset=["cluster_id"]).groupby([*keys, "cluster_id"], as_index=False)["count"].sum()
    names = lsoas[["cluster_id", "name", "rank"]].drop_duplicates()
    grid = residence[keys].drop_duplicates().merge(names, how="cross")
    out = grid.merge(counts, on=[*keys, "cluster_id"], how="left")
    out["count"] = out["count"].fillna(0).astype("int64")
    return out[[*keys, "cluster_id", "name", "rank", "count"]].sort_values([*keys, "rank"], ignore_index=True)


def staff_by_ward_and_anchor(residence: pd.DataFrame, year: int, place: PlaceLike = "leeds",
                             data_dir: PathLike | None = None) -> pd.DataFrame:
    """Staff per anchor and ward of the place in ``year``, disclosure-controlled as a two-way table.

    Both the wards' network totals and each anchor's total are published elsewhere, so the wards x anchors grid goes
    through :func:`anchor_analysis.publish.suppress_grid` (secondary suppression along rows and columns).

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``: every anchor.
    year : int
        The financial year.
    place : str, Path or Place, default "leeds"
        The place: its wards and its disclosure threshold.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    DataFrame
        ``year, anchor_id, ward_code, ward_name, staff`` (Int64, missing = withheld), ``suppressed`` ("primary",
        "secondary" or "").

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> grid = staff_by_ward_and_anchor(load_network("data/raw/demo").staff_residence, 2023)  # doctest: +PUBLIC_DATA
    >>> len(grid), int(grid["staff"].isna().sum()), sorted(grid["suppressed"].unique())  # doctest: +PUBLIC_DATA
    (462, 62, ['', 'primary', 'secondary'])
    """
    from anchor_analysis.publish.disclosure import suppress_grid

    place = _place(place)
    resident = _check_residence(residence)
    resident = resident[resident["year"] == year]
    per_anchor = staff_rates(resident, place, "ward", by_anchor=True, data_dir=data_dir)
    grid = per_anchor.pivot_table(index=["ward_code", "ward_name"], columns="anchor_id", values="count",
                                  aggfunc="sum", fill_value=0)
    published, flags = suppress_grid(grid, place.disclosure_threshold)
    long = published.stack(future_stack=True).rename("staff").reset_index()
    long["suppressed"] = flags.stack(future_stack=True).to_numpy()
    long.insert(0, "year", year)
    return long.sort_values(["anchor_id", "ward_code"], ignore_index=True)[
        ["year", "anchor_id", "ward_code", "ward_name", "staff", "suppressed"]]


STAFF_TABLES = {
    "staff_by_ward": (["year"], "staff"),
    "staff_by_lsoa": (["year"], "staff"),
    "staff_by_ward_and_anchor": (["year", "anchor_id"], "staff"),
    "staff_in_most_deprived_by_anchor": (["year"], "staff_in_most_deprived"),
    "staff_in_priority_neighbourhoods": (["year"], "staff"),
    "staff_in_priority_neighbourhoods_by_anchor": (["year"], "staff"),
}
"""Published staff tables: name -> (groups whose totals are published, count column)."""


def staff_tables(residence: pd.DataFrame, year: int, edition: int, clusters: PriorityNeighbourhoods | None,
                 place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> dict[str, pd.DataFrame]:
    """Every staff table of the priority neighbourhoods report for ``year``, disclosure-controlled.

    - ``staff_by_ward``, ``staff_by_lsoa`` (LSOAs of ``edition``'s geography, with their ward and priority
      neighbourhood): network staff per area, working-age population and rate per 1,000 (blank where the count is
      withheld); LSOA cells are also protected within each ward and neighbourhood, whose totals are published;
    - ``staff_by_ward_and_anchor``: per anchor and ward, suppressed as a two-way table (ward totals and anchor totals
      both published): :func:`anchor_analysis.publish.suppress_grid`;
    - ``staff_in_most_deprived_by_anchor``: :func:`staff_in_most_deprived` per anchor (share blank when withheld);
    - ``staff_in_priority_neighbourhoods`` (network, per neighbourhood) and ``..._by_anchor`` (per anchor, all
      neighbourhoods together), unless ``clusters`` is None (a place without boundaries has no neighbourhoods).

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``: every anchor.
    year : int
        The financial year.
    edition : int
        The IMD edition of the LSOA table, "most deprived" and the neighbourhoods.
    clusters : PriorityNeighbourhoods or None
        :func:`priority_neighbourhoods` of ``edition``; None: no neighbourhood tables (``cluster_id`` blank).
    place : str, Path or Place, default "leeds"
        The place.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    dict of str to DataFrame
        The tables by name. Counts are in a column ``staff`` (``staff_in_most_deprived`` for that table) with
        ``suppressed`` flags; see :data:`STAFF_TABLES` for the groups whose totals count as published.

    Raises
    ------
    ValueError
        If there is no residence data for ``year``.

    Examples
    --------
    >>> from anchor_analysis.analysis.geo import priority_neighbourhoods
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> tables = staff_tables(residence, 2023, 2019, priority_neighbourhoods(2019))  # doctest: +PUBLIC_DATA
    >>> {name: len(table) for name, table in tables.items()}  # doctest: +PUBLIC_DATA
    {'staff_by_ward': 33, 'staff_by_lsoa': 482, 'staff_by_ward_and_anchor': 462, 'staff_in_most_deprived_by_anchor': 14,
     'staff_in_priority_neighbourhoods': 6, 'staff_in_priority_neighbourhoods_by_anchor': 14}
    >>> sorted(staff_tables(residence, 2023, 2019, None))  # doctest: +PUBLIC_DATA
    ['staff_by_lsoa', 'staff_by_ward', 'staff_by_ward_and_anchor', 'staff_in_most_deprived_by_anchor']
    """
    place = _place(place)
    resident = _check_residence(residence)
    resident = resident[resident["year"] == year]
    if resident.empty:
        raise ValueError(f"no staff residence data for {year}")
    tables: dict[str, pd.DataFrame] = {}
    by_ward = staff_rates(resident, place, "ward", data_dir=data_dir).rename(columns={"count": "staff"})
    tables["staff_by_ward"] = publish_counts(by_ward, place, "staff")
    # LSOA counts add up to the published ward and neighbourhood counts: protect them within those groups too
    lsoa_year = EDITION_LSOA_YEAR[edition]
    by_lsoa = staff_rates(resident, place, "lsoa", lsoa_year, data_dir=data_dir).rename(columns={"count": "staff"})
    ward_of = lsoa_wards(lsoa_year, place.local_authority_code, data_dir).set_index("lsoa_code")["ward_code"]
    by_lsoa.insert(3, "ward_code", by_lsoa["lsoa_code"].map(ward_of))
    cluster_of = (_membership(clusters).set_index("lsoa_code")["cluster_id"] if clusters is not None
                  else pd.Series(dtype="str"))
    by_lsoa.insert(4, "cluster_id", by_lsoa["lsoa_code"].map(cluster_of))
    groups = [["year", "ward_code"]] + ([["year", "cluster_id"]] if clusters is not None else [])
    tables["staff_by_lsoa"] = publish_counts(by_lsoa, place, "staff", also_groups=groups)

    tables["staff_by_ward_and_anchor"] = staff_by_ward_and_anchor(resident, year, place, data_dir)

    deprived = staff_in_most_deprived(resident, edition, data_dir).drop(columns="staff")
    deprived.insert(2, "edition", edition)
    tables["staff_in_most_deprived_by_anchor"] = publish_counts(
        deprived, place, "staff_in_most_deprived", derived=("share_most_deprived",))

    if clusters is None:
        return tables
    in_pn = staff_in_priority_neighbourhoods(resident, clusters, data_dir=data_dir).rename(columns={"count": "staff"})
    tables["staff_in_priority_neighbourhoods"] = publish_counts(in_pn, place, "staff")
    pn_anchor = staff_in_priority_neighbourhoods(resident, clusters, by_anchor=True, data_dir=data_dir)
    pn_anchor = pn_anchor.groupby(["year", "anchor_id"], as_index=False)["count"].sum()
    tables["staff_in_priority_neighbourhoods_by_anchor"] = publish_counts(
        pn_anchor.rename(columns={"count": "staff"}), place, "staff")
    return tables


def describe_staff_in_most_deprived(residence: pd.DataFrame, year: int, edition: int,
                                    data_dir: PathLike | None = None) -> str:
    """One sentence: how many of the network's staff with residence data live in national IMD decile 1.

    The network's count of :func:`staff_in_most_deprived` for ``year`` (every anchor with residence data that year),
    as the priority neighbourhoods section states it.

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``.
    year : int
        The financial year.
    edition : int
        The IMD edition, 2019 or 2025.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    str
        The sentence (Markdown).

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> print(describe_staff_in_most_deprived(residence, 2023, 2019))  # doctest: +PUBLIC_DATA
    **12,300 of the 62,300 staff** of the 14 anchors with residence data for 2023/24 (19.7%) live in the most deprived
    10% of areas in England (IMD 2019 decile 1).
    """
    counts = staff_in_most_deprived(residence, edition, data_dir)
    counts = counts[counts["year"] == year]
    deprived, staff = int(counts["staff_in_most_deprived"].sum()), int(counts["staff"].sum())
    share = deprived / staff if staff else float("nan")
    return (f"**{deprived:,} of the {staff:,} staff** of the {len(counts)} anchors with residence data for "
            f"{fy_label(year)} ({share:.1%}) live in the most deprived 10% of areas in England (IMD {edition} "
            "decile 1).")


def staff_by_ward_and_anchor_every_year(residence: pd.DataFrame, place: PlaceLike = "leeds",
                                        data_dir: PathLike | None = None) -> list[pd.Series]:
    """The published staff counts of :func:`staff_by_ward_and_anchor`, one series per year of residence returns.

    What :func:`anchor_analysis.figures.maps.pooled_breaks` takes, so the maps of every year share one scale.

    Parameters
    ----------
    residence : DataFrame
        ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``: every anchor, every year.
    place : str, Path or Place, default "leeds"
        The place.
    data_dir : path, optional
        The public data folder (default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``).

    Returns
    -------
    list of Series
        The disclosure-controlled ``staff`` column of each year, oldest first.

    Examples
    --------
    >>> from anchor_analysis.contracts import load_network
    >>> residence = load_network("data/raw/demo").staff_residence
    >>> counts = staff_by_ward_and_anchor_every_year(residence)  # doctest: +PUBLIC_DATA
    >>> [len(year) for year in counts]  # 33 wards x the anchors with residence data  # doctest: +PUBLIC_DATA
    [363, 363, 363, 363, 462, 429]
    """
    years = sorted(int(y) for y in residence["year"].unique())
    return [staff_by_ward_and_anchor(residence, year, place, data_dir)["staff"] for year in years]
