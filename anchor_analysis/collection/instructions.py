"""The words of a return workbook's instructions sheet, from the kit's own definitions.

What each figure means comes from the metric catalogue (``anchor_analysis/data/definitions.toml``), the levels
and activities from the framework (``data/framework.toml``), what influenceable spend leaves out from the spend
rules (``data/spend_rules.toml``), what "living in Leeds" means from the place's rings, and the deadline and
contact from the network's ``network.toml``.

>>> from anchor_analysis.core.places import load_place
>>> lines = instruction_lines("Demo network", "NHS Trust A", 2025, load_place("leeds"), None, "")
>>> lines[0]
'Anchor return 2025/26: NHS Trust A'
>>> [line for line in lines if line.startswith("Financial year")]
['Financial year: 1 April 2025 to 31 March 2026.']
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

from anchor_analysis.collection.layout import NOT_REPORTED
from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.framework import load_framework
from anchor_analysis.core.places import Place
from anchor_analysis.core.years import fy_dates, fy_label

LEDGER_BESIDE = "ledger"
"""A ledger sent beside a workbook is named after it with this word: ``NHS Trust A 2025 ledger.csv``."""

_KIND_RULE = {
    "count": "a whole number, 0 or more",
    "money": "pounds, 0 or more, typed without £ or commas (12500000, not £12.5m)",
    "emissions": "tonnes of CO2 equivalent, 0 or more",
    "area": "hectares, 0 or more",
    "flag": "1 for yes, 0 for no",
}


def _long_date(iso: str | dt.date) -> str:
    """``2025-04-01`` -> ``1 April 2025``."""
    day = dt.date.fromisoformat(iso) if isinstance(iso, str) else iso
    return f"{day.day} {day.strftime('%B')} {day.year}"


def instruction_lines(network: str, anchor_name: str, year: int, place: Place, deadline: dt.date | None,
                      contact: str) -> list[str]:
    """The instructions sheet of a return, one paragraph per line (headings are lines ending with ``:``).

    Parameters
    ----------
    network : str
        The network's name.
    anchor_name : str
        The anchor the return is for.
    year : int
        The financial year (2025 = 2025/26).
    place : Place
        The place: its rings say what living or spending "in Leeds" means.
    deadline : date or None
        When the return is due (``network.toml``'s ``deadline``).
    contact : str
        Who answers questions (``network.toml``'s ``contact``).

    Returns
    -------
    list of str
        The lines, top to bottom.
    """
    first, last = fy_dates(year)
    due = _long_date(deadline) if deadline else "the date your network coordinator gave you"
    lines = [
        f"Anchor return {fy_label(year)}: {anchor_name}",
        f"Network: {network}.",
        f"Financial year: {_long_date(first)} to {_long_date(last)}.",
        f"Please return this workbook by {due}.",
        f"Questions: {contact or 'ask your network coordinator'}.",
        "",
        "How to fill it in:",
        "Type only in the yellow cells. The sheets, headers and reference columns are protected (without a password) "
        "so that a table cannot be reshaped by accident: please do not unprotect them, rename sheets, move columns "
        "or merge cells, or the return cannot be read. Type numbers as numbers, without £, commas or units.",
        "The grey columns show your last return, for reference.",
        "",
        "Sheet progression (the Anchor Progression Framework):",
        "For every activity you assess, choose the level you are at now (current) and the level you aim for "
        "(ambition, never below current), and a priority (high, medium or low). Leave all three blank for an "
        "activity you have not assessed: blank is 'not assessed', never level 1.",
        *_level_lines(),
        "",
        "Sheet metrics (the core metrics):",
        f"Type each figure for the financial year in the value column, or choose '{NOT_REPORTED}' beside it when "
        f"you do not report it. '{NOT_REPORTED}' is not zero: type 0 only when the figure is zero.",
        *_place_lines(place),
        *_spend_lines(),
        "",
        "Sheet staff_residence (where your staff live):",
        "Either staff counts by LSOA (columns lsoa_code and count, e.g. E01011264 and 25), or one home postcode per "
        "member of staff (column postcode). Postcodes are aggregated to LSOA counts when the return is received and "
        "never kept or written anywhere.",
        "",
        "Sheet ledger (payments to suppliers in the financial year):",
        "One row per payment: payment_date (a date), amount (pounds; credits negative), supplier_id, supplier_name, "
        "supplier_postcode and category. A finance system's CSV export may be sent beside this workbook instead, "
        f"named like the workbook with ' {LEDGER_BESIDE}' added (for example "
        f"'{anchor_name} {year} {LEDGER_BESIDE}.csv'), with the columns anchor_id, payment_date (YYYY-MM-DD), "
        "amount, supplier_id, supplier_name, supplier_postcode and category.",
        "",
        "What each figure means:",
    ]
    return lines


def _level_lines() -> list[str]:
    """One line per framework level, from ``framework.toml``."""
    raw = tomllib.loads((resources.files("anchor_analysis") / "data" / "framework.toml").read_text("utf-8"))
    lines = []
    for level in raw["levels"]:
        about = level["description"].lower()
        lines.append(f"Level {level['level']}: {level['name']}" + (f" ({about})." if about != level["name"] else "."))
    return lines


def _place_lines(place: Place) -> list[str]:
    """What living or spending in each ring of the place means, by local authority codes."""
    lines = [f"Living in (or a supplier in) {ring.label} means a home (or supplier) postcode in the local "
             f"authorit{'y' if len(ring.lad_codes) == 1 else 'ies'} {', '.join(ring.lad_codes)}."
             for ring in place.rings]
    lines.append("The most deprived areas are the LSOAs in national IMD decile 1 (the 10% most deprived "
                 "neighbourhoods in England).")
    return lines


def _spend_lines() -> list[str]:
    """What influenceable spend leaves out, from the spend rules shipped with the kit."""
    raw = tomllib.loads((resources.files("anchor_analysis") / "data" / "spend_rules.toml").read_text("utf-8"))
    left_out = "; ".join(rule["label"].lower() for rule in raw["rule"])
    return ["Influenceable spend is non-pay spend with external suppliers: it leaves out " + left_out + "."]


def metric_rows(place: Place, year: int) -> list[tuple[str, str, str, str]]:
    """What each metric of the catalogue counts: ``(metric, label, unit, meaning)`` in catalogue order.

    Examples
    --------
    >>> from anchor_analysis.core.places import load_place
    >>> rows = {row[0]: row for row in metric_rows(load_place("leeds"), 2025)}
    >>> print(rows["staff_in_leeds"][3])
    Staff living in Leeds: a whole number, 0 or more; part of headcount, so never above it.
    """
    definitions = metric_definitions(place)
    rows = []
    for metric, spec in definitions.iterrows():
        meaning = f"{spec['label']}: {_KIND_RULE[spec['kind']]}"
        if spec["part_of"]:
            meaning += f"; part of {spec['part_of']}, so never above it"
        rows.append((metric, spec["label"], spec["unit"], meaning + "."))
    return rows


def framework_rows() -> list[tuple[str, str, str]]:
    """Every framework activity: ``(dimension label, activity, activity label)`` in framework order."""
    framework = load_framework()
    return [(framework.dimension_label(a.dimension), a.activity, a.label)
            for a in framework.activities.itertuples()]
