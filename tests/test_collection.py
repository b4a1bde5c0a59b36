"""Collecting the year's returns (issue 13): templates, filled in by code as an anchor would in Excel, through collect
and status; bad workbooks refused by workbook, sheet and cell; versions kept, idempotence, a killed collect."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from anchor_analysis.cli import main
from anchor_analysis.collection.collect import HELD, REFUSED, TAKEN_IN, UNCHANGED, collect
from anchor_analysis.collection.status import coverage_statements, return_status, status_html
from anchor_analysis.collection.templates import save_workbook, write_templates
from anchor_analysis.collection.versions import version_folders
from anchor_analysis.contracts.network import load_network, validate_directory
from anchor_analysis.core.errors import ValidationFailed
from anchor_analysis.demo.returns import fill_return, next_year_returns
from anchor_analysis.derived.fingerprint import input_files
from conftest import DEMO_DIR, REPO

YEAR = 2025
TABLES = ("progression.csv", "metrics.csv", "staff_residence.csv")


@pytest.fixture()
def network(tmp_path: Path) -> Path:
    """A copy of the demo network (ledgers included) to collect into."""
    folder = tmp_path / "network"
    shutil.copytree(DEMO_DIR, folder)
    return folder


@pytest.fixture()
def blank(network: Path, tmp_path: Path) -> Path:
    """The year's templates, as sent to the anchors."""
    out = tmp_path / "templates"
    write_templates(network, YEAR, out)
    return out


def _figures(network: Path) -> dict:
    """Next year's figures of each member, drawn from its last return (the demo generator's own rule)."""
    return next_year_returns(load_network(network), seed=7)


def fill(blank: Path, returns: Path, name: str, figures: dict, anchor_id: str, **changes) -> Path:
    """The anchor's template filled in by code, as the anchor would type it; ``changes`` replace tables."""
    tables = {**figures[anchor_id], **changes}
    returns.mkdir(parents=True, exist_ok=True)
    return fill_return(blank / f"{name} {YEAR}.xlsx", returns / f"{name} {YEAR}.xlsx",
                       progression=tables["progression"], metrics=tables["metrics"], staff=tables["staff"],
                       ledger=tables.get("ledger"), not_reported=tables["not_reported"])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(path: Path, change) -> Path:
    """Open a returned workbook, change it as someone would in Excel, save it back."""
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


# --- templates ------------------------------------------------------------------------------------------------


def test_templates_one_per_member_named_after_it_protected_and_deterministic(network, blank, tmp_path):
    anchors = load_network(network).anchors
    names = sorted(p.name for p in blank.iterdir())
    assert len(names) == 13 and "NHS Trust A 2025.xlsx" in names and "NHS Body D 2025.xlsx" not in names
    assert set(anchors["name"] + f" {YEAR}.xlsx") - set(names) == {f"NHS Body D {YEAR}.xlsx"}  # left in 2024
    again = tmp_path / "again"
    write_templates(network, YEAR, again)
    assert snapshot(again) == snapshot(blank)  # the same network gives the same bytes
    book = load_workbook(blank / "NHS Trust A 2025.xlsx")
    assert book.sheetnames == ["instructions", "progression", "metrics", "staff_residence", "ledger", "_lists",
                               "_return"]
    assert book["_return"].sheet_state == "veryHidden" and book.security.lockStructure
    assert {r[0].value: r[1].value for r in book["_return"].iter_rows()} == {
        "network": "Demo anchor network (SYNTHETIC)", "anchor_id": "nhs_trust_a", "anchor_name": "NHS Trust A",
        "year": 2025, "template_version": 1}
    progression = book["progression"]
    assert progression.protection.sheet and progression.protection.password is None
    assert progression["D2"].protection.locked is False and progression["B2"].protection.locked is True
    rules = {str(v.sqref): v for v in progression.data_validations.dataValidation}
    assert rules["E2:E14"].type == "list" and "OFFSET(levels" in rules["E2:E14"].formula1
    assert rules["F2:F14"].formula1 == '"high,medium,low"'
    metrics = book["metrics"]
    assert [metrics["A2"].value, metrics["F2"].value, metrics["G2"].value] == ["headcount", 20367, "2024/25"]
    whole = next(v for v in metrics.data_validations.dataValidation if "D2" in str(v.sqref))
    assert whole.type == "whole" and whole.operator == "greaterThanOrEqual"
    text = " ".join(str(c.value) for c in book["instructions"]["A"] if c.value)
    for words in ("1 April 2025 to 31 March 2026", "E08000035", "Influenceable spend", "never kept",
                  "not reported"):
        assert words in text


