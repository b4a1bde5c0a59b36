"""Ledgers in the contract's shape are taken in as CSV, gzip CSV, XLSX or Parquet, known by content whatever the
file is called: the derived supplier-level ledger (what every section and the spend analysis read) is the same as
from the same lines in plain CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from faults import small_network
from test_fuzz import ledger_bytes

from anchor_analysis.derived import processed_network


@pytest.fixture()
def processed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANCHOR_ANALYSIS_PROCESSED", str(tmp_path / "processed"))
    return tmp_path / "processed"


def supplier_ledger(network: Path) -> pd.DataFrame:
    ledger = processed_network(network).ledger
    keys = [c for c in ("anchor_id", "year", "supplier_id", "supplier_name", "supplier_postcode", "category")
            if c in ledger.columns]
    return ledger.sort_values(keys).reset_index(drop=True)


@pytest.mark.usefixtures("public_data_dir", "processed")
@pytest.mark.parametrize("form, name", [("gzip CSV", "spend.dat"), ("XLSX", "spend.csv"), ("Parquet", "spend.txt"),
                                        ("CSV BOM CRLF", "spend.xlsx")])
def test_a_ledger_in_any_format_under_any_name_gives_the_same_derived_ledger(tmp_path: Path, form, name) -> None:
    reference = small_network(tmp_path / "reference", ledgers=4)
    network = small_network(tmp_path / "network")
    (network / "ledger").mkdir()
    for number, path in enumerate(sorted((reference / "ledger").glob("*.csv"))):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        (network / "ledger" / f"{number}-{name}").write_bytes(ledger_bytes(rows, form))
    expected = supplier_ledger(reference)
    assert len(expected) > 50 and expected["lines"].sum() > 100
    pd.testing.assert_frame_equal(supplier_ledger(network), expected)
