"""The one writer: a validated Dataset (or rows streamed in batches) into Neo4j.

Batches of `UNWIND $rows` in managed transactions, nodes before relationships, constraints applied
first. Labels, relationship types and property names reach the Cypher text only from the schema's
allow-list; every value travels as a parameter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import ConstraintError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.records import PROVENANCE, Dataset, ImportFailed
from graph.schema import Property, Schema, apply_schema, load_schema


@dataclass
class ImportSummary:
    """What an import did: (kind, label or type) → Counter of created / updated / unchanged."""

    outcomes: dict[tuple[str, str], Counter] = field(default_factory=dict)
    retried_batches: int = 0
    written_batches: int = 0

    def add(self, kind: str, name: str, counts: dict[str, int]) -> None:
        self.outcomes.setdefault((kind, name), Counter()).update(counts)

    def total(self, outcome: str, kind: str | None = None) -> int:
        return sum(c[outcome] for (k, _), c in self.outcomes.items() if kind in (None, k))


class WriteStopped(Exception):
    """A batch could not be written after validation passed: the server stopped, or refused the data.
    Each batch is its own transaction: the batches before it are in the graph, whole; it is not."""


ProgressCallback = Callable[[int], None]
# What Neo4j says when a CREATE meets an id that a uniqueness constraint already holds.
UNIQUENESS_REFUSED = "Neo.ClientError.Schema.ConstraintValidationFailed"


def _batches(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


SCHEMA = load_schema()
# List properties that gain the values they lack (`merge: union`); they travel beside `plain` in a row.
UNION_SET = sorted(name for name, prop in SCHEMA.merging.items() if prop.merge == "union")


def _merged_value(var: str, prop: Property) -> str:
    """Cypher for one property's value after the merge, as its `merge:` says (graph/schema.py, MERGES);
    the same rule as Property.combine in memory. `agree` takes the row's value where it has one."""
    new, old = f"row.plain.{prop.name}", f"{var}.{prop.name}"
    if prop.merge in ("max", "min"):
        keep_old = f"{old} >= {new}" if prop.merge == "max" else f"{old} <= {new}"
        return f"CASE WHEN {new} IS NULL OR {keep_old} THEN {old} ELSE {new} END"
    if prop.merge == "strongest":  # the value earlier in the enum, sent as $order.<name>
        rank = f"[i IN range(0, size($order.{prop.name}) - 1) WHERE $order.{prop.name}[i] = {{}}][0]"
        return (f"CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL THEN {new} "
                f"WHEN {rank.format(new)} < {rank.format(old)} THEN {new} ELSE {old} END")
    if prop.merge == "join":
        return (f"CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL OR {old} = {new} THEN {new} "
                f"WHEN {old} CONTAINS {new} THEN {old} ELSE {old} + ' / ' + {new} END")
    raise ValueError(f"{prop.name} merges by {prop.merge}, which has no single-value Cypher")


