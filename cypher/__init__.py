"""The canned query library: one `.cypher` file per question, found by the name in its header.

A file starts with `//` header lines, in the spirit of aiosql's `-- name:` and Datasette's canned
queries:

    // name: financing-chains
    // title: Financing chains
    // question: Who lent for which project, who bought it, and who built it?
    // param: country string = null -- ISO 3166 alpha-2 code of the project's country
    // column: lender -- the lender's name
    // mode: read
    // policy: counting

An integer parameter may name its range (`// param: depth integer 1..3 = 1 -- ...`); a value outside
it is refused before anything is sent. `visual: LAYOUT` marks a chain query, whose `hops` column lists
the ties of each row: it has a picture, and `Query.graph_cypher` (`influence query show NAME --graph`)
wraps it to return those ties as paths, which Neo4j Browser draws.

`policy: counting` marks a query that sums, counts or ranks by the counting policy written once in
`cypher/counting-policy.md` (and shown at the top of docs/queries.md).

The rest of the file is Cypher that runs unchanged in Neo4j Browser (after `:param` lines, which
`Query.browser_text` writes). Parameters are checked against the header before anything is sent;
queries run in READ access mode through `execute_read`, and a query marked `mode: write` is refused.

Reading can still have side effects that READ mode does not stop: procedures and commands that act
on the server (`TERMINATE TRANSACTIONS`, `db.clearQueryCaches`, `dbms.killConnections`,
`apoc.util.sleep`), or `LOAD CSV` fetching a URL. So every query is first planned with EXPLAIN
(which runs nothing), and it runs only when each operator of its plan is on READ_OPERATORS and each
procedure it calls is on READ_PROCEDURES (by name: `db.stats.collect` is of mode READ too) and is
not of mode WRITE, SCHEMA or DBMS by `SHOW PROCEDURES`: an allow-list, so whatever is not known to
only read is refused.
"""

from __future__ import annotations

import difflib
import json
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from neo4j import READ_ACCESS, Driver, NotificationDisabledClassification, unit_of_work
from neo4j.exceptions import ClientError

from graph.db import session

QUERY_DIR = Path(__file__).resolve().parent
TYPES = {"string": str, "integer": int, "float": float, "boolean": bool, "string[]": list}
PARAM_LINE = re.compile(r"^(?P<name>[a-z][A-Za-z0-9]*)\s+(?P<type>string\[\]|string|integer|float|boolean)"
                        r"(?:\s+(?P<low>-?\d+)\.\.(?P<high>-?\d+))?"
                        r"(?:\s*=\s*(?P<default>.+?))?\s*(?:--\s*(?P<description>.*))?$")
HEADER_KEYS = {"name", "title", "question", "param", "column", "mode", "visual", "policy"}
POLICIES = {"counting": QUERY_DIR / "counting-policy.md"}

