"""The three rounds of NEF's Local Multiplier 3 and the multiplier itself.

LM3 = (R1 + R2 + R3) / R1 (New Economics Foundation, *The Money Trail*, 2002): R1 is the anchor's spend (its
non-pay spend plus its pay bill), R2 the part of it spent locally (with suppliers located in the local ring, and as
pay of staff living there), R3 what those local suppliers and staff in turn spend locally (R2's two parts times the
local share of their spending, from a survey or an assumed default). LM3 lies between 1 and 3.

>>> inputs = pd.DataFrame({"anchor_id": ["a"], "r1": [1000.0], "local_supplier_spend": [300.0],
...                        "local_pay": [200.0]})
>>> shares = pd.DataFrame({"anchor_id": ["a", "a"], "respondent_type": ["supplier", "staff"],
...                        "local_share": [0.3, 0.5]})
>>> local_multiplier(inputs, shares)[["anchor_id", "r2", "r3", "lm3"]].values.tolist()
[['a', 500.0, 190.0, 1.69], ['network', 500.0, 190.0, 1.69]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anchor_analysis.analysis.lm3.assumptions import LM3Assumptions, load_lm3_assumptions
from anchor_analysis.contracts.fields import RESPONDENT_TYPES
from anchor_analysis.core.errors import ArgumentError
from anchor_analysis.core.membership import members
from anchor_analysis.core.places import Place, load_place

NETWORK = "network"
"""The ``anchor_id`` of the network's row: the sums of the anchors' rounds."""
PAY_RETURNED = "returned"
PAY_APPORTIONED = "apportioned"


def lm3_inputs(metrics: pd.DataFrame, anchors: pd.DataFrame, year: int, place: str | Place = "leeds", *,
               ledger_local_spend: pd.Series | None = None, assumptions: LM3Assumptions | None = None,
               pay: str = PAY_RETURNED) -> pd.DataFrame:
    """Rounds 1 and 2 of every member anchor, from its returns and ledgers, saying where each figure came from.

    R1 is ``total_spend + pay_bill``. R2's supplier part is the ledger's influenceable spend with suppliers located
    in the local ring where the anchor has ledger lines that year, else the returned ``spend_<ring>``. R2's pay
    part is the returned ``pay_bill_<ring>``, else the pay bill apportioned by the share of staff living in the
    ring (``staff_in_<ring> / headcount``); ``pay="apportioned"`` apportions for every anchor (a sensitivity).

    Parameters
    ----------
    metrics, anchors : DataFrame
        The metrics returns (long form) and the anchors table.
    year : int
        The financial year.
    place : str or Place, default "leeds"
        The place whose rings are local.
    ledger_local_spend : Series, optional
        Ledger spend with suppliers located in the local ring, indexed by anchor_id, for the anchors with ledger
        lines in ``year`` (:func:`ledger_local_spend`).
    assumptions : LM3Assumptions, optional
        Default :func:`~anchor_analysis.analysis.lm3.assumptions.load_lm3_assumptions`.
    pay : {"returned", "apportioned"}, default "returned"
        Use a returned local pay bill where there is one, or apportion every pay bill.

    Returns
    -------
    DataFrame
        One row per member: ``anchor_id, non_pay_spend, pay_bill, r1, local_supplier_spend, supplier_source,
        local_pay, pay_source, r2, computable, note`` (``note`` says what is missing when not computable).

    Raises
    ------
    ArgumentError
        ``pay`` is neither "returned" nor "apportioned".

    Examples
    --------
    >>> metrics = pd.DataFrame({"year": 2023, "anchor_id": "a", "metric": ["total_spend", "pay_bill", "spend_leeds",
    ...                         "headcount", "staff_in_leeds"], "value": [400.0, 600.0, 100.0, 10, 5]})
    >>> anchors = pd.DataFrame({"anchor_id": ["a"], "joined_year": [2019], "left_year": [None]})
    >>> row = lm3_inputs(metrics, anchors, 2023).iloc[0]
    >>> float(row["r1"]), float(row["local_pay"]), row["pay_source"], float(row["r2"])
    (1000.0, 300.0, 'apportioned: pay_bill x staff_in_leeds / headcount', 400.0)
    """
    if pay not in (PAY_RETURNED, PAY_APPORTIONED):
        raise ArgumentError(f"pay must be 'returned' or 'apportioned', not {pay!r}")
    place = load_place(place)
    ring = (assumptions or load_lm3_assumptions()).ring_key(place)
    ids = members(anchors, year)
    wide = _year_wide(metrics, year).reindex(ids)
    ledger = ledger_local_spend if ledger_local_spend is not None else pd.Series(dtype=float)
    out = pd.DataFrame({"anchor_id": ids})
    out["non_pay_spend"] = wide["total_spend"].to_numpy()
    out["pay_bill"] = wide["pay_bill"].to_numpy()
    out["r1"] = out["non_pay_spend"] + out["pay_bill"]
    supplier = _local_supplier_spend(wide, ledger, ring)
    local_pay = _local_pay(wide, ring, pay)
    out = pd.concat([out, supplier.reset_index(drop=True), local_pay.reset_index(drop=True)], axis=1)
    out["r2"] = out["local_supplier_spend"] + out["local_pay"]
    out["note"] = _missing_note(out, ring)
    out["computable"] = out["note"] == ""
    return out[["anchor_id", "non_pay_spend", "pay_bill", "r1", "local_supplier_spend", "supplier_source",
                "local_pay", "pay_source", "r2", "computable", "note"]]


def _year_wide(metrics: pd.DataFrame, year: int) -> pd.DataFrame:
    """The year's returns, one row per anchor, one column per metric (absent metrics as blank columns)."""
    rows = metrics[metrics["year"] == year]
    wide = rows.pivot_table(index="anchor_id", columns="metric", values="value", aggfunc="first").astype(float)
    needed = ("total_spend", "pay_bill", "headcount")
    return wide.reindex(columns=list(dict.fromkeys([*wide.columns, *needed])))


