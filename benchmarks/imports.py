"""Import throughput: our writer (write_dataset) against a naive per-row MERGE loop, LOAD CSV in
transactions, and the offline `neo4j-admin database import`, on the same synthetic dataset."""

from __future__ import annotations

import csv
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from graph.db import connect
from graph.records import PROVENANCE, Dataset, NodeRecord
from graph.schema import Property, apply_schema, first_of_values
from graph.writer import UNION_SET, to_row, with_derived, write_dataset
from importers.jsonl import bulk, check, dataset_records, write_jsonl

from .target import Target


def _status_kb(field: str, pid: int | str = "self") -> int:
    """A memory field (`VmRSS`, `VmHWM`) of /proc/<pid>/status in kB; 0 when the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # gone, or a zombie about to be reaped
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith(f"{field}:")), 0)


def _rss_kb() -> int:
    return _status_kb("VmRSS")


class RssSampler:
    """Peak VmRSS of this process while a block runs (sampled every 50 ms), in MB."""

    def __enter__(self):
        self.peak = _rss_kb()
        self.before = self.peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_kb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_kb())


class Deadline(Exception):
    pass


def ours(target: Target, dataset: Dataset, batch_size: int, deadline_s: float | None = None) -> dict:
    """One timed write_dataset into an empty database (validation and constraints included).

    With `deadline_s`, the import is stopped at the first batch after that many seconds and the rate
    is over the rows written so far (marked partial)."""
    target.wipe()
    n_nodes, n_rels = len(dataset.nodes), len(dataset.relationships)
    done = {"rows": 0, "nodes_at": None}
    started = time.perf_counter()

    def progress(rows: int) -> None:
        done["rows"] += rows
        if done["nodes_at"] is None and done["rows"] >= n_nodes:
            done["nodes_at"] = time.perf_counter()
        if deadline_s and time.perf_counter() - started > deadline_s:
            raise Deadline

    partial = False
    with RssSampler() as rss:
        try:
            summary = write_dataset(target.driver, target.database, dataset, batch_size=batch_size, progress=progress)
        except Deadline:
            partial, summary = True, None
    total = time.perf_counter() - started
    if partial:
        written = done["rows"]
        nodes_done, rels_done = min(written, n_nodes), max(0, written - n_nodes)
        return {"method": "ours", "batch_size": batch_size, "partial": True, "seconds_run": total,
                "rows_written": written, "nodes": n_nodes, "rels": n_rels,
                "nodes_written": nodes_done, "rels_written": rels_done,
                "rows_per_s": written / total,
                "extrapolated_seconds": total * (n_nodes + n_rels) / max(written, 1),
                "rss_before_mb": rss.before / 1024, "rss_peak_mb": rss.peak / 1024,
                "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    nodes_time = (done["nodes_at"] or started) - started
    rels_time = total - nodes_time
    stored = target.counts()
    return {"method": "ours", "batch_size": batch_size, "seconds": total, "nodes": n_nodes, "rels": n_rels,
            "node_seconds": nodes_time, "rel_seconds": rels_time,
            "nodes_per_s": n_nodes / total, "rels_per_s": n_rels / total, "rows_per_s": (n_nodes + n_rels) / total,
            "created": summary.total("created"), "retried_batches": summary.retried_batches,
            "stored": stored, "rss_before_mb": rss.before / 1024, "rss_peak_mb": rss.peak / 1024,
            "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def streaming(target: Target, dataset: Dataset, batch_size: int, deadline_s: float | None = None) -> dict:
    """`influence import jsonl` as a subprocess, as a user runs it, on the dataset written as JSON lines.

    The child's peak RSS is its own high-water mark (see `_run_child`). With
    `deadline_s` the child gets a Ctrl-C after that many seconds and stops at a batch boundary; the
    rate is then over what is in the database (marked partial). Seconds include the child's start-up."""
    target.wipe()
    with tempfile.TemporaryDirectory(prefix="bench-jsonl-") as folder:
        return _streaming(target, dataset, batch_size, deadline_s, Path(folder))


