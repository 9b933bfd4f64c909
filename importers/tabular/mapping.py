"""The mapping file: which columns make which nodes and relationships, read and checked against the schema.

`read_mapping(path)` returns a `Mapping` or raises ImportFailed listing every problem with the
mapping file's line and key (an unknown label, relationship type, property, cell type or option, a
literal value the schema refuses, a required property left unmapped, a relationship whose ends
cannot carry it). The format is described in `importers/tabular/README.md`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney.types import registry

from graph.records import ImportFailed, Origin, Problem
from graph.schema import Property, Schema, load_schema
from importers.names import slug
from importers.readers import YamlDocument, read_yaml
from importers.tabular.cells import PARSERS, PRODUCES

TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")
PROVENANCE = {"id", "sources", "evidence"}
ID_KINDS = ("column", "slug", "template", "value", "country")
VALUE_KINDS = ("column", "template", "value")
VALUE_OPTIONS = {"type", "split", "split_pattern", "map", "only_mapped", "formats", "required", "missing", "requires"}
ID_OPTIONS = {"known", "requires"}
REPEAT_KEYS = {"column", "split", "split_pattern", "pattern"}
CONDITION_TESTS = ("empty", "equals", "in", "matches", "not_matches")
TOP_KEYS = {"about", "columns", "format", "encoding", "delimiter", "sheet", "missing", "source", "evidence", "extract",
            "skip_rows", "blocks", "nodes", "relationships", "assertions"}
NODE_KEYS = {"label", "id", "name", "aliases", "properties", "per_label", "evidence", "optional", "repeat"}
RELATIONSHIP_KEYS = {"type", "from", "to", "key", "properties", "per_type", "evidence", "repeat"}
SOURCE_KEYS = {"id", "name", "title", "publisher", "date", "url", "authors", "file", "otherFiles"}


def template_columns(template: str) -> list[str]:
    return TEMPLATE_FIELD.findall(template)


@dataclass
class ValueSpec:
    """Where one value comes from: a column, a template of cells, or a fixed value; and how to read it."""

    column: str | None = None
    template: str | None = None
    literal: Any = None
    type: str = "string"
    split: str | None = None
    split_pattern: re.Pattern | None = None
    map: dict[str, Any] = field(default_factory=dict)
    only_mapped: bool = False  # a cell the map does not name gives no value (else it is read as written)
    formats: tuple[str, ...] = ()
    required: bool = False
    missing: frozenset[str] = frozenset()  # cell texts that mean "no value" (lower case), besides an empty cell
    requires: tuple[str, ...] = ()  # a template's cells without which it gives nothing

    @property
    def columns(self) -> list[str]:
        if self.column:
            return [self.column]
        return template_columns(self.template) if self.template else []

    @property
    def splits(self) -> bool:
        return bool(self.split or self.split_pattern)


@dataclass
class IdSpec:
    """How a node's id is made: `column` (as written), `slug` of a column, `template` (then slugged),
    a fixed `value`, or `country` (ISO code of a country column); `known` maps names to set ids first."""

    kind: str
    source: str
    known: dict[str, str] = field(default_factory=dict)
    requires: tuple[str, ...] = ()  # a template's cells without which there is no id

    @property
    def columns(self) -> list[str]:
        if self.kind == "value":
            return []
        return template_columns(self.source) if self.kind == "template" else [self.source]


@dataclass
class Condition:
    column: str
    test: str
    operand: Any


@dataclass
class Extract:
    """A derived column: the part of another column's text that a regular expression captures."""

    column: str
    pattern: re.Pattern


@dataclass
class Repeat:
    """A cell that lists several items: one node or tie per item. Within the entry the column reads as
    the item, and a `pattern`'s named groups as cells of their own (`(?P<name>.+), (?P<type>.+)`)."""

    column: str
    split: str | None
    split_pattern: re.Pattern | None
    pattern: re.Pattern | None

    @property
    def cells(self) -> list[str]:
        return list(self.pattern.groupindex) if self.pattern else []


class _EntrySpec:
    """What a node entry and a relationship entry share: `names`, its one label or type, or every one that
    `name_from` (columns whose maps give it: the first that names its cell) can give; `properties`
    common to them all, and `per_name`, each one's own."""

    names: tuple[str, ...]
    properties: dict[str, list[ValueSpec]]
    per_name: dict[str, dict[str, list[ValueSpec]]]

    def properties_of(self, name: str) -> dict[str, list[ValueSpec]]:
        return {**self.properties, **self.per_name.get(name, {})}

    @property
    def shown_name(self) -> str:
        """The label or type where there is one; one from a column shows as `A|B`."""
        return "|".join(self.names)


