"""The one writer: a validated Dataset (or rows streamed in batches) into Neo4j.

Batches of `UNWIND $rows` in managed transactions, nodes before relationships, constraints applied
first. Labels, relationship types and property names reach the Cypher text only from the schema's
allow-list; every value travels as a parameter.
"""

from __future__ import annotations

import importlib
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.db import session
from graph.records import PROVENANCE, Dataset, ImportFailed
from graph.schema import NodeType, Property, RelationshipType, Schema, apply_schema, first_of_cypher, load_schema


@dataclass
class ImportSummary:
    """What an import did: (kind, label or type) → Counter of created / updated / unchanged, and
    `disagreements`: the properties of the records written that sources give different values of
    (each counted once per record written; the values are all kept, see graph/schema.py CLAIMS)."""

    outcomes: dict[tuple[str, str], Counter] = field(default_factory=dict)
    retried_batches: int = 0
    disagreements: int = 0
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


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


SCHEMA = load_schema()
# List properties that gain the values they lack (`merge: union`); they travel beside `plain` in a row.
UNION_SET = sorted(name for name, prop in SCHEMA.merging.items() if prop.merge == "union")


def _merged_value(var: str, prop: Property) -> str:
    """Cypher for one property's value after the merge, as its `merge:` says (graph/schema.py, MERGES);
    the same rule as Property.combine in memory (`keep-all` values are kept per source by `_claims`)."""
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


def _claims(claimed: tuple[Property, ...], carry: str) -> tuple[str, list[str]]:
    """Cypher that keeps every source's value of each claimed (`keep-all`) property: the (value, source)
    claims already stored on `old` (none when it is null), less those of the sources this row states
    the property anew (a source's later reading replaces its earlier one), plus the row's, in the
    order of their sources' ids, so the graph does not depend on the order of imports. Then
    `valuesOf` (the distinct values), `dates` (the sources' dates, looked up only when some property is
    disputed) and `shown` (one value per property, by CLAIM_RULE in graph/schema.py: the most recent
    source, then the smallest value, so the order of imports never decides). Returns the WITH clauses and
    the assignments to `<name>`, `<name>Sources` and (disputed only) `<name>Values`, as `{var}` templates."""
    if not claimed:
        return f"\nWITH {carry}, {{}} AS oldClaims, {{}} AS claims, {{}} AS valuesOf, {{}} AS shown", []

    def stored(name: str) -> str:  # a record written before provenance per value: its sources gave its value
        src = f"coalesce(old.{name}Sources, old.sources, [])"
        return (f"CASE WHEN old IS NULL OR old.{name} IS NULL THEN [] ELSE "
                f"[i IN range(0, size({src}) - 1) | [coalesce(old.{name}Values[i], old.{name}), {src}[i]]] END")

    def once(items: str) -> str:
        return f"reduce(kept = [], c IN {items} | CASE WHEN c IN kept THEN kept ELSE kept + [c] END)"

    def dated(claim: str) -> str:
        return f"coalesce([d IN dates WHERE d[0] = {claim}[1] | d[1]][0], '')"

    names = [p.name for p in claimed]
    old_map = ", ".join(f"{n}: {once(stored(n))}" for n in names)
    anew = ("[c IN oldClaims.{n} WHERE NOT c[1] IN [x IN coalesce(row.claims.{n}, []) | x[1]]]"
            " + coalesce(row.claims.{n}, [])")
    new_map = ", ".join(f"{n}: {once(anew.format(n=n))}" for n in names)
    sorted_map = ", ".join(f"{n}: [s IN apoc.coll.sort(apoc.coll.toSet([c IN unsorted.{n} | c[1]])) "
                           f"| [c IN unsorted.{n} WHERE c[1] = s][0]]" for n in names)
    values_map = ", ".join(f"{n}: reduce(vs = [], c IN claims.{n} | CASE WHEN c[0] IN vs THEN vs ELSE vs + [c[0]] END)"
                           for n in names)
    best = (f"reduce(best = null, c IN claims.{{n}} | CASE WHEN best IS NULL OR {dated('c')} > {dated('best')} "
            f"OR ({dated('c')} = {dated('best')} AND c[0] < best[0]) THEN c ELSE best END)[0]")
    shown_map = ", ".join(f"{n}: CASE WHEN size(valuesOf.{n}) < 2 THEN valuesOf.{n}[0] ELSE {best.format(n=n)} END"
                          for n in names)
    clauses = f"""
WITH {carry}, {{{old_map}}} AS oldClaims
WITH {carry}, oldClaims, {{{new_map}}} AS unsorted
WITH {carry}, oldClaims, {{{sorted_map}}} AS claims
WITH {carry}, oldClaims, claims, {{{values_map}}} AS valuesOf
WITH {carry}, oldClaims, claims, valuesOf,
     CASE WHEN any(k IN keys(valuesOf) WHERE size(valuesOf[k]) > 1) THEN COLLECT {{
       MATCH (s:Source) WHERE s.id IN reduce(ids = [], k IN keys(claims) | ids + [c IN claims[k] | c[1]])
       RETURN [s.id, s.date] }} ELSE [] END AS dates
WITH {carry}, oldClaims, claims, valuesOf, {{{shown_map}}} AS shown"""
    assign = [f"{{var}}.disputed = CASE WHEN size([k IN {names} WHERE size(valuesOf[k]) > 1]) = 0 THEN null "
              f"ELSE [k IN {names} WHERE size(valuesOf[k]) > 1] END"]
    for n in names:
        assign += [f"{{var}}.{n} = shown.{n}",
                   f"{{var}}.{n}Sources = CASE WHEN size(claims.{n}) = 0 THEN null ELSE [c IN claims.{n} | c[1]] END",
                   f"{{var}}.{n}Values = CASE WHEN size(valuesOf.{n}) < 2 THEN null ELSE [c IN claims.{n} | c[0]] END"]
    return clauses, assign


