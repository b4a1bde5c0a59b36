"""Validation of a network folder through the command line: a valid folder passes, and a catalogue of
malformed inputs each names the file, the row (as in Excel: header = row 1), the column and the rule.

The helpers at the top build a small valid network in ``tmp_path``; ``tests/test_io.py`` reuses them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook

import anchor_analysis.contracts.tables as anchor_io
from anchor_analysis.cli import main
from anchor_analysis.contracts import Failure, ValidationReport, validate_directory

# --- a valid minimal network
from anchor_analysis.core import ValidationFailed

ANCHORS = """anchor_id,name,sector,joined_year,left_year
council,City Council,local_authority,2018,
uni,University,university,2018,2022
trust,NHS Trust,nhs,2021,
"""
# uni left in 2022 (last member year 2021/22); trust joined in 2021/22.

PROGRESSION = """year,anchor_id,dimension,activity,current,ambition,priority,comment
2019,council,employment,recruitment,2,3,high,
2019/20,council,procurement,local_supply_chains,1,3,,"a comment, with a comma"
2021,trust,civic,civic_partnerships,3,4,low,
2020,uni,employment,pay_and_conditions,2,2,,
"""

METRICS = """year,anchor_id,metric,value,unit
2023,council,headcount,15000,people
2023,council,total_spend,250000000,GBP
2023,council,living_wage,1,flag
2023,trust,scope1_tco2e,1200.5,tCO2e
2021,uni,staff_in_leeds,3000,people
"""

STAFF_BY_LSOA = """year,anchor_id,lsoa_code,count
2023,council,E01033010,120
2023,council,E01011264,45
2023,trust,E01033010,7
"""

STAFF_BY_POSTCODE = """year,anchor_id,postcode
2023,council,LS1 1UR
2023,council,ls11ur
2023,council,LS2 9JT
2023,council,YO1 7HH
2023,trust,LS2 9JT
"""

SITES = """anchor_id,site_name,postcode,main_site
council,Civic Hall,LS1 1UR,true
uni,Main campus,LS2 9JT,TRUE
trust,Hospital,ls9 7tf,false
"""

LEDGER = """anchor_id,payment_date,amount,supplier_id,supplier_name,supplier_postcode,category
council,2023-04-01,1200.00,S1,Acme Ltd,LS1 1UR,construction
council,2024-03-31,-50,S1,Acme Ltd,LS1 1UR,construction
trust,2023-06-15,99.99,S2,Widgets plc,BD1 1AA,goods
"""

TINY_POSTCODE_LOOKUP = pd.DataFrame({
    "postcode": ["LS1 1UR", "LS2 9JT", "LS9 7TF"],
    "lsoa21_code": ["E01033010", "E01033010", "E01011264"],
})
"""Stands in for the public postcode lookup so tests need no real data (YO1 7HH is deliberately absent)."""

FileContent = str | bytes | None


def write_network(root: Path, files: dict[str, FileContent] | None = None) -> Path:
    """The valid minimal network (anchors, progression, metrics) in ``root``, with ``files`` changed.

    ``files`` maps a path inside the folder to its text (written as UTF-8), its bytes, or None to leave
    it out.
    """
    contents: dict[str, FileContent] = {"anchors.csv": ANCHORS, "progression.csv": PROGRESSION,
                                        "metrics.csv": METRICS}
    contents.update(files or {})
    root.mkdir(parents=True, exist_ok=True)
    for name, content in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            continue
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def with_row(text: str, row: int, line: str) -> str:
    """CSV ``text`` with Excel row ``row`` replaced by ``line``; one past the last row appends it."""
    lines = text.splitlines()
    if row == len(lines) + 1:
        lines.append(line)
    else:
        lines[row - 1] = line
    return "\n".join(lines) + "\n"


def with_cell(text: str, row: int, column: str, value: str) -> str:
    """CSV ``text`` with one cell replaced (cells before ``column`` must not hold quoted commas)."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def without_column(text: str, column: str) -> str:
    records = list(csv.reader(io.StringIO(text)))
    drop = records[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([c for i, c in enumerate(r) if i != drop] for r in records)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, str]) -> bytes:
    """A workbook with one sheet per CSV text, holding the values as Excel would (numbers as numbers)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, text in sheets.items():
        worksheet = workbook.create_sheet(name)
        for record in csv.reader(io.StringIO(text)):
            worksheet.append([_spreadsheet_value(cell) for cell in record])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _spreadsheet_value(cell: str) -> object:
    try:
        return float(cell)  # Excel stores every number as a float: 3 becomes 3.0
    except ValueError:
        return cell or None


def run_validate(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(root), *args])
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def tiny_postcode_lookup(monkeypatch):
    monkeypatch.setattr(anchor_io, "postcode_lookup", lambda place="leeds": TINY_POSTCODE_LOOKUP.copy())


# --- a valid folder


def test_valid_minimal_network_passes(tmp_path):
    code, output = run_validate(write_network(tmp_path))
    assert code == 0, output
    assert "anchors.csv: ok (3 rows)" in output
    assert "progression.csv: ok (4 rows)" in output
    assert output.strip().endswith("0 errors, 0 warnings in 3 files")


def test_valid_full_network_passes(tmp_path):
    root = write_network(tmp_path, {
        "network.toml": 'name = "Test network"\nplace = "leeds"\nsynthetic = true\ndescription = "tests"\n',
        "staff_residence.csv": STAFF_BY_LSOA, "sites.csv": SITES, "ledger/2023.csv": LEDGER,
    })
    code, output = run_validate(root)
    assert code == 0, output
    assert "ledger/: 1 file, 3 rows, no errors" in output
    assert "0 errors, 0 warnings in 7 files" in output
    code, output = run_validate(root, "--all-warnings")
    assert code == 0, output
    assert "ledger/2023.csv: ok (3 rows)" in output


def test_valid_network_as_workbooks_passes(tmp_path):
    root = write_network(tmp_path, {
        "anchors.csv": None, "progression.csv": None, "metrics.csv": None,
        "anchors.xlsx": xlsx_bytes({"anchors": ANCHORS}),
        "progression.xlsx": xlsx_bytes({"Notes": "read me\n", "progression": PROGRESSION}),
        "metrics.xlsx": xlsx_bytes({"Sheet1": METRICS}),  # a single sheet is used whatever its name
    })
    code, output = run_validate(root)
    assert code == 0, output


def test_demo_network_is_valid(demo_dir):
    if not (demo_dir / "anchors.csv").exists():
        pytest.skip("the demo network has not been generated (make demo-data)")
    code, output = run_validate(demo_dir)
    assert code == 0, output


# --- the catalogue of malformed inputs

P, M = PROGRESSION, METRICS

CATALOGUE = [
    # (id, files changed, expected lines in the output, errors expected)
    ("level_5", {"progression.csv": with_cell(P, 2, "current", "5")},
     ["progression.csv row 2, column 'current': value '5': level must be an integer 1–4"], 1),
    ("level_3_point_5", {"progression.csv": with_cell(P, 3, "ambition", "3.5")},
     ["progression.csv row 3, column 'ambition': value '3.5': level must be an integer 1–4"], 1),
    ("level_three", {"progression.csv": with_cell(P, 4, "current", "three")},
     ["progression.csv row 4, column 'current': value 'three': level must be an integer 1–4"], 1),
    ("ambition_below_current", {"progression.csv": with_cell(P, 5, "ambition", "1")},
     ["progression.csv row 5, column 'ambition': value '1': ambition must not be below current (2)"], 1),
    ("unknown_dimension", {"progression.csv": with_cell(P, 2, "dimension", "workforce")},
     ["progression.csv row 2, column 'dimension': value 'workforce': dimension must be one of employment, "
      "procurement, environment_assets, service_delivery, civic"], 1),
    ("activity_in_wrong_dimension", {"progression.csv": with_cell(P, 2, "activity", "social_value")},
     ["progression.csv row 2, column 'activity': value 'social_value': activity 'social_value' belongs to "
      "dimension 'procurement', not 'employment'"], 1),
    ("unknown_activity", {"progression.csv": with_cell(P, 2, "activity", "hiring")},
     ["progression.csv row 2, column 'activity': value 'hiring': activity is not in the Progression "
      "Framework"], 1),
    ("unknown_anchor", {"progression.csv": with_cell(P, 2, "anchor_id", "ghost")},
     ["progression.csv row 2, column 'anchor_id': value 'ghost': anchor_id is not listed in the anchors "
      "table"], 1),
    ("member_joined_later", {"progression.csv": with_cell(P, 4, "year", "2019")},
     ["progression.csv row 4, column 'anchor_id': value 'trust': anchor was not a network member in 2019/20 "
      "(member 2021/22 onwards"], 1),
    ("member_left_earlier", {"progression.csv": with_cell(P, 5, "year", "2022/23")},
     ["progression.csv row 5, column 'anchor_id': value 'uni': anchor was not a network member in 2022/23 "
      "(member 2018/19 to 2021/22"], 1),
    ("year_out_of_range", {"progression.csv": with_cell(P, 2, "year", "2016")},
     ["progression.csv row 2, column 'year': value '2016': year must be between 2018/19 and 2030/31 "
      "(place 'leeds')"], 1),
    ("bad_year_label", {"progression.csv": with_cell(P, 2, "year", "2019/21")},
     ["progression.csv row 2, column 'year': value '2019/21': year must be a financial year written like "
      "2023 or 2023/24"], 1),
    ("duplicate_progression_key",
     {"progression.csv": with_row(P, 6, "2019/20,council,employment,recruitment,3,4,,")},
     ["progression.csv row 6, column 'activity': value 'recruitment': duplicate of row 2: year, anchor_id "
      "and activity must be unique together"], 1),
    ("bad_priority", {"progression.csv": with_cell(P, 2, "priority", "urgent")},
     ["progression.csv row 2, column 'priority': value 'urgent': priority must be high, medium, low or "
      "blank"], 1),
    ("duplicate_metric_key", {"metrics.csv": with_row(M, 7, "2023,council,headcount,15100,people")},
     ["metrics.csv row 7, column 'metric': value 'headcount': duplicate of row 2: year, anchor_id and metric "
      "must be unique together"], 1),
    ("negative_headcount", {"metrics.csv": with_cell(M, 2, "value", "-3")},
     ["metrics.csv row 2, column 'value': value '-3': headcount is a count: value must be a non-negative "
      "whole number"], 1),
    ("fractional_headcount", {"metrics.csv": with_cell(M, 2, "value", "12.5")},
     ["metrics.csv row 2, column 'value': value '12.5': headcount is a count: value must be a non-negative "
      "whole number"], 1),
    ("value_with_thousands_separator",
     {"metrics.csv": with_row(M, 2, '2023,council,headcount,"15,000",people')},
     ["metrics.csv row 2, column 'value': value '15,000': value must be a number, written without £, commas "
      "or units"], 1),
    ("unit_mismatch", {"metrics.csv": with_cell(M, 3, "unit", "£")},
     ["metrics.csv row 3, column 'unit': value '£': unit of total_spend must be 'GBP'"], 1),
    ("unknown_metric", {"metrics.csv": with_cell(M, 2, "metric", "headcnt")},
     ["metrics.csv row 2, column 'metric': value 'headcnt': unknown metric"], 1),
    ("living_wage_2", {"metrics.csv": with_cell(M, 4, "value", "2")},
     ["metrics.csv row 4, column 'value': value '2': living_wage is a flag: value must be 0 or 1"], 1),
    ("blank_required_cell", {"metrics.csv": with_cell(M, 3, "anchor_id", "")},
     ["metrics.csv row 3, column 'anchor_id': must not be blank"], 1),
    ("too_many_values", {"metrics.csv": with_row(M, 2, "2023,council,headcount,15000,people,oops")},
     ["metrics.csv row 2: row has 6 values but the header has 5 columns"], 1),
    ("negative_staff_count", {"staff_residence.csv": with_cell(STAFF_BY_LSOA, 3, "count", "-4")},
     ["staff_residence.csv row 3, column 'count': value '-4': count must be a non-negative whole number"], 1),
    ("malformed_lsoa_code", {"staff_residence.csv": with_cell(STAFF_BY_LSOA, 2, "lsoa_code", "E0103301")},
     ["staff_residence.csv row 2, column 'lsoa_code': value 'E0103301': lsoa_code must be an LSOA code like "
      "E01011264"], 1),
    ("broken_staff_postcode", {"staff_residence.csv": with_cell(STAFF_BY_POSTCODE, 3, "postcode", "LS1 1U")},
     ["staff_residence.csv row 3, column 'postcode': value 'LS1 1U': not a valid UK postcode"], 1),
    ("staff_residence_both_forms", {"staff_residence.csv": "year,anchor_id,lsoa_code,count,postcode\n"
                                                           "2023,council,E01033010,1,LS1 1UR\n"},
     ["staff_residence.csv row 1: use either lsoa_code and count, or postcode"], 1),
    ("broken_site_postcode", {"sites.csv": with_cell(SITES, 3, "postcode", "LS2")},
     ["sites.csv row 3, column 'postcode': value 'LS2': not a valid UK postcode"], 1),
    ("bad_main_site_flag", {"sites.csv": with_cell(SITES, 2, "main_site", "yes")},
     ["sites.csv row 2, column 'main_site': value 'yes': main_site must be true or false"], 1),
    ("missing_required_column", {"progression.csv": without_column(P, "ambition")},
     ["progression.csv row 1, column 'ambition': required column is missing (found: year, anchor_id, "
      "dimension, activity, current, priority, comment)"], 1),
    ("empty_file", {"metrics.csv": b""},
     ["metrics.csv: file is empty: expected a header row and data rows"], 1),
    ("header_only_file", {"metrics.csv": "year,anchor_id,metric,value,unit\n"},
     ["metrics.csv: file has a header row but no data rows"], 1),
    ("xlsx_wrong_sheet_names", {"progression.csv": None,
                                "progression.xlsx": xlsx_bytes({"Sheet1": P, "Notes": "x\n"})},
     ["progression.xlsx: no sheet named 'progression' and more than one sheet (found 'Sheet1', 'Notes'): "
      "name the sheet 'progression'"], 1),
    ("binary_garbage", {"metrics.csv": bytes(range(256)) * 8},
     ["metrics.csv: not a text file (binary or unknown encoding): save it as CSV in UTF-8"], 1),
    ("workbook_named_csv", {"metrics.csv": None, "metrics.xlsx": xlsx_bytes({"metrics": M}),
                            "anchors.csv": xlsx_bytes({"anchors": ANCHORS})},
     ["anchors.csv: this is an Excel workbook with a .csv name: rename it to .xlsx"], 1),
    ("both_csv_and_xlsx", {"anchors.xlsx": xlsx_bytes({"anchors": ANCHORS})},
     ["anchors.csv: both anchors.csv and anchors.xlsx are present: keep only one"], 1),
    ("old_xls_only", {"anchors.csv": None, "anchors.xls": b"\xd0\xcf\x11\xe0 old workbook"},
     ["anchors.xls: old Excel format (.xls) is not read: save it as .xlsx or .csv"], 1),
    ("missing_required_file", {"metrics.csv": None},
     ["metrics.csv: required file is missing: put metrics.csv or metrics.xlsx in"], 1),
    ("unknown_sector", {"anchors.csv": with_cell(ANCHORS, 2, "sector", "charity")},
     ["anchors.csv row 2, column 'sector': value 'charity': sector must be one of nhs, university, "
      "fe_college, local_authority, utility, government, culture, housing, blue_light, other"], 1),
    ("joined_after_left", {"anchors.csv": with_cell(ANCHORS, 3, "joined_year", "2023")},
     ["anchors.csv row 3, column 'left_year': value '2022': left_year must not be before joined_year",
      "progression.csv: warning: anchors and membership years not checked: fix the anchors table first"], 1),
    ("duplicate_anchor", {"anchors.csv": with_row(ANCHORS, 5, "council,Council again,local_authority,2019,")},
     ["anchors.csv row 5, column 'anchor_id': value 'council': duplicate of row 2: anchor_id must be "
      "unique"], 1),
    ("ledger_bad_amount_and_date", {"ledger/2023.csv": with_cell(with_cell(LEDGER, 3, "amount", "12O.00"),
                                                                 4, "payment_date", "15/06/2023")},
     ["ledger/2023.csv row 3, column 'amount': value '12O.00': amount must be a number, written without £, "
      "commas or units",
      "ledger/2023.csv row 4, column 'payment_date': value '15/06/2023': payment_date must be a date written "
      "YYYY-MM-DD"], 2),
    ("ledger_anchor_not_member", {"ledger/2023.csv": with_cell(LEDGER, 4, "anchor_id", "uni")},
     ["ledger/2023.csv row 4, column 'anchor_id': value 'uni': anchor was not a network member in "
      "2023/24"], 1),
    ("ledger_missing_column", {"ledger/2023.csv": without_column(LEDGER, "amount")},
     ["ledger/2023.csv row 1, column 'amount': required column is missing"], 1),
    ("unknown_place_in_network_toml", {"network.toml": 'place = "atlantis"\n'},
     ["network.toml column 'place': unknown place 'atlantis'"], 1),
    ("bad_setting_in_network_toml", {"network.toml": 'synthetic = "yes"\n'},
     ["network.toml: value 'yes': synthetic must be true or false"], 1),
]


@pytest.mark.parametrize("files, expected, errors",
                         [pytest.param(*case[1:], id=case[0]) for case in CATALOGUE])
def test_malformed_input_is_reported(tmp_path, files, expected, errors):
    code, output = run_validate(write_network(tmp_path, files))
    assert code == 1, output
    for line in expected:
        assert line in output, f"expected {line!r} in:\n{output}"
    assert f"{errors} error{'s' if errors != 1 else ''}," in output.splitlines()[-1], output
    assert "Traceback" not in output
    assert len(output.splitlines()) <= 40, "a single failure should fit one screen"


def test_catalogue_is_large_enough():
    assert len(CATALOGUE) >= 25


def test_windows_1252_file_is_a_warning_not_an_error(tmp_path):
    anchors = with_cell(ANCHORS, 2, "name", "Council £ Ltd").encode("cp1252")
    code, output = run_validate(write_network(tmp_path, {"anchors.csv": anchors}))
    assert code == 0, output
    assert "anchors.csv: warning: read as Windows-1252; save as UTF-8 to avoid this" in output
    assert output.splitlines()[-1] == "0 errors, 1 warning in 3 files"


def test_utf8_bom_is_accepted_silently(tmp_path):
    code, output = run_validate(write_network(tmp_path, {"anchors.csv": b"\xef\xbb\xbf" + ANCHORS.encode()}))
    assert code == 0, output
    assert "anchors.csv: ok (3 rows)" in output


def test_staff_residence_by_postcode_is_valid(tmp_path):
    code, output = run_validate(write_network(tmp_path, {"staff_residence.csv": STAFF_BY_POSTCODE}))
    assert code == 0, output
    assert "staff_residence.csv: ok (5 rows)" in output


def test_ledger_junk_supplier_postcodes_are_counted_warnings(tmp_path):
    ledger = with_cell(with_cell(LEDGER, 2, "supplier_postcode", ""), 3, "supplier_postcode", "N/A")
    root = write_network(tmp_path, {"ledger/2023.csv": ledger})
    code, output = run_validate(root, "--all-warnings")
    assert code == 0, output
    assert ("ledger/2023.csv column 'supplier_postcode': warning: 1 blank and 1 not a valid UK postcode "
            "(of 3 rows): their spend is classed 'unknown'") in output
    assert "0 errors, 1 warning in 4 files" in output
    code, output = run_validate(root)
    assert code == 0, output
    assert ("ledger/: 1 file, 3 rows, no errors; 1 warning in 1 file (column 'supplier_postcode'): "
            "`anchor-analysis validate --all-warnings` lists them") in output


def test_many_ledgers_with_warnings_leave_the_errors_on_one_screen(tmp_path):
    junk = with_cell(LEDGER, 2, "supplier_postcode", "N/A")
    files = {f"ledger/{n:02d}.csv": junk for n in range(40)}
    files["ledger/bad.csv"] = with_cell(LEDGER, 3, "amount", "lots")
    files["progression.csv"] = with_cell(PROGRESSION, 2, "current", "5")
    code, output = run_validate(write_network(tmp_path, files))
    assert code == 1, output
    lines = output.splitlines()
    assert len(lines) <= 15, output
    assert "progression.csv row 2, column 'current': value '5': level must be an integer 1–4" in output
    assert any(line.startswith("ledger/bad.csv: 1 error") for line in lines), output
    assert "ledger/: 40 files, 120 rows, no errors; 40 warnings in 40 files" in output
    assert lines[-1] == "2 errors, 40 warnings in 44 files"
    code, output = run_validate(write_network(tmp_path, files), "--all-warnings")
    assert code == 1 and len(output.splitlines()) > 80


def test_all_failures_of_a_file_are_reported_together(tmp_path):
    progression = with_cell(PROGRESSION, 2, "current", "5")
    progression = with_cell(progression, 3, "dimension", "workforce")
    progression = with_cell(progression, 4, "anchor_id", "ghost")
    progression = with_cell(progression, 5, "ambition", "1")
    progression = with_row(progression, 6, "2016,council,employment,recruitment,2,2,,")
    metrics = with_cell(METRICS, 3, "unit", "£")
    root = write_network(tmp_path, {"progression.csv": progression, "metrics.csv": metrics})
    code, output = run_validate(root)
    assert code == 1
    assert "progression.csv: 5 errors" in output
    for row, column in [(2, "current"), (3, "dimension"), (4, "anchor_id"), (5, "ambition"), (6, "year")]:
        assert f"progression.csv row {row}, column '{column}'" in output
    assert "metrics.csv row 3, column 'unit'" in output
    assert output.splitlines()[-1] == "6 errors, 0 warnings in 3 files"
    lines = output.splitlines()
    assert lines.index("progression.csv: 5 errors") < lines.index("metrics.csv: 1 error")


def test_row_numbers_count_blank_lines(tmp_path):
    metrics = METRICS.replace("2023,council,total_spend", "\n2023,council,total_spend")
    metrics = with_cell(metrics, 5, "value", "2")  # living_wage, pushed down to row 5 by the blank line
    code, output = run_validate(write_network(tmp_path, {"metrics.csv": metrics}))
    assert "metrics.csv row 5, column 'value': value '2': living_wage is a flag" in output


def test_long_reports_are_capped_per_file(tmp_path):
    rows = "".join(f"2019,council,employment,recruitment{i},2,3,,\n" for i in range(60))
    code, output = run_validate(write_network(tmp_path, {"progression.csv": PROGRESSION + rows}))
    assert code == 1
    assert "progression.csv: 60 errors" in output
    assert "  … and 10 more in progression.csv" in output
    assert output.splitlines()[-1] == "60 errors, 0 warnings in 3 files"


def test_missing_directory_is_a_failure_not_a_traceback(tmp_path):
    code, output = run_validate(tmp_path / "nowhere")
    assert code == 1
    assert "folder does not exist" in output
    assert "Traceback" not in output


def test_place_option_changes_the_rules(tmp_path):
    # Bradford's rings make spend_bradford a metric and staff_in_leeds unknown.
    code, output = run_validate(write_network(tmp_path), "--place", "bradford")
    assert code == 1
    assert "metrics.csv row 6, column 'metric': value 'staff_in_leeds': unknown metric" in output


def test_unknown_place_option_is_a_usage_error(tmp_path):
    code, output = run_validate(write_network(tmp_path), "--place", "atlantis")
    assert code == 2
    assert "unknown place 'atlantis'" in output
    assert "Traceback" not in output


def test_place_from_network_toml(tmp_path):
    code, output = run_validate(write_network(tmp_path, {"network.toml": 'place = "bradford"\n'}))
    assert "value 'staff_in_leeds': unknown metric" in output


# --- the report itself


def test_report_orders_errors_before_warnings_and_sums_up():
    report = ValidationReport()
    report.checked("anchors.csv", 3)
    report.add(Failure("anchors.csv", None, None, None, CP1252 := "read as Windows-1252", "warning"))
    report.add(Failure("anchors.csv", 4, "sector", "charity", "sector must be one of nhs"))
    text = report.format()
    assert text.splitlines() == [
        "anchors.csv: 1 error, 1 warning",
        "  anchors.csv row 4, column 'sector': value 'charity': sector must be one of nhs",
        f"  anchors.csv: warning: {CP1252}",
        "1 error, 1 warning in 1 file",
    ]
    assert not report.ok
    assert str(ValidationFailed(report)) == text


def test_report_without_errors_is_ok():
    report = ValidationReport()
    report.add(Failure("x.csv", None, None, None, "something odd", "warning"))
    assert report.ok and report.warnings == 1 and report.errors == 0


def test_the_report_knows_the_years_with_returns(tmp_path):
    assert validate_directory(write_network(tmp_path)).years == {2019, 2020, 2021, 2023}


def test_validate_directory_returns_a_report(tmp_path):
    progression = with_cell(PROGRESSION, 2, "current", "5")
    report = validate_directory(write_network(tmp_path, {"progression.csv": progression}))
    assert not report.ok
    [failure] = report.failures
    assert failure == Failure("progression.csv", 2, "current", "5", "level must be an integer 1–4")
