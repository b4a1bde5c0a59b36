"""Ledger lines count in the financial year of their payment date, whatever their files are called: the baseline
section, the priority neighbourhoods section and the anchor profile give the same year totals, and the
reconciliation accounts for every line dated in the year."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from anchor_analysis.analysis import spend
from anchor_analysis.derived import processed_network
from conftest import REPO

NOTEBOOKS = REPO / "notebooks"
YEAR = 2023


@pytest.fixture(scope="module")
def half_year_network(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Path:
    """The demo network with its ledgers re-cut as finance exports are: one file per anchor and calendar half-year
    (``<anchor>-2024-H1.csv``), so every January-to-June file spans two financial years."""
    target = tmp_path_factory.mktemp("halves") / "net"
    shutil.copytree(demo_dir, target, ignore=shutil.ignore_patterns("ledger"))
    lines = pd.concat([pd.read_csv(p, dtype="str") for p in sorted((demo_dir / "ledger").glob("*.csv"))])
    dates = pd.to_datetime(lines["payment_date"])
    half = dates.dt.year.astype(str) + "-H" + ((dates.dt.month > 6) + 1).astype(str)
    (target / "ledger").mkdir()
    for (anchor, part), chunk in lines.groupby([lines["anchor_id"], half]):
        chunk.to_csv(target / "ledger" / f"{anchor}-{part}.csv", index=False)
    return target


def _lines_dated_in(folder: Path, year: int) -> pd.DataFrame:
    lines = pd.concat([pd.read_csv(p, dtype={"amount": "float64"}) for p in sorted(folder.glob("ledger/*.csv"))])
    dates = pd.to_datetime(lines["payment_date"])
    fy = dates.dt.year - (dates.dt.month < 4)
    return lines[fy == year]


def test_file_names_do_not_decide_the_year(half_year_network: Path, demo_dir: Path, public_data_dir: Path) -> None:
    recut, original = processed_network(half_year_network).spend(YEAR), processed_network(demo_dir).spend(YEAR)
    assert not any(p.stem.endswith(f"_{YEAR}") for p in (half_year_network / "ledger").iterdir())
    pd.testing.assert_frame_equal(recut.summary, original.summary)
    pd.testing.assert_frame_equal(recut.reconciliation, original.reconciliation)


def test_reconciliation_totals_are_the_lines_dated_in_the_year(half_year_network: Path, public_data_dir: Path
                                                               ) -> None:
    network = processed_network(half_year_network)
    table = network.spend(YEAR).reconciliation
    assert spend.check_reconciliation(table)
    raw = _lines_dated_in(half_year_network, YEAR)
    read = spend.network_reconciliation(table, YEAR).set_index("item").loc["read"]
    assert read["lines"] == len(raw)
    assert read["spend"] == pytest.approx(raw["amount"].sum(), abs=0.01)
    per_anchor = table[table["item"] == "read"].set_index("anchor_id")["spend"]
    assert per_anchor.to_dict() == pytest.approx(raw.groupby("anchor_id")["amount"].sum().to_dict(), abs=0.01)


def _run(name: str, folder: Path, out: Path, **parameters) -> Path:
    pm.execute_notebook(NOTEBOOKS / f"{name}.ipynb", out / f"{name}.ipynb", kernel_name="python3", progress_bar=False,
                        cwd=str(NOTEBOOKS), log_output=False,
                        parameters={"year": YEAR, "data_dir": str(folder), "output_dir": str(out / name),
                                    "place": "leeds", **parameters})
    return out / name / "tables"


def test_sections_and_profile_agree_on_the_year(half_year_network: Path, tmp_path: Path, public_data_dir: Path
                                                ) -> None:
    baseline = _run("01_baseline", half_year_network, tmp_path)
    neighbourhoods = _run("03_priority_neighbourhoods", half_year_network, tmp_path)
    profile = _run("04_anchor_profile", half_year_network, tmp_path, anchor="nhs_trust_a")
    by_ring = pd.read_csv(baseline / "ledger_by_ring.csv")  # section 1 analyses the ledgers: no file is named _2023
    in_place = by_ring.loc[by_ring["ring"] == "leeds", "spend"].sum()
    wards = pd.read_csv(neighbourhoods / "spend_by_ward.csv")
    assert wards["spend"].sum() == pytest.approx(in_place, abs=0.05)
    dated = _lines_dated_in(half_year_network, YEAR)
    summary = pd.read_csv(baseline / "ledger_summary.csv")
    total = summary.loc[summary["metric"] == "total_spend", "value"].sum()
    assert total == pytest.approx(dated["amount"].sum(), abs=0.05)
    own = pd.read_csv(profile / "anchor_spend_by_ring.csv")
    network_rows = by_ring[by_ring["anchor_id"] == "nhs_trust_a"]
    assert own["spend"].tolist() == pytest.approx(network_rows["spend"].tolist(), abs=0.005)