# The plan operators of Neo4j 5.26 that only read (the Cypher manual's operator summary without the
# updating operators, LoadCSV, ShowTransactions and TerminateTransactions), plus the read operators
# the planner uses without listing them there; by name without the variant in brackets (Expand(All),
# VarLengthExpand(Pruning,BFS,All)). ProcedureCall is checked procedure by procedure.
READ_OPERATORS = frozenset({
    "AllNodesScan", "Anti", "AntiConditionalApply", "AntiSemiApply", "Apply", "Argument", "ArgumentTracker",
    "AssertSameNode", "AssertSameRelationship", "AssertingMultiNodeIndexSeek", "BidirectionalRepeat",
    "CacheProperties", "CartesianProduct", "ConditionalApply", "DirectedAllRelationshipsScan",
    "DirectedRelationshipByElementIdSeek", "DirectedRelationshipByIdSeek", "DirectedRelationshipIndexContainsScan",
    "DirectedRelationshipIndexEndsWithScan", "DirectedRelationshipIndexScan", "DirectedRelationshipIndexSeek",
    "DirectedRelationshipIndexSeekByRange", "DirectedRelationshipTypeScan", "DirectedUnionRelationshipTypesScan",
    "Distinct", "Eager", "EagerAggregation", "EmptyResult", "EmptyRow", "ExhaustiveLimit", "Expand", "Filter",
    "IntersectionNodeByLabelsScan", "LetAntiSemiApply", "LetSelectOrAntiSemiApply", "LetSelectOrSemiApply",
    "LetSemiApply", "Limit", "MultiNodeIndexSeek", "NodeByElementIdSeek", "NodeByIdSeek", "NodeByLabelScan",
    "NodeCountFromCountStore", "NodeHashJoin", "NodeIndexContainsScan", "NodeIndexEndsWithScan", "NodeIndexScan",
    "NodeIndexSeek", "NodeIndexSeekByRange", "NodeLeftOuterHashJoin", "NodeRightOuterHashJoin",
    "NodeUniqueIndexSeek", "NodeUniqueIndexSeekByRange", "NullifyMetadata", "Optional", "OptionalExpand",
    "OrderedAggregation", "OrderedDistinct", "PartialSort", "PartialTop", "PartitionedAllNodesScan",
    "PartitionedDirectedAllRelationshipsScan", "PartitionedDirectedRelationshipIndexScan",
    "PartitionedDirectedRelationshipIndexSeek", "PartitionedDirectedRelationshipIndexSeekByRange",
    "PartitionedDirectedRelationshipTypesScan", "PartitionedDirectedUnionRelationshipTypesScan",
    "PartitionedNodeByLabelScan", "PartitionedNodeIndexScan", "PartitionedNodeIndexSeek",
    "PartitionedNodeIndexSeekByRange", "PartitionedSubtractionNodeByLabelsScan",
    "PartitionedUndirectedAllRelationshipsScan", "PartitionedUndirectedRelationshipIndexScan",
    "PartitionedUndirectedRelationshipIndexSeek", "PartitionedUndirectedRelationshipIndexSeekByRange",
    "PartitionedUndirectedRelationshipTypeScan", "PartitionedUndirectedUnionRelationshipTypesScan",
    "PartitionedUnionNodeByLabelsScan", "PartitionedUnwind", "ProcedureCall", "ProduceResults", "ProjectEndpoints",
    "Projection", "RelationshipCountFromCountStore", "Repeat", "RollUpApply", "SelectOrAntiSemiApply",
    "SelectOrSemiApply", "SemiApply", "ShortestPath", "ShowConstraints", "ShowFunctions", "ShowIndexes",
    "ShowProcedures", "ShowSettings", "Skip", "Sort", "StatefulShortestPath", "SubtractionNodeByLabelsScan", "Top",
    "Trail", "TriadicBuild", "TriadicFilter", "TriadicSelection", "UndirectedAllRelationshipsScan",
    "UndirectedRelationshipByElementIdSeek", "UndirectedRelationshipByIdSeek",
    "UndirectedRelationshipIndexContainsScan", "UndirectedRelationshipIndexEndsWithScan",
    "UndirectedRelationshipIndexScan", "UndirectedRelationshipIndexSeek", "UndirectedRelationshipIndexSeekByRange",
    "UndirectedRelationshipTypeScan", "UndirectedUnionRelationshipTypesScan", "Union", "UnionNodeByLabelsScan",
    "Unwind", "ValueHashJoin", "VarLengthExpand",
})
# Procedures a read may call: they read the graph or its schema and nothing else.
READ_PROCEDURES = frozenset({
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships", "db.labels", "db.relationshipTypes",
    "db.propertyKeys", "db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
    "apoc.path.expand", "apoc.path.expandConfig", "apoc.path.subgraphNodes", "apoc.path.subgraphAll",
    "apoc.path.spanningTree", "apoc.meta.stats", "apoc.meta.schema", "apoc.meta.data",
})
WRITE_REFUSED = ("Refused: this query writes to the graph, and queries here run read-only. "
                 "Load data with `influence import`.")
