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
