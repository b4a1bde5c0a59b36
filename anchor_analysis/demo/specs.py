"""The demo anchors, the published aggregates they are solved to, and the real geography they sit on.

In: ``anchor_analysis/data/demo_anchors.csv`` (invented generator parameters) and the public data. Out:
:data:`ANCHORS`, the targets (:data:`TARGETS`, :data:`PUBLISHED_2019_OVERVIEW`, ...), :class:`DemoGeography` and
the small deterministic helpers the generator uses.

>>> len(ANCHORS), ANCHORS[0].name, TARGETS["headcount_2023"]
(14, 'NHS Trust A', 62300)
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from anchor_analysis.core.places import Place

YEARS = tuple(range(2019, 2025))
"""Financial years of the demo returns: 2019/20 to 2024/25."""

SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: the demo network is invented by anchor_analysis.demo and agrees with published Leeds "
    "aggregates by construction. It describes no real organisation."
)

# --- the anchors --------------------------------------------------------------------------------------------
# Generator parameters (invented): size in 2023/24, where staff live, how they spend and emit.
# leeds_share: share of staff living in Leeds before the network-wide solve; reach_km: distance decay of
# residence around the main site; site: postcode district the main site is placed in (a random real postcode
# of that district is drawn, so no real building is pinned).


@dataclass(frozen=True)
class AnchorSpec:
    """The generator's parameters of one demo anchor (invented), from ``anchor_analysis/data/demo_anchors.csv``.

    Parameters
    ----------
    anchor_id, name, sector : str
        Its id (``nhs_trust_a``), pseudonymous name ("NHS Trust A") and sector.
    joined : int
        The financial year it joined the network.
    left : int or None
        The financial year it left (a member until the year before); None while a member.
    headcount : int
        Staff in 2023/24, before the network-wide solve.
    leeds_share : float
        Share of staff living in Leeds, before the solve.
    reach_km : float
        Distance decay of where staff live around the main site.
    site : str
        Postcode district of the main site (a random real postcode of it is drawn).
    total_spend_m : float
        Total spend in 2019/20, GBP million.
    influenceable_ratio : float
        Influenceable share of total spend.
    leeds_spend_share : float
        Share of influenceable spend in Leeds.
    carbon_kt : float
        Scope 1+2 emissions in 2019/20, kt CO2e.
    land_ha : float or None
        Land held, hectares (None: not reported).

    Examples
    --------
    >>> spec = ANCHORS[0]
    >>> spec.anchor_id, spec.sector, spec.joined, spec.left, spec.site
    ('nhs_trust_a', 'nhs', 2018, None, 'LS9')
    """

    anchor_id: str
    name: str
    sector: str
    joined: int
    left: int | None
    headcount: int
    leeds_share: float
    reach_km: float
    site: str
    total_spend_m: float
    influenceable_ratio: float
    leeds_spend_share: float
    carbon_kt: float
    land_ha: float | None


def _load_anchor_specs() -> tuple[AnchorSpec, ...]:
    """Generator parameters per anchor, from ``anchor_analysis/data/demo_anchors.csv`` (invented, see its header).

    headcount: 2023/24 before the solve; leeds_share: share of staff living in Leeds before the solve; reach_km:
    residence decay; site: postcode district of the main site; total_spend_m: total spend GBP m in 2019/20;
    influenceable_ratio: influenceable share of it; leeds_spend_share: share of influenceable spend in Leeds;
    carbon_kt: scope 1+2 kt in 2019/20; land_ha: land held (blank: not reported).
    """
    text = (resources.files("anchor_analysis") / "data" / "demo_anchors.csv").read_text(encoding="utf-8")
    specs = []
    for row in csv.DictReader(io.StringIO(text)):
        specs.append(AnchorSpec(
            row["anchor_id"], row["name"], row["sector"], int(row["joined"]), int(row["left"]) if row["left"] else None,
            int(row["headcount"]), float(row["leeds_share"]), float(row["reach_km"]), row["site"],
            float(row["total_spend_m"]), float(row["influenceable_ratio"]), float(row["leeds_spend_share"]),
            float(row["carbon_kt"]), float(row["land_ha"]) if row["land_ha"] else None))
    return tuple(specs)


ANCHORS: tuple[AnchorSpec, ...] = _load_anchor_specs()

# Who returned a progression self-assessment each year (seed 003: 7 of 11 anchors in 2019/20).
PROGRESSION_REPORTERS = {
    2019: ["nhs_trust_a", "nhs_trust_b", "nhs_trust_c", "university_a", "university_b", "fe_college_a",
           "local_authority_a"],
    2020: ["nhs_trust_a", "nhs_trust_c", "university_a", "university_b", "local_authority_a", "water_utility_a"],
    2021: ["nhs_trust_a", "nhs_trust_b", "nhs_trust_c", "university_a", "university_b", "university_c",
           "fe_college_a", "local_authority_a", "water_utility_a"],
    2022: ["nhs_trust_a", "nhs_trust_b", "nhs_trust_c", "nhs_body_d", "university_a", "university_b",
           "university_c", "fe_college_a", "local_authority_a", "water_utility_a"],
    2023: ["nhs_trust_a", "nhs_trust_b", "nhs_trust_c", "nhs_body_d", "university_a", "university_b",
           "university_c", "fe_college_a", "fe_college_b", "local_authority_a", "water_utility_a",
           "cultural_body_a"],
    2024: ["nhs_trust_a", "nhs_trust_b", "nhs_trust_c", "university_a", "university_b", "university_c",
           "fe_college_a", "local_authority_a", "water_utility_a", "government_department_a", "cultural_body_a"],
}
# Activities some anchors did not assess (partial returns are real: the count assessed is shown).
UNASSESSED = {
    ("fe_college_b", "net_zero"), ("fe_college_b", "new_developments"),
    ("cultural_body_a", "core_services_disadvantaged"), ("nhs_trust_c", "new_developments"),
}
# Seed 003 "Progression Framework Results Overview", 2019/20, 7 anchors: (current, ambition) per dimension.
PUBLISHED_2019_OVERVIEW = {
    "employment": (3.1, 3.7), "procurement": (1.7, 2.7), "environment_assets": (2.5, 3.1),
    "service_delivery": (2.7, 3.8), "civic": (2.8, 3.7),
}
# Where the 2019/20 solve aims inside the published rounding interval. Employment is placed so that both
# means round to the published 3.1 and 3.7 while round(ambition - current) = 0.5, not the published 0.6: the
# demo thereby tells the published method (stretch = rounded ambition - rounded current) apart from the
# alternative, so the back test fails if the rounding definition changes. Others aim at the published value.
PF_SOLVE_TARGETS_2019 = {("employment", "current"): 88 / 28, ("employment", "ambition"): 103 / 28}
PF_SOLVE_TOLERANCE = 0.02
# Seed 003 "Procurement": the 6 anchors of the 2019/20 spend baseline.
SPEND_BASELINE_2019 = ["nhs_trust_a", "nhs_trust_c", "university_a", "university_b", "fe_college_a",
                       "local_authority_a"]
TARGETS = {
    "headcount_2023": 62_300,  # seed 000 "over 62,000" and seed 001 "62,000" (to the thousand): [62,000, 62,500)
    "leeds_staff_share_2023": 0.640,     # "64% residing in Leeds" (seed 000)
    "staff_most_deprived_2023": 12_300,  # "12,300 from the most disadvantaged wards" (seed 001)
    "spend_leeds_2023": 511_000_000,     # "GBP 511 million of influenceable expenditure" (seed 000)
    "carbon_reduction_2019_2023": 110_000,  # "110,000 tonnes ... over four years" (seeds 000, 001)
    "spend_share_leeds_2019": 0.480,     # "average of 48% spent in Leeds" (seed 003)
    "spend_share_wy_2019": 0.525,        # "52.5% in West Yorkshire" (seed 003)
    "total_spend_2019_min": 2_000_000_000,  # "annual spend of 11 anchors in excess of GBP 2bn" (seed 003)
}
# Living Wage (seed 003: 10 of 11 in 2019/20): anchors not yet paying it to all employees, by year.
NOT_LIVING_WAGE = {2019: {"fe_college_b"}, 2020: {"fe_college_b"}, 2023: {"cultural_body_b"}}

LEDGER_CATEGORIES = {
    # category: (influenceable?, share of supplier count)
    "Construction and estates": (True, 0.16),
    "Facilities management": (True, 0.12),
    "Medical and laboratory supplies": (True, 0.10),
    "ICT and digital": (True, 0.12),
    "Professional services": (True, 0.14),
    "Energy and utilities": (True, 0.05),
    "Catering and hospitality": (True, 0.08),
    "Transport and fleet": (True, 0.06),
    "Training and education": (True, 0.07),
    "Payments to public bodies": (False, 0.04),
    "Tax and levies": (False, 0.02),
    "Pensions": (False, 0.02),
    "Grants to individuals": (False, 0.02),
}
ELSEWHERE_NATIONAL_POSTCODES = ["M1 1AE", "B1 1BB", "EC1A 1BB", "NG1 5FS", "S1 2HE", "M3 3EB", "BS1 4DJ",
                                "L1 8JQ", "CF10 1EP", "G2 1DY"]
JUNK_POSTCODES = ["", "N/A", "LS99 9ZZ", "TBC", "LS1", "WF17 0ZZ"]


# --- small deterministic helpers -----------------------------------------------------------------------------

def _rng(seed: int, *keys: object) -> np.random.Generator:
    """An independent stream per purpose, so changing one part of the generator leaves the others unchanged."""
    digest = hashlib.sha256(repr((seed, *keys)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split integer ``total`` in proportion to ``weights`` (Hamilton's method), ties broken by position.

    Parameters
    ----------
    total : int
        What to split; nothing is split when it is 0 or less.
    weights : numpy.ndarray
        Non-negative weights; all zero splits nothing.

    Returns
    -------
    numpy.ndarray of int64
        One whole part per weight, summing to ``total`` (or all zero).

    Examples
    --------
    >>> largest_remainder(10, np.array([1.0, 1.0, 1.0])).tolist()
    [4, 3, 3]
    >>> largest_remainder(100, np.array([2.0, 1.0, 0.0])).tolist(), largest_remainder(0, np.array([1.0])).tolist()
    ([67, 33, 0], [0])
    """
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    quotas = weights / weights.sum() * total
    counts = np.floor(quotas).astype(np.int64)
    short = int(total - counts.sum())
    order = np.lexsort((np.arange(len(weights)), -(quotas - counts)))
    counts[order[:short]] += 1
    return counts


