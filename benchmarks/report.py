"""docs/benchmarks.md from benchmarks/results/*.json (the latest full run per scale, and the pictures)."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DOC = ROOT / "docs" / "benchmarks.md"
NOTES = Path(__file__).resolve().parent / "NOTES.md"  # hand-written findings, appended as they are


def _load(results: Path) -> tuple[list[dict], dict | None]:
    """The full run of each scale; a queries-<scale>.json (an `--admin-only` run, which loads the graph
    offline and times the queries alone) replaces that run's query timings where it is later or the full
    run timed no queries (`--no-queries`), and its date and command are listed."""
    scales = []
    for path in results.glob("*.json"):
        if not re.fullmatch(r"\d+[kM]", path.stem):  # a scale's full run is <label>.json, as 100k.json
            continue
        run = json.loads(path.read_text())
        later = results / f"queries-{path.stem}.json"
        queries = json.loads(later.read_text()) if later.exists() else None
        if queries and (queries["date"] > run["date"] or not run.get("queries")):
            run["queries"], run["queries_run"] = queries["queries"], queries
        scales.append(run)
    scales.sort(key=lambda r: r["scale"])
    pics = results / "pictures.json"
    return scales, (json.loads(pics.read_text()) if pics.exists() else None)


def _runs(scales: list[dict], pics: dict | None) -> list[dict]:
    """Every result file shown: the full runs, their later query runs, the pictures."""
    return [*scales, *(r["queries_run"] for r in scales if "queries_run" in r), *([pics] if pics else [])]


def _run_name(run: dict) -> str:
    return run.get("label", "pictures") + (" queries" if "queries" in run and "imports" not in run else "")


def _f(value, digits=0, unit="") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def _loads(values) -> str:
    return "/".join(f"{x:.1f}" for x in values) if values else "–"


def _mark(ok) -> str:
    return "–" if ok is None else ("**met**" if ok else "**missed**")


SHOWN = {"ours": "ours (write_dataset)", "ours streaming": "ours streaming (influence import jsonl, subprocess)"}


def write_report(path: Path = DOC, results: Path = RESULTS) -> Path:
    scales, pics = _load(results)
    first = scales[0] if scales else pics
    if not first:
        raise SystemExit("no results in benchmarks/results/")
    m = first["machine"]
    out = ["<!-- Written by `python -m benchmarks` (benchmarks/report.py) from benchmarks/results/*.json; "
           "the findings section comes from benchmarks/NOTES.md. -->", "", "# Benchmarks", ""]
    out += ["## Machine and run", "",
            f"- date: {', '.join(sorted({r['date'] for r in _runs(scales, pics)}))}",
            f"- CPU: {m['cpu']}, nproc {m['nproc']}, memory {m['memory_gb']} GB, kernel {m['kernel']}",
            f"- Python {m['python']}; Java: {m['java']}; {m['neo4j']}; {m['chromium']}",
            f"- server: {m['server']}",
            "- load average (1, 5, 15 min) at the start and the end of each result file: "
            + "; ".join(f"{_run_name(r)} {_loads(r['machine'].get('load_average_at_start'))} → "
                        f"{_loads(r.get('load_average_at_end'))}" for r in _runs(scales, pics)),
            "- " + ("**the machine was shared** during at least one run (a one-minute load above 2.5 at its start): absolute "
                    "numbers of that run are noisy and low; the ratios compare methods measured back to back."
                    if any((r["machine"].get("load_average_at_start") or [0])[0] > 2.5 for r in _runs(scales, pics))
                    else "nothing else ran on the machine during the runs (the load is the benchmark's own: the "
                         "server, the Python process and, for pictures, Chromium, on two cores)."),
            "- commands:", ""]
    out += ["```bash"] + sorted({r["command"] for r in _runs(scales, pics)}) + [
        ".venv/bin/python -m benchmarks --quick   # CI: 10k only, < 2 min, exits 1 on any error", "```", ""]

    if scales:
        out += ["## Datasets", "", "| scale | nodes | relationships | rels/node | generated in | validated in | "
                "schema problems |", "|---|---|---|---|---|---|---|"]
        for r in scales:
            out.append(f"| {r['label']} | {r['nodes']:,} | {r['rels']:,} | {r['rels'] / r['nodes']:.2f} | "
                       f"{r['generate_s']:.1f} s | {r['validate_s']:.1f} s | {r['problems']} |")
        out.append("")

        out += ["## 1. Import throughput", "",
                "Rows per second over the whole call (validation, constraints, nodes, relationships). "
                "Ratios are ours at the best batch size over the baseline on the same data in the same run.", "",
                "| scale | method | batch | seconds | nodes/s | rels/s | rows/s | note |", "|---|---|---|---|---|---|---|---|"]
        targets = []
        for r in scales:
            best = None
            for run in r["imports"]:
                name = run.get("method", "?")
                if run.get("error") or run.get("skipped"):
                    reason = " ".join(str(run.get("error") or run.get("skipped")).split())[:160]
                    out.append(f"| {r['label']} | {name} | | | | | | {reason} |")
                    continue
                if run.get("partial"):
                    out.append(f"| {r['label']} | {SHOWN.get(name, name)} | {run['batch_size']} | "
                               f"{run['seconds_run']:.0f} (stopped) | | | {run['rows_per_s']:,.0f} | "
                               f"partial: {run['nodes_written']:,} nodes + {run['rels_written']:,} rels written before "
                               f"the deadline; whole import extrapolated to {run['extrapolated_seconds'] / 60:.0f} min |")
                    if name == "ours":
                        best = best or run
                    continue
                note = ""
                if run.get("extrapolated"):
                    note = (f"sample of {run['sample_nodes']:,} nodes + {run['sample_rels']:,} rels, one transaction per "
                            f"row, extrapolated ({run['node_rate']:.0f} nodes/s, {run['rel_rate']:.0f} rels/s)")
                elif "import_seconds" in run:
                    note = (f"import {run['import_seconds']:.0f} s + building the schema's indexes "
                            f"{run['index_seconds']:.0f} s (CSV writing {run['csv_write_seconds']:.0f} s not counted)")
                elif "csv_write_seconds" in run:
                    note = f"{run['rows_per_tx']} rows per transaction (CSV writing {run['csv_write_seconds']:.1f} s not counted)"
                elif name == "ours bulk":
                    note = ("every step counted: " + ", ".join(f"{step} {sec:.0f} s" for step, sec in run["steps"].items())
                            + f"; {run['leftover_rows']} rows through the writer (JSON-lines file writing not counted)")
                elif name == "ours streaming":
                    validated = run.get("validate_seconds")
                    note = (f"peak RSS of the process {run['rss_peak_mb']:,.0f} MB; checking the file "
                            f"{_f(validated, 1, ' s')}; its CPU {_f(run.get('client_cpu_seconds'), 0, ' s')}; "
                            f"file {run['file_mb']:,.0f} MB (writing it "
                            f"{run['file_write_seconds']:.1f} s, not counted); start-up included")
                elif name == "ours":
                    note = f"nodes {run['node_seconds']:.0f} s, rels {run['rel_seconds']:.0f} s; {run['retried_batches']} retried"
                    if best is None or run["rows_per_s"] > best["rows_per_s"]:
                        best = run
                shown = SHOWN.get(name, name)
                out.append(f"| {r['label']} | {shown} | {run.get('batch_size', '')} | {run['seconds']:.1f} | "
                           f"{run['nodes_per_s']:,.0f} | {run['rels_per_s']:,.0f} | {run['rows_per_s']:,.0f} | {note} |")
            by = {run.get("method"): run for run in r["imports"]}
            stream = by.get("ours streaming")
            ours_runs = [("ours (write_dataset, best batch)", best)]
            if stream and "rows_per_s" in stream and not stream.get("error"):
                ours_runs.append(("ours streaming (CLI)", stream))
            if by.get("ours bulk") and "rows_per_s" in by["ours bulk"]:
                ours_runs.append(("ours bulk (CLI steps)", by["ours bulk"]))
            for who, mine in ours_runs:
                if not mine:
                    continue
                for key, goal, label in (("naive per-row MERGE", 20.0, "(a) naive"),
                                         ("LOAD CSV IN TRANSACTIONS", 0.8, "(b) LOAD CSV"),
                                         ("neo4j-admin database import (offline)", None, "offline ceiling")):
                    base = by.get(key)
                    if who.startswith("ours bulk"):  # its target is the offline import's rate, not the others
                        goal = 0.8 if key.startswith("neo4j-admin") else None
                    if base and "rows_per_s" in base:
                        ratio = mine["rows_per_s"] / base["rows_per_s"]
                        targets.append((r["label"], who, label, ratio, goal, mine.get("partial")))
        out += ["", "| scale | ours | vs | ratio (rows/s) | target | |", "|---|---|---|---|---|---|"]
        for scale, who, label, ratio, goal, partial in targets:
            out.append(f"| {scale} | {who} | {label} | {ratio:.2f}x{' (ours partial)' if partial else ''} | "
                       f"{'≥ ' + str(goal) + 'x' if goal else 'report'} | {_mark(None if goal is None else ratio >= goal)} |")
        out.append("")

        out += ["## 2. Query latency", "",
                "cypher.records (READ transaction, rows fetched into Python), warm (one warm-up run each), parameters "
                "varied per run (see benchmarks/queries.py), median and p95 in ms; db hits from one PROFILE run. "
                "Targets at 1M: lookups median ≤ 50 ms, chains (≤ 6 hops) ≤ 200 ms; analytics scan the whole "
                "graph and have no target."]
        out += [f"At {r['label']} the timings come from a later run that loaded the graph with the offline importer "
                f"and timed the queries alone ({r['queries_run']['date']}: `{r['queries_run']['command']}`)."
                for r in scales if "queries_run" in r] + [""]
        head = "| query | class | " + " | ".join(f"{r['label']} median / p95 (runs) | {r['label']} db hits" for r in scales)
        out += [head + " | target at largest |", "|---|---|" + "---|---|" * len(scales) + "---|"]
        names = sorted({q["query"] for r in scales for q in r.get("queries", [])},
                       key=lambda n: (["lookup", "chain", "analytics"].index(
                           next(q["class"] for r in scales for q in r.get("queries", []) if q["query"] == n)), n))
        for name in names:
            cells, last = [], None
            for r in scales:
                q = next((q for q in r.get("queries", []) if q["query"] == name), None)
                if q is None or "error" in q:
                    cells.append(" ".join((q or {}).get("error", "–").split())[:70] + " | ")
                    continue
                cells.append(f"{q['median_ms']:.1f} / {q['p95_ms']:.1f} ({q['runs']}) | {q['db_hits']:,}")
                last = q
            kind = next(q["class"] for r in scales for q in r.get("queries", []) if q["query"] == name)
            verdict = "–" if not last or last.get("target_ms") is None else \
                f"≤ {last['target_ms']:.0f} ms: {_mark(last['met'])}"
            out.append(f"| {name} | {kind} | " + " | ".join(cells) + f" | {verdict} |")
        out.append("")

        memory = ["## 4. Memory of the importer process", "",
                  "In process, the generated `Dataset` is already in memory before `write_dataset` starts; the "
                  "streaming import is a fresh `influence import jsonl` process reading the same graph from a file, "
                  "and its peak is that process's high-water mark (VmHWM, sampled every 20 ms); its start-up "
                  "is the same command's `--help` (the imports alone).", "",
                  "| scale | importer | RSS before the import | peak RSS during it | ru_maxrss of the process |",
                  "|---|---|---|---|---|"]
        for r in scales:
            runs = [x for x in r["imports"] if x.get("method") == "ours" and "rss_peak_mb" in x]
            if runs:
                x = max(runs, key=lambda x: x["rss_peak_mb"])
                memory.append(f"| {r['label']} | ours (write_dataset, in process) | {x['rss_before_mb']:,.0f} MB | "
                              f"{x['rss_peak_mb']:,.0f} MB | {x['ru_maxrss_mb']:,.0f} MB |")
            for x in r["imports"]:
                if x.get("method") == "ours streaming" and "rss_peak_mb" in x and not x.get("error"):
                    partial = " (stopped at the deadline)" if x.get("partial") else ""
                    memory.append(f"| {r['label']} | {SHOWN['ours streaming']}{partial} | "
                                  f"{_f(x.get('startup_rss_mb'), 0, ' MB')} (start-up) | "
                                  f"{x['rss_peak_mb']:,.0f} MB | {x['rss_peak_mb']:,.0f} MB |")
        memory.append("")

    if pics:
        out += ["## 3. Pictures", "",
                f"render_subgraph (kind `{pics['pictures'][0].get('kind', '?')}`) on connected pieces of a synthetic "
                "graph; drawn = `window.influenceGraph.drawn` in headless Chromium (time from navigation start, "
                "performance.now()). Plain pyvis: the same nodes and edges, default options (physics on), until "
                "`stabilizationIterationsDone` and the first drawing, or the time-out.", "",
                "| nodes | edges | write HTML | page MB | drawn | plain pyvis write | plain pyvis drawn (stabilized) |"
                " write ≤ 1 s @2k | drawn target |", "|---|---|---|---|---|---|---|---|---|"]
        for p in pics["pictures"]:
            if "error" in p:
                out.append(f"| error: {p['error'][:100]} |")
                continue
            plain = (f"timed out after {p['plain_wall_s']:.0f} s" if p["plain_timed_out"]
                     else f"{p['plain_drawn_s']:.2f} s ({p['plain_stabilized_s']:.2f} s)")
            write_goal = _mark(p["write_s"] <= 1.0) if p["nodes"] == 2000 else "–"
            goal = {2000: 2.0, 10000: 10.0}.get(p["nodes"])
            drawn_goal = f"≤ {goal:.0f} s: {_mark(p['drawn_s'] is not None and p['drawn_s'] <= goal)}" if goal else "–"
            out.append(f"| {p['nodes']:,} | {p['edges']:,} | {p['write_s']:.2f} s | {p['html_mb']:.1f} | "
                       f"{_f(p['drawn_s'], 2, ' s')} | {p['plain_write_s']:.2f} s | {plain} | {write_goal} | {drawn_goal} |")
        out.append("")
    if scales:
        out += memory
    out += _resolution_quality(results / "resolution-quality.json")
    out += _resolution(results)
    out += _bad_input(results / "bad-input.json")
    if NOTES.exists():
        out += [NOTES.read_text().strip(), ""]
    path.write_text("\n".join(out), encoding="utf-8")
    return path


EASY = "dod-1260h printed entry"  # the origin of the labelled set's easy pairs


def _resolution_quality(path: Path) -> list[str]:
    """The section written from `python -m benchmarks.resolution_quality` (benchmarks/labelled/README.md)."""
    if not path.exists():
        return []
    q = json.loads(path.read_text())
    pct = lambda value: "–" if value is None else f"{100 * value:.1f} %"  # noqa: E731
    out = ["## 5. Entity resolution quality", "",
           f"The labelled set `benchmarks/labelled/pairs.csv` ({q['pairs']} pairs, {q['same_pairs']} of them the same "
           "entity; how it was made and labelled: `benchmarks/labelled/README.md`). Each pair is resolved alone: the "
           "right-hand entity is the graph, the left-hand one the import. Written by "
           "`python -m benchmarks.resolution_quality`.", "",
           "| measure | value | target |", "|---|---|---|",
           f"| automatic merges that are right | {q['merged_same']} / {q['merged']} = {pct(q['merge_precision'])} | "
           f"≥ 99 %: {_mark(q['merge_precision'] is None or q['merge_precision'] >= 0.99)} |",
           f"| pairs proposed for review that are the same | {q['proposed_same']} / {q['proposed']} = "
           f"{pct(q['review_precision'])} | – |",
           f"| same pairs merged or proposed (recall) | {q['found_same']} / {q['same_pairs']} = {pct(q['recall'])} | "
           f"≥ 95 %: {_mark(q['recall'] is not None and q['recall'] >= 0.95)} |",
           f"| the same, leaving out the 1260H list's printed entries against its clean names (easy pairs) | "
           f"{_recall(q, hard=True)} | – |", "",
           "By origin of the pair (file of the incoming, left entity / file of the graph's, right entity):", "",
           "| origin | pairs | same | merged (right) | proposed (same) | same found |", "|---|---|---|---|---|---|"]
    for origin, r in q["by_origin"].items():
        out.append(f"| {origin} | {r['pairs']} | {r['same']} | {r['merged']} ({r['merged_same']}) | "
                   f"{r['proposed']} ({r['proposed_same']}) | {r['found_same']} / {r['same']} |")
    out += ["", "Wrong merges: " + ("; ".join(q["wrong_merges"]) or "none") + ".", "",
            "Same pairs neither merged nor proposed: " + ("; ".join(q["missed"]) or "none") + ".", ""]
    return out


def _recall(quality: dict, hard: bool) -> str:
    rows = [r for origin, r in quality["by_origin"].items() if not (hard and origin.startswith(EASY))]
    found, same = sum(r["found_same"] for r in rows), sum(r["same"] for r in rows)
    return f"{found} / {same} = {100 * found / same:.1f} %" if same else "–"


def _resolution(results: Path) -> list[str]:
    """Section 6 from results/resolution-<scale>.json: resolving an import against each scale's graph."""
    runs = sorted((json.loads(p.read_text()) for p in results.glob("resolution-*.json") if p.stem != "resolution-quality"),
                  key=lambda r: r["scale"])
    if not runs:
        return []
    out = ["## 6. Entity resolution at scale", "",
           "`Resolver.resolve` (importers/resolve.py) on an import of entity rows drawn from the generated graph "
           "(benchmarks/resolution.py: a quarter each exact names under new ids, names with a letter dropped, new "
           "names, ids already in the graph), against the graph the run loaded. Candidates come from the `Entity.id` "
           "constraint, the keyword full-text indexes on `externalIds` and `matchNames`, and the `entity_names` "
           "full-text index, in batched UNWIND lookups. Timed: the lookups, the scoring and the rewriting of the "
           "import, not the write. Target: 10,000 rows against 1M nodes in ≤ 60 s.", "",
           "| graph | graph nodes | incoming rows | seconds | rows/s | merged (by reason) | pairs to review | "
           "machine load at the end | command | target |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        x = r["resolution"]
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(x["merged_by"].items()))
        goal = _mark(x["seconds"] <= 60) if x["rows"] >= 10_000 and x["graph_nodes"] >= 1_000_000 else "–"
        out.append(f"| {r['label']} | {x['graph_nodes']:,} | {x['rows']:,} | {x['seconds']:.1f} | {x['rows_per_s']:,.0f} | "
                   f"{x['merged']:,} ({reasons}) | {x['review']:,} | {_loads(r.get('load_average_at_end'))} | "
                   f"`{r['command']}` | {goal} |")
    return out + [""]


