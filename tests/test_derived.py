"""A network's derived tables: built once, reused while nothing changes, rebuilt when anything does, never half
written, never written beside the raw files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from anchor_analysis.contracts import check_network, load_network
from anchor_analysis.core.errors import ValidationFailed
from anchor_analysis.core.files import ordinary_file_mode, sha256_file
from anchor_analysis.core.settings import PROCESSED_ENV
from anchor_analysis.derived import build, fingerprint, network, processed_network, processed_root, store


@pytest.fixture
def copy(tmp_path: Path, demo_dir: Path) -> Path:
    """The demo network copied into a project layout of its own (``<tmp>/data/raw/net``)."""
    target = tmp_path / "data" / "raw" / "net"
    shutil.copytree(demo_dir, target)
    return target


def _builds(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def test_built_once_then_reused(copy: Path, public_data_dir: Path) -> None:
    first = processed_network(copy)
    again = processed_network(copy)
    assert first.rebuilt and not again.rebuilt
    assert first.key == again.key and again.processed_dir == first.processed_dir
    assert _builds(processed_root(copy)) == [first.key]


def test_tables_are_the_validated_tables(copy: Path, public_data_dir: Path) -> None:
    derived, direct = processed_network(copy), load_network(copy)
    for name in build.TABLES:
        pd.testing.assert_frame_equal(getattr(derived, name), getattr(direct, name), check_like=False)
    report, _ = check_network(copy, ledgers=True)
    assert derived.name == direct.name and derived.synthetic
    assert derived.report.format() == report.format()  # the warnings of the validation, ledgers included


def test_a_changed_input_rebuilds_and_the_old_build_goes(copy: Path, public_data_dir: Path) -> None:
    before = processed_network(copy)
    metrics = pd.read_csv(copy / "metrics.csv", dtype="str")
    row = metrics.index[(metrics["metric"] == "headcount") & (metrics["year"] == "2023")][0]
    metrics.loc[row, "value"] = "12345"
    metrics.to_csv(copy / "metrics.csv", index=False)
    after = processed_network(copy)
    assert after.rebuilt and after.key != before.key
    assert _builds(processed_root(copy)) == [after.key]
    assert 12345.0 in after.metrics["value"].tolist()


def test_a_kit_change_rebuilds(copy: Path, public_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = processed_network(copy)
    monkeypatch.setattr(fingerprint, "kit_digest", lambda: "a different version of the kit")
    after = processed_network(copy)
    assert after.rebuilt and after.key != before.key


def test_a_failed_build_leaves_the_previous_one_and_no_half_build(copy: Path, public_data_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    before = processed_network(copy)
    (copy / "sites.csv").write_text((copy / "sites.csv").read_text() + "\n")  # a new key, same content
    monkeypatch.setattr(build, "classify_ledgers", lambda net, **_: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError, match="killed"):
        processed_network(copy)
    root = processed_root(copy)
    assert [p.name for p in root.iterdir() if p.name.startswith(".build-")] == []
    assert _builds(root) == [before.key] and store.read_manifest(root / before.key) is not None


def test_invalid_returns_are_refused_and_nothing_is_written(copy: Path, public_data_dir: Path) -> None:
    text = (copy / "progression.csv").read_text().splitlines()
    header, first = text[0].split(","), text[1].split(",")
    first[header.index("current")] = "5"
    (copy / "progression.csv").write_text("\n".join([text[0], ",".join(first), *text[2:]]) + "\n")
    with pytest.raises(ValidationFailed) as caught:
        processed_network(copy)
    assert "progression.csv row 2, column 'current': value '5'" in str(caught.value)
    assert _builds(processed_root(copy)) == []


def test_processed_sits_beside_raw_with_ordinary_permissions(copy: Path, public_data_dir: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROCESSED_ENV)
    derived = processed_network(copy)
    assert derived.processed_dir == copy.parents[1] / "processed" / "net" / derived.key
    for path in derived.processed_dir.iterdir():
        assert path.stat().st_mode & 0o777 == ordinary_file_mode(), path.name


def test_raw_files_are_never_changed(copy: Path, public_data_dir: Path) -> None:
    before = {p: sha256_file(p) for p in fingerprint.input_files(copy)}
    processed_network(copy)
    processed_network(copy, rebuild=True)
    assert {p: sha256_file(p) for p in fingerprint.input_files(copy)} == before


def test_unchanged_files_are_not_hashed_again(copy: Path, public_data_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    processed_network(copy)
    hashed = []
    monkeypatch.setattr(fingerprint, "sha256_file", lambda path: hashed.append(path) or "x")
    assert not processed_network(copy).rebuilt
    assert hashed == []


def test_a_folder_that_cannot_be_written_only_costs_time(copy: Path, public_data_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(root, key):
        raise PermissionError(f"{root} is read-only")

    monkeypatch.setattr(network, "new_build", refuse)
    derived = processed_network(copy)
    assert derived.processed_dir is None and derived.ledger is not None and len(derived.anchors)