# EXPLAIN or PROFILE at the start of a query (after comments): the check plans the rest with EXPLAIN
LEADING_EXPLAIN = re.compile(r"^(?:\s|//[^\n]*(?:\n|$)|/\*.*?\*/)*(?:EXPLAIN|PROFILE)\b", re.IGNORECASE | re.DOTALL)


class QueryError(ValueError):
    """A query that does not exist, a bad parameter, a refused write, or a malformed query file."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: Any
    description: str
    low: int | None = None
    high: int | None = None

    def check(self, value: Any) -> Any:
        """The value if it fits the declared type (ints pass as floats) and range; else QueryError."""
        if value is None:
            if self.required:
                raise QueryError(f"parameter '{self.name}' is required ({self.description})")
            return None
        expected = TYPES[self.type]
        if self.type == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if self.type == "string[]":
            ok = ok and all(isinstance(item, str) for item in value)
        if not ok:
            raise QueryError(f"parameter '{self.name}' must be {self.type}, got {value!r}")
        if self.low is not None and not self.low <= value <= self.high:
            raise QueryError(f"parameter '{self.name}' must be from {self.low} to {self.high}, got {value!r}")
        return value

    def parse(self, text: str) -> Any:
        """A value typed on the command line (`--param name=text`), converted to the declared type."""
        if text == "null":
            return None
        try:
            if self.type == "string":
                return text
            if self.type == "string[]":
                return [item.strip() for item in text.split(",") if item.strip()]
            if self.type == "boolean":
                if text.lower() not in ("true", "false"):
                    raise ValueError(text)
                return text.lower() == "true"
            return int(text) if self.type == "integer" else float(text)
        except ValueError:
            raise QueryError(f"parameter '{self.name}' must be {self.type}, got {text!r}") from None


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    question: str
    parameters: tuple[Parameter, ...]
    columns: tuple[tuple[str, str], ...]
    mode: str
    visual: str | None
    policy: str | None
    cypher: str
    path: Path

    def bind(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults filled in and every value checked; unknown or missing parameters raise QueryError."""
        params = dict(params or {})
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise QueryError(f"query '{self.name}' has no parameter {', '.join(map(repr, unknown))}; "
                             f"it takes: {', '.join(known) or 'none'}")
        return {name: p.check(params.get(name, p.default)) for name, p in known.items()}

    def parse_params(self, pairs: list[str]) -> dict[str, Any]:
        """`["country=RS", "fromYear=2015"]` → typed values, by the header's declared types."""
        known = {p.name: p for p in self.parameters}
        values = {}
        for pair in pairs:
            name, sep, text = pair.partition("=")
            if not sep:
                raise QueryError(f"--param takes NAME=VALUE, got {pair!r}")
            if name not in known:
                raise QueryError(f"query '{self.name}' has no parameter {name!r}; it takes: {', '.join(known) or 'none'}")
            values[name] = known[name].parse(text)
        return values

    def browser_text(self, params: dict[str, Any] | None = None, *, graph: bool = False) -> str:
        """`:param` lines and the query (or with `graph`, its `graph_cypher`), ready to paste into Neo4j Browser."""
        bound = self.bind(params)
        lines = [f":param {name} => {json.dumps(value)};" for name, value in bound.items()]
        return "\n".join([*lines, "", self.graph_cypher() if graph else self.cypher])

    def graph_cypher(self) -> str:
        """The query wrapped to return each tie of its rows' `hops` as a one-hop path, which Neo4j Browser
        draws (the canned queries return names and maps, which it shows only as a table).

        Derived rather than kept as a second file, so the drawing cannot drift from the table: the same
        rows, the same filters, the same ties."""
        if not self.visual:
            raise QueryError(f"query '{self.name}' returns no ties to draw (no `// visual:` line in its header); "
                             "the chain queries have one: `influence query list` names them")
        return "\n".join([
            f"// {self.name}, drawn: every tie of its rows (their `hops` column) as a path, for Neo4j Browser",
            "CALL () {", textwrap.indent(self.cypher.rstrip(), "  "), "}",
            "UNWIND hops AS hop",
            "MATCH tie = (:Entity {id: hop.from})-[r]->(:Entity {id: hop.to})",
            "WHERE type(r) = hop.type AND r.id = hop.properties.id",
            "RETURN DISTINCT tie", ""])


