"""The local multiplier (NEF's LM3): the rounds, the survey contract, the interval, the sensitivity table."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from anchor_analysis.analysis.lm3 import (
    LITERATURE_RANGE,
    ledger_local_spend,
    lm3_inputs,
    lm3_interval,
    load_lm3_assumptions,
    local_multiplier,
    network_lm3,
    round3_shares,
)
from anchor_analysis.contracts import read_table
from anchor_analysis.core.errors import ArgumentError, ConfigError, ValidationFailed
from anchor_analysis.core.places import load_place

ANCHORS = pd.DataFrame({"anchor_id": ["hosp", "uni"], "joined_year": pd.array([2019, 2019], dtype="Int64"),
                        "left_year": pd.array([None, None], dtype="Int64")})


def _metrics(rows: dict[str, dict[str, float]], year: int = 2023) -> pd.DataFrame:
    return pd.DataFrame([{"year": year, "anchor_id": anchor, "metric": metric, "value": float(value)}
                         for anchor, values in rows.items() for metric, value in values.items()])


def _survey(rows: list[tuple[str, float, float, str | None]], year: int = 2023) -> pd.DataFrame:
    return pd.DataFrame([{"year": year, "respondent_type": kind, "local_share": share, "weight": weight,
                          "anchor_id": anchor} for kind, share, weight, anchor in rows])


# --- the hand-worked example, to the penny

HAND_METRICS = {
    # R1 = 3,456,789.12 + 6,543,210.88 = 10,000,000.00
    "hosp": {"total_spend": 3_456_789.12, "pay_bill": 6_543_210.88, "spend_leeds": 1_234_567.89,
             "pay_bill_leeds": 4_321_098.76, "headcount": 200, "staff_in_leeds": 150,
             "spend_west_yorkshire": 1_600_000.00, "pay_bill_west_yorkshire": 5_000_000.00},
}
HAND_SURVEY = [("supplier", 0.35, 1.0, None), ("supplier", 0.15, 3.0, None),   # weighted: (0.35 + 0.45) / 4 = 0.2
               ("staff", 0.42, 2.0, None), ("staff", 0.30, 2.0, None)]         # weighted: 0.36


def test_lm3_of_a_hand_worked_example_equals_the_nef_formula_to_the_penny():
    inputs = lm3_inputs(_metrics(HAND_METRICS), ANCHORS.iloc[:1], 2023, "leeds")
    shares = round3_shares(_survey(HAND_SURVEY), 2023, ["hosp"])
    row = local_multiplier(inputs, shares).set_index("anchor_id").loc["hosp"]
    # By hand, in exact decimals: R2 = 1,234,567.89 + 4,321,098.76; R3 = supplier x 0.20 + pay x 0.36.
    r1 = Decimal("3456789.12") + Decimal("6543210.88")
    r2 = Decimal("1234567.89") + Decimal("4321098.76")
    r3 = (Decimal("1234567.89") * Decimal("0.20") + Decimal("4321098.76") * Decimal("0.36")).quantize(Decimal("0.01"))
    assert (r1, r2, r3) == (Decimal("10000000.00"), Decimal("5555666.65"), Decimal("1802509.13"))
    assert Decimal(str(row["r1"])) == r1
    assert Decimal(f"{row['r2']:.2f}") == r2 and round(row["r2"], 2) == float(r2)
    assert Decimal(f"{row['r3']:.2f}") == r3 and round(row["r3"], 2) == float(r3)
    assert row["lm3"] == pytest.approx(float((r1 + r2 + r3) / r1), abs=1e-12)
    assert round(row["lm3"], 6) == 1.735818


def test_the_network_row_sums_the_anchors_rounds():
    metrics = _metrics({**HAND_METRICS, "uni": {"total_spend": 2e6, "pay_bill": 3e6, "spend_leeds": 5e5,
                                                "headcount": 100, "staff_in_leeds": 40}})
    inputs = lm3_inputs(metrics, ANCHORS, 2023, "leeds")
    table = local_multiplier(inputs, round3_shares(_survey(HAND_SURVEY), 2023, ["hosp", "uni"])).set_index("anchor_id")
    anchors = table.drop(index="network")
    for column in ("r1", "r2", "r3"):
        assert table.at["network", column] == pytest.approx(anchors[column].sum(), abs=0.005)
    expected = (anchors["r1"].sum() + anchors["r2"].sum() + anchors["r3"].sum()) / anchors["r1"].sum()
    assert table.at["network", "lm3"] == pytest.approx(expected)
    assert 1 <= table["lm3"].min() and table["lm3"].max() <= 3


def test_local_pay_is_apportioned_by_resident_staff_where_no_local_pay_bill_is_returned():
    metrics = _metrics({"uni": {"total_spend": 2e6, "pay_bill": 3e6, "spend_leeds": 5e5, "headcount": 100,
                                "staff_in_leeds": 40}})
    row = lm3_inputs(metrics, ANCHORS, 2023, "leeds").set_index("anchor_id").loc["uni"]
    assert row["local_pay"] == pytest.approx(3e6 * 40 / 100)
    assert row["pay_source"] == "apportioned: pay_bill x staff_in_leeds / headcount"
    returned = lm3_inputs(_metrics(HAND_METRICS), ANCHORS, 2023, "leeds").set_index("anchor_id").loc["hosp"]
    assert returned["pay_source"] == "return: pay_bill_leeds" and returned["local_pay"] == 4_321_098.76
    with pytest.raises(ArgumentError, match="pay must be 'returned' or 'apportioned', not 'guessed'"):
        lm3_inputs(_metrics(HAND_METRICS), ANCHORS, 2023, "leeds", pay="guessed")
    everyone = lm3_inputs(_metrics(HAND_METRICS), ANCHORS, 2023, "leeds", pay="apportioned")
    assert everyone.set_index("anchor_id").at["hosp", "local_pay"] == pytest.approx(6_543_210.88 * 150 / 200)


def test_the_ledgers_located_spend_is_preferred_to_the_returned_spend_in_the_ring():
    by_ring = pd.DataFrame({"anchor_id": "hosp", "year": 2023, "ring": ["leeds", "west_yorkshire"],
                            "cumulative_spend": [999_000.0, 1_500_000.0]})
    ledger = ledger_local_spend(by_ring, 2023, "leeds")
    inputs = lm3_inputs(_metrics(HAND_METRICS), ANCHORS, 2023, "leeds", ledger_local_spend=ledger)
    row = inputs.set_index("anchor_id").loc["hosp"]
    assert row["local_supplier_spend"] == 999_000.0
    assert row["supplier_source"] == "ledger: suppliers located in the leeds ring"


def test_an_anchor_without_a_pay_bill_is_not_computed_and_the_note_says_why():
    metrics = _metrics({**HAND_METRICS, "uni": {"total_spend": 2e6, "spend_leeds": 5e5}})
    inputs = lm3_inputs(metrics, ANCHORS, 2023, "leeds").set_index("anchor_id")
    assert not inputs.at["uni", "computable"]
    assert "no pay_bill returned" in inputs.at["uni", "note"]
    table = local_multiplier(inputs.reset_index(), round3_shares(None, 2023, ["hosp", "uni"]))
    assert table["anchor_id"].tolist() == ["hosp", "network"]


def test_round3_uses_the_anchors_own_respondents_then_the_network_pool_then_the_assumed_default():
    survey = _survey([("supplier", 0.5, 1.0, "hosp"), ("supplier", 0.1, 1.0, None)])
    shares = round3_shares(survey, 2023, ["hosp", "uni"]).set_index(["anchor_id", "respondent_type"])
    assert shares.at[("hosp", "supplier"), "local_share"] == 0.5
    assert shares.at[("uni", "supplier"), "local_share"] == pytest.approx(0.3)
    staff = shares.xs("staff", level="respondent_type")
    default = load_lm3_assumptions().default_local_share["staff"]
    assert staff["assumption"].all() and (staff["local_share"] == default).all()
    assert staff["source"].str.startswith("assumption").all()


def test_the_bootstrap_interval_is_seeded_brackets_the_estimate_and_narrows_with_more_respondents():
    inputs = lm3_inputs(_metrics(HAND_METRICS), ANCHORS.iloc[:1], 2023, "leeds")
    rng = np.random.default_rng(5)

    def survey(n: int) -> pd.DataFrame:
        shares = rng.uniform(0.1, 0.6, size=2 * n)
        return _survey([(("supplier", "staff")[i % 2], float(s), 1.0, None) for i, s in enumerate(shares)])

    small, large = survey(10), survey(400)
    first, again = lm3_interval(inputs, small, 2023), lm3_interval(inputs, small, 2023)
    pd.testing.assert_frame_equal(first, again)
    estimate = local_multiplier(inputs, round3_shares(small, 2023, ["hosp"]))["lm3"]
    assert (first["lm3_low"] <= estimate).all() and (estimate <= first["lm3_high"]).all()
    assert (first["lm3_low"] < first["lm3_high"]).all()
    wide = (first["lm3_high"] - first["lm3_low"]).iloc[-1]
    narrow = (lambda t: (t["lm3_high"] - t["lm3_low"]).iloc[-1])(lm3_interval(inputs, large, 2023))
    assert narrow < wide / 3
    assert "bootstrap over 20 survey respondents" in first.at[0, "interval_method"]


def test_an_assumed_share_widens_the_interval_by_its_configured_range():
    inputs = lm3_inputs(_metrics(HAND_METRICS), ANCHORS.iloc[:1], 2023, "leeds")
    suppliers_only = _survey([("supplier", 0.2, 1.0, None)] * 30)
    interval = lm3_interval(inputs, suppliers_only, 2023).iloc[0]
    low, high = load_lm3_assumptions().share_range["staff"]
    pay, supplier = 4_321_098.76, 1_234_567.89
    r1, r2 = 1e7, pay + supplier
    assert interval["lm3_low"] == pytest.approx((r1 + r2 + supplier * 0.2 + pay * low) / r1)
    assert interval["lm3_high"] == pytest.approx((r1 + r2 + supplier * 0.2 + pay * high) / r1)
    assert "assumed range: staff share 0.35-0.65" in interval["interval_method"]


def _network(metrics: pd.DataFrame, survey: pd.DataFrame | None) -> SimpleNamespace:
    return SimpleNamespace(metrics=metrics, anchors=ANCHORS, place=load_place("leeds"), local_spend_survey=survey)


def test_every_output_of_a_network_without_a_survey_labels_the_default_an_assumption():
    result = network_lm3(_network(_metrics(HAND_METRICS), None), 2023)
    assert result.multiplier["assumptions"].str.contains("assumption: round 3 supplier share 0.40").all()
    assert result.shares["assumption"].all()
    assert "**Assumption:**" in result.method_note() and "lm3.toml" in result.method_note()
    assert "NEF" in result.method_note()
    surveyed = network_lm3(_network(_metrics(HAND_METRICS), _survey(HAND_SURVEY)), 2023)
    assert (surveyed.multiplier["assumptions"] == "none").all()
    assert "**Assumption:**" not in surveyed.method_note()
    assert "The survey had 4 respondents this year" in surveyed.method_note()


def test_the_sensitivity_table_moves_the_way_each_assumption_says():
    result = network_lm3(_network(_metrics(HAND_METRICS), _survey(HAND_SURVEY)), 2023)
    table = result.sensitivity.set_index(["assumption", "value"])
    # the hand-worked survey: suppliers 0.20, staff 0.36; each moved by the configured step of 0.10
    assert table.at[("supplier share", "0.10 (0.20 - 0.10)"), "change"] < 0
    assert table.at[("supplier share", "0.30 (0.20 + 0.10)"), "change"] > 0
    down = table.at[("staff share", "0.26 (0.36 - 0.10)"), "lm3"]
    up = table.at[("staff share", "0.46 (0.36 + 0.10)"), "lm3"]
    # moving the staff share by 0.10 moves LM3 by 0.10 x local pay / R1
    assert up - down == pytest.approx(0.2 * 4_321_098.76 / 1e7, abs=1e-4)
    # West Yorkshire holds Leeds: more of the spend is local, so the multiplier rises
    assert table.at[("local ring", "West Yorkshire"), "change"] > 0
    assert ("local pay", "apportioned for every anchor") in table.index


def test_the_literature_range_is_the_health_foundations():
    assert LITERATURE_RANGE == (1.7, 2.1)


# --- the assumptions file


@pytest.mark.parametrize(("text", "message"), [
    ("[default_local_share]\nsupplier = 0.3\n", "default_local_share.staff must be a number 0-1, not None"),
    ("[default_local_share]\nsupplier = 0.3\nstaff = 0.4\n[share_range]\nsupplier = [0.5, 0.2]\n"
     "staff = [0.3, 0.5]\n", "share_range.supplier must be [low, high]"),
    ("[default_local_share]\nsupplier = 0.3\nstaff = 0.4\n[share_range]\nsupplier = [0.2, 0.4]\n"
     "staff = [0.3, 0.5]\n[bootstrap]\nsamples = 10\n", "bootstrap.samples must be a whole number of at least 100"),
    ("local_ring = 'yorkshire'\n[default_local_share]\nsupplier = 0.3\nstaff = 0.4\n[share_range]\n"
     "supplier = [0.2, 0.4]\nstaff = [0.3, 0.5]\n", None),
    ("not toml [", "not valid TOML"),
])
def test_a_broken_assumptions_file_names_the_setting(tmp_path, text, message):
    path = tmp_path / "lm3.toml"
    path.write_text(text)
    if message is None:
        with pytest.raises(ConfigError, match="local_ring must be one of the rings of place 'leeds'"):
            load_lm3_assumptions(path).ring_key("leeds")
        return
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_lm3_assumptions(path)


# --- the survey contract


def test_the_survey_contract_names_file_row_column_value_and_rule(tmp_path):
    path = tmp_path / "local_spend_survey.csv"
    path.write_text("year,respondent_type,local_share,weight,anchor_id\n"
                    "2023,supplier,0.4,1,\n"
                    "2023,shopper,0.4,1,\n"
                    "2023,staff,40%,1,\n"
                    "2023,staff,1.4,1,\n"
                    "2023,staff,0.3,0,\n"
                    "2023,staff,0.3,1,nobody\n")
    anchors = ANCHORS.assign(name=["H", "U"], sector="nhs")
    with pytest.raises(ValidationFailed) as failed:
        read_table(path, "local_spend_survey", anchors=anchors)
    text = str(failed.value)
    assert "local_spend_survey.csv row 3, column 'respondent_type': value 'shopper': respondent_type must be one of " \
           "supplier, staff" in text
    assert "row 4, column 'local_share': value '40%': local_share must be a number" in text
    assert "row 5, column 'local_share': value '1.4': local_share is the share of the respondent's spending made " \
           "locally: a number 0-1" in text
    assert "row 6, column 'weight': value '0': weight must be a number above 0" in text
    assert "row 7, column 'anchor_id': value 'nobody': anchor_id is not listed in the anchors table" in text
    assert "5 errors" in text


def test_a_valid_survey_reads_typed_with_blank_anchors(tmp_path):
    path = tmp_path / "local_spend_survey.csv"
    path.write_text("year,respondent_type,local_share,weight\n2023/24,supplier,0.4,1\n2023,staff,0.25,2.5\n")
    survey = read_table(path, "local_spend_survey")
    assert survey["year"].tolist() == [2023, 2023] and survey["anchor_id"].isna().all()
    assert survey["local_share"].tolist() == [0.4, 0.25]


# --- the catalogue, the return templates and the report's sentences


def test_the_return_templates_carry_the_new_metrics():
    from anchor_analysis.collection.layout import return_layout
    from anchor_analysis.core.definitions import metric_definitions

    rows = return_layout("leeds").sheet("metrics").rows
    for metric in ("pay_bill", "pay_bill_leeds", "pay_bill_west_yorkshire", "staff_in_core20"):
        assert metric in rows, metric
    definitions = metric_definitions("leeds")
    assert definitions.at["pay_bill_leeds", "part_of"] == "pay_bill"
    assert definitions.at["staff_in_core20", "kind"] == "count"


def test_the_network_row_is_a_table_of_its_own_so_anchor_tables_hold_only_anchors():
    result = network_lm3(_network(_metrics(HAND_METRICS), _survey(HAND_SURVEY)), 2023)
    tables = result.tables()
    assert tables["lm3_by_anchor"]["anchor_id"].tolist() == ["hosp"]
    assert "anchor_id" not in tables["lm3_network"] and len(tables["lm3_network"]) == 1
    assert "**The network's Local Multiplier 3 is 1.74**" in result.headline()
    assert "Its Local Multiplier 3 is 1.74" in result.describe_anchor("hosp")
    assert "no pay_bill returned" in result.describe_anchor("uni")


def test_a_year_nobody_can_compute_says_so():
    result = network_lm3(_network(_metrics({"hosp": {"total_spend": 1e6}}), None), 2023)
    assert result.multiplier["anchor_id"].tolist() == ["network"]
    assert "cannot be computed" in result.headline() and "no pay_bill returned" in result.headline()
