"""What every importer shares: records with their origin, merging, validation, and the batched writer.

An importer turns its input into a `Dataset` of node and relationship records, each remembering the
file and line it came from. `Dataset.problems()` checks the whole of it against the schema; only a
dataset without problems is written, in batches of `UNWIND $rows ... MERGE` on the ids, nodes before
relationships, with the constraints applied first. Labels and relationship types reach the Cypher
text only from the schema's allow-list; every value travels as a parameter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import yaml
from icu import ICUError
from neo4j import Driver, ManagedTransaction
from normality import ascii_text as _ascii_text
from normality import slugify as _slugify

from graph.schema import Schema, apply_schema, load_schema

CONFIDENCE_ORDER = ["inferred", "reported", "stated"]
PROVENANCE = ("sources", "evidence")
LIST_APPEND = set(PROVENANCE)  # joined as (source, quote) pairs, each pair kept once
# Properties that differ between sources of one fact without contradicting each other, and how
# they combine; every other property must agree between sources.
LIST_UNION = {"aliases", "externalIds", "topics", "sanctions", "urls", "interests"}
COMBINE = {
    "asOf": max,
    "validFrom": min,
    "validTo": max,
    "confidence": lambda a, b: max(a, b, key=CONFIDENCE_ORDER.index),
    "note": lambda a, b: a if b in a else f"{a} / {b}",
    "description": lambda a, b: a if b in a else f"{a} / {b}",
}


@dataclass(frozen=True)
class Origin:
    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Problem:
    origin: Origin
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.item}: field '{self.field}' {self.message}"


class ImportFailed(Exception):
    """The input has problems; nothing was written. `problems` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:200])
        more = f"\n  ... and {len(problems) - 200} more" if len(problems) > 200 else ""
        super().__init__(f"{len(problems)} problem(s); nothing was written:\n{shown}{more}")


@dataclass
class NodeRecord:
    label: str
    props: dict[str, Any]
    origins: list[Origin]

    @property
    def id(self) -> str:
        return self.props["id"]


@dataclass
class RelationshipRecord:
    type: str
    start: str
    end: str
    props: dict[str, Any]
    origins: list[Origin]

    @property
    def id(self) -> str:
        return self.props["id"]


def slug(text: str) -> str:
    """The id an importer gives an entity it knows only by name: `Export-Import Bank of China` →
    `export-import-bank-of-china` (accents folded, punctuation dropped)."""
    try:
        made = _slugify(text, sep="-") or ""
    except ICUError:
        made = _slugify(icu_safe(text), sep="-") or ""
    return "-".join(part for part in made.split("-") if part)  # "A𤵧" slugifies to "a-", not a valid id


def icu_safe(text: str) -> str:
    """Text that normality's ICU transliteration accepts. ICU refuses a few rare sequences (`𖭀ヽ`, a
    Pahawh Hmong letter before a kana iteration mark), which would end an import with a traceback;
    such text is transliterated to ASCII one character at a time, a character ICU refuses dropped."""
    return "".join(_ascii_char(char) for char in text)


def _ascii_char(char: str) -> str:
    try:
        return _ascii_text(char)
    except ICUError:
        return ""


def relationship_id(start: str, rel_type: str, end: str, key: str | None = None) -> str:
    return "|".join([start, rel_type, end] + ([key] if key else []))


