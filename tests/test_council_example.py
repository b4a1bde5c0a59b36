"""The worked example on real public data: Leeds City Council's own 2019/20 spend, saved with the council's column
names into a one-anchor network's ``ledger/leeds_city_council/``, is taken in through its preset with no reshaping,
and its lines and pounds are the file's own. And what the expenditure category and expense type of the council's
detailed 2010-13 files change in the influenceable-spend rules.

The network is built here from ../shared/data/public/spending/ (public data is never committed) and is not the
synthetic demo. The README's walk-through quotes the figures these tests compute.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from anchor_analysis import public
from anchor_analysis.analysis import spend
from anchor_analysis.cli import main
from anchor_analysis.contracts.inspection import inspect_ledger
from anchor_analysis.core.years import financial_year
from conftest import REPO

YEAR = 2019
FILE = "ledger/leeds_city_council/spend_2019-20.csv"
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory, public_data_dir: Path) -> Path:
    """The one-anchor network of the README's walk-through, written from the public data."""
    root = tmp_path_factory.mktemp("council") / "leeds-city-council"
    (root / "ledger" / "leeds_city_council").mkdir(parents=True)
    (root / "network.toml").write_text('name = "Leeds City Council (real public data)"\nplace = "leeds"\n'
                                       "ledger_only = true\n", encoding="utf-8")
    (root / "anchors.csv").write_text("anchor_id,name,sector,joined_year,left_year\n"
                                      "leeds_city_council,Leeds City Council,local_authority,2018,\n",
                                      encoding="utf-8")
    public.write_council_spend(root / FILE, YEAR)
    return root