def _bad_input(path: Path) -> list[str]:
    """Section 7 from `python -m benchmarks.bad_input`: every importer refusing 50 MB of garbage."""
    if not path.exists():
        return []
    b = json.loads(path.read_text())
    out = ["## 7. Refusing bad input", "",
           f"Every importer run as `influence import ...` on {b['garbage_mb']:.0f} MB of garbage (random bytes; random "
           "printable text with a 10 MB first line), in a child process under a 6 GB address-space cap "
           f"(benchmarks/bad_input.py, {b['date']}, one-minute load at the start {b['load_average_at_start'][0]:.1f}). "
           f"Start-up alone (`influence --help`): {b['start_up']['seconds']:.1f} s, {b['start_up']['rss_mb']:.0f} MB. "
           f"Target: refused in under {b['target_seconds']} s and {b['target_rss_mb']:,} MB.", "",
           "| importer | garbage | exit | seconds | peak RSS | message | target |", "|---|---|---|---|---|---|---|"]
    for r in b["runs"]:
        met = r["exit"] == 1 and r["seconds"] < b["target_seconds"] and r["rss_mb"] < b["target_rss_mb"]
        out.append(f"| {r['importer']} | {r['kind']} | {r['exit']} | {r['seconds']:.1f} | {r['rss_mb']:,.0f} MB | "
                   f"{r['message_bytes']:,} bytes | {_mark(met)} |")
    return out + [""]


def median(values):
    return statistics.median(values) if values else None


if __name__ == "__main__":
    print(write_report())