@dataclass
class Dataset:
    """Nodes and relationships by id; adding one that exists merges the two (see COMBINE)."""

    schema: Schema = field(default_factory=load_schema, repr=False)
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    relationships: dict[str, RelationshipRecord] = field(default_factory=dict)
    conflicts: list[Problem] = field(default_factory=list)
    # what an importer left out on purpose (records the schema has no place for), counted by reason
    skipped: Counter = field(default_factory=Counter)

    def add_node(self, label: str, props: dict[str, Any], origin: Origin) -> None:
        props = {k: v for k, v in props.items() if v is not None}
        node_id = props.get("id")
        if label not in self.schema.nodes:
            self.conflicts += [Problem(origin, f"node {node_id}", *p) for p in self.schema.node_problems(label, props)[:1]]
            return
        if not isinstance(node_id, str) or not node_id:
            self.conflicts.append(Problem(origin, f"{label} node", "id", "is required"))
            return
        existing = self.nodes.get(node_id)
        if existing is None:
            self.nodes[node_id] = NodeRecord(label, props, [origin])
            return
        if existing.label != label:
            self.conflicts.append(Problem(
                origin, f"node {node_id}", "label", f"is {label} here but {existing.label} at {existing.origins[0]}"
            ))
            return
        self._merge(existing, props, origin, f"node {node_id}")

    def add_relationship(self, rel_type: str, start: str, end: str, props: dict[str, Any], origin: Origin,
                         key: str | None = None) -> None:
        props = {k: v for k, v in props.items() if v is not None}
        rel_id = relationship_id(start, rel_type, end, key)
        props["id"] = rel_id
        if rel_type not in self.schema.relationships:
            self.conflicts += [Problem(origin, f"relationship {rel_id}", *p)
                               for p in self.schema.relationship_problems(rel_type, props, None, None)[:1]]
            return
        existing = self.relationships.get(rel_id)
        if existing is None:
            self.relationships[rel_id] = RelationshipRecord(rel_type, start, end, props, [origin])
        else:
            self._merge(existing, props, origin, f"relationship {rel_id}")

    def _merge(self, existing: NodeRecord | RelationshipRecord, props: dict, origin: Origin, item: str) -> None:
        merged = dict(existing.props)
        old_pairs = list(zip(merged.get("sources", []), merged.get("evidence", []), strict=False))
        new_pairs = [p for p in zip(props.get("sources", []), props.get("evidence", []), strict=False)
                     if p not in old_pairs]
        if new_pairs:  # provenance travels as (source, quote) pairs, each kept once
            merged["sources"] = [s for s, _ in old_pairs + new_pairs]
            merged["evidence"] = [q for _, q in old_pairs + new_pairs]
        for name, value in props.items():
            old = merged.get(name)
            if name in LIST_APPEND:
                continue
            if old is None or old == value:
                merged[name] = value
            elif name in LIST_UNION:
                merged[name] = old + [v for v in value if v not in old]
            elif name in COMBINE:
                merged[name] = COMBINE[name](old, value)
            else:
                self.conflicts.append(Problem(
                    origin, item, name, f"is {value!r} here but {old!r} at {existing.origins[0]}"
                ))
        existing.props = merged
        existing.origins.append(origin)

    def problems(self) -> list[Problem]:
        """Everything wrong with the dataset: merge conflicts, schema violations, dangling ends."""
        schema = self.schema
        problems = list(self.conflicts)
        for node in self.nodes.values():
            for name, message in schema.node_problems(node.label, node.props):
                problems.append(Problem(node.origins[0], f"{node.label} {node.id}", name, message))
            problems += provenance_problems(node.props, node.origins[0], f"{node.label} {node.id}")
        for rel in self.relationships.values():
            ends = []
            for end_field, end_id in (("from", rel.start), ("to", rel.end)):
                node = self.nodes.get(end_id)
                if node is None:
                    problems.append(Problem(rel.origins[0], f"relationship {rel.id}", end_field,
                                            f"names node {end_id!r}, which no file defines"))
                ends.append(node.label if node else None)
            for name, message in schema.relationship_problems(rel.type, rel.props, *ends):
                problems.append(Problem(rel.origins[0], f"relationship {rel.id}", name, message))
            problems += provenance_problems(rel.props, rel.origins[0], f"relationship {rel.id}")
        return problems + ownership_problems(r for r in self.relationships.values() if r.type == "OWNS")

    def counts(self) -> tuple[Counter, Counter]:
        return Counter(n.label for n in self.nodes.values()), Counter(r.type for r in self.relationships.values())