@pytest.fixture(scope="module")
def own(council: Path) -> dict:
    """The file's own lines, pence, credits and months, summed exactly from its text (no kit code)."""
    with (council / FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    amounts = [Decimal(row["Amount"]) for row in rows]
    months: dict[str, Decimal] = {}
    for row, amount in zip(rows, amounts, strict=True):
        months[row["Payment Date"][:7]] = months.get(row["Payment Date"][:7], Decimal(0)) + amount
    return {"lines": len(rows), "total": sum(amounts), "credit_lines": sum(a < 0 for a in amounts),
            "credits": sum(a for a in amounts if a < 0), "months": months, "header": list(rows[0])}


def test_the_file_is_the_councils_year_with_its_column_names(council, own, public_data_dir):
    assert own["header"] == ["Payment Date", "Amount", "Organisational Unit", "Beneficiary Name"]
    basic = public.load_spending("basic", ["payment_date", "amount_gbp"])
    in_year = basic[financial_year(basic["payment_date"]) == YEAR]
    assert own["lines"] == len(in_year) == 299_541
    assert float(own["total"]) == pytest.approx(in_year["amount_gbp"].sum(), abs=0.01)


def test_it_validates_through_its_preset_with_no_reshaping(council, own):
    result = CliRunner().invoke(main, ["validate", str(council)])
    assert result.exit_code == 0, result.output
    assert (f"{FILE}: 1 warning\n  read with preset 'leeds_city_council': 'Payment Date' (payment_date), 'Amount' "
            "(amount), 'Beneficiary Name' (supplier_name), 'Organisational Unit' (service_area); dates YYYY-MM-DD"
            ) in result.output
    assert f"no supplier postcode column: the spend of all {own['lines']:,} lines is classed 'unknown'" in result.output
    assert "not part of the contract" not in result.output


def test_inspect_gives_the_files_totals_by_month(council, own):
    inspection = inspect_ledger(council / FILE)
    assert inspection.reading.plan.preset == "leeds_city_council" and not inspection.errors
    months = inspection.by_month.set_index("month")
    assert months["lines"].sum() == own["lines"]
    assert {m: round(a * 100) for m, a in months["amount"].items()} == \
        {m: int(a * 100) for m, a in own["months"].items()}
    assert inspection.reading.title_rows == [] and inspection.reading.footer_rows == []


def test_the_spend_analysis_reads_the_files_lines_and_pounds(council, own):
    from anchor_analysis.derived import processed_network

    network = processed_network(council)
    assert network.ledger_years() == [YEAR]
    analysis = network.spend(YEAR)
    table = analysis.reconciliation
    assert spend.check_reconciliation(table)
    items = table.set_index("item")
    assert items.at["read", "lines"] == own["lines"]
    assert round(items.at["read", "spend"] * 100) == int(own["total"] * 100)
    assert (items.at["credits", "lines"], round(items.at["credits", "spend"] * 100)) == \
        (own["credit_lines"], int(own["credits"] * 100))
    summary = analysis.summary.set_index("metric")["value"]
    assert round(summary["total_spend"] * 100) == int(own["total"] * 100)
    # no postcodes in a transparency file: every influenceable pound is unlocated, none is guessed into a ring
    assert summary["spend_unknown"] == summary["influenceable_spend"] and summary["spend_leeds"] == 0
    assert set(network.ledger["service_area"].dropna()) >= {"Adults and Health", "Children and Families"}
    mappings = (network.processed_dir / "ledger_mappings.toml").read_text(encoding="utf-8")
    assert f"# {FILE}: read with preset 'leeds_city_council'" in mappings


def test_the_readme_quotes_what_is_computed(council, own):
    from anchor_analysis.derived import processed_network

    summary = processed_network(council).spend(YEAR).summary.set_index("metric")["value"]
    for figure in (f"{own['lines']:,} lines", f"£{own['total']:,.2f}",
                   f"£{summary['influenceable_spend'] / 1e6:,.1f}m influenceable"):
        assert figure in README, figure


# --- what the detailed files' expenditure category and expense type change


STAGES = {"supplier names only": ("supplier_name",),
          "and the expenditure category": ("supplier_name", "category"),
          "and the expense type": ("supplier_name", "category", "expense_type")}


@pytest.fixture(scope="module")
def detailed(public_data_dir: Path) -> pd.DataFrame:
    """The council's detailed files of the two whole financial years they cover, as ledger lines."""
    lines = public.load_spending("detailed")
    lines = lines.assign(year=financial_year(lines["payment_date"]), amount=lines["amount_gbp"],
                         category=lines["expenditure_category"].astype("str"),
                         expense_type=lines["expenditure_type"].astype("str"),
                         service_area=lines["service_label"].astype("str"),
                         supplier_name=lines["supplier_name"].astype("str"))
    return lines[lines["year"].isin([2011, 2012])]


def _influenceable(lines: pd.DataFrame, fields: tuple[str, ...]) -> pd.Series:
    flagged = spend.apply_influenceable_rules(lines, fields=fields)
    return flagged["amount"].where(flagged["influenceable"], 0).groupby(flagged["year"]).sum()


def test_the_category_and_expense_type_exclude_more_by_named_rules(detailed):
    totals = detailed.groupby("year")["amount"].sum()
    shares = {stage: _influenceable(detailed, fields) / totals for stage, fields in STAGES.items()}
    for year in (2011, 2012):
        ordered = [shares[stage][year] for stage in STAGES]
        assert ordered == sorted(ordered, reverse=True) and ordered[0] > ordered[-1] + 0.04
    effect = spend.rule_field_effect(detailed, by=("year",)).set_index(["year", "rule"])
    for year in (2011, 2012):
        assert effect.loc[year, "spend"].sum() == pytest.approx(totals[year], abs=1)
        assert effect.loc[year, "spend_base"].sum() == pytest.approx(totals[year], abs=1)
        # the levies rule takes, by category, the precepts the council passes on (police, fire, parishes), and by
        # expense type the other levies (carbon reduction commitment, land drainage) and a "Precepts Account"
        levies = spend.apply_influenceable_rules(detailed[detailed["year"] == year])
        levies = levies[levies["rule"] == "levies"]
        precept = levies["category"].str.contains("Precept", case=False)
        assert levies.loc[precept, "amount"].sum() / levies["amount"].sum() > 0.9
        assert levies.loc[~precept, "expense_type"].str.contains(r"levy|levies|precept", case=False).all()
        assert effect.loc[(year, "levies"), "spend_base"] == 0
        assert effect.loc[(year, "grants_to_individuals"), "spend_added"] > 1e7  # direct payments, personal budgets


def test_the_readme_quotes_the_rules_figures(detailed):
    totals = detailed.groupby("year")["amount"].sum()
    for fields in STAGES.values():
        influenceable = _influenceable(detailed, fields)
        for year in (2011, 2012):
            figure = f"£{influenceable[year] / 1e6:,.1f}m ({influenceable[year] / totals[year]:.1%})"
            assert figure in README, figure