def _merge_clauses(var: str, carry: str, label_check: str, properties: dict[str, Property]) -> tuple[str, str]:
    """Cypher that judges a row against the existing `old` and merges it into `var`, each property as
    the schema's `merge:` declares: `agree` properties take the row's value; `max`, `min`,
    `strongest` and `join` combine with the old value; provenance (source, quote) pairs are appended
    when new, and `union` lists gain the values they lack, so a second importer never erases what an
    earlier one recorded. Names come from the schema, never from input. `carry`: the variables
    kept from before (`row`, or `row, a, b`)."""
    combined = [prop for prop in properties.values() if prop.merge in ("max", "min", "strongest", "join")]
    merged = "plain {.*" + "".join(f",\n       {p.name}: {_merged_value('old', p)}" for p in combined) + "}"
    unions = [k for k in UNION_SET if k in properties]
    unchanged = " AND ".join(
        [label_check, "size(addedPairs) = 0", "all(k IN keys(merged) WHERE merged[k] IS NULL OR old[k] = merged[k])"]
        + [f"all(v IN coalesce(row.{k}, []) WHERE v IN coalesce(old.{k}, []))" for k in unions]
    )
    judge = f"""
WITH {carry}, old,
     CASE WHEN old IS NULL THEN [] ELSE
       [i IN range(0, size(coalesce(old.sources, [])) - 1) | [old.sources[i], old.evidence[i]]] END AS oldPairs,
     [i IN range(0, size(row.sources) - 1) | [row.sources[i], row.evidence[i]]] AS newPairs
WITH {carry}, old, oldPairs, [p IN newPairs WHERE NOT p IN oldPairs] AS addedPairs, row.plain AS plain
WITH {carry}, old, oldPairs, addedPairs,
     {merged} AS merged
WITH {carry}, merged, oldPairs + addedPairs AS pairs,
     CASE WHEN old IS NULL THEN 'created' WHEN {unchanged} THEN 'unchanged' ELSE 'updated' END AS outcome"""
    assign = [f"{var} += merged",
              f"{var}.sources = CASE WHEN size(pairs) = 0 THEN null ELSE [p IN pairs | p[0]] END",
              f"{var}.evidence = CASE WHEN size(pairs) = 0 THEN null ELSE [p IN pairs | p[1]] END"]
    assign += [f"{var}.{k} = CASE WHEN row.{k} IS NULL THEN {var}.{k} "
               f"ELSE coalesce({var}.{k}, []) + [v IN row.{k} WHERE NOT v IN coalesce({var}.{k}, [])] END" for k in unions]
    return judge, "SET " + ",\n    ".join(assign)


