"""The bulk path for an empty database (a first load, a rebuild from sources): a JSON-lines file that
passed `check` is written as `neo4j-admin database import` CSV files and loaded offline, then the
schema's constraints and indexes are built.

The graph it leaves is the one `influence import jsonl` leaves in an empty database, property for
property: the CSV files carry each record's properties with the types JSON gave them (a `float`
property given as 5000000 stays an integer, as the writer stores it: such rows go to a file whose
header types that column `long`). What CSV cannot carry, an empty list or a list item holding the
array delimiter, and a record whose sources disagree (whose shown value the writer chooses by the
sources' dates), is written after the load by the ordinary writer, row by row as `import jsonl` would;
such a node is loaded as its id and labels alone, so that the ties to it load with the rest.

The offline importer needs the server stopped and overwrites the database, so `load` refuses a
database that holds anything, and runs only on the local server (graph/server.py). With Docker or
another server, `write_import_files` writes the files and `admin_arguments` the command line to run
where that server's store is (see README).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph.records import ImportFailed, Origin, Problem
from graph.schema import Property, Schema, apply_schema, first_of_values, load_schema
from graph.server import ADMIN_TOOL, LocalServer
from graph.writer import UNION_SET, ImportSummary, node_statements, relationship_statements, write_batches
from importers.jsonl import Plan, _rows

ARRAY_DELIMITER = "\x1f"  # ASCII unit separator: list items are joined with it inside one CSV field
ADMIN_TYPES = {"string": "string", "integer": "long", "float": "double", "boolean": "boolean",
               "string[]": "string[]", "integer[]": "long[]"}


@dataclass
class ImportFiles:
    """The CSV files written for one plan, and the rows CSV cannot carry."""

    folder: Path
    nodes: list[Path] = field(default_factory=list)
    relationships: list[Path] = field(default_factory=list)
    leftover: list[tuple[str, str, dict]] = field(default_factory=list)  # (kind, label or type, writer row)
    multiline: bool = False  # a value holds a line break: the importer must be told

    def admin_arguments(self, report: Path) -> list[str]:
        """`neo4j-admin database import full` options for these files (paths as written)."""
        return ([f"--array-delimiter={ARRAY_DELIMITER}", "--id-type=string", f"--multiline-fields={str(self.multiline).lower()}",
                 f"--report-file={report}"]
                + [f"--nodes={path}" for path in self.nodes] + [f"--relationships={path}" for path in self.relationships])


@dataclass
class BulkResult:
    """What the bulk load did and how long each step took (seconds)."""

    nodes: int
    relationships: int
    leftover: int
    seconds: dict[str, float]
    summary: ImportSummary | None = None


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _cell(value: Any) -> str | None:
    """One CSV field as neo4j-admin reads it (text quoted, so that an absent value, an empty field, differs
    from an empty text); None when CSV cannot carry the value exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, list):
        if not value or any(isinstance(v, str) and (v == "" or ARRAY_DELIMITER in v) for v in value):
            return None
        return _quoted(ARRAY_DELIMITER.join(v if isinstance(v, str) else repr(v) for v in value))
    raise TypeError(f"unexpected value {value!r}")


class _Files:
    """One CSV file per label or type and per set of float properties given as integers."""

    def __init__(self, folder: Path, schema: Schema):
        self.folder, self.schema = folder, schema
        self.open: dict[tuple, tuple[Any, list[str]]] = {}
        self.result = ImportFiles(folder)

    def spec(self, kind: str, name: str) -> dict:
        """The properties a CSV file of `name` has columns for: the schema's, and each claimed property's
        `<p>Sources` list (graph.writer.to_row's `kept`; `<p>Values` only where sources disagree, which
        goes through the writer)."""
        owner = self.schema.nodes[name] if kind == "node" else self.schema.relationships[name]
        common = self.schema.common_node_properties if kind == "node" else self.schema.common_relationship_properties
        sources = {f"{p.name}Sources": Property(f"{p.name}Sources", "string[]") for p in owner.claimed}
        return {**common, **owner.properties, **sources}

    def writer(self, kind: str, name: str, as_long: frozenset[str], stub: bool = False) -> tuple[Any, list[str]]:
        key = (kind, name, as_long, stub)
        if key not in self.open:
            spec = self.spec(kind, name)
            columns = [] if stub else [p for p in spec if p != "id" or kind == "relationship"]
            types = {p: "long" if p in as_long else ADMIN_TYPES[spec[p].type] for p in columns}
            variant = "ids" if stub else sum(1 for k in self.open if k[:2] == (kind, name) and not k[3])
            path = self.folder / f"{kind}-{name}-{variant}.csv"
            handle = path.open("w", encoding="utf-8", errors="surrogatepass")
            if kind == "node":
                space = self.schema.entity_label if self.schema.nodes[name].is_entity else name
                header = [f"id:ID({space})", *(f"{p}:{types[p]}" for p in columns), ":LABEL"]
                self.result.nodes.append(path)
            else:
                entity = self.schema.entity_label
                header = [f":START_ID({entity})", f":END_ID({entity})", ":TYPE", *(f"{p}:{types[p]}" for p in columns)]
                self.result.relationships.append(path)
            handle.write(",".join(header) + "\n")
            self.open[key] = (handle, columns)
        return self.open[key]

    def add(self, kind: str, name: str, row: dict) -> None:
        """One writer row (graph.writer.to_row); kept as leftover when CSV cannot carry it exactly."""
        # what the writer's CREATE stores: the plain properties, provenance unless empty, union lists as given
        if "disputed" in row["kept"]:  # the merge statement chooses the value shown
            self.leftover(kind, name, row)
            return
        properties = {**row["plain"], **row["kept"]}
        properties.update(first_of_values(self.schema.nodes[name] if kind == "node" else self.schema.relationships[name],
                                          properties))
        properties.update({k: row[k] for k in ("sources", "evidence") if row[k]})
        properties.update({k: row[k] for k in UNION_SET if row.get(k) is not None})
        cells = {k: _cell(v) for k, v in properties.items()}
        if any(cell is None for cell in cells.values()):
            self.leftover(kind, name, row)
            return
        spec = self.spec(kind, name)
        as_long = frozenset(k for k, v in properties.items()
                            if spec[k].type == "float" and isinstance(v, int) and not isinstance(v, bool))
        self.result.multiline |= any("\n" in c or "\r" in c for c in cells.values())
        handle, columns = self.writer(kind, name, as_long)
        values = [cells.get(p) or "" for p in columns]
        if kind == "node":
            labels = f"{name}{ARRAY_DELIMITER}{self.schema.entity_label}" if self.schema.nodes[name].is_entity else name
            fields = [_quoted(row["plain"]["id"]), *values, labels]
        else:
            fields = [_quoted(row["start"]), _quoted(row["end"]), name, *values]
        handle.write(",".join(fields) + "\n")

    def leftover(self, kind: str, name: str, row: dict) -> None:
        """A row for the writer after the load; a node is loaded as its id and labels meanwhile (the writer
        takes a node holding nothing but its id for a new one: graph/writer.py)."""
        self.result.leftover.append((kind, name, row))
        if kind == "node":
            handle, _ = self.writer(kind, name, frozenset(), stub=True)
            labels = f"{name}{ARRAY_DELIMITER}{self.schema.entity_label}" if self.schema.nodes[name].is_entity else name
            handle.write(f"{_quoted(row['plain']['id'])},{labels}\n")

    def close(self) -> ImportFiles:
        for handle, _ in self.open.values():
            handle.close()
        return self.result


