"""How fast, and in how much memory, every importer refuses 50 MB of garbage:
`.venv/bin/python -m benchmarks.bad_input` (no database needed: each import fails on reading).

Two files, written into a temporary folder and never committed: random bytes, and random printable
text with commas, quotes, braces and colons (a 10 MB first line, then short lines), which passes any
decoder. Each importer runs as `influence import ...` in a child process whose address space is
capped, so that a regression fails with a MemoryError rather than taking the machine. The wall time
and peak resident memory go to results/bad-input.json and section 7 of docs/benchmarks.md;
tests/test_bad_input.py checks the same runs for a clear error and an unchanged database.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.settings import PROJECT_ROOT

RESULTS = Path(__file__).resolve().parent / "results" / "bad-input.json"
GARBAGE_BYTES = 50 * 2**20
ADDRESS_SPACE = 6 * 2**30  # the child's ceiling (virtual memory)
TARGET_SECONDS, TARGET_RSS_MB = 20, 1000  # refused fast, without eating memory (marked in the report)
HANG_SECONDS = 600  # a child still running then is killed: it hangs
FILE_NAMES = {"seed": "garbage.yaml", "tabular": "garbage.csv", "gcdf": "garbage.csv", "ftm": "garbage.ftm.json",
              "bods": "garbage.json"}
SHEET_MAPPING = PROJECT_ROOT / "tests" / "fixtures" / "bad" / "ownership.yaml"  # the tabular import's mapping


def write_garbage(folder: Path, seed: int = 20240501) -> dict[str, Path]:
    """The two garbage files, "binary" and "text", in `folder` (the same bytes for one seed)."""
    rng = random.Random(seed)
    binary = folder / "binary"
    binary.write_bytes(rng.randbytes(GARBAGE_BYTES))
    alphabet = b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 ,;\"'{}[]:.-_"
    one_line = bytes(alphabet[i % len(alphabet)] for i in range(256))
    lines = one_line[:255] + b"\n"  # 1 byte in 256 ends a line
    text = folder / "text"
    with text.open("wb") as handle:
        handle.write(rng.randbytes(10 * 2**20).translate(one_line) + b"\n")
        handle.write(rng.randbytes(GARBAGE_BYTES - 10 * 2**20 - 1).translate(lines))
    return {"binary": binary, "text": text}


def placed(importer: str, garbage: Path, folder: Path) -> tuple[Path, list[str]]:
    """The garbage linked (no copy) under the name `importer` reads, and the `influence` arguments that import it."""
    target = (folder / "seed" if importer == "seed" else folder) / FILE_NAMES[importer]
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(garbage, target)
    if importer == "seed":
        return target, ["import", "seed", "--path", str(target.parent)]
    mapping = ["--mapping", str(SHEET_MAPPING)] if importer == "tabular" else []
    return target, ["import", importer, str(target), *mapping]


@dataclass
class Run:
    status: int  # the exit code; -9 where it was killed as hanging
    stderr: str
    seconds: float
    rss_mb: float  # peak resident memory of the child


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_measured(args: list[str], env: dict | None = None) -> Run:
    """`influence ARGS` in a child process, with its wall time and peak resident memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "influence_graph.cli", *args], env=env, cwd=PROJECT_ROOT,
                                   stdout=out, stderr=err, preexec_fn=_limit_memory)
        timer = threading.Timer(HANG_SECONDS, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        elapsed = time.monotonic() - started
        err.seek(0)
        return Run(os.waitstatus_to_exitcode(status), err.read().decode("utf-8", "replace"), elapsed,
                   usage.ru_maxrss / 1024)


def start_up() -> Run:
    """`influence --help`: what any command costs before it reads a byte."""
    return run_measured(["--help"])


def main() -> Path:
    load, runs = os.getloadavg(), []
    with tempfile.TemporaryDirectory() as folder:
        garbage = write_garbage(Path(folder))
        for kind, path in garbage.items():
            for importer in FILE_NAMES:
                here = Path(folder) / f"{importer}-{kind}"
                _, args = placed(importer, path, here)
                run = run_measured(args)
                print(f"{importer:8} {kind:6}: exit {run.status}, {run.seconds:.1f} s, peak RSS {run.rss_mb:.0f} MB",
                      flush=True)
                runs.append({"importer": importer, "kind": kind, "exit": run.status, "seconds": run.seconds,
                             "rss_mb": run.rss_mb, "message_bytes": len(run.stderr)})
    idle = start_up()
    RESULTS.write_text(json.dumps({
        "date": datetime.now(UTC).strftime("%Y-%m-%d"), "load_average_at_start": load,
        "garbage_mb": GARBAGE_BYTES / 2**20, "target_seconds": TARGET_SECONDS, "target_rss_mb": TARGET_RSS_MB,
        "start_up": {"seconds": idle.seconds, "rss_mb": idle.rss_mb},
        "runs": runs}, indent=2) + "\n")
    return RESULTS


if __name__ == "__main__":
    print(main())
