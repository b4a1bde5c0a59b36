"""Finance exports as ledgers: files in ``ledger/<anchor_id>/`` read by content, through the anchor's column mapping
or the preset their header matches; what is dropped is said, and every bad input names file, row and column and
lets nothing in."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from anchor_analysis.cli import main
from anchor_analysis.contracts import check_network, iter_ledger, validate_directory
from anchor_analysis.contracts.exports import ExportReading, read_export
from anchor_analysis.contracts.mapping import LedgerMapping, match_preset, presets, resolve_columns
from anchor_analysis.contracts.parsing import DateReader, parse_amounts

ANCHORS = """anchor_id,name,sector,joined_year,left_year
council,City Council,local_authority,2018,
trust,NHS Trust,nhs,2021,
"""

LGTC = """Payment Date,Net Amount,Supplier Name,Expenses Type,Service Area
01/04/2023,"£1,200.00",Acme Ltd,Supplies & Services,Highways
15/06/2023,(50.00),Acme Ltd,Supplies & Services,Highways
31/03/2024,99.99,Widgets plc,Premises,Schools
"""
"""A council's spend over £500 in the Local Government Transparency Code's field names."""


def write_network(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """A ledger-only network (anchors, network.toml) with ``files`` written into it."""
    contents: dict[str, str | bytes | None] = {"anchors.csv": ANCHORS, "network.toml": "ledger_only = true\n"}
    contents.update(files)
    for name, content in contents.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def validate(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(root), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def lines_of(root: Path, anchor: str | None, file: str, mapping: LedgerMapping | None = None) -> pd.DataFrame:
    return pd.concat(list(iter_ledger(root / file, anchor=anchor, mapping=mapping)), ignore_index=True)


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- amounts and dates as exports write them


@pytest.mark.parametrize("text, value", [
    ("1234.5", 1234.5), ("1,234.50", 1234.5), ("£1,234.50", 1234.5), ("GBP 1234.50", 1234.5),
    ("-£1,234.50", -1234.5), ("£-1,234.50", -1234.5), ("(1,234.50)", -1234.5), ("£(1,234.50)", -1234.5),
    ("1,234.50-", -1234.5), ("1,234.50 CR", -1234.5), ("1,234.50 DR", 1234.5), ("1.2345E+03", 1234.5),
    (" 7 ", 7.0), (".5", 0.5),
])
def test_amounts_as_written(text, value):
    values, bad = parse_amounts(pd.Series([text]))
    assert not bad[0]
    assert values[0] == pytest.approx(value)


@pytest.mark.parametrize("text", ["12O", "1,23", "1,2345.00", "(5", "-(5)", "£", "1.2.3", "five pounds", "(5) CR"])
def test_text_that_is_no_amount_is_a_failure(text):
    values, bad = parse_amounts(pd.Series([text]))
    assert bad[0] and pd.isna(values[0])


@pytest.mark.parametrize("texts, chosen", [
    (["01/04/2019", "30/04/2019"], "DD/MM/YYYY"),
    (["20-Dec-13", "02-Jan-14"], "DD-Mon-YY"),
    (["2019-04-01", "2019-04-30 00:00:00"], "YYYY-MM-DD"),
    (["43556", "43585"], "Excel serial"),
    (["1 April 2019", "30 April 2019"], "DD Month YYYY"),
])
def test_a_files_date_format_is_found_from_its_dates(texts, chosen):
    reader = DateReader()
    dates, problems = reader.read(pd.Series(texts))
    assert reader.chosen == chosen
    assert problems.isna().all()
    assert dates.dt.strftime("%Y-%m-%d").tolist()[0] in ("2019-04-01", "2013-12-20")


def test_month_first_dates_are_read_only_when_the_mapping_says_so():
    reader = DateReader()
    _, problems = reader.read(pd.Series(["04/13/2019"]))
    assert problems.tolist() == [""]  # no day-first format reads it: reported, never guessed
    dates, problems = DateReader("%m/%d/%Y").read(pd.Series(["04/13/2019"]))
    assert str(dates[0].date()) == "2019-04-13" and problems.isna().all()


# --- presets, matched by headers


PRESET_HEADERS = {
    "lgtc": ["Body Name", "Service Area", "Expenses Type", "Detailed Expenses Type", "Payment Date",
             "Transaction Number", "Net Amount", "Irrecoverable VAT", "Supplier Name", "Supplier ID"],
    "over_25k": ["Department Family", "Entity", "Date", "Expense Type", "Expense Area", "Supplier",
                 "Transaction Number", "Amount", "Supplier Postcode"],
    "leeds_city_council": ["Organisation Code", "Organisation Label", "Effective Date", "Organisational Unit",
                           "Service Division Label", "Category Internal Name", "Purpose", "Detailed Expenditure Code",
                           "Payment Date", "Transaction Number", "Irrecoverable VAT Amount", "Amount",
                           "Capital Or Revenue", "Beneficiary Name", "Procurement Card"],
    "leeds_city_council_2010": ["Body", "BodyName", "ServiceLabel", "ServiceDivisionLabel", "ExpenditureCategory",
                                "DetailedExpenditureType", "DetailedExpenditureCode", "DatePaid", "TransactionNumber",
                                "NetAmount", "CapitalOrRevenue", "SupplierName"],
    "public_spending_basic": ["payment_date", "amount_gbp", "directorate", "supplier_name", "company_number",
                              "charity_number", "source_file_month"],
    "public_spending_detailed": ["body_name", "service_label", "service_division", "expenditure_category",
                                 "expenditure_type", "expenditure_code", "payment_date", "transaction_number",
                                 "net_amount_gbp", "capital_or_revenue", "supplier_name", "irrecoverable_vat_gbp",
                                 "procurement_card", "source_file_month"],
    "contract": ["anchor_id", "payment_date", "amount", "supplier_id", "supplier_name", "supplier_postcode",
                 "category"],
}


@pytest.mark.parametrize("key", list(PRESET_HEADERS))
def test_each_preset_is_matched_by_its_headers(key):
    preset, fields = match_preset(PRESET_HEADERS[key])
    assert preset.key == key
    assert {"payment_date", "amount"} <= set(fields)


def test_every_preset_has_a_test():
    assert set(presets()) == set(PRESET_HEADERS)


def test_preset_columns_are_read_as_their_fields():
    plan, _ = resolve_columns(PRESET_HEADERS["lgtc"], None, file="x.csv")
    assert plan.columns() == {"payment_date": "Payment Date", "amount": "Net Amount", "supplier_id": "Supplier ID",
                              "supplier_name": "Supplier Name", "category": "Expenses Type",
                              "expense_type": "Detailed Expenses Type", "service_area": "Service Area",
                              "vat": "Irrecoverable VAT"}
    plan, _ = resolve_columns(PRESET_HEADERS["leeds_city_council_2010"], None, file="x.csv")
    assert plan.columns()["category"] == "ExpenditureCategory"
    assert plan.columns()["expense_type"] == "DetailedExpenditureType"


def test_headers_match_ignoring_case_spaces_and_punctuation():
    preset, _ = match_preset(["PAYMENT_DATE", "net amount", "supplier-name"])
    assert preset.key == "lgtc"


# --- a network whose ledgers are exports


def test_an_export_in_its_anchors_folder_validates_with_no_reshaping(tmp_path):
    root = write_network(tmp_path, {"ledger/council/Spend 2023-24 (final).csv": LGTC})
    code, output = validate(root)
    assert code == 0, output
    assert ("read with preset 'lgtc': 'Payment Date' (payment_date), 'Net Amount' (amount), 'Supplier Name' "
            "(supplier_name), 'Expenses Type' (category), 'Service Area' (service_area); dates DD/MM/YYYY") in output
    assert "ledger/council/Spend 2023-24 (final).csv: 1 warning" in output  # no postcodes: said, not hidden
    lines = lines_of(root, "council", "ledger/council/Spend 2023-24 (final).csv")
    assert lines["anchor_id"].tolist() == ["council"] * 3
    assert lines["amount"].tolist() == [1200.0, -50.0, 99.99]
    assert lines["category"].tolist() == ["Supplies & Services", "Supplies & Services", "Premises"]
    assert lines["service_area"].tolist() == ["Highways", "Highways", "Schools"]


def test_the_credit_in_brackets_with_a_pound_sign_is_a_credit(tmp_path):
    root = write_network(tmp_path, {"ledger/council/spend.csv": LGTC.replace("(50.00)", '"£(1,234.50)"')})
    assert validate(root)[0] == 0
    lines = lines_of(root, "council", "ledger/council/spend.csv")
    assert lines["amount"].tolist()[1] == -1234.5


@pytest.mark.parametrize("name, content", [
    ("export.csv.gz", gzip.compress(LGTC.encode())),
    ("export.txt", LGTC),
    ("export.csv", workbook({"Spend": [r.split(",") for r in
                                       ["Payment Date,Net Amount,Supplier Name", "01/04/2023,1200,Acme Ltd"]]})),
    ("no_suffix", workbook({"Notes": [["read me"]], "ledger": [["Payment Date", "Net Amount", "Supplier Name"],
                                                               ["01/04/2023", 1200, "Acme Ltd"]]})),
])
def test_files_are_read_by_content_whatever_their_name(tmp_path, name, content):
    root = write_network(tmp_path, {f"ledger/council/{name}": content})
    code, output = validate(root)
    assert code == 0, output
    assert lines_of(root, "council", f"ledger/council/{name}")["amount"].iloc[0] == 1200.0


def test_parquet_exports_are_read(tmp_path):
    frame = pd.DataFrame({"Payment Date": pd.to_datetime(["2023-04-01", "2023-05-02"]), "Amount": [1200.0, -5.5],
                          "Supplier": ["Acme Ltd", "Acme Ltd"], "Entity": "NHS Trust", "Expense Type": "Drugs",
                          "Expense Area": "Pharmacy"})
    (tmp_path / "ledger" / "trust").mkdir(parents=True)
    frame.to_parquet(tmp_path / "ledger" / "trust" / "2023.parquet")
    root = write_network(tmp_path, {})
    code, output = validate(root)
    assert code == 0, output
    assert "read with preset 'over_25k'" in output
    lines = lines_of(root, "trust", "ledger/trust/2023.parquet")
    assert lines["amount"].tolist() == [1200.0, -5.5]
    assert lines["category"].tolist() == ["Drugs", "Drugs"]


def test_a_named_sheet_and_excel_dates(tmp_path):
    import datetime as dt

    content = workbook({"Summary": [["Total", 1200]],
                        "Payments": [["Paid on", "Value", "Payee"], [dt.datetime(2023, 4, 1), 1200, "Acme Ltd"],
                                     [45023, 10, "Acme Ltd"]]})
    mapping = ('sheet = "Payments"\n[columns]\npayment_date = "Paid on"\namount = "Value"\n'
               'supplier_name = "Payee"\n')
    root = write_network(tmp_path, {"ledger/council/spend.xlsx": content, "ledger/council/mapping.toml": mapping})
    code, output = validate(root)
    # one date cell is a date, one an Excel serial: two ways of writing a date in one file, named
    assert code == 1, output
    assert "row 3, column 'Paid on' (payment_date): value '45023': a date written Excel serial" in output


def test_title_rows_blank_rows_and_the_total_footer_are_dropped_and_said(tmp_path):
    export = ("Leeds City Council,,,,\nSpend over £500: April 2023 to March 2024,,,,\n,,,,\n" + LGTC
              + ",,,,\n" + 'Total,"£1,249.99",,,\nReport run 01/05/2024,,,,\n')
    root = write_network(tmp_path, {"ledger/council/spend.csv": export})
    code, output = validate(root)
    assert code == 0, output
    assert ("dropped: 2 title rows (rows 1-2), 2 blank rows, 2 footer rows (row 9: 'Total | £1,249.99', "
            "row 10: 'Report run 01/05/2024')") in output
    assert len(lines_of(root, "council", "ledger/council/spend.csv")) == 3


def test_the_footers_total_is_checked_against_the_lines(tmp_path):
    agrees = write_network(tmp_path / "a", {"ledger/council/spend.csv": LGTC + 'Total,"£1,249.99",,,\n'})
    code, output = validate(agrees)
    assert code == 0 and "1 footer row (row 5: 'Total | £1,249.99'); the footer's total row states the lines' " \
                          "total" in output
    differs = write_network(tmp_path / "b", {"ledger/council/spend.csv": LGTC + 'Total,"£1,349.99",,,\n'})
    code, output = validate(differs)
    assert code == 0  # a warning: the file may state its total gross, or with lines it does not publish
    assert ("ledger/council/spend.csv row 5, column 'Net Amount' (amount): value '£1,349.99': warning: the total "
            "row is not the lines' total (they add up to 1,249.99): check that every line of the export is in the "
            "file") in output


def test_a_mapping_beside_the_files_with_debit_and_credit_columns(tmp_path):
    export = "Date,Dr,Cr,Vendor\n2023-04-01,100.00,,Acme Ltd\n2023-04-02,,25.00,Acme Ltd\n2023-04-03,0,10,Acme\n"
    mapping = '[columns]\npayment_date = "Date"\ndebit = "Dr"\ncredit = "Cr"\nsupplier_name = "Vendor"\n'
    root = write_network(tmp_path, {"ledger/council/gl.csv": export, "ledger/council/mapping.toml": mapping})
    code, output = validate(root)
    assert code == 0, output
    assert "read with ledger/council/mapping.toml: 'Date' (payment_date), 'Dr' (debit), 'Cr' (credit)" in output
    _, network = check_network(root)
    lines = lines_of(root, "council", "ledger/council/gl.csv", network.ledger_mappings["council"])
    assert lines["amount"].tolist() == [100.0, -25.0, -10.0]


def test_a_mapping_in_network_toml_with_title_rows_and_reversed_signs(tmp_path):
    export = "Ledger export\nrun 2024-05-01\nWhen,How much,Who\n01.04.2023,-100.00,Acme Ltd\n02.04.2023,25,Acme\n"
    settings = ('ledger_only = true\n[ledger.council]\nskip_rows = 2\nsign = "payments_negative"\n'
                'date_format = "DD.MM.YYYY"\n[ledger.council.columns]\npayment_date = "When"\namount = "How much"\n'
                'supplier_name = "Who"\n')
    root = write_network(tmp_path, {"network.toml": settings, "ledger/council/export.csv": export})
    code, output = validate(root)
    assert code == 0, output
    assert "read with network.toml [ledger.council]" in output and "dropped: 2 title rows (rows 1-2)" in output
    _, network = check_network(root)
    lines = lines_of(root, "council", "ledger/council/export.csv", network.ledger_mappings["council"])
    assert lines["amount"].tolist() == [100.0, -25.0]


def test_a_mapping_can_start_from_a_preset(tmp_path):
    export = LGTC.replace("Supplier Name", "Creditor")
    settings = 'ledger_only = true\n[ledger.council]\npreset = "lgtc"\n[ledger.council.columns]\n' \
               'supplier_name = "Creditor"\n'
    root = write_network(tmp_path, {"network.toml": settings, "ledger/council/spend.csv": export})
    code, output = validate(root)
    assert code == 0, output
    assert "read with network.toml [ledger.council] (over preset 'lgtc'): 'Payment Date' (payment_date)" in output


def test_contract_shaped_files_in_an_anchors_folder_need_no_anchor_column(tmp_path):
    contract = "payment_date,amount,supplier_id,supplier_name,supplier_postcode,category\n" \
               "2023-04-01,10.00,S1,Acme Ltd,LS1 1UR,goods\n"
    root = write_network(tmp_path, {"ledger/council/2023.csv": contract})
    code, output = validate(root)
    assert code == 0, output
    assert "read with preset 'contract'" in output


def test_the_demos_contract_files_are_read_as_before(demo_dir):
    report = validate_directory(demo_dir)
    assert report.ok and not report.readings


def test_read_export_streams_in_chunks_with_rows_numbered_as_excel_shows_them(tmp_path):
    rows = "".join(f"{day:02d}/05/2023,10.00,Supplier {day},Goods,Estates\n" for day in range(1, 21))
    path = tmp_path / "spend.csv"
    path.write_text("Title\n" + LGTC + rows.replace("13/05/2023", "13/05/2023x"), encoding="utf-8")
    reading = ExportReading("spend.csv", "council")
    chunks = list(read_export(path, "spend.csv", anchor="council", chunk_rows=7, reading=reading))
    assert [len(c.text) for c in chunks] == [7, 7, 7, 2]
    [failure] = [f for c in chunks for f in c.failures]
    assert (failure.row, failure.column, failure.field, failure.value) == (18, "Payment Date", "payment_date",
                                                                            "13/05/2023x")


# --- bad input: file, row and column named, nothing taken in

def _refused(root: Path, *expected: str) -> str:
    code, output = validate(root)
    assert code == 1, output
    for text in expected:
        assert text in output, f"{text!r} not in\n{output}"
    from anchor_analysis.core.errors import ValidationFailed
    from anchor_analysis.derived import processed_network

    with pytest.raises(ValidationFailed):
        processed_network(root)  # nothing is taken in
    return output


def test_a_mapping_naming_a_missing_column(tmp_path):
    settings = 'ledger_only = true\n[ledger.council.columns]\npayment_date = "Payment Date"\n' \
               'amount = "Gross Amount"\nsupplier_name = "Supplier Name"\n'
    _refused(write_network(tmp_path, {"network.toml": settings, "ledger/council/spend.csv": LGTC}),
             "ledger/council/spend.csv row 1, column 'Gross Amount' (amount): column named by network.toml "
             "[ledger.council] for amount is not in the header (found: Payment Date, Net Amount, Supplier Name")


def test_two_columns_mapped_to_one_field(tmp_path):
    export = LGTC.replace("Service Area", "Gross Amount")
    settings = 'ledger_only = true\n[ledger.council.columns]\npayment_date = "Payment Date"\n' \
               'amount = ["Net Amount", "Gross Amount"]\nsupplier_name = "Supplier Name"\n'
    _refused(write_network(tmp_path, {"network.toml": settings, "ledger/council/spend.csv": export}),
             "ledger/council/spend.csv row 1, column 'Gross Amount' (amount): two columns are mapped to amount "
             "('Net Amount' and 'Gross Amount', by network.toml [ledger.council]): map one")


def test_one_column_mapped_to_two_fields(tmp_path):
    mapping = '[columns]\npayment_date = "Payment Date"\namount = "Net Amount"\nvat = "Net Amount"\n' \
              'supplier_name = "Supplier Name"\n'
    _refused(write_network(tmp_path, {"ledger/council/spend.csv": LGTC, "ledger/council/mapping.toml": mapping}),
             "ledger/council/spend.csv row 1, column 'Net Amount': one column is mapped to amount and vat")


def test_dates_in_two_formats_in_one_file(tmp_path):
    export = LGTC.replace("15/06/2023", "2023-06-15")
    _refused(write_network(tmp_path, {"ledger/council/spend.csv": export}),
             "ledger/council/spend.csv row 3, column 'Payment Date' (payment_date): value '2023-06-15': a date "
             "written YYYY-MM-DD in a file whose dates are written DD/MM/YYYY: write every date one way")


def test_a_debit_and_a_credit_on_one_line(tmp_path):
    export = "Date,Dr,Cr,Vendor\n2023-04-01,100.00,,Acme Ltd\n2023-04-02,40.00,25.00,Acme Ltd\n"
    mapping = '[columns]\npayment_date = "Date"\ndebit = "Dr"\ncredit = "Cr"\nsupplier_name = "Vendor"\n'
    _refused(write_network(tmp_path, {"ledger/council/gl.csv": export, "ledger/council/mapping.toml": mapping}),
             "ledger/council/gl.csv row 3, column 'Cr' (credit): value '25.00': a debit ('Dr' (debit)) and a "
             "credit on one line: a line is one or the other")


def test_a_total_row_in_the_middle(tmp_path):
    lines = LGTC.splitlines()
    export = "\n".join([*lines[:3], 'Total April to June,"£1,150.00",,,', *lines[3:]]) + "\n"
    _refused(write_network(tmp_path, {"ledger/council/spend.csv": export}),
             "ledger/council/spend.csv row 4, column 'Payment Date' (payment_date): value 'Total April to June | "
             "£1,150.00': a total row among the lines (lines follow it): remove it, or its lines would be counted "
             "twice")


def test_an_export_outside_any_anchors_folder_without_an_anchor_column(tmp_path):
    _refused(write_network(tmp_path, {"ledger/spend.csv": LGTC}),
             "ledger/spend.csv row 1, column 'anchor_id': this file is directly in ledger/, outside any anchor's "
             "folder, and has no anchor column: move it into ledger/<anchor_id>/")


def test_an_amount_that_is_no_amount(tmp_path):
    _refused(write_network(tmp_path, {"ledger/council/spend.csv": LGTC.replace("99.99", "99.9O")}),
             "ledger/council/spend.csv row 4, column 'Net Amount' (amount): value '99.9O': amount must be an "
             "amount of money")


def test_a_folder_not_named_after_an_anchor(tmp_path):
    _refused(write_network(tmp_path, {"ledger/counsil/spend.csv": LGTC}),
             "ledger/counsil/spend.csv: value 'counsil': the folder ledger/counsil/ is not named after an anchor")


def test_an_anchor_column_that_disagrees_with_the_folder(tmp_path):
    contract = "anchor_id,payment_date,amount,supplier_name\ncouncil,2023-04-01,10,Acme\ntrust,2023-04-01,5,Acme\n"
    _refused(write_network(tmp_path, {"ledger/council/2023.csv": contract}),
             "ledger/council/2023.csv row 3, column 'anchor_id': value 'trust': the anchor column must agree with "
             "the file's folder, ledger/council/")


def test_lines_before_the_anchor_joined_name_the_folders_anchor(tmp_path):
    export = "Date,Amount,Supplier,Entity,Expense Type,Expense Area\n01/04/2020,10,Acme,NHS Trust,Drugs,Pharmacy\n"
    _refused(write_network(tmp_path, {"ledger/trust/2020.csv": export}),
             "ledger/trust/2020.csv row 2: value 'trust': anchor was not a network member in 2020/21 (member "
             "2021/22 onwards, see joined_year/left_year in the anchors table) (the anchor of the folder "
             "ledger/trust/)")


def test_no_preset_and_no_mapping(tmp_path):
    _refused(write_network(tmp_path, {"ledger/council/odd.csv": "When,How much,Who\n2023-04-01,10,Acme\n"}),
             "ledger/council/odd.csv row 1: no preset reads this header ('When', 'How much', 'Who'",
             "`anchor-analysis ledger inspect` proposes one")


def test_a_mapping_written_twice_or_with_unknown_settings(tmp_path):
    mapping = '[columns]\npayment_date = "Payment Date"\n'
    settings = 'ledger_only = true\n[ledger.council]\ncolour = "red"\nsign = "up"\n'
    output = _refused(write_network(tmp_path, {"network.toml": settings, "ledger/council/spend.csv": LGTC,
                                               "ledger/council/mapping.toml": mapping}),
                      "network.toml column 'colour': unknown setting in network.toml [ledger.council]",
                      "network.toml column 'sign': value 'up': sign must be \"payments_positive\" or",
                      "ledger/council/mapping.toml: the mapping of 'council' is in network.toml too")
    assert "Traceback" not in output


def test_a_mapping_for_an_anchor_that_is_not_listed(tmp_path):
    settings = 'ledger_only = true\n[ledger.ghost]\npreset = "lgtc"\n'
    _refused(write_network(tmp_path, {"network.toml": settings}),
             "network.toml: value 'ghost': network.toml [ledger.ghost]: 'ghost' is not an anchor_id of the "
             "anchors table")


def test_without_ledger_only_progression_and_metrics_are_still_required(tmp_path):
    code, output = validate(write_network(tmp_path, {"network.toml": 'name = "x"\n'}))
    assert code == 1
    assert "progression.csv: required file is missing" in output and "metrics.csv: required file is missing" in output


# --- taken in: the derived tables classify exports as they classify contract-shaped files

CONTRACT_LINES = """anchor_id,payment_date,amount,supplier_id,supplier_name,supplier_postcode,category
trust,2023-04-03,1200.00,,Acme Ltd,LS1 1UR,Drugs
trust,2023-05-01,-50.00,,Acme Ltd,LS1 1UR,Drugs
trust,2023-06-15,99.99,,Widgets plc,BD1 1AA,Estates
trust,2023-06-15,99.99,,Widgets plc,BD1 1AA,Estates
trust,2024-01-02,5000.00,,Leeds City Council,LS1 1UR,Services
trust,2024-04-02,70.00,,Bolts Ltd,M1 1AE,Estates
"""

OVER_25K = """Spend over £25,000,,,,,,,
Department Family,Entity,Date,Expense Type,Expense Area,Supplier,Supplier Postcode,Amount
Department of Health,NHS Trust,03/04/2023,Drugs,Pharmacy,Acme Ltd,LS1 1UR,"£1,200.00"
Department of Health,NHS Trust,01/05/2023,Drugs,Pharmacy,Acme Ltd,LS1 1UR,(50.00)
Department of Health,NHS Trust,15/06/2023,Estates,Facilities,Widgets plc,BD1 1AA,99.99
Department of Health,NHS Trust,15/06/2023,Estates,Facilities,Widgets plc,BD1 1AA,99.99
Department of Health,NHS Trust,02/01/2024,Services,Corporate,Leeds City Council,LS1 1UR,"5,000.00"
Department of Health,NHS Trust,02/04/2024,Estates,Facilities,Bolts Ltd,M1 1AE,70
,,,,,,Total,"6,419.98"
"""
"""The same six lines as an NHS trust publishes them."""


def test_an_export_is_classified_as_its_contract_shaped_twin(tmp_path, public_data_dir):
    from anchor_analysis.derived import processed_network

    twin = processed_network(write_network(tmp_path / "contract", {"ledger/2023.csv": CONTRACT_LINES}))
    export = processed_network(write_network(tmp_path / "export", {"ledger/trust/spend.csv": OVER_25K}))
    for year in (2023, 2024):
        pd.testing.assert_frame_equal(export.spend(year).reconciliation, twin.spend(year).reconciliation)
        pd.testing.assert_frame_equal(export.spend(year).by_ring, twin.spend(year).by_ring)
    read = export.spend(2023).reconciliation.set_index("item")
    assert (read.at["read", "lines"], read.at["read", "spend"]) == (5, 6349.98)
    assert (read.at["credits", "lines"], read.at["credits", "spend"]) == (1, -50.0)
    assert sorted(export.ledger["service_area"].unique()) == ["Corporate", "Facilities", "Pharmacy"]
    assert twin.ledger["service_area"].isna().all()


def test_a_pound_sign_in_brackets_is_taken_in_as_a_credit(tmp_path, public_data_dir):
    from anchor_analysis.derived import processed_network

    export = OVER_25K.replace("(50.00)", '"£(1,234.50)"')
    network = processed_network(write_network(tmp_path, {"ledger/trust/spend.csv": export}))
    table = network.spend(2023).reconciliation.set_index("item")
    assert (table.at["credits", "lines"], table.at["credits", "spend"]) == (1, -1234.5)
    assert table.at["read", "spend"] == pytest.approx(1200 - 1234.5 + 99.99 * 2 + 5000, abs=0.001)


def test_the_mapping_read_is_kept_and_reads_the_file_again_the_same_way(tmp_path, public_data_dir):
    import tomllib

    from anchor_analysis.derived import processed_network

    root = write_network(tmp_path, {"ledger/trust/spend.csv": OVER_25K})
    network = processed_network(root)
    written = (network.processed_dir / "ledger_mappings.toml").read_text(encoding="utf-8")
    assert "[ledger.trust]" in written and 'service_area = "Expense Area"' in written
    assert network.report.readings["ledger/trust/spend.csv"]["source"] == "preset 'over_25k'"
    (root / "network.toml").write_text("ledger_only = true\n" + written, encoding="utf-8")
    assert tomllib.loads((root / "network.toml").read_text())["ledger"]["trust"]["skip_rows"] == 1
    again = processed_network(root)
    assert again.report.readings["ledger/trust/spend.csv"]["source"] == "network.toml [ledger.trust]"
    pd.testing.assert_frame_equal(again.ledger, network.ledger)
