"""``anchor-analysis status``: who has returned what this year, and what is still open.

One row per member of the network in the year: whether its progression, metrics, staff residence and ledger are
in the tables (and how much), what became of its workbook at the last collect, and its open warnings (those of a
return held back, or, for figures that came in without a workbook, the plausibility checks run on the tables).
The same facts give the report's coverage statements (:func:`coverage_statements`), a terminal table
(:func:`format_status`) and an HTML page the coordinator can send round (:func:`status_html`).

>>> from anchor_analysis.contracts.network import load_network
>>> status = return_status(load_network("data/raw/demo"), 2024)
>>> status.loc[status["anchor_id"] == "nhs_trust_a", ["progression", "metrics", "ledger"]].values.tolist()
[['13 of 13 activities', '17 of 20 metrics', '753 payments']]
>>> print(coverage_statements(status, 2024)[0])
Returns 2024/25: progression from 11 of 13 members, metrics from 13, staff residence from 13, ledgers from 13.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from anchor_analysis.collection.collect import HELD, outcomes_path
from anchor_analysis.collection.plausibility import (
    DEFAULT_FACTOR,
    metric_warnings,
    progression_warnings,
    staff_warnings,
)
from anchor_analysis.contracts.ledgers import iter_ledger
from anchor_analysis.contracts.network import Network
from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.files import atomic_write_text
from anchor_analysis.core.framework import load_framework
from anchor_analysis.core.membership import members
from anchor_analysis.core.years import financial_year, fy_label

PARTS = ("progression", "metrics", "staff_residence", "ledger")
"""The parts of a return, as the status and the coverage statements count them."""
MISSING = "missing"


def return_status(network: Network, year: int, *, factor: float = DEFAULT_FACTOR) -> pd.DataFrame:
    """Per member of the network in ``year``: what is in, what is missing, the workbook's fate, open warnings.

    Parameters
    ----------
    network : Network
        The network (:func:`~anchor_analysis.contracts.network.load_network`, or a processed network, whose
        classified ledger is used instead of reading the ledger files).
    year : int
        The financial year.
    factor : float, default DEFAULT_FACTOR
        The plausibility factor for figures that came in without a workbook.

    Returns
    -------
    DataFrame
        ``anchor_id, name, progression, metrics, staff_residence, ledger, workbook, open_warnings,
        accepted_warnings, warnings`` (text), plus ``has_<part>`` (bool) per part, by name.
    """
    ids = members(network.anchors, year)
    names = network.anchors.set_index("anchor_id")["name"].astype(str)
    counts = _counts(network, year)
    outcomes = _outcomes(network.data_dir, year)
    rows = []
    for anchor_id in sorted(ids, key=lambda a: names[a]):
        row = {"anchor_id": anchor_id, "name": names[anchor_id]}
        for part in PARTS:
            row[part] = counts[part].get(anchor_id, MISSING)
            row[f"has_{part}"] = anchor_id in counts[part]
        row.update(_warnings(network, year, anchor_id, outcomes.get(anchor_id), factor))
        rows.append(row)
    return pd.DataFrame(rows)


def _counts(network: Network, year: int) -> dict[str, dict[str, str]]:
    """Per part, anchor -> what is in the tables for the year, in words."""
    activities = len(load_framework().activities)
    catalogue = len(metric_definitions(network.place))
    counts: dict[str, dict[str, str]] = {part: {} for part in PARTS}
    progression = network.progression[network.progression["year"] == year]
    for anchor_id, n in progression.groupby("anchor_id").size().items():
        counts["progression"][anchor_id] = f"{n} of {activities} activities"
    metrics = network.metrics[network.metrics["year"] == year]
    for anchor_id, n in metrics.groupby("anchor_id").size().items():
        counts["metrics"][anchor_id] = f"{n} of {catalogue} metrics"
    if network.staff_residence is not None:
        staff = network.staff_residence[network.staff_residence["year"] == year]
        for anchor_id, n in staff.groupby("anchor_id")["count"].sum().items():
            counts["staff_residence"][anchor_id] = f"{int(n):,} staff"
    for anchor_id, n in _ledger_lines(network, year).items():
        counts["ledger"][anchor_id] = f"{int(n):,} payments"
    return counts


def _ledger_lines(network: Network, year: int) -> pd.Series:
    """Ledger lines per anchor dated in the financial year (from the classified ledger when there is one)."""
    classified = getattr(network, "ledger", None)
    if classified is not None:
        lines = classified[classified["year"] == year].groupby("anchor_id", observed=True)["lines"].sum()
        return lines[lines > 0]
    parts = []
    for path in network.ledger_files:
        for chunk in iter_ledger(path, place=network.place):
            in_year = chunk[financial_year(chunk["payment_date"]) == year]
            parts.append(in_year.groupby("anchor_id").size())
    return pd.concat(parts).groupby(level=0).sum() if parts else pd.Series(dtype="int64")


def _outcomes(data_dir: Path, year: int) -> dict:
    """The outcome of each anchor's workbook at the last collect of the year (empty before any collect)."""
    path = outcomes_path(data_dir, year)
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except ValueError:
        return {}