def _parse(path: Path) -> Query:
    header: dict[str, list[str]] = {}
    body = []
    in_header = True
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if in_header and line.startswith("//"):
            key, sep, value = line[2:].strip().partition(":")
            if sep and key.strip() in HEADER_KEYS:
                header.setdefault(key.strip(), []).append(value.strip())
            elif line[2:].strip():
                raise QueryError(f"{path}:{number}: header line is not `// key: value` with a known key")
            continue
        in_header = False
        body.append(line)
    for key in ("name", "title", "question", "column"):
        if not header.get(key):
            raise QueryError(f"{path}: header lacks `// {key}:`")
    parameters = []
    for text in header.get("param", []):
        match = PARAM_LINE.match(text)
        if not match:
            raise QueryError(f"{path}: bad param line {text!r} (want `name type [= default] -- description`)")
        default = json.loads(match["default"]) if match["default"] else None
        if match["low"] is not None and (match["type"] != "integer" or int(match["low"]) > int(match["high"])):
            raise QueryError(f"{path}: bad range in {text!r} (want `name integer low..high`, low <= high)")
        parameters.append(Parameter(match["name"], match["type"], required=match["default"] is None,
                                    default=default, description=match["description"] or "",
                                    low=None if match["low"] is None else int(match["low"]),
                                    high=None if match["high"] is None else int(match["high"])))
    columns = tuple(tuple(part.strip() for part in c.split("--", 1)) if "--" in c else (c, "") for c in header["column"])
    mode = (header.get("mode") or ["read"])[0]
    if mode not in ("read", "write"):
        raise QueryError(f"{path}: mode must be read or write, not {mode!r}")
    policy = (header.get("policy") or [None])[0]
    if policy is not None and policy not in POLICIES:
        raise QueryError(f"{path}: policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    return Query(name=header["name"][0], title=header["title"][0], question=header["question"][0],
                 parameters=tuple(parameters), columns=columns, mode=mode, visual=(header.get("visual") or [None])[0],
                 policy=policy, cypher="\n".join(body).strip() + "\n", path=path)


@lru_cache
def load_queries(directory: Path = QUERY_DIR) -> dict[str, Query]:
    """Every query file under `directory`, by name."""
    queries: dict[str, Query] = {}
    for path in sorted(directory.rglob("*.cypher")):
        query = _parse(path)
        if query.name in queries:
            raise QueryError(f"{path}: name {query.name!r} is also used by {queries[query.name].path}")
        if query.name != path.stem:
            raise QueryError(f"{path}: the header names {query.name!r}; the file must be called {query.name}.cypher")
        queries[query.name] = query
    return queries


