"""Each area's need beside the anchors' effort there (the Democracy Collaborative's Anchor Dashboard pairing).

Community status indicators (the area's conditions, from the public data: population-weighted IMD score and its
rank in the place, income and employment deprivation rates, population) are paired with institutional effort
indicators (what the anchors do there, from the returns: staff living there per 1,000 working-age residents and
influenceable spend with suppliers located there per resident), with the change in effort since the previous year,
for every ward of the place and every priority neighbourhood, and for the whole place beside them.

Everything is built on the LSOAs of the IMD edition (2011 LSOAs for IMD 2019, 2021 LSOAs for IMD 2025): a
residence or supplier LSOA 2021 stands for its best-fit LSOA of the edition, as elsewhere in
:mod:`anchor_analysis.analysis.geo`. Apprentices and new starters by where they live are not in the returns (they
are returned per anchor), so no area indicator is made of them.

>>> QUADRANTS
('high need, low effort', 'high need, high effort', 'low need, low effort', 'low need, high effort')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.analysis.geo.areas import place_lsoas
from anchor_analysis.analysis.geo.landing import _located
from anchor_analysis.analysis.geo.residence import _check_residence, lsoa21_to_edition
from anchor_analysis.core.errors import GeographyError
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.publish.disclosure import publish_counts

QUADRANTS = ("high need, low effort", "high need, high effort", "low need, low effort", "low need, high effort")
WHOLE_PLACE = "whole place"
EFFORT = ("staff_per_1000", "spend_per_resident")
"""The effort indicators; their change since the previous year is ``<name>_change``."""
PathLike = str | None


def area_status(edition: int, place: str | Place = "leeds", data_dir: PathLike = None) -> pd.DataFrame:
    """The place's LSOAs of ``edition`` with the community status indicators of each.

    Parameters
    ----------
    edition : int
        The IMD edition, 2019 or 2025.
    place : str or Place, default "leeds"
        The place.
    data_dir : path, optional
        The public data folder.

    Returns
    -------
    DataFrame
        ``lsoa_code, ward_code, ward_name, imd_score, population, population_working_age, income_rate,
        employment_rate`` (the IMD income and employment domain scores: the shares of residents income-deprived and
        of working-age residents employment-deprived).

    Examples
    --------
    >>> status = area_status(2019)  # doctest: +PUBLIC_DATA
    >>> len(status), round(float(status["income_rate"].max()), 3)  # doctest: +PUBLIC_DATA
    (482, 0.459)
    """
    from anchor_analysis import public

    place = load_place(place)
    lsoas = place_lsoas(edition, place, data_dir)
    domains = public.load_imd(edition, place.local_authority_code, data_dir=data_dir)
    domains = domains[["lsoa_code", "income_score", "employment_score"]].rename(
        columns={"income_score": "income_rate", "employment_score": "employment_rate"})
    out = lsoas.merge(domains, on="lsoa_code", how="left", validate="one_to_one")
    return out[["lsoa_code", "ward_code", "ward_name", "imd_score", "population", "population_working_age",
                "income_rate", "employment_rate"]]


def _effort_by_lsoa(residence: pd.DataFrame | None, lines: pd.DataFrame | None, edition: int,
                    data_dir: PathLike) -> pd.DataFrame:
    """Staff and located spend per year and LSOA of the edition (residence and supplier LSOAs 2021 mapped to it)."""
    mapping = lsoa21_to_edition(edition, data_dir).set_index("lsoa21_code")["lsoa_code"]
    parts = []
    if residence is not None:
        staff = _check_residence(residence)
        staff["lsoa_code"] = staff["lsoa_code"].map(mapping)
        parts.append(staff.groupby(["year", "lsoa_code"])["count"].sum().rename("staff"))
    if lines is not None:
        spend = lines.assign(lsoa_code=lines["supplier_lsoa21_code"].map(mapping))
        parts.append(spend.groupby(["year", "lsoa_code"])["amount"].sum().rename("spend"))
    if not parts:
        return pd.DataFrame(columns=["year", "lsoa_code", "staff", "spend"])
    out = pd.concat(parts, axis=1).reset_index()
    return out.reindex(columns=["year", "lsoa_code", "staff", "spend"])


def _areas(status: pd.DataFrame, clusters: pd.DataFrame | None) -> pd.DataFrame:
    """LSOA -> area: every ward, every priority neighbourhood, and the whole place."""
    wards = status[["lsoa_code"]].assign(geography="ward", area_code=status["ward_code"], area=status["ward_name"])
    place = status[["lsoa_code"]].assign(geography=WHOLE_PLACE, area_code=WHOLE_PLACE, area=WHOLE_PLACE)
    parts = [wards, place]
    if clusters is not None and len(clusters):
        parts.insert(1, clusters[["lsoa_code", "cluster_id", "name"]].rename(
            columns={"cluster_id": "area_code", "name": "area"}).assign(geography="priority neighbourhood"))
    return pd.concat(parts, ignore_index=True)


def _status_by_area(status: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The status indicators per area: population-weighted score and rates, populations summed."""
    joined = areas.merge(status.drop(columns=["ward_code", "ward_name"]), on="lsoa_code")
    joined["_score"] = joined["imd_score"] * joined["population"]
    joined["_income"] = joined["income_rate"] * joined["population"]
    joined["_employment"] = joined["employment_rate"] * joined["population_working_age"]
    out = joined.groupby(["geography", "area_code", "area"], as_index=False, sort=False).agg(
        n_lsoas=("lsoa_code", "size"), population=("population", "sum"),
        population_working_age=("population_working_age", "sum"), _score=("_score", "sum"),
        _income=("_income", "sum"), _employment=("_employment", "sum"))
    out["imd_score"] = out.pop("_score") / out["population"]
    out["income_rate"] = out.pop("_income") / out["population"]
    out["employment_rate"] = out.pop("_employment") / out["population_working_age"]
    wards = out["geography"] == "ward"
    out["rank_in_place"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out.loc[wards, "rank_in_place"] = out.loc[wards, "imd_score"].rank(ascending=False, method="first").astype(int)
    return out


def need_and_effort(residence: pd.DataFrame | None, lines: pd.DataFrame | None, year: int, edition: int,
                    place: str | Place = "leeds", clusters: pd.DataFrame | None = None,
                    data_dir: PathLike = None) -> pd.DataFrame:
    """Need beside effort for every ward, every priority neighbourhood and the whole place in ``year``.

    Parameters
    ----------
    residence : DataFrame or None
        Staff residence counts (``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``), or None.
    lines : DataFrame or None
        Influenceable ledger lines located to LSOAs
        (:func:`~anchor_analysis.analysis.geo.influenceable_lines`), or None.
    year : int
        The financial year; the change in effort is against ``year - 1`` (blank where that year has no returns;
        every return of each year counts, so anchors joining or stopping move it: not like-for-like).
    edition : int
        The IMD edition, 2019 or 2025.
    place : str or Place, default "leeds"
        The place.
    clusters : DataFrame, optional
        The priority neighbourhoods' LSOA membership (:attr:`PriorityNeighbourhoods.lsoas`), of ``edition``.
    data_dir : path, optional
        The public data folder.

    Returns
    -------
    DataFrame
        ``geography`` ("ward", "priority neighbourhood", "whole place"), ``area_code, area, n_lsoas, population,
        population_working_age, imd_score, rank_in_place, income_rate, employment_rate, staff, staff_per_1000,
        spend, spend_per_resident, staff_per_1000_change, spend_per_resident_change, need, effort, quadrant``.
        ``need`` and ``effort`` are percentile positions among the wards (0-1; effort: the mean of its
        indicators'), ``quadrant`` splits them at one half (blank for the whole place, or without effort data);
        staff counts are not yet disclosure-controlled (:func:`publish_need_and_effort`).

    Raises
    ------
    GeographyError
        ``clusters`` is of another edition.
    """
    place = load_place(place)
    if clusters is not None and len(clusters) and int(clusters["edition"].iloc[0]) != edition:
        raise GeographyError(f"clusters are of IMD {int(clusters['edition'].iloc[0])}, not of edition {edition}: "
                             "form the priority neighbourhoods with the same edition")
    status = area_status(edition, place, data_dir)
    areas = _areas(status, clusters)
    table = _status_by_area(status, areas)
    effort = _effort_by_lsoa(residence, None if lines is None else _located(lines, data_dir, place), edition,
                             data_dir)
    keys = ["geography", "area_code"]
    now = _effort_by_area(effort, areas, year, table)
    before = _effort_by_area(effort, areas, year - 1, table).set_index(keys)
    table = table.merge(now, on=keys, how="left")
    for name in EFFORT:
        previous = before[name].reindex(pd.MultiIndex.from_frame(table[keys])).to_numpy()
        table[f"{name}_change"] = table[name] - previous
    return _quadrants(table)


def _effort_by_area(effort: pd.DataFrame, areas: pd.DataFrame, year: int, status: pd.DataFrame) -> pd.DataFrame:
    """Staff, staff per 1,000 working-age residents, spend and spend per resident of one year, per area."""
    rows = effort[effort["year"] == year]
    joined = areas.merge(rows, on="lsoa_code", how="left")
    has = {c: bool(rows[c].notna().any()) for c in ("staff", "spend")}
    out = joined.groupby(["geography", "area_code"], as_index=False, sort=False)[["staff", "spend"]].sum(min_count=0)
    base = status.set_index(["geography", "area_code"])
    index = pd.MultiIndex.from_frame(out[["geography", "area_code"]])
    for column in ("staff", "spend"):
        if not has[column]:  # no returns of that kind this year: blank, not zero
            out[column] = np.nan
    out["staff_per_1000"] = out["staff"] / base["population_working_age"].reindex(index).to_numpy() * 1000
    out["spend_per_resident"] = out["spend"] / base["population"].reindex(index).to_numpy()
    return out


def _position(values: pd.Series, among: pd.Series) -> pd.Series:
    """Each value's percentile position among the wards' values (the share of wards at or below it), 0-1."""
    ordered = np.sort(among.astype("float64").dropna().to_numpy())
    plain = values.astype("float64")
    if not len(ordered):
        return pd.Series(np.nan, index=values.index)
    found = np.searchsorted(ordered, plain.to_numpy(), side="right") / len(ordered)
    return pd.Series(np.where(plain.isna(), np.nan, found), index=values.index)


def _quadrants(table: pd.DataFrame) -> pd.DataFrame:
    """Need and effort as percentile positions among the wards, and each area's quadrant (above or below half).

    Every area (wards, priority neighbourhoods, the whole place) is placed against the wards' distribution, so a
    neighbourhood's need and effort read on the same scale as a ward's. Effort is the mean of the positions of the
    effort indicators the year has.
    """
    wards = table["geography"] == "ward"
    table["need"] = _position(table["imd_score"], table.loc[wards, "imd_score"])
    positions = [_position(table[name], table.loc[wards, name]) for name in EFFORT if table[name].notna().any()]
    table["effort"] = pd.concat(positions, axis=1).mean(axis=1) if positions else np.nan
    high_need, high_effort = table["need"] > 0.5, table["effort"] > 0.5
    quadrant = np.select([high_need & ~high_effort, high_need & high_effort, ~high_need & ~high_effort],
                         QUADRANTS[:3], QUADRANTS[3])
    table["quadrant"] = np.where(table["effort"].isna() | (table["geography"] == WHOLE_PLACE), "", quadrant)
    return table


def high_need_low_effort(table: pd.DataFrame) -> pd.DataFrame:
    """The wards of high need and low effort, the largest gap between need and effort first.

    Parameters
    ----------
    table : DataFrame
        :func:`need_and_effort` (or its published form).

    Returns
    -------
    DataFrame
        The wards in the "high need, low effort" quadrant with ``gap`` (need minus effort percentile), ranked.

    Examples
    --------
    >>> table = pd.DataFrame({"geography": "ward", "area": ["A", "B", "C"], "need": [0.9, 0.7, 0.2],
    ...                       "effort": [0.1, 0.4, 0.1], "quadrant": ["high need, low effort"] * 2 + ["x"]})
    >>> high_need_low_effort(table)[["area", "gap"]].round(2).values.tolist()
    [['A', 0.8], ['B', 0.3]]
    """
    wards = table[(table["geography"] == "ward") & (table["quadrant"] == QUADRANTS[0])].copy()
    wards["gap"] = wards["need"] - wards["effort"]
    return wards.sort_values(["gap", "area"], ascending=[False, True], ignore_index=True)


def publish_need_and_effort(table: pd.DataFrame, place: str | Place = "leeds") -> pd.DataFrame:
    """The table as it may be published: staff counts below the threshold withheld, with the rates from them.

    Ward counts and neighbourhood counts are suppressed each with their own published total (the whole place's),
    and the staff rate and its change are blanked wherever the count is withheld; need, effort and the quadrants
    are then placed again from the published values only, so no position rests on a withheld count.

    Parameters
    ----------
    table : DataFrame
        :func:`need_and_effort`.
    place : str or Place, default "leeds"
        The place whose disclosure threshold applies.

    Returns
    -------
    DataFrame
        The same rows; ``staff`` as nullable integers with ``suppressed``.

    Examples
    --------
    >>> table = pd.DataFrame({"geography": ["ward"] * 3 + ["whole place"], "area_code": list("ABCP"),
    ...                       "staff": [4.0, 30.0, 50.0, 84.0], "staff_per_1000": [0.4, 3.0, 5.0, 2.8],
    ...                       "staff_per_1000_change": [0.1, 0.2, 0.3, 0.2]})
    >>> publish_need_and_effort(table)[["staff", "staff_per_1000"]].values.tolist()
    [[<NA>, <NA>], [<NA>, <NA>], [50, 5.0], [84, 2.8]]
    """
    place = load_place(place)
    parts = []
    for _, rows in table.groupby("geography", sort=False):
        if rows["staff"].isna().all():
            parts.append(rows.assign(suppressed=""))
            continue
        parts.append(publish_counts(rows.assign(staff=rows["staff"].round().astype("Int64")), place,
                                    value_col="staff", group_cols=("geography",),
                                    derived=("staff_per_1000", "staff_per_1000_change")))
    out = pd.concat(parts, ignore_index=True)
    out.attrs = dict(table.attrs)
    return _quadrants(out) if "imd_score" in out else out


def describe_need_and_effort(table: pd.DataFrame, place_name: str) -> str:
    """One paragraph: how many wards are of high need and low effort, and the neediest of them (Markdown).

    Parameters
    ----------
    table : DataFrame
        :func:`need_and_effort` (or its published form).
    place_name : str
        The place.

    Returns
    -------
    str
        The paragraph.

    Examples
    --------
    >>> table = pd.DataFrame({"geography": ["ward"] * 3 + ["priority neighbourhood"], "area": ["A", "B", "C", "PN"],
    ...                       "need": [0.9, 0.7, 0.2, 1.0], "effort": [0.1, 0.8, 0.3, 0.4],
    ...                       "quadrant": [QUADRANTS[0], QUADRANTS[1], QUADRANTS[2], QUADRANTS[0]]})
    >>> print(describe_need_and_effort(table, "Leeds"))
    **1 of the 3 wards of Leeds** are of high need and low effort (above the middle ward's IMD score, below the middle
    of the wards' effort): A. 1 of the 1 priority neighbourhoods are too.
    """
    wards = table[table["geography"] == "ward"]
    if wards["quadrant"].eq("").all():
        return "No staff residence or located ledger spend this year: the anchors' effort by ward cannot be shown."
    ranked = high_need_low_effort(table)
    neighbourhoods = table[table["geography"] == "priority neighbourhood"]
    text = (f"**{len(ranked)} of the {len(wards)} wards of {place_name}** are of high need and low effort (above the "
            "middle ward's IMD score, below the middle of the wards' effort)"
            + (f": {', '.join(ranked['area'].head(5))}." if len(ranked) else "."))
    if len(neighbourhoods):
        behind = int((neighbourhoods["quadrant"] == QUADRANTS[0]).sum())
        text += f" {behind} of the {len(neighbourhoods)} priority neighbourhoods are too."
    return text