# How many claimed properties of a row stand disputed after its write, counted into ImportSummary.disagreements.
DISPUTES = "size([k IN keys(valuesOf) WHERE size(valuesOf[k]) > 1 AND row.claims[k] IS NOT NULL])"


def _merge_clauses(var: str, carry: str, label_check: str, properties: dict[str, Property],
                   claimed: tuple[Property, ...]) -> tuple[str, str]:
    """Cypher that judges a row against the existing `old` and merges it into `var`, each property as
    the schema's `merge:` declares: `keep-all` values are kept per source (`_claims`); `max`, `min`,
    `strongest` and `join` combine with the old value; provenance (source, quote) pairs are appended
    when new, and `union` lists gain the values they lack, so a second importer never erases what an
    earlier one recorded. Names come from the schema, never from input. `carry`: the variables
    kept from before (`row, n` or `row, a, b, r`)."""
    combined = [prop for prop in properties.values() if prop.merge in ("max", "min", "strongest", "join")]
    merged = "plain {.*" + "".join(f",\n       {p.name}: {_merged_value('old', p)}" for p in combined) + "}"
    unions = [k for k in UNION_SET if k in properties]
    claims, claim_assign = _claims(claimed, f"{carry}, old")
    unchanged = " AND ".join(
        [label_check, "size(addedPairs) = 0", "all(k IN keys(merged) WHERE merged[k] IS NULL OR old[k] = merged[k])",
         "all(k IN keys(claims) WHERE all(c IN claims[k] WHERE c IN oldClaims[k]) "
         "AND all(c IN oldClaims[k] WHERE c IN claims[k]) AND (size(claims[k]) = 0 OR old[k + 'Sources'] IS NOT NULL))"]
        + [f"all(v IN coalesce(row.{k}, []) WHERE v IN coalesce(old.{k}, []))" for k in unions]
    )
    judge = f"""{claims}
WITH {carry}, old, claims, valuesOf, shown, oldClaims,
     CASE WHEN old IS NULL THEN [] ELSE
       [i IN range(0, size(coalesce(old.sources, [])) - 1) | [old.sources[i], old.evidence[i]]] END AS oldPairs,
     [i IN range(0, size(row.sources) - 1) | [row.sources[i], row.evidence[i]]] AS newPairs
WITH {carry}, old, claims, valuesOf, shown, oldClaims, oldPairs, [p IN newPairs WHERE NOT p IN oldPairs] AS addedPairs,
     row.plain AS plain
WITH {carry}, old, claims, valuesOf, shown, oldClaims, oldPairs, addedPairs,
     {merged} AS merged
WITH {carry}, claims, valuesOf, shown, merged, oldPairs + addedPairs AS pairs, {DISPUTES} AS disputes,
     CASE WHEN old IS NULL THEN 'created' WHEN {unchanged} THEN 'unchanged' ELSE 'updated' END AS outcome"""
    assign = [f"{var} += merged",
              f"{var}.sources = CASE WHEN size(pairs) = 0 THEN null ELSE [p IN pairs | p[0]] END",
              f"{var}.evidence = CASE WHEN size(pairs) = 0 THEN null ELSE [p IN pairs | p[1]] END"]
    assign += [a.format(var=var) for a in claim_assign]
    assign += [f"{var}.{k} = CASE WHEN row.{k} IS NULL THEN {var}.{k} "
               f"ELSE coalesce({var}.{k}, []) + [v IN row.{k} WHERE NOT v IN coalesce({var}.{k}, [])] END" for k in unions]
    return judge, "SET " + ",\n    ".join(assign)