def _local_supplier_spend(wide: pd.DataFrame, ledger: pd.Series, ring: str) -> pd.DataFrame:
    """R2's supplier part per anchor: the ledger's located spend, else the returned spend in the ring."""
    returned = wide.get(f"spend_{ring}", pd.Series(np.nan, index=wide.index))
    from_ledger = wide.index.isin(ledger.index)
    value = pd.Series(ledger.reindex(wide.index).to_numpy(), index=wide.index).where(from_ledger, returned)
    source = np.where(from_ledger, f"ledger: suppliers located in the {ring} ring",
                      np.where(returned.notna(), f"return: spend_{ring}", ""))
    return pd.DataFrame({"local_supplier_spend": value.to_numpy(), "supplier_source": source})


def _local_pay(wide: pd.DataFrame, ring: str, pay: str) -> pd.DataFrame:
    """R2's pay part per anchor: the returned local pay bill, else the pay bill apportioned by resident staff."""
    blank = pd.Series(np.nan, index=wide.index)
    returned = wide.get(f"pay_bill_{ring}", blank) if pay == PAY_RETURNED else blank
    resident = wide.get(f"staff_in_{ring}", blank) / wide["headcount"].where(wide["headcount"] > 0)
    apportioned = wide["pay_bill"] * resident
    value = returned.where(returned.notna(), apportioned)
    source = np.where(returned.notna(), f"return: pay_bill_{ring}",
                      np.where(apportioned.notna(), f"apportioned: pay_bill x staff_in_{ring} / headcount", ""))
    return pd.DataFrame({"local_pay": value.to_numpy(), "pay_source": source})


def _missing_note(inputs: pd.DataFrame, ring: str) -> pd.Series:
    """Why an anchor's LM3 cannot be computed (empty when it can)."""
    checks = [
        ("non_pay_spend", "no total_spend returned"),
        ("pay_bill", "no pay_bill returned"),
        ("local_supplier_spend", f"no ledger lines and no spend_{ring} returned"),
        ("local_pay", f"no pay_bill_{ring}, and no staff_in_{ring} and headcount to apportion the pay bill"),
    ]
    notes = [[text for column, text in checks if pd.isna(row[column])] for _, row in inputs.iterrows()]
    return pd.Series(["; ".join(found) for found in notes], index=inputs.index, dtype="str")