def _warnings(network: Network, year: int, anchor_id: str, outcome: dict | None, factor: float) -> dict:
    """An anchor's workbook state and its open and accepted warnings."""
    if outcome is not None:
        warnings = outcome["errors"] + outcome["warnings"] if outcome["state"] != "refused" else outcome["errors"]
        is_open = outcome["state"] in (HELD, "refused") or not outcome["accepted"]
        open_ = warnings if is_open else []
        accepted = [] if is_open else outcome["warnings"]
        return {"workbook": f"{outcome['file']}: {outcome['state']}", "open_warnings": len(open_),
                "accepted_warnings": len(accepted), "warnings": open_}
    mine = {name: frame[(frame["anchor_id"] == anchor_id) & (frame["year"] == year)]
            for name, frame in (("progression", network.progression), ("metrics", network.metrics),
                                ("staff", network.staff_residence)) if frame is not None}
    found = metric_warnings(mine["metrics"], network.metrics, network.place, factor=factor) if "metrics" in mine \
        else []
    found += staff_warnings(mine.get("staff"), network.metrics)
    found += progression_warnings(mine["progression"], network.progression)
    name = str(network.anchors.set_index("anchor_id").at[anchor_id, "name"])
    return {"workbook": "none collected", "open_warnings": len(found), "accepted_warnings": 0,
            "warnings": [w.describe(name) for w in found]}


def coverage_statements(status: pd.DataFrame, year: int, labels: dict[str, str] | None = None) -> list[str]:
    """The report's coverage sentences about the year's returns, from the same facts as ``status``.

    Parameters
    ----------
    status : DataFrame
        :func:`return_status` of the year.
    year : int
        The financial year.
    labels : dict of str to str, optional
        Anchor id -> how the report names it (anonymous codes when the report is anonymised); default the names.

    Returns
    -------
    list of str
        One sentence for what came in, and one naming the members with nothing in, if any.
    """
    n = len(status)
    words = {"progression": "progression", "metrics": "metrics", "staff_residence": "staff residence",
             "ledger": "ledgers"}
    parts = [f"{words[part]} from {int(status[f'has_{part}'].sum())}" + (f" of {n} members" if i == 0 else "")
             for i, part in enumerate(PARTS)]
    lines = [f"Returns {fy_label(year)}: {', '.join(parts)}."]
    nothing = status[~status[[f"has_{p}" for p in PARTS]].any(axis=1)]
    if len(nothing):
        shown = [(labels or {}).get(a, name) for a, name in zip(nothing["anchor_id"], nothing["name"], strict=True)]
        lines.append(f"No return in {fy_label(year)} from {', '.join(sorted(shown))}: they are left out of every "
                     "total, never counted as zero.")
    return lines


_COLUMNS = {"name": "anchor", "progression": "progression", "metrics": "metrics", "staff_residence": "staff",
            "ledger": "ledger", "open_warnings": "open warnings"}