def test_templates_do_not_overwrite_a_filled_in_return(network, blank):
    figures = _figures(network)
    fill(blank, blank, "NHS Trust A", figures, "nhs_trust_a")
    result = CliRunner().invoke(main, ["templates", "--year", "2025", "--data-dir", str(network), "--out",
                                       str(blank)])
    assert result.exit_code == 1 and "NHS Trust A 2025.xlsx exists and differs" in result.output


def test_templates_deadline_and_contact_come_from_network_toml(network, tmp_path):
    with (network / "network.toml").open("a") as handle:
        handle.write('deadline = 2026-05-29\ncontact = "Jo Bloggs, returns@example.org"\n')
    write_templates(network, YEAR, tmp_path / "out")
    text = " ".join(str(c.value) for c in load_workbook(tmp_path / "out" / "University A 2025.xlsx")[
        "instructions"]["A"] if c.value)
    assert "by 29 May 2026" in text and "Jo Bloggs, returns@example.org" in text
    (network / "network.toml").write_text('name = "x"\ndeadline = "soon"\n')
    assert "deadline must be a date" in str(validate_directory(network))


# --- end to end -----------------------------------------------------------------------------------------------


def test_filled_templates_go_through_collect_status_and_report(network, blank, tmp_path, public_data_dir):
    figures = _figures(network)
    returns = tmp_path / "returns" / "2025"
    for name, anchor_id in (("University A", "university_a"), ("NHS Trust B", "nhs_trust_b")):
        fill(blank, returns, name, figures, anchor_id)
    result = CliRunner().invoke(main, ["collect", str(returns), "--into", str(network)])
    assert result.exit_code == 0, result.output
    assert "University A 2025.xlsx: taken in" in result.output and "wrote version 0002" in result.output
    tables = load_network(network)
    mine = tables.metrics[(tables.metrics["anchor_id"] == "university_a") & (tables.metrics["year"] == YEAR)]
    expected = figures["university_a"]["metrics"].set_index("metric")["value"]
    assert mine.set_index("metric")["value"].astype(float).to_dict() == expected.astype(float).to_dict()
    assert len(tables.progression.query("year == 2025")) == len(figures["university_a"]["progression"]) + len(
        figures["nhs_trust_b"]["progression"])

    status = CliRunner().invoke(main, ["status", "--year", "2025", "--data-dir", str(network), "--html",
                                       str(tmp_path / "status.html")])
    assert status.exit_code == 0, status.output
    line = next(line for line in status.output.splitlines() if line.startswith("University A"))
    assert "13 of 13 activities" in line and "taken in" in line
    assert next(line for line in status.output.splitlines() if line.startswith("NHS Trust A")).count("missing") == 4
    page = (tmp_path / "status.html").read_text()
    assert "SYNTHETIC DATA" in page and "Returns 2025/26" in page and page.count('class="missing"') == 11 * 4 + 2

    from anchor_analysis.reporting.run import run_report

    out = tmp_path / "outputs"
    report = run_report([YEAR], data_dir=network, out_dir=out, formats=("html",),
                        notebooks=[REPO / "notebooks" / "01_baseline.ipynb"], echo=lambda *_: None)
    assert report.ok
    coverage = pd.read_csv(out / "2025" / "baseline" / "tables" / "coverage.csv")
    statements = coverage["statement"].tolist()
    assert "Returns 2025/26: progression from 2 of 13 members, metrics from 2, staff residence from 2, ledgers " \
           "from 0." in statements
    missing = next(s for s in statements if s.startswith("No return in 2025/26 from "))
    assert "NHS Trust A" in missing and "University A" not in missing


