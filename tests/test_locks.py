"""One run at a time on a folder: a second report or collect on the same folder refuses with a clear message or
waits (--wait), neither corrupts the other, and what a killed run left is cleared only by a run holding the lock."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from faults import YEAR, command, hold_lock, small_network, snapshot, stand_in_notebook, start, wait_for

from anchor_analysis.cli import main
from anchor_analysis.core.errors import FolderLocked
from anchor_analysis.core.locks import HOLDER_FILE, LOCK_FILE, folder_lock, lock_holder


@pytest.fixture()
def processed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Derived tables of the test's networks go into the test's own folder (in this process and its children)."""
    folder = tmp_path / "processed"
    monkeypatch.setenv("ANCHOR_ANALYSIS_PROCESSED", str(folder))
    return folder


def report_args(network: Path, out: Path, notebook: Path, *extra: str) -> list[str]:
    return ["report", "--year", str(YEAR), "--data-dir", str(network), "--out", str(out), "--formats", "html",
            "--notebooks", str(notebook), *extra]


def test_the_lock_names_its_holder_and_is_released_when_its_process_is_killed(tmp_path: Path) -> None:
    holder = hold_lock(tmp_path, "anchor-analysis report")
    try:
        assert lock_holder(tmp_path)["pid"] == holder.pid
        started = time.monotonic()
        with pytest.raises(FolderLocked, match=rf"in use by another run \(anchor-analysis report, process "
                                               rf"{holder.pid} on .*--wait SECONDS"):
            with folder_lock(tmp_path, "a second run", wait=0.5):
                pass
        assert time.monotonic() - started >= 0.5  # it waited as long as it was asked
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with folder_lock(tmp_path, "the next run", wait=5):  # the kernel let go of the killed process's lock
        assert lock_holder(tmp_path)["doing"] == "the next run"
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_FILE]
    assert HOLDER_FILE not in os.listdir(tmp_path)


def test_a_second_report_on_a_busy_folder_refuses_and_one_that_waits_runs_after_it(tmp_path: Path,
                                                                                    processed: Path) -> None:
    network, out = small_network(tmp_path / "network"), tmp_path / "out"
    slow = stand_in_notebook(tmp_path / "slow", sleep=8)
    first = start(command(*report_args(network, out, slow)))
    try:
        wait_for(lambda: (lock_holder(out) or {}).get("pid") == first.pid)
        wait_for(lambda: any(out.glob(".staging-*")))
        busy = sorted(p.name for p in out.iterdir())
        refused = CliRunner().invoke(main, report_args(network, out, stand_in_notebook(tmp_path / "quick")))
        assert refused.exit_code == 1
        assert f"is in use by another run (anchor-analysis report, process {first.pid}" in refused.output
        assert "--wait SECONDS" in refused.output
        # the refused run wrote nothing and took nothing of the first run's away (the first run goes on writing
        # inside its own staging folder meanwhile: the refused one validates the returns before it asks for the lock)
        assert sorted(p.name for p in out.iterdir()) == busy
        # started while the first run holds the folder (a run that does not wait is refused, as above), the run
        # with --wait can only succeed by waiting for the lock: it is let go when the first run's work has ended
        assert first.poll() is None and (lock_holder(out) or {}).get("pid") == first.pid
        waited = CliRunner().invoke(main, report_args(network, out, stand_in_notebook(tmp_path / "quick"),
                                                      "--wait", "300"))
        assert waited.exit_code == 0, waited.output
    finally:
        output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, output
    assert "leftover" not in output and "removed what a killed run left" not in waited.output
    table = out / str(YEAR) / "baseline" / "tables" / "metric_totals.csv"
    assert table.read_text().startswith("metric,value\n")
    assert not list(out.glob(".staging-*")) and not list(out.rglob("*.part"))


