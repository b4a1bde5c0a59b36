"""The conda environment.yml and pyproject.toml must list the same dependencies with the same minimum versions."""

from __future__ import annotations

import re
import tomllib

from conftest import REPO

# PyPI name -> conda-forge name, where they differ
CONDA_NAMES = {"duckdb": "python-duckdb", "matplotlib": "matplotlib-base"}


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    out = {}
    for req in reqs:
        name, spec = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", req).groups()
        out[CONDA_NAMES.get(name.lower(), name.lower())] = spec.replace(" ", "")
    return out


def _environment_requirements() -> dict[str, str]:
    out = {}
    text = (REPO / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.fullmatch(r"  - ([A-Za-z0-9_.\-]+)\s*([<>=!~].*)?", line)
        if m and m.group(1) not in {"python", "pip"}:
            out[m.group(1).lower()] = (m.group(2) or "").replace(" ", "")
    return out


def test_environment_yml_matches_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_python_floor_matches():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "  - python>=3.11" in (REPO / "environment.yml").read_text().splitlines()
