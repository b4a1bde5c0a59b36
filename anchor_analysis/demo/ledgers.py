"""The demo network's supplier ledgers.

In: each anchor's spend return (:meth:`~anchor_analysis.demo.network.DemoNetwork.spend`), the real postcodes of
the place and the network's national and junk postcodes (its targets file). Out: one transaction ledger per anchor
and year with a spend analysis (for the anchors that send ledgers), whose lines agree with the return.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.demo.specs import (
    LEDGER_CATEGORIES,
    _rng,
    largest_remainder,
)


class LedgerMixin:
    """The ledger-building methods of :class:`~anchor_analysis.demo.network.DemoNetwork`.

    It relies on the network's ``seed``, ``targets``, ``specs``, ``inner``/``region`` ring keys, ``geo``
    (:class:`~anchor_analysis.demo.specs.DemoGeography`) and :meth:`~anchor_analysis.demo.network.DemoNetwork.spend`.

    See Also
    --------
    anchor_analysis.demo.network.DemoNetwork : The class that mixes these methods in.
    """

    def ledgers(self) -> dict[tuple[str, int], pd.DataFrame]:
        """Build one transaction ledger per anchor and year with a spend return; lines agree with the return closely.

        Influenceable spend goes to suppliers in the return's rings (deprived and other postcodes of the place, the rest
        of the region, elsewhere, some national offices); the excluded payments (public bodies, tax, pensions,
        grants) by rule. As in real ledgers, some postcodes are missing or junk, and there are credit notes and
        exact duplicate lines, each netting to zero.

        Returns
        -------
        dict of (str, int) to pandas.DataFrame
            ``(anchor_id, year)`` -> lines: ``anchor_id, payment_date, amount, supplier_id, supplier_name,
            supplier_postcode, category``, by payment date.

        Examples
        --------
        >>> import pandas as pd
        >>> from anchor_analysis.core.places import load_place
        >>> from anchor_analysis.demo import DemoNetwork, load_demo_geography
        >>> network = DemoNetwork(load_demo_geography(load_place("leeds")))  # doctest: +PUBLIC_DATA
        >>> ledgers = network.ledgers()  # doctest: +PUBLIC_DATA
        >>> bundled = pd.read_csv("data/raw/demo/ledger/nhs_trust_a_2023.csv", keep_default_na=False)
        >>> len(ledgers), ledgers[("nhs_trust_a", 2023)].equals(bundled)  # doctest: +PUBLIC_DATA
        (65, True)
        """
        spend = self.spend()
        pcs = self.geo.postcodes
        inner, region = self.inner, self.region
        pools = {
            "inner_deprived": pcs[(pcs["ring"] == inner) & (pcs["decile_2019"] == 1)]["postcode"].to_numpy(),
            "inner_other": pcs[(pcs["ring"] == inner) & (pcs["decile_2019"] != 1)]["postcode"].to_numpy(),
            "region": pcs[pcs["ring"] == region]["postcode"].to_numpy(),
            "elsewhere": pcs[pcs["ring"] == "elsewhere"]["postcode"].to_numpy(),
        }
        categories = list(LEDGER_CATEGORIES)
        out = {}
        years = self.targets.ledger_years
        for r in spend[spend[f"spend_{inner}"].notna()].itertuples():  # ledgers where a spend analysis was done
            if self.specs[r.anchor_id].ledger and (years is None or r.year in years):
                out[(r.anchor_id, r.year)] = self._ledger(r, pools, categories)
        return out

    def _ledger(self, r, pools, categories) -> pd.DataFrame:
        """The ledger of one spend return ``r``: each ring's budget over its suppliers, then excluded payments."""
        rng = _rng(self.seed, "ledger", r.anchor_id, r.year)
        supplier_rng = _rng(self.seed, "suppliers", r.anchor_id)  # the supply base is stable across years
        n_suppliers = int(np.clip(r.influenceable_spend / 4e6, 25, 140))
        influenceable_cats = [c for c in categories if LEDGER_CATEGORIES[c][0]]
        excluded_cats = [c for c in categories if not LEDGER_CATEGORIES[c][0]]
        # ring budget of influenceable spend, from the anchor's own return
        spend_inner, spend_region = getattr(r, f"spend_{self.inner}"), getattr(r, f"spend_{self.region}")
        budgets = {
            "inner_deprived": r.spend_most_deprived,
            "inner_other": spend_inner - r.spend_most_deprived,
            "region": spend_region - spend_inner,
            "elsewhere": r.influenceable_spend - spend_region,
        }
        national, junk = self.targets.national_postcodes, self.targets.junk_postcodes
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
                    postcode = national[supplier_rng.integers(len(national))]
                if supplier_rng.uniform() < 0.04:  # as in real ledgers: missing or junk postcodes
                    postcode = junk[supplier_rng.integers(len(junk))]
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
        """A supplier's ``amount`` as ``parts`` invoice lines (to the penny) on random days of the year."""
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