def _streaming(target: Target, dataset: Dataset, batch_size: int, deadline_s: float | None, folder: Path) -> dict:
    path = folder / "bench.jsonl"
    started = time.perf_counter()
    write_jsonl(dataset_records(dataset), path)
    file_seconds = time.perf_counter() - started
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "INFLUENCE_"))}
    env.update(NEO4J_URI=target.uri, NEO4J_USER=target.user, NEO4J_PASSWORD=target.password,
               NEO4J_DATABASE=target.database, INFLUENCE_ENV_FILE=str(folder / "no.env"))
    command = [str(Path(sys.executable).with_name("influence")), "import", "jsonl", str(path),
               "--batch-size", str(batch_size), "--database", target.database]
    startup = _run_child(command[:3] + ["--help"], env, folder / "help.log")  # the CLI's own imports, no data
    started = time.perf_counter()
    returncode, peak_mb, interrupted, cpu_seconds = _run_child(command, env, folder / "import.log", deadline_s)
    total = time.perf_counter() - started
    output = (folder / "import.log").read_text()
    n_nodes, n_rels = len(dataset.nodes), len(dataset.relationships)
    result = {"method": "ours streaming", "batch_size": batch_size, "file_mb": path.stat().st_size / 2**20,
              "file_write_seconds": file_seconds, "rss_peak_mb": peak_mb, "client_cpu_seconds": cpu_seconds,
              "startup_rss_mb": startup[1], "nodes": n_nodes,
              "rels": n_rels, "command": f"influence import jsonl FILE --batch-size {batch_size} --database {target.database}"}
    checked = re.search(r"checked in ([\d.]+) s", output)
    result["validate_seconds"] = float(checked.group(1)) if checked else None
    if returncode != 0 and not interrupted:
        return {**result, "error": f"exit {returncode}: {output[-1500:]}"}
    stored = target.counts()
    if interrupted:  # exit 130 when stopped while writing; nothing written when stopped while checking
        written = sum(stored)
        return {**result, "partial": True, "seconds_run": total, "rows_written": written,
                "nodes_written": stored[0], "rels_written": stored[1], "rows_per_s": written / total,
                "extrapolated_seconds": total * (n_nodes + n_rels) / max(written, 1)}
    return {**result, "seconds": total, "stored": stored, "nodes_per_s": n_nodes / total,
            "rels_per_s": n_rels / total, "rows_per_s": (n_nodes + n_rels) / total}


def bulk_path(target: Target, dataset: Dataset) -> dict:
    """`influence import bulk`'s steps (importers/jsonl/bulk.py) into the emptied database, each timed: check
    the JSON-lines file, write neo4j-admin files, import offline (server stopped and started), build the
    schema's constraints and indexes, write what CSV cannot carry. Writing the JSON-lines file is not counted."""
    if not target.server:
        return {"method": "ours bulk", "skipped": "needs the local server"}
    target.wipe()
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as folder:
        path = Path(folder) / "bench.jsonl"
        write_jsonl(dataset_records(dataset), path)
        target.driver.close()
        target.driver = None
        started = time.perf_counter()
        plan = check(path)
        checked = time.perf_counter() - started
        result = bulk.load(target.server, lambda: connect(uri=target.uri, user=target.user, password=target.password),
                           target.database, plan)
    target.connect()
    steps = {"check": checked, **result.seconds}
    total = sum(steps.values())
    n_nodes, n_rels = len(dataset.nodes), len(dataset.relationships)
    return {"method": "ours bulk", "seconds": total, "steps": steps, "leftover_rows": result.leftover,
            "nodes_per_s": n_nodes / total, "rels_per_s": n_rels / total, "rows_per_s": (n_nodes + n_rels) / total,
            "stored": target.counts()}


