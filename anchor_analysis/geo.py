"""Deprivation geography of a place: IMD profiles, ward summaries, priority neighbourhoods, where staff live and
where spend lands.

Geographies and editions
------------------------
IMD 2019 is published on 2011 LSOAs, IMD 2025 on 2021 LSOAs (``EDITION_LSOA_YEAR``). Deciles and ranks are
relative *within* an edition and the two editions use different LSOAs, so they are never compared by
subtraction (see :data:`EDITION_CAVEAT` and :func:`editions_side_by_side`).

Wards come from the ONS best-fit lookups (LSOA 2011 -> ward 2019, LSOA 2021 -> ward 2024). Ward codes are
reported as the current (2024) codes, which are the codes of the ward boundaries: where a 2019 ward code changed
after a boundary amendment but the ward kept its name (Leeds: Garforth & Swillington, Temple Newsam) the 2019
lookup's code is replaced by the current code of the same-named ward in the same local authority.

Staff residence arrives as counts by LSOA 2021 (postcodes are aggregated on read by :mod:`anchor_analysis.io`;
no postcode reaches anything here). For IMD 2019 each LSOA 2021 takes the IMD 2019 values of its best-fit
LSOA 2011 (:func:`anchor_analysis.public.imd_for_lsoa21`: unchanged and split LSOAs inherit their 2011 LSOA's
values, a merged LSOA takes those of its most populous constituent), and the same best-fit LSOA 2011 places it
in a 2011-based priority neighbourhood. LSOAs outside England (Wales) have no English IMD and count as not
deprived; staff with no LSOA (postcode not located) count in totals only.

Anything that counts people is published through :func:`publish_counts` (disclosure control with the place's
threshold).

>>> EDITION_LSOA_YEAR[2019], EDITION_LSOA_YEAR[2025]
(2011, 2021)
>>> most_deprived_cutoff(32_844, 10)
3284
>>> parse_priority_rule("most_deprived_10pct")
10.0
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import public
from .config import Place, load_place
from .disclosure import secondary_cells, suppress_counts

if TYPE_CHECKING:
    import geopandas as gpd

PathLike = str | os.PathLike[str]
PlaceLike = str | Path | Place

EDITION_LSOA_YEAR = {2019: 2011, 2025: 2021}
"""The LSOA geography each IMD edition is published on."""

EDITION_CAVEAT = (
    "IMD 2019 and IMD 2025 are not comparable: they rank different small areas (2011 and 2021 LSOAs) and each "
    "edition's ranks and deciles are relative to all of England at the time, so a change in an area's decile "
    "does not measure a change in its deprivation. Read the editions side by side; never subtract one from the "
    "other."
)

POPULATION_NOTE = {
    2019: "population: IoD2019 mid-2015 estimates (File 6, excluding prisoners)",
    2025: "population: estimate (IoD2019 mid-2015 LSOA 2011 populations apportioned to LSOA 2021)",
}

DEFAULT_TOLERANCE_M = 25.0
"""Polygons of the generalised boundaries closer than this (metres) count as neighbours."""

DEFAULT_SPLIT_ABOVE_LSOAS = 15
"""Clusters of more LSOAs than this (about one ward) are split along ward boundaries."""

UNKNOWN_AREA = "unknown"
"""Area code given to staff or spend with no located LSOA."""

OUTSIDE_LOOKUP = "outside_lookup"
"""Local authority code given to a supplier whose well-formed postcode is outside the postcode lookup's areas."""

_PRIORITY_RULE = re.compile(r"most_deprived_(\d+(?:\.\d+)?)pct")


def _place(place: PlaceLike) -> Place:
    return load_place(place)


def _check_edition(edition: int) -> int:
    if edition not in EDITION_LSOA_YEAR:
        raise ValueError(f"IMD edition must be one of {sorted(EDITION_LSOA_YEAR)}, not {edition!r}")
    return int(edition)


def _check_lsoa_year(lsoa_year: int) -> int:
    if lsoa_year not in EDITION_LSOA_YEAR.values():
        raise ValueError(f"lsoa_year must be one of {sorted(EDITION_LSOA_YEAR.values())}, not {lsoa_year!r}")
    return int(lsoa_year)


def edition_for_lsoa_year(lsoa_year: int) -> int:
    """The IMD edition published on ``lsoa_year`` LSOAs (2011 -> 2019, 2021 -> 2025)."""
    _check_lsoa_year(lsoa_year)
    return {v: k for k, v in EDITION_LSOA_YEAR.items()}[lsoa_year]


def most_deprived_cutoff(n_lsoas: int, pct: float) -> int:
    """Largest national rank inside the most deprived ``pct`` % of ``n_lsoas`` LSOAs (rank 1 = most deprived).

    >>> most_deprived_cutoff(33_755, 10), most_deprived_cutoff(32_844, 1)
    (3375, 328)
    """
    if not 0 < pct <= 100:
        raise ValueError(f"most_deprived_pct must be in (0, 100], not {pct!r}")
    return int(math.floor(n_lsoas * pct / 100 + 1e-9))


def attribution_keys(edition: int, *, boundaries: bool = True, postcodes: bool = False) -> list[str]:
    """Registry keys of the public datasets behind this module's outputs for ``edition`` (for attributions)."""
    _check_edition(edition)
    if edition == 2019:
        keys = ["imd2019_file1", "imd2019_file2", "imd2019_file3", "imd2019_file6", "imd2019_scores",
                "lookup_lsoa11_ward19", "lookup_lsoa11_lsoa21", "lookup_lsoa21_ward24"]
    else:
        keys = ["imd2025_lsoa21", "imd2019_file6", "lookup_lsoa11_lsoa21", "lookup_lsoa21_ward24"]
    if boundaries:
        keys += ["boundaries_lsoa11" if edition == 2019 else "boundaries_lsoa21", "boundaries_wards",
                 "boundaries_lad"]
    if postcodes:
        keys.append("postcodes_region")
    return keys


