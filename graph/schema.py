"""The graph schema, loaded once from `graph/schema/` (one YAML file per label and per relationship type).

Everything that needs to know the shape of the graph reads it from here: validation of importer
rows, the constraints and indexes applied to Neo4j, the generated `docs/schema.md`, and the
picture styles. Labels, relationship types and property names that reach Cypher text come only
from this allow-list; values always travel as parameters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.limits import TEXT_BYTES, integer_problem, text_limit

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

PASCAL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
UPPER_SNAKE_CASE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
CAMEL_CASE = re.compile(r"^[a-z][A-Za-z0-9]*$")
TYPES = {"string", "integer", "float", "boolean", "string[]", "integer[]"}
# How two values of one property from two sources merge (`merge:` in the YAML), in memory
# (Property.combine, Dataset) and in Cypher (graph/writer.py) alike. `keep-all` (the default): a source
# states the value, and every source's value is kept with it: `<name>Sources` lists the sources that
# gave a value and, only where they disagree, `<name>Values` the value each gave, in the same order;
# the property itself shows one value, chosen by CLAIM_RULE, never by import order (docs/architecture.md,
# "Provenance per value"). On a label without provenance (Source) the property is bookkeeping and the
# later import's value replaces it. `identity`: the record's key (`id`) or its name, never a claim (two
# names of one entity: the other spelling becomes an alias); `derived`: written by the writer from
# other values (`disputed`), refused in an import; `union`: a list gains the values it lacks;
# `provenance`: `sources` and `evidence` joined as (source, quote) pairs; `max`, `min`: the larger or
# smaller number; `strongest`: the value earlier in `enum`; `join`: texts joined with " / " unless one
# already holds the other.
CLAIM_RULE = ("the value of the most recent source (Source.date, as text: `2021` before `2021-06`), "
              "and among sources of one date the smallest value")
MATCHING = {"fuzzy", "exact", "none"}
FORMATS = {"date"}  # `format: date`: YYYY, YYYY-MM or YYYY-MM-DD naming a day of the calendar
ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)


def date_problem(text: str) -> str | None:
    """Why `text` (YYYY, YYYY-MM or YYYY-MM-DD, what follows a day ignored) names no day, month or year
    of the calendar (`0000-00-00`, `2021-13`, `2021-02-30`), or None when it does."""
    found = ISO_DATE.match(text)
    if not found:
        return f"{_shown(text)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    year, month, day = (int(part) if part else None for part in found.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return f"{_shown(text)} is not a date of the calendar (year from 0001, month 01-12, day of that month)"
    return None
MERGES = {"keep-all", "identity", "derived", "union", "provenance", "max", "min", "strongest", "join"}
CLAIMS = "keep-all"  # the merge whose values are claims: kept per source


class SchemaError(ValueError):
    """The schema files themselves are inconsistent."""


@dataclass(frozen=True)
class FulltextIndex:
    name: str
    entity_type: str  # NODE or RELATIONSHIP, as SHOW INDEXES says
    labels_or_types: tuple[str, ...]
    properties: tuple[str, ...]
    analyzer: str


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    required: bool = False
    enum: tuple | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    maxLength: int | None = None
    format: str | None = None
    indexed: bool = False
    fulltext: bool = False
    valueIndex: bool = False
    merge: str = CLAIMS
    featured: bool = False
    derived: str | None = None  # `module:function` computing the value from the node's properties
    firstOf: tuple[str, ...] | None = None  # `merge: derived`: the first of these properties that is set, after the merge
    description: str = ""

    def combine(self, old: Any, new: Any) -> Any:
        """The one value for two sources' `old` and `new` as `merge` says; None when there is none (`keep-all`
        values are kept side by side by the Dataset; `identity` values must be equal). `provenance` is
        merged in pairs by the Dataset, not here."""
        if old == new:
            return old
        if self.merge == "union":
            return old + [v for v in new if v not in old]
        if self.merge in ("max", "min"):
            return max(old, new) if self.merge == "max" else min(old, new)
        if self.merge == "strongest":
            return min(old, new, key=self.enum.index)
        if self.merge == "join":
            return old if new in old else f"{old} / {new}"
        return None

    def check(self, value: Any) -> str | None:
        """Why `value` is not allowed here, or None when it is."""
        if self.type.endswith("[]"):
            if not isinstance(value, list):
                return f"expected a list of {self.type[:-2]}s, got {_shown(value)}"
            for item in value:
                problem = self._check_scalar(item, self.type[:-2])
                if problem:
                    return f"list item {_shown(item)}: {problem}"
            if self.type == "string[]" and sum(map(len, value)) * 4 > TEXT_BYTES:
                size = sum(len(item.encode("utf-8")) for item in value)
                if size > TEXT_BYTES:
                    return (f"holds {size:,} bytes of text in all, more than {TEXT_BYTES:,} "
                            "(the most this project stores in one property)")
            return None
        return self._check_scalar(value, self.type)

    def _size_problem(self, text: str) -> str | None:
        """Why `text` is too large for the server or the index that holds this property (graph/limits.py)."""
        limit, why = text_limit(self.name, self.indexed, self.valueIndex)
        if len(text) * 4 <= limit:  # UTF-8 spends at most 4 bytes on a character
            return None
        size = len(text.encode("utf-8"))
        if size <= limit:
            return None
        return f"is {size:,} bytes long in UTF-8 ({_shown(text)}), more than {limit:,}, {why}"

    def _check_scalar(self, value: Any, kind: str) -> str | None:
        if kind == "string":
            if not isinstance(value, str) or not value.strip():
                return f"expected a non-empty text, got {_shown(value)}"
            if not value.isascii() and _surrogate(value):  # "\ud800" from JSON: the driver cannot send it
                return f"{_shown(value)} holds a lone surrogate (\\ud800-\\udfff), which is not text"
            if size_problem := self._size_problem(value):
                return size_problem
            if self.maxLength and len(value) > self.maxLength:
                return f"is {len(value)} characters long, more than {self.maxLength}"
            if self.pattern and not re.fullmatch(self.pattern, value, re.ASCII):  # \d is 0-9, not any digit
                return f"{_shown(value)} does not match {self.pattern}"
            if self.format == "date":
                return date_problem(value)
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return f"expected a whole number, got {_shown(value)}"
            if range_problem := integer_problem(value):
                return range_problem
        elif kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                return f"expected a number, got {_shown(value)}"
            if isinstance(value, int) and (range_problem := integer_problem(value)):  # sent as an integer
                return range_problem
        elif kind == "boolean":
            if not isinstance(value, bool):
                return f"expected true or false, got {_shown(value)}"
        if self.enum is not None and value not in self.enum:
            return f"{_shown(value)} is not one of: {', '.join(map(str, self.enum))}"
        if self.min is not None and value < self.min:
            return f"{value} is below the minimum {self.min}"
        if self.max is not None and value > self.max:
            return f"{value} is above the maximum {self.max}"
        return None


def _surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _shown(value: Any) -> str:
    text = repr(value[:61] if isinstance(value, str) else value)  # not the repr of a 200 MB text
    return text if len(text) <= 60 else text[:57] + "..."


def _featured(properties: dict[str, Property], common: dict[str, Property]) -> tuple[str, ...]:
    """The `featured` properties, the type's own before the common ones."""
    own = [p.name for p in properties.values() if p.featured and p.name not in common]
    return tuple(own + [p.name for p in common.values() if p.featured and p.name in properties])


