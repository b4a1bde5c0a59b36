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
from anchor_analysis.demo.suppliers import (
    choose_firms,
    demo_register,
    house_style,
    public_payees,
    spelling,
    supplier_pool,
)

_CATEGORY_OF_SIC = {
    "F": "Construction and estates", "N": "Facilities management", "G": "Medical and laboratory supplies",
    "J": "ICT and digital", "M": "Professional services", "D": "Energy and utilities", "E": "Energy and utilities",
    "I": "Catering and hospitality", "C": "Catering and hospitality", "H": "Transport and fleet",
    "P": "Training and education", "Q": "Professional services", "R": "Training and education",
}
"""The ledger category an anchor books a firm's invoices under, by the firm's SIC section."""


class LedgerMixin:
    """The ledger-building methods of :class:`~anchor_analysis.demo.network.DemoNetwork`.

    It relies on the network's ``seed``, ``targets``, ``specs``, ``inner``/``region`` ring keys, ``geo``
    (:class:`~anchor_analysis.demo.specs.DemoGeography`) and :meth:`~anchor_analysis.demo.network.DemoNetwork.spend`.

    See Also
    --------
    anchor_analysis.demo.network.DemoNetwork : The class that mixes these methods in.
    """

    def ledgers(self) -> dict[tuple[str, int], pd.DataFrame]:
        """Build one transaction ledger per anchor and year with a spend return (:meth:`ledgers_with_truth`, the
        true firm of each line left out).

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
        return {key: ledger.drop(columns="true_supplier") for key, ledger in self.ledgers_with_truth().items()}

    def ledgers_with_truth(self) -> dict[tuple[str, int], pd.DataFrame]:
        """Build one transaction ledger per anchor and year with a spend return; lines agree with the return closely.

        Influenceable spend goes to suppliers in the return's rings (deprived and other postcodes of the place, the rest
        of the region, elsewhere, some national offices); the excluded payments (public bodies, tax, pensions,
        grants) by rule. As in real ledgers, some postcodes are missing or junk, and there are credit notes and
        exact duplicate lines, each netting to zero.

        Suppliers are firms of the network's pool (:mod:`anchor_analysis.demo.suppliers`), shared across anchors:
        popular firms are used by many, each anchor's finance system spells them its own way (and some change
        system in 2022), and the anchors of the targets' ``ledgers_without_postcodes`` record no postcodes at all,
        like Leeds City Council's published ledger.

        Returns
        -------
        dict of (str, int) to pandas.DataFrame
            ``(anchor_id, year)`` -> lines: ``anchor_id, payment_date, amount, supplier_id, supplier_name,
            supplier_postcode, category, true_supplier`` (the firm's id; ``(redacted)`` for redacted payees), by
            payment date.

        Examples
        --------
        >>> from anchor_analysis.core.places import load_place
        >>> from anchor_analysis.demo import DemoNetwork, load_demo_geography
        >>> network = DemoNetwork(load_demo_geography(load_place("leeds")))  # doctest: +PUBLIC_DATA
        >>> truth = network.ledgers_with_truth()[("nhs_trust_a", 2023)]  # doctest: +PUBLIC_DATA
        >>> int(truth.groupby("supplier_name")["true_supplier"].nunique().max())  # doctest: +PUBLIC_DATA
        1
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
        """The ledger of one spend return ``r``: each ring's budget over its firms, then the excluded payments.

        Each line keeps its true firm in ``true_supplier`` (dropped from what is published: see
        :meth:`ledgers_with_truth`).
        """
        rng = _rng(self.seed, "ledger", r.anchor_id, r.year)
        supplier_rng = _rng(self.seed, "suppliers", r.anchor_id)  # the supply base is stable across years
        n_suppliers = int(np.clip(r.influenceable_spend / 5e5, 200, 600))
        # ring budget of influenceable spend, from the anchor's own return
        spend_inner, spend_region = getattr(r, f"spend_{self.inner}"), getattr(r, f"spend_{self.region}")
        budgets = {
            "inner_deprived": r.spend_most_deprived,
            "inner_other": spend_inner - r.spend_most_deprived,
            "region": spend_region - spend_inner,
            "elsewhere": r.influenceable_spend - spend_region,
        }
        junk = self.targets.junk_postcodes
        style = house_style(self.seed, r.anchor_id, r.year)
        no_postcodes = r.anchor_id in self.targets.ledgers_without_postcodes
        firms = self._supplier_pool(pools)
        lines = []
        for ring, budget in budgets.items():
            if budget <= 0:
                continue
            n = max(3, int(round(n_suppliers * budget / r.influenceable_spend)))
            sizes = supplier_rng.pareto(1.3, n) + 0.05
            amounts = largest_remainder(int(round(budget)), sizes)
            chosen = self._anchor_firms(r.anchor_id, ring, firms)
            for number, (firm, amount) in enumerate(zip(chosen.head(n).itertuples(), amounts, strict=False)):
                postcode = firm.postcode
                if rng.uniform() < 0.04:  # as in real ledgers: missing or junk postcodes
                    postcode = junk[rng.integers(len(junk))]
                name = spelling(firm.name, style, _rng(self.seed, "spelling", r.anchor_id, firm.firm_id, style))
                sid = f"{r.anchor_id[:3].upper()}-{ring[:2].upper()}{number:03d}"
                lines.extend(self._invoice_lines(rng, r, sid, "" if no_postcodes else postcode,
                                                 _CATEGORY_OF_SIC[firm.sic_section], int(amount), name=name,
                                                 firm=firm.firm_id))
        lines.extend(self._excluded_lines(rng, supplier_rng, r, pools, style, no_postcodes))
        df = pd.DataFrame(lines)
        df = self._add_credits_and_duplicates(rng, df)
        df.insert(0, "anchor_id", r.anchor_id)
        df = df.sort_values(["payment_date", "supplier_id", "amount"], kind="stable", ignore_index=True)
        return df[["anchor_id", "payment_date", "amount", "supplier_id", "supplier_name", "supplier_postcode",
                   "category", "true_supplier"]]

    def _excluded_lines(self, rng, supplier_rng, r, pools, style, no_postcodes) -> list[dict]:
        """Non-influenceable payments: other public bodies, tax, pensions, grants (reported by rule, excluded)."""
        excluded_cats = [c for c in LEDGER_CATEGORIES if not LEDGER_CATEGORIES[c][0]]
        payees = public_payees(self.targets.place.replace("_", " ").title())
        excluded_total = int(r.total_spend - r.influenceable_spend)
        shares = largest_remainder(excluded_total, np.array([0.45, 0.25, 0.25, 0.05]))
        lines = []
        for cat, amount in zip(excluded_cats, shares, strict=True):
            # other public bodies sit in the place; tax, pension and grant payees are national offices
            pool = pools["inner_other"] if cat == "Payments to public bodies" else pools["elsewhere"]
            postcode = pool[supplier_rng.integers(len(pool))]
            options = payees[payees["category"] == cat]
            payee = options.iloc[int(supplier_rng.integers(len(options)))]
            redacted = payee["sic_section"] == ""
            name = payee["name"] if redacted else spelling(
                payee["name"], style, _rng(self.seed, "spelling", r.anchor_id, payee["firm_id"], style))
            lines.extend(self._invoice_lines(
                rng, r, f"{r.anchor_id[:3].upper()}-X{cat[:3].upper()}", "" if no_postcodes or redacted else postcode,
                cat, int(amount), parts=4, name=name, firm="(redacted)" if redacted else payee["firm_id"]))
        return lines

    def supplier_register(self, lines: pd.DataFrame) -> pd.DataFrame:
        """The network's supplier register: the public payees and the firms with the largest spend in ``lines``.

        Parameters
        ----------
        lines : DataFrame
            Ledger lines with ``true_supplier`` and ``amount`` (:meth:`ledgers_with_truth`, concatenated).

        Returns
        -------
        DataFrame
            :func:`~anchor_analysis.demo.suppliers.demo_register`: the ``suppliers`` contract's columns.
        """
        payees = public_payees(self.targets.place.replace("_", " ").title())
        used = lines.rename(columns={"true_supplier": "firm_id"})[["firm_id", "amount"]]
        firms = self._firms
        returns = self.spend().dropna(subset=["spend_sme", "influenceable_spend"])
        sme = float(returns["spend_sme"].sum() / returns["influenceable_spend"].sum())
        return demo_register(firms, used[used["firm_id"].isin(firms["firm_id"])], payees, sme_share=sme)

    def _supplier_pool(self, pools) -> pd.DataFrame:
        """The network's firms (:func:`~anchor_analysis.demo.suppliers.supplier_pool`), made once."""
        if getattr(self, "_firms", None) is None:
            self._firms = supplier_pool(self.seed, pools, self.targets.national_postcodes)
        return self._firms

    def _anchor_firms(self, anchor_id: str, ring: str, firms: pd.DataFrame) -> pd.DataFrame:
        """The firms an anchor buys from in ``ring``, in the order it takes them on (the same every year)."""
        ring_firms = firms[firms["ring"] == ring]
        return choose_firms(_rng(self.seed, "anchor firms", anchor_id, ring), ring_firms, 700)

    @staticmethod
    def _invoice_lines(rng, r, sid, postcode, category, amount, parts=None, name=None, firm=None):
        """A supplier's ``amount`` as ``parts`` invoice lines (to the penny) on random days of the year."""
        parts = parts or int(np.clip(amount // 400_000 + 1, 1, 6))
        pieces = largest_remainder(amount * 100, rng.uniform(0.5, 1.5, parts)) / 100  # pence
        days = rng.integers(0, 365, parts)
        start = pd.Timestamp(f"{r.year}-04-01")
        return [{"payment_date": (start + pd.Timedelta(days=int(d))).date().isoformat(), "amount": float(p),
                 "supplier_id": sid, "supplier_name": name or f"Supplier {sid}", "supplier_postcode": postcode,
                 "category": category, "true_supplier": firm or sid} for p, d in zip(pieces, days, strict=True)]

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