# --- LSOAs, wards and IMD of a place ---------------------------------------------------------------------


def lsoa_wards(lsoa_year: int, lad_code: str | Sequence[str] | None = None,
               data_dir: PathLike | None = None) -> pd.DataFrame:
    """LSOA -> ward (best fit) with ward codes harmonised to the current codes (module docstring).

    Columns (str): ``lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name``.
    """
    _check_lsoa_year(lsoa_year)
    codes = None if lad_code is None else (lad_code,) if isinstance(lad_code, str) else tuple(lad_code)
    return _lsoa_wards(lsoa_year, codes, None if data_dir is None else str(data_dir)).copy()


@functools.lru_cache(maxsize=8)
def _lsoa_wards(lsoa_year: int, lad_code: tuple[str, ...] | None, data_dir: str | None) -> pd.DataFrame:
    frame = public.load_lsoa_lookup(lsoa_year, lad_code, data_dir=data_dir)
    if lsoa_year == 2011:
        current = public.load_lsoa_lookup(2021, data_dir=data_dir)[["ward_code", "ward_name", "lad_code"]]
        current = current.drop_duplicates(["lad_code", "ward_name"]).rename(columns={"ward_code": "current"})
        # a name must identify one current ward within its local authority
        current = current[~current.duplicated(["lad_code", "ward_name"], keep=False)]
        frame = frame.merge(current, on=["lad_code", "ward_name"], how="left")
        frame["ward_code"] = frame["current"].fillna(frame["ward_code"]).astype("str")
        frame = frame.drop(columns="current")
    return frame.sort_values("lsoa_code", ignore_index=True)


