"""A full disk met by ``report``, ``collect`` or a derived build: a clear message naming the file, exit 1, no
traceback, and nothing that was in place changed (no half-written file, no leftover staging).

The disk is filled by injection: from a chosen moment every write of file content into the folder under test fails
with ENOSPC, as the system call does on a full disk (a small tmpfs cannot be mounted in CI); Arrow, which writes
Parquet itself, is pointed at /dev/full, where every write meets ENOSPC from the kernel."""

from __future__ import annotations

import errno
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from faults import YEAR, small_network, snapshot, stand_in_notebook

from anchor_analysis.cli import main
from anchor_analysis.core.errors import DiskFull
from anchor_analysis.derived import processed_network


@pytest.fixture()
def processed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "processed"
    monkeypatch.setenv("ANCHOR_ANALYSIS_PROCESSED", str(folder))
    return folder


def fill_disk(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """From now on, writing content into a file under ``folder`` fails as on a full disk; the files refused."""
    refused: list[str] = []
    real_open = io.open

    def full_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if isinstance(file, str | Path) and any(c in mode for c in "wax+") and Path(file).resolve().is_relative_to(
                folder.resolve()):
            write = handle.write

            def no_room(data):
                if not data:
                    return write(data)
                refused.append(str(file))
                raise OSError(errno.ENOSPC, "No space left on device", str(file))

            handle.write = no_room
        return handle

    monkeypatch.setattr("builtins.open", full_open)
    monkeypatch.setattr(io, "open", full_open)
    return refused


def said_clearly(result) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "no space left on the disk: could not write" in result.output and "free some space" in result.output


@pytest.mark.usefixtures("public_data_dir", "processed")
def test_a_report_on_a_full_disk_says_so_and_keeps_the_previous_year(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    network = small_network(tmp_path / "network")
    out = tmp_path / "out"
    args = ["report", "--year", str(YEAR), "--data-dir", str(network), "--out", str(out), "--formats", "html",
            "--notebooks", str(stand_in_notebook(tmp_path / "notebooks"))]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    refused = fill_disk(monkeypatch, out)
    result = CliRunner().invoke(main, args)
    monkeypatch.undo()
    said_clearly(result)
    assert refused, "no write into the output folder was refused: the injection did not happen"
    assert snapshot(out) == before  # the previous year, index.html and all, as it was; no staging, no .part


@pytest.mark.usefixtures("public_data_dir")
def test_a_derived_build_on_a_full_disk_says_so_and_leaves_no_build(tmp_path: Path, processed: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    network = small_network(tmp_path / "network", ledgers=2)
    processed.mkdir()
    refused = fill_disk(monkeypatch, processed)
    real = pd.DataFrame.to_parquet
    monkeypatch.setattr(pd.DataFrame, "to_parquet",  # Arrow writes the tables itself: onto a device that is full
                        lambda self, path, *args, **kwargs: refused.append(str(path)) or real(self, "/dev/full",
                                                                                             *args, **kwargs))
    with pytest.raises(DiskFull, match="no space left on the disk: could not write"):
        processed_network(network)
    monkeypatch.undo()
    assert refused
    assert not [p for p in processed.rglob("*") if p.is_file() and not p.name.startswith(".anchor-analysis.lock")]
    assert processed_network(network).rebuilt  # with room again, the next run builds it


@pytest.mark.usefixtures("public_data_dir")
def test_a_collect_on_a_full_disk_says_so_and_leaves_the_tables(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from test_collection import YEAR as RETURNS_YEAR
    from test_collection import _figures, fill

    from anchor_analysis.collection.templates import write_templates
    from conftest import DEMO_DIR

    network = tmp_path / "network"
    shutil.copytree(DEMO_DIR, network)
    returns = tmp_path / "returns" / str(RETURNS_YEAR)
    write_templates(network, RETURNS_YEAR, tmp_path / "templates")
    fill(tmp_path / "templates", returns, "University A", _figures(network), "university_a")
    before = snapshot(network)
    refused = fill_disk(monkeypatch, network)
    result = CliRunner().invoke(main, ["collect", str(returns), "--into", str(network), "--accept-warnings"])
    monkeypatch.undo()
    said_clearly(result)
    assert refused
    after = snapshot(network)
    assert {k: v for k, v in after.items() if ".anchor-analysis.lock" not in k} == \
           {k: v for k, v in before.items() if ".anchor-analysis.lock" not in k}
