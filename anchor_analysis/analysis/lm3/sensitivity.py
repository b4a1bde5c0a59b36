"""How the network's LM3 moves when each assumption behind it changes, one at a time.

>>> inputs = pd.DataFrame({"anchor_id": ["a"], "r1": [1000.0], "local_supplier_spend": [300.0],
...                        "local_pay": [200.0]})
>>> shares = round3_shares(None, 2023, ["a"])
>>> table = share_sensitivity(inputs, shares, load_lm3_assumptions())
>>> table[["assumption", "value", "lm3"]].values.tolist()[:2]
[['supplier share', '0.30 (0.40 - 0.10)', 1.69], ['supplier share', '0.50 (0.40 + 0.10)', 1.75]]
"""

from __future__ import annotations

import pandas as pd

from anchor_analysis.analysis.lm3.assumptions import LM3Assumptions, load_lm3_assumptions
from anchor_analysis.analysis.lm3.rounds import NETWORK, local_multiplier
from anchor_analysis.analysis.lm3.survey import round3_shares
from anchor_analysis.contracts.fields import RESPONDENT_TYPES

__all__ = ["load_lm3_assumptions", "round3_shares", "sensitivity_row", "share_sensitivity"]


def _network_lm3(inputs: pd.DataFrame, shares: pd.DataFrame) -> float:
    """The network's LM3 of a set of inputs and shares."""
    table = local_multiplier(inputs, shares)
    return float(table.loc[table["anchor_id"] == NETWORK, "lm3"].iloc[0])


def sensitivity_row(assumption: str, value: str, inputs: pd.DataFrame, shares: pd.DataFrame, base: float) -> dict:
    """One row of the sensitivity table: the network's LM3 under one changed assumption, and its change.

    Parameters
    ----------
    assumption, value : str
        What was changed, and to what (as the table shows it).
    inputs, shares : DataFrame
        Rounds 1 and 2 and the round 3 shares under the change.
    base : float
        The network's LM3 under the central assumptions.

    Returns
    -------
    dict
        ``assumption, value, lm3, change`` (``change`` = lm3 - base).

    Examples
    --------
    >>> inputs = pd.DataFrame({"anchor_id": ["a"], "r1": [10.0], "local_supplier_spend": [2.0], "local_pay": [3.0]})
    >>> shares = pd.DataFrame({"anchor_id": "a", "respondent_type": ["supplier", "staff"], "local_share": 0.0})
    >>> sensitivity_row("shares", "0", inputs, shares, 1.6)
    {'assumption': 'shares', 'value': '0', 'lm3': 1.5, 'change': -0.1}
    """
    lm3 = _network_lm3(inputs, shares)
    return {"assumption": assumption, "value": value, "lm3": round(lm3, 4), "change": round(lm3 - base, 4)}


def share_sensitivity(inputs: pd.DataFrame, shares: pd.DataFrame, assumptions: LM3Assumptions) -> pd.DataFrame:
    """The network's LM3 with each respondent type's round 3 shares moved down and up by ``share_step``.

    Parameters
    ----------
    inputs : DataFrame
        :func:`~anchor_analysis.analysis.lm3.rounds.lm3_inputs`.
    shares : DataFrame
        :func:`~anchor_analysis.analysis.lm3.survey.round3_shares` (the central shares).
    assumptions : LM3Assumptions
        The step (``share_step``).

    Returns
    -------
    DataFrame
        ``assumption, value, lm3, change``: two rows per respondent type; ``value`` names the network's central
        share (weighted by the part of R2 it applies to) and the step.
    """
    base = _network_lm3(inputs, shares)
    step = assumptions.share_step
    rows = []
    for kind in RESPONDENT_TYPES:
        of_kind = shares["respondent_type"] == kind
        central = _central_share(inputs, shares[of_kind], kind)
        for sign in (-1, 1):
            moved = (shares["local_share"] + sign * step).clip(0, 1)
            changed = shares.assign(local_share=shares["local_share"].where(~of_kind, moved))
            value = f"{min(max(central + sign * step, 0), 1):.2f} ({central:.2f} {'-+'[sign > 0]} {step:.2f})"
            rows.append(sensitivity_row(f"{kind} share", value, inputs, changed, base))
    return pd.DataFrame(rows)


def _central_share(inputs: pd.DataFrame, shares: pd.DataFrame, kind: str) -> float:
    """The network's share of one respondent type: the anchors' shares weighted by the R2 part they apply to."""
    part = inputs.set_index("anchor_id")["local_supplier_spend" if kind == "supplier" else "local_pay"]
    weight = shares["anchor_id"].map(part).fillna(0).to_numpy()
    values = shares["local_share"].to_numpy()
    return float((weight * values).sum() / weight.sum()) if weight.sum() > 0 else float(values.mean())
