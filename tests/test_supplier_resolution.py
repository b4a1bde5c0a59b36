"""The supplier register contract and supplier resolution (issue 14)."""

from __future__ import annotations

import pandas as pd
import pytest

from anchor_analysis.analysis.spend.resolution import (
    NO_SUPPLIER_KEY,
    REDACTED_KEY,
    MatchSettings,
    matching_name,
    resolve_suppliers,
)
from anchor_analysis.contracts.tables import read_table
from anchor_analysis.core.errors import SupplierMatchingError, ValidationFailed

REGISTER_HEADER = "supplier_key,canonical_name,company_number,charity_number,postcode,size_band,vcse,sic_section," \
                  "public_body,postcode_source,postcode_date"


def _register(tmp_path, *rows):
    path = tmp_path / "suppliers.csv"
    path.write_text("\n".join([REGISTER_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_valid_register_is_read_typed(tmp_path):
    path = _register(tmp_path, "S1,Acme Ltd,01234567,,LS1 4AP,small,false,F,false,analyst,2024-05-01",
                     "S2,Leeds Mind,,1012345-1,ls2 7ej,micro,true,Q,,,")
    register = read_table(path, "suppliers")
    assert register["postcode"].tolist() == ["LS1 4AP", "LS2 7EJ"]
    assert register["vcse"].tolist() == [False, True]
    assert str(register["postcode_date"].iloc[0].date()) == "2024-05-01"


@pytest.mark.parametrize(("row", "column", "rule"), [
    ("S1,Acme,1234567,,,small,,F,,,", "company_number", "Companies House number of 8 characters"),
    ("S1,Acme,,,,tiny,,F,,,", "size_band", "size_band must be one of micro, small, medium, large"),
    ("S1,Acme,,,,small,,Z,,,", "sic_section", "SIC 2007 section letter A to U"),
    ("S1,Acme,,12,,small,,F,,,", "charity_number", "registered charity number"),
    ("S1,Acme,,,,small,,F,,,1 May 2024", "postcode_date", "must be a date written YYYY-MM-DD"),
])
def test_a_malformed_register_is_refused_with_file_row_column_and_rule(tmp_path, row, column, rule):
    path = _register(tmp_path, "S0,Fine Ltd,00000001,,,large,,C,,,", row)
    with pytest.raises(ValidationFailed) as caught:
        read_table(path, "suppliers")
    [failure] = caught.value.report.failures
    assert (failure.file, failure.row, failure.column) == ("suppliers.csv", 3, column)
    assert rule in failure.rule


def test_a_duplicate_supplier_key_is_refused(tmp_path):
    path = _register(tmp_path, "S1,Acme,,,,,,,,,", "S1,Other,,,,,,,,,")
    with pytest.raises(ValidationFailed) as caught:
        read_table(path, "suppliers")
    [failure] = caught.value.report.failures
    assert (failure.row, failure.column, failure.rule) == (3, "supplier_key",
                                                           "duplicate of row 2: supplier_key must be unique")


def test_matching_names_drop_case_punctuation_suffixes_and_references():
    names = pd.Series(["ACME (UK) LTD.", "Acme Limited", "acme plc", "Amazon.Co.Uk*m62dx3gq4 Am", "REDACTED"])
    assert matching_name(names).tolist()[:4] == ["ACME", "ACME", "ACME", "AMAZON AM"]


def _variants():
    return pd.DataFrame({
        "supplier_name": ["ACME LTD", "Acme Limited", "Acme Buildres", "Acme Builders Ltd", "Zeta Care",
                          "Zeta Care Ltd", "REDACTED PERSONAL DATA", "", "Acme Holdings"],
        "company_number": ["", "", "", "", "00000001", "00000002", "", "", ""],
        "supplier_postcode": ["", "", "LS1 1AA", "LS9 9ZZ", "", "", "", "", ""],
    })


def test_resolution_links_variants_and_keeps_firms_with_two_company_numbers_apart():
    keys, review = resolve_suppliers(_variants())
    key = dict(zip(keys["supplier_name"], keys["supplier_key"], strict=True))
    assert key["ACME LTD"] == key["Acme Limited"]
    assert key["Zeta Care"] == "CH-00000001" and key["Zeta Care Ltd"] == "CH-00000002"
    assert key["REDACTED PERSONAL DATA"] == REDACTED_KEY and key[""] == NO_SUPPLIER_KEY
    # a strong name pair with two different postcodes is borderline: reviewed, not linked
    assert key["Acme Buildres"] != key["Acme Builders Ltd"]
    assert ("ACME BUILDERS", "ACME BUILDRES") in set(zip(review["name_a"], review["name_b"], strict=True))


def test_review_decisions_are_kept_and_applied():
    _, review = resolve_suppliers(_variants())
    review["decision"] = review["decision"].where(review["name_b"] != "ACME BUILDRES", "same")
    keys, again = resolve_suppliers(_variants(), decisions=review)
    key = dict(zip(keys["supplier_name"], keys["supplier_key"], strict=True))
    assert key["Acme Buildres"] == key["Acme Builders Ltd"]
    assert "same" in again["decision"].tolist()
    with pytest.raises(SupplierMatchingError, match="'same' or 'different'"):
        resolve_suppliers(_variants(), decisions=review.assign(decision="yes"))


def test_the_register_key_wins_and_keys_are_deterministic():
    register = pd.DataFrame({"supplier_key": ["ACME-1"], "canonical_name": ["Acme Limited"],
                             "aliases": ["Acme Holdings"], "company_number": [pd.NA]})
    keys, _ = resolve_suppliers(_variants(), register=register)
    assert set(keys.loc[keys["supplier_name"].isin(["ACME LTD", "Acme Holdings"]), "supplier_key"]) == {"ACME-1"}
    again, _ = resolve_suppliers(_variants().sample(frac=1, random_state=3), register=register)
    assert dict(zip(again["supplier_name"], again["supplier_key"], strict=True)) == \
        dict(zip(keys["supplier_name"], keys["supplier_key"], strict=True))


def test_settings_are_checked():
    with pytest.raises(SupplierMatchingError, match="review_score <= link_score"):
        MatchSettings(link_score=80, review_score=90)
    with pytest.raises(SupplierMatchingError, match="scorer must be one of"):
        MatchSettings(scorer="levenshtein")


# --- the demo network's known truth --------------------------------------------------------------------------

def test_resolution_recovers_the_demo_networks_true_suppliers(demo_dir):
    """Precision and recall each at least 0.95 on the Leeds demo's ledgers (the truth is kept outside them)."""
    from pathlib import Path

    from anchor_analysis.analysis.spend.resolution import linkage_quality, name_variants

    truth = pd.read_csv(Path("data/truth/demo_suppliers.csv"), keep_default_na=False, dtype="str")
    files = sorted((demo_dir / "ledger").glob("*.csv"))
    lines = pd.concat([pd.read_csv(path, keep_default_na=False, dtype="str") for path in files])
    assert "true_supplier" not in lines.columns  # the published ledgers do not carry the truth
    variants = name_variants(lines).merge(truth, on=["anchor_id", "supplier_name"], how="left", validate="1:1")
    assert variants["true_supplier"].notna().all()
    keys, _ = resolve_suppliers(variants)
    quality = linkage_quality(keys["supplier_key"], variants["true_supplier"])
    assert quality["precision"] >= 0.95 and quality["recall"] >= 0.95, quality
    shared = variants.groupby("true_supplier")["anchor_id"].nunique()
    assert (shared >= 2).sum() > 100  # the demo's suppliers are shared across anchors ...
    assert variants.groupby("true_supplier")["supplier_name"].nunique().max() > 3  # ... under varied spellings


# --- the register in a network folder, the worksheet and its merge -------------------------------------------

def test_a_network_with_a_malformed_register_fails_validation(demo_dir, tmp_path):
    import shutil

    from anchor_analysis.contracts.network import validate_directory

    folder = tmp_path / "net"
    shutil.copytree(demo_dir, folder, ignore=shutil.ignore_patterns("ledger"))
    register = pd.read_csv(folder / "suppliers.csv", dtype="str", keep_default_na=False)
    register.loc[3, "company_number"] = "123"
    register.loc[4, "supplier_key"] = register.loc[5, "supplier_key"]
    register.to_csv(folder / "suppliers.csv", index=False)
    report = validate_directory(folder)
    found = {(f.file, f.row, f.column) for f in report.failures if f.severity == "error"}
    assert ("suppliers.csv", 5, "company_number") in found
    assert ("suppliers.csv", 7, "supplier_key") in found
    assert not report.ok


def test_merge_adds_and_fills_but_never_overwrites_and_keeps_the_old_version(tmp_path):
    from anchor_analysis.collection.suppliers import merge_worksheet

    folder = tmp_path / "net"
    folder.mkdir()
    original = "supplier_key,canonical_name,postcode,size_band\nS1,Acme Ltd,LS1 1UR,\n"
    (folder / "suppliers.csv").write_text(original, encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("supplier_key,canonical_name,spend,postcode,size_band,vcse\n"
                     "S1,Acme Ltd,10,LS9 9ZZ,large,\nN-1,Bolt,5,LS2 7EJ,micro,true\nN-2,Blank,1,,,\n", encoding="utf-8")
    version, changes = merge_worksheet(folder, sheet, when="2026-05-01T09:00:00+00:00")
    register = read_table(folder / "suppliers.csv", "suppliers").set_index("supplier_key")
    assert register.at["S1", "postcode"] == "LS1 1UR"  # the analyst's entry stands
    assert register.at["S1", "size_band"] == "large" and register.at["S1", "size_band_source"] == "worksheet sheet.csv"
    assert register.at["N-1", "vcse"] and str(register.at["N-1", "postcode_date"].date()) == "2026-05-01"
    assert "N-2" not in register.index  # nothing filled in: not added
    assert (folder / "versions" / "0001" / "suppliers.csv").read_text(encoding="utf-8") == original
    assert changes["change"].tolist() == ["kept", "filled", "added"]
    again, nothing = merge_worksheet(folder, sheet)
    assert again is None and set(nothing["change"]) == {"kept"}


def test_merge_refuses_a_malformed_worksheet_with_file_row_column_and_rule(tmp_path):
    from click.testing import CliRunner

    from anchor_analysis.cli import main

    folder = tmp_path / "net"
    folder.mkdir()
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("supplier_key,canonical_name,sic_section\nN-1,Bolt,Z\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["suppliers", "merge", str(sheet), "--data-dir", str(folder)])
    assert result.exit_code == 1
    assert "sheet.csv row 2, column 'sic_section': value 'Z': sic_section must be a SIC 2007 section" in result.output
    assert not (folder / "suppliers.csv").exists()


def test_the_build_keys_every_line_and_locates_through_the_register(demo_dir, public_data_dir, tmp_path):
    import shutil

    from click.testing import CliRunner

    from anchor_analysis.cli import main
    from anchor_analysis.derived import processed_network

    folder = tmp_path / "net"
    shutil.copytree(demo_dir, folder)
    network = processed_network(folder)
    ledger = network.ledger
    assert ledger["supplier_key"].notna().all() and ledger["match_score"].between(0, 100).all()
    council = ledger[ledger["anchor_id"] == "local_authority_a"]
    assert council["located_by"].isin(["register", "unlocated"]).all()
    assert (council["located_by"] == "register").any()  # its lines have no postcodes: placed through the register
    kit = network.supplier_register[network.supplier_register["added_by_kit"].astype(bool)]
    analyst = network.supplier_register[~network.supplier_register["added_by_kit"].astype(bool)]
    assert len(analyst) == len(pd.read_csv(folder / "suppliers.csv")) and len(kit) > 0
    out = tmp_path / "sheet.csv"
    result = CliRunner().invoke(main, ["suppliers", "worksheet", "--data-dir", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv(out, keep_default_na=False)
    assert sheet["spend"].is_monotonic_decreasing and sheet["cumulative_share"].is_monotonic_increasing
    assert (sheet["postcode"] == "").all() and sheet["supplier_key"].isin(ledger["supplier_key"]).all()
    again = CliRunner().invoke(main, ["suppliers", "worksheet", "--data-dir", str(folder), "--out", str(out)])
    assert again.exit_code == 1 and "not written over" in again.output


def test_the_councils_2019_suppliers_resolved_as_the_readme_quotes(public_data_dir):
    """Leeds City Council's 2019/20 ledger, resolved: the figures the README's supplier section quotes."""
    from pathlib import Path

    from anchor_analysis.analysis.spend import resolve_council_year

    result = resolve_council_year(2019, data_dir=public_data_dir)
    summary = result.summary.set_index("measure")["value"]
    assert int(summary["lines"]) == 299_541 and int(summary["distinct names"]) == 16_320
    resolved = int(summary["resolved suppliers"])
    assert 10_000 < resolved < 16_320  # fewer suppliers than names
    redacted = result.keys["supplier_key"] == "(redacted)"
    assert set(result.keys.loc[redacted, "supplier_name"]) == {"REDACTED PERSONAL DATA",
                                                               "REDACTED COMMERCIAL CONFIDENTIALITY"}
    sheet = result.worksheet
    assert sheet["spend"].is_monotonic_decreasing and sheet["cumulative_share"].is_monotonic_increasing
    assert (sheet[["postcode", "size_band", "vcse", "sic_section"]] == "").all().all()
    assert sheet.loc[sheet["canonical_name"] == "Kirklees Council", "public_body"].tolist() == ["true"]
    readme = Path("README.md").read_text(encoding="utf-8")
    shares = {name: float(summary[name]) for name in ("top 300 share on resolved suppliers", "top 300 share on names",
                                                      "redacted share of spend", "redacted share of lines",
                                                      "public bodies' share of spend")}
    figures = (f"{resolved:,} resolved suppliers", f"top-300 share {shares['top 300 share on resolved suppliers']:.3f}",
               f"{shares['top 300 share on names']:.3f} on names",
               f"redacted payees {shares['redacted share of spend']:.1%} of spend",
               f"{shares['redacted share of lines']:.1%} of lines",
               f"{int(summary['public bodies recognised by name'])} public bodies",
               "holding {:.0%} of the spend".format(shares["public bodies' share of spend"]))
    for figure in figures:
        assert figure in readme, figure


def test_shared_top_suppliers_withhold_sole_traders_names_and_analyses_add_up():
    from anchor_analysis.analysis.spend import network_suppliers as ns

    rows = pd.DataFrame({"year": 2023, "anchor_id": ["a", "b", "a", "b", "a"],
                         "supplier_key": ["P1", "P1", "F1", "F1", "(redacted)"],
                         "supplier_name": ["Anne Hall", "Anne Hall", "Acme Ltd", "ACME LIMITED", "REDACTED"],
                         "amount": [30.0, 10.0, 40.0, 20.0, 5.0], "lines": 1, "influenceable": True,
                         "ring": ["leeds", "leeds", "elsewhere", "unknown", "unknown"]})
    top = ns.shared_top_suppliers(rows, None, 2023)
    assert top["supplier"].tolist() == ["Acme Ltd", ns.WITHHELD_NAME]
    assert top[["a", "b"]].values.tolist() == [[40.0, 20.0], [30.0, 10.0]]
    numbered = pd.DataFrame({"supplier_key": ["P1"], "canonical_name": ["Anne Hall"], "company_number": ["00000042"],
                             "size_band": ["micro"], "sic_section": ["F"]})
    assert ns.shared_top_suppliers(rows, numbered, 2023)["supplier"].tolist() == ["Acme Ltd", "Anne Hall"]
    bands = ns.spend_by_attribute(rows, numbered, "size_band")
    assert bands.set_index("size_band")["spend"].to_dict() == {"micro": 40.0, "unknown": 60.0}  # redacted aside
    sectors = ns.sector_leakage(rows, numbered, "leeds").set_index("sic_section")
    assert sectors.loc["unknown", ["spend_leaving", "spend_unlocated"]].tolist() == [40.0, 20.0]
    redacted = ns.redacted_payees(rows)
    assert redacted[["redacted_spend", "redacted_lines"]].values.tolist() == [[5.0, 1]]
