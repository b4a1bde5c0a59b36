"""The executive summary: headline figures with their change, key messages by stated rules, the commitments table
with a trend chart per row, and the reader's vocabulary."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from anchor_analysis.analysis.summary import MESSAGE_RULES, headline_changes, key_messages
from anchor_analysis.figures.sparkline import trend_sparkline
from anchor_analysis.publish.vocabulary import load_vocabulary, reader_frame, reader_header, reader_table_html


def _headlines(**changes) -> pd.DataFrame:
    rows = []
    for label, (now, before, n, members) in changes.items():
        rows.append({"label": label, "value": now, "previous": before, "unit": "people", "display": f"{now:,.0f}",
                     "previous_display": f"{before:,.0f}", "change": (now - before) / before, "n_reporting": n,
                     "n_members": members, "coverage": n / members, "coverage_statement": f"{n} of {members}",
                     "section": "baseline"})
    return pd.DataFrame(rows)


def _progress(**gaps) -> pd.DataFrame:
    status = {g: "on track" if g >= 0 else "at risk" if g >= -0.1 else "off track" for g in gaps.values()}
    return pd.DataFrame([{"label": label, "gap": gap, "status": status[gap], "baseline_year": 2019,
                          "target_year": 2030} for label, gap in gaps.items()])


def test_the_largest_movement_is_relative_and_either_way():
    messages = key_messages(_headlines(Workforce=(105, 100, 5, 5), Staff=(80, 100, 5, 5)), None, 2024)
    assert messages[0]["rule"] == "largest_movement"
    assert messages[0]["text"].startswith("Staff fell 20% since 2023/24, to 80 in 2024/25")


def test_the_commitment_most_at_risk_puts_off_track_first_then_the_furthest_behind():
    messages = key_messages(_headlines(A=(1, 1, 5, 5)), _progress(Spend=-0.05, Carbon=-0.3, Jobs=-0.2), 2024)
    at_risk = next(m for m in messages if m["rule"] == "most_at_risk")
    assert at_risk["text"].startswith("Carbon is off track: 30% of the planned change behind")
    assert at_risk["section"] == "commitments"


def test_no_commitment_behind_gives_no_at_risk_message_but_the_furthest_ahead():
    rules = [m["rule"] for m in key_messages(_headlines(A=(1, 1, 5, 5)), _progress(X=0.2, Y=0.4), 2024)]
    assert "most_at_risk" not in rules and "furthest_ahead" in rules


def test_the_widest_coverage_gap_names_the_least_covered_figure():
    messages = key_messages(_headlines(A=(1, 1, 9, 10), B=(1, 1, 4, 10), C=(1, 1, 10, 10)), None, 2024)
    gap = next(m for m in messages if m["rule"] == "widest_coverage_gap")
    assert gap["text"] == "The widest gap in coverage: B rests on 4 of 10 members (40%)."
    assert gap["section"] == "coverage"


def test_messages_are_three_to_five_in_the_rules_order():
    messages = key_messages(_headlines(A=(2, 1, 4, 10)), _progress(X=-0.2, Y=0.3), 2024)
    assert 3 <= len(messages) <= 5
    order = list(MESSAGE_RULES)
    assert [order.index(m["rule"]) for m in messages] == sorted(order.index(m["rule"]) for m in messages)


@pytest.mark.public_data
def test_headline_changes_of_the_demo_compare_with_last_year(public_data_dir):
    from anchor_analysis.derived import processed_network

    table = headline_changes(processed_network("data/raw/demo"), 2024).set_index("key")
    assert table.at["workforce", "value"] == 60_510 and table.at["workforce", "previous"] == 62_300
    assert table.at["workforce", "change"] == pytest.approx(60_510 / 62_300 - 1)
    assert table.at["spend_place", "previous_display"] == "£511.0m"
    assert set(table["section"]) == {"baseline"}


@pytest.mark.public_data
def test_extra_headline_figures_join_the_summary(public_data_dir):
    from anchor_analysis.derived import processed_network

    extra = pd.DataFrame([{"key": "sme_spend", "label": "Spend with SMEs", "value": 2e8, "unit": "GBP",
                           "display": "£200.0m", "n_reporting": 7, "n_members": 13,
                           "coverage_statement": "7 of 13 anchors reporting (54%)", "section": "suppliers",
                           "previous": 1e8}])
    table = headline_changes(processed_network("data/raw/demo"), 2024, extra=extra)
    assert table["key"].tolist()[-1] == "sme_spend" and table["change"].iloc[-1] == pytest.approx(1.0)
    gap = next(m for m in key_messages(table, None, 2024) if m["rule"] == "widest_coverage_gap")
    assert gap["section"] == "coverage" and "Spend with SMEs" in gap["text"]


@pytest.mark.public_data
def test_the_summary_section_has_messages_headlines_and_one_chart_per_commitment(public_data_dir):
    from anchor_analysis.derived import processed_network
    from anchor_analysis.reporting.summary import executive_summary_html

    page = executive_summary_html(processed_network("data/raw/demo"), 2024,
                                  links={"baseline": "section-baseline", "coverage": "coverage"})
    assert page.count('<li class="message">') == 5
    assert page.count("Rule: ") == 5
    assert 'href="#section-baseline"' in page and 'href="#commitments"' in page and 'href="#coverage"' in page
    assert page.count("<svg") == 5 == page.count('role="img"')
    assert re.search(r"<title>Trend of Local spend with Leeds businesses: £337.8m in 2019/20, .*off track\.</title>",
                     page)
    assert "Commitments of the Leeds Anchor Network" in page and "Status rule." in page
    assert "seed 003" in page


def test_a_network_without_commitments_says_how_to_add_them(tmp_path):
    from anchor_analysis.reporting.summary import _commitments_html

    assert "commitments.csv" in _commitments_html(None, None)


def test_the_sparkline_draws_values_path_target_and_projection():
    svg = trend_sparkline([2019, 2020], [10.0, 12.0], baseline=(2019, 10.0), target=(2029, 20.0),
                          projection=(30.0, float("nan"), float("nan")), alt="t")
    assert svg.count("<line") == 2 and "<polygon" not in svg  # the path and the projection; no interval band
    band = trend_sparkline([2019, 2020, 2021], [10.0, 12.0, 13.0], baseline=(2019, 10.0), target=(2029, 20.0),
                           projection=(30.0, 25.0, 35.0), alt="t")
    assert "<polygon" in band
    ys = [float(y) for y in re.findall(r'cy="([\d.]+)"', band)]
    assert min(ys) >= 0 and max(ys) <= 40


# --- the vocabulary


def test_every_header_the_issue_names_has_reader_words():
    for name, words in {"label": "Measure", "display": "Value", "coverage_statement": "Who it covers",
                        "n_reporting": "Anchors reporting", "current_q1": "Current, lower quartile"}.items():
        assert reader_header(name) == words


def test_vocabulary_units_are_known_formats():
    from anchor_analysis.publish.formatting import _FORMATS

    vocabulary = load_vocabulary()
    known = set(_FORMATS) | {"people", "count", "text", "by_row"}
    assert set(vocabulary["units"].values()) | set(vocabulary["prefixes"].values()) <= known


def test_reader_frame_formats_by_unit_and_by_row():
    table = pd.DataFrame({"metric": ["headcount", "spend_leeds", "scope1_tco2e"],
                          "value": [62300.0, 511_234_567.891, 1234.4], "coverage": [0.93, 1.0, 0.5],
                          "year": [2024, 2024, 2024]})
    shown = reader_frame(table)
    assert shown.columns.tolist() == ["Metric", "Value", "Coverage", "Year"]
    assert shown["Value"].tolist() == ["62,300", "£511.2m", "1,234 t"]
    assert shown["Coverage"].tolist() == ["93%", "100%", "50%"] and shown["Year"].tolist() == ["2024/25"] * 3


def test_reader_table_html_has_scoped_header_cells_and_a_caption():
    page = reader_table_html(pd.DataFrame({"n_reporting": [3]}, index=pd.Index(["employment"], name="dimension")),
                             caption="Who assessed")
    assert "<caption>Who assessed</caption>" in page
    assert '<th scope="col">Dimension</th><th scope="col">Anchors reporting</th>' in page
    assert '<th scope="row">employment</th>' in page


def test_metric_labels_and_units_follow_the_place():
    table = pd.DataFrame({"metric": ["spend_birmingham"], "value": [12_500_000.0]})
    shown = reader_frame(table, place="birmingham")
    assert shown.values.tolist() == [["Influenceable spend with suppliers in Birmingham", "£12.5m"]]


@pytest.mark.public_data
def test_in_the_first_year_of_returns_nothing_is_compared_and_commitments_wait(public_data_dir):
    from anchor_analysis.analysis.commitments import commitments_progress
    from anchor_analysis.derived import processed_network

    network = processed_network("data/raw/demo")
    assert network.commitments is not None and len(network.commitments) == 5  # kept in the derived tables
    headlines = headline_changes(network, 2019)
    assert headlines["previous"].isna().all() and headlines["change"].isna().all()
    progress = commitments_progress(network, 2019)
    assert set(progress["status"]) == {"not yet measurable"}
    rules = [m["rule"] for m in key_messages(headlines, progress, 2019)]
    assert rules == ["widest_coverage_gap", "commitments_status"]
