"""NEF's Local Multiplier 3 of each anchor and of the network, with its interval, sensitivity and method note.

LM3 = (R1 + R2 + R3) / R1 (New Economics Foundation, *The Money Trail: measuring your impact on the local economy
using LM3*, 2002). :func:`network_lm3` assembles the rounds from a network's returns, ledgers and survey;
:mod:`~anchor_analysis.analysis.lm3.rounds`, :mod:`~anchor_analysis.analysis.lm3.survey` and
:mod:`~anchor_analysis.analysis.lm3.sensitivity` hold the steps.

>>> from types import SimpleNamespace
>>> from anchor_analysis.core.places import load_place
>>> metrics = pd.DataFrame({"year": 2023, "anchor_id": "a", "metric": ["total_spend", "pay_bill", "spend_leeds",
...                         "pay_bill_leeds"], "value": [400.0, 600.0, 100.0, 420.0]})
>>> anchors = pd.DataFrame({"anchor_id": ["a"], "joined_year": [2019], "left_year": [None]})
>>> network = SimpleNamespace(metrics=metrics, anchors=anchors, place=load_place("leeds"), local_spend_survey=None)
>>> result = network_lm3(network, 2023)
>>> result.multiplier[["anchor_id", "r2", "r3", "lm3", "lm3_low", "lm3_high"]].round(3).values.tolist()
[['a', 520.0, 250.0, 1.77, 1.692, 1.848], ['network', 520.0, 250.0, 1.77, 1.692, 1.848]]
>>> print(result.multiplier.at[0, "assumptions"])
assumption: round 3 supplier share 0.40 (lm3.toml default, no survey); assumption: round 3 staff share 0.50
(lm3.toml default, no survey)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from anchor_analysis.analysis.lm3.assumptions import LM3Assumptions, load_lm3_assumptions
from anchor_analysis.analysis.lm3.rounds import (
    NETWORK,
    PAY_APPORTIONED,
    ledger_local_spend,
    lm3_inputs,
    local_multiplier,
)
from anchor_analysis.analysis.lm3.sensitivity import sensitivity_row, share_sensitivity
from anchor_analysis.analysis.lm3.survey import lm3_interval, round3_shares
from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_label

__all__ = ["LM3Assumptions", "LM3Result", "ledger_local_spend", "lm3_inputs", "lm3_interval", "load_lm3_assumptions",
           "local_multiplier", "network_lm3", "round3_shares", "share_sensitivity"]

LITERATURE_RANGE = (1.7, 2.1)
"""Local multipliers of anchor institutions the Health Foundation cites (*Building healthier communities: the role
of the NHS as an anchor institution*, 2019)."""


@dataclass
class LM3Result:
    """The local multiplier of a network's year: every table it is reported with.

    Parameters
    ----------
    year : int
        The financial year.
    ring : str
        The local ring's key.
    inputs : DataFrame
        Rounds 1 and 2 per member, with their sources (:func:`lm3_inputs`).
    shares : DataFrame
        Round 3 shares per anchor and respondent type, with their sources (:func:`round3_shares`).
    multiplier : DataFrame
        ``anchor_id, r1, r2, r3, lm3, lm3_low, lm3_high, interval_method, assumptions``: the computable anchors,
        then ``network``.
    sensitivity : DataFrame
        The network's LM3 under each changed assumption (``assumption, value, lm3, change``).
    assumptions : LM3Assumptions
        The configuration used.
    survey_respondents : int, default 0
        The year's respondents of the local spend survey.
    """

    year: int
    ring: str
    inputs: pd.DataFrame
    shares: pd.DataFrame
    multiplier: pd.DataFrame
    sensitivity: pd.DataFrame
    assumptions: LM3Assumptions
    survey_respondents: int = 0

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the result under the name the report writes it as.

        The network's row of the multiplier is a table of its own (``lm3_network``), so the per-anchor tables carry
        only anchor ids (the table writer names or codes them).

        Returns
        -------
        dict of str to DataFrame
            ``lm3_by_anchor``, ``lm3_network``, ``lm3_inputs``, ``lm3_round3_shares``, ``lm3_sensitivity``.
        """
        network = self.multiplier["anchor_id"] == NETWORK
        return {"lm3_by_anchor": self.multiplier[~network].reset_index(drop=True),
                "lm3_network": self.multiplier[network].drop(columns="anchor_id").reset_index(drop=True),
                "lm3_inputs": self.inputs, "lm3_round3_shares": self.shares, "lm3_sensitivity": self.sensitivity}

    def headline(self) -> str:
        """One sentence: the network's LM3 with its interval, or why it cannot be computed (Markdown).

        Returns
        -------
        str
            The sentence.
        """
        row = self.multiplier.iloc[-1]
        anchors = len(self.multiplier) - 1
        if anchors == 0 or pd.isna(row["lm3"]):
            missing = sorted(set(self.inputs["note"]) - {""})
            return (f"The network's LM3 cannot be computed for {fy_label(self.year)}: no member returned every input "
                    f"({'; '.join(missing) or 'no members'}).")
        low, high = LITERATURE_RANGE
        within = "within" if low <= row["lm3"] <= high else "outside"
        assumed = "" if row["assumptions"] == "none" else f" It rests on: {row['assumptions']}."
        return (f"**The network's Local Multiplier 3 is {row['lm3']:.2f}** (interval {row['lm3_low']:.2f} to "
                f"{row['lm3_high']:.2f}) over the {anchors} of {len(self.inputs)} members that returned every input, "
                f"{fy_label(self.year)}: each £1 the anchors spend is worth £{row['lm3']:.2f} to the local economy "
                f"once their local suppliers and staff spend again locally; {within} the {low} to {high} the Health "
                f"Foundation cites.{assumed}")

    def describe_anchor(self, anchor_id: str) -> str:
        """One sentence: an anchor's LM3 beside the network's, or what it did not return (Markdown).

        Parameters
        ----------
        anchor_id : str
            The anchor.

        Returns
        -------
        str
            The sentence.
        """
        inputs = self.inputs.set_index("anchor_id")
        if anchor_id not in inputs.index:
            return f"The anchor was not a member in {fy_label(self.year)}: it has no LM3."
        rows = self.multiplier.set_index("anchor_id")
        if anchor_id not in rows.index:
            return f"Its LM3 cannot be computed for {fy_label(self.year)}: {inputs.at[anchor_id, 'note']}."
        own, network = rows.loc[anchor_id], rows.loc[NETWORK]
        assumed = "" if own["assumptions"] == "none" else f" ({own['assumptions']})"
        return (f"**Its Local Multiplier 3 is {own['lm3']:.2f}** (interval {own['lm3_low']:.2f} to "
                f"{own['lm3_high']:.2f}), beside the network's {network['lm3']:.2f}, {fy_label(self.year)}; local pay "
                f"{inputs.at[anchor_id, 'pay_source']}, local supplier spend {inputs.at[anchor_id, 'supplier_source']}"
                f"{assumed}.")

    def method_note(self) -> str:
        """The method note (Markdown) the report prints under the LM3 table.

        Returns
        -------
        str
            How each round is measured, what is assumed and where the numbers come from.
        """
        surveyed = self.survey_respondents
        assumed = sorted(set(self.shares.loc[self.shares["assumption"], "respondent_type"]))
        apportioned = int(self.inputs["pay_source"].str.startswith("apportioned").sum())
        low, high = LITERATURE_RANGE
        lines = [
            f"**Local Multiplier 3 (LM3), {fy_label(self.year)}.** NEF's LM3 = (R1 + R2 + R3) / R1 (New Economics "
            "Foundation, *The Money Trail*, 2002). R1 is each anchor's spend: its non-pay spend (`total_spend`) "
            "plus its pay bill (`pay_bill`). R2 is the part spent locally, in the "
            f"{self.ring} ring: influenceable spend with suppliers located there (the ledger's located spend "
            f"where the anchor returned a ledger, else its `spend_{self.ring}`) plus the pay of staff who live "
            f"there (`pay_bill_{self.ring}`, else the pay bill apportioned by the share of staff living there: "
            f"{apportioned} anchors apportioned). R3 is what those local suppliers and staff spend locally in turn: "
            "each part of R2 times the weighted local share of spending of that respondent type, from the local "
            "spend survey. The network's LM3 sums the anchors' rounds (spend between anchors is not netted out).",
            f"Round 3 is a survey estimate, so LM3 carries an interval: {self.multiplier['interval_method'].iloc[-1]}."
            f" The survey had {surveyed} respondents this year.",
            f"The Health Foundation cites local multipliers of {low} to {high} for anchor institutions.",
        ]
        if assumed:
            lines.append(f"**Assumption:** no survey answers of {' or '.join(assumed)}s this year, so round 3 "
                         f"uses the kit's default local share for them ({self.assumptions.source}), not a "
                         "measurement.")
        return "\n\n".join(lines)


