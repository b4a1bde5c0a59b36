"""Influenceable-spend rules that look at a ledger's expense type, category and service area as well as the
supplier's name."""

from __future__ import annotations

import pandas as pd
import pytest

from anchor_analysis.analysis import spend
from anchor_analysis.core.errors import SpendError

LINES = pd.DataFrame({
    "amount": [100.0, 40.0, 7.0, 12.0, 30.0],
    "supplier_name": ["Acme Ltd", "REDACTED PERSONAL DATA", "Acme Ltd", "Bolts Ltd", "Parish Council"],
    "category": ["Supplies and Services", "Transfer Payments", "Precepts", "Premises", "Precepts"],
    "expense_type": ["Stationery", "Direct Payments", "Parish Precepts", "Rents", "Parish Precepts"],
    "service_area": ["Highways", "Adult Social Care", "Strategic Accounts", "Strategic Accounts", "Strategic Accounts"],
})


def test_the_kits_rules_read_the_category_and_the_expense_type():
    flagged = spend.apply_influenceable_rules(LINES)
    assert flagged["rule"].fillna("-").tolist() == ["-", "grants_to_individuals", "levies", "-", "levies"]


def test_with_the_supplier_name_only_the_same_lines_read_as_the_basic_file_would():
    flagged = spend.apply_influenceable_rules(LINES, fields=("supplier_name",))
    assert flagged["rule"].fillna("-").tolist() == ["-", "-", "-", "-", "public_bodies"]


def test_service_area_rules_of_ones_own(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nkey = "central"\nlabel = "Central accounts"\nservice_areas = ["strategic accounts"]\n'
                     '[[rule]]\nkey = "grants"\nlabel = "Grants"\nexpense_types = ["Direct payments"]\n'
                     "expense_type_patterns = ['^personal']\n", encoding="utf-8")
    flagged = spend.apply_influenceable_rules(LINES, rules)
    assert flagged["rule"].fillna("-").tolist() == ["-", "grants", "central", "central", "central"]
    table = spend.load_spend_rules(rules).to_frame()
    assert table.loc[0, "service_areas"] == "strategic accounts"
    assert table.loc[1, "expense_type_patterns"] == "^personal"


def test_rule_field_effect_accounts_for_every_pound_both_ways():
    effect = spend.rule_field_effect(LINES).set_index("rule")
    assert effect["spend"].sum() == effect["spend_base"].sum() == LINES["amount"].sum()
    assert effect.at["influenceable", "spend_base"] == 159.0 and effect.at["influenceable", "spend"] == 112.0
    assert effect.at["levies", "spend_added"] == 37.0 and effect.at["public_bodies", "spend_added"] == -30.0
    assert effect["spend_added"].sum() == 0


def test_unknown_fields_and_bad_patterns_are_named(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nkey = "x"\nlabel = "X"\nservice_area = ["Highways"]\n', encoding="utf-8")
    with pytest.raises(SpendError, match=r"unknown field\(s\) \['service_area'\]; allowed are .*'service_areas'"):
        spend.load_spend_rules(rules)
    rules.write_text('[[rule]]\nkey = "x"\nlabel = "X"\nexpense_type_patterns = ["(unclosed"]\n', encoding="utf-8")
    with pytest.raises(SpendError, match="expense_type_patterns entry '\\(unclosed' is not a regular expression"):
        spend.load_spend_rules(rules)
    with pytest.raises(SpendError, match="fields must be among"):
        spend.apply_influenceable_rules(LINES, fields=("colour",))


def test_the_supplier_table_keeps_the_fields_the_rules_read():
    ledger = LINES.assign(anchor_id="council", payment_date="2023-04-03", supplier_id=None, supplier_postcode=None)
    lookup = pd.DataFrame({"postcode": ["LS1 1UR"], "lad24_code": ["E08000035"], "lsoa21_code": ["E01033010"],
                           "imd2019_decile": [1]})
    analysis = spend.analyse_ledger(ledger, lookup=lookup)
    assert analysis.suppliers["service_area"].tolist().count("Strategic Accounts") == 3
    excluded = analysis.excluded.set_index("rule")
    assert excluded.at["levies", "spend"] == 37.0 and excluded.at["grants_to_individuals", "spend"] == 40.0
