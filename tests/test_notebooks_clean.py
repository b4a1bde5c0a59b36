"""Every notebook in notebooks/ is committed clean and runnable by the batch run (anchor_analysis.reporting).

Clean: no outputs, no execution counts, not an executed copy. Runnable: exactly one cell tagged ``parameters``
that assigns year (an int), data_dir, output_dir and place (strings), and the kernelspec ``python3``.
Parametrised over the notebooks present: while the folder is empty pytest reports the test as an empty
parameter set.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from anchor_analysis.reporting import KERNEL_NAME, PARAMETERS

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
TYPES = {"year": int, "data_dir": str, "output_dir": str, "place": str}


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request: pytest.FixtureRequest) -> nbformat.NotebookNode:
    return nbformat.read(request.param, as_version=4)


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def test_committed_without_outputs(notebook: nbformat.NotebookNode) -> None:
    dirty = [i for i, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"cells {dirty} have outputs or execution counts: clear them before committing"
    assert not any("injected-parameters" in _tags(cell) for cell in notebook.cells), "an executed copy, not a source"
    assert "papermill" not in notebook.metadata, "an executed copy (papermill metadata), not a source"


def test_one_parameters_cell_with_the_report_parameters(notebook: nbformat.NotebookNode) -> None:
    cells = [cell for cell in notebook.cells if "parameters" in _tags(cell)]
    assert len(cells) == 1, f"{len(cells)} cells are tagged 'parameters'; exactly one must be"
    assert cells[0].cell_type == "code"
    values = {}
    for node in ast.parse(cells[0].source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) and node.value is not None else []
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    values[target.id] = node.value
    missing = [name for name in PARAMETERS if name not in values]
    assert not missing, f"the parameters cell does not assign {missing}"
    for name, kind in TYPES.items():
        assert type(values[name]) is kind, f"parameter {name} must default to a {kind.__name__} literal"


def test_kernel_is_python3(notebook: nbformat.NotebookNode) -> None:
    assert notebook.metadata.get("kernelspec", {}).get("name") == KERNEL_NAME