@dataclass
class NodeSpec(_EntrySpec):
    key: str
    names: tuple[str, ...]  # labels
    id: IdSpec
    properties: dict[str, list[ValueSpec]]
    evidence: ValueSpec | None
    optional: bool
    line: int | None
    name_from: tuple[ValueSpec, ...] = ()
    per_name: dict[str, dict[str, list[ValueSpec]]] = field(default_factory=dict)  # `per_label:`
    repeat: Repeat | None = None

    @property
    def item(self) -> str:
        return f"{self.key} ({self.shown_name})"


@dataclass
class EndSpec:
    """A relationship end: a node the same row makes (`node`), or a reference by id to a node another row makes."""

    node: str | None = None
    ref: IdSpec | None = None

    @property
    def shown(self) -> str:
        return self.node or f"id from {', '.join(self.ref.columns) or self.ref.source}"


@dataclass
class RelationshipSpec(_EntrySpec):
    names: tuple[str, ...]  # types
    start: EndSpec
    end: EndSpec
    key: ValueSpec | None
    properties: dict[str, list[ValueSpec]]
    evidence: ValueSpec | None
    line: int | None
    name_from: tuple[ValueSpec, ...] = ()
    per_name: dict[str, dict[str, list[ValueSpec]]] = field(default_factory=dict)  # `per_type:`
    repeat: Repeat | None = None  # its own, or the repeat of a repeated node at one of its ends

    @property
    def item(self) -> str:
        return f"{self.shown_name} {self.start.shown} -> {self.end.shown}"


@dataclass
class Mapping:
    file: Path
    about: dict = field(default_factory=dict)
    format: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str | int | None = None
    missing: frozenset[str] = frozenset()  # cell texts that mean "no value" in every column (lower case)
    source: dict | None = None  # a fixed Source for the whole file ...
    source_line: int | None = None
    source_node: str | None = None  # ... or the key of a Source node made from each row
    evidence: ValueSpec | None = None
    extract: dict[str, Extract] = field(default_factory=dict)
    skip_rows: list[Condition] = field(default_factory=list)
    checks: dict[str, ValueSpec] = field(default_factory=dict)  # columns read and checked on every row
    nodes: dict[str, NodeSpec] = field(default_factory=dict)
    relationships: list[RelationshipSpec] = field(default_factory=list)
    assertions: dict = field(default_factory=dict)

    def columns(self) -> dict[str, str]:
        """Every file column the mapping reads → where it first reads it (for 'missing column' errors)."""
        used: dict[str, str] = {}

        derived = set(self.extract)
        for entry in [*self.nodes.values(), *self.relationships]:
            if entry.repeat:
                derived.update(entry.repeat.cells)

        def note(columns: list[str], where: str) -> None:
            for column in columns:
                if column not in derived:
                    used.setdefault(column, where)

        for name, extract in self.extract.items():
            note([extract.column], f"extract.{name}")
        for condition in self.skip_rows:
            note([condition.column], "skip_rows")
        for column in self.checks:
            note([column], "columns")
        if self.evidence:
            note(self.evidence.columns, "evidence")
        for node in self.nodes.values():
            if node.repeat:
                note([node.repeat.column], f"nodes.{node.key}.repeat")
            for spec in node.name_from:
                note(spec.columns, f"nodes.{node.key}.label")
            note(node.id.columns, f"nodes.{node.key}.id")
            for prop, specs in [*node.properties.items(), *(p for t in node.per_name.values() for p in t.items())]:
                for spec in specs:
                    note(spec.columns, f"nodes.{node.key}.{prop}")
            if node.evidence:
                note(node.evidence.columns, f"nodes.{node.key}.evidence")
        for index, rel in enumerate(self.relationships):
            where = f"relationships[{index}] ({rel.shown_name})"
            if rel.repeat:
                note([rel.repeat.column], where)
            for spec in rel.name_from:
                note(spec.columns, where)
            for end in (rel.start, rel.end):
                if end.ref:
                    note(end.ref.columns, where)
            for specs in [*rel.properties.values(), *(specs for t in rel.per_name.values() for specs in t.values()),
                          [rel.key] if rel.key else [], [rel.evidence] if rel.evidence else []]:
                for spec in specs:
                    note(spec.columns, where)
        return used


