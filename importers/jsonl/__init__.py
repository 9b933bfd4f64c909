"""The native bulk format, JSON lines, imported in two streaming passes; and its writer, which
`influence export jsonl` uses to dump the graph.

One record per line (blank lines are allowed):

    {"type": "node", "label": "Company", "properties": {"id": "huawei", "name": "Huawei", ...}}
    {"type": "relationship", "relType": "OWNS", "from": "<node id>", "to": "<node id>",
     "key": <optional text>, "properties": {...}}

A relationship's id is `relationship_id(from, relType, to, key)`, as every importer makes it; a
`properties.id` that differs is a problem. Ids are taken as given (no entity resolution). Every
relationship end must be a node defined in the same file, before or after the relationship: a file
is a self-contained graph, so validation never depends on what the database holds.

Pass 1 (`check`) reads the file line by line and collects every problem (file:line, item, field)
while keeping only compact state: one int per node id (its line and label), a 64-bit hash per
relationship id, the OWNS stakes (for the ownership checks) and the relationships whose ends had not
been seen yet (none in an export, which writes nodes first). Memory therefore grows with the number
of ids, not with the size of the file. Only when there is no problem does pass 2 (`write`) re-read
the file twice, nodes then relationships, and send them through the same batched writer as
`write_dataset`, holding at most one batch per label or type.

The file must not change between the passes. Pass 1 keeps a SHA-256 of each block of about 1 MB of
whole lines (32 bytes per MB); pass 2 first re-hashes the whole file, and then, reading it again,
compares each block before any of its lines is used: a file changed before the write is refused
with nothing written, and one changed while it is written stops at the first changed block, having
written only lines that were checked.
"""

from __future__ import annotations

import hashlib
import json
import time
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy
import orjson
from neo4j import READ_ACCESS, Driver

from graph.db import session
from graph.records import (
    Dataset,
    ImportFailed,
    Origin,
    Problem,
    ownership_problems,
    provenance_problems,
    relationship_id,
    split_claims,
)
from graph.schema import Schema, apply_schema, load_schema
from graph.writer import (
    ImportSummary,
    Pipeline,
    ProgressCallback,
    node_statements,
    relationship_statements,
    to_row,
    with_derived,
)
from importers.context import count_problems
from importers.metadata import Metadata
from importers.readers import JsonLine, json_lines

__all__ = ["METADATA", "Plan", "check", "dataset_records", "export_records", "import_file", "write", "write_jsonl"]

METADATA = Metadata.load(Path(__file__).with_name("jsonl.yml"))
MAX_PROBLEMS = 1000  # past this, reading stops: the list is long enough to show what is wrong
BLOCK_BYTES = 1 << 20  # whole lines are hashed in blocks of at least this many bytes (or the file's end)
RECORD_KEYS = {"node": ("type", "label", "properties"),
               "relationship": ("type", "relType", "from", "to", "key", "properties")}
OWNERSHIP_FIELDS = ("share", "controlling", "direct")  # what ownership_problems reads of a current stake


@dataclass(frozen=True)
class Plan:
    """A file that passed `check`: where it is, what it holds, and how long checking took."""

    path: Path
    file: str  # as problems name it
    nodes: Counter
    relationships: Counter
    seconds: float
    digests: tuple[bytes, ...]  # SHA-256 of each block of lines as checked: a file changed since is refused

    @property
    def total(self) -> int:
        return self.nodes.total() + self.relationships.total()


def _blocks(path: Path) -> Iterator[tuple[int, list[bytes], bytes]]:
    """The file in blocks of whole lines: (number of the block's first line, its lines, their SHA-256)."""
    with path.open("rb") as handle:
        first, lines, size = 1, [], 0
        for raw in handle:
            lines.append(raw)
            size += len(raw)
            if size >= BLOCK_BYTES:
                yield first, lines, hashlib.sha256(b"".join(lines)).digest()
                first, lines, size = first + len(lines), [], 0
        if lines:
            yield first, lines, hashlib.sha256(b"".join(lines)).digest()