@cache
def _derive_function(dotted: str) -> Callable[[dict], Any]:
    """The function a `derived` property names (`module:function`): the schema names it, so this base layer
    does not import the importers."""
    module, _, function = dotted.partition(":")
    return getattr(importlib.import_module(module), function)


def with_derived(schema: Schema, label: str, props: dict[str, Any]) -> dict[str, Any]:
    """The node's properties with its `derived` ones (matchNames) computed afresh, whatever the input said;
    one that comes out empty is left out."""
    derived = {p.name: _derive_function(p.derived)(props) for p in schema.nodes[label].properties.values() if p.derived}
    if not derived:
        return props
    return {**{k: v for k, v in props.items() if k not in derived}, **{k: v for k, v in derived.items() if v}}


def to_row(props: dict[str, Any], claimed: tuple[Property, ...] = (),
           claims: dict[str, list[tuple[Any, str]]] | None = None, **extra: Any) -> dict[str, Any]:
    """The row a statement writes: `plain` values, provenance pairs, `union` lists and, for each claimed
    property, its (value, source) `claims` (a record's own, or each of its sources giving its value), in
    the order of the sources. `kept`: what a new record stores for them, ready made (`p`, `pSources`,
    and where sources disagree `pValues` and `disputed` instead of `p`, whose value the merge statement
    chooses). A float property's values travel as floats, since Neo4j stores no list mixing 2 and 2.5."""
    kept_names = {p.name for p in claimed}
    plain = {k: v for k, v in props.items() if k not in PROVENANCE and k not in UNION_SET and k not in kept_names}
    sources = list(dict.fromkeys(props.get("sources") or []))
    row_claims, kept, disputed = {}, {}, []
    for prop in claimed:
        value = props.get(prop.name)
        if value is None:
            continue
        pairs = (claims or {}).get(prop.name) or []
        if value not in [v for v, _ in pairs]:  # no claims, or props changed since: as props say
            pairs = [(value, s) for s in sources]
        if not pairs:  # no source to keep it with (a record the validation refuses): as it is
            plain[prop.name] = value
            continue
        pairs = sorted(([float(v) if prop.type == "float" else v, s] for v, s in pairs), key=lambda pair: pair[1])
        row_claims[prop.name] = pairs
        kept[f"{prop.name}Sources"] = [s for _, s in pairs]
        if len({repr(v) for v, _ in pairs}) > 1:
            disputed.append(prop.name)
            kept[f"{prop.name}Values"] = [v for v, _ in pairs]
        else:
            kept[prop.name] = pairs[0][0]
    if disputed:
        kept["disputed"] = disputed
    return {"plain": plain, "sources": props.get("sources", []), "evidence": props.get("evidence", []),
            "claims": row_claims, "kept": kept, **{k: props.get(k) for k in UNION_SET}, **extra}