def _run_child(command: list[str], env: dict, log: Path,
               deadline_s: float | None = None) -> tuple[int, float, bool, float]:
    """Run a command to its end (a Ctrl-C after `deadline_s`); its exit code, its peak RSS in MB,
    whether it was interrupted, and the CPU seconds it used (user + system, from wait4).

    The peak is the child's VmHWM (/proc/<pid>/status), read every 20 ms while it runs. Not wait4's
    ru_maxrss: on Linux that also counts the address space the child had between fork and exec, a copy
    of this process, which holds the whole generated dataset (it reported the parent's size)."""
    peak_kb = 0
    with log.open("w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)  # returns after exec
        started, interrupted = time.perf_counter(), False
        while True:
            peak_kb = max(peak_kb, _status_kb("VmHWM", child.pid))
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if deadline_s and not interrupted and time.perf_counter() - started > deadline_s:
                child.send_signal(signal.SIGINT)
                interrupted = True
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    return child.returncode, peak_kb / 1024, interrupted, usage.ru_utime + usage.ru_stime


def naive(target: Target, dataset: Dataset, sample: int, seed: int = 3) -> dict:
    """Per-row MERGE, one auto-commit transaction per row, on a sample; extrapolated to the dataset."""
    target.wipe()
    apply_schema(target.driver, target.database, dataset.schema)
    rng = random.Random(seed)
    rels = rng.sample(list(dataset.relationships.values()), min(sample, len(dataset.relationships)))
    needed = {r.start for r in rels} | {r.end for r in rels}
    nodes = [dataset.nodes[i] for i in sorted(needed)]
    entity = dataset.schema.entity_label
    with target.driver.session(database=target.database) as session:
        started = time.perf_counter()
        for node in nodes:
            key = entity if dataset.schema.nodes[node.label].is_entity else node.label
            session.run(f"MERGE (n:{key} {{id: $id}}) SET n += $props SET n:{node.label}",
                        id=node.id, props=node.props).consume()
        node_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for rel in rels:
            session.run(f"MATCH (a:{entity} {{id: $start}}), (b:{entity} {{id: $end}}) "
                        f"MERGE (a)-[r:{rel.type} {{id: $id}}]->(b) SET r += $props",
                        start=rel.start, end=rel.end, id=rel.id, props=rel.props).consume()
        rel_seconds = time.perf_counter() - started
    node_rate, rel_rate = len(nodes) / node_seconds, len(rels) / rel_seconds
    n_nodes, n_rels = len(dataset.nodes), len(dataset.relationships)
    total = n_nodes / node_rate + n_rels / rel_rate
    return {"method": "naive per-row MERGE", "sample_nodes": len(nodes), "sample_rels": len(rels),
            "node_rate": node_rate, "rel_rate": rel_rate, "seconds": total, "extrapolated": True,
            "nodes_per_s": n_nodes / total, "rels_per_s": n_rels / total, "rows_per_s": (n_nodes + n_rels) / total}


# --- CSV for LOAD CSV and for neo4j-admin ---------------------------------------------------------------
ADMIN_TYPES = {"string": "", "integer": ":long", "float": ":double", "boolean": ":boolean",
               "string[]": ":string[]", "integer[]": ":long[]", "float[]": ":double[]"}
CYPHER_CONVERT = {"integer": "toInteger({})", "float": "toFloat({})", "boolean": "toBoolean({})",
                  "string[]": "split({}, ';')", "integer[]": "[x IN split({}, ';') | toInteger(x)]",
                  "float[]": "[x IN split({}, ';') | toFloat(x)]", "string": "{}"}


def _columns(stored: list[dict], spec) -> list[str]:
    names = sorted({k for props in stored for k in props})
    return ["id"] + [n for n in names if n != "id" and n in spec]


def stored_properties(dataset: Dataset, record, dates: dict[str, str]) -> dict:
    """The properties the writer stores for `record` (graph.writer.to_row: derived `matchNames` and `start`, each claimed
    property's `<p>Sources` and, where sources disagree, `<p>Values`, `disputed` and the value shown by
    CLAIM_RULE, from the sources' `dates`), so that the CSV baselines load the graph our import writes."""
    schema = dataset.schema
    if isinstance(record, NodeRecord):
        claimed = schema.nodes[record.label].claimed
        row = to_row(with_derived(schema, record.label, record.props), claimed, record.claims)
    else:
        claimed = schema.relationships[record.type].claimed
        row = to_row(record.props, claimed, record.claims)
    props = {**row["plain"], **row["kept"], **{k: row[k] for k in ("sources", "evidence") if row[k]},
             **{k: row[k] for k in UNION_SET if row.get(k) is not None}}
    for name in row["kept"].get("disputed", []):  # the most recent source's value, then the smallest
        claims = row["claims"][name]
        latest = max(dates.get(source, "") for _, source in claims)
        props[name] = min(value for value, source in claims if dates.get(source, "") == latest)
    spec = schema.nodes[record.label] if isinstance(record, NodeRecord) else schema.relationships[record.type]
    return {**props, **first_of_values(spec, props)}


def _with_kept(spec: dict, claimed) -> dict:
    """`spec` with the per-value lists of each claimed property (`<p>Sources`, `<p>Values`)."""
    kept = {}
    for prop in claimed:
        kept[f"{prop.name}Sources"] = Property(f"{prop.name}Sources", "string[]")
        kept[f"{prop.name}Values"] = Property(f"{prop.name}Values", "integer[]" if prop.type == "integer" else
                                              "float[]" if prop.type == "float" else "string[]")
    return {**spec, **kept}


def _cell(value):
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _groups(dataset: Dataset):
    nodes, rels = {}, {}
    for node in dataset.nodes.values():
        nodes.setdefault(node.label, []).append(node)
    for rel in dataset.relationships.values():
        rels.setdefault(rel.type, []).append(rel)
    return nodes, rels


def _node_spec(dataset, label):
    node_type = dataset.schema.nodes[label]
    return _with_kept({**dataset.schema.common_node_properties, **node_type.properties}, node_type.claimed)


def _rel_spec(dataset, rel_type):
    spec = dataset.schema.relationships[rel_type]
    return _with_kept({**dataset.schema.common_relationship_properties, **spec.properties}, spec.claimed)


def write_csv(dataset: Dataset, folder: Path, admin: bool) -> dict[str, list]:
    """One CSV per label and per type; `admin` adds neo4j-admin's typed headers (id:ID, :LABEL, ...)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    nodes, rels = _groups(dataset)
    files = {"nodes": [], "relationships": []}
    entity = dataset.schema.entity_label
    dates = {n.id: n.props.get("date", "") for n in dataset.nodes.values() if n.label == "Source"}
    for label, records in nodes.items():
        spec = _node_spec(dataset, label)
        stored = [stored_properties(dataset, r, dates) for r in records]
        columns = _columns(stored, spec)
        labels = [f"{label};{entity}" if dataset.schema.nodes[label].is_entity else label] if admin else []
        header = ["id:ID" if admin else "id", *_header(columns[1:], spec, admin), *([":LABEL"] if admin else [])]
        path = _write_table(folder / f"node-{label}.csv", header,
                            ([props["id"], *_cells(props, columns[1:]), *labels] for props in stored))
        files["nodes"].append((label, path, columns, spec))
    for rel_type, records in rels.items():
        spec = _rel_spec(dataset, rel_type)
        stored = [stored_properties(dataset, r, dates) for r in records]
        columns = _columns(stored, spec)
        ends = [":START_ID", ":END_ID", ":TYPE"] if admin else ["start", "end"]
        path = _write_table(folder / f"rel-{rel_type}.csv", [*ends, *_header(columns, spec, admin)],
                            ([r.start, r.end, *([rel_type] if admin else []), *_cells(props, columns)]
                             for r, props in zip(records, stored, strict=True)))
        files["relationships"].append((rel_type, path, columns, spec))
    return files


def _header(columns: list[str], spec: dict, admin: bool) -> list[str]:
    return [c + ADMIN_TYPES[spec[c].type] if admin else c for c in columns]


def _cells(props: dict, columns: list[str]) -> list:
    return [_cell(props.get(c)) for c in columns]


def _write_table(path: Path, header: list[str], rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def load_csv(target: Target, dataset: Dataset, rows_per_tx: int = 10_000) -> dict:
    """Neo4j's own LOAD CSV ... CALL {} IN TRANSACTIONS, with the same constraints, on the same data."""
    if not target.import_dir:
        return {"method": "LOAD CSV", "skipped": "needs the local server's import/ folder"}
    target.wipe()
    apply_schema(target.driver, target.database, dataset.schema)
    started = time.perf_counter()
    files = write_csv(dataset, target.import_dir / "bench", admin=False)
    csv_seconds = time.perf_counter() - started
    entity = dataset.schema.entity_label
    started = time.perf_counter()
    with target.driver.session(database=target.database) as session:
        for label, path, columns, spec in files["nodes"]:
            key = entity if dataset.schema.nodes[label].is_entity else label
            sets = ", ".join(f"n.{c} = " + CYPHER_CONVERT[spec[c].type].format(f"row.{c}") for c in columns[1:])
            session.run(f"LOAD CSV WITH HEADERS FROM 'file:///bench/{path.name}' AS row "
                        f"CALL (row) {{ MERGE (n:{key} {{id: row.id}}) SET n:{label}, {sets} }} "
                        f"IN TRANSACTIONS OF {rows_per_tx} ROWS").consume()
        node_seconds = time.perf_counter() - started
        for rel_type, path, columns, spec in files["relationships"]:
            sets = ", ".join(f"r.{c} = " + CYPHER_CONVERT[spec[c].type].format(f"row.{c}") for c in columns[1:])
            session.run(f"LOAD CSV WITH HEADERS FROM 'file:///bench/{path.name}' AS row "
                        f"CALL (row) {{ MATCH (a:{entity} {{id: row.start}}) MATCH (b:{entity} {{id: row.end}}) "
                        f"MERGE (a)-[r:{rel_type} {{id: row.id}}]->(b) SET {sets} }} "
                        f"IN TRANSACTIONS OF {rows_per_tx} ROWS").consume()
    total = time.perf_counter() - started
    shutil.rmtree(target.import_dir / "bench", ignore_errors=True)
    n_nodes, n_rels = len(dataset.nodes), len(dataset.relationships)
    return {"method": "LOAD CSV IN TRANSACTIONS", "rows_per_tx": rows_per_tx, "seconds": total,
            "csv_write_seconds": csv_seconds, "node_seconds": node_seconds, "rel_seconds": total - node_seconds,
            "nodes_per_s": n_nodes / total, "rels_per_s": n_rels / total, "rows_per_s": (n_nodes + n_rels) / total,
            "stored": target.counts()}


def admin_import(target: Target, dataset: Dataset) -> dict:
    """Offline `neo4j-admin database import full` (server stopped), then the schema's indexes built."""
    if not target.server:
        return {"method": "neo4j-admin database import", "skipped": "needs the local server"}
    folder = target.server.home / "run" / "bench-admin-csv"
    started = time.perf_counter()
    files = write_csv(dataset, folder, admin=True)
    csv_seconds = time.perf_counter() - started
    arguments = ["--array-delimiter=;", "--report-file=" + str(folder / "import.report")]
    arguments += [f"--nodes={path}" for _, path, _, _ in files["nodes"]]
    arguments += [f"--relationships={path}" for _, path, _, _ in files["relationships"]]
    started = time.perf_counter()
    done = target.admin_import(arguments)
    import_seconds = time.perf_counter() - started
    target.server.start()
    target.connect()
    if done.returncode != 0:
        return {"method": "neo4j-admin database import", "error": (done.stdout + done.stderr)[-1500:]}
    started = time.perf_counter()
    apply_schema(target.driver, target.database, dataset.schema)
    with target.driver.session(database=target.database) as session:
        session.run("CALL db.awaitIndexes(3600)").consume()
    index_seconds = time.perf_counter() - started
    shutil.rmtree(folder, ignore_errors=True)
    n_nodes, n_rels = len(dataset.nodes), len(dataset.relationships)
    total = import_seconds + index_seconds
    return {"method": "neo4j-admin database import (offline)", "seconds": total, "import_seconds": import_seconds,
            "index_seconds": index_seconds, "csv_write_seconds": csv_seconds,
            "nodes_per_s": n_nodes / total, "rels_per_s": n_rels / total, "rows_per_s": (n_nodes + n_rels) / total,
            "stored": target.counts()}


PROVENANCE_FIELDS = PROVENANCE  # re-exported for the report