def ownership_problems(owns: Iterable[RelationshipRecord]) -> list[Problem]:
    """Ownership that cannot be, among OWNS records: a cycle of controlling stakes (A controls B controls
    A), or current direct stakes in one entity adding up to more than 100%. Minority cross-holdings,
    ended stakes (with `validTo`) and indirect ones (`direct: false`) are fine. Only `share`,
    `controlling`, `direct` and `validTo` of each record are read, so a streaming importer may keep
    just those."""
    current = [r for r in owns if r.props.get("validTo") is None]
    controlling = nx.DiGraph((r.start, r.end, {"record": r}) for r in current
                             if r.props.get("controlling") is True or (r.props.get("share") or 0) > 0.5)
    problems = []
    try:
        cycle = nx.find_cycle(controlling)
    except nx.NetworkXNoCycle:
        cycle = []
    if cycle:
        first = controlling.edges[cycle[0][0], cycle[0][1]]["record"]
        chain = " -> ".join([cycle[0][0], *(end for _, end in cycle)])
        problems.append(Problem(first.origins[0], f"relationship {first.id}", "to",
                                f"closes a cycle of controlling stakes: {chain}"))
    held: dict[str, list[RelationshipRecord]] = {}
    for r in current:  # direct stakes only: an indirect one is already counted in its intermediary
        if isinstance(r.props.get("share"), (int, float)) and r.props.get("direct") is not False:
            held.setdefault(r.end, []).append(r)
    for owned, stakes in held.items():
        total = sum(r.props["share"] for r in stakes)
        if total > 1.0 + 1e-9:
            problems.append(Problem(stakes[-1].origins[0], f"relationship {stakes[-1].id}", "share",
                                    f"makes the current direct stakes in {owned!r} add up to {total:.0%}, "
                                    "more than 100%"))
    return problems


def provenance_problems(props: dict, origin: Origin, item: str) -> list[Problem]:
    sources, evidence = props.get("sources"), props.get("evidence")
    if isinstance(sources, list) and isinstance(evidence, list) and len(sources) != len(evidence):
        return [Problem(origin, item, "evidence", f"has {len(evidence)} quotes for {len(sources)} sources")]
    return []


# --- reading JSON ------------------------------------------------------------------------------------
class DuplicateKey(ValueError):
    """A key given twice in one JSON object, which `json` would silently reduce to the last value."""

    def __init__(self, key: str):
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    """`object_pairs_hook` for `json.loads` that refuses a repeated key (raises DuplicateKey)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen.add(key)
    return dict(pairs)


# --- reading YAML with line numbers ---------------------------------------------------------------
# Seed files and mappings are a few kB to 100 kB; the pure-Python parser needs ~20 s for 50 MB.
MAX_YAML_BYTES = 10 * 2**20


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML this project does not accept: a key given twice in one mapping (YAML keeps only the
    last), or an alias (`*name`, which can multiply a small file into a huge structure)."""

    def __init__(self, item: str, field: str, problem: str, mark):
        super().__init__(problem=problem, problem_mark=mark)
        self.item, self.field = item, field


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that notes the line of every mapping under the key `__line__`."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused("file", "alias", f"uses the alias *{event.anchor}; anchors and aliases are not accepted "
                                            "here, write the value out", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    key = self.construct_object(key_node)
                    if key in seen:
                        raise _Refused("mapping", str(key), f"is given twice in one mapping (first on line {seen[key]}); "
                                                            "YAML would keep only the last", key_node.start_mark)
                    seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def read_yaml(path: Path) -> Any:
    """Parse YAML, turning syntax errors into an ImportFailed that names the file and line."""
    def fail(line: int | None, item: str, field: str, message: str) -> ImportFailed:
        return ImportFailed([Problem(Origin(str(path), line), item, field, message)])

    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise fail(None, "file", "size", f"is {size / 2**20:.1f} MB; a YAML file here may be at most "
                                         f"{MAX_YAML_BYTES // 2**20} MB")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise fail(line, "file", "encoding", f"is not UTF-8 ({error.reason} at byte {error.start})") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader)
    except _Refused as error:
        raise fail(error.problem_mark.line + 1, error.item, error.field, error.problem) from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise fail(line, "file", "syntax", f"is not valid YAML: {error.problem}") from None
    except yaml.reader.ReaderError as error:  # a control character (valid UTF-8, not allowed in YAML)
        line = text[:error.position].count("\n") + 1
        raise fail(line, "file", "syntax", f"is not valid YAML: the character U+{error.character:04X} is not allowed") from None
    except RecursionError:
        raise fail(None, "file", "syntax", "nests lists or mappings too deeply to be read") from None


