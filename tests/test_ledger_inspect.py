"""``anchor-analysis ledger inspect FILE``: the preset or a proposed mapping, what each column parses as, the first
lines, totals by month and what would be dropped, before anything is taken in."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from test_ledger_exports import LGTC, OVER_25K, PRESET_HEADERS, validate, write_network

from anchor_analysis.cli import main
from anchor_analysis.contracts.inspection import inspect_ledger


def inspect(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["ledger", "inspect", *map(str, args)])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def test_the_preset_is_named_and_the_totals_are_the_files(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text(LGTC, encoding="utf-8")
    code, output = inspect(path)
    assert code == 0, output
    assert "read with preset 'lgtc' (Local Government Transparency Code spend over £500" in output
    assert "errors: none: the file would be taken in as read above" in output
    inspection = inspect_ledger(path)
    months = inspection.by_month.set_index("month")
    expected = pd.DataFrame({"month": ["2023-04", "2023-06", "2024-03"], "amount": [1200.0, -50.0, 99.99]})
    assert months["amount"].to_dict() == expected.set_index("month")["amount"].to_dict()
    assert months["lines"].sum() == 3
    assert inspection.columns.set_index("column")["read as"].to_dict() == {
        "Payment Date": "payment_date", "Net Amount": "amount", "Supplier Name": "supplier_name",
        "Expenses Type": "category", "Service Area": "service_area"}


def test_each_preset_is_detected(tmp_path):
    for key, header in PRESET_HEADERS.items():
        path = tmp_path / f"{key}.csv"
        values = {"payment_date": "2023-04-01", "amount": "10", "amount_gbp": "10", "net_amount_gbp": "10"}
        row = [values.get(h.lower().replace(" ", "_"), "2023-04-01" if "date" in h.lower() else "10"
               if "amount" in h.lower() else "x") for h in header]
        path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
        inspection = inspect_ledger(path, anchor="council")
        assert inspection.reading.plan is not None and inspection.reading.plan.preset == key, inspection.format()


def test_what_would_be_dropped_is_listed_with_its_rows(tmp_path):
    path = tmp_path / "ledger" / "trust" / "2023.csv"
    path.parent.mkdir(parents=True)
    path.write_text(OVER_25K.replace("\nDepartment of Health,NHS Trust,01/05", "\n,,,,,,,\nDepartment of Health,"
                                                                          "NHS Trust,01/05"), encoding="utf-8")
    code, output = inspect(path)
    assert code == 0, output
    assert ("dropped: 1 title row (row 1), 1 blank row, 1 footer row (row 10: 'Total | 6,419.98')") in output
    assert "ledger/trust/2023.csv: CSV, in the folder of anchor 'trust'" in output


def test_a_proposed_mapping_is_shown_and_written_and_then_reads_the_file(tmp_path):
    export = "Finance export\nWhen,How much,Who,Cost centre,Ref\n01/04/2023,\"1,200.00\",Acme Ltd,Highways,1001\n" \
             "02/04/2023,-50,Acme Ltd,Highways,1002\n"
    root = write_network(tmp_path / "net", {"ledger/council/export.csv": export})
    code, output = validate(root)
    assert code == 1 and "no preset reads this header" in output
    written = tmp_path / "mapping.toml"
    code, output = inspect(root / "ledger/council/export.csv", "--write-mapping", written)
    assert "no preset matches its header: read with the mapping proposed below (check it)" in output
    assert 'payment_date = "When"' in written.read_text() and 'amount = "How much"' in written.read_text()
    assert 'supplier_name = "Who"' in written.read_text() and "skip_rows = 1" in written.read_text()
    written.rename(root / "ledger/council/mapping.toml")
    code, output = validate(root)
    assert code == 0, output
    assert "read with ledger/council/mapping.toml: 'When' (payment_date), 'How much' (amount)" in output
    code, output = inspect(root / "ledger/council/export.csv")
    assert code == 0 and "read with ledger/council/mapping.toml" in output


def test_an_existing_file_is_not_written_over(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text(LGTC, encoding="utf-8")
    keep = tmp_path / "mine.toml"
    keep.write_text("# mine\n")
    code, output = inspect(path, "--write-mapping", keep)
    assert code == 1 and "exists: the mapping is not written over it" in output
    assert keep.read_text() == "# mine\n"


def test_errors_are_listed_by_both_names_and_exit_1(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text(LGTC.replace("15/06/2023", "2023-06-15").replace("99.99", "lots"), encoding="utf-8")
    code, output = inspect(path)
    assert code == 1
    assert "2 errors, 0 warnings" in output
    assert ("spend.csv row 3, column 'Payment Date' (payment_date): value '2023-06-15': a date written YYYY-MM-DD "
            "in a file whose dates are written DD/MM/YYYY") in output
    assert "spend.csv row 4, column 'Net Amount' (amount): value 'lots'" in output
    assert "unread" in output  # the line whose date could not be read is not hidden from the totals


def test_a_mapping_given_on_the_command_line(tmp_path):
    path = tmp_path / "gl.csv"
    path.write_text("Date,Dr,Cr,Vendor\n2023-04-01,100.00,,Acme Ltd\n2023-04-02,,25.00,Acme Ltd\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\npayment_date = "Date"\ndebit = "Dr"\ncredit = "Cr"\nsupplier_name = "Vendor"\n')
    code, output = inspect(path, "--mapping", mapping)
    assert code == 0, output
    assert f"read with {mapping}" in output
    assert re.search(r"\n\s+total\s+2\s+75\.00\n", output), output


def test_a_file_that_cannot_be_read_at_all(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old workbook")
    code, output = inspect(path)
    assert code == 1
    assert output.strip() == "old.xls: old Excel format (.xls) is not read: save it as .xlsx or .csv"


def test_inspect_reads_what_validate_takes_in(tmp_path: Path):
    root = write_network(tmp_path, {"ledger/trust/2023.csv": OVER_25K})
    inspection = inspect_ledger(root / "ledger/trust/2023.csv")
    assert validate(root)[0] == 0
    from anchor_analysis.contracts import check_network

    report, _ = check_network(root)
    assert report.rows_checked["ledger/trust/2023.csv"] == inspection.by_month["lines"].sum() == 6
    assert report.readings["ledger/trust/2023.csv"]["columns"] == inspection.reading.plan.columns()