# An entity keeps the name it has unless $rename (the curated seed import): another source's
# spelling becomes an alias instead of renaming "Export-Import Bank of China" to "China Exim Bank".
KEEP_NAME = """
WITH row, n, old, row.plain AS plain,
     CASE WHEN old IS NULL OR old.name IS NULL OR $rename THEN row.plain.name ELSE old.name END AS keptName
WITH n, old, row {.*, plain: plain {.*, name: keptName},
                  aliases: CASE WHEN plain.name IS NULL OR plain.name = keptName THEN row.aliases
                                ELSE coalesce(row.aliases, []) + [plain.name] END} AS row"""


# The row's node or tie is MERGEd first and locked before its stored values are read, so that two imports
# writing one id at once run one after the other and neither loses the other's values (issue #20). What
# MERGE has just created holds its id only: `old` is null then.
def _node_statement(schema: Schema, label: str, key_label: str) -> str:
    node_type = schema.nodes[label]
    judge, assign = _merge_clauses("n", "row, n", f"old:{label}", node_type.properties, node_type.claimed)
    return f"""
UNWIND $rows AS row
MERGE (n:{key_label} {{id: row.plain.id}})
WITH row, n CALL apoc.lock.nodes([n])
WITH row, n, CASE WHEN size(keys(n)) = 1 THEN null ELSE n END AS old
{KEEP_NAME if key_label != label else ""}
{judge}
{assign}{_first_of(node_type, "n")}
SET n:{label}
RETURN outcome, count(*) AS n, sum(disputes) AS disputes"""


def _relationship_statement(schema: Schema, rel_type: str) -> str:
    entity_label = schema.entity_label
    spec = schema.relationships[rel_type]
    judge, assign = _merge_clauses("r", "row, a, b, r", "true", spec.properties, spec.claimed)
    return f"""
UNWIND $rows AS row
MATCH (a:{entity_label} {{id: row.start}}), (b:{entity_label} {{id: row.end}})
MERGE (a)-[r:{rel_type} {{id: row.plain.id}}]->(b)
WITH row, a, b, r CALL apoc.lock.rels([r])
WITH row, a, b, r, CASE WHEN size(keys(r)) = 1 THEN null ELSE r END AS old
{judge}
{assign}{_first_of(spec, "r")}
RETURN outcome, count(*) AS n, sum(disputes) AS disputes"""


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
    nodes: dict[str, list] = {label: [] for label in schema.nodes}
    for node in dataset.nodes.values():
        nodes[node.label].append(node)
    relationships: dict[str, list] = {rel_type: [] for rel_type in schema.relationships}
    for rel in dataset.relationships.values():
        relationships[rel.type].append(rel)
    with Pipeline(driver, database, summary, progress) as pipeline:
        # the allow-list, Source first: the value shown of a disputed property is chosen by its sources' dates
        for label in sorted(schema.nodes, key=lambda name: schema.nodes[name].provenance):
            claimed, statements = schema.nodes[label].claimed, node_statements(schema, label)
            rows = (to_row(with_derived(schema, label, n.props), claimed, n.claims) for n in nodes[label])
            for batch in _batches(rows, batch_size):
                pipeline.write(statements, batch, ("node", label), rename=rename)
        for rel_type in schema.relationships:
            claimed, statements = schema.relationships[rel_type].claimed, relationship_statements(schema, rel_type)
            rows = (to_row(r.props, claimed, r.claims, start=r.start, end=r.end) for r in relationships[rel_type])
            for batch in _batches(rows, batch_size):
                pipeline.write(statements, batch, ("relationship", rel_type))
    return summary