def test_the_demo_returns_are_the_generators_and_show_its_three_mistakes(network, tmp_path, public_data_dir):
    from anchor_analysis.demo.write import write_demo_network

    write_demo_network(tmp_path / "demo", seed=2019, returns_dir=tmp_path / "returns")
    assert snapshot(tmp_path / "returns" / "2025") == snapshot(REPO / "returns" / "demo" / "2025")
    result = collect(REPO / "returns" / "demo" / "2025", network)
    states = {o.file: o.state for o in result.outcomes}
    assert states.pop("FE College A 2025.xlsx") == REFUSED
    assert states.pop("NHS Trust A 2025.xlsx") == HELD and states.pop("University B 2025.xlsx") == HELD
    assert set(states.values()) == {TAKEN_IN} and len(states) == 8
    lines = result.report().format()
    assert "FE College A 2025.xlsx, sheet staff_residence, cell A2: value 'LS" in lines
    assert "NHS Trust A, headcount: 20,367 (2024/25) -> 2,0" in lines
    assert "University B 2025.xlsx, sheet progression, cell F2: warning: priority left blank" in lines
    assert load_network(network).ledger_files[-1].name == "water_utility_a_2025.csv"
    assert (network / "ledger" / "local_authority_a_2025.csv").is_file()  # sent beside its workbook as CSV


# --- bad input: refused by workbook, sheet and cell, non-zero exit, nothing taken in ---------------------------


