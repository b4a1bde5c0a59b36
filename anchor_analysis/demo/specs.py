"""The demo anchors' generator parameters, the real geography they sit on, and small deterministic helpers.

In: a demo network's anchors CSV (``anchor_analysis/data/demo/<network>_anchors.csv``: invented generator
parameters, one row per anchor) and the public data. Out: :class:`AnchorSpec` per anchor, :class:`DemoGeography` and
the helpers the generator uses. What each network solves for is its targets file
(:mod:`anchor_analysis.demo.targets`).

>>> specs = load_anchor_specs("leeds_anchors.csv")
>>> len(specs), specs[0].name, specs[0].headcount
(14, 'NHS Trust A', 20500)
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

from anchor_analysis.core.errors import ConfigError
from anchor_analysis.core.places import Place

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

# --- the anchors --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorSpec:
    """The generator's parameters of one demo anchor (invented), one row of a network's anchors CSV.

    A blank parameter means the anchor never returns that part: no ``headcount``, no workforce return (and no
    staff residence); no ``total_spend_m``, no spend return; no ``carbon_kt``, no emissions; no ``land_ha``, no land.

    Parameters
    ----------
    anchor_id, name, sector : str
        Its id (``nhs_trust_a``), pseudonymous name ("NHS Trust A") and sector.
    joined : int
        The financial year it joined the network.
    left : int or None
        The financial year it left (a member until the year before); None while a member.
    headcount : int or None
        Staff in the network's reference year, before any solve.
    inner_share : float
        Share of staff living in the place (the innermost ring), before any solve.
    reach_km : float
        Distance decay of where staff live around the main site.
    site : str
        Postcode district of the main site (a random real postcode of it is drawn).
    total_spend_m : float or None
        Total spend in the network's first year, GBP million.
    influenceable_ratio : float
        Influenceable share of total spend.
    inner_spend_share : float
        Share of influenceable spend with suppliers in the place.
    carbon_kt : float or None
        Scope 1+2 emissions in the first year, kt CO2e.
    land_ha : float or None
        Land held, hectares.
    region_share : float, default 0.6
        Share of the staff living outside the place who live in the rest of the region (the outer ring).
    region_spend_share : float or None, default None
        Share of influenceable spend in the region (the outer ring, the place included); None: a little above the
        place's share.
    residence : bool, default True
        Returns where its staff live (counts by LSOA), when it returns a headcount.
    ledger : bool, default True
        Sends its supplier ledger, in the years it analysed where its spend lands.

    Examples
    --------
    >>> spec = load_anchor_specs("leeds_anchors.csv")[0]
    >>> spec.anchor_id, spec.sector, spec.joined, spec.left, spec.site, spec.region_share
    ('nhs_trust_a', 'nhs', 2018, None, 'LS9', 0.6)
    """

    anchor_id: str
    name: str
    sector: str
    joined: int
    left: int | None
    headcount: int | None
    inner_share: float
    reach_km: float
    site: str
    total_spend_m: float | None
    influenceable_ratio: float
    inner_spend_share: float
    carbon_kt: float | None
    land_ha: float | None
    region_share: float = 0.6
    region_spend_share: float | None = None
    residence: bool = True
    ledger: bool = True


def _number(row: dict, column: str, kind: type = float) -> float | int | None:
    """The row's ``column`` as ``kind``, None when blank or absent."""
    text = (row.get(column) or "").strip()
    return kind(text) if text else None


def _flag(row: dict, column: str) -> bool:
    """An optional yes/no column: absent or blank is yes."""
    text = (row.get(column) or "").strip().lower()
    if text not in ("", "yes", "no"):
        raise ConfigError(f"demo anchors: {column} of {row['anchor_id']} must be yes or no, not {text!r}")
    return text != "no"