def _changed(file: str, line: int | None) -> ImportFailed:
    return ImportFailed([Problem(Origin(file, line), "file", "modified", "changed after it was checked; run again")])


def _verified_blocks(path: Path, digests: list[bytes] | tuple[bytes, ...], file: str | None
                     ) -> Iterator[tuple[int, list[bytes]]]:
    """The blocks of the file. With `file` None, each block's digest is appended to `digests` (pass 1);
    otherwise each block is compared with the digest pass 1 recorded before it is yielded, and a
    difference (or a block more or fewer) raises ImportFailed naming `file`."""
    count = 0
    for first, lines, digest in _blocks(path):
        if file is None:
            digests.append(digest)
        elif count >= len(digests) or digests[count] != digest:
            raise _changed(file, first)
        count += 1
        yield first, lines
    if file is not None and count != len(digests):
        raise _changed(file, None)


def _lines(path: Path, digests: list[bytes] | tuple[bytes, ...], verify_as: str | None = None) -> Iterator[JsonLine]:
    """Every non-blank line, parsed, or the reason it cannot be (a line that is not an object among them);
    blocks hashed or verified as `_verified_blocks` says."""
    raw_lines = (raw for _, block in _verified_blocks(path, digests, verify_as) for raw in block)
    for line in json_lines(raw_lines):
        if line.kind is None and not isinstance(line.value, dict):
            yield JsonLine(line.number, kind="type", detail=type(line.value).__name__)
        else:
            yield line


def _line_problem(line: JsonLine, file: str) -> Problem:
    if line.kind == "type":
        return Problem(Origin(file, line.number), "line", "type", f"expected an object with a \"type\", got {line.detail}")
    if line.kind == "duplicate":
        return Problem(Origin(file, line.number), "record", line.detail, "is given twice in one object")
    return line.problem(file)