def _with_error_cell(path: Path) -> None:
    """Metrics D2 as Excel saves a formula that divides by zero: the formula and its cached #DIV/0!."""
    edit(path, lambda book: book["metrics"].__setitem__("D2", "#DIV/0!"))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/") and re.search(rb'<c r="D2"[^>]*t="e"', parts[n]))
    parts[sheet] = re.sub(rb'(<c r="D2"[^>]*t="e"[^>]*>)<v>', rb"\1<f>F2/0</f><v>", parts[sheet])
    assert b"<f>F2/0</f>" in parts[sheet]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _encrypted(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    data = io.BytesIO()
    with path.open("rb") as handle:
        OOXMLFile(handle).encrypt("secret", data)
    path.write_bytes(data.getvalue())


def _marker(key: str, value):
    def change(book):
        ws = book["_return"]
        row = next(r for r in ws.iter_rows() if r[0].value == key)
        row[1].value = value
    return change


BAD = {
    "renamed sheet": (lambda p: edit(p, lambda b: setattr(b["metrics"], "title", "Metrics 2025")),
                      "sheet 'metrics' is missing (found 'Metrics 2025': was it renamed?)"),
    "deleted sheet": (lambda p: edit(p, lambda b: b.remove(b["ledger"])), "sheet 'ledger' is missing"),
    "moved columns": (lambda p: edit(p, lambda b: (b["progression"].__setitem__("D1", "ambition"),
                                                   b["progression"].__setitem__("E1", "current"))),
                      "sheet progression, cell D1: value 'ambition': header 'current' belongs here"),
    "renamed column": (lambda p: edit(p, lambda b: b["metrics"].__setitem__("D1", "Value (£)")),
                       "sheet metrics, cell D1: value 'Value (£)': header 'value' belongs here"),
    "merged cells": (lambda p: edit(p, lambda b: b["metrics"].merge_cells("D3:E3")),
                     "sheet metrics, cell D3: cells D3:E3 are merged"),
    "formula showing #DIV/0!": (_with_error_cell, "sheet metrics, cell D2: value '#DIV/0!': the cell shows the "
                                                  "error #DIV/0! (from a formula)"),
    "number stored as text": (lambda p: edit(p, lambda b: b["metrics"].__setitem__("D2", "1,240")),
                              "sheet metrics, cell D2: value '1,240': value must be a number, written without £"),
    "money as text": (lambda p: edit(p, lambda b: b["metrics"].__setitem__("D8", "£5.2m")),
                      "sheet metrics, cell D8: value '£5.2m': value must be a number"),
    "date where a number belongs": (lambda p: edit(p, lambda b: b["metrics"].__setitem__("D2", dt.date(2025, 3, 1))),
                                    "sheet metrics, cell D2: value '2025-03-01': a date where a number belongs"),
    "level typed with its name": (lambda p: edit(p, lambda b: b["progression"].__setitem__("D2", "3 - good")),
                                  "sheet progression, cell D2: value '3 - good': level must be an integer 1–4"),
    "ambition below current": (lambda p: edit(p, lambda b: (b["progression"].__setitem__("D3", 4),
                                                            b["progression"].__setitem__("E3", 2))),
                               "sheet progression, cell E3: value '2': ambition must not be below current (4)"),
    "negative headcount": (lambda p: edit(p, lambda b: b["metrics"].__setitem__("D2", -5)),
                           "sheet metrics, cell D2: value '-5': headcount is a count"),
    "corrupt file": (lambda p: p.write_bytes(p.read_bytes()[:3000]), "the workbook is damaged and cannot be opened"),
    "password-protected": (_encrypted, "the workbook is protected with a password (encrypted)"),
    ".xls named .xlsx": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)),
                         "an old Excel workbook (.xls) with an .xlsx name"),
    ".csv named .xlsx": (lambda p: p.write_text("metric,value\nheadcount,12400\n"),
                         "a CSV or other text file with an .xlsx name"),
    "another network": (lambda p: edit(p, _marker("network", "Bradford Anchor Network")),
                        "a return for network 'Bradford Anchor Network', not 'Demo anchor network (SYNTHETIC)'"),
    "another year": (lambda p: edit(p, _marker("year", 2024)), "a return for 2024/25, not 2025/26"),
    "older template": (lambda p: edit(p, _marker("template_version", 0)), "made from an older template (version 0"),
    "not a template": (lambda p: save_workbook(Workbook(), p, dt.datetime(2025, 1, 1)),
                       "not a return template of this kit"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_workbooks_are_refused_by_workbook_sheet_and_cell(case, network, blank, tmp_path):
    returns = tmp_path / "returns" / "2025"
    path = fill(blank, returns, "NHS Trust A", _figures(network), "nhs_trust_a")
    spoil, message = BAD[case]
    spoil(path)
    before = snapshot(network)
    result = CliRunner().invoke(main, ["collect", str(returns), "--into", str(network)])
    assert result.exit_code == 1
    where = ", " if message.startswith("sheet ") and not message.startswith("sheet '") else ": "
    assert f"NHS Trust A 2025.xlsx{where}{message}" in result.output, result.output
    assert "NHS Trust A 2025.xlsx: refused" in result.output
    after = snapshot(network)
    assert {k: v for k, v in after.items() if not k.startswith("versions/")} == before  # nothing taken in
    assert not version_folders(network)


def test_a_workbook_of_another_anchor_two_for_one_anchor_and_an_empty_one_are_refused(network, blank, tmp_path):
    figures = _figures(network)
    returns = tmp_path / "returns" / "2025"
    b = fill(blank, returns, "NHS Trust B", figures, "nhs_trust_b")
    shutil.copy(b, returns / "NHS Trust C 2025.xlsx")  # B's return saved under C's name
    fill(blank, returns, "University A", figures, "university_a")
    shutil.copy(returns / "University A 2025.xlsx", returns / "University A 2025 final.xlsx")
    shutil.copy(blank / "University C 2025.xlsx", returns)  # sent back untouched
    result = collect(returns, network)
    report = result.report().format()
    assert "NHS Trust C 2025.xlsx: named for NHS Trust C, but it is the return of NHS Trust B" in report
    assert "University A 2025 final.xlsx: two workbooks for University A (this and University A 2025.xlsx)" in report
    assert "University C 2025.xlsx: nothing is filled in" in report
    states = {o.file: o.state for o in result.outcomes}
    assert states.pop("NHS Trust B 2025.xlsx") == TAKEN_IN and set(states.values()) == {REFUSED}


# --- plausibility ---------------------------------------------------------------------------------------------


def _metric(figures: dict, anchor_id: str, **values) -> pd.DataFrame:
    metrics = figures[anchor_id]["metrics"].copy()
    for metric, value in values.items():
        metrics.loc[metrics["metric"] == metric, "value"] = value
    return metrics


def test_plausibility_warnings_hold_a_return_until_accepted(network, blank, tmp_path):
    figures = _figures(network)
    returns = tmp_path / "returns" / "2025"
    trust = figures["nhs_trust_a"]
    falling = trust["progression"].assign(current=1, ambition=1)
    influenceable = trust["metrics"].set_index("metric").at["influenceable_spend", "value"]
    fill(blank, returns, "NHS Trust A", figures, "nhs_trust_a", progression=falling,
         metrics=_metric(figures, "nhs_trust_a", spend_leeds=influenceable * 1.01))
    result = collect(returns, network)
    assert [o.state for o in result.outcomes] == [HELD] and result.version is None
    lines = [w.describe("NHS Trust A") for w in result.outcomes[0].warnings]
    assert lines[0].startswith("NHS Trust A, spend_leeds: ") and " above influenceable_spend " in lines[0]
    assert lines[0].endswith("a part cannot exceed its whole")
    assert any("fell by 3 levels since the last assessment" in line and "current 4 (2024/25) -> current 1" in line
               for line in lines)
    assert lines[-1].startswith("NHS Trust A, every activity: 13 activities -> all current 1 (2025/26)")
    held = CliRunner().invoke(main, ["collect", str(returns), "--into", str(network)])
    assert held.exit_code == 1 and "--accept-warnings" in held.output
    accepted = CliRunner().invoke(main, ["collect", str(returns), "--into", str(network), "--accept-warnings"])
    assert accepted.exit_code == 0 and "NHS Trust A 2025.xlsx: taken in" in accepted.output
    status = return_status(load_network(network), YEAR).set_index("anchor_id")
    assert status.at["nhs_trust_a", "open_warnings"] == 0 and status.at["nhs_trust_a", "accepted_warnings"] > 2


def test_staff_above_headcount_and_a_tenfold_move_are_warnings(network, blank, tmp_path):
    figures = _figures(network)
    returns = tmp_path / "returns" / "2025"
    fill(blank, returns, "NHS Trust A", figures, "nhs_trust_a", metrics=_metric(figures, "nhs_trust_a",
                                                                                 headcount=1240))
    lines = [w.describe() for w in collect(returns, network).outcomes[0].warnings]
    assert lines[0].startswith("nhs_trust_a, headcount: 20,367 (2024/25) -> 1,240 (2025/26): moved by more than 3x")
    assert any(line.startswith("nhs_trust_a, staff_in_leeds: ") and "above headcount 1,240" in line for line in lines)
    assert any(line.startswith("nhs_trust_a, staff_residence: ") for line in lines)


# --- versions, idempotence, resubmission, interruption ----------------------------------------------------------


def test_collect_is_idempotent_and_keeps_the_previous_version(network, blank, tmp_path):
    figures = _figures(network)
    returns = tmp_path / "returns" / "2025"
    fill(blank, returns, "University A", figures, "university_a")
    original = snapshot(network)
    first = collect(returns, network)
    assert first.version.name == "0002" and [o.state for o in first.outcomes] == [TAKEN_IN]
    assert {n: (network / "versions" / "0001" / n).read_bytes() for n in TABLES} == {n: original[n] for n in TABLES}
    state = snapshot(network)
    second = collect(returns, network)
    assert second.version is None and [o.state for o in second.outcomes] == [UNCHANGED]
    assert snapshot(network) == state
    for name in TABLES:  # only the anchor's new rows were added: every earlier line is as it was
        assert (network / name).read_bytes().startswith(original[name])
    assert input_files(network) == [p for p in input_files(network) if "versions" not in p.parts]
    assert validate_directory(network).ok


def test_a_corrected_resubmission_replaces_the_anchors_rows_and_every_change_is_logged(network, blank, tmp_path):
    figures = _figures(network)
    returns = tmp_path / "returns" / "2025"
    fill(blank, returns, "University A", figures, "university_a")
    fill(blank, returns, "NHS Trust B", figures, "nhs_trust_b")
    collect(returns, network, when="2026-05-01T09:00:00+00:00")
    fill(blank, returns, "University A", figures, "university_a",
         metrics=_metric(figures, "university_a", apprentices=321).query("metric != 'land_ha'"),
         not_reported=(*figures["university_a"]["not_reported"], "land_ha"))
    result = collect(returns, network, when="2026-05-02T09:00:00+00:00")
    assert result.version.name == "0003"
    log = pd.read_csv(network / "versions" / "changes.csv", dtype=str, keep_default_na=False)
    latest = log[log["version"] == "0003"]
    assert latest[["anchor_id", "table", "key", "change"]].values.tolist() == [
        ["university_a", "metrics", "apprentices", "changed"], ["university_a", "metrics", "land_ha", "removed"]]
    assert latest.iloc[0]["after"] == "value=321 unit=people" and latest.iloc[0]["time"] == "2026-05-02T09:00:00+00:00"
    assert latest.iloc[0]["before"].startswith("value=") and latest.iloc[0]["workbook"] == "University A 2025.xlsx"
    metrics = load_network(network).metrics.query("year == 2025")
    assert metrics.query("anchor_id == 'university_a' and metric == 'apprentices'")["value"].tolist() == [321]
    assert "land_ha" not in set(metrics.query("anchor_id == 'university_a'")["metric"])
    assert len(metrics.query("anchor_id == 'nhs_trust_b'")) == len(figures["nhs_trust_b"]["metrics"])
    assert (network / "versions" / "0002" / "metrics.csv").is_file()  # the version before it is kept


KILLER = """
import os, signal, sys
from anchor_analysis.collection import versions
calls = {{"n": 0}}
real = versions.{target}
def dying(*args, **kwargs):
    calls["n"] += 1
    if calls["n"] == {at}:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
versions.{target} = dying
from anchor_analysis.collection.collect import collect
collect(sys.argv[1], sys.argv[2])
"""


@pytest.mark.parametrize(("target", "at"), [("atomic_write_bytes", 2), ("_new_folder", 2)])
def test_a_collect_killed_mid_run_leaves_the_previous_version_intact(target, at, network, blank, tmp_path):
    figures = _figures(network)
    returns = tmp_path / "returns" / "2025"
    fill(blank, returns, "University A", figures, "university_a")
    original = snapshot(network)
    script = KILLER.format(target=target, at=at)
    done = subprocess.run([sys.executable, "-c", script, str(returns), str(network)], cwd=REPO, timeout=300)
    assert done.returncode == -signal.SIGKILL
    assert {n: (network / "versions" / "0001" / n).read_bytes() for n in TABLES} == {n: original[n] for n in TABLES}
    if target == "atomic_write_bytes":  # killed between replacing metrics.csv and progression.csv
        assert (network / "metrics.csv").read_bytes() != original["metrics.csv"]
        assert (network / "progression.csv").read_bytes() == original["progression.csv"]
        with pytest.raises(ValidationFailed, match="a collect was interrupted while it replaced the tables"):
            load_network(network)
    else:  # killed before the new version was in place: the current tables are untouched
        assert {n: (network / n).read_bytes() for n in TABLES} == {n: original[n] for n in TABLES}
        assert [p.name for p in version_folders(network)] == ["0001"]
    result = collect(returns, network)
    clean = tmp_path / "clean"
    shutil.copytree(DEMO_DIR, clean)
    collect(returns, clean)
    assert {n: (network / n).read_bytes() for n in TABLES} == {n: (clean / n).read_bytes() for n in TABLES}
    assert load_network(network).report.ok and (result.finished is not None) == (target == "atomic_write_bytes")


# --- status and coverage --------------------------------------------------------------------------------------


def test_status_counts_what_is_in_and_missing_and_gives_the_coverage_facts(network):
    status = return_status(load_network(network), 2024).set_index("anchor_id")
    assert status.at["nhs_trust_a", "progression"] == "13 of 13 activities"
    assert status.at["nhs_trust_a", "workbook"] == "none collected"
    reported = load_network(network).progression.query("year == 2024")["anchor_id"].nunique()
    assert int(status["has_progression"].sum()) == reported
    lines = coverage_statements(status.reset_index(), 2024, labels={"a": "Anchor A"})
    assert lines[0].startswith(f"Returns 2024/25: progression from {reported} of 13 members")
    page = status_html(status.reset_index(), 2024, load_network(network))
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page


# --- LibreOffice opens the workbooks without repair ------------------------------------------------------------


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs libreoffice-calc)")
def test_libreoffice_opens_templates_and_returns_without_repair(network, blank, tmp_path):
    figures = _figures(network)
    filled = fill(blank, tmp_path / "filled", "University A", figures, "university_a")
    for book in (blank / "NHS Trust A 2025.xlsx", filled):
        out = tmp_path / "lo" / book.stem
        done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                               "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,"
                               "false,false,-1", "--outdir", str(out), str(book)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        sheets = {p.name.removeprefix(f"{book.stem}-").removesuffix(".csv"): p for p in out.iterdir()}
        assert set(sheets) >= {"instructions", "progression", "metrics", "staff_residence", "ledger"}
        metrics = pd.read_csv(sheets["metrics"], dtype=str, keep_default_na=False)
        header = next(load_workbook(book)["metrics"].iter_rows(max_row=1, values_only=True))
        assert list(metrics.columns) == list(header)
        assert metrics["metric"].tolist()[0] == "headcount"
        pdf = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                              "--convert-to", "pdf", "--outdir", str(out), str(book)], capture_output=True,
                             text=True, timeout=300)
        assert pdf.returncode == 0 and (out / f"{book.stem}.pdf").stat().st_size > 1000
    values = pd.read_csv(tmp_path / "lo" / filled.stem / f"{filled.stem}-metrics.csv", dtype=str)
    typed = figures["university_a"]["metrics"].set_index("metric")["value"]
    assert float(values.set_index("metric").at["headcount", "value"]) == float(typed["headcount"])


