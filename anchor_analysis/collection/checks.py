"""A returned workbook's values judged by the same contracts as a CSV return, failures placed by sheet and cell.

In: a :class:`~anchor_analysis.collection.workbook.ReturnedWorkbook` (the anchor's entries as text) and the
network. Out: the typed tables of the return (staff postcodes already counted by LSOA) and every failure, named
``NHS Trust A 2025.xlsx, sheet metrics, cell D7: value '1,2O0': value must be a number ...``. Ledger files sent
beside the workbook go through the contracts' ledger reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from anchor_analysis.collection.instructions import LEDGER_BESIDE
from anchor_analysis.collection.layout import ReturnLayout
from anchor_analysis.collection.workbook import CellFailure, ReturnedWorkbook
from anchor_analysis.contracts.fields import convert
from anchor_analysis.contracts.network import Network
from anchor_analysis.contracts.report import Failure
from anchor_analysis.contracts.schemas import contract
from anchor_analysis.contracts.tables import _postcodes_to_lsoa_counts, read_table
from anchor_analysis.core.errors import ValidationFailed
from anchor_analysis.core.years import financial_year, fy_label

SHEET_OF = {"progression": "progression", "metrics": "metrics", "staff_residence": "staff_residence",
            "staff_residence_postcodes": "staff_residence", "ledger": "ledger"}
"""The sheet each table of a return comes from."""


@dataclass
class CheckedReturn:
    """A returned workbook after the contracts: its typed tables and every failure.

    Attributes
    ----------
    returned : ReturnedWorkbook
        The workbook as read.
    tables : dict of str to DataFrame
        ``progression``, ``metrics``, ``staff_residence`` (LSOA counts) and ``ledger``, typed; a table the anchor
        left empty is absent.
    failures : list of Failure
        The workbook's failures (reading and contracts), then those of ledger files sent beside it.
    ledger_files : list of Path
        The ledger files sent beside the workbook.
    """

    returned: ReturnedWorkbook
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    ledger_files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether there are no errors (warnings do not stop a return)."""
        return not any(f.severity == "error" for f in self.failures)


def ledgers_beside(path: Path) -> list[Path]:
    """The ledger exports sent beside a workbook: ``<workbook name> ledger*.csv`` (or ``.xlsx``), by name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("NHS Trust A 2025.xlsx", "NHS Trust A 2025 ledger.csv", "NHS Trust B 2025 ledger.csv"):
    ...     _ = (folder / name).write_text("")
    >>> [p.name for p in ledgers_beside(folder / "NHS Trust A 2025.xlsx")]
    ['NHS Trust A 2025 ledger.csv']
    """
    prefix = f"{path.stem} {LEDGER_BESIDE}".lower()
    return sorted(p for p in path.parent.iterdir()
                  if p.is_file() and p.name.lower().startswith(prefix) and p.suffix.lower() in (".csv", ".xlsx"))


def check_return(returned: ReturnedWorkbook, network: Network, layout: ReturnLayout) -> CheckedReturn:
    """Judge a readable returned workbook's entries by the contracts, and read the ledgers beside it.

    Parameters
    ----------
    returned : ReturnedWorkbook
        The workbook as read (:func:`~anchor_analysis.collection.workbook.read_return`), marker checked.
    network : Network
        The network the return is for (its anchors and place make the rules).
    layout : ReturnLayout
        The workbook's layout, to place each failure in its cell.

    Returns
    -------
    CheckedReturn
        The typed tables and every failure.
    """
    checked = CheckedReturn(returned, failures=list(returned.failures))
    for table, raw in returned.tables.items():
        typed, failures = _contract_failures(raw, table, network, returned.file)
        checked.failures += [_in_cell(f, layout, table) for f in failures]
        checked.tables[table] = typed
    postcodes = checked.tables.pop("staff_residence_postcodes", None)
    if postcodes is not None and checked.ok:
        checked.tables["staff_residence"] = _counted(postcodes, checked, returned.file)
    if "ledger" in checked.tables:
        _ledger_in_year(checked, checked.tables["ledger"], int(returned.year), returned.file, layout)
    checked.ledger_files = ledgers_beside(returned.path)
    _ledgers_beside(checked, network)
    return checked