def place_lsoas(edition: int, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> pd.DataFrame:
    """The place's LSOAs for ``edition`` with IMD, population and ward, one row per LSOA, sorted by code.

    Columns: ``edition, lsoa_year, lsoa_code, lsoa_name, ward_code, ward_name, lad_code, imd_score, imd_rank,
    imd_decile, population, population_working_age``.
    """
    edition = _check_edition(edition)
    lad = _place(place).local_authority_code
    imd = public.load_imd(edition, lad, data_dir=data_dir)
    wards = lsoa_wards(EDITION_LSOA_YEAR[edition], lad, data_dir=data_dir)[["lsoa_code", "ward_code", "ward_name"]]
    out = imd.merge(wards, on="lsoa_code", how="left", validate="one_to_one")
    if out["ward_code"].isna().any():
        raise ValueError(f"{int(out['ward_code'].isna().sum())} LSOAs of {lad} have no ward in the lookup")
    columns = ["edition", "lsoa_year", "lsoa_code", "lsoa_name", "ward_code", "ward_name", "lad_code", "imd_score",
               "imd_rank", "imd_decile", "population", "population_working_age"]
    return out[columns].sort_values("lsoa_code", ignore_index=True)


def deprivation_profile(edition: int, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> pd.DataFrame:
    """The place's LSOAs and population per national IMD decile (1 = most deprived 10% in England).

    One row per decile 1-10 (deciles with no LSOA included). Columns: ``edition, decile, n_lsoas, share_lsoas,
    population, share_population`` (shares 0-1). ``attrs``: ``n_lsoas``, ``population``, ``population_note``.

    >>> profile = deprivation_profile(2019)  # doctest: +SKIP
    >>> int(profile.loc[profile["decile"] == 1, "n_lsoas"].iloc[0]), int(profile["n_lsoas"].sum())  # doctest: +SKIP
    (114, 482)
    """
    lsoas = place_lsoas(edition, place, data_dir)
    grouped = lsoas.groupby("imd_decile").agg(n_lsoas=("lsoa_code", "size"), population=("population", "sum"))
    out = grouped.reindex(range(1, 11), fill_value=0).rename_axis("decile").reset_index()
    out.insert(0, "edition", edition)
    out["share_lsoas"] = out["n_lsoas"] / out["n_lsoas"].sum()
    out["share_population"] = out["population"] / out["population"].sum()
    out = out[["edition", "decile", "n_lsoas", "share_lsoas", "population", "share_population"]]
    out.attrs.update(n_lsoas=int(out["n_lsoas"].sum()), population=int(out["population"].sum()),
                     population_note=POPULATION_NOTE[edition])
    return out


def _weighted_score(frame: pd.DataFrame) -> float:
    weight = frame["population"].astype("float64")
    return float((frame["imd_score"] * weight).sum() / weight.sum()) if weight.sum() else float("nan")


def ward_deprivation(edition: int, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> pd.DataFrame:
    """Deprivation per ward of the place, sorted by ward name.

    Columns: ``edition, ward_code, ward_name, n_lsoas, population, pop_weighted_score`` (IMD score weighted by
    LSOA population), ``share_population_decile1`` (0-1), ``n_lsoas_decile1``, ``rank_in_place`` (1 = highest
    population-weighted score). Populations sum to the place's total.
    """
    lsoas = place_lsoas(edition, place, data_dir)
    lsoas["decile1"] = lsoas["imd_decile"] == 1
    lsoas["pop_decile1"] = lsoas["population"].where(lsoas["decile1"], 0)
    lsoas["score_x_pop"] = lsoas["imd_score"] * lsoas["population"]
    grouped = lsoas.groupby(["ward_code", "ward_name"], as_index=False).agg(
        n_lsoas=("lsoa_code", "size"), population=("population", "sum"), score_x_pop=("score_x_pop", "sum"),
        pop_decile1=("pop_decile1", "sum"), n_lsoas_decile1=("decile1", "sum"))
    grouped["pop_weighted_score"] = grouped["score_x_pop"] / grouped["population"]
    grouped["share_population_decile1"] = grouped["pop_decile1"] / grouped["population"]
    grouped["n_lsoas_decile1"] = grouped["n_lsoas_decile1"].astype("int64")
    order = grouped.sort_values(["pop_weighted_score", "ward_code"], ascending=[False, True]).index
    grouped.loc[order, "rank_in_place"] = np.arange(1, len(grouped) + 1)
    grouped["rank_in_place"] = grouped["rank_in_place"].astype("int64")
    grouped.insert(0, "edition", edition)
    columns = ["edition", "ward_code", "ward_name", "n_lsoas", "population", "pop_weighted_score",
               "share_population_decile1", "n_lsoas_decile1", "rank_in_place"]
    out = grouped[columns].sort_values("ward_name", ignore_index=True)
    out.attrs["population_note"] = POPULATION_NOTE[edition]
    return out


def editions_side_by_side(place: PlaceLike = "leeds", level: str = "decile", editions: Sequence[int] = (2019, 2025),
                          data_dir: PathLike | None = None) -> pd.DataFrame:
    """The IMD editions side by side, per national decile (``level="decile"``) or per ward (``"ward"``).

    Columns are suffixed by edition (``n_lsoas_2019``, ``n_lsoas_2025`` ...) and a ``note`` column carries the
    caveat (also in ``attrs["caveat"]``): the editions are not comparable, so there are deliberately no
    difference columns. Decile level: ``decile, n_lsoas_<ed>, share_lsoas_<ed>, population_<ed>``. Ward level:
    ``ward_code, ward_name`` then ``n_lsoas, n_lsoas_decile1, share_population_decile1, pop_weighted_score,
    rank_in_place`` per edition.
    """
    if level not in ("decile", "ward"):
        raise ValueError(f"level must be 'decile' or 'ward', not {level!r}")
    out: pd.DataFrame | None = None
    for edition in editions:
        if level == "decile":
            part = deprivation_profile(edition, place, data_dir)[["decile", "n_lsoas", "share_lsoas", "population"]]
            keys = ["decile"]
        else:
            part = ward_deprivation(edition, place, data_dir)[
                ["ward_code", "ward_name", "n_lsoas", "n_lsoas_decile1", "share_population_decile1",
                 "pop_weighted_score", "rank_in_place"]]
            keys = ["ward_code", "ward_name"]
        part = part.rename(columns={c: f"{c}_{edition}" for c in part.columns if c not in keys})
        out = part if out is None else out.merge(part, on=keys, how="outer", validate="one_to_one")
    assert out is not None
    out = out.sort_values(keys, ignore_index=True)
    out["note"] = EDITION_CAVEAT
    out.attrs["caveat"] = EDITION_CAVEAT
    return out


# --- geometry layers ---------------------------------------------------------------------------------------


def lsoa_layer(edition: int, place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """LSOA polygons of the place for ``edition`` (British National Grid) with the :func:`place_lsoas` columns."""
    edition = _check_edition(edition)
    lad = _place(place).local_authority_code
    shapes = public.load_lsoa_boundaries(EDITION_LSOA_YEAR[edition], lad, data_dir=data_dir)
    layer = shapes[["lsoa_code", "geometry"]].merge(place_lsoas(edition, place, data_dir), on="lsoa_code",
                                                    how="inner", validate="one_to_one")
    if len(layer) != len(shapes):
        raise ValueError(f"{len(shapes) - len(layer)} LSOA polygons have no IMD {edition} row")
    return layer


def ward_layer(place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """Ward polygons of the place (``ward_code, ward_name, geometry``), British National Grid."""
    return public.load_ward_boundaries(_place(place).local_authority_code, data_dir=data_dir)


def place_outline(place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """The place's local authority outline (``lad_code, lad_name, geometry``), British National Grid."""
    return public.load_lad_boundaries("place", _place(place).local_authority_code, data_dir=data_dir)


def with_geometry(table: pd.DataFrame, level: str, place: PlaceLike = "leeds", edition: int | None = None,
                  data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """Every ward (``level="ward"``) or LSOA of ``edition`` (``"lsoa"``) of the place with ``table``'s columns
    joined on the area code (left join: areas missing from ``table`` stay, with missing values, to be mapped as
    "no data")."""
    if level == "ward":
        shapes = ward_layer(place, data_dir)[["ward_code", "ward_name", "geometry"]]
    elif level == "lsoa":
        if edition is None:
            raise ValueError("give the IMD edition whose LSOA geography the table uses")
        shapes = public.load_lsoa_boundaries(EDITION_LSOA_YEAR[_check_edition(edition)],
                                             _place(place).local_authority_code, data_dir=data_dir)
    else:
        raise ValueError(f"level must be 'ward' or 'lsoa', not {level!r}")
    key = f"{level}_code"
    values = table.drop(columns=[c for c in table.columns if c in shapes.columns and c != key])
    if values[key].duplicated().any():
        raise ValueError(f"the table has several rows per {key}: select one year (and anchor) first")
    return shapes.merge(values, on=key, how="left")


def clear_cache() -> None:
    """Forget this module's cached lookups and the public data caches (e.g. after changing the data folder)."""
    _lsoa_wards.cache_clear()
    _lsoa21_to_edition.cache_clear()
    public.clear_cache()


# --- priority neighbourhoods -------------------------------------------------------------------------------


class PriorityListError(ValueError):
    """A user-supplied priority neighbourhood list cannot be used; ``failures`` lists every problem."""

    def __init__(self, source: str, failures: list[str]):
        self.source = source
        self.failures = failures
        super().__init__(f"{source}: " + "; ".join(failures) if len(failures) == 1
                         else f"{source}: {len(failures)} problems:\n" + "\n".join(f"  {f}" for f in failures))


@dataclass
class PriorityNeighbourhoods:
    """Result of :func:`priority_neighbourhoods`; unpacks as ``clusters, lsoas``."""

    clusters: gpd.GeoDataFrame
    """One row per neighbourhood: ``cluster_id, name, rank, n_lsoas, population, pop_weighted_score, wards,
    geometry`` (sorted by rank; 1 = most deprived)."""
    lsoas: pd.DataFrame
    """Membership: ``cluster_id, name, rank, lsoa_code, lsoa_name, ward_code, ward_name, imd_score, imd_rank,
    imd_decile, population, edition, lsoa_year``."""
    edition: int
    rule: str
    """Plain-English statement of how the neighbourhoods were chosen (for captions)."""
    candidates: gpd.GeoDataFrame | None = field(default=None, repr=False)
    """Every cluster the rule found, before the top-k cut (None for a user list)."""

    def __iter__(self) -> Iterator:
        return iter((self.clusters, self.lsoas))


def parse_priority_rule(rule: str | float | int) -> float | Path:
    """``"most_deprived_10pct"`` -> ``10.0``; a number -> itself; anything else is a path to a CSV list."""
    if isinstance(rule, (int, float)):
        return float(rule)
    text = str(rule).strip()
    found = _PRIORITY_RULE.fullmatch(text)
    if found:
        return float(found.group(1))
    if text.lower().endswith(".csv") or os.sep in text or "/" in text:
        return Path(text)
    raise ValueError(f"priority rule {rule!r}: write 'most_deprived_<N>pct' (e.g. most_deprived_10pct) or give "
                     "the path of a CSV file with columns lsoa_code, name")


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of an undirected graph (union-find); labels numbered by first member."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = [find(i) for i in range(n)]
    labels: dict[int, int] = {}
    return np.array([labels.setdefault(r, len(labels)) for r in roots], dtype=np.int64)


def adjacency_pairs(geometries: gpd.GeoSeries, tolerance_m: float = DEFAULT_TOLERANCE_M) -> tuple[np.ndarray,
                                                                                                   np.ndarray]:
    """Index pairs of polygons that touch or lie within ``tolerance_m`` metres of each other.

    Generalised (BSC) boundaries leave slivers and gaps between neighbours, so each polygon is buffered by half
    the tolerance before testing for intersection.
    """
    import geopandas as gpd

    buffered = gpd.GeoSeries(geometries.buffer(tolerance_m / 2).values, crs=geometries.crs)
    left, right = buffered.sindex.query(buffered.values, predicate="intersects")
    keep = left < right
    return left[keep], right[keep]


def _cluster_labels(members: gpd.GeoDataFrame, tolerance_m: float, split_above_lsoas: int | None) -> np.ndarray:
    left, right = adjacency_pairs(members.geometry.reset_index(drop=True), tolerance_m)
    labels = _components(len(members), left, right)
    if split_above_lsoas is None:
        return labels
    sizes = np.bincount(labels)
    big = sizes[labels] > split_above_lsoas
    if not big.any():
        return labels
    ward = members["ward_code"].to_numpy()
    # inside an oversized cluster keep only edges between LSOAs of the same ward
    keep = ~big[left] | (ward[left] == ward[right])
    return _components(len(members), left[keep], right[keep])


def _ward_names(frame: pd.DataFrame) -> str:
    by_ward = frame.groupby("ward_name")["population"].sum().reset_index()
    by_ward = by_ward.sort_values(["population", "ward_name"], ascending=[False, True])
    return " / ".join(by_ward["ward_name"])


def _summarise_clusters(members: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """One row per ``_cluster`` label: name, size, population, weighted score, geometry; ranked."""
    import geopandas as gpd

    rows = []
    for label, group in members.groupby("_cluster", sort=True):
        closed = group.geometry.union_all().buffer(tolerance_m / 2).buffer(-tolerance_m / 2)
        rows.append({
            "_cluster": label,
            "name": group["_name"].iloc[0] if "_name" in group else _ward_names(group),
            "n_lsoas": len(group),
            "population": int(group["population"].sum()),
            "pop_weighted_score": _weighted_score(group),
            "wards": _ward_names(group),
            "_first": group["lsoa_code"].min(),
            "geometry": closed,
        })
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=members.crs)
    out = out.sort_values(["pop_weighted_score", "population", "_first"], ascending=[False, False, True],
                          ignore_index=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out["cluster_id"] = [f"PN{r:02d}" for r in out["rank"]]
    # the same ward name on several clusters: number them in rank order
    repeated = out["name"].duplicated(keep=False)
    if repeated.any():
        nth = out[repeated].groupby("name").cumcount() + 1
        out.loc[repeated, "name"] = out.loc[repeated, "name"] + " (" + nth.astype(str) + ")"
    return out


def _read_priority_list(lsoa_list: PathLike | pd.DataFrame, valid: pd.Series, edition: int,
                        place: Place) -> pd.DataFrame:
    """Read and check a user list (``lsoa_code, name``); every problem is reported together."""
    if isinstance(lsoa_list, pd.DataFrame):
        source, raw = "priority neighbourhood list", lsoa_list.astype("str").copy()
    else:
        path = Path(lsoa_list)
        source = str(path)
        if not path.is_file():
            raise PriorityListError(source, ["file not found: give a CSV with columns lsoa_code, name"])
        raw = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in ("lsoa_code", "name") if c not in raw.columns]
    if missing:
        raise PriorityListError(source, [f"row 1 (header): missing column(s) {missing}; found {list(raw.columns)}"])
    raw = raw[["lsoa_code", "name"]].apply(lambda column: column.str.strip())
    raw = raw[(raw != "").any(axis=1)]  # blank lines are skipped; row numbers still count them
    if raw.empty:
        raise PriorityListError(source, ["no rows: list at least one lsoa_code with its neighbourhood name"])
    lsoa_year = EDITION_LSOA_YEAR[edition]
    other = {2011: "2021", 2021: "2011"}[lsoa_year]
    known = set(valid)
    failures = []
    first_row: dict[str, int] = {}
    for index, code, name in zip(raw.index, raw["lsoa_code"], raw["name"], strict=True):
        row = int(index) + 2  # as in a spreadsheet: header = row 1
        if not code:
            failures.append(f"row {row}: lsoa_code is blank")
        elif code not in known:
            failures.append(
                f"row {row}: lsoa_code {code!r} is not one of the {len(known)} LSOA {lsoa_year} codes of "
                f"{place.name} ({place.local_authority_code}); IMD {edition} uses LSOA {lsoa_year} codes "
                f"(an LSOA {other} code belongs to the other edition)")
        elif code in first_row:
            failures.append(f"row {row}: lsoa_code {code!r} is already listed on row {first_row[code]}")
        else:
            first_row[code] = row
        if not name:
            failures.append(f"row {row}: name is blank (give the neighbourhood's name)")
    if failures:
        raise PriorityListError(source, failures)
    return raw.reset_index(drop=True)


def priority_neighbourhoods(edition: int, place: PlaceLike = "leeds", most_deprived_pct: float = 10,
                            top_k: int | None = 6, lsoa_list: PathLike | pd.DataFrame | None = None, *,
                            tolerance_m: float = DEFAULT_TOLERANCE_M,
                            split_above_lsoas: int | None = DEFAULT_SPLIT_ABOVE_LSOAS,
                            data_dir: PathLike | None = None) -> PriorityNeighbourhoods:
    """The place's priority neighbourhoods for ``edition``.

    Default rule: the place's LSOAs in the most deprived ``most_deprived_pct`` % of England (national rank at
    most ``most_deprived_pct`` % of the edition's number of LSOAs: 10% is rank <= 3,284 of 32,844 for IMD 2019 and
    <= 3,375 of 33,755 for IMD 2025, which is exactly national decile 1), grouped into contiguous clusters
    (polygons of the generalised boundaries touching or within ``tolerance_m`` metres). A cluster of more than
    ``split_above_lsoas`` LSOAs (about a ward) is not a neighbourhood: it is split along ward boundaries into its
    contiguous parts within each ward (``None`` keeps clusters whole). Each cluster is named by its ward(s),
    largest population share first, joined with " / " (numbered "(1)", "(2)" in rank order where names repeat),
    ranked by population-weighted IMD score (most deprived first), and the ``top_k`` best ranked are kept (``None``
    keeps all).

    ``lsoa_list`` (a CSV path or a frame with columns ``lsoa_code, name``) overrides the rule: each distinct name is
    one neighbourhood of the listed LSOAs (which need not be contiguous), all of them kept and ranked the same way.
    Codes must be the place's LSOAs of the edition's geography; otherwise :class:`PriorityListError` names the
    file, the row (header = row 1) and the code, for every bad row at once.

    Returns :class:`PriorityNeighbourhoods` (unpacks as ``clusters, lsoas``). Cluster geometry is the union of
    the member LSOAs with slivers narrower than the tolerance closed.
    """
    import geopandas as gpd

    edition = _check_edition(edition)
    place = _place(place)
    layer = lsoa_layer(edition, place, data_dir)
    lsoa_year = EDITION_LSOA_YEAR[edition]
    if lsoa_list is not None:
        listed = _read_priority_list(lsoa_list, layer["lsoa_code"], edition, place)
        members = layer.merge(listed.rename(columns={"name": "_name"}), on="lsoa_code", how="inner")
        members["_cluster"] = pd.factorize(members["_name"], sort=True)[0]
        source = lsoa_list if isinstance(lsoa_list, pd.DataFrame) else Path(lsoa_list).name
        rule = (f"User-supplied list of {members['_name'].nunique()} neighbourhoods ({len(members)} LSOA "
                f"{lsoa_year} areas{'' if isinstance(source, pd.DataFrame) else ' from ' + source}), ranked by "
                f"population-weighted IMD {edition} score.")
        clusters = _summarise_clusters(members, tolerance_m)
        candidates = None
        keep = clusters
    else:
        n_england = len(public.load_imd(edition, data_dir=data_dir))
        cutoff = most_deprived_cutoff(n_england, most_deprived_pct)
        members = layer[layer["imd_rank"] <= cutoff].reset_index(drop=True)
        if members.empty:
            raise ValueError(f"{place.name} has no LSOA in the {most_deprived_pct:g}% most deprived nationally "
                             f"(IMD {edition} rank <= {cutoff:,})")
        members["_cluster"] = _cluster_labels(members, tolerance_m, split_above_lsoas)
        clusters = _summarise_clusters(members, tolerance_m)
        candidates = clusters
        keep = clusters if top_k is None else clusters[clusters["rank"] <= top_k]
        split = ("" if split_above_lsoas is None else
                 f"; clusters of more than {split_above_lsoas} LSOAs are split along ward boundaries")
        kept = "all kept" if top_k is None or top_k >= len(clusters) else f"the {top_k} most deprived kept"
        rule = (f"LSOAs among the {most_deprived_pct:g}% most deprived in England (IMD {edition} national rank "
                f"<= {cutoff:,} of {n_england:,}; {len(members)} of the {len(layer)} LSOAs in {place.name}), grouped "
                f"into contiguous clusters (boundaries within {tolerance_m:g} m){split}; {len(clusters)} clusters "
                f"ranked by population-weighted IMD score, {kept}.")
    columns = ["cluster_id", "name", "rank", "n_lsoas", "population", "pop_weighted_score", "wards", "geometry"]
    keep = gpd.GeoDataFrame(keep[columns].reset_index(drop=True), geometry="geometry", crs=layer.crs)
    ids = clusters.set_index("_cluster")[["cluster_id", "name", "rank"]]
    membership = members.drop(columns="geometry").join(ids, on="_cluster")
    membership = membership[membership["cluster_id"].isin(keep["cluster_id"])]
    membership = pd.DataFrame(membership[["cluster_id", "name", "rank", "lsoa_code", "lsoa_name", "ward_code",
                                          "ward_name", "imd_score", "imd_rank", "imd_decile", "population",
                                          "edition", "lsoa_year"]])
    membership = membership.sort_values(["rank", "lsoa_code"], ignore_index=True)
    if candidates is not None:
        candidates = gpd.GeoDataFrame(candidates[columns], geometry="geometry", crs=layer.crs)
    keep.attrs["rule"] = rule
    return PriorityNeighbourhoods(clusters=keep, lsoas=membership, edition=edition, rule=rule,
                                  candidates=candidates)


def priority_neighbourhoods_from_rule(rule: str | float, edition: int, place: PlaceLike = "leeds",
                                      top_k: int | None = 6, data_dir: PathLike | None = None,
                                      **kwargs) -> PriorityNeighbourhoods:
    """:func:`priority_neighbourhoods` from a notebook parameter: ``"most_deprived_10pct"`` or a CSV path."""
    parsed = parse_priority_rule(rule)
    if isinstance(parsed, Path):
        return priority_neighbourhoods(edition, place, top_k=top_k, lsoa_list=parsed, data_dir=data_dir, **kwargs)
    return priority_neighbourhoods(edition, place, most_deprived_pct=parsed, top_k=top_k, data_dir=data_dir,
                                   **kwargs)


# --- staff residence -----------------------------------------------------------------------------------------


def _check_residence(residence: pd.DataFrame) -> pd.DataFrame:
    needed = ["year", "anchor_id", "lsoa_code", "count"]
    missing = [c for c in needed if c not in residence.columns]
    if missing:
        raise ValueError(f"staff residence needs columns {needed}; missing {missing}. Postcode-level files are "
                         "aggregated to LSOA counts when read (anchor_analysis.io.load_network)")
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
    Columns: ``lsoa21_code, lsoa_code, imd_score, imd_rank, imd_decile``.
    """
    edition = _check_edition(edition)
    return _lsoa21_to_edition(edition, None if data_dir is None else str(data_dir)).copy()


@functools.lru_cache(maxsize=4)
def _lsoa21_to_edition(edition: int, data_dir: str | None) -> pd.DataFrame:
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

    ``residence``: ``year, anchor_id, lsoa_code`` (LSOA 2021), ``count``. ``lsoa_year=2011`` re-expresses the
    counts on 2011 LSOAs through each LSOA 2021's best-fit LSOA 2011. Wards from the best-fit lookups, current
    codes. Areas anywhere in England and Wales are kept (``lad_code`` tells which are in the place); staff not
    located are one ``unknown`` row. Only areas where staff live appear (see :func:`staff_rates` for every area).

    Columns: ``year, [anchor_id,] <level>_code, <level>_name, lad_code, count``.
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
    apportioned (see :func:`anchor_analysis.public.load_imd`). Columns: ``year, [anchor_id,] <level>_code,
    <level>_name, count, population_working_age, rate_per_1000``. With ``by_anchor`` each year lists the anchors
    with residence data that year.
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
    anywhere in England counts, not only in the place. LSOAs without an English IMD (Wales) and unlocated staff
    count as not in decile 1 but are in ``staff``.

    Columns: ``year, anchor_id, staff`` (all staff with residence data), ``staff_in_most_deprived``,
    ``share_most_deprived`` (0-1); one row per year and anchor in ``residence``, sorted. Sum over anchors for the
    network figure.
    """
    edition = _check_edition(edition)
    residence = _check_residence(residence)
    decile = lsoa21_to_edition(edition, data_dir).set_index("lsoa21_code")["imd_decile"]
    deprived = residence["lsoa_code"].map(decile).eq(1)
    residence["in_decile1"] = residence["count"].where(deprived, 0)
    out = residence.groupby(["year", "anchor_id"], as_index=False).agg(
        staff=("count", "sum"), staff_in_most_deprived=("in_decile1", "sum"))
    out["share_most_deprived"] = out["staff_in_most_deprived"] / out["staff"].where(out["staff"] > 0)
    out.attrs["edition"] = edition
    return out.sort_values(["year", "anchor_id"], ignore_index=True)


def _membership(clusters: PriorityNeighbourhoods | pd.DataFrame) -> pd.DataFrame:
    lsoas = clusters.lsoas if isinstance(clusters, PriorityNeighbourhoods) else clusters
    needed = {"cluster_id", "name", "rank", "lsoa_code", "edition"}
    if not needed <= set(lsoas.columns):
        raise ValueError(f"give priority_neighbourhoods(...) or its LSOA membership table (columns {sorted(needed)})")
    return lsoas


def staff_in_priority_neighbourhoods(residence: pd.DataFrame, clusters: PriorityNeighbourhoods | pd.DataFrame,
                                     by_anchor: bool = False, data_dir: PathLike | None = None) -> pd.DataFrame:
    """Staff living in each priority neighbourhood, per year (and anchor with ``by_anchor``); zeros kept.

    A residence LSOA 2021 is in a neighbourhood when the LSOA standing for it in the neighbourhoods' edition
    (itself for 2025, its best-fit LSOA 2011 for 2019) is a member. Columns: ``year, [anchor_id,] cluster_id,
    name, rank, count``.
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


# --- disclosure ---------------------------------------------------------------------------------------------


def publish_counts(table: pd.DataFrame, place: PlaceLike = "leeds", value_col: str = "count",
                   group_cols: Sequence[str] | None = ("year",), derived: Sequence[str] = ("rate_per_1000",),
                   total_published: bool = True, also_groups: Sequence[Sequence[str]] = ()) -> pd.DataFrame:
    """A staff-count table as it may be published: small counts withheld with the place's threshold.

    Applies :func:`anchor_analysis.disclosure.suppress_counts` (primary and secondary suppression within each
    ``group_cols`` group, whose total is taken to be published) and blanks the ``derived`` columns (e.g. rates,
    from which a count could be recovered) wherever the count is withheld. Adds ``suppressed`` ("primary",
    "secondary" or "").

    ``also_groups``: further groupings whose totals are published in *other* tables (e.g. the LSOAs of each ward,
    when ward totals are published too; rows with a missing key belong to no group). Secondary suppression is
    then repeated over every grouping until no group lets a withheld cell be recovered by subtraction: each
    group with a withheld cell withholds at least two whose sum reaches the threshold (the same rule as
    :mod:`anchor_analysis.disclosure`).
    """
    threshold = _place(place).disclosure_threshold
    groups = [c for c in (group_cols or ()) if c in table.columns] or None
    out = suppress_counts(table.reset_index(drop=True), value_col, threshold, groups,
                          total_published=total_published)
    if also_groups:
        values = pd.to_numeric(table[value_col]).fillna(0).to_numpy(dtype=np.int64)
        hidden = out[value_col].isna().to_numpy().copy()
        groupings = [list(g) for g in also_groups] + ([groups] if groups and total_published else [])
        changed = True
        while changed:
            changed = False
            for keys in groupings:
                for index in out.groupby(keys, sort=True, dropna=True).indices.values():
                    extra = secondary_cells(values[index], hidden[index], threshold)
                    if extra.any():
                        hidden[np.asarray(index)[extra]] = True
                        changed = True
        newly = hidden & out[value_col].notna().to_numpy()
        out.loc[newly, value_col] = pd.NA
        out.loc[newly, "suppressed"] = "secondary"
    hidden_rows = out[value_col].isna()
    for column in derived:
        if column in out.columns:
            out[column] = out[column].astype("Float64").mask(hidden_rows)
    out.attrs["threshold"] = threshold
    return out


def group_totals(table: pd.DataFrame, value_col: str = "count", group_cols: Sequence[str] = ("year",)) -> pd.Series:
    """The true totals of ``value_col`` per group (what a published total reveals), for disclosure checks."""
    return table.groupby(list(group_cols))[value_col].sum()


# --- spend landing ------------------------------------------------------------------------------------------


def financial_year(dates: pd.Series) -> pd.Series:
    """April-March financial year (its starting calendar year) of each date."""
    dates = pd.to_datetime(dates)
    return (dates.dt.year - (dates.dt.month < 4).astype("int64")).astype("int64")


def locate_suppliers(ledger: pd.DataFrame, data_dir: PathLike | None = None) -> pd.DataFrame:
    """Ledger lines with the supplier's LSOA 2021, ward (current code) and local authority.

    Uses ``lsoa21_code`` if the ledger already carries it (e.g. from the spend module's classification),
    otherwise joins the normalised ``supplier_postcode`` to the NSPL postcode lookup (LS, BD, WF, HX, HD, HG, YO
    areas). Adds ``year`` (financial year of ``payment_date``) if absent, ``supplier_lsoa21_code``,
    ``supplier_ward_code``, ``supplier_ward_name``, ``supplier_lad_code`` (``unknown`` for a blank or malformed
    postcode; ``supplier_lad_code`` is ``outside_lookup`` for a well-formed postcode outside the lookup's areas,
    i.e. outside the place). The postcode itself goes no further than this frame.
    """
    from .postcodes import normalise_postcodes, valid_postcode_mask

    out = ledger.copy()
    if "year" not in out.columns:
        out["year"] = financial_year(out["payment_date"])
    if "lsoa21_code" in out.columns:  # already classified (anchor_analysis.spend.classify_supplier_postcodes)
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


def site_locations(sites: pd.DataFrame, data_dir: PathLike | None = None) -> gpd.GeoDataFrame:
    """Anchor sites as points in British National Grid, located by postcode (NSPL centroid, WGS84 reprojected).

    Columns: ``anchor_id, site_name, main_site, located, geometry`` (no postcode: it is only the join key).
    Sites whose postcode is not in the lookup have ``located`` False and an empty geometry.
    """
    import geopandas as gpd
    from shapely.geometry import Point

    from .postcodes import normalise_postcodes

    lookup = public.load_postcode_lookup("region", columns=["postcode", "latitude", "longitude"],
                                         data_dir=data_dir).drop_duplicates("postcode").set_index("postcode")
    postcode = normalise_postcodes(sites["postcode"])
    lat, lon = postcode.map(lookup["latitude"]), postcode.map(lookup["longitude"])
    located = (lat.notna() & lon.notna()).to_numpy()
    points = gpd.GeoSeries([Point(x, y) if ok else None for x, y, ok in zip(lon, lat, located, strict=True)],
                           crs="EPSG:4326", index=sites.index)
    keep = [c for c in ("anchor_id", "site_name", "main_site") if c in sites.columns]
    out = gpd.GeoDataFrame(sites[keep].copy(), geometry=points.to_crs(public.BRITISH_NATIONAL_GRID))
    out["located"] = located
    return out[[*keep, "located", "geometry"]]


def classified_ledger(ledger_files: Sequence[PathLike], place: PlaceLike = "leeds", imd_edition: int = 2019,
                      influenceable_only: bool = True, data_dir: PathLike | None = None) -> pd.DataFrame:
    """A network's ledger files read, located and (by default) filtered to influenceable spend.

    Uses :mod:`anchor_analysis.spend`: ``read_ledger``, ``classify_supplier_postcodes`` (NSPL lookup of the
    region) and ``apply_influenceable_rules`` (the shipped rules), then :func:`locate_suppliers` for wards.
    ``attrs["excluded"]``: spend excluded as not influenceable, per financial year.
    """
    from . import spend

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


# --- published tables ---------------------------------------------------------------------------------------


ROUNDING = {"rate_per_1000": 1, "pop_weighted_score": 3, "spend": 2, "imd_score": 3}
"""Decimal places of published columns; shares (``share*``) get 4."""


def round_for_publication(frame: pd.DataFrame) -> pd.DataFrame:
    """Round floats for CSV output: rates 1 dp, scores 3 dp, money 2 dp, shares 4 dp (see :data:`ROUNDING`)."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    for column in out.columns:
        if not pd.api.types.is_float_dtype(out[column]):
            continue
        digits = next((d for prefix, d in ROUNDING.items() if column.startswith(prefix)), None)
        if digits is None and column.startswith("share"):
            digits = 4
        if digits is not None:
            out[column] = out[column].round(digits)
    return out


def write_tables(tables: dict[str, pd.DataFrame], output_dir: PathLike) -> list[Path]:
    """Write each table as ``<output_dir>/<name>.csv`` (rounded for publication; written to a temporary file and
    renamed, so a failed run leaves no half-written table). Returns the paths."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
            raise ValueError(f"table name {name!r}: give a plain file stem")
        path, tmp = folder / f"{name}.csv", folder / f".{name}.csv.part"
        try:
            round_for_publication(table).to_csv(tmp, index=False, lineterminator="\n")
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(path)
    return written


def staff_by_ward_and_anchor(residence: pd.DataFrame, year: int, place: PlaceLike = "leeds",
                             data_dir: PathLike | None = None) -> pd.DataFrame:
    """Staff per anchor and ward of the place in ``year``, disclosure-controlled as a two-way table.

    Both the wards' network totals and each anchor's total are published elsewhere, so the wards x anchors grid
    goes through :func:`anchor_analysis.disclosure.suppress_grid` (secondary suppression along rows and columns).
    Columns: ``year, anchor_id, ward_code, ward_name, staff`` (Int64, missing = withheld), ``suppressed``.
    """
    from .disclosure import suppress_grid

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


def staff_tables(residence: pd.DataFrame, year: int, edition: int, clusters: PriorityNeighbourhoods,
                 place: PlaceLike = "leeds", data_dir: PathLike | None = None) -> dict[str, pd.DataFrame]:
    """Every staff table of the priority neighbourhoods report for ``year``, disclosure-controlled.

    - ``staff_by_ward``, ``staff_by_lsoa`` (LSOAs of ``edition``'s geography, with their ward and priority
      neighbourhood): network staff per area, working-age population and rate per 1,000 (blank where the count is
      withheld); LSOA cells are also protected within each ward and neighbourhood, whose totals are published;
    - ``staff_by_ward_and_anchor``: per anchor and ward, suppressed as a two-way table (ward totals and anchor
      totals both published): :func:`anchor_analysis.disclosure.suppress_grid`;
    - ``staff_in_most_deprived_by_anchor``: :func:`staff_in_most_deprived` per anchor (share blank when withheld);
    - ``staff_in_priority_neighbourhoods`` (network, per neighbourhood) and ``..._by_anchor`` (per anchor, all
      neighbourhoods together).

    Counts are in a column ``staff`` (``staff_in_most_deprived`` for that table) with ``suppressed`` flags; see
    :data:`STAFF_TABLES` for the groups whose totals count as published.
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
    by_lsoa.insert(4, "cluster_id", by_lsoa["lsoa_code"].map(_membership(clusters).set_index("lsoa_code")[
        "cluster_id"]))
    tables["staff_by_lsoa"] = publish_counts(by_lsoa, place, "staff",
                                             also_groups=[["year", "ward_code"], ["year", "cluster_id"]])

    tables["staff_by_ward_and_anchor"] = staff_by_ward_and_anchor(resident, year, place, data_dir)

    deprived = staff_in_most_deprived(resident, edition, data_dir).drop(columns="staff")
    deprived.insert(2, "edition", edition)
    tables["staff_in_most_deprived_by_anchor"] = publish_counts(
        deprived, place, "staff_in_most_deprived", derived=("share_most_deprived",))

    in_pn = staff_in_priority_neighbourhoods(resident, clusters, data_dir=data_dir).rename(columns={"count": "staff"})
    tables["staff_in_priority_neighbourhoods"] = publish_counts(in_pn, place, "staff")
    pn_anchor = staff_in_priority_neighbourhoods(resident, clusters, by_anchor=True, data_dir=data_dir)
    pn_anchor = pn_anchor.groupby(["year", "anchor_id"], as_index=False)["count"].sum()
    tables["staff_in_priority_neighbourhoods_by_anchor"] = publish_counts(
        pn_anchor.rename(columns={"count": "staff"}), place, "staff")
    return tables