def test_collected_outcomes_are_kept_for_status(network, blank, tmp_path):
    figures = _figures(network)
    returns = tmp_path / "returns" / "2025"
    fill(blank, returns, "University A", figures, "university_a")
    collect(returns, network)
    kept = json.loads((network / "versions" / "returns-2025.json").read_text())
    assert kept["university_a"]["state"] == TAKEN_IN and len(kept["university_a"]["sha256"]) == 64
    assert os.stat(network / "metrics.csv").st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_returned_ledger_for_a_year_an_export_already_covers_is_refused(network, tmp_path, public_data_dir):
    """A ledger in the workbook beside exports of the same year in ledger/<anchor_id>/ would count twice."""
    exports = network / "ledger" / "local_authority_a"
    exports.mkdir()
    lines = pd.DataFrame({"anchor_id": "local_authority_a", "payment_date": ["2025-05-01", "2025-06-01"],
                          "amount": [100.0, 50.0], "supplier_id": "S1", "supplier_name": "Acme Ltd",
                          "supplier_postcode": "LS1 1UR", "category": "ICT and digital"})
    lines.to_csv(exports / "2025-Q2.csv", index=False)
    before = snapshot(network)
    result = collect(REPO / "returns" / "demo" / "2025", network)
    outcome = next(o for o in result.outcomes if o.file == "Local Authority A 2025.xlsx")
    assert outcome.state == REFUSED
    assert any("ledger/local_authority_a/2025-Q2.csv" in f.rule and "count twice" in f.rule
               for f in outcome.failures)
    assert not (network / "ledger" / "local_authority_a_2025.csv").exists()
    assert all(snapshot(network)[name] == data for name, data in before.items() if name.startswith("ledger/"))
