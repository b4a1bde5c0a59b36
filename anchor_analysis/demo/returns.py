"""The demo network's returns for the next year, as filled-in workbooks with a few realistic mistakes.

In: the demo network (its tables as generated) and the seed. Out: ``returns/demo/2025/``: the kit's return
template of each member that returned, filled in as an anchor fills it in Excel (:func:`fill_return`: values typed
into the yellow cells, nothing else touched), with next year's figures drawn from the anchor's 2024/25 return. Two
members have not returned. Three returns carry a mistake an analyst meets every year:

* NHS Trust A typed its headcount without a digit (a tenth of last year's: a plausibility warning);
* University B left a priority blank (a warning);
* FE College A pasted staff postcodes into the LSOA column (an error: the return is refused).

Every workbook is labelled synthetic (the demo network's name says so, in the marker and on the instructions
sheet), and the same seed gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from anchor_analysis.collection.layout import NOT_REPORTED, return_layout
from anchor_analysis.collection.templates import build_template, save_workbook, template_time, workbook_name
from anchor_analysis.contracts.network import Network
from anchor_analysis.core.definitions import metric_definitions
from anchor_analysis.core.membership import members

DEMO_RETURN_YEAR = 2025
NOT_RETURNED = ("cultural_body_b", "government_department_a")
"""Members whose 2025/26 return has not come in (the status page lists them as missing)."""
LEDGER_AS_CSV = ("local_authority_a",)
"""Members that send their ledger as a CSV export beside the workbook."""


def fill_return(template: Path, out: Path, *, progression: pd.DataFrame | None = None,
                metrics: pd.DataFrame | None = None, staff: pd.DataFrame | None = None,
                ledger: pd.DataFrame | None = None, not_reported: tuple[str, ...] = ()) -> Path:
    """Fill in a return template as an anchor does in Excel: values typed into the entry cells, nothing else.

    Parameters
    ----------
    template : Path
        A template written by :func:`~anchor_analysis.collection.templates.write_templates`.
    out : Path
        Where the filled-in workbook goes.
    progression : DataFrame, optional
        ``activity, current, ambition, priority, comment`` (blank cells stay blank).
    metrics : DataFrame, optional
        ``metric, value``.
    staff : DataFrame, optional
        ``lsoa_code, count`` or ``postcode``.
    ledger : DataFrame, optional
        The ledger columns (``payment_date`` as dates).
    not_reported : tuple of str, optional
        Metrics marked "not reported".

    Returns
    -------
    Path
        ``out``.
    """
    book = load_workbook(template)
    marker = {row[0].value: row[1].value for row in book["_return"].iter_rows()}
    layout = return_layout()
    if progression is not None:
        _fill_rows(book["progression"], layout.sheet("progression"), progression.set_index("activity"),
                   ("current", "ambition", "priority", "comment"))
    if metrics is not None:
        _fill_rows(book["metrics"], layout.sheet("metrics"), metrics.set_index("metric"), ("value",))
    sheet = layout.sheet("metrics")
    for metric in not_reported:
        book["metrics"][sheet.cell(NOT_REPORTED, sheet.row_of(metric))] = NOT_REPORTED
    for name, frame in (("staff_residence", staff), ("ledger", ledger)):
        if frame is not None:
            _fill_free(book[name], layout.sheet(name), frame)
    return save_workbook(book, out, template_time(int(marker["year"])))


def _typed(value: object) -> object:
    """A value as Excel would hold it after typing (numbers as numbers, blanks empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _fill_rows(ws, sheet, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """Type values into the fixed rows named by ``frame``'s index."""
    for key, row in frame.iterrows():
        for column in columns:
            if column in row:
                ws[sheet.cell(column, sheet.row_of(key))] = _typed(row[column])


def _fill_free(ws, sheet, frame: pd.DataFrame) -> None:
    """Type rows into a free sheet from row 2."""
    for offset, row in enumerate(frame.itertuples(index=False)):
        for column, value in zip(frame.columns, row, strict=True):
            if column in sheet.headers:
                ws[sheet.cell(column, offset + 2)] = _typed(value)


def next_year_returns(network: Network, seed: int) -> dict[str, dict]:
    """Each returning member's 2025/26 figures, drawn from its latest return: anchor -> table -> rows."""
    rng = np.random.default_rng(seed + DEMO_RETURN_YEAR)
    returns = {}
    for anchor_id in members(network.anchors, DEMO_RETURN_YEAR):
        if anchor_id in NOT_RETURNED:
            continue
        metrics = _next_metrics(network.metrics, anchor_id, rng)
        returns[anchor_id] = {"progression": _next_progression(network.progression, anchor_id, rng),
                              "metrics": metrics, "staff": _next_staff(network, anchor_id, metrics),
                              "not_reported": _not_reported(network, metrics)}
    return returns


def _not_reported(network: Network, metrics: pd.DataFrame) -> tuple[str, ...]:
    """The catalogue's metrics the anchor does not report: marked "not reported", as the template asks."""
    return tuple(m for m in metric_definitions(network.place).index if m not in set(metrics["metric"]))


def _latest(table: pd.DataFrame, anchor_id: str) -> pd.DataFrame:
    """The anchor's rows of its latest year in ``table``."""
    mine = table[table["anchor_id"] == anchor_id]
    return mine[mine["year"] == mine["year"].max()].reset_index(drop=True)


def _next_progression(progression: pd.DataFrame, anchor_id: str, rng: np.random.Generator) -> pd.DataFrame:
    """Last year's levels, a few one level higher (ambition never below current)."""
    rows = _latest(progression, anchor_id)
    step = rng.random(len(rows)) < 0.2
    current = np.minimum(rows["current"].astype(int) + step, 4)
    return pd.DataFrame({"activity": rows["activity"], "current": current,
                         "ambition": np.maximum(rows["ambition"].astype(int), current),
                         "priority": rows["priority"], "comment": None})


def _next_metrics(metrics: pd.DataFrame, anchor_id: str, rng: np.random.Generator) -> pd.DataFrame:
    """Last year's figures moved by a few per cent (counts whole; flags as they were)."""
    rows = _latest(metrics, anchor_id)
    moved = rows["value"].astype(float) * (1 + rng.normal(0, 0.02, len(rows)))
    whole = rows["unit"].isin(["people", "GBP", "tCO2e"])
    values = np.where(rows["unit"] == "flag", rows["value"].astype(float),
                      np.where(whole, moved.round(), moved.round(1)))
    frame = pd.DataFrame({"metric": rows["metric"], "value": values})
    headcount = frame.set_index("metric")["value"].get("headcount")
    for part in ("staff_in_leeds", "staff_in_west_yorkshire", "staff_in_most_deprived", "apprentices"):
        if headcount is not None:
            frame.loc[frame["metric"] == part, "value"] = frame.loc[frame["metric"] == part, "value"].clip(
                upper=headcount)
    return frame


def _next_staff(network: Network, anchor_id: str, metrics: pd.DataFrame) -> pd.DataFrame | None:
    """Last year's staff counts by LSOA, scaled by the change in headcount (rounded down)."""
    if network.staff_residence is None:
        return None
    rows = _latest(network.staff_residence, anchor_id)
    last = _latest(network.metrics, anchor_id).set_index("metric")["value"]
    now = metrics.set_index("metric")["value"]
    ratio = min(1.0, float(now["headcount"]) / float(last["headcount"])) if "headcount" in now and \
        "headcount" in last else 1.0
    counts = np.floor(rows["count"].astype(int) * ratio).astype(int)
    return pd.DataFrame({"lsoa_code": rows["lsoa_code"], "count": counts})


def write_demo_returns(network: Network, out_dir: str | Path, seed: int, ledgers: dict) -> list[Path]:
    """Write the demo's filled-in 2025/26 returns (and one ledger beside its workbook) into ``out_dir``.

    Parameters
    ----------
    network : Network
        The demo network as written (validated).
    out_dir : str or Path
        The folder (created when missing; its workbooks are replaced).
    seed : int
        The generator's seed.
    ledgers : dict
        The demo's ledgers, ``(anchor_id, year) -> frame``: each member's 2024/25 ledger a year later is its
        2025/26 ledger.

    Returns
    -------
    list of Path
        Every file written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("*.xlsx")) + list(out.glob("* ledger.csv")):
        old.unlink()
    names = network.anchors.set_index("anchor_id")["name"]
    written = []
    for anchor_id, tables in next_year_returns(network, seed).items():
        tables = _mistakes(anchor_id, tables, network)
        template = out / f".{anchor_id}.template.xlsx"
        save_workbook(build_template(network, anchor_id, DEMO_RETURN_YEAR), template, template_time(2025))
        ledger = _next_ledger(ledgers.get((anchor_id, DEMO_RETURN_YEAR - 1)))
        path = out / workbook_name(names[anchor_id], DEMO_RETURN_YEAR)
        as_csv = anchor_id in LEDGER_AS_CSV and ledger is not None
        fill_return(template, path, progression=tables["progression"], metrics=tables["metrics"],
                    staff=tables["staff"], ledger=None if as_csv else ledger, not_reported=tables["not_reported"])
        template.unlink()
        written.append(path)
        if as_csv:
            beside = path.with_name(f"{path.stem} ledger.csv")
            ledger.assign(payment_date=ledger["payment_date"].dt.strftime("%Y-%m-%d")).to_csv(
                beside, index=False, lineterminator="\n")
            written.append(beside)
    return written


def _next_ledger(ledger: pd.DataFrame | None) -> pd.DataFrame | None:
    """Last year's ledger a year later (the same suppliers, paid on the same days of the next year)."""
    if ledger is None:
        return None
    dates = pd.to_datetime(ledger["payment_date"]) + pd.DateOffset(years=1)
    return ledger.assign(payment_date=dates)


def _mistakes(anchor_id: str, tables: dict[str, pd.DataFrame], network: Network) -> dict[str, pd.DataFrame]:
    """The three realistic mistakes of the demo's returns."""
    tables = {name: (frame.copy() if isinstance(frame, pd.DataFrame) else frame) for name, frame in tables.items()}
    if anchor_id == "nhs_trust_a":  # a digit dropped from the headcount
        metrics = tables["metrics"]
        metrics.loc[metrics["metric"] == "headcount", "value"] = (
            metrics.loc[metrics["metric"] == "headcount", "value"] // 10)
    elif anchor_id == "university_b":  # one priority left blank
        tables["progression"].loc[tables["progression"].index[0], "priority"] = None
    elif anchor_id == "fe_college_a":  # postcodes pasted into the LSOA column
        sites = network.sites.set_index("anchor_id")["postcode"]
        tables["staff"] = tables["staff"].copy()
        tables["staff"].loc[tables["staff"].index[:3], "lsoa_code"] = sites.get(anchor_id, "LS1 4AP")
    return tables