def _bisect(f, lo: float, hi: float, target: float, iterations: int = 60) -> float:
    """Solve f(x) = target for increasing f on [lo, hi]."""
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def is_member(spec: AnchorSpec, year: int) -> bool:
    """Return whether the anchor is a member of the network in ``year``: joined by then, not yet left.

    Parameters
    ----------
    spec : AnchorSpec
        The anchor.
    year : int
        The financial year (2023 = 2023/24).

    Returns
    -------
    bool

    Examples
    --------
    >>> leaver = next(spec for spec in ANCHORS if spec.left is not None)
    >>> leaver.anchor_id, leaver.left, is_member(leaver, 2023), is_member(leaver, 2024)
    ('nhs_body_d', 2024, True, False)
    """
    return spec.joined <= year and (spec.left is None or year < spec.left)


# --- geography -----------------------------------------------------------------------------------------------

@dataclass
class DemoGeography:
    """Real geography the demo draws on: LSOA 2021 centroids, rings, population, IMD 2019 decile, postcodes.

    Parameters
    ----------
    lsoas : pandas.DataFrame
        One row per LSOA 2021: ``lsoa_code, lad_code, ring, x_km, y_km, population, decile_2019`` (centroids in
        km from a point near Leeds).
    postcodes : pandas.DataFrame
        One row per postcode: ``postcode, postcode_district, lsoa21_code, lad24_code, ring, decile_2019``.

    See Also
    --------
    load_demo_geography : Builds it from the public data.

    Examples
    --------
    >>> geography = DemoGeography(lsoas=pd.DataFrame(columns=["lsoa_code", "ring"]),
    ...                           postcodes=pd.DataFrame(columns=["postcode", "ring"]))
    >>> len(geography.lsoas), list(geography.postcodes.columns)
    (0, ['postcode', 'ring'])
    """

    lsoas: pd.DataFrame      # lsoa_code, lad_code, ring, x_km, y_km, population, decile_2019
    postcodes: pd.DataFrame  # postcode, postcode_district, lsoa21_code, lad24_code, ring, decile_2019