def network_lm3(network, year: int, *, by_ring: pd.DataFrame | None = None,
                assumptions: LM3Assumptions | None = None) -> LM3Result:
    """The local multiplier of every member anchor and of the network in ``year``.

    Parameters
    ----------
    network : Network
        The validated network (its ``metrics``, ``anchors``, ``place`` and ``local_spend_survey``).
    year : int
        The financial year.
    by_ring : DataFrame, optional
        The ledgers' spend by ring (:attr:`~anchor_analysis.analysis.spend.SpendAnalysis.by_ring`); without it
        R2's supplier part comes from the returns.
    assumptions : LM3Assumptions, optional
        Default ``anchor_analysis/data/lm3.toml``.

    Returns
    -------
    LM3Result
        The rounds, the shares, the multiplier with its interval, the sensitivity table.
    """
    assumptions = assumptions or load_lm3_assumptions()
    ring = assumptions.ring_key(network.place)
    ledger = ledger_local_spend(by_ring, year, ring) if by_ring is not None else None
    inputs = lm3_inputs(network.metrics, network.anchors, year, network.place, ledger_local_spend=ledger,
                        assumptions=assumptions)
    survey = network.local_spend_survey
    shares = round3_shares(survey, year, inputs["anchor_id"].tolist(), assumptions)
    multiplier = local_multiplier(inputs, shares).merge(lm3_interval(inputs, survey, year, assumptions),
                                                        on="anchor_id", how="left")
    multiplier["assumptions"] = _assumption_labels(multiplier, inputs, shares, assumptions)
    sensitivity = _sensitivity(network, year, inputs, shares, by_ring, assumptions)
    respondents = 0 if survey is None else int((survey["year"] == year).sum())
    return LM3Result(year, ring, inputs, shares, multiplier, sensitivity, assumptions, respondents)


