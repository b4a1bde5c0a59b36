"""The synthetic demo network: a seeded, deterministic generator.

Per-anchor returns of the Leeds Anchor Network are not public. The demo network is **synthetic**: invented,
pseudonymous anchors ("NHS Trust A") on the real Leeds geography, with per-anchor values *solved for* so that the
network aggregates agree, at the published precision, with every figure of design.md section 3 (seeds 000, 001,
003). It lets every notebook and the annual report run end to end; it says nothing about any real organisation.

>>> from anchor_analysis.demo import write_demo_network          # doctest: +SKIP
>>> write_demo_network("data/raw/demo", seed=2019)               # doctest: +SKIP

What is solved, and how (each solve acts on per-anchor values, never on outputs):

* 2019/20 progression: 7 of 11 anchors; activity levels are moved one step at a time (a deterministic greedy
  search) until each dimension's network mean of current and ambition is within 0.02 of the published value
  (employment: at chosen points inside the rounding interval, see ``PF_SOLVE_TARGETS_2019``).
* 2019/20 spend: 6 anchors report a spend baseline; their Leeds and West Yorkshire shares are shifted by a common
  offset and a size-related tilt so that both the pooled share and the unweighted mean of shares are 48.0% and
  52.5%. All 11 report total spend, summing to more than GBP 2bn.
* 2023/24 workforce: headcounts are scaled to 62,300; Leeds shares are scaled so 64.0% live in Leeds; residence is
  spread over real LSOAs (population x distance decay from each anchor's site x a deprivation tilt) and the tilt is
  solved so that 12,300 staff live in IMD 2019 national decile 1 LSOAs.
* 2023/24 spend in Leeds: per-anchor Leeds spend is scaled to GBP 511.0m.
* Carbon: per-anchor reduction rates are scaled so that like-for-like scope 1+2 emissions fall by 110,000 t
  between 2019/20 and 2023/24.
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

from .config import Place, load_place
from .framework import load_framework

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

    >>> largest_remainder(10, np.array([1.0, 1.0, 1.0])).tolist()
    [4, 3, 3]
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
    return spec.joined <= year and (spec.left is None or year < spec.left)


# --- geography -----------------------------------------------------------------------------------------------

@dataclass
class DemoGeography:
    """Real geography the demo draws on: LSOA 2021 centroids, rings, population, IMD 2019 decile, postcodes."""

    lsoas: pd.DataFrame      # lsoa_code, lad_code, ring, x_km, y_km, population, decile_2019
    postcodes: pd.DataFrame  # postcode, postcode_district, lsoa21_code, lad24_code, ring, decile_2019


def load_demo_geography(place: Place, data_dir: Path | None = None) -> DemoGeography:
    from . import public

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


# --- the generator -------------------------------------------------------------------------------------------

class DemoNetwork:
    """Builds every table of the demo network in memory; :func:`write_demo_network` writes them out."""

    def __init__(self, geography: DemoGeography, seed: int = 2019, place: str | Place = "leeds"):
        self.geo = geography
        self.seed = seed
        self.place = load_place(place)
        self.specs = {s.anchor_id: s for s in ANCHORS}

    # anchors and sites
    def anchors(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"anchor_id": s.anchor_id, "name": s.name, "sector": s.sector, "joined_year": s.joined,
             "left_year": s.left} for s in ANCHORS
        ).astype({"left_year": "Int64"})

    def sites(self) -> pd.DataFrame:
        rows = []
        place_pcs = self.geo.postcodes[self.geo.postcodes["ring"] == self.place.rings[0].key]
        for spec in ANCHORS:
            pool = place_pcs[place_pcs["postcode_district"] == spec.site]
            pick = pool.iloc[int(_rng(self.seed, "site", spec.anchor_id).integers(len(pool)))]
            rows.append({"anchor_id": spec.anchor_id, "site_name": f"{spec.name} main site",
                         "postcode": pick["postcode"], "main_site": True})
        return pd.DataFrame(rows)

    def _site_xy(self) -> dict[str, tuple[float, float]]:
        sites = self.sites().merge(self.geo.postcodes[["postcode", "lsoa21_code"]], on="postcode")
        xy = self.geo.lsoas.set_index("lsoa_code")[["x_km", "y_km"]]
        return {r.anchor_id: tuple(xy.loc[r.lsoa21_code]) for r in sites.itertuples()}

    # workforce
    def headcounts(self) -> pd.DataFrame:
        """Headcount and Leeds/West Yorkshire staff per anchor and year (2023/24 solved to the targets)."""
        rows = []
        for spec in ANCHORS:
            growth = 1 + _rng(self.seed, "growth", spec.anchor_id).uniform(0.0, 0.025)
            for year in YEARS:
                if is_member(spec, year):
                    noise = _rng(self.seed, "hc", spec.anchor_id, year).normal(0, 0.008)
                    rows.append({"anchor_id": spec.anchor_id, "year": year,
                                 "raw": spec.headcount * growth ** (year - 2023) * (1 + noise)})
        df = pd.DataFrame(rows)
        in_2023 = df["year"] == 2023
        scale = TARGETS["headcount_2023"] / df.loc[in_2023, "raw"].sum()
        df["headcount"] = (df["raw"] * scale).round().astype(int)
        # exact total in 2023/24: give the rounding residue to the largest anchor
        residue = TARGETS["headcount_2023"] - df.loc[in_2023, "headcount"].sum()
        biggest = df.loc[in_2023, "headcount"].idxmax()
        df.loc[biggest, "headcount"] += residue
        share = df["anchor_id"].map(lambda a: self.specs[a].leeds_share)
        drift = df.apply(lambda r: _rng(self.seed, "share", r.anchor_id, r.year).normal(0, 0.01), axis=1)
        base = (share + drift).clip(0.05, 0.95)
        target = TARGETS["leeds_staff_share_2023"] * TARGETS["headcount_2023"]

        def leeds_total(k: float) -> float:
            return float((np.clip(base[in_2023] * k, 0, 0.97) * df.loc[in_2023, "headcount"]).sum())

        k = _bisect(leeds_total, 0.5, 2.0, target)
        df["staff_in_leeds"] = (np.clip(base * k, 0, 0.97) * df["headcount"]).round().astype(int)
        residue = round(target) - df.loc[in_2023, "staff_in_leeds"].sum()
        df.loc[biggest, "staff_in_leeds"] += residue
        # the rest of West Yorkshire takes most of those living outside Leeds
        outside = df["headcount"] - df["staff_in_leeds"]
        df["staff_in_west_yorkshire"] = df["staff_in_leeds"] + (outside * 0.6).round().astype(int)
        return df.drop(columns="raw")

    def staff_residence(self) -> pd.DataFrame:
        """Counts by LSOA 2021 per anchor and year; the deprivation tilt is solved for the 2023/24 target."""
        hc = self.headcounts()
        lsoas = self.geo.lsoas
        sites = self._site_xy()
        ring_of = lsoas["ring"].to_numpy()
        deprived = (lsoas["decile_2019"] == 1).to_numpy()
        inner, region = self.place.rings[0].key, self.place.rings[-1].key
        groups = {
            "inner": ring_of == inner,
            "region": ring_of == region,
            "elsewhere": ring_of == "elsewhere",
        }

        def allocate(row, tilt: float) -> np.ndarray:
            sx, sy = sites[row.anchor_id]
            dist = np.hypot(lsoas["x_km"].to_numpy() - sx, lsoas["y_km"].to_numpy() - sy)
            reach = self.specs[row.anchor_id].reach_km
            base = lsoas["population"].to_numpy() * np.exp(-dist / reach) * (1 + tilt * deprived)
            counts = np.zeros(len(lsoas), dtype=np.int64)
            totals = {"inner": row.staff_in_leeds, "region": row.staff_in_west_yorkshire - row.staff_in_leeds,
                      "elsewhere": row.headcount - row.staff_in_west_yorkshire}
            for key, mask in groups.items():
                weights = np.where(mask, base, 0.0)[mask]
                if key != "inner":
                    # outside the place staff cluster in the commuter towns nearest the site: keep the nearest 120
                    weights = np.where(weights >= np.sort(weights)[-min(120, len(weights))], weights, 0.0)
                counts[mask] = largest_remainder(int(totals[key]), weights)
            return counts

        rows_2023 = hc[hc["year"] == 2023]

        def deprived_total(tilt: float) -> float:
            return float(sum(allocate(r, tilt)[deprived].sum() for r in rows_2023.itertuples()))

        # a negative tilt means staff live less often in the most deprived areas than residents do
        tilt = _bisect(deprived_total, -0.95, 3.0, TARGETS["staff_most_deprived_2023"], iterations=40)
        self.deprivation_tilt = tilt
        frames = []
        for row in hc.itertuples():
            counts = allocate(row, tilt)
            if row.year == 2023 and row.anchor_id == rows_2023.loc[rows_2023["headcount"].idxmax(), "anchor_id"]:
                counts = self._hit_deprived_target(counts, hc, allocate, tilt, deprived, groups["inner"])
            keep = counts > 0
            frames.append(pd.DataFrame({"year": row.year, "anchor_id": row.anchor_id,
                                        "lsoa_code": lsoas["lsoa_code"].to_numpy()[keep], "count": counts[keep]}))
        return pd.concat(frames, ignore_index=True)

    def _hit_deprived_target(self, counts, hc, allocate, tilt, deprived, inner) -> np.ndarray:
        """Move whole staff between a deprived and a non-deprived Leeds LSOA of the largest anchor."""
        others = sum(allocate(r, tilt)[deprived].sum() for r in hc[hc["year"] == 2023].itertuples()
                     if r.anchor_id != self._largest_2023(hc))
        gap = int(TARGETS["staff_most_deprived_2023"] - others - counts[deprived].sum())
        counts = counts.copy()
        src_mask, dst_mask = (inner & ~deprived, inner & deprived) if gap > 0 else (inner & deprived,
                                                                                    inner & ~deprived)
        src = int(np.flatnonzero(src_mask)[np.argmax(counts[src_mask])])
        dst = int(np.flatnonzero(dst_mask)[np.argmax(counts[dst_mask])])
        counts[src] -= abs(gap)
        counts[dst] += abs(gap)
        return counts

    @staticmethod
    def _largest_2023(hc: pd.DataFrame) -> str:
        rows = hc[hc["year"] == 2023]
        return rows.loc[rows["headcount"].idxmax(), "anchor_id"]

    # progression
    def progression(self) -> pd.DataFrame:
        fw = load_framework()
        acts = fw.activities
        rows = []
        for year in YEARS:
            for anchor_id in PROGRESSION_REPORTERS[year]:
                rng = _rng(self.seed, "pf", anchor_id)  # an anchor's latent profile is stable across years
                for act in acts.itertuples():
                    if (anchor_id, act.activity) in UNASSESSED:
                        rng.normal(size=3)
                        continue
                    cur0, amb0 = PUBLISHED_2019_OVERVIEW[act.dimension]
                    latent_cur = cur0 + rng.normal(0, 0.6)
                    latent_amb = amb0 + rng.normal(0, 0.4)
                    pace = rng.uniform(0.05, 0.25)
                    progress = pace * (year - 2019)
                    current = int(np.clip(round(latent_cur + progress), 1, 4))
                    ambition = int(np.clip(round(max(latent_amb + progress / 2, current)), current, 4))
                    rows.append({"year": year, "anchor_id": anchor_id, "dimension": act.dimension,
                                 "activity": act.activity, "current": current, "ambition": ambition})
        df = pd.DataFrame(rows)
        df = self._solve_2019_overview(df)
        df["priority"] = df.apply(self._priority, axis=1)
        df["comment"] = ""
        return df

    def _priority(self, row) -> str:
        weight = {"service_delivery": 0.7, "civic": 0.65, "procurement": 0.55, "employment": 0.4,
                  "environment_assets": 0.2}[row.dimension]
        draw = _rng(self.seed, "priority", row.anchor_id, row.year, row.activity).uniform()
        return "high" if draw < weight else ("medium" if draw < weight + 0.25 else "low")

    @staticmethod
    def _network_means(df: pd.DataFrame) -> pd.DataFrame:
        dim = df.groupby(["anchor_id", "dimension"])[["current", "ambition"]].mean()
        return dim.groupby("dimension").mean()

    def _solve_2019_overview(self, df: pd.DataFrame) -> pd.DataFrame:
        """Greedy one-step moves until 2019/20 network means sit within 0.02 of the published table."""
        y = df["year"] == 2019
        sub = df[y].copy()
        for _ in range(500):
            means = self._network_means(sub)
            worst, worst_excess = None, 0.0
            for dimension, (cur, amb) in PUBLISHED_2019_OVERVIEW.items():
                for col, published in (("current", cur), ("ambition", amb)):
                    target = PF_SOLVE_TARGETS_2019.get((dimension, col), published)
                    tolerance = 0.004 if (dimension, col) in PF_SOLVE_TARGETS_2019 else PF_SOLVE_TOLERANCE
                    err = means.at[dimension, col] - target
                    if abs(err) - tolerance > worst_excess:
                        worst, worst_excess = (dimension, col, err), abs(err) - tolerance
            if worst is None:
                break
            dimension, col, err = worst
            step = -1 if err > 0 else 1
            cand = sub[(sub["dimension"] == dimension)]
            if col == "current":
                ok = (cand["current"] + step).between(1, 4) & ((cand["current"] + step) <= cand["ambition"])
            else:
                ok = (cand["ambition"] + step).between(1, 4) & ((cand["ambition"] + step) >= cand["current"])
            cand = cand[ok]
            if cand.empty:
                raise RuntimeError(f"cannot move {dimension} {col} toward the published value")
            # the row whose move leaves the others least disturbed: deterministic, first by position
            idx = cand.index[0] if step > 0 else cand.index[-1]
            sub.loc[idx, col] += step
        else:  # pragma: no cover - would mean the targets are unreachable
            raise RuntimeError("2019/20 overview did not converge")
        df.loc[y, ["current", "ambition"]] = sub[["current", "ambition"]]
        return df

    # metrics
    def metrics(self) -> pd.DataFrame:
        hc = self.headcounts()
        res = self.staff_residence()
        dec = self.geo.lsoas.set_index("lsoa_code")["decile_2019"]
        res["deprived"] = res["lsoa_code"].map(dec).eq(1)
        deprived = res[res["deprived"]].groupby(["anchor_id", "year"])["count"].sum()
        spend = self.spend()
        carbon = self.carbon()
        rows = []

        def add(year, anchor_id, metric, value, unit):
            rows.append({"year": year, "anchor_id": anchor_id, "metric": metric, "value": value, "unit": unit})

        for r in hc.itertuples():
            add(r.year, r.anchor_id, "headcount", r.headcount, "people")
            add(r.year, r.anchor_id, "staff_in_leeds", r.staff_in_leeds, "people")
            add(r.year, r.anchor_id, "staff_in_west_yorkshire", r.staff_in_west_yorkshire, "people")
            add(r.year, r.anchor_id, "staff_in_most_deprived", int(deprived.get((r.anchor_id, r.year), 0)),
                "people")
            add(r.year, r.anchor_id, "living_wage", 0 if r.anchor_id in NOT_LIVING_WAGE.get(r.year, set()) else 1,
                "flag")
            if not (r.anchor_id == "water_utility_a" and r.year == 2019):  # not reported that year
                share = 0.015 + _rng(self.seed, "appr", r.anchor_id).uniform(0, 0.03)
                add(r.year, r.anchor_id, "apprentices", int(round(r.headcount * share * (1 + 0.04 * (r.year - 2019)))),
                    "people")
            spec = self.specs[r.anchor_id]
            if spec.land_ha is not None:
                add(r.year, r.anchor_id, "land_ha", round(spec.land_ha * (1 - 0.005 * (r.year - 2019)), 1), "ha")
        for r in spend.itertuples():
            for metric in ("total_spend", "influenceable_spend", "spend_leeds", "spend_west_yorkshire",
                           "spend_most_deprived", "spend_sme"):
                value = getattr(r, metric)
                if not pd.isna(value):
                    add(r.year, r.anchor_id, metric, int(value), "GBP")
        for r in carbon.itertuples():
            for metric in ("scope1_tco2e", "scope2_tco2e", "scope3_tco2e"):
                value = getattr(r, metric)
                if not pd.isna(value):
                    add(r.year, r.anchor_id, metric, int(value), "tCO2e")
        df = pd.DataFrame(rows)
        # counts and whole pounds are written as integers, areas with their decimal
        df["value"] = [str(int(v)) if float(v).is_integer() else str(v) for v in df["value"]]
        return df.sort_values(["year", "anchor_id", "metric"], ignore_index=True)

    def spend(self) -> pd.DataFrame:
        """Spend per anchor and year; 2019/20 and 2023/24 solved to the published figures."""
        rows = []
        for spec in ANCHORS:
            for year in YEARS:
                if not is_member(spec, year):
                    continue
                rng = _rng(self.seed, "spend", spec.anchor_id, year)
                infl_growth = 1.03 ** (year - 2019)
                total = spec.total_spend_m * 1e6 * infl_growth * (1 + rng.normal(0, 0.02))
                leeds = np.clip(spec.leeds_spend_share + 0.008 * (year - 2019) + rng.normal(0, 0.01), 0.05, 0.9)
                rows.append({"anchor_id": spec.anchor_id, "year": year, "total_spend": total,
                             "influenceable_spend": total * spec.influenceable_ratio, "share_leeds": leeds,
                             "share_wy": min(leeds + 0.05 + rng.uniform(0, 0.04), 0.95),
                             "share_deprived": 0.06 + rng.uniform(0, 0.05),
                             "share_sme": 0.22 + rng.uniform(0, 0.12)})
        df = pd.DataFrame(rows)
        df = self._solve_spend_2019(df)
        # 2023/24: scale Leeds shares so spend in Leeds is GBP 511.0m over the reporting anchors
        y23 = (df["year"] == 2023) & df["reports_spend"]
        k = TARGETS["spend_leeds_2023"] / (df.loc[y23, "influenceable_spend"] * df.loc[y23, "share_leeds"]).sum()
        df.loc[y23, "share_wy"] = df.loc[y23, "share_wy"] - df.loc[y23, "share_leeds"] * (1 - k)
        df.loc[y23, "share_leeds"] *= k
        for col in ("total_spend", "influenceable_spend"):
            df[col] = df[col].round()
        df["spend_leeds"] = (df["influenceable_spend"] * df["share_leeds"]).round()
        df["spend_west_yorkshire"] = (df["influenceable_spend"] * df["share_wy"]).round()
        df["spend_most_deprived"] = (df["influenceable_spend"] * df["share_deprived"]).round()
        df["spend_sme"] = (df["influenceable_spend"] * df["share_sme"]).round()
        residue = TARGETS["spend_leeds_2023"] - df.loc[y23, "spend_leeds"].sum()
        df.loc[df.loc[y23, "spend_leeds"].idxmax(), "spend_leeds"] += residue
        not_reported = ~df["reports_spend"]
        cols = ["influenceable_spend", "spend_leeds", "spend_west_yorkshire", "spend_most_deprived", "spend_sme"]
        df.loc[not_reported & ~df["reports_influenceable_only"], cols] = np.nan
        # knows its influenceable spend but had not analysed where suppliers are: a partial return, as real ones are
        df.loc[df["reports_influenceable_only"], cols[1:]] = np.nan
        return df

    def _solve_spend_2019(self, df: pd.DataFrame) -> pd.DataFrame:
        """Only 6 anchors had a spend baseline in 2019/20; solve their shares for both definitions of average."""
        df["reports_spend"] = True
        y19 = df["year"] == 2019
        df.loc[y19 & ~df["anchor_id"].isin(SPEND_BASELINE_2019), "reports_spend"] = False
        df["reports_influenceable_only"] = y19 & (df["anchor_id"] == "water_utility_a")
        # a government department does not report spend in its first year
        df.loc[(df["year"] == 2023) & (df["anchor_id"] == "government_department_a"), "reports_spend"] = False
        base = y19 & df["reports_spend"]
        total_2019 = df.loc[y19, "total_spend"].sum()
        if total_2019 <= TARGETS["total_spend_2019_min"]:
            df.loc[y19, ["total_spend", "influenceable_spend"]] *= 1.02 * TARGETS["total_spend_2019_min"] / total_2019
        w = df.loc[base, "influenceable_spend"].to_numpy()
        for col, target in (("share_leeds", TARGETS["spend_share_leeds_2019"]),
                            ("share_wy", TARGETS["spend_share_wy_2019"])):
            s0 = df.loc[base, col].to_numpy()
            # s = s0 + a + b * (w - mean(w)): mean(s) = target and sum(w s) / sum(w) = target
            dev = w - w.mean()
            a = target - s0.mean()
            b = (target * w.sum() - (w * (s0 + a)).sum()) / (w * dev).sum()
            df.loc[base, col] = s0 + a + b * dev
        return df

    def carbon(self) -> pd.DataFrame:
        """Scope 1/2 (and 3 for some) per anchor-year; the 2019->2023 like-for-like fall solved to 110,000 t."""
        rows = []
        for spec in ANCHORS:
            rng = _rng(self.seed, "carbon", spec.anchor_id)
            rate = rng.uniform(0.04, 0.10)
            scope1_part = rng.uniform(0.4, 0.7)
            for year in YEARS:
                if is_member(spec, year):
                    rows.append({"anchor_id": spec.anchor_id, "year": year, "base": spec.carbon_kt * 1000,
                                 "rate": rate, "scope1_part": scope1_part})
        df = pd.DataFrame(rows)
        # FE College B did not report carbon in its first year; Cultural Body B not until 2024/25
        missing = ((df["anchor_id"] == "fe_college_b") & (df["year"] == 2019)) | (
            (df["anchor_id"] == "cultural_body_b") & (df["year"] == 2023))
        df = df[~missing].reset_index(drop=True)
        start = df.loc[df["year"] == 2019, "anchor_id"]
        both = set(start) & set(df.loc[df["year"] == 2023, "anchor_id"])

        def emissions(k: float) -> pd.Series:
            return df["base"] * (1 - np.clip(df["rate"] * k, 0, 0.5)) ** (df["year"] - 2019)

        def reduction(k: float) -> float:
            e = emissions(k)
            lfl = df["anchor_id"].isin(both)
            return float(e[lfl & (df["year"] == 2019)].sum() - e[lfl & (df["year"] == 2023)].sum())

        k = _bisect(reduction, 0.0, 5.0, TARGETS["carbon_reduction_2019_2023"])
        total = emissions(k).round()
        df["scope1_tco2e"] = (total * df["scope1_part"]).round()
        df["scope2_tco2e"] = total - df["scope1_tco2e"]
        lfl = df["anchor_id"].isin(both)
        s12 = df["scope1_tco2e"] + df["scope2_tco2e"]
        residue = TARGETS["carbon_reduction_2019_2023"] - (s12[lfl & (df["year"] == 2019)].sum()
                                                           - s12[lfl & (df["year"] == 2023)].sum())
        big = s12[lfl & (df["year"] == 2023)].idxmax()
        df.loc[big, "scope1_tco2e"] -= residue
        scope3 = df["anchor_id"].isin(["university_a", "university_b", "local_authority_a", "nhs_trust_a"]) & (
            df["year"] >= 2021)
        df["scope3_tco2e"] = np.where(scope3, (total * 2.5).round(), np.nan)
        return df[["anchor_id", "year", "scope1_tco2e", "scope2_tco2e", "scope3_tco2e"]]

    # ledgers
    def ledgers(self) -> dict[tuple[str, int], pd.DataFrame]:
        """One transaction ledger per anchor and year with a spend return; lines agree with the return closely."""
        spend = self.spend()
        pcs = self.geo.postcodes
        inner, region = self.place.rings[0].key, self.place.rings[-1].key
        pools = {
            "inner_deprived": pcs[(pcs["ring"] == inner) & (pcs["decile_2019"] == 1)]["postcode"].to_numpy(),
            "inner_other": pcs[(pcs["ring"] == inner) & (pcs["decile_2019"] != 1)]["postcode"].to_numpy(),
            "region": pcs[pcs["ring"] == region]["postcode"].to_numpy(),
            "elsewhere": pcs[pcs["ring"] == "elsewhere"]["postcode"].to_numpy(),
        }
        categories = list(LEDGER_CATEGORIES)
        out = {}
        for r in spend[spend["spend_leeds"].notna()].itertuples():  # ledgers where a spend analysis was done
            out[(r.anchor_id, r.year)] = self._ledger(r, pools, categories)
        return out

    def _ledger(self, r, pools, categories) -> pd.DataFrame:
        rng = _rng(self.seed, "ledger", r.anchor_id, r.year)
        supplier_rng = _rng(self.seed, "suppliers", r.anchor_id)  # the supply base is stable across years
        n_suppliers = int(np.clip(r.influenceable_spend / 4e6, 25, 140))
        influenceable_cats = [c for c in categories if LEDGER_CATEGORIES[c][0]]
        excluded_cats = [c for c in categories if not LEDGER_CATEGORIES[c][0]]
        # ring budget of influenceable spend, from the anchor's own return
        budgets = {
            "inner_deprived": r.spend_most_deprived,
            "inner_other": r.spend_leeds - r.spend_most_deprived,
            "region": r.spend_west_yorkshire - r.spend_leeds,
            "elsewhere": r.influenceable_spend - r.spend_west_yorkshire,
        }
        lines = []
        for ring, budget in budgets.items():
            if budget <= 0:
                continue
            n = max(3, int(round(n_suppliers * budget / r.influenceable_spend)))
            sizes = supplier_rng.pareto(1.3, n) + 0.05
            amounts = largest_remainder(int(round(budget)), sizes)
            pool = pools[ring]
            for i, amount in enumerate(amounts):
                sid = f"{r.anchor_id[:3].upper()}-{ring[:2].upper()}{i:03d}"
                postcode = pool[supplier_rng.integers(len(pool))]
                if ring == "elsewhere" and supplier_rng.uniform() < 0.5:
                    postcode = ELSEWHERE_NATIONAL_POSTCODES[supplier_rng.integers(len(ELSEWHERE_NATIONAL_POSTCODES))]
                if supplier_rng.uniform() < 0.04:  # as in real ledgers: missing or junk postcodes
                    postcode = JUNK_POSTCODES[supplier_rng.integers(len(JUNK_POSTCODES))]
                category = influenceable_cats[supplier_rng.integers(len(influenceable_cats))]
                lines.extend(self._invoice_lines(rng, r, sid, postcode, category, int(amount)))
        # non-influenceable payments: other public bodies, tax, pensions, grants (reported by rule, excluded)
        excluded_total = int(r.total_spend - r.influenceable_spend)
        shares = largest_remainder(excluded_total, np.array([0.45, 0.25, 0.25, 0.05]))
        for cat, amount in zip(excluded_cats, shares, strict=True):
            # other public bodies sit in the place; tax, pension and grant payees are national offices
            pool = pools["inner_other"] if cat == "Payments to public bodies" else pools["elsewhere"]
            postcode = pool[supplier_rng.integers(len(pool))]
            lines.extend(self._invoice_lines(rng, r, f"{r.anchor_id[:3].upper()}-X{cat[:3].upper()}", postcode, cat,
                                             int(amount), parts=4))
        df = pd.DataFrame(lines)
        df = self._add_credits_and_duplicates(rng, df)
        df.insert(0, "anchor_id", r.anchor_id)
        df = df.sort_values(["payment_date", "supplier_id", "amount"], kind="stable", ignore_index=True)
        return df[["anchor_id", "payment_date", "amount", "supplier_id", "supplier_name", "supplier_postcode",
                   "category"]]

    @staticmethod
    def _invoice_lines(rng, r, sid, postcode, category, amount, parts=None):
        parts = parts or int(np.clip(amount // 400_000 + 1, 1, 6))
        pieces = largest_remainder(amount * 100, rng.uniform(0.5, 1.5, parts)) / 100  # pence
        days = rng.integers(0, 365, parts)
        start = pd.Timestamp(f"{r.year}-04-01")
        return [{"payment_date": (start + pd.Timedelta(days=int(d))).date().isoformat(), "amount": float(p),
                 "supplier_id": sid, "supplier_name": f"Supplier {sid}", "supplier_postcode": postcode,
                 "category": category} for p, d in zip(pieces, days, strict=True)]

    @staticmethod
    def _add_credits_and_duplicates(rng, df: pd.DataFrame) -> pd.DataFrame:
        """Real ledgers carry credit notes and exact duplicate lines; both net to zero here, as a reversal would."""
        picks = rng.choice(len(df), size=max(2, len(df) // 60), replace=False)
        credits = df.iloc[picks[: len(picks) // 2]].copy()
        credits["amount"] = -credits["amount"].round(2)
        rebills = credits.copy()
        rebills["amount"] = -rebills["amount"]
        dups = df.iloc[picks[len(picks) // 2:]].copy()
        reversal = dups.copy()
        reversal["amount"] = -reversal["amount"]
        return pd.concat([df, credits, rebills, dups, reversal], ignore_index=True)


def write_demo_network(out_dir: str | Path, seed: int = 2019, data_dir: Path | None = None) -> list[Path]:
    """Generate the demo network and write it to ``out_dir`` (CSV files, a ledger folder, README, network.toml).

    Deterministic: the same seed and public data give byte-identical files.
    """
    out = Path(out_dir)
    place = load_place("leeds")
    net = DemoNetwork(load_demo_geography(place, data_dir), seed=seed, place=place)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ledger").mkdir(exist_ok=True)
    for old in (out / "ledger").glob("*.csv"):
        old.unlink()
    written = []

    def write(df: pd.DataFrame, name: str) -> None:
        path = out / name
        df.to_csv(path, index=False, lineterminator="\n")
        written.append(path)

    write(net.anchors(), "anchors.csv")
    write(net.sites(), "sites.csv")
    write(net.progression(), "progression.csv")
    write(net.metrics(), "metrics.csv")
    write(net.staff_residence(), "staff_residence.csv")
    for (anchor_id, year), ledger in sorted(net.ledgers().items()):
        write(ledger, f"ledger/{anchor_id}_{year}.csv")
    (out / "network.toml").write_text(
        'name = "Demo anchor network (SYNTHETIC)"\nplace = "leeds"\nsynthetic = true\n'
        f'seed = {seed}\ndescription = "{SYNTHETIC_NOTICE}"\n', encoding="utf-8")
    (out / "README.md").write_text(_readme(seed), encoding="utf-8")
    written += [out / "network.toml", out / "README.md"]
    return written


def _readme(seed: int) -> str:
    return f"""# SYNTHETIC demo network

