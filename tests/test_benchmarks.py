"""The benchmark harness runs end to end at its smallest scale, so it does not rot. It asserts no
timing: speed is measured and written down by `python -m benchmarks`, never tested."""

import json
import shutil
import subprocess
import sys

import pytest

from benchmarks.report import write_report
from graph.settings import PROJECT_ROOT
from tests.helpers import port

pytestmark = pytest.mark.neo4j  # the benchmark starts a Neo4j server of its own


def test_quick_benchmark_runs_every_measurement(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-docs", "--results", str(tmp_path),
         "--home", str(tmp_path / "neo4j"), "--bolt-port", str(port(7709)), "--http-port", str(port(7719)),
         "--heap", "1g", "--pagecache", "512m"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "benchmarks --quick ok" in done.stdout
    result = json.loads((tmp_path / "quick.json").read_text())
    assert result["imports"] and result["queries"], "imports and queries were measured"
    # --quick resolves 1,000 rows drawn from the graph: a quarter under new ids with their exact names
    assert result["resolution"]["rows"] == 1000 and result["resolution"]["merged"] > 0
    pictures = json.loads((tmp_path / "quick-pictures.json").read_text())["pictures"]
    assert {row["nodes"] for row in pictures} >= {100, 500}
    # the page docs/benchmarks.md is written from such results
    shown = tmp_path / "as-a-scale"
    shown.mkdir()
    shutil.copy(tmp_path / "quick.json", shown / "10k.json")
    shutil.copy(tmp_path / "quick-pictures.json", shown / "pictures.json")
    shutil.copy(tmp_path / "quick.json", shown / "resolution-10k.json")
    page = write_report(tmp_path / "benchmarks.md", results=shown).read_text()
    for line in ("| 10k | ours streaming (influence import jsonl, subprocess) |", "| 10k | ours (write_dataset) |",
                 "| 10k | ours streaming (CLI) | (a) naive |", "| entity-profile | lookup |", "## 3. Pictures",
                 "## 6. Entity resolution at scale"):
        assert line in page, line
