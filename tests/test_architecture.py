"""The layers of docs/architecture.md, as import-linter contracts (pyproject.toml, [tool.importlinter]):
the tree keeps them, and an import that breaks one fails this test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.settings import PROJECT_ROOT

PACKAGES = ("graph", "cypher", "importers", "influence_graph")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports over the packages found under `root` (first on the path), with its pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_tree_keeps_every_layer_contract():
    done = lint_imports(PROJECT_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


# Each a file and an import that runs against the layers: up from the base, between the query library
# and the importers, between two formats, and the cycle the connection and the local server had.
BREAKS = {
    "base imports the query library": ("graph/records.py", "import cypher", "Layers: the application on top"),
    "base imports the application": ("graph/schema.py", "import influence_graph", "Layers: the application on top"),
    "importers import the query library": ("importers/resolve.py", "import cypher", "Layers: the application on top"),
    "one format imports another": ("importers/seed/__init__.py", "import importers.tabular", "The importers: one folder"),
    "server imports the connection": ("graph/server.py", "import graph.db", "The base: the writer"),
}


@pytest.mark.parametrize("name", BREAKS)
def test_an_import_against_the_layers_fails(name, tmp_path):
    file, line, contract = BREAKS[name]
    for package in PACKAGES:
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / file
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # added by the test\n", encoding="utf-8")
    done = lint_imports(tmp_path)
    assert done.returncode != 0, done.stdout
    assert "1 broken" in done.stdout
    broken = done.stdout[done.stdout.index("Broken contracts"):]
    assert contract in broken, broken