def _hash(rel_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(rel_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def _claims_checked(properties: dict, claims: dict[str, list]) -> list[tuple[str, str]]:
    """What is wrong with the values an exported record's `<p>Values` hold (each checked as `p` is)."""
    return [(f"{name}Values", f"({source!r}) {problem}") for name, pairs in claims.items() for value, source in pairs
            if (problem := properties[name].check(value))]


def _without_nulls(properties: dict) -> dict:
    return {k: v for k, v in properties.items() if v is not None}


class _Stake:
    """A current OWNS tie as `ownership_problems` reads it (the fields it reads, `id`, `origins`), in about
    a third of a RelationshipRecord's memory: the check keeps one for every current stake in the file."""

    __slots__ = ("start", "end", "key", "props", "file", "line")

    def __init__(self, start: str, end: str, key: str | None, props: dict, file: str, line: int):
        self.start, self.end, self.key, self.props, self.file, self.line = start, end, key, props, file, line

    @property
    def id(self) -> str:
        return relationship_id(self.start, "OWNS", self.end, self.key)

    @property
    def origins(self) -> list[Origin]:
        return [Origin(self.file, self.line)]


class _Checker:
    """Pass 1: validates one record at a time, keeping only what later records are checked against."""

    def __init__(self, file: str, schema: Schema):
        self.file, self.schema = file, schema
        self.labels = list(schema.nodes)
        self.unknown_label = len(self.labels)  # a node whose label is wrong still defines its id
        self.label_bits = self.unknown_label.bit_length()
        self.claimed = {name: spec.claimed for name, spec in (*schema.nodes.items(), *schema.relationships.items())}
        self.node_ids: dict[str, int] = {}  # id → line << label_bits | label index
        # Relationship ids as 64-bit hashes, 8 bytes each (a set of Python ints took ~70). A hash given
        # twice makes its ids suspects, confirmed (with the first line) by re-reading the file, so a hash
        # collision costs a re-read, never a false problem.
        self.rel_hashes = array("Q")
        self.owns: list[_Stake] = []
        self.deferred: list[tuple[int, str, str, str | None, str | None]] = []  # line, type, id, unseen ends
        self.nodes: Counter = Counter()
        self.relationships: Counter = Counter()
        self.problems: list[Problem] = []

    def problem(self, line: int | None, item: str, field: str, message: str) -> None:
        self.problems.append(Problem(Origin(self.file, line), item, field, message))

    def line(self, line: JsonLine) -> None:
        if line.kind:
            self.problems.append(_line_problem(line, self.file))
            return
        kind = line.value.get("type")
        if kind not in RECORD_KEYS:
            self.problem(line.number, "record", "type", f"is {kind!r}; expected \"node\" or \"relationship\"")
            return
        for key in line.value:
            if key not in RECORD_KEYS[kind]:
                self.problem(line.number, f"{kind} record", key,
                             f"is not a key of a {kind} record (allowed: {', '.join(RECORD_KEYS[kind])})")
        (self.node if kind == "node" else self.relationship)(line.number, line.value)

    def node(self, line: int, record: dict) -> None:
        label, properties = record.get("label"), record.get("properties")
        node_id = properties.get("id") if isinstance(properties, dict) else None
        item = f"{label} {node_id}" if isinstance(label, str) else f"node {node_id}"
        known = isinstance(label, str) and label in self.schema.nodes
        if not known:
            shown = self.schema.node_problems(label, {})[0][1] if isinstance(label, str) else "is required (a text)"
            self.problem(line, item, "label", shown)
        if not isinstance(properties, dict):
            self.problem(line, item, "properties", "expected an object of properties")
            return
        if isinstance(node_id, str) and node_id:
            first = self.node_ids.get(node_id)
            if first is not None:
                self.problem(line, item, "id", f"is given twice, first on line {first >> self.label_bits}")
                return
            index = self.labels.index(label) if known else self.unknown_label
            self.node_ids[node_id] = line << self.label_bits | index
        if not known:
            return
        properties, claims, kept_problems = split_claims(self.claimed[label], _without_nulls(properties))
        for name, message in self.schema.node_problems(label, properties) + kept_problems + _claims_checked(
                self.schema.nodes[label].properties, claims):
            self.problem(line, item, name, message)
        self.problems += provenance_problems(properties, Origin(self.file, line), item)
        self.nodes[label] += 1

    def _label(self, node_id: str) -> str | None:
        """The label of a node seen so far (None when unseen or when its own label was wrong)."""
        packed = self.node_ids.get(node_id)
        index = None if packed is None else packed & ((1 << self.label_bits) - 1)
        return self.labels[index] if index is not None and index < self.unknown_label else None

    def relationship(self, line: int, record: dict) -> None:
        rel_type, start, end, key = (record.get(k) for k in ("relType", "from", "to", "key"))
        properties = record.get("properties")
        before = len(self.problems)
        if not isinstance(rel_type, str) or rel_type not in self.schema.relationships:
            shown = (self.schema.relationship_problems(rel_type, {}, None, None)[0][1] if isinstance(rel_type, str)
                     else "is required (a text)")
            self.problem(line, "relationship", "relType", shown)
        for field, value in (("from", start), ("to", end)):
            if not isinstance(value, str) or not value:
                self.problem(line, "relationship", field, f"expected the id of a node, got {value!r}")
        if key is not None and (not isinstance(key, str) or not key):
            self.problem(line, "relationship", "key", f"expected a non-empty text or null, got {key!r}")
        if not isinstance(properties, dict):
            self.problem(line, "relationship", "properties", "expected an object of properties")
        if len(self.problems) > before:
            return
        rel_id = relationship_id(start, rel_type, end, key)
        item = f"relationship {rel_id}"
        spec = self.schema.relationships.get(rel_type)
        properties, claims, kept_problems = split_claims(self.claimed[rel_type], _without_nulls(properties))
        for name, message in kept_problems + _claims_checked(spec.properties if spec else {}, claims):
            self.problem(line, item, name, message)
        if properties.setdefault("id", rel_id) != rel_id:
            self.problem(line, item, "id", f"is {properties['id']!r}, but from, relType, to and key make {rel_id!r}")
            properties["id"] = rel_id
        self.rel_hashes.append(_hash(rel_id))
        from_label, to_label = self._label(start), self._label(end)
        unseen_start, unseen_end = (None if i in self.node_ids else i for i in (start, end))
        if unseen_start or unseen_end:
            self.deferred.append((line, rel_type, rel_id, unseen_start, unseen_end))
        found = [Problem(Origin(self.file, line), item, name, message)
                 for name, message in self.schema.relationship_problems(rel_type, properties, from_label, to_label)]
        found += provenance_problems(properties, Origin(self.file, line), item)
        self.problems += found
        self.relationships[rel_type] += 1
        if rel_type == "OWNS" and not found and "validTo" not in properties:  # an ended stake counts in no check
            self.owns.append(_Stake(start, end, key, {k: properties[k] for k in OWNERSHIP_FIELDS if k in properties},
                                    self.file, line))

    def deferred_problems(self) -> None:
        """Ends that were not defined above their relationship: defined further down, or nowhere."""
        for line, rel_type, rel_id, start, end in self.deferred:
            for field, node_id in (("from", start), ("to", end)):
                if node_id is None:
                    continue
                if node_id not in self.node_ids:
                    self.problem(line, f"relationship {rel_id}", field,
                                 f"names node {node_id!r}, which no node in the file defines")
                    continue
                ends = (self._label(node_id), None) if field == "from" else (None, self._label(node_id))
                for name, message in self.schema.relationship_problems(rel_type, {}, *ends):
                    if name == field:
                        self.problem(line, f"relationship {rel_id}", field, message)

    def suspect_hashes(self) -> set[int]:
        """The relationship id hashes given more than once."""
        ordered = numpy.sort(numpy.frombuffer(self.rel_hashes, dtype=numpy.uint64))
        return set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())

    def duplicate_relationships(self, path: Path, digests: list[bytes], suspects: set[int]) -> None:
        """Re-read the file for the ids whose hash was given twice: the ids really given twice are problems."""
        first: dict[str, int] = {}
        for line in _lines(path, digests, self.file):
            record = line.value
            if line.kind or record.get("type") != "relationship" or not _well_formed_ends(record):
                continue
            rel_id = relationship_id(record["from"], record["relType"], record["to"], record.get("key"))
            if _hash(rel_id) not in suspects:
                continue
            if rel_id in first:
                self.problem(line.number, f"relationship {rel_id}", "id", f"is given twice, first on line {first[rel_id]}")
            else:
                first[rel_id] = line.number


def _well_formed_ends(record: dict) -> bool:
    key = record.get("key")
    return all(isinstance(record.get(k), str) for k in ("relType", "from", "to")) and (key is None or isinstance(key, str))


def check(path: Path, file: str | None = None, schema: Schema | None = None) -> Plan:
    """Pass 1: validate the whole file, line by line; raise ImportFailed listing every problem."""
    path = Path(path)
    file = file or str(path)
    started = time.perf_counter()
    digests: list[bytes] = []
    checker = _Checker(file, schema or load_schema())
    for line in _lines(path, digests):
        checker.line(line)
        if len(checker.problems) >= MAX_PROBLEMS:
            checker.problem(line.number, "file", "problems", f"has at least {MAX_PROBLEMS}; reading stopped here")
            raise ImportFailed(checker.problems)
    checker.deferred_problems()
    if suspects := checker.suspect_hashes():
        checker.duplicate_relationships(path, digests, suspects)
    checker.problems += ownership_problems(checker.owns)
    checker.problems += count_problems({"nodes": checker.nodes.total(), "relationships": checker.relationships.total(),
                                        **checker.nodes, **checker.relationships},
                                       METADATA.assertions, Origin(f"{file} (checked against {METADATA.file.name})"))
    if checker.problems:
        raise ImportFailed(checker.problems)
    return Plan(path, file, checker.nodes, checker.relationships, time.perf_counter() - started, tuple(digests))


def write(driver: Driver, database: str, plan: Plan, *, batch_size: int = 5000,
          progress: ProgressCallback | None = None, schema: Schema | None = None) -> ImportSummary:
    """Pass 2: constraints, then the nodes, then the relationships, each read again from the file and
    written in batches (at most `batch_size` rows held per label or type). Existing entities keep
    their names, as with every import but the seed's."""
    schema = schema or load_schema()
    for _ in _verified_blocks(plan.path, plan.digests, plan.file):  # changed since the check: nothing is written
        pass
    apply_schema(driver, database, schema)
    summary = ImportSummary()
    statements = {**{("node", label): node_statements(schema, label) for label in schema.nodes},
                  **{("relationship", rel_type): relationship_statements(schema, rel_type)
                     for rel_type in schema.relationships}}
    # an existing entity keeps its name (rename=False): this file's spelling becomes an alias
    parameters = {"node": {"rename": False}, "relationship": {}}
    with Pipeline(driver, database, summary, progress) as pipeline:
        for kind in ("node", "relationship"):
            buffers: dict[str, list[dict]] = {}
            for name, row in _rows(plan, kind):
                buffer = buffers.setdefault(name, [])
                buffer.append(row)
                if len(buffer) >= batch_size:
                    pipeline.write(statements[kind, name], buffers.pop(name), (kind, name), **parameters[kind])
            for name, buffer in buffers.items():
                pipeline.write(statements[kind, name], buffer, (kind, name), **parameters[kind])
    order = {("node", label): i for i, label in enumerate(schema.nodes)}
    order.update({("relationship", rel_type): len(order) + i for i, rel_type in enumerate(schema.relationships)})
    summary.outcomes = dict(sorted(summary.outcomes.items(), key=lambda item: order[item[0]]))
    return summary


# How `write_jsonl` starts each record: in the write passes a line that starts as the other kind's is skipped
# unparsed (the check refused a key given twice, so a leading "type" is the record's only one).
LEADS = {"node": b'{"type":"node"', "relationship": b'{"type":"relationship"'}


def _records(plan: Plan, kind: str) -> Iterator[dict]:
    """The records of `kind`, parsed without the check's duplicate-key hook (the check refused those), from
    blocks verified against the check; a line that no longer parses means the file changed."""
    other = LEADS["relationship" if kind == "node" else "node"]
    for first, block in _verified_blocks(plan.path, plan.digests, plan.file):
        for number, raw in enumerate(block, first):
            if raw.startswith(other) or not raw.strip():
                continue
            raw = raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError:  # what orjson does not read (NaN, deep nesting) but the check did
                try:
                    record = json.loads(raw)
                except (ValueError, RecursionError):
                    raise _changed(plan.file, number) from None
            if record["type"] == kind:
                yield record


def _rows(plan: Plan, kind: str) -> Iterator[tuple[str, dict]]:
    """(label or type, writer row) for each record of `kind`, in file order."""
    schema = load_schema()
    claimed_by = {name: spec.claimed for name, spec in (*schema.nodes.items(), *schema.relationships.items())}
    for record in _records(plan, kind):
        if kind == "node":
            claimed = claimed_by[record["label"]]
            properties, claims, _ = split_claims(claimed, _without_nulls(record["properties"]))
            yield record["label"], to_row(with_derived(schema, record["label"], properties), claimed, claims)
        else:
            claimed = claimed_by[record["relType"]]
            properties, claims, _ = split_claims(claimed, _without_nulls(record["properties"]))
            properties["id"] = relationship_id(record["from"], record["relType"], record["to"], record.get("key"))
            yield record["relType"], to_row(properties, claimed, claims, start=record["from"], end=record["to"])


def import_file(driver: Driver, database: str, path: Path, *, batch_size: int = 5000,
                progress: ProgressCallback | None = None) -> ImportSummary:
    """Check the file (pass 1), then write it (pass 2); nothing is written when it has a problem."""
    schema = load_schema()
    return write(driver, database, check(path, schema=schema), batch_size=batch_size, progress=progress, schema=schema)


# --- writing the format -----------------------------------------------------------------------------
def node_record(label: str, properties: dict) -> dict:
    return {"type": "node", "label": label, "properties": properties}


def relationship_record(rel_type: str, start: str, end: str, properties: dict) -> dict:
    """The record of a stored relationship; its `key` is the fourth part of its id, when there is one."""
    parts = properties["id"].split("|", 3)
    record = {"type": "relationship", "relType": rel_type, "from": start, "to": end}
    if len(parts) == 4:
        record["key"] = parts[3]
    return {**record, "properties": properties}


def write_jsonl(records: Iterable[dict], path: Path) -> int:
    """Write records one per line as they come (never all in memory); returns how many."""
    written = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            written += 1
    return written


def dataset_records(dataset: Dataset) -> Iterator[dict]:
    """The records of an in-memory `Dataset`: its nodes, then its relationships; where its sources disagree,
    a record carries each source's value as the graph stores it (`<p>Sources`, `<p>Values`)."""
    for node in dataset.nodes.values():
        yield node_record(node.label, _with_disputes(node.props, node.claims))
    for rel in dataset.relationships.values():
        yield relationship_record(rel.type, rel.start, rel.end, _with_disputes(rel.props, rel.claims))


def _with_disputes(props: dict, claims: dict[str, list]) -> dict:
    disputed = {name: pairs for name, pairs in claims.items() if len({repr(v) for v, _ in pairs}) > 1}
    if not disputed:
        return props
    return {**props, **{f"{name}Sources": [s for _, s in pairs] for name, pairs in disputed.items()},
            **{f"{name}Values": [v for v, _ in pairs] for name, pairs in disputed.items()}}


def export_records(driver: Driver, database: str, schema: Schema | None = None) -> Iterator[dict]:
    """The whole graph as records, streamed from one READ transaction (a consistent snapshot): the
    nodes without the entity label (Source), then every entity under its schema label, then every
    relationship of a schema type. Nodes with no schema label are left out, and so are the values the
    writer derives in the graph (`firstOf`, such as a tie's `start`), which an import refuses."""
    schema = schema or load_schema()
    derived = {p.name for spec in (*schema.nodes.values(), *schema.relationships.values())
               for p in spec.properties.values() if p.firstOf}

    def stored(properties: dict) -> dict:
        return {k: v for k, v in properties.items() if k not in derived}

    entity_labels = [label for label, spec in schema.nodes.items() if spec.is_entity]
    with session(driver, database, default_access_mode=READ_ACCESS) as reading, reading.begin_transaction() as tx:
        for label in (label for label in schema.nodes if label not in entity_labels):
            for record in tx.run(f"MATCH (n:{label}) RETURN properties(n) AS properties"):
                yield node_record(label, stored(record["properties"]))
        for record in tx.run(f"MATCH (n:{schema.entity_label}) WITH n, [l IN labels(n) WHERE l IN $labels] AS labels "
                             "WHERE size(labels) > 0 RETURN labels[0] AS label, properties(n) AS properties",
                             labels=entity_labels):
            yield node_record(record["label"], stored(record["properties"]))
        for record in tx.run("MATCH (a)-[r]->(b) WHERE type(r) IN $types "
                             "RETURN type(r) AS type, a.id AS start, b.id AS end, properties(r) AS properties",
                             types=list(schema.relationships)):
            yield relationship_record(record["type"], record["start"], record["end"], stored(record["properties"]))