@dataclass(frozen=True)
class NodeType:
    label: str
    description: str
    properties: dict[str, Property]
    style: dict
    provenance: bool = True
    featured: tuple[str, ...] = ()  # shown in a picture's tooltip, in this order
    matching: str = "fuzzy"  # how entity resolution matches these nodes: fuzzy, exact or none

    @property
    def is_entity(self) -> bool:
        return self.provenance

    @property
    def claimed(self) -> tuple[Property, ...]:
        """The properties whose values sources state (`keep-all`), kept per source; none without provenance."""
        return _claimed(self.properties) if self.provenance else ()


@dataclass(frozen=True)
class RelationshipType:
    type: str
    description: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    properties: dict[str, Property]
    style: dict
    featured: tuple[str, ...] = ()  # shown in a picture's tooltip, in this order

    @property
    def claimed(self) -> tuple[Property, ...]:
        """The properties whose values sources state (`keep-all`), kept per source."""
        return _claimed(self.properties)


def _claimed(properties: dict[str, Property]) -> tuple[Property, ...]:
    return tuple(p for p in properties.values() if p.merge == CLAIMS)


@dataclass(frozen=True)
class Schema:
    entity_label: str
    nodes: dict[str, NodeType]
    relationships: dict[str, RelationshipType]
    common_node_properties: dict[str, Property] = field(repr=False)
    common_relationship_properties: dict[str, Property] = field(repr=False)

    @property
    def merging(self) -> dict[str, Property]:
        """Each property that combines two values into one (not `keep-all`, `identity` or `derived`), by
        name (load_schema checks that a name merges the same way wherever it is declared)."""
        return _merging([*self.nodes.values(), *self.relationships.values()])

    # --- validation -------------------------------------------------------------------------
    def node_problems(self, label: str, properties: dict[str, Any]) -> list[tuple[str, str]]:
        """(field, problem) pairs for one node; empty when it is valid."""
        node_type = self.nodes.get(label)
        if node_type is None:
            return [("label", f"unknown label {_shown(label)}; known: {', '.join(self.nodes)}")]
        return _problems(node_type.properties, properties)

    def relationship_problems(
        self, rel_type: str, properties: dict[str, Any], from_label: str | None, to_label: str | None
    ) -> list[tuple[str, str]]:
        """(field, problem) pairs for one relationship; the end labels are checked when given."""
        spec = self.relationships.get(rel_type)
        if spec is None:
            return [("type", f"unknown relationship type {_shown(rel_type)}; known: {', '.join(self.relationships)}")]
        problems = _problems(spec.properties, properties)
        if from_label is not None and from_label not in spec.from_labels:
            problems.append(("from", f"a {from_label} cannot start {rel_type} (allowed: {', '.join(spec.from_labels)})"))
        if to_label is not None and to_label not in spec.to_labels:
            problems.append(("to", f"a {to_label} cannot end {rel_type} (allowed: {', '.join(spec.to_labels)})"))
        return problems

    # --- Neo4j DDL ----------------------------------------------------------------------------
    def fulltext_indexes(self) -> list[FulltextIndex]:
        """`entity_names` (the `fulltext` properties, for search) and one keyword index per `valueIndex`
        property: `entity_<name>` over the entities and `relationship_<name>` over every relationship type."""
        entity = self.entity_label
        indexes = []
        fulltext = tuple(p.name for p in self.common_node_properties.values() if p.fulltext)
        if fulltext:
            indexes.append(FulltextIndex(f"{_snake(entity)}_names", "NODE", (entity,), fulltext, "standard-folding"))
        indexes += [FulltextIndex(f"{_snake(entity)}_{_snake(p.name)}", "NODE", (entity,), (p.name,), "keyword")
                    for p in self.common_node_properties.values() if p.valueIndex]
        indexes += [FulltextIndex(f"relationship_{_snake(p.name)}", "RELATIONSHIP", tuple(self.relationships),
                                  (p.name,), "keyword")
                    for p in self.common_relationship_properties.values() if p.valueIndex]
        return indexes

    def ddl(self) -> list[str]:
        """Constraints and indexes, each `IF NOT EXISTS`, names and identifiers from the schema only."""
        entity = self.entity_label
        statements = [_key_constraint("NODE", entity)]
        for label, node_type in self.nodes.items():
            statements += [_key_constraint("NODE", label),
                           *_indexes("NODE", label, node_type.properties, skip=self.common_node_properties)]
        statements += _indexes("NODE", entity, self.common_node_properties)
        for index in self.fulltext_indexes():
            var, target = _target(index.entity_type, index.labels_or_types)
            statements.append(
                f"CREATE FULLTEXT INDEX {index.name} IF NOT EXISTS FOR {target} "
                f"ON EACH [{', '.join(f'{var}.{name}' for name in index.properties)}] "
                f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{index.analyzer}', `fulltext.eventually_consistent`: false}}}}"
            )
        for rel_type, spec in self.relationships.items():
            # a relationship index is per type: the common properties are indexed on each type too
            statements += [_key_constraint("RELATIONSHIP", rel_type), *_indexes("RELATIONSHIP", rel_type, spec.properties)]
        return statements