class _Reader:
    """Builds a Mapping from the parsed YAML, collecting a Problem for everything wrong with it."""

    def __init__(self, path: Path, shown: str, schema: Schema):
        self.path = path
        self.shown = shown
        self.schema = schema
        self.problems: list[Problem] = []
        self.line_of = YamlDocument(None).line
        self.missing: frozenset[str] = frozenset()

    def problem(self, line: int | None, item: str, key: str, message: str) -> None:
        self.problems.append(Problem(Origin(self.shown, line), item, key, message))

    # --- top level ------------------------------------------------------------------------------
    def read(self, parsed: YamlDocument) -> Mapping:
        self.line_of = parsed.line
        document = parsed.data
        mapping = Mapping(file=self.path)
        if not isinstance(document, dict):
            self.problem(1, "mapping", "file", "must be a YAML mapping with `nodes:` (and usually `relationships:`)")
            return mapping
        line = self.line_of(document)
        for key in document.keys() - TOP_KEYS:
            self.problem(line, "mapping", key, f"is not a mapping option (known: {', '.join(sorted(TOP_KEYS))})")
        mapping.about = document.get("about") or {}
        mapping.format = document.get("format")
        if mapping.format not in (None, "csv", "xlsx"):
            self.problem(line, "mapping", "format", f"is {mapping.format!r}; use csv or xlsx (or leave it out)")
        mapping.encoding = str(document.get("encoding") or "utf-8")
        try:
            "".encode(mapping.encoding)
        except LookupError:
            self.problem(line, "mapping", "encoding", f"{mapping.encoding!r} is not an encoding Python knows")
        mapping.delimiter = str(document.get("delimiter") or ",")
        mapping.sheet = document.get("sheet")
        mapping.missing = self.missing = self.markers(document.get("missing"), "mapping", line)
        mapping.assertions = document.get("assertions") or {}
        for name, raw in _items(document.get("extract")):
            extract = self.extract(name, raw, line)
            if extract:
                mapping.extract[name] = extract
        for raw in document.get("skip_rows") or []:
            condition = self.condition(raw, "skip_rows", line)
            if condition:
                mapping.skip_rows.append(condition)
        for column, raw in _items(document.get("columns")):
            spec = self.value({**raw, "column": column} if isinstance(raw, dict) else raw, None, "columns", column, line)
            if spec and spec.column:
                mapping.checks[column] = spec
            elif spec:
                self.problem(line, "columns", column, "must give the column's type, e.g. {type: date, formats: [...]}")
        if "evidence" in document:
            mapping.evidence = self.evidence(document["evidence"], "mapping", line)
        for key, raw in _items(document.get("nodes")):
            node = self.node(str(key), raw, line)
            if node:
                mapping.nodes[node.key] = node
        if not mapping.nodes:
            self.problem(line, "mapping", "nodes", "must name at least one node")
        for index, raw in enumerate(document.get("relationships") or []):
            rel = self.relationship(index, raw, mapping.nodes, line)
            if rel:
                mapping.relationships.append(rel)
        self.read_source(document.get("source"), mapping, line)
        self.check_evidence(mapping)
        return mapping

    def read_source(self, raw: Any, mapping: Mapping, line: int | None) -> None:
        if not isinstance(raw, dict):
            self.problem(line, "mapping", "source", "is required: a fixed Source (id, title, publisher, date, url) "
                                                    "or `node: <key of a Source node made from each row>`")
            return
        source_line = self.line_of(raw, line)
        if "node" in raw:
            key = raw["node"]
            node = mapping.nodes.get(key)
            if node is None or node.shown_name != "Source":
                self.problem(source_line, "source", "node", f"{key!r} is not a node of label Source in `nodes:`")
            elif node.repeat:
                self.problem(source_line, "source", "node", f"{key!r} repeats; a row cites one Source")
            mapping.source_node = key
            return
        for key in raw.keys() - SOURCE_KEYS:
            self.problem(source_line, "source", key, f"is not a Source property (known: {', '.join(sorted(SOURCE_KEYS))})")
        source = {k: v for k, v in raw.items() if k in SOURCE_KEYS}
        for prop, message in self.schema.node_problems("Source", source):
            self.problem(source_line, "source", prop, message)
        mapping.source, mapping.source_line = source, source_line

    def check_evidence(self, mapping: Mapping) -> None:
        if mapping.evidence:
            return
        for node in mapping.nodes.values():
            if any(self.schema.nodes[label].provenance for label in node.names) and node.evidence is None:
                self.problem(node.line, f"nodes.{node.key}", "evidence",
                             "is required here or at the top of the mapping (a quote column or a template of cells)")
        for index, rel in enumerate(mapping.relationships):
            if rel.evidence is None:
                self.problem(rel.line, f"relationships[{index}]", "evidence", "is required here or at the top of the mapping")

    # --- pieces ---------------------------------------------------------------------------------
    def markers(self, raw: Any, item: str, line: int | None) -> frozenset[str]:
        """`missing:`, the cell texts that mean "no value" (compared without case), as a set."""
        if raw is None:
            return frozenset()
        if not isinstance(raw, list) or not all(isinstance(m, str) and m.strip() for m in raw):
            self.problem(line, item, "missing", 'must be a list of cell texts that mean "no value", e.g. ["-", "n/a"]')
            return frozenset()
        return frozenset(m.strip().lower() for m in raw)

    def requires(self, raw: Any, template: str | None, item: str, key: str, line: int | None) -> tuple[str, ...]:
        """A template's `requires:` (`all`, or a list of its cells): the cells without which it gives nothing."""
        if raw is None:
            return ()
        cells = template_columns(template) if template else []
        if not cells:
            self.problem(line, item, key, "`requires` belongs to a template (it names the template's cells that must be filled)")
            return ()
        if raw == "all":
            return tuple(cells)
        if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw) or set(raw) - set(cells):
            self.problem(line, item, key, f"`requires` must be `all` or a list of the template's cells ({', '.join(cells)})")
            return ()
        return tuple(raw)

    def repeat(self, raw: Any, item: str, line: int | None) -> Repeat | None:
        """`repeat: {column, split | split_pattern, pattern}`: one node or tie per item of a cell."""
        if not isinstance(raw, dict) or "column" not in raw or set(raw) - REPEAT_KEYS \
                or ("split" in raw) == ("split_pattern" in raw):
            self.problem(line, item, "repeat", "must be {column: ..., split: ';'} or {column: ..., split_pattern: "
                                               "REGEX}, optionally with pattern: REGEX whose named groups read each item")
            return None
        line = self.line_of(raw, line)
        compiled = {}
        for key in ("split_pattern", "pattern"):
            if raw.get(key) is not None:
                try:
                    compiled[key] = re.compile(str(raw[key]))
                except re.error as error:
                    self.problem(line, item, f"repeat.{key}", f"is not a valid regular expression: {error}")
                    return None
        if "pattern" in compiled and not compiled["pattern"].groupindex:
            self.problem(line, item, "repeat.pattern", "needs named groups, (?P<name>...), to read each item's parts")
            return None
        if "split" in raw and not (isinstance(raw["split"], str) and raw["split"]):
            self.problem(line, item, "repeat.split", "must be the text between items, e.g. ';' or ' | '")
            return None
        return Repeat(str(raw["column"]), raw.get("split"), compiled.get("split_pattern"), compiled.get("pattern"))

    def names_from(self, raw: Any, allowed: dict, item: str, key: str, what: str,
                   line: int | None) -> tuple[tuple[str, ...], tuple[ValueSpec, ...]]:
        """The label or relationship type (`what`) of an entry and the columns it comes from: one the schema
        declares, or from columns: {column: ..., map: {cell text: name}}, or a list of such (the first map
        that names its cell decides). Every name a map gives must be in the schema, so a cell can choose
        only among the names the schema declares. No names where there is a problem."""
        if not isinstance(raw, (dict, list)):
            if raw in allowed:
                return (raw,), ()
            self.problem(line, item, key, f"unknown {what} {raw!r}; known: {', '.join(allowed)} "
                                          f"(or {{column: ..., map: {{cell text: {key}}}}})")
            return (), ()
        names: list[str] = []
        specs: list[ValueSpec] = []
        for one in raw if isinstance(raw, list) else [raw]:
            one_line = self.line_of(one, line) if isinstance(one, dict) else line
            if not isinstance(one, dict) or set(one) - {"column", "map", "missing"} or "column" not in one \
                    or not isinstance(one.get("map"), dict) or not one["map"]:
                self.problem(one_line, item, key, f"from a column must be {{column: ..., map: {{cell text: {key}}}}} "
                                                  f"or a list of such, each {key} one of: {', '.join(allowed)}")
                return (), ()
            unknown = sorted({str(v) for v in one["map"].values()} - set(allowed))
            if unknown:
                self.problem(one_line, item, key, f"map gives {', '.join(map(repr, unknown))}, not in the schema; "
                                                  f"known: {', '.join(allowed)}")
                return (), ()
            spec = self.value(one, None, item, key, one_line)
            if spec is None:
                return (), ()
            specs.append(spec)
            names += [str(v) for v in one["map"].values()]
        return tuple(dict.fromkeys(names)), tuple(specs)

    def extract(self, name: str, raw: Any, line: int | None) -> Extract | None:
        if not isinstance(raw, dict) or not {"column", "pattern"} <= raw.keys():
            self.problem(line, f"extract.{name}", "pattern", "needs `column:` and `pattern:` (a regular expression)")
            return None
        line = self.line_of(raw, line)
        try:
            pattern = re.compile(raw["pattern"])
        except re.error as error:
            self.problem(line, f"extract.{name}", "pattern", f"is not a valid regular expression: {error}")
            return None
        if pattern.groups == 0:
            self.problem(line, f"extract.{name}", "pattern", "needs a group, (?P<value>...) or (...), to capture")
            return None
        return Extract(str(raw["column"]), pattern)

    def condition(self, raw: Any, item: str, line: int | None) -> Condition | None:
        if isinstance(raw, dict):
            line = self.line_of(raw, line)
        tests = [t for t in CONDITION_TESTS if isinstance(raw, dict) and t in raw]
        if not isinstance(raw, dict) or "column" not in raw or len(tests) != 1 or len(raw) != 2:
            self.problem(line, item, "condition", f"must be `column:` and one of {', '.join(CONDITION_TESTS)}, got {raw!r}")
            return None
        test = tests[0]
        operand = raw[test]
        if test in ("matches", "not_matches"):
            try:
                operand = re.compile(operand)
            except (re.error, TypeError) as error:
                self.problem(line, item, test, f"is not a valid regular expression: {error}")
                return None
        elif test == "in" and not isinstance(operand, list):
            self.problem(line, item, "in", "must be a list of values")
            return None
        return Condition(str(raw["column"]), test, operand)

    def evidence(self, raw: Any, item: str, line: int | None) -> ValueSpec | None:
        spec = self.value(raw, None, item, "evidence", line)
        if spec and spec.column is None and spec.template is None:
            self.problem(line, item, "evidence", "must be a quote `column:` or a `template:` of cells")
            return None
        return spec

    def value(self, raw: Any, prop: Property | None, item: str, key: str, line: int | None) -> ValueSpec | None:
        """One value spec: a dict with column/template/value (+ options), or a bare literal."""
        if not isinstance(raw, dict):
            return self.literal(raw, prop, item, key, line)
        line = self.line_of(raw, line)
        kinds = [k for k in VALUE_KINDS if k in raw]
        unknown = raw.keys() - set(VALUE_KINDS) - VALUE_OPTIONS
        if unknown:
            hint = " (to read a column write {column: NAME})" if any(raw[k] is None for k in unknown) else ""
            self.problem(line, item, key, f"has unknown option(s) {', '.join(sorted(map(str, unknown)))}{hint}; "
                                          f"known: {', '.join([*VALUE_KINDS, *sorted(VALUE_OPTIONS)])}")
            return None
        if len(kinds) != 1:
            self.problem(line, item, key, "needs exactly one of column, template, value")
            return None
        if kinds == ["value"]:
            return self.literal(raw["value"], prop, item, key, line)
        formats = raw.get("formats") or ()
        spec = ValueSpec(required=bool(raw.get("required", False)),
                         formats=(formats,) if isinstance(formats, str) else tuple(map(str, formats)),
                         missing=self.missing | self.markers(raw.get("missing"), item, line),
                         requires=self.requires(raw.get("requires"), raw.get("template"), item, key, line))
        if kinds == ["column"]:
            spec.column = str(raw["column"])
        else:
            spec.template = str(raw["template"])
            if not template_columns(spec.template):
                self.problem(line, item, key, f"template {spec.template!r} names no {{column}}; use `value:` for fixed text")
                return None
        spec.map = {str(k).strip().lower(): v for k, v in (raw.get("map") or {}).items()}
        spec.only_mapped = bool(raw.get("only_mapped", False))
        if spec.only_mapped and not spec.map:
            self.problem(line, item, key, "`only_mapped` needs a `map`")
        spec.split = raw.get("split")
        if raw.get("split_pattern"):
            try:
                spec.split_pattern = re.compile(raw["split_pattern"])
            except re.error as error:
                self.problem(line, item, key, f"split_pattern is not a valid regular expression: {error}")
        cell_type = raw.get("type") or _default_type(prop)
        if cell_type not in PARSERS:
            self.problem(line, item, key, f"type {cell_type!r} is unknown; known: {', '.join(PARSERS)}")
            return None
        spec.type = cell_type
        if prop is not None:
            base = prop.type.removesuffix("[]")
            produced = PRODUCES[cell_type]
            if produced != base and not (produced == "integer" and base == "float"):
                self.problem(line, item, key, f"type {cell_type} gives a {produced} but {prop.name} takes {prop.type}")
            if spec.splits and not prop.type.endswith("[]"):
                self.problem(line, item, key, f"splits the cell into a list but {prop.name} takes one {prop.type}")
        if spec.template and cell_type != "string":
            self.problem(line, item, key, "a template gives text; read typed values with `column:`")
        return spec

    def literal(self, value: Any, prop: Property | None, item: str, key: str, line: int | None) -> ValueSpec | None:
        if prop is not None:
            problem = prop.check(value)
            if problem:
                self.problem(line, item, key, problem)
                return None
            if prop.name == "topics":
                unknown = [t for t in value if t not in registry.topic.names]
                if unknown:
                    self.problem(line, item, key, f"{', '.join(unknown)}: not FollowTheMoney topic(s)")
        return ValueSpec(literal=value)

    def values(self, raw: Any, prop: Property, item: str, key: str, line: int | None) -> list[ValueSpec]:
        """A property's specs: one spec, or a list of them (list properties join them; others take the first given)."""
        is_list = prop.type.endswith("[]")
        if not isinstance(raw, list) or (is_list and all(not isinstance(v, dict) for v in raw)):
            spec = self.value(raw, prop, item, key, line)
            return [spec] if spec else []
        specs = []
        for value in raw:
            if isinstance(value, dict):
                spec = self.value(value, prop, item, key, line)
            else:
                spec = self.literal([value] if is_list else value, prop, item, key, line)
            if spec:
                specs.append(spec)
        return specs

    def properties(self, raw: Any, allowed: dict[str, Property], item: str, line: int | None,
                   reserved: set[str], names: tuple[str, ...]) -> dict[str, list[ValueSpec]]:
        """The `properties:` of an entry whose label or type is one of `names` (every one must have each)."""
        result: dict[str, list[ValueSpec]] = {}
        if isinstance(raw, dict):
            line = self.line_of(raw, line)
        for name, value in _items(raw):
            if name in reserved:
                self.problem(line, item, name, "is set by the importer or by its own key, not under `properties:`")
                continue
            prop = allowed.get(name)
            if prop is None:
                where = "here" if len(names) == 1 else f"of every one of {', '.join(names)}"
                self.problem(line, item, name,
                             f"is not a property {where}; allowed: {', '.join(sorted(set(allowed) - reserved))}")
                continue
            specs = self.values(value, prop, item, name, line)
            if specs:
                result[name] = specs
        return result

    def per_name(self, raw: Any, shared: dict[str, list[ValueSpec]], allowed: dict[str, dict[str, Property]],
                 item: str, key: str, line: int | None, reserved: set[str]) -> dict[str, dict[str, list[ValueSpec]]]:
        """`per_label:` or `per_type:`, the properties of one of the labels or types (`allowed`, each with its
        properties) a column can give; then, with the `shared` properties, each one's required ones and
        amounts are checked."""
        names = tuple(allowed)
        result = {}
        if raw is not None and not isinstance(raw, dict):
            self.problem(line, item, key, f"must map each of {', '.join(names)} to its own properties")
        for name, block in (raw if isinstance(raw, dict) else {}).items():
            if name not in names:
                self.problem(self.line_of(raw, line), item, key, f"names {name!r}, which the map does not give "
                                                                 f"(it gives: {', '.join(names)})")
                continue
            result[name] = self.properties(block, allowed[name], f"{item}.{key}.{name}", line, reserved, (name,))
        for name in names:
            given = {**shared, **result.get(name, {})}
            for prop_name, prop in allowed[name].items():
                if prop.required and prop_name not in PROVENANCE and prop_name not in given:
                    hint = f" (give it under {key}: {{{name}: ...}})" if len(names) > 1 else ""
                    self.problem(line, item, prop_name, f"is required for {name} but the mapping does not give it{hint}")
            self.check_amounts(given, item, line)
        return result

    def id_spec(self, raw: Any, item: str, line: int | None, labels: tuple[str, ...]) -> IdSpec | None:
        if not isinstance(raw, dict):
            self.problem(line, item, "id", f"must say how the id is made: one of {', '.join(ID_KINDS)} "
                                           "(e.g. {slug: Name}), with optional `known: {name: id}`")
            return None
        line = self.line_of(raw, line)
        kinds = [k for k in ID_KINDS if k in raw]
        unknown = raw.keys() - set(ID_KINDS) - ID_OPTIONS
        if len(kinds) != 1 or unknown:
            self.problem(line, item, "id", f"needs exactly one of {', '.join(ID_KINDS)} (and optionally "
                                           f"{', '.join(sorted(ID_OPTIONS))}), got {sorted(raw)}")
            return None
        known = {slug(str(k)): str(v) for k, v in (raw.get("known") or {}).items()}
        requires = self.requires(raw.get("requires"), raw.get("template"), item, "id", line)
        spec = IdSpec(kinds[0], str(raw[kinds[0]]), known, requires)
        if spec.kind == "template" and not template_columns(spec.source):
            self.problem(line, item, "id", f"template {spec.source!r} names no {{column}}")
        for label in labels:
            id_prop = self.schema.nodes[label].properties["id"]
            fixed = [spec.source] if spec.kind == "value" else []
            for value in [*fixed, *spec.known.values()]:
                problem = id_prop.check(value)
                if problem:
                    self.problem(line, item, "id", problem)
        if spec.kind == "country" and any(label != "Country" for label in labels):
            self.problem(line, item, "id", "`country` makes ISO codes, the ids of Country nodes only")
        return spec

    def entry(self, raw: Any, item: str, kind: str, keys_hint: str, known: set[str],
              line: int | None) -> tuple[bool, int | None]:
        """Whether a node or relationship entry is a mapping, and its line; its unknown keys are reported."""
        if not isinstance(raw, dict):
            self.problem(line, item, kind, f"must be a mapping with {keys_hint}")
            return False, line
        line = self.line_of(raw, line)
        for unknown in raw.keys() - known:
            self.problem(line, item, unknown, f"is not a {kind} option (known: {', '.join(sorted(known))})")
        return True, line

    def node(self, key: str, raw: Any, line: int | None) -> NodeSpec | None:
        item = f"nodes.{key}"
        shaped, line = self.entry(raw, item, "node", "label, id, name, ...", NODE_KEYS, line)
        if not shaped:
            return None
        labels, label_from = self.names_from(raw.get("label"), self.schema.nodes, item, "label", "label", line)
        if label_from and "Source" in labels:
            self.problem(line, item, "label", "Source nodes are made from a label of their own, not from a column")
            return None
        if not labels:
            return None
        repeat = self.repeat(raw["repeat"], item, line) if "repeat" in raw else None
        id_spec = self.id_spec(raw.get("id"), item, line, labels)
        allowed = _shared(self.schema.nodes[label].properties for label in labels)
        properties = self.properties(raw.get("properties"), allowed, item, line, PROVENANCE | {"name", "aliases"},
                                     labels)
        for name in ("name", "aliases"):
            if name in raw and name in allowed:
                specs = self.values(raw[name], allowed[name], item, name, line)
                if specs:
                    properties[name] = specs
        per_label = self.per_name(raw.get("per_label"), properties, {n: self.schema.nodes[n].properties for n in labels},
                                  item, "per_label", line, PROVENANCE | {"name", "aliases"})
        evidence = None
        if "evidence" in raw:
            if not any(self.schema.nodes[label].provenance for label in labels):
                self.problem(line, item, "evidence", f"{' and '.join(labels)} nodes carry no evidence")
            else:
                evidence = self.evidence(raw["evidence"], item, line)
        if id_spec is None:
            return None
        return NodeSpec(key, labels, id_spec, properties, evidence, bool(raw.get("optional", False)), line,
                        label_from, per_label, repeat)

    def check_amounts(self, properties: dict[str, list[ValueSpec]], item: str, line: int | None) -> None:
        """An amount in any currency but US dollars (`...Usd`) needs a `currency` beside it."""
        for name, specs in properties.items():
            if not name.endswith("Usd") and "currency" not in properties and any(s.type == "amount" for s in specs):
                self.problem(line, item, name, "reads an amount but the mapping gives no `currency`: add currency: "
                                               "{column: ..., type: currency}, a list of such, or a fixed code (USD)")

    def end(self, raw: Any, nodes: dict[str, NodeSpec], item: str, key: str, line: int | None) -> EndSpec | None:
        if isinstance(raw, str):
            if raw not in nodes:
                self.problem(line, item, key, f"{raw!r} is not a node of this mapping (nodes: {', '.join(nodes)})")
                return None
            return EndSpec(node=raw)
        if isinstance(raw, dict) and set(raw) == {"id"}:
            ref = self.id_spec(raw["id"], item, line, ())
            return EndSpec(ref=ref) if ref else None
        self.problem(line, item, key, "must be a node key, or {id: ...} naming a node another row makes")
        return None

    def relationship(self, index: int, raw: Any, nodes: dict[str, NodeSpec], line: int | None) -> RelationshipSpec | None:
        item = f"relationships[{index}]"
        shaped, line = self.entry(raw, item, "relationship", "type, from, to, properties", RELATIONSHIP_KEYS, line)
        if not shaped:
            return None
        types, type_from = self.names_from(raw.get("type"), self.schema.relationships, item, "type",
                                           "relationship type", line)
        if not types:
            return None
        item = f"{item} ({'|'.join(types)})"
        start = self.end(raw.get("from"), nodes, item, "from", line)
        end = self.end(raw.get("to"), nodes, item, "to", line)
        for end_spec, key in ((start, "from"), (end, "to")):
            if end_spec and end_spec.node:
                labels = nodes[end_spec.node].names
                ends = {t: getattr(self.schema.relationships[t], f"{'from' if key == 'from' else 'to'}_labels") for t in types}
                if not any(label in allowed for label in labels for allowed in ends.values()):
                    self.problem(line, item, key, f"a {' or '.join(labels)} cannot be the {key} end of "
                                                  f"{' or '.join(types)} (allowed: "
                                                  f"{', '.join(dict.fromkeys(a for e in ends.values() for a in e))})")
        allowed = _shared(self.schema.relationships[t].properties for t in types)
        properties = self.properties(raw.get("properties"), allowed, item, line, PROVENANCE, types)
        per_type = self.per_name(raw.get("per_type"), properties,
                                 {t: self.schema.relationships[t].properties for t in types}, item, "per_type", line,
                                 PROVENANCE)
        key_spec = self.value(raw["key"], None, item, "key", line) if "key" in raw else None
        evidence = self.evidence(raw["evidence"], item, line) if "evidence" in raw else None
        own = self.repeat(raw["repeat"], item, line) if "repeat" in raw else None
        if not (start and end):
            return None
        repeats = [r for r in (own, *(nodes[e.node].repeat for e in (start, end) if e.node)) if r]
        if len({r.column for r in repeats}) > 1:
            self.problem(line, item, "repeat", f"repeats over {' and '.join(sorted({r.column for r in repeats}))}; the "
                                               "ties of one entry can follow the items of one column only")
            return None
        return RelationshipSpec(types, start, end, key_spec, properties, evidence, line, type_from, per_type,
                                own or next(iter(repeats), None))


def _shared(properties: Iterable[dict[str, Property]]) -> dict[str, Property]:
    """The properties every one of several labels or types has (those a mapping may set on all of them)."""
    tables = list(properties)
    return {name: prop for name, prop in tables[0].items() if all(name in table for table in tables[1:])}


def _default_type(prop: Property | None) -> str:
    if prop is None:
        return "string"
    return {"integer": "integer", "float": "float", "boolean": "boolean"}.get(prop.type.removesuffix("[]"), "string")


def _items(raw: Any) -> list[tuple[str, Any]]:
    return list(raw.items()) if isinstance(raw, dict) else []


def read_mapping(path: Path, shown: str | None = None) -> Mapping:
    """Parse and check a mapping file; raise ImportFailed naming the file, line and key of every problem."""
    reader = _Reader(path, shown or str(path), load_schema())
    if not path.is_file():
        raise ImportFailed([Problem(Origin(reader.shown), "mapping", "file", "does not exist")])
    mapping = reader.read(read_yaml(path))
    if reader.problems:
        raise ImportFailed(reader.problems)
    return mapping