class Pipeline:
    """Batches written by one background thread, in the order given, while the caller builds the next:
    building rows (reading, checking, `to_row`) is the client's CPU, and while the server works on a
    batch the writer thread only waits on its socket, which frees the interpreter for the caller. At most
    `depth` batches wait. Each batch is written by `write_batches`, in its own transaction, as before.
    An error of the writer (WriteStopped, or what `progress` raised, e.g. KeyboardInterrupt at Ctrl-C)
    is raised in the caller at its next `write` or at the end of the `with`, and no batch starts after it;
    leaving the `with` on an error of the caller's (a file changed after its check, say) writes the batches
    already handed over, which were built from checked rows, as writing each batch before building the next
    did; on Ctrl-C it waits for the batch being written and starts no other."""

    def __init__(self, driver: Driver, database: str, summary: ImportSummary,
                 progress: ProgressCallback | None, depth: int = 1):
        self.driver, self.database, self.summary, self.progress = driver, database, summary, progress
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="influence-writer", daemon=True)

    def __enter__(self) -> Pipeline:
        self._thread.start()
        return self

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None or self._stopping:
                continue
            statements, batch, what, parameters = item
            try:
                write_batches(self.driver, self.database, statements, [batch], self.summary, what, self.progress,
                              **parameters)
            except BaseException as error:  # noqa: BLE001 -- handed to the caller's thread
                self._error = error

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, statements: Statements, batch: list[dict], what: tuple[str, str], **parameters: Any) -> None:
        self._raise()
        self._queue.put((statements, batch, what, parameters))

    def __exit__(self, kind, error, trace) -> None:
        self._stopping = isinstance(error, KeyboardInterrupt)
        self._queue.put(None)
        self._thread.join()
        if error is None:
            self._raise()


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
        create=_node_create_statement(schema, label, key_label),
        merge=_node_statement(schema, label, key_label),
        parameters={"order": _orders(schema.nodes[label].properties)},
    )


def relationship_statements(schema: Schema, rel_type: str) -> Statements:
    """The statements for relationships of `rel_type`, which must be a type of the schema."""
    if rel_type not in schema.relationships:
        raise ValueError(f"{rel_type!r} is not a relationship type of the schema")
    return Statements(
        existing=f"UNWIND $ids AS id MATCH ()-[r:{rel_type} {{id: id}}]->() RETURN r.id AS id",
        create=_relationship_create_statement(schema, rel_type),
        merge=_relationship_statement(schema, rel_type),
        parameters={"order": _orders(schema.relationships[rel_type].properties)},
    )


def _first_of(spec: NodeType | RelationshipType, var: str) -> str:
    """The SET clause for the `firstOf` properties of `spec` (graph/schema.py), after every other value is set."""
    assign = [f"{var}.{p.name} = {first_of_cypher(spec, p, var)}" for p in spec.properties.values() if p.firstOf]
    return "\nSET " + ",\n    ".join(assign) if assign else ""


def _create_statement(match: str, create: str, var: str, spec: NodeType | RelationshipType) -> str:
    assign = [f"{var} = row.plain", f"{var} += row.kept",
              f"{var}.sources = CASE WHEN size(row.sources) = 0 THEN null ELSE row.sources END",
              f"{var}.evidence = CASE WHEN size(row.evidence) = 0 THEN null ELSE row.evidence END"]
    assign += [f"{var}.{k} = row.{k}" for k in UNION_SET]
    return f"UNWIND $rows AS row{match}\n{create}\nSET " + ",\n    ".join(assign) + _first_of(spec, var)


def _node_create_statement(schema: Schema, label: str, key_label: str) -> str:
    labels = key_label if key_label == label else f"{key_label}:{label}"
    return _create_statement("", f"CREATE (n:{labels})", "n", schema.nodes[label])


