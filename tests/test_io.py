"""Readers: typed frames out, ValidationFailed for bad input, staff postcodes aggregated on read."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import Workbook
from test_validation import (
    ANCHORS,
    LEDGER,
    METRICS,
    PROGRESSION,
    SITES,
    STAFF_BY_LSOA,
    STAFF_BY_POSTCODE,
    TINY_POSTCODE_LOOKUP,
    with_cell,
    write_network,
    xlsx_bytes,
)

import anchor_analysis.contracts.tables as anchor_io
from anchor_analysis.contracts import (
    Network,
    check_ledger,
    contract,
    find_table_file,
    iter_ledger,
    load_network,
    read_table,
    table_schema,
)
from anchor_analysis.core import PostcodeLookupUnavailable, ValidationFailed


@pytest.fixture(autouse=True)
def tiny_postcode_lookup(monkeypatch):
    monkeypatch.setattr(anchor_io, "postcode_lookup", lambda place="leeds": TINY_POSTCODE_LOOKUP.copy())


@pytest.fixture
def network_dir(tmp_path):
    return write_network(tmp_path / "net")


def test_read_table_returns_typed_frames(network_dir):
    progression = read_table(network_dir / "progression.csv", "progression")
    assert progression["year"].tolist() == [2019, 2019, 2021, 2020]  # "2019/20" is 2019
    assert str(progression["current"].dtype) == "Int64"
    assert progression["priority"].isna().tolist() == [False, True, False, True]
    assert progression.loc[1, "comment"] == "a comment, with a comma"
    metrics = read_table(network_dir / "metrics.csv", "metrics")
    assert str(metrics["value"].dtype) == "Float64"
    assert metrics["value"].iloc[3] == 1200.5


def test_whole_numbers_written_with_decimals_are_accepted(network_dir):
    path = network_dir / "progression.csv"
    path.write_text(with_cell(PROGRESSION, 2, "current", "2.0"))
    assert read_table(path, "progression").loc[0, "current"] == 2


def test_optional_columns_absent_are_added_blank(tmp_path):
    path = tmp_path / "anchors.csv"
    path.write_text("anchor_id,name,sector,joined_year\ncouncil,Council,local_authority,2018\n")
    anchors = read_table(path, "anchors")
    assert anchors["left_year"].isna().all() and str(anchors["left_year"].dtype) == "Int64"


def test_read_table_raises_with_the_report(network_dir):
    path = network_dir / "progression.csv"
    path.write_text(with_cell(PROGRESSION, 2, "current", "5"))
    with pytest.raises(ValidationFailed) as caught:
        read_table(path, "progression")
    expected = "progression.csv row 2, column 'current': value '5': level must be an integer 1–4"
    assert expected in str(caught.value)
    assert caught.value.report.errors == 1


def test_cross_table_rules_need_the_anchors(network_dir):
    anchors = read_table(network_dir / "anchors.csv", "anchors")
    path = network_dir / "progression.csv"
    path.write_text(with_cell(PROGRESSION, 2, "anchor_id", "ghost"))
    assert len(read_table(path, "progression")) == 4  # without anchors, not checked
    with pytest.raises(ValidationFailed, match="anchor_id is not listed in the anchors table"):
        read_table(path, "progression", anchors=anchors)


def test_windows_1252_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "anchors.csv"
    path.write_bytes(with_cell(ANCHORS, 2, "name", "Café £ Ltd").encode("cp1252"))
    anchors = read_table(path, "anchors")
    assert anchors.loc[0, "name"] == "Café £ Ltd"
    assert anchors.attrs["warnings"] == [
        "anchors.csv: warning: read as Windows-1252; save as UTF-8 to avoid this"]


def test_utf8_bom_does_not_reach_the_header(tmp_path):
    path = tmp_path / "anchors.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ANCHORS.encode())
    assert read_table(path, "anchors").columns[0] == "anchor_id"


def test_headers_match_ignoring_case_and_spaces(tmp_path):
    path = tmp_path / "anchors.csv"
    path.write_text(ANCHORS.replace("anchor_id,name", " Anchor_ID ,Name"))
    assert read_table(path, "anchors").columns[:2].tolist() == ["anchor_id", "name"]


def test_unknown_columns_are_a_warning_and_dropped(tmp_path):
    path = tmp_path / "anchors.csv"
    path.write_text(ANCHORS.replace("left_year\n", "left_year,notes\n"))
    anchors = read_table(path, "anchors")
    assert "notes" not in anchors.columns
    [warning] = anchors.attrs["warnings"]
    assert "column 'notes': warning: column is not part of the contract and is ignored" in warning


def test_xlsx_reads_the_named_sheet_and_spreadsheet_values(tmp_path):
    path = tmp_path / "progression.xlsx"
    path.write_bytes(xlsx_bytes({"Read me": "notes\n", "progression": PROGRESSION}))
    progression = read_table(path, "progression")
    assert progression["current"].tolist() == [2, 1, 3, 2]
    assert progression["year"].tolist() == [2019, 2019, 2021, 2020]


def test_xlsx_dates_and_booleans(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["anchor_id", "payment_date", "amount", "supplier_id", "supplier_name", "supplier_postcode",
                  "category"])
    sheet.append(["council", dt.datetime(2023, 4, 1), 1200.0, "S1", "Acme", "LS1 1UR", "goods"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "2023.xlsx"
    path.write_bytes(buffer.getvalue())
    ledger = read_table(path, "ledger")
    assert ledger.loc[0, "payment_date"] == pd.Timestamp("2023-04-01")
    assert ledger.loc[0, "amount"] == 1200.0


def test_sites_postcodes_are_normalised(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(SITES)
    sites = read_table(path, "sites")
    assert sites["postcode"].tolist() == ["LS1 1UR", "LS2 9JT", "LS9 7TF"]
    assert sites["main_site"].tolist() == [True, True, False]


def test_staff_residence_by_lsoa(tmp_path):
    path = tmp_path / "staff_residence.csv"
    path.write_text(STAFF_BY_LSOA)
    staff = read_table(path, "staff_residence")
    assert staff.columns.tolist() == ["year", "anchor_id", "lsoa_code", "count"]
    assert staff["count"].sum() == 172


def test_staff_postcodes_are_aggregated_and_dropped(tmp_path):
    path = tmp_path / "staff_residence.csv"
    path.write_text(STAFF_BY_POSTCODE)
    staff = read_table(path, "staff_residence")
    assert staff.columns.tolist() == ["year", "anchor_id", "lsoa_code", "count"]
    assert staff["count"].sum() == 5  # every staff member counted once
    council = staff[staff["anchor_id"] == "council"].set_index("lsoa_code")["count"]
    assert council["E01033010"] == 3  # LS1 1UR twice (written two ways) and LS2 9JT
    assert staff.loc[staff["lsoa_code"].isna(), "count"].tolist() == [1]  # YO1 7HH: outside the lookup
    assert not staff.astype(str).apply(lambda c: c.str.contains("LS1|YO1", regex=True)).any().any()


def test_staff_postcodes_without_the_lookup_fail_clearly(tmp_path, monkeypatch):
    def unavailable(place="leeds"):
        raise PostcodeLookupUnavailable("set ANCHOR_ANALYSIS_PUBLIC_DATA")

    monkeypatch.setattr(anchor_io, "postcode_lookup", unavailable)
    path = tmp_path / "staff_residence.csv"
    path.write_text(STAFF_BY_POSTCODE)
    with pytest.raises(ValidationFailed, match="cannot map postcodes to LSOAs: set ANCHOR_ANALYSIS_PUBLIC"):
        read_table(path, "staff_residence")


def test_find_table_file(tmp_path):
    assert find_table_file(tmp_path, "anchors") is None
    (tmp_path / "Anchors.CSV").write_text(ANCHORS)
    assert find_table_file(tmp_path, "anchors").name == "Anchors.CSV"
    (tmp_path / "anchors.xlsx").write_bytes(xlsx_bytes({"anchors": ANCHORS}))
    with pytest.raises(ValidationFailed, match="both Anchors.CSV and anchors.xlsx are present"):
        find_table_file(tmp_path, "anchors")


def test_load_network(tmp_path):
    root = write_network(tmp_path, {
        "network.toml": 'name = "Demo"\nsynthetic = true\ndescription = "made up"\n',
        "staff_residence.csv": STAFF_BY_POSTCODE, "ledger/2023.csv": LEDGER,
    })
    network = load_network(root)
    assert isinstance(network, Network)
    assert (network.name, network.synthetic, network.place.key, network.description) == \
        ("Demo", True, "leeds", "made up")
    assert network.sites is None
    assert network.staff_residence["count"].sum() == 5
    assert [p.name for p in network.ledger_files] == ["2023.csv"]
    for frame in (network.anchors, network.progression, network.metrics, network.staff_residence):
        assert frame.attrs["synthetic"] is True


def test_load_network_defaults_without_network_toml(tmp_path):
    network = load_network(write_network(tmp_path / "my_network"))
    assert (network.name, network.synthetic, network.place.key) == ("my_network", False, "leeds")
    assert network.anchors.attrs["synthetic"] is False


def test_load_network_does_not_read_ledgers(tmp_path):
    root = write_network(tmp_path, {"ledger/2023.csv": with_cell(LEDGER, 2, "amount", "lots")})
    assert len(load_network(root).ledger_files) == 1


def test_load_network_raises_on_errors(tmp_path):
    root = write_network(tmp_path, {"metrics.csv": with_cell(METRICS, 3, "unit", "£")})
    with pytest.raises(ValidationFailed, match="unit of total_spend must be 'GBP'"):
        load_network(root)


def test_ledger_rows_are_numbered_across_chunks(tmp_path):
    rows = "".join(f"council,2023-05-{day:02d},10,S{day},Supplier,LS1 1UR,goods\n" for day in range(1, 11))
    path = tmp_path / "ledger.csv"
    path.write_text(with_cell(LEDGER + rows, 11, "amount", "ten"))
    failures, read = check_ledger(path, chunk_rows=3)
    assert read == 13
    assert [(f.row, f.column, f.value) for f in failures] == [(11, "amount", "ten")]


def test_iter_ledger_yields_typed_chunks(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER)
    chunks = list(iter_ledger(path, chunk_rows=2))
    assert [len(c) for c in chunks] == [2, 1]
    assert str(chunks[0]["amount"].dtype) == "Float64"
    assert chunks[0]["payment_date"].dt.year.tolist() == [2023, 2024]


def test_contracts_check_frames_made_in_code():
    frame = pd.DataFrame({
        "year": pd.array([2023], dtype="Int64"), "anchor_id": ["a"], "metric": ["headcount"],
        "value": pd.array([-1.0], dtype="Float64"), "unit": ["people"],
    })
    [failure] = contract("metrics").failures(frame, file="generated")
    assert (failure.row, failure.column) == (2, "value")
    assert failure.rule == "headcount is a count: value must be a non-negative whole number"
    assert set(table_schema("metrics").columns) == {"year", "anchor_id", "metric", "value", "unit"}


def test_workbook_failures_use_spreadsheet_row_numbers(tmp_path):
    path = tmp_path / "progression.xlsx"
    path.write_bytes(xlsx_bytes({"progression": with_cell(PROGRESSION, 3, "current", "7")}))
    with pytest.raises(ValidationFailed, match=r"progression.xlsx row 3, column 'current': value '7': level"):
        read_table(path, "progression")


def test_read_table_rejects_unknown_tables(tmp_path):
    with pytest.raises(ValueError, match="unknown table 'budgets'"):
        read_table(tmp_path / "budgets.csv", "budgets")