def ledger_local_spend(by_ring: pd.DataFrame, year: int, ring: str) -> pd.Series:
    """Each anchor's ledger spend with suppliers located in ``ring`` (inner rings included) in ``year``.

    Parameters
    ----------
    by_ring : DataFrame
        :attr:`~anchor_analysis.analysis.spend.SpendAnalysis.by_ring` (``anchor_id, year, ring,
        cumulative_spend``).
    year : int
        The financial year.
    ring : str
        The ring key.

    Returns
    -------
    Series
        Indexed by anchor_id: one value per anchor with ledger lines that year.

    Examples
    --------
    >>> by_ring = pd.DataFrame({"anchor_id": "a", "year": 2023, "ring": ["leeds", "west_yorkshire"],
    ...                         "cumulative_spend": [90.0, 140.0]})
    >>> ledger_local_spend(by_ring, 2023, "west_yorkshire").to_dict()
    {'a': 140.0}
    """
    rows = by_ring[(by_ring["year"] == year) & (by_ring["ring"].astype("str") == ring)]
    return rows.groupby("anchor_id")["cumulative_spend"].sum().astype(float)


def local_multiplier(inputs: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """LM3 of each anchor and of the network from rounds 1 and 2 and the round 3 shares.

    R3 = local supplier spend x the suppliers' local share + local pay x the staff's local share, rounded to the
    penny. The network's LM3 is (sum R1 + sum R2 + sum R3) / sum R1 over the anchors with every input (spend
    between anchors is not netted out: each anchor's R1 counts whole).

    Parameters
    ----------
    inputs : DataFrame
        :func:`lm3_inputs` (at least ``anchor_id, r1, local_supplier_spend, local_pay``); rows without every input
        are left out.
    shares : DataFrame
        ``anchor_id, respondent_type, local_share``: each anchor's round 3 share per respondent type
        (:func:`~anchor_analysis.analysis.lm3.survey.round3_shares`).

    Returns
    -------
    DataFrame
        ``anchor_id, r1, r2, r3, lm3``: one row per computable anchor, then ``network``.

    Examples
    --------
    >>> inputs = pd.DataFrame({"anchor_id": ["a", "b"], "r1": [100.0, 300.0], "local_supplier_spend": [10.0, 30.0],
    ...                        "local_pay": [40.0, 90.0]})
    >>> shares = pd.DataFrame({"anchor_id": ["a", "a", "b", "b"], "respondent_type": ["supplier", "staff"] * 2,
    ...                        "local_share": [0.5, 0.25, 0.5, 0.25]})
    >>> local_multiplier(inputs, shares)["lm3"].round(4).tolist()
    [1.65, 1.525, 1.5562]
    """
    complete = inputs.dropna(subset=["r1", "local_supplier_spend", "local_pay"])
    complete = complete[complete["r1"] > 0]
    share = shares.pivot_table(index="anchor_id", columns="respondent_type", values="local_share", aggfunc="first")
    share = share.reindex(index=complete["anchor_id"], columns=list(RESPONDENT_TYPES))
    out = pd.DataFrame({"anchor_id": complete["anchor_id"].to_numpy(), "r1": complete["r1"].to_numpy()})
    supplier, pay = complete["local_supplier_spend"].to_numpy(), complete["local_pay"].to_numpy()
    out["r2"] = np.round(supplier + pay, 2)
    out["r3"] = np.round(supplier * share["supplier"].to_numpy() + pay * share["staff"].to_numpy(), 2)
    total = out[["r1", "r2", "r3"]].sum().round(2)
    out = pd.concat([out, pd.DataFrame([{"anchor_id": NETWORK, **total.to_dict()}])], ignore_index=True)
    out["lm3"] = (out["r1"] + out["r2"] + out["r3"]) / out["r1"]
    return out
