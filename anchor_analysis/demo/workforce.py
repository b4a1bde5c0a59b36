"""The demo network's workforce: headcounts, where staff live, and the solves that make them agree with targets.

In: the anchors' parameters, the targets file (headcount, share living in the place, staff in the most deprived
areas) and the real geography. Out: headcounts per anchor and year and staff counts by LSOA 2021.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.demo.specs import _bisect, _rng, is_member, largest_remainder

NEAREST_OUTSIDE_LSOAS = 120
"""Outside the place staff cluster in the towns nearest the site: the LSOAs of each outer group that take staff."""


class WorkforceMixin:
    """The workforce methods of :class:`~anchor_analysis.demo.network.DemoNetwork`.

    It relies on the network's ``seed``, ``targets``, ``specs``, ``inner``/``region`` ring keys, ``geo`` and
    ``_site_xy``.

    See Also
    --------
    anchor_analysis.demo.network.DemoNetwork : The class that mixes these methods in.
    """

    def headcounts(self) -> pd.DataFrame:
        """Return headcount and staff living in the place and the region per anchor and year, solved to the targets.

        Leeds: in 2023/24 the headcounts sum to 62,300 and 64.0% of staff live in Leeds, exactly. A network without
        a target keeps the values drawn.

        Returns
        -------
        pandas.DataFrame
            ``anchor_id, year, headcount, staff_in_<place>, staff_in_<region>`` (the region includes the place), one
            row per member anchor that returns its workforce, and year.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo import DemoGeography, DemoNetwork
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> staff = network.headcounts().query("year == 2023")
        >>> int(staff["headcount"].sum()), int(staff["staff_in_leeds"].sum())
        (62300, 39872)
        """
        df = self._raw_headcounts()
        df = self._solve_headcount(df)
        share = df["anchor_id"].map(lambda a: self.specs[a].inner_share)
        drift = df.apply(lambda r: _rng(self.seed, "share", r.anchor_id, r.year).normal(0, 0.01), axis=1)
        base = (share + drift).clip(0.05, 0.95)
        inner, region = f"staff_in_{self.inner}", f"staff_in_{self.region}"
        df[inner] = self._solve_inner_staff(df, base)
        # the rest of the region takes most of those living outside the place
        outside = df["headcount"] - df[inner]
        region_share = df["anchor_id"].map(lambda a: self.specs[a].region_share)
        df[region] = df[inner] + (outside * region_share).round().astype(int)
        return df.drop(columns="raw")

    def _raw_headcounts(self) -> pd.DataFrame:
        """Headcounts drawn around each anchor's reference-year size, before any solve."""
        rows = []
        for spec in self.targets.anchors:
            if spec.headcount is None:
                continue
            growth = 1 + _rng(self.seed, "growth", spec.anchor_id).uniform(0.0, 0.025)
            for year in self.targets.years:
                if is_member(spec, year):
                    noise = _rng(self.seed, "hc", spec.anchor_id, year).normal(0, 0.008)
                    rows.append({"anchor_id": spec.anchor_id, "year": year,
                                 "raw": spec.headcount * growth ** (year - self.targets.reference_year) * (1 + noise)})
        return pd.DataFrame(rows)

    def _solve_headcount(self, df: pd.DataFrame) -> pd.DataFrame:
        """Scale headcounts so the target year's total is exact (the rounding residue goes to the largest anchor)."""
        target = self.targets.target("headcount")
        if target is None:
            df["headcount"] = df["raw"].round().astype(int)
            return df
        in_year = df["year"] == target["year"]
        scale = target["value"] / df.loc[in_year, "raw"].sum()
        df["headcount"] = (df["raw"] * scale).round().astype(int)
        residue = target["value"] - df.loc[in_year, "headcount"].sum()
        df.loc[df.loc[in_year, "headcount"].idxmax(), "headcount"] += residue
        return df

    def _solve_inner_staff(self, df: pd.DataFrame, base: pd.Series) -> pd.Series:
        """Staff living in the place: each anchor's share scaled by one factor so the target year's share is exact."""
        target = self.targets.target("staff_share_inner")
        if target is None:
            return (np.clip(base, 0, 0.97) * df["headcount"]).round().astype(int)
        in_year = df["year"] == target["year"]
        wanted = target["value"] * int(df.loc[in_year, "headcount"].sum())

        def inner_total(k: float) -> float:
            """Staff living in the place in the target year with every share scaled by ``k`` (capped at 97%)."""
            return float((np.clip(base[in_year] * k, 0, 0.97) * df.loc[in_year, "headcount"]).sum())

        k = _bisect(inner_total, 0.5, 2.0, wanted)
        staff = (np.clip(base * k, 0, 0.97) * df["headcount"]).round().astype(int)
        staff.loc[df.loc[in_year, "headcount"].idxmax()] += round(wanted) - staff[in_year].sum()
        return staff

    def staff_residence(self) -> pd.DataFrame:
        """Return staff counts by LSOA 2021 per anchor and year; the deprivation tilt is solved to the target.

        Staff are spread over real LSOAs by population x distance decay from the anchor's site x a deprivation
        tilt, within the headcount's place, rest of the region and elsewhere totals; the tilt (kept as
        ``deprivation_tilt``) is solved so that the target's staff live in IMD 2019 decile 1 LSOAs (Leeds: 12,300 in
        2023/24); without a target it is 0 (staff live where residents do). Only anchors that return residence are
        listed.

        Returns
        -------
        pandas.DataFrame
            ``year, anchor_id, lsoa_code, count``, LSOAs with no staff left out.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.core.places import load_place
        >>> from anchor_analysis.demo import DemoNetwork, load_demo_geography
        >>> network = DemoNetwork(load_demo_geography(load_place("leeds")))  # doctest: +PUBLIC_DATA
        >>> network.staff_residence().equals(pd.read_csv("data/raw/demo/staff_residence.csv"))  # doctest: +PUBLIC_DATA
        True
        """
        hc = self.headcounts()
        hc = hc[hc["anchor_id"].map(lambda a: self.specs[a].residence)]
        allocate, deprived, inner = self._allocator()
        target = self.targets.target("staff_most_deprived")
        tilt, largest = 0.0, None
        if target is not None:
            rows = hc[hc["year"] == target["year"]]

            def deprived_total(tilt: float) -> float:
                """Staff living in decile 1 LSOAs in the target year with tilt ``tilt``."""
                return float(sum(allocate(r, tilt)[deprived].sum() for r in rows.itertuples()))

            # a negative tilt means staff live less often in the most deprived areas than residents do
            tilt = _bisect(deprived_total, -0.95, 3.0, target["value"], iterations=40)
            largest = rows.loc[rows["headcount"].idxmax(), "anchor_id"]
        self.deprivation_tilt = tilt
        lsoa_codes = self.geo.lsoas["lsoa_code"].to_numpy()
        frames = []
        for row in hc.itertuples():
            counts = allocate(row, tilt)
            if target is not None and row.year == target["year"] and row.anchor_id == largest:
                counts = self._hit_deprived_target(counts, hc, allocate, tilt, deprived, inner, target)
            keep = counts > 0
            frames.append(pd.DataFrame({"year": row.year, "anchor_id": row.anchor_id,
                                        "lsoa_code": lsoa_codes[keep], "count": counts[keep]}))
        return pd.concat(frames, ignore_index=True)

    def _allocator(self):
        """``allocate(row, tilt)`` spreading one anchor-year's staff over every LSOA, the decile 1 and inner masks."""
        lsoas = self.geo.lsoas
        sites = self._site_xy()
        ring_of = lsoas["ring"].to_numpy()
        deprived = (lsoas["decile_2019"] == 1).to_numpy()
        groups = {"inner": ring_of == self.inner, "region": ring_of == self.region, "elsewhere": ring_of == "elsewhere"}
        inner_col, region_col = f"staff_in_{self.inner}", f"staff_in_{self.region}"

        def allocate(row, tilt: float) -> np.ndarray:
            """One anchor-year's staff over every LSOA with deprivation tilt ``tilt``."""
            sx, sy = sites[row.anchor_id]
            dist = np.hypot(lsoas["x_km"].to_numpy() - sx, lsoas["y_km"].to_numpy() - sy)
            reach = self.specs[row.anchor_id].reach_km
            base = lsoas["population"].to_numpy() * np.exp(-dist / reach) * (1 + tilt * deprived)
            counts = np.zeros(len(lsoas), dtype=np.int64)
            staff_inner, staff_region = getattr(row, inner_col), getattr(row, region_col)
            totals = {"inner": staff_inner, "region": staff_region - staff_inner,
                      "elsewhere": row.headcount - staff_region}
            for key, mask in groups.items():
                weights = np.where(mask, base, 0.0)[mask]
                if key != "inner":
                    nearest = np.sort(weights)[-min(NEAREST_OUTSIDE_LSOAS, len(weights))]
                    weights = np.where(weights >= nearest, weights, 0.0)
                counts[mask] = largest_remainder(int(totals[key]), weights)
            return counts

        return allocate, deprived, groups["inner"]

    def _hit_deprived_target(self, counts, hc, allocate, tilt, deprived, inner, target) -> np.ndarray:
        """Move whole staff between a deprived and a non-deprived LSOA of the place, of the largest anchor."""
        rows = hc[hc["year"] == target["year"]]
        largest = rows.loc[rows["headcount"].idxmax(), "anchor_id"]
        others = sum(allocate(r, tilt)[deprived].sum() for r in rows.itertuples() if r.anchor_id != largest)
        gap = int(target["value"] - others - counts[deprived].sum())
        counts = counts.copy()
        src_mask, dst_mask = (inner & ~deprived, inner & deprived) if gap > 0 else (inner & deprived,
                                                                                    inner & ~deprived)
        src = int(np.flatnonzero(src_mask)[np.argmax(counts[src_mask])])
        dst = int(np.flatnonzero(dst_mask)[np.argmax(counts[dst_mask])])
        counts[src] -= abs(gap)
        counts[dst] += abs(gap)
        return counts