def _relationship_create_statement(schema: Schema, rel_type: str) -> str:
    entity = schema.entity_label
    return _create_statement(f"\nMATCH (a:{entity} {{id: row.start}}) MATCH (b:{entity} {{id: row.end}})",
                             f"CREATE (a)-[r:{rel_type}]->(b)", "r", schema.relationships[rel_type])


def write_batches(driver: Driver, database: str, statements: Statements, batches: Iterable[list[dict]],
                  summary: ImportSummary, what: tuple[str, str], progress: ProgressCallback | None,
                  **parameters: Any) -> None:
    """Write each batch of rows (made by `to_row`) in its own managed transaction, counting the outcomes
    into `summary` under `what` (kind, label or type). Batches may come from a generator.

    Rows whose id is not in the graph yet are CREATEd (fast: no judging, no Eager plan). Another
    import running at the same time can create one of those ids between the check and the CREATE; the
    id's uniqueness constraint then refuses the CREATE, and the batch is run again with every row
    through the MERGE statement, which takes the constraint's lock and so cannot race; it also locks each
    node or tie before reading the values it merges with, so that no import loses another's values."""
    for batch in batches:
        attempts = 0

        def work(tx: ManagedTransaction, batch=batch, merge_all: bool = False) -> dict[str, int]:
            nonlocal attempts
            attempts += 1
            return write_rows(tx, statements, batch, merge_all, **parameters)

        try:
            with session(driver, database) as writing:
                try:
                    counts = writing.execute_write(work)
                except ConstraintError as error:
                    if error.code != UNIQUENESS_REFUSED:
                        raise
                    counts = writing.execute_write(work, merge_all=True)
        except (ServiceUnavailable, SessionExpired) as error:
            raise _stopped(summary, what, batch, "the server stopped answering during the import "
                           f"({type(error).__name__})", "When the server runs again (`influence db status`), "
                           "run the same command again") from error
        except Neo4jError as error:
            raise _stopped(summary, what, batch, f"Neo4j refused a batch that passed validation "
                           f"({error.code}: {_clipped(error.message)})", "Fix the value Neo4j names (and report "
                           "it: graph/limits.py should have refused it), then run the same command again") from error
        except DriverError as error:  # e.g. ResultFailedError: the driver gave up on a result, seen once under heavy load
            raise _stopped(summary, what, batch, f"the Neo4j driver gave up on a batch ({type(error).__name__}: "
                           f"{_clipped(str(error))})", "Check the server (`influence db status`), then run the same "
                           "command again") from error
        summary.written_batches += 1
        summary.retried_batches += attempts - 1
        summary.disagreements += counts.pop("disagreements", 0)
        summary.add(*what, counts)
        if progress:
            progress(len(batch))


def write_rows(tx: ManagedTransaction, statements: Statements, rows: list[dict], merge_all: bool = False,
               **parameters: Any) -> Counter:
    """Write rows (made by `to_row`) in the caller's transaction: new ids CREATEd, the others (all of them
    with `merge_all`) through the MERGE statement. The outcomes counted, `disagreements` among them."""
    existing = set(tx.run(statements.existing, ids=[r["plain"]["id"] for r in rows]).value("id"))
    # a new record whose sources disagree goes through the merge, which chooses the value shown
    fresh = [] if merge_all else [r for r in rows if r["plain"]["id"] not in existing and "disputed" not in r["kept"]]
    fresh_ids = {r["plain"]["id"] for r in fresh}
    known = [r for r in rows if r["plain"]["id"] not in fresh_ids]
    counts: Counter = Counter()
    if fresh:
        tx.run(statements.create, rows=fresh).consume()
        counts["created"] = len(fresh)
    for record in tx.run(statements.merge, rows=known, **statements.parameters, **parameters) if known else ():
        counts[record["outcome"]] += record["n"]
        counts["disagreements"] += record["disputes"]
    return +counts  # without zeros


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