def _contract_failures(raw: pd.DataFrame, table: str, network: Network, file: str
                       ) -> tuple[pd.DataFrame, list[Failure]]:
    """The typed table and the contract failures of a return's rows (rows indexed by sheet row - 2)."""
    typed, failures, bad_cells = convert(raw, table, file=file)
    rules = contract(table, network.place, network.anchors, columns=list(typed.columns))
    failures += rules.failures(typed, file=file, raw=raw, skip_cells=bad_cells)
    failures.sort(key=lambda f: (f.row or 0, list(raw.columns).index(f.column) if f.column in raw else -1))
    return typed, failures


def _in_cell(failure: Failure, layout: ReturnLayout, table: str) -> CellFailure:
    """A contract failure (row = sheet row, column = field) placed in its sheet and cell."""
    sheet = layout.sheet(SHEET_OF[table])
    fields = {c.field for c in sheet.columns}
    cell = sheet.cell(failure.column, failure.row) if failure.column in fields and failure.row else None
    return CellFailure(failure.file, failure.row, failure.column, failure.value, failure.rule, failure.severity,
                       sheet.name, cell)


def _counted(postcodes: pd.DataFrame, checked: CheckedReturn, file: str) -> pd.DataFrame:
    """Staff postcodes counted by LSOA on receipt (the postcodes go no further); unknown ones are noted."""
    counts, failures = _postcodes_to_lsoa_counts(postcodes.reset_index(drop=True), file)
    checked.failures += [CellFailure(f.file, None, f.column, None, f.rule, f.severity, "staff_residence")
                         for f in failures]
    unknown = counts["lsoa_code"].isna()
    if unknown.any():
        checked.failures.append(CellFailure(
            file, None, "postcode", None, f"{int(counts.loc[unknown, 'count'].sum())} postcodes are not in the "
            "postcode lookup of the region (outside it, or not real): they are not counted", "warning",
            "staff_residence"))
    return counts[~unknown].reset_index(drop=True)


def _ledgers_beside(checked: CheckedReturn, network: Network) -> None:
    """Read each ledger file beside the workbook through the contracts; it must be the return's anchor."""
    anchor_id, year = str(checked.returned.marker["anchor_id"]), int(checked.returned.year)
    frames = [checked.tables["ledger"]] if "ledger" in checked.tables else []
    for path in checked.ledger_files:
        try:
            ledger = read_table(path, "ledger", place=network.place, anchors=network.anchors)
        except ValidationFailed as failed:
            checked.failures += [f for f in failed.report.failures]
            continue
        others = ledger.index[ledger["anchor_id"] != anchor_id]
        for position in others[:20]:
            checked.failures.append(Failure(path.name, position + 2, "anchor_id", ledger.at[position, "anchor_id"],
                                            f"this ledger is sent with the return of {anchor_id}"))
        _ledger_in_year(checked, ledger, year, path.name, None)
        frames.append(ledger)
    if frames:
        checked.tables["ledger"] = pd.concat(frames, ignore_index=True)


def _ledger_in_year(checked: CheckedReturn, ledger: pd.DataFrame, year: int, file: str,
                    layout: ReturnLayout | None) -> None:
    """Every payment of a return's ledger must fall in the return's financial year (or it would count twice)."""
    years = financial_year(ledger["payment_date"])
    outside = ledger.index[years.notna() & (years != year)]
    for position in outside[:20]:
        rule = (f"paid in {fy_label(int(years[position]))}, outside the return's year {fy_label(year)}: send "
                "only the year's payments")
        value = ledger.at[position, "payment_date"].date().isoformat()
        if layout is None:
            checked.failures.append(Failure(file, position + 2, "payment_date", value, rule))
        else:
            checked.failures.append(CellFailure(file, position + 2, "payment_date", value, rule, "error",
                                                "ledger", layout.sheet("ledger").cell("payment_date",
                                                                                      position + 2)))
    if len(outside) > 20:
        checked.failures.append(Failure(file, None, "payment_date", None,
                                        f"{len(outside) - 20} more payments outside {fy_label(year)}"))
