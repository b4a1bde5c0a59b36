"""The kit's shape, checked: stages import one way, rooms stay small, every error has one home and one base."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import anchor_analysis
from anchor_analysis.core import errors
from conftest import REPO

PACKAGE = REPO / "anchor_analysis"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
LONGER_FUNCTIONS: dict[str, str] = {}
"""``module:function`` -> why it is kept longer than MAX_FUNCTION_LINES (listed in the closing note too)."""


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(anchor_analysis.__path__, "anchor_analysis."))


def test_import_linter_contracts_are_kept():
    """Upward imports between stages, and import cycles between sibling modules, break the build."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(REPO / "pyproject.toml"), "--no-cache"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_every_package_says_what_comes_in_and_what_goes_out():
    for name in _modules():
        module = importlib.import_module(name)
        if hasattr(module, "__path__"):
            doc = inspect.getdoc(module) or ""
            assert len(doc.split()) >= 20, f"{name}: its __init__ docstring should say what comes in and goes out"


def test_no_module_is_several_rooms():
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= MAX_MODULE_LINES, f"{path.relative_to(REPO)} has {lines} lines: split it by purpose"


def _function_lengths(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[0]
            docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                and isinstance(first.value.value, str)
            start = body[1].lineno if docstring and len(body) > 1 else first.lineno
            yield node.name, node.end_lineno - start + 1


def test_no_function_is_longer_than_it_reads():
    """Function bodies (docstrings aside) stay within MAX_FUNCTION_LINES, or are listed with the reason."""
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(REPO).with_suffix("").as_posix().replace("/", ".")
        for name, lines in _function_lengths(path):
            if lines > MAX_FUNCTION_LINES and f"{module}:{name}" not in LONGER_FUNCTIONS:
                too_long.append(f"{module}:{name} ({lines} lines)")
    assert not too_long, "split into a public function over private steps: " + ", ".join(too_long)


def test_every_error_lives_in_core_errors_under_one_base():
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if not (inspect.isclass(value) and issubclass(value, BaseException)):
                continue
            if value.__module__ != name:
                continue  # imported, not defined here
            assert name == "anchor_analysis.core.errors", f"{name}.{attr}: define errors in anchor_analysis.core.errors"
    for attr, value in vars(errors).items():
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == errors.__name__:
            assert issubclass(value, errors.AnchorAnalysisError), f"{attr} must derive from AnchorAnalysisError"


@pytest.mark.parametrize("error", [errors.DisclosureError, errors.ValidationFailed, errors.ReportError])
def test_kit_errors_are_not_assertions(error):
    assert not issubclass(error, AssertionError)