def load_demo_geography(place: Place, data_dir: Path | None = None) -> DemoGeography:
    """Build the demo's geography from the public data: the region's postcodes, LSOA centroids and population.

    Each postcode is placed in the innermost of the place's rings its local authority belongs to (else
    ``elsewhere``) and given its LSOA's IMD 2019 decile; LSOA centroids are the mean of their postcodes, with the
    population of the IMD 2025 files.

    Parameters
    ----------
    place : Place
        The place whose rings the demo uses (Leeds).
    data_dir : Path, optional
        The public data folder; default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.

    Returns
    -------
    DemoGeography

    Raises
    ------
    PublicDataMissing
        When the public data is not available.

    Examples
    --------
    >>> from anchor_analysis.core.places import load_place
    >>> geography = load_demo_geography(load_place("leeds"))  # doctest: +PUBLIC_DATA
    >>> len(geography.lsoas), sorted(geography.lsoas["ring"].unique())  # doctest: +PUBLIC_DATA
    (1907, ['elsewhere', 'leeds', 'west_yorkshire'])
    """
    from anchor_analysis import public

    pcs = public.load_postcode_lookup(scope="region", data_dir=data_dir)
    pcs = pcs.dropna(subset=["lsoa21_code", "latitude", "longitude", "lad24_code"]).copy()
    pcs["postcode"] = pcs["postcode"].astype(str)
    ring = pd.Series("elsewhere", index=pcs.index)
    for r in reversed(place.rings):  # innermost ring last, so it wins
        ring[pcs["lad24_code"].astype(str).isin(r.lad_codes)] = r.key
    pcs["ring"] = ring
    imd = public.imd_for_lsoa21(2019, data_dir=data_dir)[["lsoa21_code", "imd_decile"]]
    pcs = pcs.merge(imd.rename(columns={"imd_decile": "decile_2019"}), on="lsoa21_code", how="left")
    pop = public.load_imd(2025, data_dir=data_dir)[["lsoa_code", "population"]]
    lat0 = math.radians(53.8)
    centroids = (
        pcs.groupby("lsoa21_code", observed=True)
        .agg(lat=("latitude", "mean"), lon=("longitude", "mean"), lad_code=("lad24_code", "first"),
             ring=("ring", "first"), decile_2019=("decile_2019", "first"))
        .reset_index()
        .rename(columns={"lsoa21_code": "lsoa_code"})
    )
    centroids["x_km"] = (centroids["lon"] + 1.55) * 111.32 * math.cos(lat0)
    centroids["y_km"] = (centroids["lat"] - 53.8) * 110.57
    lsoas = centroids.merge(pop, on="lsoa_code", how="inner").sort_values("lsoa_code", ignore_index=True)
    lsoas["lad_code"] = lsoas["lad_code"].astype(str)
    cols = ["postcode", "postcode_district", "lsoa21_code", "lad24_code", "ring", "decile_2019"]
    postcodes = pcs[cols].sort_values("postcode", ignore_index=True)
    for col in ("postcode_district", "lsoa21_code", "lad24_code"):
        postcodes[col] = postcodes[col].astype(str)
    return DemoGeography(lsoas=lsoas, postcodes=postcodes)
