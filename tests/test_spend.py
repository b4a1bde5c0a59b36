"""Supplier spend analysis: ring classification, influenceable rules, netting, duplicates, summaries, both engines,
comparison with the demo returns, and the real Leeds City Council transparency ledger."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anchor_analysis.analysis import spend
from anchor_analysis.core import SpendError, load_place

LEEDS = load_place("leeds")

# A tiny stand-in for the NSPL lookup: LS, BD and YO areas only (no WF, no M).
TINY_LOOKUP = pd.DataFrame(
    {
        "postcode": ["LS1 1UR", "LS9 7TF", "BD1 1AA", "YO1 7HH", "LS98 1XX"],
        "postcode_area": ["LS", "LS", "BD", "YO", "LS"],
        "lad24_code": ["E08000035", "E08000035", "E08000032", "E06000014", None],
        "ward24_code": ["E05001", "E05002", "E05003", "E05004", None],
        "lsoa21_code": ["E01033010", "E01011111", "E01033690", "E01013333", None],
        "imd2019_decile": pd.array([3, 1, 3, 5, None], dtype="Int64"),
        "imd2025_decile": pd.array([4, 1, 1, 6, None], dtype="Int64"),
    }
)

HAND_POSTCODES = {
    # raw postcode: (match_status, ring, lad_code, imd2019 decile)
    "ls11ur": ("matched", "leeds", "E08000035", 3),
    " LS9  7TF ": ("matched", "leeds", "E08000035", 1),
    "BD1 1AA": ("matched", "west_yorkshire", "E08000032", 3),
    "yo1 7hh": ("matched", "elsewhere", "E06000014", 5),
    "M1 1AE": ("outside_lookup_area", "elsewhere", None, None),
    "WF1 2AB": ("outside_lookup_area", "elsewhere", None, None),
    "LS99 9ZZ": ("not_found", "unknown", None, None),
    "LS98 1XX": ("unlocated", "unknown", None, None),
    "N/A": ("malformed", "unknown", None, None),
    "LS1": ("malformed", "unknown", None, None),
    "   ": ("blank", "unknown", None, None),
}


def ledger_of(rows: list[dict]) -> pd.DataFrame:
    base = {"anchor_id": "a", "payment_date": "2023-06-01", "supplier_name": "Acme Ltd", "supplier_postcode": "LS1 1UR",
            "category": "ICT and digital"}
    frame = pd.DataFrame([{**base, **row} for row in rows])
    if "supplier_id" not in frame:
        frame["supplier_id"] = frame["supplier_name"]
    return frame


def classified(rows: list[dict], lookup: pd.DataFrame = TINY_LOOKUP) -> pd.DataFrame:
    return spend.apply_influenceable_rules(spend.classify_supplier_postcodes(ledger_of(rows), lookup, LEEDS))


# --- rules ------------------------------------------------------------------------------------------------------

def test_default_rules_cover_the_design_exclusions():
    rules = spend.load_spend_rules()
    assert rules.keys == ["pay", "tax", "levies", "pensions", "grants_to_individuals", "public_bodies"]
    table = rules.to_frame()
    assert table["label"].str.len().gt(0).all()
    cases = {
        ("Payments to public bodies", "Anyone"): "public_bodies",
        ("Tax and levies", "Anyone"): "tax",
        ("Pensions", "Anyone"): "pensions",
        ("grants to individuals", "Anyone"): "grants_to_individuals",
        ("Professional services", "HM Revenue & Customs"): "tax",
        ("Professional services", "West Yorkshire Pension Fund"): "pensions",
        ("Professional services", "Bradford Metropolitan District Council"): "public_bodies",
        ("Professional services", "Leeds Teaching Hospitals NHS Trust"): "public_bodies",
        ("Training", "Apprenticeship Levy"): "levies",
        ("Salaries", "Payroll"): "pay",
        ("ICT and digital", "British Council"): None,
        ("Transport and fleet", "Leeds Taxis Ltd"): None,
        ("Construction and estates", "REDACTED PERSONAL DATA"): None,
        (None, None): None,
    }
    frame = pd.DataFrame([{"category": c, "supplier_name": s} for c, s in cases])
    flagged = spend.apply_influenceable_rules(frame, rules)
    for (case, expected), (_, row) in zip(cases.items(), flagged.iterrows(), strict=True):
        got = None if pd.isna(row["rule"]) else row["rule"]
        assert got == expected, case
        assert row["influenceable"] == (expected is None)


def test_first_matching_rule_wins_and_custom_rules_load(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rule]]\nkey = "first"\nlabel = "First"\nsupplier_patterns = ["acme"]\n'
        '[[rule]]\nkey = "second"\nlabel = "Second"\ncategories = ["ICT"]\n', encoding="utf-8")
    rules = spend.load_spend_rules(path)
    flagged = spend.apply_influenceable_rules(
        pd.DataFrame({"category": ["ICT", "ict ", "Goods"], "supplier_name": ["ACME", "Other", "Other"]}), rules)
    assert flagged["rule"].tolist()[:2] == ["first", "second"]
    assert flagged["influenceable"].tolist() == [False, False, True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\nkey = "a"\nlabel = "A"\ncategories = ["x"]\n[[rule]]\nkey = "a"\nlabel = "B"\ncategories = ["y"]\n',
         "duplicate rule key 'a'"),
        ('[[rule]]\nkey = "a"\nlabel = "A"\nsupplier_patterns = ["(unclosed"]\n', "not a regular expression"),
        ('[[rule]]\nkey = "a"\nlabel = "A"\ncategory = ["x"]\n', "unknown field(s) ['category']"),
        ('[[rule]]\nkey = "a"\nlabel = "A"\n', "matches nothing"),
        ('[[rule]]\nkey = "Bad Key"\nlabel = "A"\ncategories = ["x"]\n', "'key' must be"),
        ("title = 'no rules'\n", "no [[rule]] tables"),
    ],
)
def test_bad_rule_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpendError) as info:
        spend.load_spend_rules(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


# --- classification -------------------------------------------------------------------------------------------

def test_ring_classification_on_hand_made_lines():
    rows = [{"supplier_postcode": raw, "amount": 1.0} for raw in HAND_POSTCODES] + [
        {"supplier_postcode": None, "amount": 1.0}]
    out = classified(rows)
    expected = [*HAND_POSTCODES.values(), ("blank", "unknown", None, None)]
    assert out["match_status"].astype(str).tolist() == [e[0] for e in expected]
    assert out["ring"].astype(str).tolist() == [e[1] for e in expected]
    assert [None if pd.isna(v) else v for v in out["lad_code"]] == [e[2] for e in expected]
    assert [None if pd.isna(v) else int(v) for v in out["imd_decile"]] == [e[3] for e in expected]
    assert out.loc[0, "postcode_normalised"] == "LS1 1UR"
    assert out.loc[1, "postcode_normalised"] == "LS9 7TF"
    assert out.loc[0, "lsoa21_code"] == "E01033010"
    assert out.loc[4, "postcode_area"] == "M"
    assert list(out["ring"].cat.categories) == ["leeds", "west_yorkshire", "elsewhere", "unknown"]


def test_imd_edition_and_imd_override_choose_the_decile():
    rows = [{"supplier_postcode": "BD1 1AA", "amount": 1.0}]
    assert spend.classify_supplier_postcodes(ledger_of(rows), TINY_LOOKUP, LEEDS, 2019)["imd_decile"].iloc[0] == 3
    assert spend.classify_supplier_postcodes(ledger_of(rows), TINY_LOOKUP, LEEDS, 2025)["imd_decile"].iloc[0] == 1
    imd = pd.DataFrame({"lsoa21_code": ["E01033690"], "imd_decile": [7]})
    out = spend.classify_supplier_postcodes(ledger_of(rows), TINY_LOOKUP.drop(columns="imd2019_decile"), LEEDS,
                                            imd=imd)
    assert out["imd_decile"].iloc[0] == 7
    with pytest.raises(SpendError, match="imd_edition must be one of"):
        spend.classify_supplier_postcodes(ledger_of(rows), TINY_LOOKUP, LEEDS, 2015)


def test_outside_lookup_area_can_be_counted_unknown_and_other_places_use_their_rings():
    rows = [{"supplier_postcode": "M1 1AE", "amount": 1.0}, {"supplier_postcode": "LS1 1UR", "amount": 1.0}]
    out = spend.classify_supplier_postcodes(ledger_of(rows), TINY_LOOKUP, LEEDS, outside_lookup="unknown")
    assert out["ring"].astype(str).tolist() == ["unknown", "leeds"]
    bradford = spend.classify_supplier_postcodes(ledger_of(rows), TINY_LOOKUP, "bradford")
    assert bradford["ring"].astype(str).tolist() == ["elsewhere", "west_yorkshire"]


def test_lookup_problems_are_clear_errors():
    with pytest.raises(SpendError, match="no postcode in Leeds"):
        spend.classify_supplier_postcodes(ledger_of([{"amount": 1.0}]), TINY_LOOKUP.iloc[2:], LEEDS)
    with pytest.raises(SpendError, match=r"lacks column\(s\) \['lad24_code'\]"):
        spend.classify_supplier_postcodes(ledger_of([{"amount": 1.0}]), TINY_LOOKUP.drop(columns="lad24_code"), LEEDS)
    with pytest.raises(SpendError, match="repeats 1 postcode"):
        spend.classify_supplier_postcodes(ledger_of([{"amount": 1.0}]), pd.concat([TINY_LOOKUP, TINY_LOOKUP[:1]]),
                                          LEEDS)
    with pytest.raises(SpendError, match="no 'supplier_postcode' column"):
        spend.classify_supplier_postcodes(pd.DataFrame({"amount": [1.0]}), TINY_LOOKUP, LEEDS)


def test_summaries_ask_for_the_missing_step():
    lines = spend.classify_supplier_postcodes(ledger_of([{"amount": 1.0}]), TINY_LOOKUP, LEEDS)
    with pytest.raises(SpendError, match="apply_influenceable_rules"):
        spend.spend_by_ring(lines)
    with pytest.raises(SpendError, match="classify_supplier_postcodes"):
        spend.spend_by_ring(spend.apply_influenceable_rules(ledger_of([{"amount": 1.0}])))


# --- netting, duplicates, rules accounting -----------------------------------------------------------------------

def test_credits_net_against_their_supplier():
    out = classified([
        {"supplier_name": "A", "amount": 100.0},
        {"supplier_name": "A", "amount": -40.0},
        {"supplier_name": "B", "amount": 50.0, "supplier_postcode": "BD1 1AA"},
    ])
    rings = spend.spend_by_ring(out).set_index("ring")
    assert rings.loc["leeds", "spend"] == 60.0
    assert rings.loc["leeds", "lines"] == 2
    assert rings.loc["west_yorkshire", "cumulative_spend"] == 110.0
    conc = spend.spend_concentration(out, top_n=(1,))
    assert conc[["top_spend", "total_spend"]].iloc[0].tolist() == [60.0, 110.0]
    summary = spend.ledger_summary(out).set_index("metric")["value"]
    assert summary["credit_spend"] == -40.0
    assert summary["influenceable_spend"] == 110.0


def test_exact_duplicates_are_reported_not_dropped():
    rows = [{"amount": 10.0}, {"amount": 10.0}, {"amount": 10.0}, {"amount": 10.0, "payment_date": "2023-06-02"},
            {"amount": 99.99, "supplier_name": "B"}]
    ledger = ledger_of(rows)
    report = spend.report_exact_duplicates(ledger)
    assert report[["duplicate_lines", "duplicate_spend"]].iloc[0].tolist() == [2, 20.0]
    assert len(spend.remove_exact_duplicates(ledger)) == 3
    kept = spend.analyse_ledger(ledger, LEEDS, TINY_LOOKUP)
    assert kept.duplicates[["duplicate_lines", "duplicate_spend", "dropped"]].iloc[0].tolist() == [2, 20.0, False]
    total = kept.summary.set_index("metric")["value"]
    assert total["total_spend"] == 139.99
    assert total["duplicate_spend"] == 20.0
    dropped = spend.analyse_ledger(ledger, LEEDS, TINY_LOOKUP, drop_exact_duplicates=True)
    assert dropped.summary.set_index("metric")["value"]["total_spend"] == 119.99
    assert dropped.duplicates["dropped"].all()


def test_every_excluded_pound_is_attributed_to_a_rule():
    out = classified([
        {"amount": 100.0, "category": "Pensions"},
        {"amount": 30.0, "category": "Tax and levies"},
        {"amount": -5.0, "category": "Tax and levies"},
        {"amount": 20.0, "supplier_name": "Leeds City Council"},
        {"amount": 7.5, "category": "Grants to individuals"},
        {"amount": 200.0},
    ])
    excluded = spend.excluded_by_rule(out).set_index("rule")
    assert excluded.loc["pensions", "spend"] == 100.0
    assert excluded.loc["tax", ["lines", "spend"]].tolist() == [2, 25.0]
    assert excluded.loc["public_bodies", "spend"] == 20.0
    assert excluded.loc["pay", "spend"] == 0.0
    summary = spend.ledger_summary(out).set_index("metric")["value"]
    assert excluded["spend"].sum() + summary["influenceable_spend"] == summary["total_spend"] == 352.5
    assert summary["excluded_spend"] == excluded["spend"].sum()


# --- summaries ----------------------------------------------------------------------------------------------------

def test_concentration_maths_on_a_hand_example():
    amounts = {"A": [40.0, 10.0], "B": [30.0], "C": [15.0], "D": [10.0, -5.0], "E": [5.0], "F": [-1.0, 1.0]}
    rows = [{"supplier_name": s, "amount": a} for s, values in amounts.items() for a in values]
    rows.append({"supplier_name": "HMRC", "amount": 1000.0})  # excluded: not in the concentration
    out = classified(rows)
    conc = spend.spend_concentration(out, top_n=(1, 2, 3, 300)).set_index("top_n")
    assert conc["total_spend"].unique().tolist() == [105.0]
    assert conc["suppliers"].unique().tolist() == [6]
    assert conc.loc[1, "top_spend"] == 50.0
    assert conc.loc[2, "top_spend"] == 80.0
    assert conc.loc[3, "share"] == pytest.approx(95.0 / 105.0)
    assert conc.loc[300, "share"] == 1.0
    by_name = spend.spend_concentration(out.assign(supplier_id=None), top_n=(1,), supplier_key="supplier_name")
    assert by_name["top_spend"].iloc[0] == 50.0
    with pytest.raises(SpendError, match="top_n must be positive"):
        spend.spend_concentration(out, top_n=(0,))


def test_concentration_ties_and_network_level():
    rows = [{"supplier_name": "X", "amount": 10.0, "anchor_id": "a"},
            {"supplier_name": "Y", "amount": 10.0, "anchor_id": "a"},
            {"supplier_name": "X", "amount": 10.0, "anchor_id": "b"}]
    out = classified(rows)
    per_anchor = spend.spend_concentration(out, top_n=(1,))
    assert per_anchor["share"].tolist() == [0.5, 1.0]
    network = spend.spend_concentration(out, top_n=(1,), by=("year",), supplier_key="supplier_name")
    assert network[["top_spend", "total_spend"]].iloc[0].tolist() == [20.0, 30.0]


def test_leakage_by_category():
    out = classified([
        {"category": "Catering", "amount": 60.0, "supplier_postcode": "LS1 1UR"},
        {"category": "Catering", "amount": 20.0, "supplier_postcode": "BD1 1AA"},
        {"category": "Catering", "amount": 20.0, "supplier_postcode": "M1 1AE"},
        {"category": "Catering", "amount": 50.0, "supplier_postcode": "junk"},
        {"category": "ICT", "amount": 10.0, "supplier_postcode": "YO1 7HH"},
        {"category": "Pensions", "amount": 999.0, "supplier_postcode": "M1 1AE"},
    ])
    leak = spend.leakage_by_category(out, LEEDS).set_index("category")
    assert list(leak.index) == ["Catering", "ICT"]  # excluded spend is not leakage; largest leak first
    catering = leak.loc["Catering"]
    assert catering["spend"] == 150.0
    assert catering["unknown_spend"] == 50.0
    assert catering["located_spend"] == 100.0
    assert catering["share_outside_place"] == pytest.approx(0.4)
    assert catering["share_outside_region"] == pytest.approx(0.2)
    assert leak.loc["ICT", "share_outside_place"] == 1.0


def test_deprivation_deciles_and_ledger_summary_are_cumulative():
    out = classified([
        {"amount": 10.0, "supplier_postcode": "LS9 7TF"},   # Leeds, decile 1
        {"amount": 20.0, "supplier_postcode": "LS1 1UR"},   # Leeds, decile 3
        {"amount": 40.0, "supplier_postcode": "BD1 1AA"},   # Bradford, decile 3 (2019)
        {"amount": 5.0, "supplier_postcode": "M1 1AE"},
        {"amount": 1.0, "supplier_postcode": ""},
    ])
    deciles = spend.spend_by_deprivation_decile(out)
    assert len(deciles) == 11
    assert deciles.set_index("imd_decile")["spend"].loc[[1, 3]].tolist() == [10.0, 60.0]
    assert deciles["imd_decile"].isna().sum() == 1 and deciles["spend"].sum() == 76.0
    in_leeds = spend.spend_by_deprivation_decile(out, within="leeds").set_index("imd_decile")
    assert in_leeds.loc[1, "share"] == pytest.approx(1 / 3)
    summary = spend.ledger_summary(out).set_index("metric")["value"]
    assert summary[["spend_leeds", "spend_west_yorkshire", "spend_elsewhere", "spend_unknown",
                    "spend_most_deprived"]].tolist() == [30.0, 70.0, 5.0, 1.0, 10.0]
    assert spend.ledger_summary(out, deprived_within=None).set_index("metric")["value"]["spend_most_deprived"] == 10.0
    with pytest.raises(SpendError, match="unknown ring 'yorkshire'"):
        spend.spend_by_deprivation_decile(out, within="yorkshire")


def test_compare_with_returns_difference_and_percentage():
    summary = pd.DataFrame({"year": [2023, 2023, 2023], "anchor_id": "a",
                            "metric": ["spend_leeds", "total_spend", "spend_elsewhere"], "value": [90.0, 200.0, 5.0],
                            "unit": "GBP"})
    metrics = pd.DataFrame({"year": [2023, 2023, 2023], "anchor_id": "a",
                            "metric": ["spend_leeds", "total_spend", "headcount"], "value": ["100", "200", "7"],
                            "unit": ["GBP", "GBP", "people"]})
    out = spend.compare_with_returns(summary, metrics).set_index("metric")
    assert list(out.index) == ["spend_leeds", "total_spend"]
    assert out.loc["spend_leeds", ["ledger", "returned", "difference", "difference_pct"]].tolist() == [
        90.0, 100.0, -10.0, -10.0]


# --- reading files, and the two engines -------------------------------------------------------------------------

def messy_ledger_files(folder: Path, seed: int = 7, n: int = 3000) -> list[Path]:
    """Ledger files as finance systems export them: mixed case and spacing, junk postcodes, credits, exact
    duplicates, quoted names with commas, a file with its columns in another order, an extra column and no
    supplier_id."""
    rng = np.random.default_rng(seed)
    postcodes = ["LS1 1UR", "ls11ur", " LS9 7TF", "LS9\u00a07TF", "ls9\t7tf", "BD1 1AA", "bd11aa ", "YO1 7HH",
                 "M1 1AE", "m11ae", "EC1A 1BB", "LS99 9ZZ", "LS98 1XX", "N/A", "TBC", "LS1", "", "  "]
    names = ["Acme Ltd", "Acme Ltd ", 'Smith, Jones & Co "Builders"', "Leeds City Council", "HM Revenue & Customs",
             "West Yorkshire Pension Fund", "Yorkshire Cleaning Co", "Bradford Bolts", "REDACTED PERSONAL DATA",
             "Ünïcode Caterers"]
    categories = ["ICT and digital", "Facilities management", "Pensions", "Tax and levies",
                  "Payments to public bodies", "Grants to individuals", "Catering and hospitality", ""]
    supplier = rng.integers(0, 40, n)
    frame = pd.DataFrame({
        "anchor_id": np.where(rng.random(n) < 0.5, "nhs_trust_a", "university_b"),
        "payment_date": (pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D")).strftime(
            "%Y-%m-%d"),
        "amount": np.round(rng.lognormal(6, 2, n) * np.where(rng.random(n) < 0.05, -1, 1), 2),
        "supplier_id": [f"S{s:03d}" if s % 9 else "" for s in supplier],
        "supplier_name": [names[s % len(names)] for s in supplier],
        "supplier_postcode": [postcodes[(s * 7 + int(rng.integers(0, 2))) % len(postcodes)] for s in supplier],
        "category": [categories[(s + int(rng.integers(0, 2))) % len(categories)] for s in supplier],
    })
    frame = pd.concat([frame, frame.sample(60, random_state=seed), frame.sample(5, random_state=seed + 1)],
                      ignore_index=True)  # exact duplicates (some three times)
    frame = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    parts = np.array_split(np.arange(len(frame)), 3)
    paths = [folder / "part1.csv", folder / "part2.csv", folder / "part3.csv.gz"]
    frame.iloc[parts[0]].to_csv(paths[0], index=False)
    reordered = frame.iloc[parts[1]][["category", "amount", "supplier_postcode", "supplier_name", "supplier_id",
                                      "payment_date", "anchor_id"]].assign(notes="free text, ignored")
    reordered.to_csv(paths[1], index=False)
    frame.iloc[parts[2]].drop(columns="supplier_id").to_csv(paths[2], index=False, compression="gzip")
    return paths


def assert_same_analysis(a: spend.SpendAnalysis, b: spend.SpendAnalysis) -> None:
    for name, table in a.tables().items():
        pd.testing.assert_frame_equal(table, b.tables()[name], obj=name)


def test_duckdb_and_pandas_engines_agree_on_a_messy_ledger(tmp_path):
    paths = messy_ledger_files(tmp_path)
    duck = spend.classify_ledger_files(paths, LEEDS, engine="duckdb", lookup=TINY_LOOKUP)
    pand = spend.classify_ledger_files(paths, LEEDS, engine="pandas", lookup=TINY_LOOKUP)
    assert_same_analysis(duck, pand)
    assert duck.engine == "duckdb" and pand.engine == "pandas"
    statuses = set(duck.match_status.query("lines > 0")["match_status"].astype(str))
    assert statuses == set(spend.MATCH_STATUSES)
    # the third file has no supplier_id, so copies that landed there are no longer exact duplicates
    report = spend.report_exact_duplicates(spend.read_ledger(paths))
    assert duck.duplicates["duplicate_lines"].sum() == report["duplicate_lines"].sum() > 30
    assert duck.duplicates["duplicate_spend"].sum() == pytest.approx(report["duplicate_spend"].sum())
    assert duck.suppliers["year"].nunique() == 4  # 2021/22 to 2024/25 from Jan 2022 + 900 days
    # the folder and a glob read the same files
    glob_result = spend.classify_ledger_files(str(tmp_path / "part*"), LEEDS, lookup=TINY_LOOKUP)
    assert_same_analysis(duck, glob_result)
    # dropping duplicates agrees too, and removes exactly the duplicate pounds
    duck_drop = spend.classify_ledger_files(paths, LEEDS, lookup=TINY_LOOKUP, drop_exact_duplicates=True)
    pand_drop = spend.classify_ledger_files(paths, LEEDS, engine="pandas", lookup=TINY_LOOKUP,
                                            drop_exact_duplicates=True)
    assert_same_analysis(duck_drop, pand_drop)
    total = duck.summary.query("metric == 'total_spend'")["value"].sum()
    dropped_total = duck_drop.summary.query("metric == 'total_spend'")["value"].sum()
    assert total - dropped_total == pytest.approx(duck.duplicates["duplicate_spend"].sum())


def test_duckdb_hashed_and_exact_duplicate_detection_agree(tmp_path):
    paths = messy_ledger_files(tmp_path, seed=11)
    prepared = spend.prepare_postcode_lookup(TINY_LOOKUP, LEEDS)
    kwargs = {"outside_lookup": "elsewhere", "drop_exact_duplicates": False, "memory_limit": None, "threads": 1}
    hashed = spend.engine._duckdb_suppliers(paths, prepared, LEEDS, **kwargs)
    exact = spend.engine._duckdb_suppliers(paths, prepared, LEEDS, exact_duplicates=True, **kwargs)
    rules = spend.load_spend_rules()
    pd.testing.assert_frame_equal(spend.analysis._finalise_suppliers(hashed, LEEDS, rules),
                                  spend.analysis._finalise_suppliers(exact, LEEDS, rules))


def test_sql_postcode_normalisation_matches_python():
    import duckdb

    from anchor_analysis.core import normalise_postcodes

    tricky = ["ls11ur", " LS1  1UR ", "LS1\u00a01UR", "ls1\t1ur", "ls1\u20071ur", "LS1\u202f1UR", "\u00a0ls11ur",
              "ec1a1bb", "LS1", "N/A", "  ", "", "abcdefgh ij", "not a postcode", "ß11ur", "LS1\u20031UR",
              "l s 1 1 u r", "LS1\x0b1UR", None]
    frame = pd.DataFrame({"raw": pd.Series(tricky, dtype="str")})
    con = duckdb.connect()
    con.register("t", frame)
    got = con.execute(f"SELECT {spend.engine._sql_normalised_postcode('raw')} FROM t").fetchall()
    con.close()
    assert [g[0] for g in got] == [None if pd.isna(v) else v for v in normalise_postcodes(frame["raw"])]


def test_sql_supplier_name_normalisation_matches_python():
    import duckdb

    names = ["The Acme Co. Limited", "ACME CO LTD", "  ", "A & B (Leeds) plc", "Smith, Jones & Co \"Builders\"",
             "Ünïcode Caterers", "THE", "x public limited company", None, "Redacted personal data", "#N/A", "n/a",
             "Null", "NA Trading"]
    frame = pd.DataFrame({"name": pd.Series(names, dtype="str")})
    con = duckdb.connect()
    con.register("t", frame)
    got = [g[0] for g in con.execute(f"SELECT {spend.council._sql_supplier_name('name')} FROM t").fetchall()]
    con.close()
    assert got == [None if pd.isna(v) else v for v in spend.normalise_supplier_name(frame["name"])]


_postcode_text = st.sampled_from(["LS1 1UR", "ls11ur", "LS9\u00a07TF", "BD1 1AA", "yo1 7hh", "M1 1AE", "LS99 9ZZ",
                                  "LS98 1XX", "N/A", "LS1", "", " "])
_line = st.fixed_dictionaries({
    "anchor_id": st.sampled_from(["a", "b"]),
    "payment_date": st.sampled_from(["2023-03-31", "2023-04-01", "2024-03-31", "2024-04-01"]),
    "amount": st.integers(-50_000, 500_000).map(lambda pence: pence / 100),
    "supplier_id": st.sampled_from(["S1", "S2", "007", ""]),
    "supplier_name": st.sampled_from(["Acme", "HMRC", "Leeds City Council", "O'Brien, Sons", "Ünïcode"]),
    "supplier_postcode": _postcode_text,
    "category": st.sampled_from(["ICT", "Pensions", "pay", ""]),
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pool=st.lists(_line, min_size=1, max_size=12), picks=st.lists(st.integers(0, 11), min_size=1, max_size=40))
def test_engines_agree_on_generated_ledgers(tmp_path_factory, pool, picks):
    folder = tmp_path_factory.mktemp("hyp")
    rows = [pool[i % len(pool)] for i in picks]  # repeats make exact duplicates
    pd.DataFrame(rows).to_csv(folder / "ledger.csv", index=False)
    duck = spend.classify_ledger_files(folder, LEEDS, lookup=TINY_LOOKUP, threads=1, top_n=(1, 2))
    pand = spend.classify_ledger_files(folder, LEEDS, engine="pandas", lookup=TINY_LOOKUP, top_n=(1, 2))
    assert_same_analysis(duck, pand)
    totals = duck.summary.pivot_table(index=["year", "anchor_id"], columns="metric", values="value")
    excluded = duck.excluded.groupby(["year", "anchor_id"])["spend"].sum()
    assert np.allclose(totals["influenceable_spend"] + excluded.reindex(totals.index), totals["total_spend"])


def test_bad_files_are_clear_errors(tmp_path):
    good = ledger_of([{"amount": 1.0}])
    (tmp_path / "missing").mkdir()
    good.drop(columns=["category"]).to_csv(tmp_path / "missing" / "x.csv", index=False)
    for engine in ("duckdb", "pandas"):
        with pytest.raises(SpendError, match=r"x\.csv: missing ledger column\(s\) \['category'\]"):
            spend.classify_ledger_files(tmp_path / "missing", LEEDS, engine=engine, lookup=TINY_LOOKUP)
    (tmp_path / "bad").mkdir()
    ledger_of([{"amount": 1.0}, {"amount": "twelve"}, {"amount": 2.0, "payment_date": "31/13/2023"}]).to_csv(
        tmp_path / "bad" / "y.csv", index=False)
    with pytest.raises(SpendError, match=r"y\.csv: 1 amount value\(s\) are not a number: row 3 \('twelve'\)"):
        spend.classify_ledger_files(tmp_path / "bad", LEEDS, engine="pandas", lookup=TINY_LOOKUP)
    with pytest.raises(SpendError, match=r"2 ledger line\(s\).*y\.csv: amount 'twelve'"):
        spend.classify_ledger_files(tmp_path / "bad", LEEDS, engine="duckdb", lookup=TINY_LOOKUP)
    (tmp_path / "blank").mkdir()
    ledger_of([{"amount": 1.0}, {"amount": None}]).to_csv(tmp_path / "blank" / "z.csv", index=False)
    for engine in ("duckdb", "pandas"):
        with pytest.raises(SpendError, match=r"z\.csv.*amount"):
            spend.classify_ledger_files(tmp_path / "blank", LEEDS, engine=engine, lookup=TINY_LOOKUP)
    with pytest.raises(SpendError, match="no ledger files"):
        spend.classify_ledger_files(tmp_path / "missing" / "*.xlsx", LEEDS, lookup=TINY_LOOKUP)
    with pytest.raises(SpendError, match="engine must be"):
        spend.classify_ledger_files(tmp_path / "missing", LEEDS, engine="polars", lookup=TINY_LOOKUP)


# --- the demo network (real lookup) -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_network(demo_dir, public_data_dir, tmp_path_factory):
    """The committed demo network, or a freshly generated one while it is not there yet."""
    if (demo_dir / "ledger").is_dir() and (demo_dir / "metrics.csv").is_file():
        return demo_dir
    from anchor_analysis.demo import write_demo_network

    out = tmp_path_factory.mktemp("demo")
    write_demo_network(out, data_dir=public_data_dir)
    return out


@pytest.fixture(scope="module")
def region_lookup(public_data_dir):
    from anchor_analysis import public

    return public.load_postcode_lookup("region", data_dir=public_data_dir)


@pytest.fixture(scope="module")
def demo_analysis(demo_network, region_lookup):
    return spend.classify_ledger_files(demo_network / "ledger", LEEDS, lookup=region_lookup)


def test_engines_agree_on_the_demo_ledgers(demo_network, region_lookup, demo_analysis):
    pand = spend.classify_ledger_files(demo_network / "ledger", LEEDS, engine="pandas", lookup=region_lookup)
    assert_same_analysis(demo_analysis, pand)


def test_demo_ledgers_reproduce_the_returns_up_to_junk_postcodes(demo_network, demo_analysis):
    metrics = pd.read_csv(demo_network / "metrics.csv")
    compared = spend.compare_with_returns(demo_analysis.summary, metrics)
    wide = compared.pivot_table(index=["year", "anchor_id"], columns="metric", values="difference")
    pct = compared.pivot_table(index=["year", "anchor_id"], columns="metric", values="difference_pct")
    unknown = demo_analysis.summary.query("metric == 'spend_unknown'").set_index(["year", "anchor_id"])["value"]
    unknown = unknown.reindex(wide.index)
    assert len(wide) == len(list((demo_network / "ledger").glob("*.csv")))
    # totals agree to the pound: the ledger is the return, credits and duplicate reversals net to zero
    assert wide["total_spend"].abs().max() < 1 and wide["influenceable_spend"].abs().max() < 1
    # spend in Leeds / West Yorkshire is short by at most the spend whose postcode could not be located
    for metric in ("spend_leeds", "spend_west_yorkshire", "spend_most_deprived"):
        gap = -wide[metric]
        assert (gap >= -1).all() and (gap <= unknown + 1).all(), metric
    assert (wide["spend_leeds"] < -1).any()  # junk postcodes do cost some anchor-years local spend
    assert pct["spend_leeds"].abs().median() < 5  # ... but typically only a little


def test_demo_excluded_spend_is_fully_attributed(demo_analysis):
    totals = demo_analysis.summary.pivot_table(index=["year", "anchor_id"], columns="metric", values="value")
    excluded = demo_analysis.excluded.groupby(["year", "anchor_id"])["spend"].sum().reindex(totals.index)
    assert np.allclose(excluded + totals["influenceable_spend"], totals["total_spend"], atol=0.005)
    assert set(demo_analysis.excluded.query("spend != 0")["rule"]) == {
        "public_bodies", "tax", "pensions", "grants_to_individuals"}


# --- the Leeds City Council transparency ledger ----------------------------------------------------------------

def test_council_profile_on_a_hand_made_frame():
    frame = pd.DataFrame({
        "payment_date": pd.to_datetime(["2013-06-01", "2013-07-01", "2014-02-01", "2014-05-01", "2014-05-02",
                                        "2014-05-03", "2014-05-04"]),
        "amount_gbp": [1000.0, 600.0, 100.0, 50.0, 2000.0, 700.0, 800.0],
        "supplier_name": ["Acme Ltd", "ACME LIMITED", "REDACTED PERSONAL DATA", "Acme Ltd", "Bolts & Co",
                          "REDACTED COMMERCIAL CONFIDENTIALITY", "Redactive Publishing"],
        "source_file_month": ["2013-06", "2013-07", "2014-02", "2014-05", "2014-05", "2014-05", "2014-05"],
    })
    profile = spend.council_spend_profile(frame, top_n=1).set_index("fy")
    y13, y14 = profile.loc["2013/14"], profile.loc["2014/15"]
    assert y13["lines"] == 3 and y13["total_gbp"] == 1700.0 and y13["suppliers"] == 1
    assert y13["top_1_share"] == pytest.approx(1600 / 1700)
    assert y13["redacted_personal_lines"] == 1 and y13["lines_under_threshold"] == 1
    assert y13["months_published"] == 3
    assert "changed in 2014-01" in y13["threshold_note"] and "partial year (3 of 12" in y13["threshold_note"]
    assert y14["suppliers"] == 3 and y14["redacted_lines"] == 1 and y14["redacted_gbp"] == 700.0
    assert y14["top_1_share"] == pytest.approx(2000 / 3550)
    assert y14["lines_over_threshold"] == 3 and y14["total_gbp_over_threshold"] == 3500.0
    assert y14["suppliers_over_threshold"] == 2
    assert y14["threshold_note"].startswith("all transactions published")


def test_council_profile_is_cached_by_checksum_arguments_and_code(public_data_dir, tmp_path, monkeypatch):
    from anchor_analysis import public

    monkeypatch.setenv(public.CACHE_ENV, str(tmp_path))
    fresh = spend.council_spend_profile(data_dir=public_data_dir, cache=False)
    first = spend.council_spend_profile(data_dir=public_data_dir)
    cached = list((tmp_path / "derived").glob("council_spend_profile-*.parquet"))
    assert len(cached) == 1 and first.attrs["cache"] == str(cached[0])

    import duckdb

    def no_recomputing(*args, **kwargs):
        raise AssertionError("the cached profile should have been read")

    monkeypatch.setattr(duckdb, "connect", no_recomputing)
    second = spend.council_spend_profile(data_dir=public_data_dir)
    for frame in (first, second):
        pd.testing.assert_frame_equal(frame, fresh)
    with pytest.raises(AssertionError, match="cached profile"):  # other arguments: a different table
        spend.council_spend_profile(data_dir=public_data_dir, top_n=100)
    with pytest.raises(AssertionError, match="cached profile"):  # other code: a different table
        monkeypatch.setattr(public, "code_digest", lambda path: "edited")
        spend.council_spend_profile(data_dir=public_data_dir)
    monkeypatch.undo()
    monkeypatch.setenv(public.CACHE_ENV, str(tmp_path))
    cached[0].write_bytes(b"not parquet")  # a damaged cache file is rebuilt, not trusted
    pd.testing.assert_frame_equal(spend.council_spend_profile(data_dir=public_data_dir), fresh)


def test_council_profile_of_the_real_leeds_ledger_shows_the_2014_threshold_change(public_data_dir):
    path = public_data_dir / "spending" / "leeds_city_council_spending_2010-12_to_2022-08_basic.csv.gz"
    start = time.perf_counter()
    profile = spend.council_spend_profile(path)
    seconds = time.perf_counter() - start
    assert seconds < 60  # a sanity bound, not a benchmark (see benchmarks/)
    by_fy = profile.set_index("fy")
    assert profile["lines"].sum() == 2_830_020
    assert profile["redacted_lines"].sum() == 181_199
    assert profile["total_gbp"].sum() == pytest.approx(14.91e9, rel=0.01)
    under = by_fy["share_lines_under_threshold"]
    assert under.loc["2012/13"] < 0.15 < 0.5 < under.loc["2014/15"]
    assert under.loc["2012/13"] < under.loc["2013/14"] < under.loc["2014/15"]  # the change lands in Jan 2014
    assert by_fy.loc["2012/13", "threshold_note"].startswith("only payments over GBP 500")
    assert "changed in 2014-01" in by_fy.loc["2013/14", "threshold_note"]
    assert by_fy.loc["2014/15", "threshold_note"] == "all transactions published"
    assert by_fy.loc["2014/15", "months_published"] == 12
    # the consistent series: lines over GBP 500 change far less across the threshold than all lines do
    lines_ratio = by_fy.loc["2014/15", "lines"] / by_fy.loc["2012/13", "lines"]
    over_ratio = by_fy.loc["2014/15", "lines_over_threshold"] / by_fy.loc["2012/13", "lines_over_threshold"]
    assert lines_ratio > 2.5 and over_ratio < 1.5
    assert (profile["top_300_share"].dropna().between(0.3, 1)).all()


def test_one_financial_year_function_and_a_clear_error_for_a_date_that_is_not_one():
    from anchor_analysis.core.years import financial_year

    dates = pd.Series(["2024-03-31", "2024-04-01"])
    assert financial_year(dates).tolist() == [2023, 2024]
    lines = pd.DataFrame({"anchor_id": "a", "payment_date": ["2024-03-31", "31/03/2024"], "amount": [1.0, 2.0],
                          "supplier_id": "S", "supplier_name": "X", "supplier_postcode": "", "category": "C"})
    with pytest.raises(SpendError, match=r"payment_date must be a date .*'31/03/2024'"):
        spend.report_exact_duplicates(lines)