def _target(entity_type: str, names: tuple[str, ...]) -> tuple[str, str]:
    """The variable and the pattern a DDL statement names: `n` and `(n:A|B)`, or `r` and `()-[r:A|B]-()`."""
    joined = "|".join(names)
    return ("n", f"(n:{joined})") if entity_type == "NODE" else ("r", f"()-[r:{joined}]-()")


def _key_constraint(entity_type: str, name: str) -> str:
    var, target = _target(entity_type, (name,))
    return f"CREATE CONSTRAINT {_snake(name)}_id IF NOT EXISTS FOR {target} REQUIRE {var}.id IS UNIQUE"


def _indexes(entity_type: str, name: str, properties: dict[str, Property], skip: dict | None = None) -> list[str]:
    """An index on each `indexed` property of one label or type, but those in `skip` (indexed elsewhere)."""
    var, target = _target(entity_type, (name,))
    return [f"CREATE INDEX {_index_name(name, p)} IF NOT EXISTS FOR {target} ON ({var}.{p.name})"
            for p in properties.values() if p.indexed and p.name not in (skip or {})]


def _index_name(name: str, prop: Property) -> str:
    """The range index on `prop` of label or type `name`, as `_indexes` names it."""
    return f"{_snake(name)}_{_snake(prop.name)}"


