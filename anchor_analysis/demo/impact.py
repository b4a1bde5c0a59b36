"""The demo network's inputs of the impact measures: pay bills and a small local spend survey (all SYNTHETIC).

The pay bill of each workforce return is its headcount times an employer cost per head of the anchor's sector
(gross pay with on-costs, growing 3% a year, with a small per-anchor draw); about half the anchors also return the
pay of their staff living in the place, the others leave it to be apportioned. The network surveys its local
suppliers and its staff living in the place from 2022/23 (the years before have no survey, so their round 3 falls
back to the kit's assumed defaults): 40 suppliers (weighted by the size of their contract band) and 90 staff (their
anchor named) a year, each answering the share of their spending made locally.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.demo.specs import _rng

PAY_PER_HEAD = {"nhs": 50_000, "university": 52_000, "fe_college": 38_000, "local_authority": 42_000,
                "utility": 55_000, "government": 46_000, "culture": 32_000, "housing": 36_000, "blue_light": 48_000,
                "other": 40_000}
"""Employer cost per head (gross pay with national insurance and pension) in the first demo year, GBP."""
SURVEY_FIRST_YEAR = 2022
SURVEY_SUPPLIERS, SURVEY_STAFF = 40, 90
# Beta distributions of the local share of spending: suppliers re-spend about half of what they are paid locally
# (their own staff and suppliers), staff living in the place about 65% of their take-home pay.
SUPPLIER_SHARE_BETA, STAFF_SHARE_BETA = (5.0, 5.0), (6.5, 3.5)


class ImpactMixin:
    """The pay bills and the local spend survey (:class:`~anchor_analysis.demo.network.DemoNetwork`)."""

    def pay_bills(self) -> pd.DataFrame:
        """Return each workforce return's pay bill and, for about half the anchors, the pay of staff in the place.

        Returns
        -------
        pandas.DataFrame
            ``anchor_id, year, pay_bill, pay_bill_<place>`` (whole pounds; ``<NA>``: not returned).

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo import DemoGeography, DemoNetwork
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> pay = network.pay_bills().query("year == 2023")
        >>> round(float(pay["pay_bill"].sum()) / 1e9, 2), int(pay["pay_bill_leeds"].notna().sum())
        (3.4, 9)
        """
        staff = self.headcounts()
        inner = f"staff_in_{self.inner}"
        first = self.targets.first_year
        rows = []
        for r in staff.itertuples():
            spec = self.specs[r.anchor_id]
            draw = _rng(self.seed, "pay", r.anchor_id)
            per_head = PAY_PER_HEAD.get(spec.sector, 40_000) * draw.uniform(0.92, 1.08) * 1.03 ** (r.year - first)
            pay = int(round(r.headcount * per_head))
            # residents of the place earn a little less on average than commuters from outside it
            local = int(round(pay * getattr(r, inner) / r.headcount * 0.97)) if draw.uniform() < 0.5 else pd.NA
            rows.append({"anchor_id": r.anchor_id, "year": r.year, "pay_bill": pay, f"pay_bill_{self.inner}": local})
        return pd.DataFrame(rows).astype({"pay_bill": "int64", f"pay_bill_{self.inner}": "Int64"})

    def local_spend_survey(self) -> pd.DataFrame:
        """Return the local spend survey: one row per respondent, from 2022/23.

        Returns
        -------
        pandas.DataFrame
            ``year, respondent_type, local_share, weight, anchor_id`` (suppliers answer for the network: blank
            anchor_id); empty for a network whose years end before the first survey.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.demo import DemoGeography, DemoNetwork
        >>> network = DemoNetwork(DemoGeography(lsoas=pd.DataFrame(), postcodes=pd.DataFrame()))
        >>> survey = network.local_spend_survey()
        >>> survey.groupby(["year", "respondent_type"]).size().to_dict()[(2023, "staff")]
        90
        """
        frames = [self._survey_year(year) for year in self.targets.years if year >= SURVEY_FIRST_YEAR]
        columns = ["year", "respondent_type", "local_share", "weight", "anchor_id"]
        return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)

    def _survey_year(self, year: int) -> pd.DataFrame:
        """One year's respondents: suppliers weighted by contract band, staff of the members that return staff."""
        rng = _rng(self.seed, "survey", year)
        supplier_share = rng.beta(*SUPPLIER_SHARE_BETA, size=SURVEY_SUPPLIERS)
        band = rng.choice([1, 2, 5], size=SURVEY_SUPPLIERS, p=[0.6, 0.3, 0.1])
        staffed = self.headcounts().query("year == @year")
        weights = staffed["headcount"].to_numpy(dtype=float)
        anchors = rng.choice(staffed["anchor_id"].to_numpy(), size=SURVEY_STAFF, p=weights / weights.sum())
        staff_share = rng.beta(*STAFF_SHARE_BETA, size=SURVEY_STAFF)
        suppliers = pd.DataFrame({"respondent_type": "supplier", "local_share": supplier_share, "weight": band,
                                  "anchor_id": ""})
        staff = pd.DataFrame({"respondent_type": "staff", "local_share": staff_share, "weight": 1,
                              "anchor_id": anchors})
        out = pd.concat([suppliers, staff], ignore_index=True)
        out["local_share"] = np.round(out["local_share"], 2)
        out.insert(0, "year", year)
        return out