def get(name: str) -> Query:
    queries = load_queries()
    if name not in queries:
        close = difflib.get_close_matches(name, queries, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else " `influence query list` shows them all."
        raise QueryError(f"There is no query named {name!r}.{hint}")
    return queries[name]


def records(driver: Driver, name: str | Query, params: dict[str, Any] | None = None,
            database: str = "neo4j", timeout: float | None = None) -> list[dict]:
    """Run a canned query (by name, or a loaded Query) in READ mode and return its rows as dicts.
    With `timeout` (seconds) the server ends the query when it runs longer (a QueryError)."""
    query = name if isinstance(name, Query) else get(name)
    if query.mode != "read":
        raise QueryError(f"query '{query.name}' is marked as a write; the read runner refuses it")
    return read(driver, query.cypher, query.bind(params), database, timeout=timeout)


def run(driver: Driver, name: str | Query, params: dict[str, Any] | None = None,
        database: str = "neo4j") -> pd.DataFrame:
    """Run a canned query in READ mode; the rows as a DataFrame with the header's columns."""
    query = name if isinstance(name, Query) else get(name)
    rows = records(driver, query, params, database)
    return pd.DataFrame(rows, columns=[column for column, _ in query.columns])


def _operators(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("children", []):
        yield from _operators(child)


def refuse_unless_read_only(tx, cypher: str, params: dict[str, Any]) -> None:
    """Plan the query with EXPLAIN (nothing runs) and raise QueryError unless every operator and
    every procedure of the plan is on the allow-lists (see the module's docstring)."""
    explained = LEADING_EXPLAIN.sub("EXPLAIN", cypher, count=1)
    summary = tx.run(explained if explained != cypher else f"EXPLAIN {cypher}", params).consume()
    if summary.query_type in ("w", "rw"):
        raise QueryError(WRITE_REFUSED)
    operators, procedures = set(), set()
    for operator in _operators(summary.plan or {}):
        kind = operator["operatorType"].split("@", 1)[0].split("(", 1)[0]
        if kind == "ProcedureCall":
            procedures.add(operator["args"]["Details"].split("(", 1)[0].strip())
        elif kind not in READ_OPERATORS:
            operators.add(kind)
    refused = sorted(operators)
    if procedures:
        # APOC's procedures declare no mode (DEFAULT: they run in the transaction's READ mode); a
        # procedure of mode WRITE, SCHEMA or DBMS is refused even if it were on the list
        modes = dict(tx.run("SHOW PROCEDURES YIELD name, mode WHERE name IN $names RETURN name, mode",
                            names=sorted(procedures)).values())
        refused += sorted(name for name in procedures
                          if name not in READ_PROCEDURES or modes.get(name) not in ("READ", "DEFAULT"))
    if refused:
        raise QueryError(f"Refused: this query uses {', '.join(refused)}, which the read-only query path does not "
                         "allow: it runs only operators and procedures that read the graph (no commands on "
                         "transactions, connections or the server, no LOAD CSV or apoc.load, no sleeping). "
                         f"Procedures it may call: {', '.join(sorted(READ_PROCEDURES))}.")


def read(driver: Driver, cypher: str, params: dict[str, Any] | None = None, database: str = "neo4j",
         timeout: float | None = None) -> list[dict]:
    """Any Cypher (canned or ad hoc) in a READ transaction, once its plan shows it only reads: a write,
    a procedure or command with side effects is refused with a clear QueryError."""
    @unit_of_work(timeout=timeout)
    def work(tx):
        refuse_unless_read_only(tx, cypher, params or {})
        return [record.data() for record in tx.run(cypher, params or {})]

    try:
        # "unrecognized" notifications (a property no node has yet) are noise for canned queries
        with session(driver, database, default_access_mode=READ_ACCESS,
                            notifications_disabled_classifications=[NotificationDisabledClassification.UNRECOGNIZED]
                     ) as reading:
            return reading.execute_read(work)
    except ClientError as error:
        if error.code == "Neo.ClientError.Statement.AccessMode":
            raise QueryError(WRITE_REFUSED) from None
        # e.g. a negative limit, or a value a procedure cannot use: one clear message, not a traceback
        raise QueryError(f"Neo4j could not run the query ({error.code}): {error.message}") from None


def run_cypher(driver: Driver, cypher: str, params: dict[str, Any] | None = None,
               database: str = "neo4j") -> pd.DataFrame:
    """Ad hoc Cypher as a DataFrame, read-only."""
    return pd.DataFrame(read(driver, cypher, params, database))
