"""The demo network's tables, built in memory by :class:`DemoNetwork`.

In: the real geography (:class:`~anchor_analysis.demo.specs.DemoGeography`), a seed and the targets of
:mod:`anchor_analysis.demo.specs`. Out: every table of the network folder as a DataFrame, each per-anchor value
drawn from a stream of its own (so changing one part leaves the others as they were) and solved to the targets.
Anchors, headcounts, progression, spend and carbon need no geography; sites, staff residence, metrics and ledgers
draw on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.core.framework import load_framework
from anchor_analysis.core.places import Place, load_place
from anchor_analysis.demo.ledgers import LedgerMixin
from anchor_analysis.demo.specs import (
    ANCHORS,
    NOT_LIVING_WAGE,
    PF_SOLVE_TARGETS_2019,
    PF_SOLVE_TOLERANCE,
    PROGRESSION_REPORTERS,
    PUBLISHED_2019_OVERVIEW,
    SPEND_BASELINE_2019,
    TARGETS,
    UNASSESSED,
    YEARS,
    DemoGeography,
    _bisect,
    _rng,
    is_member,
    largest_remainder,
)

# --- the generator -------------------------------------------------------------------------------------------

class DemoNetwork(LedgerMixin):
    """Build every table of the demo network in memory.

    :func:`~anchor_analysis.demo.write.write_demo_network` writes them out.

    Parameters
    ----------
    geography : DemoGeography
        The real geography (:func:`~anchor_analysis.demo.specs.load_demo_geography`).
    seed : int, default 2019
        The generator's seed: the same seed gives the same tables.
    place : str or Place, default "leeds"
        The place whose rings are local.

    Examples
    --------
    >>> import pandas as pd
    >>> from anchor_analysis.demo.specs import DemoGeography
    >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
    >>> network.anchors()[["anchor_id", "name", "joined_year"]].head(2)
         anchor_id         name  joined_year
    0  nhs_trust_a  NHS Trust A         2018
    1  nhs_trust_b  NHS Trust B         2018
    """

    def __init__(self, geography: DemoGeography, seed: int = 2019, place: str | Place = "leeds"):
        """Keep the geography, seed, place and the anchors' specs."""
        self.geo = geography
        self.seed = seed
        self.place = load_place(place)
        self.specs = {s.anchor_id: s for s in ANCHORS}

    # anchors and sites
    def anchors(self) -> pd.DataFrame:
        """Return the anchors table: ``anchor_id, name, sector, joined_year, left_year`` (``<NA>``: still a member).

        Returns
        -------
        pandas.DataFrame
            One row per anchor of :data:`~anchor_analysis.demo.specs.ANCHORS`.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import DemoGeography
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> network.anchors().equals(pd.read_csv("data/raw/demo/anchors.csv", dtype={"left_year": "Int64"}))
        True
        """
        return pd.DataFrame(
            {"anchor_id": s.anchor_id, "name": s.name, "sector": s.sector, "joined_year": s.joined,
             "left_year": s.left} for s in ANCHORS
        ).astype({"left_year": "Int64"})

    def sites(self) -> pd.DataFrame:
        """Return each anchor's main site at a real postcode drawn in its spec's postcode district of the place.

        Returns
        -------
        pandas.DataFrame
            ``anchor_id, site_name, postcode, main_site`` (always True), one row per anchor.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import load_demo_geography
        >>> network = DemoNetwork(load_demo_geography(load_place("leeds")))  # doctest: +PUBLIC_DATA
        >>> network.sites().equals(pd.read_csv("data/raw/demo/sites.csv"))  # doctest: +PUBLIC_DATA
        True
        """
        rows = []
        place_pcs = self.geo.postcodes[self.geo.postcodes["ring"] == self.place.rings[0].key]
        for spec in ANCHORS:
            pool = place_pcs[place_pcs["postcode_district"] == spec.site]
            pick = pool.iloc[int(_rng(self.seed, "site", spec.anchor_id).integers(len(pool)))]
            rows.append({"anchor_id": spec.anchor_id, "site_name": f"{spec.name} main site",
                         "postcode": pick["postcode"], "main_site": True})
        return pd.DataFrame(rows)

    def _site_xy(self) -> dict[str, tuple[float, float]]:
        """Each anchor's main site as the (x_km, y_km) centroid of its postcode's LSOA."""
        sites = self.sites().merge(self.geo.postcodes[["postcode", "lsoa21_code"]], on="postcode")
        xy = self.geo.lsoas.set_index("lsoa_code")[["x_km", "y_km"]]
        return {r.anchor_id: tuple(xy.loc[r.lsoa21_code]) for r in sites.itertuples()}

    # workforce
    def headcounts(self) -> pd.DataFrame:
        """Return headcount and Leeds/West Yorkshire staff per anchor and year (2023/24 solved to the targets).

        In 2023/24 the headcounts sum to 62,300 and 64.0% of staff live in Leeds, exactly.

        Returns
        -------
        pandas.DataFrame
            ``anchor_id, year, headcount, staff_in_leeds, staff_in_west_yorkshire`` (West Yorkshire includes
            Leeds), one row per member anchor and year.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import DemoGeography
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> staff = network.headcounts().query("year == 2023")
        >>> int(staff["headcount"].sum()), int(staff["staff_in_leeds"].sum())
        (62300, 39872)
        """
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
            """Staff living in Leeds in 2023/24 with every Leeds share scaled by ``k`` (capped at 97%)."""
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
        """Return staff counts by LSOA 2021 per anchor and year; the deprivation tilt is solved for 2023/24.

        Staff are spread over real LSOAs by population x distance decay from the anchor's site x a deprivation
        tilt, within the headcount's Leeds, rest of West Yorkshire and elsewhere totals; the tilt (kept as
        ``deprivation_tilt``) is solved so that 12,300 staff live in IMD 2019 decile 1 LSOAs in 2023/24.

        Returns
        -------
        pandas.DataFrame
            ``year, anchor_id, lsoa_code, count``, LSOAs with no staff left out.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import load_demo_geography
        >>> network = DemoNetwork(load_demo_geography(load_place("leeds")))  # doctest: +PUBLIC_DATA
        >>> network.staff_residence().equals(pd.read_csv("data/raw/demo/staff_residence.csv"))  # doctest: +PUBLIC_DATA
        True
        """
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
            """One anchor-year's staff over every LSOA with deprivation tilt ``tilt``."""
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
            """Staff living in decile 1 LSOAs in 2023/24 with tilt ``tilt``."""
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
        """The anchor with the largest headcount in 2023/24."""
        rows = hc[hc["year"] == 2023]
        return rows.loc[rows["headcount"].idxmax(), "anchor_id"]

    # progression
    def progression(self) -> pd.DataFrame:
        """Return the Progression Framework self-assessments, 2019/20 to 2024/25, 2019/20 solved to the published table.

        Each anchor has a stable latent profile and a pace of progress; not every anchor reports every year
        (:data:`~anchor_analysis.demo.specs.PROGRESSION_REPORTERS`) and some activities are not assessed
        (:data:`~anchor_analysis.demo.specs.UNASSESSED`).

        Returns
        -------
        pandas.DataFrame
            ``year, anchor_id, dimension, activity, current, ambition, priority, comment`` (levels 1 to 4).

        Examples
        --------
        >>> from anchor_analysis.analysis.progression import network_overview
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import DemoGeography
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> overview = network_overview(network.progression(), 2019, published_rounding=True)
        >>> overview[["dimension", "current", "ambition"]].head(2).to_dict("records")
        [{'dimension': 'employment', 'current': 3.1, 'ambition': 3.7}, \
{'dimension': 'procurement', 'current': 1.7, 'ambition': 2.7}]
        """
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
        """An activity's priority (high, medium or low), drawn with odds set by its dimension."""
        weight = {"service_delivery": 0.7, "civic": 0.65, "procurement": 0.55, "employment": 0.4,
                  "environment_assets": 0.2}[row.dimension]
        draw = _rng(self.seed, "priority", row.anchor_id, row.year, row.activity).uniform()
        return "high" if draw < weight else ("medium" if draw < weight + 0.25 else "low")

    @staticmethod
    def _network_means(df: pd.DataFrame) -> pd.DataFrame:
        """Network mean current level and ambition per dimension (the mean of anchors' dimension means)."""
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
        """Return the core metrics returns in long form; a metric an anchor did not report has no row.

        Workforce (headcount, staff in Leeds, West Yorkshire and the most deprived areas, Living Wage, apprentices),
        land, spend (:meth:`spend`) and carbon (:meth:`carbon`).

        Returns
        -------
        pandas.DataFrame
            ``year, anchor_id, metric, value, unit``, sorted; ``value`` is text: whole numbers without a decimal
            point, areas with theirs.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import load_demo_geography
        >>> network = DemoNetwork(load_demo_geography(load_place("leeds")))  # doctest: +PUBLIC_DATA
        >>> metrics = network.metrics()  # doctest: +PUBLIC_DATA
        >>> metrics.equals(pd.read_csv("data/raw/demo/metrics.csv", dtype={"value": str}))  # doctest: +PUBLIC_DATA
        True
        """
        hc = self.headcounts()
        res = self.staff_residence()
        dec = self.geo.lsoas.set_index("lsoa_code")["decile_2019"]
        res["deprived"] = res["lsoa_code"].map(dec).eq(1)
        deprived = res[res["deprived"]].groupby(["anchor_id", "year"])["count"].sum()
        spend = self.spend()
        carbon = self.carbon()
        rows = []

        def add(year, anchor_id, metric, value, unit):
            """Append one metrics row."""
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
        """Return spend per anchor and year; 2019/20 and 2023/24 solved to the published figures.

        In 2023/24 spend with Leeds suppliers is GBP 511.0m over the reporting anchors; in 2019/20 six anchors report
        a spend baseline (see :meth:`_solve_spend_2019`). Spend not reported is missing, never zero.

        Returns
        -------
        pandas.DataFrame
            ``anchor_id, year, total_spend, influenceable_spend``, the shares drawn, ``reports_spend,
            reports_influenceable_only`` and ``spend_leeds, spend_west_yorkshire, spend_most_deprived, spend_sme``
            (GBP).

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import DemoGeography
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> spend = network.spend()
        >>> int(spend.loc[spend["year"] == 2023, "spend_leeds"].sum())
        511000000
        """
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
        """Return scope 1/2 (and 3 for some) emissions per anchor-year; the like-for-like fall is solved to 110,000 t.

        The fall is that of the anchors reporting in both 2019/20 and 2023/24; two anchors miss a year's return.

        Returns
        -------
        pandas.DataFrame
            ``anchor_id, year, scope1_tco2e, scope2_tco2e, scope3_tco2e`` (scope 3 missing where not reported).

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import DemoGeography
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> carbon = network.carbon().assign(scope12=lambda c: c["scope1_tco2e"] + c["scope2_tco2e"])
        >>> both = set(carbon.query("year == 2019")["anchor_id"]) & set(carbon.query("year == 2023")["anchor_id"])
        >>> by_year = carbon[carbon["anchor_id"].isin(both)].groupby("year")["scope12"].sum()
        >>> int(by_year[2019] - by_year[2023])
        110000
        """
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
            """Scope 1+2 emissions of every row with each anchor's reduction rate scaled by ``k``."""
            return df["base"] * (1 - np.clip(df["rate"] * k, 0, 0.5)) ** (df["year"] - 2019)

        def reduction(k: float) -> float:
            """The like-for-like fall from 2019/20 to 2023/24 with rates scaled by ``k``."""
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