def _problems(spec: dict[str, Property], properties: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    for name, value in properties.items():
        prop = spec.get(name)
        if prop is None:
            problems.append((name, "is not a property this schema allows here"))
        elif prop.merge == "derived" and value is not None:
            problems.append((name, "is written by the writer from other values, never imported"))
        elif value is not None:
            problem = prop.check(value)
            if problem:
                problems.append((name, problem))
    for name, prop in spec.items():
        if prop.required and properties.get(name) is None:
            problems.append((name, "is required"))
    return problems


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _properties(raw: dict | None, where: str) -> dict[str, Property]:
    properties = {}
    for name, options in (raw or {}).items():
        if not CAMEL_CASE.match(name):
            raise SchemaError(f"{where}: property {name!r} is not camelCase")
        options = dict(options or {})
        if options.get("type") not in TYPES:
            raise SchemaError(f"{where}: property {name!r} has type {options.get('type')!r}, not one of {sorted(TYPES)}")
        if "enum" in options:
            options["enum"] = tuple(options["enum"])
        if "firstOf" in options:
            options["firstOf"] = tuple(options["firstOf"])
        problem = _merge_problem(options)
        if options.get("format") not in (None, *FORMATS):
            problem = f"has format {options['format']!r}, not one of {sorted(FORMATS)}"
        if problem:
            raise SchemaError(f"{where}: property {name!r} {problem}")
        properties[name] = Property(name=name, **options)
    return properties


def _merge_problem(options: dict) -> str | None:
    merge, kind = options.get("merge", CLAIMS), options["type"]
    if merge not in MERGES:
        return f"has merge {merge!r}, not one of {sorted(MERGES)}"
    if merge in ("union", "provenance") and not kind.endswith("[]"):
        return f"merges by {merge}, which needs a list type"
    if (merge in ("max", "min") and kind not in ("integer", "float")) or (merge == "join" and kind != "string"):
        return f"cannot merge by {merge} with type {kind}"
    if merge == "strongest" and "enum" not in options:
        return "merges by strongest, which needs an enum (strongest first)"
    if "firstOf" in options and (merge != "derived" or not options.get("indexed")):
        return "has firstOf, which only a derived, indexed property can have (its index marks a graph filled)"
    return None


@lru_cache
def load_schema(directory: Path = SCHEMA_DIR) -> Schema:
    common = yaml.safe_load((directory / "common.yaml").read_text(encoding="utf-8"))
    common_nodes = _properties(common["nodeProperties"], "common.yaml")
    common_rels = _properties(common["relationshipProperties"], "common.yaml")
    nodes: dict[str, NodeType] = {}
    for file, raw, label in _declarations(directory / "nodes", "label", PASCAL_CASE, "PascalCase"):
        own = _properties(raw.get("properties"), file)
        base = dict(common_nodes)
        if not raw.get("provenance", True):
            base = {k: v for k, v in base.items() if k not in ("sources", "evidence", "aliases", "disputed", "matchNames")}
        if "keyPattern" in raw:
            base["id"] = Property(**{**base["id"].__dict__, "pattern": raw["keyPattern"]})
        nodes[label] = NodeType(
            label=label, description=raw["description"], properties={**base, **own},
            style=raw.get("style", {}), provenance=raw.get("provenance", True),
            featured=_featured({**base, **own}, common_nodes), matching=raw.get("matching", "fuzzy"),
        )
        if nodes[label].matching not in MATCHING:
            raise SchemaError(f"{file}: matching {nodes[label].matching!r} is not one of {sorted(MATCHING)}")
    relationships: dict[str, RelationshipType] = {}
    for file, raw, rel_type in _declarations(directory / "relationships", "type", UPPER_SNAKE_CASE, "UPPER_SNAKE_CASE"):
        for label in [*raw["from"], *raw["to"]]:
            if label not in nodes:
                raise SchemaError(f"{file}: unknown label {label!r} in from/to")
        properties = {**common_rels, **_properties(raw.get("properties"), file)}
        relationships[rel_type] = RelationshipType(
            type=rel_type, description=raw["description"], from_labels=tuple(raw["from"]), to_labels=tuple(raw["to"]),
            properties=properties, style=raw.get("style", {}), featured=_featured(properties, common_rels),
        )
    _merging([*nodes.values(), *relationships.values()])  # a name merges one way everywhere
    for spec in [*nodes.values(), *relationships.values()]:
        for prop in spec.properties.values():
            if prop.firstOf and not first_of(spec, prop):
                raise SchemaError(f"{getattr(spec, 'label', getattr(spec, 'type', ''))}: property {prop.name!r} is the first "
                                  f"of {list(prop.firstOf)}, none of which it has")
    for spec in [*nodes.values(), *relationships.values()]:  # the per-value provenance's own names are free
        for prop in spec.claimed:
            if prop.type.endswith("[]"):  # `pValues` would be a list of lists, which Neo4j cannot store
                raise SchemaError(f"{getattr(spec, 'label', getattr(spec, 'type', ''))}: list property {prop.name!r} "
                                  "must merge by union (or another rule), not keep-all")
            for kept in (f"{prop.name}Sources", f"{prop.name}Values"):
                if kept in spec.properties:
                    raise SchemaError(f"{getattr(spec, 'label', getattr(spec, 'type', ''))}: property {kept!r} "
                                      f"is the name under which the sources of {prop.name!r} are kept")
    return Schema(
        entity_label=common["entityLabel"], nodes=nodes, relationships=relationships,
        common_node_properties=common_nodes, common_relationship_properties=common_rels,
    )


def first_of(spec: NodeType | RelationshipType, prop: Property) -> tuple[str, ...]:
    """The properties of `spec`, in `prop.firstOf`'s order, whose first set value `prop` holds."""
    return tuple(name for name in prop.firstOf or () if name in spec.properties)


def first_of_cypher(spec: NodeType | RelationshipType, prop: Property, var: str) -> str:
    """The Cypher value of `prop` on `var`: `coalesce` of its `firstOf` properties that `spec` has."""
    return f"coalesce({', '.join(f'{var}.{name}' for name in first_of(spec, prop))})"


def first_of_values(spec: NodeType | RelationshipType, props: dict[str, Any]) -> dict[str, Any]:
    """The `firstOf` values the writer would store for a new record of `spec` holding `props`, for the
    paths that write without the writer's statements (the offline import files)."""
    values = {p.name: next((props[n] for n in first_of(spec, p) if props.get(n) is not None), None)
              for p in spec.properties.values() if p.firstOf}
    return {name: value for name, value in values.items() if value is not None}


def _declarations(folder: Path, key: str, case: re.Pattern, case_name: str) -> Iterator[tuple[str, dict, str]]:
    """(file name, content, the name under `key`) of each YAML file in `folder`, a name in its case and
    naming its file."""
    for path in sorted(folder.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = raw[key]
        if not case.match(name) or path.stem != name:
            raise SchemaError(f"{path.name}: {key} {name!r} must be {case_name} and match the file name")
        yield path.name, raw, name


def _merging(types: list[NodeType | RelationshipType]) -> dict[str, Property]:
    merging: dict[str, Property] = {}
    for spec in types:
        for prop in spec.properties.values():
            first = merging.get(prop.name)
            if first is not None and first.merge != prop.merge:
                raise SchemaError(f"property {prop.name!r} merges by {first.merge} in one place, by {prop.merge} in another")
            if prop.merge not in (CLAIMS, "identity", "derived"):
                merging.setdefault(prop.name, prop)
    return merging


def apply_schema(driver, database: str, schema: Schema | None = None) -> list[str]:
    """Create every constraint and index the schema asks for (idempotent); returns the statements run."""
    schema = schema or load_schema()
    _drop_outdated_fulltext_indexes(driver, database, schema)
    _fill_first_of(driver, database, schema)
    statements = schema.ddl()
    for statement in statements:
        driver.execute_query(statement, database_=database)
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return statements


def _fill_first_of(driver, database: str, schema: Schema) -> None:
    """Write the `firstOf` values a graph written before they were declared lacks (the writer keeps them
    right from then on). Done before their index is created, and only while it is missing, so a fill cut
    short is done again by the next call and a graph that has the index is not read again."""
    existing = {record["name"] for record in driver.execute_query(
        "SHOW INDEXES YIELD name RETURN name", database_=database).records}
    for kind, specs in (("NODE", schema.nodes), ("RELATIONSHIP", schema.relationships)):
        for name, spec in specs.items():
            for prop in spec.properties.values():
                if not prop.firstOf or _index_name(name, prop) in existing:
                    continue
                var, pattern = ("n", f"(n:{name})") if kind == "NODE" else ("r", f"()-[r:{name}]->()")
                with driver.session(database=database) as filling:  # CALL ... IN TRANSACTIONS needs an implicit one
                    filling.run(f"MATCH {pattern} WHERE {var}.{prop.name} IS NULL CALL ({var}) {{ "
                                f"SET {var}.{prop.name} = {first_of_cypher(spec, prop, var)} }} "
                                "IN TRANSACTIONS OF 10000 ROWS").consume()


def _drop_outdated_fulltext_indexes(driver, database: str, schema: Schema) -> None:
    """`CREATE ... IF NOT EXISTS` keeps an index of the same name as it was, so a full-text index made
    before the schema gained a relationship type (or a property) would silently miss the new ties: such
    an index is dropped here, and created anew by the DDL."""
    wanted = {index.name: index for index in schema.fulltext_indexes()}
    existing = driver.execute_query(
        "SHOW FULLTEXT INDEXES YIELD name, entityType, labelsOrTypes, properties, options "
        "WHERE name IN $names RETURN name, entityType, labelsOrTypes, properties, "
        "options.indexConfig['fulltext.analyzer'] AS analyzer", names=list(wanted), database_=database).records
    for record in existing:
        index = wanted[record["name"]]
        if (record["entityType"], set(record["labelsOrTypes"]), list(record["properties"]), record["analyzer"]) != (
                index.entity_type, set(index.labels_or_types), list(index.properties), index.analyzer):
            driver.execute_query(f"DROP INDEX {index.name} IF EXISTS", database_=database)