def to_row(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    plain = {k: v for k, v in props.items() if k not in PROVENANCE and k not in UNION_SET}
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


def _node_statement(schema: Schema, label: str, key_label: str) -> str:
    judge, assign = _merge_clauses("n", "row", f"old:{label}", schema.nodes[label].properties)
    return f"""
UNWIND $rows AS row
OPTIONAL MATCH (old:{key_label} {{id: row.plain.id}})
{KEEP_NAME if key_label != label else ""}
{judge}
MERGE (n:{key_label} {{id: row.plain.id}})
{assign}
SET n:{label}
RETURN outcome, count(*) AS n"""


def _relationship_statement(schema: Schema, rel_type: str) -> str:
    entity_label = schema.entity_label
    judge, assign = _merge_clauses("r", "row, a, b", "true", schema.relationships[rel_type].properties)
    return f"""
UNWIND $rows AS row
MATCH (a:{entity_label} {{id: row.start}}), (b:{entity_label} {{id: row.end}})
OPTIONAL MATCH (a)-[old:{rel_type} {{id: row.plain.id}}]->(b)
WITH row, a, b, old
{judge}
MERGE (a)-[r:{rel_type} {{id: row.plain.id}}]->(b)
{assign}
RETURN outcome, count(*) AS n"""


def _orders(properties: dict[str, Property]) -> dict[str, list]:
    """The `$order` parameter: for each `strongest` property, its enum, strongest first."""
    return {p.name: list(p.enum) for p in properties.values() if p.merge == "strongest"}


def write_dataset(
    driver: Driver,
    database: str,
    dataset: Dataset,
    *,
    batch_size: int = 1000,
    progress: ProgressCallback | None = None,
    rename: bool = False,
    validate: bool = True,
) -> ImportSummary:
    """Validate (unless the caller has: importers/pipeline.py), then write: constraints first, nodes by
    label, then relationships by type.

    Raises ImportFailed (and writes nothing) when the dataset has problems. Re-running with the
    same dataset leaves the graph as it is, reporting every row as unchanged. Existing entities keep
    their names (the new spelling becomes an alias) unless `rename`.
    """
    schema = dataset.schema
    problems = dataset.problems() if validate else []
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
    parameters: dict = field(default_factory=dict)  # the merge statement's own ($order)


def node_statements(schema: Schema, label: str) -> Statements:
    """The statements for nodes of `label`, which must be a label of the schema (the allow-list)."""
    if label not in schema.nodes:
        raise ValueError(f"{label!r} is not a label of the schema")
    key_label = schema.entity_label if schema.nodes[label].is_entity else label
    return Statements(
        existing=f"UNWIND $ids AS id MATCH (n:{key_label} {{id: id}}) RETURN n.id AS id",
        create=_node_create_statement(label, key_label),
        merge=_node_statement(schema, label, key_label),
        parameters={"order": _orders(schema.nodes[label].properties)},
    )


def relationship_statements(schema: Schema, rel_type: str) -> Statements:
    """The statements for relationships of `rel_type`, which must be a type of the schema."""
    if rel_type not in schema.relationships:
        raise ValueError(f"{rel_type!r} is not a relationship type of the schema")
    return Statements(
        existing=f"UNWIND $ids AS id MATCH ()-[r:{rel_type} {{id: id}}]->() RETURN r.id AS id",
        create=_relationship_create_statement(rel_type, schema.entity_label),
        merge=_relationship_statement(schema, rel_type),
        parameters={"order": _orders(schema.relationships[rel_type].properties)},
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
    into `summary` under `what` (kind, label or type). Batches may come from a generator.

    Rows whose id is not in the graph yet are CREATEd (fast: no judging, no Eager plan). Another
    import running at the same time can create one of those ids between the check and the CREATE; the
    id's uniqueness constraint then refuses the CREATE, and the batch is run again with every row
    through the MERGE statement, which takes the constraint's lock and so cannot race."""
    for batch in batches:
        attempts = 0

        def work(tx: ManagedTransaction, batch=batch, merge_all: bool = False) -> dict[str, int]:
            nonlocal attempts
            attempts += 1
            existing = set(tx.run(statements.existing, ids=[r["plain"]["id"] for r in batch]).value("id"))
            fresh = [] if merge_all else [r for r in batch if r["plain"]["id"] not in existing]
            known = batch if merge_all else [r for r in batch if r["plain"]["id"] in existing]
            counts: Counter = Counter()
            if fresh:
                tx.run(statements.create, rows=fresh).consume()
                counts["created"] = len(fresh)
            if known:
                counts.update({record["outcome"]: record["n"]
                               for record in tx.run(statements.merge, rows=known, **statements.parameters, **parameters)})
            return dict(counts)

        try:
            with driver.session(database=database) as session:
                try:
                    counts = session.execute_write(work)
                except ConstraintError as error:
                    if error.code != UNIQUENESS_REFUSED:
                        raise
                    counts = session.execute_write(work, merge_all=True)
        except (ServiceUnavailable, SessionExpired) as error:
            raise _stopped(summary, what, batch, "the server stopped answering during the import "
                           f"({type(error).__name__})", "When the server runs again (`influence db status`), "
                           "run the same command again") from error
        except Neo4jError as error:
            raise _stopped(summary, what, batch, f"Neo4j refused a batch that passed validation "
                           f"({error.code}: {_clipped(error.message)})", "Fix the value Neo4j names (and report "
                           "it: graph/limits.py should have refused it), then run the same command again") from error
        summary.written_batches += 1
        summary.retried_batches += attempts - 1
        summary.add(*what, counts)
        if progress:
            progress(len(batch))


def _clipped(text: str | None, limit: int = 300) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + "..."


def _stopped(summary: ImportSummary, what: tuple[str, str], batch: list[dict], reason: str, then: str
             ) -> WriteStopped:
    ids = [row["plain"]["id"] for row in batch[:3]]
    shown = ", ".join(repr(_clipped(i, 60)) for i in ids) + (", ..." if len(batch) > 3 else "")
    return WriteStopped(
        f"The import stopped: {reason}. {summary.written_batches} batch(es) of this import were written before "
        f"it, each whole, in its own transaction; the batch being written ({len(batch)} {what[0]} rows of "
        f"{what[1]}: {shown}) was not. {then}: it merges by id, leaves what is written unchanged and "
        "completes the import."
    )