# --- writing ----------------------------------------------------------------------------------------
@dataclass
class ImportSummary:
    """What an import did: (kind, label or type) → Counter of created / updated / unchanged."""

    outcomes: dict[tuple[str, str], Counter] = field(default_factory=dict)
    retried_batches: int = 0

    def add(self, kind: str, name: str, counts: dict[str, int]) -> None:
        self.outcomes.setdefault((kind, name), Counter()).update(counts)

    def total(self, outcome: str, kind: str | None = None) -> int:
        return sum(c[outcome] for (k, _), c in self.outcomes.items() if kind in (None, k))


ProgressCallback = Callable[[int], None]


def _batches(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


UNION_SET = sorted(LIST_UNION)


def _merge_clauses(var: str, label_check: str) -> tuple[str, str]:
    """Cypher that judges a row against the existing `old` and merges it into `var`.

    Plain properties are overwritten; provenance (source, quote) pairs are appended when new, and the
    list properties in LIST_UNION gain the values they lack, so a second importer never erases what an
    earlier one recorded about the same entity. The names come from this module, never from input.
    """
    unchanged = " AND ".join(
        [label_check, "size(addedPairs) = 0", "all(k IN keys(row.plain) WHERE old[k] = row.plain[k])"]
        + [f"all(v IN coalesce(row.{k}, []) WHERE v IN coalesce(old.{k}, []))" for k in UNION_SET]
    )
    judge = f"""
WITH row, old,
     CASE WHEN old IS NULL THEN [] ELSE
       [i IN range(0, size(coalesce(old.sources, [])) - 1) | [old.sources[i], old.evidence[i]]] END AS oldPairs,
     [i IN range(0, size(row.sources) - 1) | [row.sources[i], row.evidence[i]]] AS newPairs
WITH row, old, oldPairs, [p IN newPairs WHERE NOT p IN oldPairs] AS addedPairs
WITH row, oldPairs + addedPairs AS pairs,
     CASE WHEN old IS NULL THEN 'created' WHEN {unchanged} THEN 'unchanged' ELSE 'updated' END AS outcome"""
    assign = [f"{var} += row.plain",
              f"{var}.sources = CASE WHEN size(pairs) = 0 THEN null ELSE [p IN pairs | p[0]] END",
              f"{var}.evidence = CASE WHEN size(pairs) = 0 THEN null ELSE [p IN pairs | p[1]] END"]
    assign += [f"{var}.{k} = CASE WHEN row.{k} IS NULL THEN {var}.{k} "
               f"ELSE coalesce({var}.{k}, []) + [v IN row.{k} WHERE NOT v IN coalesce({var}.{k}, [])] END" for k in UNION_SET]
    return judge, "SET " + ",\n    ".join(assign)


def to_row(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    plain = {k: v for k, v in props.items() if k not in PROVENANCE and k not in LIST_UNION}
    return {"plain": plain, "sources": props.get("sources", []), "evidence": props.get("evidence", []),
            **{k: props.get(k) for k in UNION_SET}, **extra}


# An entity keeps the name it has unless $rename (the curated seed import): another source's
# spelling becomes an alias instead of renaming "Export-Import Bank of China" to "China Exim Bank".
KEEP_NAME = """
WITH row, old, row.plain AS plain,
     CASE WHEN old IS NULL OR old.name IS NULL OR $rename THEN row.plain.name ELSE old.name END AS keptName
WITH old, row {.*, plain: plain {.*, name: keptName},
               aliases: CASE WHEN plain.name IS NULL OR plain.name = keptName THEN row.aliases
                             ELSE coalesce(row.aliases, []) + [plain.name] END} AS row"""


def _node_statement(label: str, entity_label: str | None) -> str:
    key_label = entity_label or label
    judge, assign = _merge_clauses("n", f"old:{label}")
    return f"""
UNWIND $rows AS row
OPTIONAL MATCH (old:{key_label} {{id: row.plain.id}})
{KEEP_NAME if entity_label else ""}
{judge}
MERGE (n:{key_label} {{id: row.plain.id}})
{assign}
SET n:{label}
RETURN outcome, count(*) AS n"""


def _relationship_statement(rel_type: str, entity_label: str) -> str:
    judge, assign = _merge_clauses("r", "true")
    return f"""
UNWIND $rows AS row
MATCH (a:{entity_label} {{id: row.start}}), (b:{entity_label} {{id: row.end}})
OPTIONAL MATCH (a)-[old:{rel_type} {{id: row.plain.id}}]->(b)
WITH row, a, b, old
{judge.replace("WITH row, old", "WITH row, a, b, old").replace("WITH row, oldPairs", "WITH row, a, b, oldPairs")}
MERGE (a)-[r:{rel_type} {{id: row.plain.id}}]->(b)
{assign}
RETURN outcome, count(*) AS n"""


def write_dataset(
    driver: Driver,
    database: str,
    dataset: Dataset,
    *,
    batch_size: int = 1000,
    progress: ProgressCallback | None = None,
    rename: bool = False,
) -> ImportSummary:
    """Validate, then write: constraints first, nodes by label, then relationships by type.

    Raises ImportFailed (and writes nothing) when the dataset has problems. Re-running with the
    same dataset leaves the graph as it is, reporting every row as unchanged. Existing entities keep
    their names (the new spelling becomes an alias) unless `rename`.
    """
    schema = dataset.schema
    problems = dataset.problems()
    if problems:
        raise ImportFailed(problems)
    apply_schema(driver, database, schema)
    summary = ImportSummary()
    for label in schema.nodes:  # the allow-list, in schema order
        rows = [to_row(n.props) for n in dataset.nodes.values() if n.label == label]
        write_batches(driver, database, node_statements(schema, label), _batches(rows, batch_size), summary,
                      ("node", label), progress, rename=rename)
    for rel_type in schema.relationships:
        rows = [to_row(r.props, start=r.start, end=r.end) for r in dataset.relationships.values() if r.type == rel_type]
        write_batches(driver, database, relationship_statements(schema, rel_type), _batches(rows, batch_size),
                      summary, ("relationship", rel_type), progress)
    return summary


@dataclass(frozen=True)
class Statements:
    """How one label or type is written: which ids exist already; new rows are created outright (no
    judging, no Eager plan), rows for existing ids are merged and judged."""

    existing: str
    create: str
    merge: str


def node_statements(schema: Schema, label: str) -> Statements:
    """The statements for nodes of `label`, which must be a label of the schema (the allow-list)."""
    if label not in schema.nodes:
        raise ValueError(f"{label!r} is not a label of the schema")
    key_label = schema.entity_label if schema.nodes[label].is_entity else label
    return Statements(
        existing=f"UNWIND $ids AS id MATCH (n:{key_label} {{id: id}}) RETURN n.id AS id",
        create=_node_create_statement(label, key_label),
        merge=_node_statement(label, key_label if key_label != label else None),
    )


def relationship_statements(schema: Schema, rel_type: str) -> Statements:
    """The statements for relationships of `rel_type`, which must be a type of the schema."""
    if rel_type not in schema.relationships:
        raise ValueError(f"{rel_type!r} is not a relationship type of the schema")
    return Statements(
        existing=f"UNWIND $ids AS id MATCH ()-[r:{rel_type} {{id: id}}]->() RETURN r.id AS id",
        create=_relationship_create_statement(rel_type, schema.entity_label),
        merge=_relationship_statement(rel_type, schema.entity_label),
    )


def _create_assignments(var: str) -> str:
    assign = [f"{var} = row.plain",
              f"{var}.sources = CASE WHEN size(row.sources) = 0 THEN null ELSE row.sources END",
              f"{var}.evidence = CASE WHEN size(row.evidence) = 0 THEN null ELSE row.evidence END"]
    assign += [f"{var}.{k} = row.{k}" for k in UNION_SET]
    return "SET " + ",\n    ".join(assign)


def _node_create_statement(label: str, key_label: str) -> str:
    labels = key_label if key_label == label else f"{key_label}:{label}"
    return f"UNWIND $rows AS row\nCREATE (n:{labels})\n{_create_assignments('n')}"


def _relationship_create_statement(rel_type: str, entity_label: str) -> str:
    return (f"UNWIND $rows AS row\nMATCH (a:{entity_label} {{id: row.start}}) MATCH (b:{entity_label} {{id: row.end}})\n"
            f"CREATE (a)-[r:{rel_type}]->(b)\n{_create_assignments('r')}")


def write_batches(driver: Driver, database: str, statements: Statements, batches: Iterable[list[dict]],
                  summary: ImportSummary, what: tuple[str, str], progress: ProgressCallback | None,
                  **parameters: Any) -> None:
    """Write each batch of rows (made by `to_row`) in its own managed transaction, counting the outcomes
    into `summary` under `what` (kind, label or type). Batches may come from a generator."""
    for batch in batches:
        attempts = 0

        def work(tx: ManagedTransaction, batch=batch) -> dict[str, int]:
            nonlocal attempts
            attempts += 1
            existing = set(tx.run(statements.existing, ids=[r["plain"]["id"] for r in batch]).value("id"))
            fresh = [r for r in batch if r["plain"]["id"] not in existing]
            known = [r for r in batch if r["plain"]["id"] in existing]
            counts: Counter = Counter()
            if fresh:
                tx.run(statements.create, rows=fresh).consume()
                counts["created"] = len(fresh)
            if known:
                counts.update({record["outcome"]: record["n"]
                               for record in tx.run(statements.merge, rows=known, **parameters)})
            return dict(counts)

        with driver.session(database=database) as session:
            counts = session.execute_write(work)
        summary.retried_batches += attempts - 1
        summary.add(*what, counts)
        if progress:
            progress(len(batch))


def check_counts(dataset: Dataset, assertions: dict, origin: Origin) -> list[Problem]:
    """The metadata file's min/max counts (zavod's `assertions`), as problems when not met."""
    labels, types = dataset.counts()
    return count_problems({"nodes": len(dataset.nodes), "relationships": len(dataset.relationships), **labels, **types},
                          assertions, origin)


def count_problems(actual: dict[str, int], assertions: dict, origin: Origin) -> list[Problem]:
    """`check_counts` over counts by name (`nodes`, `relationships`, each label and type)."""
    problems = []
    for bound in ("min", "max"):
        for name, limit in (assertions.get(bound) or {}).items():
            value = actual.get(name, 0)
            if (bound == "min" and value < limit) or (bound == "max" and value > limit):
                problems.append(Problem(origin, "assertions", f"{bound}.{name}",
                                        f"expects {'at least' if bound == 'min' else 'at most'} {limit}, got {value}"))
    return problems


def iter_entries(document: Any, key: str, origin_file: str) -> Iterable[tuple[dict, Origin]]:
    """The mappings under `key` of a YAML document, each with its origin (line numbers dropped)."""
    for entry in (document or {}).get(key) or []:
        if isinstance(entry, dict):
            line = entry.pop("__line__", None)
            yield entry, Origin(origin_file, line)
