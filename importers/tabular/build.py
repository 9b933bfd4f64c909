"""Rows to records: each row makes the mapping's nodes, then (once every row is read) its relationships.

Every cell is read by the type the mapping gives it and checked against the schema where it is read,
so a problem names the file, the spreadsheet row and the column. The same entity in several rows
merges into one node carrying every row's quote (see `Dataset`); a name that differs between such
rows is kept as an alias rather than reported as a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.records import Dataset, NodeRecord, Origin, Problem, RelationshipRecord, relationship_id
from importers.context import QUOTE_LIMIT, clip_quote
from importers.names import slug
from importers.readers import Table
from importers.tabular.cells import PARSERS, CellError, as_text, is_empty, parse_amount_and_currency
from importers.tabular.mapping import (
    TEMPLATE_FIELD,
    Condition,
    EndSpec,
    IdSpec,
    Mapping,
    NodeSpec,
    RelationshipSpec,
    Repeat,
    ValueSpec,
)


def render(template: str, cells: dict[str, Any], missing: frozenset[str] = frozenset(),
           requires: tuple[str, ...] = ()) -> str | None:
    """The template with each {Column} replaced by its cell's text; None when every such cell is empty
    or a cell it `requires` is."""
    values = {name: "" if is_empty(cells[name], missing) else as_text(cells[name])
              for name in TEMPLATE_FIELD.findall(template)}
    if not any(values.values()) or not all(values[name] for name in requires):
        return None
    return TEMPLATE_FIELD.sub(lambda match: values[match[1]], template).strip()


@dataclass(frozen=True)
class ItemOrigin(Origin):
    """The origin of a record made from one item of a cell that lists several: the row, and the item's
    position in the cell (counted from 1)."""

    column: str = ""
    position: int = 0

    def __str__(self) -> str:
        return f"{super().__str__()} (item {self.position} of column {self.column!r})"


@dataclass(frozen=True)
class _Made:
    id: str
    label: str


@dataclass
class _Row:
    origin: Origin
    cells: dict[str, Any]
    made: dict[str, dict[int | None, _Made]]  # node key → item position (None: one per row) → the node made
    source_id: str
    items: dict[int, list[tuple[ItemOrigin, dict[str, Any]]]] = field(default_factory=dict)  # id(Repeat) → items


class Builder:
    """Fills `dataset` from the rows of `table`; every problem goes to `dataset.conflicts`, which
    `Dataset.problems()` reports together with the schema checks of the merged records."""

    def __init__(self, mapping: Mapping, mapping_shown: str, table: Table, dataset: Dataset):
        self.mapping = mapping
        self.mapping_shown = mapping_shown
        self.table = table
        self.dataset = dataset
        self.schema = dataset.schema

    def problem(self, origin: Origin, item: str, field: str, message: str) -> None:
        self.dataset.conflicts.append(Problem(origin, item, field, message))

    def run(self) -> None:
        mapping = self.mapping
        if mapping.source:
            self.dataset.add_node("Source", dict(mapping.source), Origin(self.mapping_shown, mapping.source_line))
        rows = []
        for row_number, raw_cells in self.table.rows:
            origin = Origin(self.table.shown, row_number)
            cells = self.with_extracts(raw_cells)
            if all(is_empty(cell, mapping.missing) for cell in raw_cells.values()):
                continue
            if any(self.holds(condition, cells) for condition in mapping.skip_rows):
                continue
            self.check_columns(cells, origin)
            row = _Row(origin, cells, {}, "")
            if mapping.source_node:
                source = self.make_node(mapping.nodes[mapping.source_node], cells, origin, None)
                if source is None:
                    continue
                row.made[mapping.source_node] = {None: source}
                row.source_id = source.id
            else:
                row.source_id = mapping.source["id"]
            for node in mapping.nodes.values():
                if node.key in row.made:
                    continue
                made = row.made[node.key] = {}
                for position, item_origin, item_cells in self.occurrences(node.repeat, row):
                    node_made = self.make_node(node, item_cells, item_origin, row.source_id)
                    if node_made:
                        made[position] = node_made
            rows.append(row)
        for row in rows:
            for rel in mapping.relationships:
                for position, item_origin, item_cells in self.occurrences(rel.repeat, row):
                    self.make_relationship(rel, row, position, item_origin, item_cells)

    def occurrences(self, repeat: Repeat | None, row: _Row) -> list[tuple[int | None, Origin, dict[str, Any]]]:
        """(item position, origin, cells) of each node or tie an entry makes from the row: the row once, or
        each item of its repeated cell (that cell reading as the item, and the item's parts as cells)."""
        if repeat is None:
            return [(None, row.origin, row.cells)]
        if id(repeat) not in row.items:
            row.items[id(repeat)] = self.items(repeat, row)
        return [(origin.position, origin, cells) for origin, cells in row.items[id(repeat)]]

    def items(self, repeat: Repeat, row: _Row) -> list[tuple[ItemOrigin, dict[str, Any]]]:
        cell = row.cells[repeat.column]
        if is_empty(cell, self.mapping.missing):
            return []
        text = as_text(cell)
        parts = repeat.split_pattern.split(text) if repeat.split_pattern else text.split(repeat.split)
        items = []
        for position, part in enumerate(parts, start=1):  # an empty item keeps its place in the count
            part = part.strip()
            if is_empty(part, self.mapping.missing):
                continue
            origin = ItemOrigin(row.origin.file, row.origin.line, repeat.column, position)
            cells = {**row.cells, repeat.column: part}
            if repeat.pattern:
                found = repeat.pattern.fullmatch(part)
                if found is None:
                    self.problem(origin, "row", repeat.column, f"item {position}, {part!r}, does not match the "
                                                               f"mapping's pattern {repeat.pattern.pattern!r}")
                    continue
                cells.update({name: (value or "").strip() for name, value in found.groupdict().items()})
            items.append((origin, cells))
        return items

    # --- cells ----------------------------------------------------------------------------------
    def with_extracts(self, cells: dict[str, Any]) -> dict[str, Any]:
        derived = dict(cells)
        for name, extract in self.mapping.extract.items():
            cell = cells[extract.column]
            found = None if is_empty(cell, self.mapping.missing) else extract.pattern.search(as_text(cell))
            derived[name] = ((found.groupdict().get("value") or found[1] or "").strip()) if found else ""
        return derived

    def check_columns(self, cells: dict[str, Any], origin: Origin) -> None:
        for column, spec in self.mapping.checks.items():
            try:
                self.evaluate(spec, cells)
            except CellError as error:
                self.problem(origin, "row", column, str(error))

    def holds(self, condition: Condition, cells: dict[str, Any]) -> bool:
        cell = cells[condition.column]
        text = "" if is_empty(cell, self.mapping.missing) else as_text(cell)
        test, operand = condition.test, condition.operand
        if test == "empty":
            return (text == "") == bool(operand)
        if test == "equals":
            return text == as_text(operand)
        if test == "in":
            return text in {as_text(v) for v in operand}
        found = bool(operand.search(text))
        return found if test == "matches" else not found

    def evaluate(self, spec: ValueSpec, cells: dict[str, Any]) -> Any:
        """The value of one spec for this row (None for an empty cell); raises CellError."""
        if spec.column is None and spec.template is None:
            return spec.literal
        if spec.template is not None:
            return render(spec.template, cells, spec.missing, spec.requires)
        cell = cells[spec.column]
        if is_empty(cell, spec.missing):
            if spec.required:
                raise CellError("is empty, and the mapping requires it")
            return None
        if spec.splits:
            text = as_text(cell)
            parts = spec.split_pattern.split(text) if spec.split_pattern else text.split(spec.split)
            values = [self.parse(spec, part) for part in parts if not is_empty(part, spec.missing)]
            return [v for v in values if v is not None] or None
        return self.parse(spec, cell)

    @staticmethod
    def parse(spec: ValueSpec, cell: Any) -> Any:
        if spec.map:
            mapped = spec.map.get(as_text(cell).lower())
            if mapped is None and spec.only_mapped:
                return None
            cell = cell if mapped is None else mapped
        if isinstance(cell, str):
            cell = cell.strip()
        return PARSERS[spec.type](cell, formats=spec.formats)

    def properties(self, specs_by_name: dict[str, list[ValueSpec]], allowed: dict, cells: dict[str, Any],
                   origin: Origin, item: str) -> dict[str, Any] | None:
        """The record's properties, or None after reporting the problems of this row."""
        props: dict[str, Any] = {}
        ok = True
        failed: set[str] = set()  # columns already reported for this record (an amount cell read for currency too)
        for name, specs in specs_by_name.items():
            prop = allowed[name]
            values = []
            for spec in specs:
                try:
                    value = self.evaluate(spec, cells)
                except CellError as error:
                    if _field(spec, name) not in failed:
                        self.problem(origin, item, _field(spec, name), f"{error} (for {name})")
                        failed.add(_field(spec, name))
                    ok = False
                    continue
                if value is not None:
                    values.append(value)
            if prop.type.endswith("[]"):
                joined = [v for value in values for v in (value if isinstance(value, list) else [value])]
                value = list(dict.fromkeys(joined)) or None
            else:
                value = values[0] if values else None
            if value is None:
                if prop.required and ok:
                    self.problem(origin, item, _field(specs[0], name), f"is empty, but {name} is required")
                    ok = False
                continue
            problem = prop.check(value)
            if problem:
                self.problem(origin, item, _field(specs[0], name), f"{problem} (for {name})")
                ok = False
            props[name] = value
        ok = self.check_currencies(specs_by_name, props, cells, origin, item) and ok
        return props if ok else None

    def check_currencies(self, specs_by_name: dict[str, list[ValueSpec]], props: dict, cells: dict,
                         origin: Origin, item: str) -> bool:
        """An amount cell that names its currency must agree with the record's currency (USD for `...Usd`)."""
        ok = True
        for name, specs in specs_by_name.items():
            if props.get(name) is None:
                continue
            for spec in specs:
                if spec.type != "amount" or spec.column is None or is_empty(cells[spec.column], spec.missing):
                    continue
                try:
                    named = parse_amount_and_currency(cells[spec.column])[1]
                except CellError:  # a mapped cell; the parse that gave props[name] has the last word
                    named = None
                currency = props.get("currency")
                if name.endswith("Usd"):  # a column of US dollars, whatever the currency of the row's other amounts
                    if named and named != "USD":
                        self.problem(origin, item, spec.column, f"is in {named}, but {name} takes US dollars")
                        ok = False
                elif currency is None:
                    self.problem(origin, item, spec.column,
                                 f"gives an amount but no currency (for {name}); name it in the cell ('USD 21 million'), "
                                 "in a currency column, or fix it in the mapping")
                    ok = False
                elif named and named != currency:
                    self.problem(origin, item, spec.column, f"names {named}, but the currency of {name} is {currency}")
                    ok = False
                break
        return ok

    def quote(self, spec: ValueSpec, cells: dict[str, Any], origin: Origin, item: str) -> str | None:
        if spec.template is not None:
            text = render(spec.template, cells, spec.missing, spec.requires)
            if text is None:
                self.problem(origin, item, _field(spec, "evidence"), "is empty, so the record has no quote")
                return None
            return clip_quote(text)
        cell = cells[spec.column]
        if is_empty(cell, spec.missing):
            self.problem(origin, item, spec.column, "is empty, so the record has no quote")
            return None
        text = as_text(cell)
        if len(text) > QUOTE_LIMIT:
            self.problem(origin, item, spec.column, f"is a quote of {len(text)} characters; at most {QUOTE_LIMIT}")
            return None
        return text

    # --- records --------------------------------------------------------------------------------
    def make_id(self, spec: IdSpec, cells: dict[str, Any]) -> str | None:
        if spec.kind == "value":
            text = spec.source
        elif spec.kind == "template":
            text = render(spec.source, cells, self.mapping.missing, spec.requires)
        else:
            cell = cells[spec.source]
            text = None if is_empty(cell, self.mapping.missing) else as_text(cell)
        if text is None:
            return None
        if slug(text) in spec.known:
            return spec.known[slug(text)]
        if spec.kind in ("slug", "template"):
            made = slug(text)
            if not made:
                raise CellError(f"{text!r} has no letters or digits to make an id from")
            return made
        if spec.kind == "country":
            return PARSERS["country"](text)
        return text

    def name_from(self, specs: tuple[ValueSpec, ...], cells: dict[str, Any], origin: Origin, item: str,
                  key: str) -> str | None:
        """A label or relationship type: the first of the mapping's maps that names its cell (None after a problem)."""
        for spec in specs:
            cell = cells[spec.column]
            name = None if is_empty(cell, spec.missing) else spec.map.get(as_text(cell).lower())
            if name is not None:
                return name
        last = specs[-1]
        cell = cells[last.column]
        if is_empty(cell, last.missing):
            self.problem(origin, item, last.column, f"is empty, so the {key} is not known")
        else:
            self.problem(origin, item, last.column, f"is {as_text(cell)!r}, which the {key} map of the mapping does not "
                                                    f"name (it names: {', '.join(last.map)})")
        return None

    def make_node(self, node: NodeSpec, cells: dict[str, Any], origin: Origin, source_id: str | None) -> _Made | None:
        field = ", ".join(node.id.columns) or "id"
        try:
            node_id = self.make_id(node.id, cells)
        except CellError as error:
            self.problem(origin, node.item, field, f"{error} (for id)")
            return None
        if node_id is None:
            if not node.optional:
                self.problem(origin, node.item, field, "is empty, but the node's id is made from it "
                                                       "(mark the node `optional: true` where rows may lack it)")
            return None
        label = node.names[0] if not node.name_from else self.name_from(node.name_from, cells, origin,
                                                                                node.item, "label")
        if label is None:
            return None
        node_type = self.schema.nodes[label]
        item = f"{node.key} ({label})"
        problem = node_type.properties["id"].check(node_id)
        if problem:
            self.problem(origin, item, field, f"{problem} (for id)")
            return None
        props = self.properties(node.properties_of(label), node_type.properties, cells, origin, item)
        if props is None:
            return None
        props["id"] = node_id
        if node_type.provenance:
            quote = self.quote(node.evidence or self.mapping.evidence, cells, origin, item)
            if quote is None:
                return None
            self.keep_first_name(label, props)
            existing = self.dataset.nodes.get(node_id)
            props = _with_quote(existing if existing and existing.label == label else None, props, source_id, quote)
        self.dataset.add_node(label, props, origin)
        return _Made(node_id, label)

    def keep_first_name(self, label: str, props: dict) -> None:
        """A name that differs from the one an earlier row gave the same node becomes an alias."""
        existing = self.dataset.nodes.get(props["id"])
        name = props.get("name")
        if existing is not None and existing.label == label and name and name != existing.props.get("name"):
            props["aliases"] = [name, *props.get("aliases", [])]
            props["name"] = existing.props["name"]
        if "aliases" in props:
            aliases = [a for a in props["aliases"] if a != props.get("name")]
            if aliases:
                props["aliases"] = aliases
            else:
                del props["aliases"]

    def end_node(self, end: EndSpec, item: str, row: _Row, position: int | None, cells: dict[str, Any],
                 origin: Origin) -> _Made | None:
        """The node at one end of a tie: made by this row (by this item, for a repeated node), or named by id."""
        if end.node:
            made = row.made.get(end.node, {})
            return made.get(position) if self.mapping.nodes[end.node].repeat else made.get(None)
        try:
            node_id = self.make_id(end.ref, cells)
        except CellError as error:
            self.problem(origin, item, ", ".join(end.ref.columns), str(error))
            return None
        if node_id is None:
            return None
        if node_id not in self.dataset.nodes:
            self.problem(origin, item, ", ".join(end.ref.columns) or "id",
                         f"names node {node_id!r}, which no row of this file makes")
            return None
        return _Made(node_id, self.dataset.nodes[node_id].label)

    def make_relationship(self, rel: RelationshipSpec, row: _Row, position: int | None, origin: Origin,
                          cells: dict[str, Any]) -> None:
        start = self.end_node(rel.start, rel.item, row, position, cells, origin)
        end = self.end_node(rel.end, rel.item, row, position, cells, origin)
        if start is None or end is None:
            return
        rel_type = rel.names[0] if not rel.name_from else self.name_from(rel.name_from, cells, origin, rel.item, "type")
        if rel_type is None:
            return
        schema = self.schema.relationships[rel_type]
        item = f"{rel_type} {rel.start.shown} -> {rel.end.shown}"
        for made, allowed, key in ((start, schema.from_labels, "from"), (end, schema.to_labels, "to")):
            if made.label not in allowed:
                self.problem(origin, item, key, f"a {made.label} ({made.id}) cannot be the {key} end of {rel_type} "
                                                f"(allowed: {', '.join(allowed)})")
                return
        props = self.properties(rel.properties_of(rel_type), schema.properties, cells, origin, item)
        quote = self.quote(rel.evidence or self.mapping.evidence, cells, origin, item)
        key = None
        if rel.key is not None:
            try:
                key = self.evaluate(rel.key, cells)
            except CellError as error:
                self.problem(origin, item, _field(rel.key, "key"), str(error))
                return
        if props is None or quote is None:
            return
        if isinstance(origin, ItemOrigin):  # the item's place in its cell, kept with the tie
            props["note"] = "; ".join(filter(None, [props.get("note"),
                                                    f"item {origin.position} of column {origin.column!r}"]))
        key = slug(as_text(key)) if key else None
        existing = self.dataset.relationships.get(relationship_id(start.id, rel_type, end.id, key))
        props = _with_quote(existing, props, row.source_id, quote)
        self.dataset.add_relationship(rel_type, start.id, end.id, props, origin, key=key)


def _field(spec: ValueSpec, fallback: str) -> str:
    return ", ".join(spec.columns) or fallback


def _with_quote(existing: NodeRecord | RelationshipRecord | None, props: dict, source_id: str, quote: str) -> dict:
    """The record's properties with this row's (source, quote) pair.

    A record seen in an earlier row gets the pair appended here, once: `Dataset` merges two equal
    `sources` lists as one value, which would part sources from their quotes when rows of one file
    (one source) give different quotes.
    """
    if existing is None:
        return {**props, "sources": [source_id], "evidence": [quote]}
    pairs = list(zip(existing.props["sources"], existing.props["evidence"], strict=True))
    if (source_id, quote) not in pairs:
        existing.props["sources"] = [*existing.props["sources"], source_id]
        existing.props["evidence"] = [*existing.props["evidence"], quote]
    return props