def write_import_files(plan: Plan, folder: Path, schema: Schema | None = None) -> ImportFiles:
    """Write the checked file as neo4j-admin CSV files into `folder` (emptied first)."""
    schema = schema or load_schema()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = _Files(folder, schema)
    try:
        for kind in ("node", "relationship"):
            for name, row in _rows(plan, kind):
                files.add(kind, name, row)
    finally:
        result = files.close()
    return result


def database_size(driver: Driver, database: str) -> int:
    records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS nodes", database_=database)
    return records[0]["nodes"]


def refuse_unless_empty(driver: Driver, database: str, file: str) -> None:
    nodes = database_size(driver, database)
    if nodes:
        raise ImportFailed([Problem(Origin(file), "database", database,
                                    f"holds {nodes} nodes: the bulk path loads an empty database only (it replaces "
                                    "the store). Use `influence import jsonl` to add to a graph")])


def load(server: LocalServer, driver_factory, database: str, plan: Plan, *, schema: Schema | None = None,
         batch_size: int = 5000) -> BulkResult:
    """Refuse a database that is not empty; write the CSV files; stop the server, import offline, start it;
    build the schema's constraints and indexes; write the leftover rows. `driver_factory()` gives a new
    driver (the server restarts in between). Every step is timed."""
    schema = schema or load_schema()
    seconds: dict[str, float] = {}
    with driver_factory() as driver:
        refuse_unless_empty(driver, database, plan.file)
    started = time.perf_counter()
    folder = server.home / "import" / "bulk"
    files = write_import_files(plan, folder, schema)
    seconds["write files"] = time.perf_counter() - started
    started = time.perf_counter()
    server.stop()
    command = [server._java(), "-Xmx1g", "-cp", f"{server.lib}/*", ADMIN_TOOL, "database", "import", "full",  # noqa: SLF001
               database, "--overwrite-destination=true", *files.admin_arguments(folder / "import.report")]
    done = subprocess.run(command, env=server._env(), capture_output=True, text=True, cwd=server.home)  # noqa: SLF001
    server.start()
    seconds["offline import"] = time.perf_counter() - started
    if done.returncode != 0:
        raise ImportFailed([Problem(Origin(plan.file), "neo4j-admin", "import",
                                    f"failed ({done.returncode}); the database may have been replaced by an empty one: "
                                    + (done.stderr or done.stdout)[-1500:])])
    shutil.rmtree(folder, ignore_errors=True)
    summary = ImportSummary()
    with driver_factory() as driver:
        started = time.perf_counter()
        apply_schema(driver, database, schema)
        driver.execute_query("CALL db.awaitIndexes(3600)", database_=database)
        seconds["constraints and indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        groups: dict[tuple[str, str], list[dict]] = {}
        for kind, name, row in files.leftover:  # nodes come first in the list, as they were read first
            groups.setdefault((kind, name), []).append(row)
        for (kind, name), rows in groups.items():
            statements = node_statements(schema, name) if kind == "node" else relationship_statements(schema, name)
            batches = [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)]
            rename = {"rename": False} if kind == "node" else {}  # as `import jsonl` writes a node
            write_batches(driver, database, statements, batches, summary, (kind, name), None, **rename)
        seconds["leftover rows"] = time.perf_counter() - started
    return BulkResult(plan.nodes.total(), plan.relationships.total(), len(files.leftover), seconds, summary)