def _assumption_labels(multiplier: pd.DataFrame, inputs: pd.DataFrame, shares: pd.DataFrame,
                       assumptions: LM3Assumptions) -> list[str]:
    """Per row of the multiplier: every assumption its figure rests on ("none" when it rests on none)."""
    assumed = shares[shares["assumption"]]
    apportioned = set(inputs.loc[inputs["pay_source"].str.startswith("apportioned"), "anchor_id"])
    labels = []
    for anchor in multiplier["anchor_id"]:
        rows = assumed if anchor == NETWORK else assumed[assumed["anchor_id"] == anchor]
        parts = [f"assumption: round 3 {kind} share {share:.2f} ({assumptions.source} default, no survey)"
                 for kind, share in rows.drop_duplicates("respondent_type")[["respondent_type", "local_share"]]
                 .itertuples(index=False)]
        if anchor in apportioned or (anchor == NETWORK and apportioned):
            parts.append("local pay apportioned by the share of staff living locally")
        labels.append("; ".join(parts) or "none")
    return labels


def _sensitivity(network, year: int, inputs: pd.DataFrame, shares: pd.DataFrame, by_ring: pd.DataFrame | None,
                 assumptions: LM3Assumptions) -> pd.DataFrame:
    """The share ranges, then local pay apportioned for all, R2 from the returns only, and each wider ring."""
    table = share_sensitivity(inputs, shares, assumptions)
    ledger = ledger_local_spend(by_ring, year, assumptions.ring_key(network.place)) if by_ring is not None else None
    base = float(local_multiplier(inputs, shares)["lm3"].iloc[-1])
    rows = [sensitivity_row("local pay", "apportioned for every anchor", lm3_inputs(
        network.metrics, network.anchors, year, network.place, ledger_local_spend=ledger, assumptions=assumptions,
        pay=PAY_APPORTIONED), shares, base)]
    if ledger is not None:
        returned = lm3_inputs(network.metrics, network.anchors, year, network.place, assumptions=assumptions)
        rows.append(sensitivity_row("local supplier spend", "returns only (no ledgers)", returned, shares, base))
    for ring in _wider_rings(network.place, assumptions):
        wider = dataclasses.replace(assumptions, local_ring=ring.key)
        wider_ledger = ledger_local_spend(by_ring, year, ring.key) if by_ring is not None else None
        changed = lm3_inputs(network.metrics, network.anchors, year, network.place, ledger_local_spend=wider_ledger,
                             assumptions=wider)
        rows.append(sensitivity_row("local ring", ring.label, changed, shares, base))
    return pd.concat([table, pd.DataFrame(rows)], ignore_index=True)


def _wider_rings(place: Place, assumptions: LM3Assumptions) -> list:
    """The rings of the place outside the local one."""
    keys = [ring.key for ring in place.rings]
    return list(place.rings[keys.index(assumptions.ring_key(place)) + 1:])
