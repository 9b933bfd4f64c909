"""One command for the whole benchmark suite: `.venv/bin/python -m benchmarks [--scales 10k,100k,1M] [--quick]`.

Per scale: generate the synthetic graph; import it with our writer at several batch sizes, with
`influence import jsonl` streaming the graph from a JSON-lines file in a subprocess, with a
naive per-row MERGE loop (on a sample, extrapolated), with LOAD CSV in transactions and with the
offline neo4j-admin importer; then resolve an import of 10,000 entity rows against the loaded graph
(benchmarks/resolution.py) and time every canned query on it. Once per run: the
pictures. Results go to benchmarks/results/<scale>.json (quick.json for --quick) and, unless
--quick, into docs/benchmarks.md. `--quick` runs the smallest scale in well under two minutes and
exits non-zero on any error. Timings never fail anything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from graph.writer import with_derived

from . import imports, pictures, queries, resolution
from .generate import generate
from .target import DEFAULT_HOME, Target, env_uri

RESULTS = Path(__file__).resolve().parent / "results"


def parse_scale(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def label(scale: int) -> str:
    return f"{scale // 1_000_000}M" if scale % 1_000_000 == 0 else f"{scale // 1000}k"


def machine(target: Target) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    with target.driver.session(database="system") as session:
        record = session.run("CALL dbms.components() YIELD name, versions, edition "
                             "RETURN name, versions[0] AS version, edition").single()
    neo4j = f"{record['name']} {record['version']} {record['edition']}"
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "kernel": platform.release(), "python": platform.python_version(), "java": target.java_version(),
            "neo4j": neo4j, "server": (f"dedicated LocalServer (heap {target.server.heap}, page cache {target.server.pagecache})"
                       if target.server else target.uri),
            "load_average_at_start": os.getloadavg(),
            "chromium": chromium_version()}


def chromium_version() -> str:
    """Chromium's version, or that it is missing (only the pictures need it; --no-pictures runs without)."""
    try:
        return subprocess.run([pictures.CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        return f"no Chromium at {pictures.CHROMIUM}"


def run_scale(target: Target, scale: int, args, errors: list[str]) -> dict:
    out: dict = {"scale": scale, "label": label(scale)}
    print(f"== {label(scale)}: generating", flush=True)
    started = time.perf_counter()
    dataset, picks = generate(scale, seed=args.seed)
    out["generate_s"] = time.perf_counter() - started
    out["nodes"], out["rels"] = len(dataset.nodes), len(dataset.relationships)
    labels, types = dataset.counts()
    out["labels"], out["types"] = dict(labels), dict(types)
    started = time.perf_counter()
    problems = dataset.problems()
    out["problems"] = len(problems)
    out["problem_examples"] = [str(p) for p in problems[:5]]
    out["validate_s"] = time.perf_counter() - started
    print(f"   {out['nodes']} nodes, {out['rels']} relationships in {out['generate_s']:.1f} s; "
          f"{out['problems']} schema problems (validated in {out['validate_s']:.1f} s)", flush=True)
    if out["problems"]:
        errors.append(f"{label(scale)}: the generated dataset has {out['problems']} schema problems: "
                      + "; ".join(out["problem_examples"]))
        return out
    started = time.perf_counter()
    for node in dataset.nodes.values():  # matchNames, as the writer derives them, for the CSV baselines too
        node.props = with_derived(dataset.schema, node.label, node.props)
    out["derive_s"] = time.perf_counter() - started
    runs = []

    def attempt(name, fn, *a):
        print(f"   import: {name} ...", flush=True)
        try:
            result = fn(*a)
        except Exception as error:  # noqa: BLE001
            traceback.print_exc()
            errors.append(f"{label(scale)} import {name}: {type(error).__name__}: {error}")
            result = {"method": name, "error": f"{type(error).__name__}: {error}"[:800]}
        if result.get("error"):
            errors.append(f"{label(scale)} import {name}: {result['error'][:300]}")
        runs.append(result)
        if "seconds" in result:
            print(f"     {result['seconds']:.1f} s, {result['nodes_per_s']:.0f} nodes/s, "
                  f"{result['rels_per_s']:.0f} rels/s" + (" (extrapolated)" if result.get("extrapolated") else "")
                  + (f", peak RSS {result['rss_peak_mb']:.0f} MB" if "rss_peak_mb" in result else ""),
                  flush=True)
        return result

    large = scale > args.curve_max
    if args.admin_only:
        attempt("admin", imports.admin_import, target, dataset)
    elif not args.no_baselines:
        attempt("naive", imports.naive, target, dataset, args.naive_sample if not large else args.naive_sample // 4)
        if not large or args.full_load_csv:
            attempt("load-csv", imports.load_csv, target, dataset)
    sizes = (args.batch_sizes if scale <= 10_000 else [int(x) for x in args.mid_batch_sizes.split(",")]
             if not large else [args.batch_size_large])
    for size in sizes if not args.admin_only else []:
        attempt(f"ours batch {size}", imports.ours, target, dataset, size, args.deadline if large else None)
    if not args.no_stream and not args.admin_only:
        attempt(f"ours streaming batch {args.stream_batch_size}", imports.streaming, target, dataset,
                args.stream_batch_size, args.stream_deadline)
    if not args.no_baselines and not args.no_admin and not args.admin_only:  # last: it leaves the graph for the queries
        if not args.no_bulk:
            attempt("bulk", imports.bulk_path, target, dataset)
        attempt("admin", imports.admin_import, target, dataset)
    out["imports"] = runs
    if args.resolution_rows:
        print(f"== {label(scale)}: entity resolution of {args.resolution_rows} rows", flush=True)
        try:
            out["resolution"] = resolution.measure(target, dataset, args.resolution_rows)
            print(f"   {out['resolution']['seconds']:.1f} s against {out['resolution']['graph_nodes']:,} nodes", flush=True)
        except Exception as error:  # noqa: BLE001
            traceback.print_exc()
            errors.append(f"{label(scale)} resolution: {type(error).__name__}: {error}")
    if not args.no_queries:
        print(f"== {label(scale)}: queries", flush=True)
        rows = queries.measure(target.driver, picks, target.database, reps=args.reps, budget_s=args.query_budget,
                              timeout_s=args.query_timeout)
        errors += [f"{label(scale)} query {r['query']}: {r['error']}" for r in rows if "error" in r]
        out["queries"] = rows
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10k,100k,1M", help="comma-separated node counts (10k, 100k, 1M)")
    parser.add_argument("--quick", action="store_true", help="smallest scale, few repetitions, < 2 min; "
                        "exits non-zero on any error")
    parser.add_argument("--uri", default=env_uri()[0], help="use this server (INFLUENCE_BENCH_NEO4J_URI) "
                        "instead of starting the dedicated local one; its database is emptied!")
    parser.add_argument("--password", default=env_uri()[1], help="INFLUENCE_BENCH_NEO4J_PASSWORD")
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="the dedicated local server's home")
    parser.add_argument("--bolt-port", type=int, default=7705)
    parser.add_argument("--http-port", type=int, default=7715)
    parser.add_argument("--heap", default="2g", help="the dedicated local server's heap")
    parser.add_argument("--pagecache", default="2g", help="the dedicated local server's page cache")
    parser.add_argument("--keep-server", action="store_true", help="leave the local server running")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-sizes", default="500,1000,5000,10000")
    parser.add_argument("--mid-batch-sizes", default="1000,5000", help="batch sizes above 10k up to --curve-max")
    parser.add_argument("--curve-max", type=int, default=100_000, help="largest scale to run the batch-size curve on")
    parser.add_argument("--batch-size-large", type=int, default=5000, help="batch size above --curve-max")
    parser.add_argument("--deadline", type=float, default=600.0,
                        help="above --curve-max, stop our import after this many seconds and report the rate so far "
                             "(the offline importer then loads the whole graph for the queries)")
    parser.add_argument("--full-load-csv", action="store_true", help="also run LOAD CSV above --curve-max")
    parser.add_argument("--naive-sample", type=int, default=2000, help="relationships in the naive sample")
    parser.add_argument("--reps", type=int, default=30, help="timed runs per query")
    parser.add_argument("--query-timeout", type=float, default=300.0,
                        help="seconds after which the server ends one query run (recorded as an error)")
    parser.add_argument("--query-budget", type=float, default=20.0, help="seconds per query and scale, at most")
    parser.add_argument("--picture-sizes", default="100,500,2000,10000")
    parser.add_argument("--plain-timeout", type=float, default=60.0, help="seconds to wait for plain pyvis")
    parser.add_argument("--picture-kind", default="financing",
                        help="layout: financing (layered, pure Python) or force (needs scipy from 500 nodes)")
    parser.add_argument("--stream-batch-size", type=int, default=5000,
                        help="batch size of the streaming import (`influence import jsonl` in a subprocess)")
    parser.add_argument("--no-stream", action="store_true", help="skip the streaming import")
    parser.add_argument("--stream-deadline", type=float, default=None,
                        help="stop the streaming import after this many seconds (Ctrl-C) and report the rate so far; "
                             "by default it runs to the end at every scale")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-admin", action="store_true", help="skip the offline imports (raw and ours bulk)")
    parser.add_argument("--no-bulk", action="store_true", help="skip `influence import bulk`'s path")
    parser.add_argument("--admin-only", action="store_true",
                        help="load the graph with the offline importer only (no other import), to measure queries "
                             "and resolution: the scale's import results are then not written, only "
                             "queries-<scale>.json and resolution-<scale>.json")
    parser.add_argument("--resolution-rows", type=int, default=10_000,
                        help="entity rows resolved against each scale's graph (0: skip)")
    parser.add_argument("--no-queries", action="store_true")
    parser.add_argument("--no-pictures", action="store_true")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON results")
    args = parser.parse_args(argv)
    if args.quick:
        args.scales = args.scales if "--scales" in (argv or sys.argv) else "10k"
        args.batch_sizes, args.naive_sample, args.reps, args.query_budget = "5000", 40, 3, 2.0
        args.picture_sizes, args.plain_timeout, args.no_admin = "100,500", 5.0, True
        args.resolution_rows = 1000 if "--resolution-rows" not in (argv or sys.argv) else args.resolution_rows
    args.batch_sizes = [int(x) for x in args.batch_sizes.split(",")]
    scales = sorted(parse_scale(s) for s in args.scales.split(","))
    errors: list[str] = []
    started = time.perf_counter()
    target = Target.open(args.uri, args.password, home=args.home, bolt_port=args.bolt_port, http_port=args.http_port,
                         heap=args.heap, pagecache=args.pagecache)
    args.results.mkdir(parents=True, exist_ok=True)
    try:
        info = {"machine": machine(target), "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "command": " ".join([".venv/bin/python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])}
        if not args.no_pictures:
            print("== pictures", flush=True)
            dataset, picks = generate(40_000, seed=args.seed)
            try:
                rows = pictures.measure(dataset, picks.vendors[0], [int(s) for s in args.picture_sizes.split(",")],
                                        args.plain_timeout, kind=args.picture_kind)
                errors += [f"picture {r['nodes']} nodes was not drawn" for r in rows if r["drawn_s"] is None]
            except Exception as error:  # noqa: BLE001
                traceback.print_exc()
                errors.append(f"pictures: {type(error).__name__}: {error}")
                rows = [{"error": str(error)}]
            name = "quick-pictures.json" if args.quick else "pictures.json"
            (args.results / name).write_text(json.dumps({**info, "pictures": rows}, indent=1))
            del dataset
        for scale in scales:
            result = {**info, **run_scale(target, scale, args, errors), "load_average_at_end": os.getloadavg()}
            name = "quick.json" if args.quick else f"{label(scale)}.json"
            if not args.admin_only:
                (args.results / name).write_text(json.dumps(result, indent=1, default=str))
            if args.admin_only and "queries" in result and not args.quick:
                kept = {k: result[k] for k in ("machine", "date", "command", "scale", "label", "nodes", "rels",
                                               "queries", "load_average_at_end")}
                (args.results / f"queries-{label(scale)}.json").write_text(json.dumps(kept, indent=1, default=str))
            if "resolution" in result and not args.quick:
                kept = {k: result[k] for k in ("machine", "date", "command", "scale", "label", "nodes", "rels",
                                               "resolution", "load_average_at_end")}
                (args.results / f"resolution-{label(scale)}.json").write_text(json.dumps(kept, indent=1, default=str))
    except Exception as error:  # noqa: BLE001
        traceback.print_exc()
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        target.close(stop=not args.keep_server)
    if not args.quick and not args.no_docs:
        from .report import write_report
        write_report()
    elapsed = time.perf_counter() - started
    status = "FAILED" if errors else "ok"
    print(f"benchmarks {'--quick ' if args.quick else ''}{status} in {elapsed:.0f} s"
          + (f" with {len(errors)} error(s):\n  " + "\n  ".join(errors) if errors else ""))
    return 1 if errors and args.quick else 0
