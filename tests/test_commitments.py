"""Commitments: the contract of ``commitments.csv``, and progress against them (path, projection, status)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from anchor_analysis.analysis.commitments import commitment_series, commitments_progress, projection
from anchor_analysis.contracts import load_network, read_table, validate_directory
from anchor_analysis.core.errors import NoDataError, ValidationFailed

DEMO = Path("data/raw/demo")
HEADER = "commitment_id,label,kind,measure,baseline_year,baseline_value,target_year,target_value,committed_by,source"


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "commitments.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


# --- the contract


def test_demo_ships_the_seed_003_commitments_as_the_leeds_networks():
    commitments = load_network(DEMO).commitments.set_index("commitment_id")
    assert commitments.loc["procurement", ["baseline_value", "target_value"]].tolist() == [1.7, 2.7]
    assert commitments.loc["employment", ["baseline_value", "target_value"]].tolist() == [3.1, 3.7]
    assert commitments.loc["service_civic", "measure"] == "service_delivery + civic"
    assert commitments.loc["service_civic", ["baseline_value", "target_value"]].tolist() == [2.75, 3.75]
    assert commitments.loc["local_spend", "target_value"] == 1e9
    assert commitments.loc["net_zero", "target_year"] == 2030 and commitments.loc["net_zero", "target_value"] == 0
    assert set(commitments["committed_by"]) == {"Leeds Anchor Network"}
    assert commitments["source"].str.contains("seed 003|leeds.toml").all()


@pytest.mark.parametrize(("row", "column", "rule"), [
    ("a,A,metric,spend_leeds + nonsense,2019,,2030,1,n,s", "measure", "unknown metric 'nonsense'"),
    ("a,A,dimension,procurement + spend_leeds,2019,1.7,2030,2.7,n,s", "measure", "unknown dimension 'spend_leeds'"),
    ("a,A,target,spend_leeds,2019,,2030,1,n,s", "kind", "kind must be one of metric, dimension"),
    ("a,A,dimension,procurement,2019,1.7,2019,2.7,n,s", "target_year", "target_year must be after baseline_year"),
    ("a,A,dimension,procurement,2019,1.7,2030,5,n,s", "target_value", "must be a level between 1 and 4"),
    ("a,A,metric,spend_leeds,2019,,2030,£1bn,n,s", "target_value", "must be a number"),
    ("a,A,metric,spend_leeds,2019,,2099,1,n,s", "target_year", "target_year must be between"),
    ("a,A,metric,spend_leeds,2019,,2030,,n,s", "target_value", "blank"),
])
def test_a_broken_commitment_names_row_column_and_rule(tmp_path, row, column, rule):
    path = _write(tmp_path, "ok,Fine,metric,spend_leeds,2019,,2030,1,n,s", row)
    with pytest.raises(ValidationFailed) as raised:
        read_table(path, "commitments")
    failures = raised.value.report.failures
    assert any(f.row == 3 and f.column == column and rule in f.rule for f in failures), \
        [f.describe() for f in failures]


def test_a_repeated_commitment_id_is_refused(tmp_path):
    path = _write(tmp_path, "a,A,metric,spend_leeds,2019,,2030,1,n,s", "a,B,metric,headcount,2019,,2030,1,n,s")
    with pytest.raises(ValidationFailed, match="row 3, column 'commitment_id'.*duplicate of row 2"):
        read_table(path, "commitments")


def test_validate_checks_the_commitments_of_a_network_folder(tmp_path):
    folder = tmp_path / "net"
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("ledger"))
    _write(folder, "a,A,dimension,procurement,2019,0.5,2030,2.7,n,s")
    report = validate_directory(folder)
    assert not report.ok
    assert "commitments.csv row 2, column 'baseline_value'" in report.format()


def test_a_network_without_commitments_has_none_and_progress_says_so(tmp_path):
    folder = tmp_path / "net"
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("ledger", "commitments.csv"))
    network = load_network(folder)
    assert network.commitments is None
    with pytest.raises(NoDataError, match="no commitments"):
        commitments_progress(network, 2024)


# --- progress


def _network(tmp_path: Path, metric_values: dict[int, float], *commitment_rows: str, second: float | None = None):
    """A two-anchor network: anchor a's spend in Leeds is ``metric_values``, anchor b reports ``second`` in 2019
    only (when given); its commitments are the rows given."""
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "anchors.csv").write_text("anchor_id,name,sector,joined_year,left_year\n"
                                        "a,A,local_authority,2018,\nb,B,university,2018,\n", encoding="utf-8")
    (folder / "progression.csv").write_text(
        "year,anchor_id,dimension,activity,current,ambition\n"
        + "".join(f"{y},a,procurement,local_supply_chains,{lvl},4\n" for y, lvl in ((2019, 1), (2020, 2), (2021, 3))),
        encoding="utf-8")
    (folder / "metrics.csv").write_text(
        "year,anchor_id,metric,value,unit\n"
        + "".join(f"{y},a,spend_leeds,{v},GBP\n" for y, v in metric_values.items())
        + (f"2019,b,spend_leeds,{second},GBP\n" if second is not None else ""), encoding="utf-8")
    _write(folder, *commitment_rows)
    return load_network(folder)


def test_the_series_covers_the_members_that_reported_and_says_so(tmp_path):
    net = _network(tmp_path, {2019: 100, 2020: 150}, "s,S,metric,spend_leeds,2019,,2029,200,n,s", second=100)
    series = commitment_series(net, net.commitments.iloc[0], 2024)
    assert series[["year", "value", "n_reporting"]].values.tolist() == [[2019, 200, 2], [2020, 150, 1]]
    assert series["coverage_statement"].tolist() == ["2 of 2 anchors reporting (100%)",
                                                     "1 of 2 anchors reporting (50%)"]


@pytest.mark.parametrize(("latest", "status"), [(110, "on track"), (101, "at risk"), (99, "off track")])
def test_status_against_the_straight_line_with_two_years(tmp_path, latest, status):
    # 100 -> 200 over 2019-2029: the path passes 110 in 2020; at risk is behind by up to 10 of the planned 100
    net = _network(tmp_path, {2019: 100, 2020: latest}, "s,S,metric,spend_leeds,2019,100,2029,200,n,s")
    row = commitments_progress(net, 2020).iloc[0]
    assert row["path_value"] == pytest.approx(110)
    assert row["gap"] == pytest.approx((latest - 110) / 100)
    assert row["status"] == status
    assert row["projection_method"].startswith("line through 2 years") and math.isnan(row["low"])


def test_a_falling_target_is_tracked_downwards(tmp_path):
    # net zero: 100 -> 0 by 2029; the path is 90 in 2020; 85 is ahead, 95 behind by 5% (at risk), 105 off track
    rows = []
    for value in (85, 95, 105):
        sub = tmp_path / str(value)
        sub.mkdir()
        net = _network(sub, {2019: 100, 2020: value}, "z,Z,metric,spend_leeds,2019,100,2029,0,n,s")
        rows.append(commitments_progress(net, 2020).iloc[0]["status"])
    assert rows == ["on track", "at risk", "off track"]


def test_the_projection_moderates_the_status_with_three_years(tmp_path):
    # ahead of the path (140 in 2023) but flat since: the projection's whole interval misses the target
    net = _network(tmp_path, {2019: 150, 2020: 151, 2021: 152, 2022: 152, 2023: 153},
                   "s,S,metric,spend_leeds,2019,100,2029,200,n,s")
    row = commitments_progress(net, 2023).iloc[0]
    assert row["gap"] > 0 and row["high"] < 200
    assert row["status"] == "at risk"


def test_behind_the_path_but_projected_to_reach_it_is_at_risk(tmp_path):
    # 20 behind the path in 2023, rising 15 a year since a low start: the trend reaches 200 by 2029
    net = _network(tmp_path, {2019: 60, 2020: 75, 2021: 90, 2022: 105, 2023: 120},
                   "s,S,metric,spend_leeds,2019,100,2029,200,n,s")
    row = commitments_progress(net, 2023).iloc[0]
    assert row["gap"] < -0.10 and row["projected"] >= 200
    assert row["status"] == "at risk"


def test_a_dimension_commitment_uses_the_network_score(tmp_path):
    net = _network(tmp_path, {2019: 100}, "p,P,dimension,procurement,2019,1,2023,4,n,s")
    row = commitments_progress(net, 2021).iloc[0]
    assert row["series"]["value"].tolist() == [1, 2, 3]
    assert row["latest_value"] == 3 and row["path_value"] == pytest.approx(2.5) and row["status"] == "on track"


def test_a_baseline_left_blank_comes_from_the_returns_and_no_later_year_is_not_yet_measurable(tmp_path):
    net = _network(tmp_path, {2019: 100}, "s,S,metric,spend_leeds,2019,,2029,400,n,s", second=100)
    row = commitments_progress(net, 2024).iloc[0]
    assert row["baseline_value"] == 200 and row["baseline_from_returns"]
    assert row["status"] == "not yet measurable" and math.isnan(row["gap"])


def test_projection_interval_widens_with_fewer_years():
    years = pd.DataFrame({"year": range(2019, 2025), "value": [1.0, 2.1, 2.9, 4.2, 4.8, 6.1]})
    six, three = projection(years, 2030), projection(years.tail(3), 2030)
    assert six["low"] < six["projected"] < six["high"]
    assert (three["high"] - three["low"]) > (six["high"] - six["low"])


def test_demo_progress_2024():
    progress = commitments_progress(load_network(DEMO), 2024).set_index("commitment_id")
    assert progress["status"].to_dict() == {"local_spend": "off track", "procurement": "on track",
                                             "employment": "on track", "service_civic": "on track",
                                             "net_zero": "off track"}
    spend = progress.loc["local_spend"]
    assert spend["baseline_from_returns"] and spend["baseline_value"] == pytest.approx(337_809_271)
    assert spend["latest_coverage"] == "13 of 13 anchors reporting (100%)"


def test_the_commitments_command_prints_progress_and_the_rule(tmp_path):
    from click.testing import CliRunner

    from anchor_analysis.cli import main

    result = CliRunner().invoke(main, ["commitments", "--year", "2024", "--data-dir", str(DEMO)])
    assert result.exit_code == 0, result.output
    assert "Commitments of the Leeds Anchor Network, 2024/25 (SYNTHETIC demo data)" in result.output
    assert "£535.5m in 2024/25" in result.output and "off track" in result.output
    assert "at or ahead of the straight line" in result.output
    folder = tmp_path / "net"
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("ledger", "commitments.csv"))
    missing = CliRunner().invoke(main, ["commitments", "--year", "2024", "--data-dir", str(folder)])
    assert missing.exit_code == 1 and "no commitments" in missing.output


def test_a_projected_level_stays_within_the_framework(tmp_path):
    net = _network(tmp_path, {2019: 100}, "p,P,dimension,procurement,2019,1,2029,4,n,s")
    row = commitments_progress(net, 2021).iloc[0]  # 1, 2, 3 in three years: the line reaches 11 by 2029
    assert row["projected"] == 4 and row["high"] == 4
