"""The demo network with one anchor's ledgers sent as it publishes them (NHS "spend over £25,000": a title row, UK
dates, £ and thousands commas, credits in brackets, a Total footer) in its own folder: the spend analysis and the
baseline section give the demo's numbers, and the run's provenance records how each export was read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from anchor_analysis.cli import main
from anchor_analysis.derived import processed_network
from conftest import REPO

ANCHOR = "nhs_trust_a"
YEAR = 2023


def _as_published(lines: pd.DataFrame) -> str:
    """Contract lines written the way an NHS trust publishes its spend over £25,000."""
    amounts = lines["amount"].astype(float)
    written = amounts.abs().map("£{:,.2f}".format).where(amounts >= 0, "(" + amounts.abs().map("{:,.2f}".format) + ")")
    frame = pd.DataFrame({
        "Department Family": "Department of Health and Social Care", "Entity": "NHS Trust A",
        "Date": pd.to_datetime(lines["payment_date"]).dt.strftime("%d/%m/%Y"),
        "Expense Type": lines["category"], "Expense Area": "Trust-wide", "Supplier": lines["supplier_name"],
        "Supplier ID": lines["supplier_id"], "Supplier Postcode": lines["supplier_postcode"], "Amount": written})
    total = f"Total,,,,,,,,\"£{amounts.sum():,.2f}\"\n"
    return "Expenditure over £25,000\n" + frame.to_csv(index=False, lineterminator="\n") + total


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Path:
    """The demo network, its ``nhs_trust_a`` ledgers replaced by the trust's own publications."""
    root = tmp_path_factory.mktemp("published") / "net"
    shutil.copytree(demo_dir, root)
    folder = root / "ledger" / ANCHOR
    folder.mkdir()
    for path in sorted((root / "ledger").glob(f"{ANCHOR}_*.csv")):
        lines = pd.read_csv(path, dtype="str", keep_default_na=False)
        (folder / f"Expenditure over 25k {path.stem[-4:]}.csv").write_text(_as_published(lines), encoding="utf-8")
        path.unlink()
    return root


def test_the_spend_analysis_is_the_demos(published, demo_dir, public_data_dir):
    network, demo = processed_network(published), processed_network(demo_dir)
    assert network.ledger_years() == demo.ledger_years()
    for year in demo.ledger_years():
        ours, theirs = network.spend(year), demo.spend(year)
        for table in ("summary", "by_ring", "by_decile", "reconciliation", "excluded", "leakage", "match_status"):
            pd.testing.assert_frame_equal(getattr(ours, table), getattr(theirs, table), obj=f"{table} {year}")
    readings = {file: r for file, r in network.report.readings.items() if file.startswith(f"ledger/{ANCHOR}/")}
    assert readings and all(r["source"] == "preset 'over_25k'" and r["title_rows"] == [1] and
                            len(r["footer_rows"]) == 1 for r in readings.values())


def test_the_report_run_records_how_each_export_was_read(published, tmp_path, public_data_dir):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", "--year", str(YEAR), "--data-dir", str(published), "--out",
                                       str(out), "--formats", "html", "--notebooks",
                                       str(REPO / "notebooks" / "01_baseline.ipynb")])
    assert result.exit_code == 0, result.output
    provenance = json.loads((out / str(YEAR) / "provenance.json").read_text(encoding="utf-8"))
    ledgers = {row["file"]: row for row in provenance["ledgers"]}
    row = ledgers[f"ledger/{ANCHOR}/Expenditure over 25k {YEAR}.csv"]
    assert row["read_with"] == "preset 'over_25k'" and row["date_format"] == "DD/MM/YYYY"
    assert row["columns"]["amount"] == "Amount" and (row["title_rows"], row["footer_rows"]) == (1, 1)
    combined = (out / str(YEAR) / "report" / "network-impact-report-2023-24.html").read_text(encoding="utf-8")
    assert "Ledgers read through a column mapping" in combined and "Expense Area → service_area" in combined
    demo = processed_network(REPO / "data" / "raw" / "demo").spend(YEAR).by_ring
    table = pd.read_csv(out / str(YEAR) / "baseline" / "tables" / "ledger_by_ring.csv")
    assert table["spend"].sum() == pytest.approx(demo["spend"].sum(), abs=1)


def test_anonymised_provenance_names_no_anchor():
    from anchor_analysis.reporting.provenance import ledger_readings, published_inputs

    rows = [{"file": "anchors.csv", "bytes": 1, "sha256": "a" * 64},
            {"file": f"ledger/{ANCHOR}/2023.csv", "bytes": 2, "sha256": "b" * 64},
            {"file": "ledger/uni_a_2023.csv", "bytes": 3, "sha256": "c" * 64}]
    assert [r["file"] for r in published_inputs(rows, anonymise=True)] == ["anchors.csv", "ledger/ (2 files)"]
    readings = {f"ledger/{ANCHOR}/2023.csv": {"source": f"network.toml [ledger.{ANCHOR}]", "preset": None,
                                             "lines": 10, "columns": {}}}
    assert ledger_readings(readings, anonymise=True) == [
        {"read_with": "a mapping written for the anchor", "files": 1, "lines": 10}]
    assert ANCHOR not in json.dumps(ledger_readings(readings, anonymise=True))