def load_anchor_specs(name: str) -> tuple[AnchorSpec, ...]:
    """Read a demo network's anchors CSV (``anchor_analysis/data/demo/<name>``) into :class:`AnchorSpec` rows.

    Parameters
    ----------
    name : str
        The CSV's file name in ``anchor_analysis/data/demo``.

    Returns
    -------
    tuple of AnchorSpec
        One per row, in file order.

    Raises
    ------
    ConfigError
        A required column is missing or a yes/no column holds anything else.

    Examples
    --------
    >>> [s.anchor_id for s in load_anchor_specs("leeds_anchors.csv")][-2:]
    ['cultural_body_a', 'cultural_body_b']
    """
    text = (resources.files("anchor_analysis") / "data" / "demo" / name).read_text(encoding="utf-8")
    specs = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            specs.append(AnchorSpec(
                row["anchor_id"], row["name"], row["sector"], int(row["joined"]), _number(row, "left", int),
                _number(row, "headcount", int), float(row["inner_share"]), float(row["reach_km"]), row["site"],
                _number(row, "total_spend_m"), float(row["influenceable_ratio"]), float(row["inner_spend_share"]),
                _number(row, "carbon_kt"), _number(row, "land_ha"),
                region_share=_number(row, "region_share") or 0.6,
                region_spend_share=_number(row, "region_spend_share"),
                residence=_flag(row, "residence"), ledger=_flag(row, "ledger")))
        except KeyError as exc:
            raise ConfigError(f"demo anchors {name}: column {exc} is missing") from exc
    return tuple(specs)


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
    >>> leaver = next(spec for spec in load_anchor_specs("leeds_anchors.csv") if spec.left is not None)
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
        km from the network's origin, near the place).
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


def load_demo_geography(place: Place, data_dir: Path | None = None,
                        origin: tuple[float, float] = (53.8, -1.55)) -> DemoGeography:
    """Build the demo's geography from the public data: the region's postcodes, LSOA centroids and population.

    Each postcode of the place's regional postcode lookup is placed in the innermost of the place's rings its local
    authority belongs to (else ``elsewhere``) and given its LSOA's IMD 2019 decile; LSOA centroids are the mean of
    their postcodes, in km east and north of ``origin``, with the population of the IMD 2025 files.

    Parameters
    ----------
    place : Place
        The place whose rings and postcode lookup the demo uses.
    data_dir : Path, optional
        The public data folder; default: ``$ANCHOR_ANALYSIS_PUBLIC_DATA``.
    origin : tuple of float, default (53.8, -1.55)
        Latitude and longitude of the km grid's origin (the default is near Leeds).

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
    >>> brum = load_demo_geography(load_place("birmingham"), origin=(52.48, -1.9))  # doctest: +PUBLIC_DATA
    >>> brum.lsoas["ring"].value_counts().to_dict()  # doctest: +PUBLIC_DATA
    {'west_midlands': 1060, 'elsewhere': 833, 'birmingham': 659}
    """
    from anchor_analysis import public

    pcs = public.load_postcode_lookup(scope="region", data_dir=data_dir, place=place)
    pcs = pcs.dropna(subset=["lsoa21_code", "latitude", "longitude", "lad24_code"]).copy()
    pcs["postcode"] = pcs["postcode"].astype(str)
    ring = pd.Series("elsewhere", index=pcs.index)
    for r in reversed(place.rings):  # innermost ring last, so it wins
        ring[pcs["lad24_code"].astype(str).isin(r.lad_codes)] = r.key
    pcs["ring"] = ring
    imd = public.imd_for_lsoa21(2019, data_dir=data_dir)[["lsoa21_code", "imd_decile"]]
    pcs = pcs.merge(imd.rename(columns={"imd_decile": "decile_2019"}), on="lsoa21_code", how="left")
    pop = public.load_imd(2025, data_dir=data_dir)[["lsoa_code", "population"]]
    lat0, lon0 = origin
    centroids = (
        pcs.groupby("lsoa21_code", observed=True)
        .agg(lat=("latitude", "mean"), lon=("longitude", "mean"), lad_code=("lad24_code", "first"),
             ring=("ring", "first"), decile_2019=("decile_2019", "first"))
        .reset_index()
        .rename(columns={"lsoa21_code": "lsoa_code"})
    )
    centroids["x_km"] = (centroids["lon"] - lon0) * 111.32 * math.cos(math.radians(lat0))
    centroids["y_km"] = (centroids["lat"] - lat0) * 110.57
    lsoas = centroids.merge(pop, on="lsoa_code", how="inner").sort_values("lsoa_code", ignore_index=True)
    lsoas["lad_code"] = lsoas["lad_code"].astype(str)
    cols = ["postcode", "postcode_district", "lsoa21_code", "lad24_code", "ring", "decile_2019"]
    postcodes = pcs[cols].sort_values("postcode", ignore_index=True)
    for col in ("postcode_district", "lsoa21_code", "lad24_code"):
        postcodes[col] = postcodes[col].astype(str)
    return DemoGeography(lsoas=lsoas, postcodes=postcodes)