**Every number in this folder is synthetic.** It was written by `anchor-analysis demo-data --seed {seed}`
(`anchor_analysis/demo.py`) and is regenerated byte for byte by that command. The anchors are invented and
pseudonymous ("NHS Trust A", "University B"); they stand for no real organisation.

The geography is real (Leeds LSOA 2021 codes, NSPL postcodes, IMD 2019 deciles, from the public data), and the
per-anchor values were solved so that network aggregates agree with the published Leeds figures at their
published precision (design.md section 3; seeds 000, 001, 003): the 2019/20 Progression Framework overview of
7 anchors, the 2019/20 spend baseline of 6 anchors (48% Leeds, 52.5% West Yorkshire), total 2019/20 spend of the
11 anchors above GBP 2bn, 10 of 11 paying the Living Wage, and for 2023/24 a workforce of 62,300 (64% living in
Leeds, 12,300 in IMD 2019 decile 1 areas), GBP 511m influenceable spend in Leeds and a 110,000 t CO2e fall in
scope 1+2 emissions since 2019/20. So the demo checks that the kit reproduces the published *method*; it is not
evidence about the real network.

| file | contents |
|---|---|
| network.toml | name, place and `synthetic = true` |
| anchors.csv | 14 anchors: 9 founding (2018), 2 joining 2019, 3 joining 2023; one leaves in 2024 |
| progression.csv | self-assessments 2019/20 to 2024/25, not every anchor every year, some activities unassessed |
| metrics.csv | core metrics (long form); a missing row means "not reported" |
| staff_residence.csv | staff counts by LSOA 2021 (already aggregated: no postcodes) |
| sites.csv | one main site per anchor at a randomly drawn real postcode of a plausible district |
| ledger/ | supplier ledger per anchor-year: credits, duplicate+reversal pairs, junk postcodes as in real ones |
"""