def format_status(status: pd.DataFrame, year: int, network_name: str) -> str:
    """The status as a terminal table, then each open warning.

    Examples
    --------
    >>> frame = pd.DataFrame([{"anchor_id": "a", "name": "NHS Trust A", "progression": "13 of 13 activities",
    ...     "metrics": MISSING, "staff_residence": MISSING, "ledger": MISSING, "open_warnings": 0, "warnings": [],
    ...     "workbook": "none collected"}])
    >>> print(format_status(frame, 2025, "Demo"))
    Returns 2025/26, Demo: 1 member, 0 complete, 0 open warnings
    anchor       progression          metrics  staff    ledger   open warnings  workbook
    NHS Trust A  13 of 13 activities  missing  missing  missing  0              none collected
    """
    table = status[list(_COLUMNS) + ["workbook"]].rename(columns=_COLUMNS).astype(str)
    widths = {c: max(len(c), *(len(v) for v in table[c])) for c in table.columns}
    complete = int((status[["progression", "metrics", "staff_residence", "ledger"]] != MISSING).all(axis=1).sum())
    lines = [f"Returns {fy_label(year)}, {network_name}: {len(status)} member{'s' * (len(status) != 1)}, "
             f"{complete} complete, {int(status['open_warnings'].sum())} open warnings"]
    lines.append("  ".join(c.ljust(widths[c]) for c in table.columns).rstrip())
    lines += ["  ".join(v.ljust(widths[c]) for c, v in row.items()).rstrip() for _, row in table.iterrows()]
    opened = [w for warnings in status["warnings"] for w in warnings]
    if opened:
        lines += ["", "Open warnings:"] + [f"  {w}" for w in opened]
    return "\n".join(lines)


def status_html(status: pd.DataFrame, year: int, network: Network) -> str:
    """The status as a standalone HTML page (no scripts, no external files), labelled synthetic when it is."""
    e = html.escape
    head = "".join(f"<th>{e(label)}</th>" for label in [*_COLUMNS.values(), "workbook"])
    body = []
    for _, row in status.iterrows():
        cells = "".join(f'<td class="{"missing" if row[c] == MISSING else ""}">{e(str(row[c]))}</td>'
                        for c in [*_COLUMNS, "workbook"])
        body.append(f"<tr>{cells}</tr>")
    warnings = "".join(f"<li>{e(w)}</li>" for ws in status["warnings"] for w in ws) or "<li>None.</li>"
    banner = '<p class="synthetic">SYNTHETIC DATA: an invented demo network.</p>' if network.synthetic else ""
    due = f"<p>Returns are due by {e(network.deadline.isoformat())}.</p>" if network.deadline else ""
    contact = f"<p>Questions: {e(network.contact)}</p>" if network.contact else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Returns {fy_label(year)}: {e(network.name)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:4px 8px;text-align:left}}th{{background:#ddd}}
td.missing{{background:#fde2e2;font-weight:bold}}.synthetic{{background:#000;color:#fff;padding:6px}}</style>
</head><body>{banner}<h1>Returns {fy_label(year)}: {e(network.name)}</h1>{due}{contact}
<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>
<h2>Open warnings</h2><ul>{warnings}</ul></body></html>
"""


def write_status_html(status: pd.DataFrame, year: int, network: Network, path: str | Path) -> Path:
    """Write :func:`status_html` to ``path`` atomically."""
    return atomic_write_text(path, status_html(status, year, network))


def returns_coverage(network: Network, year: int, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The report's coverage statements about the year's returns, as the ``statement`` table a notebook saves.

    Parameters
    ----------
    network : Network
        The network (a processed network's classified ledger counts its payments).
    year : int
        The financial year.
    labels : dict of str to str, optional
        How the report names each anchor (anonymous codes when it is anonymised).

    Returns
    -------
    DataFrame
        One column, ``statement``: :func:`coverage_statements` of :func:`return_status`.

    Examples
    --------
    >>> from anchor_analysis.contracts.network import load_network
    >>> returns_coverage(load_network("data/raw/demo"), 2019)["statement"].tolist()
    ['Returns 2019/20: progression from 7 of 11 members, metrics from 11, staff residence from 11, ledgers from 6.']
    """
    return pd.DataFrame({"statement": coverage_statements(return_status(network, year), year, labels)})
