"""The demo network's tables, built in memory by :class:`DemoNetwork`.

In: the real geography (:class:`~anchor_analysis.demo.specs.DemoGeography`), a seed and the network's targets file
(:mod:`anchor_analysis.demo.targets`). Out: every table of the network folder as a DataFrame, each per-anchor value
drawn from a stream of its own (so changing one part leaves the others as they were) and solved to the targets.
Anchors, headcounts, progression, spend and carbon need no geography; sites, staff residence, metrics and ledgers
draw on it. The parts live in mixins by subject: workforce, progression, spend and carbon, ledgers.
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis.core.places import load_place
from anchor_analysis.demo.impact import ImpactMixin
from anchor_analysis.demo.ledgers import LedgerMixin
from anchor_analysis.demo.progression import ProgressionMixin
from anchor_analysis.demo.specs import DemoGeography, _rng, is_member
from anchor_analysis.demo.spend import SpendMixin
from anchor_analysis.demo.targets import DemoTargets, load_demo_targets
from anchor_analysis.demo.workforce import WorkforceMixin

# --- the generator -------------------------------------------------------------------------------------------

class DemoNetwork(WorkforceMixin, ProgressionMixin, SpendMixin, LedgerMixin, ImpactMixin):
    """Build every table of a demo network in memory.

    :func:`~anchor_analysis.demo.write.write_demo_network` writes them out.

    Parameters
    ----------
    geography : DemoGeography
        The real geography (:func:`~anchor_analysis.demo.specs.load_demo_geography`).
    seed : int, optional
        The generator's seed (default: the targets file's): the same seed gives the same tables.
    network : str or DemoTargets, default "leeds"
        The demo network: its targets file (:func:`~anchor_analysis.demo.targets.load_demo_targets`), which names
        its place.

    Examples
    --------
    >>> import pandas as pd
    >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
    >>> network.anchors()[["anchor_id", "name", "joined_year"]].head(2)
         anchor_id         name  joined_year
    0  nhs_trust_a  NHS Trust A         2018
    1  nhs_trust_b  NHS Trust B         2018
    >>> brum = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()), network="birmingham")
    >>> brum.place.name, brum.inner, brum.region, len(brum.anchors())
    ('Birmingham', 'birmingham', 'west_midlands', 6)
    """

    def __init__(self, geography: DemoGeography, seed: int | None = None, network: str | DemoTargets = "leeds"):
        """Keep the geography, seed, targets, place and the anchors' specs."""
        self.geo = geography
        self.targets = load_demo_targets(network)
        self.seed = self.targets.seed if seed is None else seed
        self.place = load_place(self.targets.place)
        self.inner, self.region = self.place.rings[0].key, self.place.rings[-1].key
        self.specs = {s.anchor_id: s for s in self.targets.anchors}

    # anchors and sites
    def anchors(self) -> pd.DataFrame:
        """Return the anchors table: ``anchor_id, name, sector, joined_year, left_year`` (``<NA>``: still a member).

        Returns
        -------
        pandas.DataFrame
            One row per anchor of the targets file's anchors CSV.

        Examples
        --------
        >>> import pandas as pd
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> network.anchors().equals(pd.read_csv("data/raw/demo/anchors.csv", dtype={"left_year": "Int64"}))
        True
        """
        return pd.DataFrame(
            {"anchor_id": s.anchor_id, "name": s.name, "sector": s.sector, "joined_year": s.joined,
             "left_year": s.left} for s in self.targets.anchors
        ).astype({"left_year": "Int64"})

    def sites(self) -> pd.DataFrame:
        """Return each anchor's main site at a real postcode drawn in its spec's postcode district.

        The district's postcodes in the place are drawn from when it has any (Leeds: every site), else all of the
        district's (a West Midlands anchor in Coventry).

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
        postcodes = self.geo.postcodes
        place_pcs = postcodes[postcodes["ring"] == self.inner]
        for spec in self.targets.anchors:
            pool = place_pcs[place_pcs["postcode_district"] == spec.site]
            if pool.empty:
                pool = postcodes[postcodes["postcode_district"] == spec.site]
            pick = pool.iloc[int(_rng(self.seed, "site", spec.anchor_id).integers(len(pool)))]
            rows.append({"anchor_id": spec.anchor_id, "site_name": f"{spec.name} main site",
                         "postcode": pick["postcode"], "main_site": True})
        return pd.DataFrame(rows)

    def _site_xy(self) -> dict[str, tuple[float, float]]:
        """Each anchor's main site as the (x_km, y_km) centroid of its postcode's LSOA."""
        sites = self.sites().merge(self.geo.postcodes[["postcode", "lsoa21_code"]], on="postcode")
        xy = self.geo.lsoas.set_index("lsoa_code")[["x_km", "y_km"]]
        return {r.anchor_id: tuple(xy.loc[r.lsoa21_code]) for r in sites.itertuples()}

    # metrics
    def metrics(self) -> pd.DataFrame:
        """Return the core metrics returns in long form; a metric an anchor did not report has no row.

        Workforce (headcount, staff in the place, the region and the most deprived areas, Living Wage, apprentices),
        land, spend (:meth:`spend`), carbon (:meth:`carbon`) and the pay bills (:meth:`pay_bills`).

        Returns
        -------
        pandas.DataFrame
            ``year, anchor_id, metric, value, unit``, sorted; ``value`` is text: whole numbers without a decimal
            point, areas and exact-to-the-kilogram emissions with theirs.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo.specs import load_demo_geography
        >>> network = DemoNetwork(load_demo_geography(load_place("leeds")))  # doctest: +PUBLIC_DATA
        >>> metrics = network.metrics()  # doctest: +PUBLIC_DATA
        >>> metrics.equals(pd.read_csv("data/raw/demo/metrics.csv", dtype={"value": str}))  # doctest: +PUBLIC_DATA
        True
        """
        rows: list[dict] = []

        def add(year, anchor_id, metric, value, unit):
            """Append one metrics row."""
            rows.append({"year": year, "anchor_id": anchor_id, "metric": metric, "value": value, "unit": unit})

        self._workforce_metrics(add)
        self._land_metrics(add)
        inner, region = f"spend_{self.inner}", f"spend_{self.region}"
        for r in self.spend().itertuples():
            for metric in ("total_spend", "influenceable_spend", inner, region, "spend_most_deprived", "spend_sme"):
                value = getattr(r, metric)
                if not pd.isna(value):
                    add(r.year, r.anchor_id, metric, int(value), "GBP")
        for r in self.carbon().itertuples():
            for metric in ("scope1_tco2e", "scope2_tco2e", "scope3_tco2e"):
                value = getattr(r, metric)
                if not pd.isna(value):
                    add(r.year, r.anchor_id, metric, value, "tCO2e")
        for r in self.pay_bills().itertuples():
            for metric in ("pay_bill", f"pay_bill_{self.inner}"):
                value = getattr(r, metric)
                if not pd.isna(value):
                    add(r.year, r.anchor_id, metric, int(value), "GBP")
        df = pd.DataFrame(rows)
        # counts and whole pounds are written as integers, areas (and emissions to the kg) with their decimals
        df["value"] = [str(int(v)) if float(v).is_integer() else str(v) for v in df["value"]]
        return df.sort_values(["year", "anchor_id", "metric"], ignore_index=True)

    def _workforce_metrics(self, add) -> None:
        """Headcount, staff in the place, region and most deprived areas, Living Wage and apprentices, per return."""
        hc = self.headcounts()
        res = self.staff_residence()
        dec = self.geo.lsoas.set_index("lsoa_code")["decile_2019"]
        res["deprived"] = res["lsoa_code"].map(dec).eq(1)
        deprived = res[res["deprived"]].groupby(["anchor_id", "year"])["count"].sum()
        inner, region = f"staff_in_{self.inner}", f"staff_in_{self.region}"
        first = self.targets.first_year
        for r in hc.itertuples():
            add(r.year, r.anchor_id, "headcount", r.headcount, "people")
            add(r.year, r.anchor_id, inner, getattr(r, inner), "people")
            add(r.year, r.anchor_id, region, getattr(r, region), "people")
            if self.specs[r.anchor_id].residence:
                add(r.year, r.anchor_id, "staff_in_most_deprived", int(deprived.get((r.anchor_id, r.year), 0)),
                    "people")
            paying = r.anchor_id not in self.targets.not_living_wage.get(r.year, ())
            add(r.year, r.anchor_id, "living_wage", 1 if paying else 0, "flag")
            if (r.anchor_id, r.year) not in self.targets.no_apprentices:
                share = 0.015 + _rng(self.seed, "appr", r.anchor_id).uniform(0, 0.03)
                add(r.year, r.anchor_id, "apprentices",
                    int(round(r.headcount * share * (1 + 0.04 * (r.year - first)))), "people")

    def _land_metrics(self, add) -> None:
        """Land held by the anchors that report it, shrinking slowly; scaled to a target year's total if any."""
        target = self.targets.target("land_total")
        first = self.targets.first_year
        land = pd.DataFrame([{"anchor_id": s.anchor_id, "year": year, "ha": s.land_ha * (1 - 0.005 * (year - first))}
                             for s in self.targets.anchors if s.land_ha is not None
                             for year in self.targets.years if is_member(s, year)])
        if land.empty:
            return
        if target is None:
            land["ha"] = [round(ha, 1) for ha in land["ha"]]
        else:  # tenths of a hectare, so the target year's total is exact
            in_year = land["year"] == target["year"]
            tenths = (land["ha"] * target["value"] / land.loc[in_year, "ha"].sum() * 10).round().astype("int64")
            tenths.loc[tenths[in_year].idxmax()] += int(round(target["value"] * 10)) - int(tenths[in_year].sum())
            land["ha"] = tenths / 10
        for r in land.itertuples():
            add(r.year, r.anchor_id, "land_ha", r.ha, "ha")
