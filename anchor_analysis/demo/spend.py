"""The demo network's spend and carbon returns, and the solves that make them agree with published aggregates.

In: the anchors' parameters and the targets file (Leeds: the 2019/20 spend baseline and the GBP 511m in Leeds; the
West Midlands: GBP 10.2bn of spend, GBP 3.7bn of it in the region). Out: per anchor and year, total and
influenceable spend and where it lands; scope 1, 2 (and 3) emissions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.demo.specs import _bisect, _rng, is_member


class SpendMixin:
    """The spend and carbon methods of :class:`~anchor_analysis.demo.network.DemoNetwork`.

    It relies on the network's ``seed``, ``targets`` and ``inner``/``region`` ring keys.

    See Also
    --------
    anchor_analysis.demo.network.DemoNetwork : The class that mixes these methods in.
    """

    def spend(self) -> pd.DataFrame:
        """Return spend per anchor and year, solved to the targets; spend not reported is missing, never zero.

        Leeds: in 2023/24 spend with Leeds suppliers is GBP 511.0m over the reporting anchors; in 2019/20 six anchors
        report a spend baseline (see :meth:`_solve_spend_baseline`).

        Returns
        -------
        pandas.DataFrame
            ``anchor_id, year, total_spend, influenceable_spend``, the shares drawn, ``reports_spend,
            reports_influenceable_only`` and ``spend_<place>, spend_<region>, spend_most_deprived, spend_sme`` (GBP).

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo import DemoGeography, DemoNetwork
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> spend = network.spend()
        >>> int(spend.loc[spend["year"] == 2023, "spend_leeds"].sum())
        511000000
        """
        df = self._solve_spend_baseline(self._raw_spend())
        df = self._scale_total_spend(df)
        self._scale_inner_share(df)
        self._scale_region_share(df)
        for col in ("total_spend", "influenceable_spend"):
            df[col] = df[col].round()
        inner, region = f"spend_{self.inner}", f"spend_{self.region}"
        df[inner] = (df["influenceable_spend"] * df["share_inner"]).round()
        df[region] = (df["influenceable_spend"] * df["share_region"]).round()
        df["spend_most_deprived"] = (df["influenceable_spend"] * df["share_deprived"]).round()
        df["spend_sme"] = (df["influenceable_spend"] * df["share_sme"]).round()
        for column, kind in ((inner, "spend_inner"), (region, "spend_region"), ("total_spend", "total_spend")):
            self._exact_total(df, column, self.targets.target(kind), every_row=kind == "total_spend")
        not_reported = ~df["reports_spend"]
        cols = ["influenceable_spend", inner, region, "spend_most_deprived", "spend_sme"]
        df.loc[not_reported & ~df["reports_influenceable_only"], cols] = np.nan
        # knows its influenceable spend but had not analysed where suppliers are: a partial return, as real ones are
        df.loc[df["reports_influenceable_only"], cols[1:]] = np.nan
        return df

    def _raw_spend(self) -> pd.DataFrame:
        """Spend and shares drawn around each anchor's first-year spend, before any solve."""
        rows = []
        first = self.targets.first_year
        for spec in self.targets.anchors:
            if spec.total_spend_m is None:
                continue
            for year in self.targets.years:
                if not is_member(spec, year):
                    continue
                rng = _rng(self.seed, "spend", spec.anchor_id, year)
                infl_growth = 1.03 ** (year - first)
                total = spec.total_spend_m * 1e6 * infl_growth * (1 + rng.normal(0, 0.02))
                inner = np.clip(spec.inner_spend_share + 0.008 * (year - first) + rng.normal(0, 0.01), 0.05, 0.9)
                region = inner + 0.05 if spec.region_spend_share is None else max(spec.region_spend_share, inner)
                rows.append({"anchor_id": spec.anchor_id, "year": year, "total_spend": total,
                             "influenceable_spend": total * spec.influenceable_ratio, "share_inner": inner,
                             "share_region": min(region + rng.uniform(0, 0.04), 0.95),
                             "share_deprived": 0.06 + rng.uniform(0, 0.05),
                             "share_sme": 0.22 + rng.uniform(0, 0.12)})
        return pd.DataFrame(rows)

    def _solve_spend_baseline(self, df: pd.DataFrame) -> pd.DataFrame:
        """Who reports where spend lands; a baseline year's shares solved for both definitions of average.

        Leeds: only 6 anchors had a spend baseline in 2019/20; their shares are shifted by a common offset and a
        size-related tilt so that both the pooled share and the unweighted mean of shares are 48.0% and 52.5%.
        """
        df["reports_spend"] = True
        baseline = self.targets.target("spend_baseline")
        if baseline is not None:
            in_base = df["year"] == baseline["year"]
            df.loc[in_base & ~df["anchor_id"].isin(baseline["anchors"]), "reports_spend"] = False
        pairs = list(zip(df["anchor_id"], df["year"], strict=True))
        df["reports_influenceable_only"] = [pair in self.targets.influenceable_only for pair in pairs]
        df.loc[[pair in self.targets.no_spend for pair in pairs], "reports_spend"] = False
        floor = self.targets.target("total_spend_min")
        if floor is not None:
            in_year = df["year"] == floor["year"]
            total = df.loc[in_year, "total_spend"].sum()
            if total <= floor["value"]:
                df.loc[in_year, ["total_spend", "influenceable_spend"]] *= 1.02 * floor["value"] / total
        if baseline is None:
            return df
        base = (df["year"] == baseline["year"]) & df["reports_spend"]
        w = df.loc[base, "influenceable_spend"].to_numpy()
        for col, target in (("share_inner", baseline["inner_share"]), ("share_region", baseline["region_share"])):
            s0 = df.loc[base, col].to_numpy()
            # s = s0 + a + b * (w - mean(w)): mean(s) = target and sum(w s) / sum(w) = target
            dev = w - w.mean()
            a = target - s0.mean()
            b = (target * w.sum() - (w * (s0 + a)).sum()) / (w * dev).sum()
            df.loc[base, col] = s0 + a + b * dev
        return df

    def _scale_total_spend(self, df: pd.DataFrame) -> pd.DataFrame:
        """Scale every reporting anchor's spend in the target year so the network total is the target's."""
        target = self.targets.target("total_spend")
        if target is not None:
            in_year = df["year"] == target["year"]
            df.loc[in_year, ["total_spend", "influenceable_spend"]] *= target["value"] / df.loc[
                in_year, "total_spend"].sum()
        return df

    def _scale_inner_share(self, df: pd.DataFrame) -> None:
        """Scale the shares spent in the place so the target year's spend there is the target's (in place)."""
        target = self.targets.target("spend_inner")
        if target is None:
            return
        rows = (df["year"] == target["year"]) & df["reports_spend"]
        k = target["value"] / (df.loc[rows, "influenceable_spend"] * df.loc[rows, "share_inner"]).sum()
        df.loc[rows, "share_region"] = df.loc[rows, "share_region"] - df.loc[rows, "share_inner"] * (1 - k)
        df.loc[rows, "share_inner"] *= k

    def _scale_region_share(self, df: pd.DataFrame) -> None:
        """Scale the shares spent in the region (never below the place's) so the target year's total is the target's."""
        target = self.targets.target("spend_region")
        if target is None:
            return
        rows = (df["year"] == target["year"]) & df["reports_spend"]
        beyond = df.loc[rows, "share_region"] - df.loc[rows, "share_inner"]
        inner = (df.loc[rows, "influenceable_spend"] * df.loc[rows, "share_inner"]).sum()
        k = (target["value"] - inner) / (df.loc[rows, "influenceable_spend"] * beyond).sum()
        df.loc[rows, "share_region"] = (df.loc[rows, "share_inner"] + beyond * k).clip(upper=0.98)

    @staticmethod
    def _exact_total(df: pd.DataFrame, column: str, target: dict | None, every_row: bool = False) -> None:
        """Give the rounding residue of a target year's total to its largest reporting row (in place).

        ``every_row``: the total is over every anchor with spend that year (total spend), not only those that
        analysed where their spend lands.
        """
        if target is None:
            return
        rows = (df["year"] == target["year"]) & (df["reports_spend"] | every_row)
        residue = target["value"] - df.loc[rows, column].sum()
        df.loc[df.loc[rows, column].idxmax(), column] += residue

    def carbon(self) -> pd.DataFrame:
        """Return scope 1/2 (and 3 for some) emissions per anchor-year, solved to the targets.

        Leeds: the like-for-like fall of the anchors reporting in both 2019/20 and 2023/24 is 110,000 t; two anchors
        miss a year's return. The West Midlands: the target year's scope 1 and 2 total is exact to the kilogram.

        Returns
        -------
        pandas.DataFrame
            ``anchor_id, year, scope1_tco2e, scope2_tco2e, scope3_tco2e`` (scope 3 missing where not reported).

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo import DemoGeography, DemoNetwork
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> carbon = network.carbon().assign(scope12=lambda c: c["scope1_tco2e"] + c["scope2_tco2e"])
        >>> both = set(carbon.query("year == 2019")["anchor_id"]) & set(carbon.query("year == 2023")["anchor_id"])
        >>> by_year = carbon[carbon["anchor_id"].isin(both)].groupby("year")["scope12"].sum()
        >>> int(by_year[2019] - by_year[2023])
        110000
        """
        df = self._raw_carbon()
        first = self.targets.first_year

        def emissions(k: float) -> pd.Series:
            """Scope 1+2 emissions of every row with each anchor's reduction rate scaled by ``k``."""
            return df["base"] * (1 - np.clip(df["rate"] * k, 0, 0.5)) ** (df["year"] - first)

        reduction = self.targets.target("carbon_reduction")
        if reduction is not None:
            df = self._solve_reduction(df, emissions, reduction)
        elif self.targets.target("carbon_total") is not None:
            df = self._exact_carbon_total(df, emissions(1.0), self.targets.target("carbon_total"))
        else:
            total = emissions(1.0).round()
            df["scope1_tco2e"] = (total * df["scope1_part"]).round()
            df["scope2_tco2e"] = total - df["scope1_tco2e"]
        total = emissions(self._carbon_k) if reduction is not None else df["scope1_tco2e"] + df["scope2_tco2e"]
        scope3 = pd.Series(False, index=df.index)
        if self.targets.scope3 is not None:
            anchors, start = self.targets.scope3
            scope3 = df["anchor_id"].isin(anchors) & (df["year"] >= start)
        df["scope3_tco2e"] = np.where(scope3, (total.round() * 2.5).round(), np.nan)
        return df[["anchor_id", "year", "scope1_tco2e", "scope2_tco2e", "scope3_tco2e"]]

    def _raw_carbon(self) -> pd.DataFrame:
        """Each reporting anchor-year's first-year emissions, reduction rate and scope 1 part."""
        rows = []
        for spec in self.targets.anchors:
            if spec.carbon_kt is None:
                continue
            rng = _rng(self.seed, "carbon", spec.anchor_id)
            rate = rng.uniform(0.04, 0.10)
            scope1_part = rng.uniform(0.4, 0.7)
            for year in self.targets.years:
                if is_member(spec, year) and (spec.anchor_id, year) not in self.targets.no_carbon:
                    rows.append({"anchor_id": spec.anchor_id, "year": year, "base": spec.carbon_kt * 1000,
                                 "rate": rate, "scope1_part": scope1_part})
        return pd.DataFrame(rows)

    def _solve_reduction(self, df: pd.DataFrame, emissions, target: dict) -> pd.DataFrame:
        """Scale every reduction rate by one factor so the like-for-like fall between two years is the target's."""
        start, end = target["from"], target["to"]
        both = set(df.loc[df["year"] == start, "anchor_id"]) & set(df.loc[df["year"] == end, "anchor_id"])
        lfl = df["anchor_id"].isin(both)

        def reduction(k: float) -> float:
            """The like-for-like fall with rates scaled by ``k``."""
            e = emissions(k)
            return float(e[lfl & (df["year"] == start)].sum() - e[lfl & (df["year"] == end)].sum())

        self._carbon_k = _bisect(reduction, 0.0, 5.0, target["value"])
        total = emissions(self._carbon_k).round()
        df["scope1_tco2e"] = (total * df["scope1_part"]).round()
        df["scope2_tco2e"] = total - df["scope1_tco2e"]
        s12 = df["scope1_tco2e"] + df["scope2_tco2e"]
        residue = target["value"] - (s12[lfl & (df["year"] == start)].sum() - s12[lfl & (df["year"] == end)].sum())
        df.loc[s12[lfl & (df["year"] == end)].idxmax(), "scope1_tco2e"] -= residue
        return df

    @staticmethod
    def _exact_carbon_total(df: pd.DataFrame, emissions: pd.Series, target: dict) -> pd.DataFrame:
        """Emissions scaled so the target year's scope 1+2 total is exact at ``decimals`` (kg for 3), in whole units."""
        unit = 10 ** int(target.get("decimals", 0))
        in_year = df["year"] == target["year"]
        scaled = emissions * (target["value"] / emissions[in_year].sum())
        total = (scaled * unit).round().astype("int64")
        total.loc[total[in_year].idxmax()] += int(round(target["value"] * unit)) - int(total[in_year].sum())
        scope1 = (total * df["scope1_part"]).round().astype("int64")
        df["scope1_tco2e"] = scope1 / unit
        df["scope2_tco2e"] = (total - scope1) / unit
        return df