def test_staging_left_by_a_killed_run_is_cleared_only_by_a_run_holding_the_folder(tmp_path: Path,
                                                                                 processed: Path) -> None:
    network, out = small_network(tmp_path / "network"), tmp_path / "out"
    notebook = stand_in_notebook(tmp_path / "notebooks")
    leftover = out / ".staging-2023-k1ll3d" / "2023" / "baseline"
    leftover.mkdir(parents=True)
    (out / ".index.html.k1ll3d.part").write_text("<html>half")
    holder = hold_lock(out, "anchor-analysis report")
    try:
        result = CliRunner().invoke(main, report_args(network, out, notebook))
        assert result.exit_code == 1 and "is in use by another run" in result.output
        assert leftover.is_dir() and (out / ".index.html.k1ll3d.part").is_file()  # another run's, maybe
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    result = CliRunner().invoke(main, report_args(network, out, notebook))
    assert result.exit_code == 0, result.output
    assert "removed what a killed run left in" in result.output and ".staging-2023-k1ll3d" in result.output
    assert not list(out.glob(".staging-*")) and not list(out.glob("*.part"))


def test_a_run_killed_between_its_two_renames_gets_its_previous_year_back(tmp_path: Path, processed: Path) -> None:
    """Where the two folders cannot be swapped in one step: the old year waits in the staging folder."""
    network, out = small_network(tmp_path / "network"), tmp_path / "out"
    notebook = stand_in_notebook(tmp_path / "notebooks")
    assert CliRunner().invoke(main, report_args(network, out, notebook)).exit_code == 0
    before = snapshot(out / str(YEAR))
    staging = out / ".staging-2023-k1ll3d"
    staging.mkdir()
    os.replace(out / str(YEAR), staging / "previous")  # the first rename done, the second not
    (staging / str(YEAR)).mkdir()
    from anchor_analysis.reporting.run import clear_leftovers

    with folder_lock(out, "the next run"):
        assert clear_leftovers(out) == [".staging-2023-k1ll3d"]
    assert snapshot(out / str(YEAR)) == before


def test_a_second_collect_into_a_busy_network_refuses(tmp_path: Path) -> None:
    network = small_network(tmp_path / "network")
    (tmp_path / "returns").mkdir()
    versions = network / "versions"
    holder = hold_lock(versions, "anchor-analysis collect")
    try:
        result = CliRunner().invoke(main, ["collect", str(tmp_path / "returns"), "--into", str(network)])
        assert result.exit_code == 1
        assert f"is in use by another run (anchor-analysis collect, process {holder.pid}" in result.output
        (versions / ".staging-other").mkdir()  # the other collect's version being written
        result = CliRunner().invoke(main, ["collect", str(tmp_path / "returns"), "--into", str(network),
                                           "--wait", "0.2"])
        assert result.exit_code == 1 and (versions / ".staging-other").is_dir()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    result = CliRunner().invoke(main, ["collect", str(tmp_path / "returns"), "--into", str(network)])
    assert "in use" not in result.output and "no returned workbooks" in result.output, result.output
    assert not (versions / ".staging-other").exists()  # cleared by a collect holding the folder


def test_two_builds_of_one_network_at_once_build_it_once(tmp_path: Path, processed: Path) -> None:
    from anchor_analysis.derived import processed_network
    from anchor_analysis.derived.store import processed_root

    network = small_network(tmp_path / "network")
    root = processed_root(network)
    (root / ".build-abc123-k1ll3d").mkdir(parents=True)  # a build killed earlier
    holder = hold_lock(root, "building derived tables")
    results = []
    waiting = threading.Thread(target=lambda: results.append(processed_network(network)))
    waiting.start()
    time.sleep(1.0)
    assert waiting.is_alive() and (root / ".build-abc123-k1ll3d").is_dir()  # waiting, nothing cleared
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    waiting.join(120)
    assert results[0].rebuilt and not (root / ".build-abc123-k1ll3d").exists()
    assert not processed_network(network).rebuilt
