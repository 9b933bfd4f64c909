"""The benchmark harness runs end to end at its smallest scale, so it does not rot. It asserts no
timing: speed is measured and written down by `python -m benchmarks`, never tested."""

import json
import subprocess
import sys

from graph.settings import PROJECT_ROOT


def test_quick_benchmark_runs_every_measurement(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-docs", "--results", str(tmp_path),
         "--home", str(tmp_path / "neo4j"), "--bolt-port", "7709", "--http-port", "7719",
         "--heap", "1g", "--pagecache", "512m"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "benchmarks --quick ok" in done.stdout
    result = json.loads((tmp_path / "quick.json").read_text())
    assert result["imports"] and result["queries"], "imports and queries were measured"
    pictures = json.loads((tmp_path / "quick-pictures.json").read_text())["pictures"]
    assert {row["nodes"] for row in pictures} >= {100, 500}
