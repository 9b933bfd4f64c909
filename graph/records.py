"""Records with their origin, the Dataset that merges them, and the validation rules.

An importer turns its input into a `Dataset` of node and relationship records, each remembering the
file and line it came from. `Dataset.problems()` checks the whole of it against the schema and the
domain rules (ownership, provenance); only a dataset without problems is written (graph/writer.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.schema import Property, Schema, load_schema

# Provenance travels as (source, quote) pairs, each pair kept once (`merge: provenance` in the schema).
PROVENANCE = ("sources", "evidence")


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
        item = self.item if len(self.item) <= 200 else self.item[:197] + "..."  # an id of 20,000 characters
        return f"{self.origin}: {item}: field '{self.field}' {self.message}"


class ImportFailed(Exception):
    """The input has problems; nothing was written. `problems` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:200])
        more = f"\n  ... and {len(problems) - 200} more" if len(problems) > 200 else ""
        super().__init__(f"{len(problems)} problem(s); nothing was written:\n{shown}{more}")


class _Keyed:
    props: dict[str, Any]

    @property
    def id(self) -> str:
        return self.props["id"]


@dataclass
class NodeRecord(_Keyed):
    label: str
    props: dict[str, Any]
    origins: list[Origin]
    claims: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)  # see Dataset._claim


@dataclass
class RelationshipRecord(_Keyed):
    type: str
    start: str
    end: str
    props: dict[str, Any]
    origins: list[Origin]
    claims: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)  # see Dataset._claim


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
            self.nodes[node_id] = NodeRecord(label, props, [origin], claims_of(self.schema.nodes[label].claimed, props))
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
            self.relationships[rel_id] = RelationshipRecord(
                rel_type, start, end, props, [origin], claims_of(self.schema.relationships[rel_type].claimed, props))
        else:
            self._merge(existing, props, origin, f"relationship {rel_id}")

    def add_stored_node(self, label: str, stored: dict[str, Any], origin: Origin) -> None:
        """`add_node` for a node as the graph stores it: its per-value lists (`<p>Sources`, `<p>Values`,
        `disputed`) become the record's claims, each source's value kept as that source gives it."""
        claimed = self.schema.nodes[label].claimed if label in self.schema.nodes else ()
        props, claims, problems = split_claims(claimed, stored)
        item = f"node {props.get('id')}"
        self.conflicts += [Problem(origin, item, name, message) for name, message in problems]
        existing = self.nodes.get(props.get("id"))
        self.add_node(label, {k: v for k, v in props.items() if existing is None or k not in claims}, origin)
        self._add_claims(self.nodes.get(props.get("id")), claims, existing is None, origin, item)

    def add_stored_relationship(self, rel_type: str, start: str, end: str, stored: dict[str, Any], origin: Origin,
                                key: str | None = None) -> None:
        """`add_relationship` for a tie as the graph stores it (see `add_stored_node`)."""
        claimed = self.schema.relationships[rel_type].claimed if rel_type in self.schema.relationships else ()
        props, claims, problems = split_claims(claimed, stored)
        rel_id = relationship_id(start, rel_type, end, key)
        self.conflicts += [Problem(origin, f"relationship {rel_id}", name, message) for name, message in problems]
        existing = self.relationships.get(rel_id)
        self.add_relationship(rel_type, start, end, {k: v for k, v in props.items() if existing is None or k not in claims},
                              origin, key)
        self._add_claims(self.relationships.get(rel_id), claims, existing is None, origin, f"relationship {rel_id}")

    def _add_claims(self, record: NodeRecord | RelationshipRecord | None, claims: dict[str, list[tuple[Any, str]]],
                    new: bool, origin: Origin, item: str) -> None:
        if record is None:
            return
        if new:  # the stored lists, not the shown value for every source
            record.claims.update({name: list(pairs) for name, pairs in claims.items()})
            return
        for name, pairs in claims.items():
            record.props.setdefault(name, pairs[0][0])
            for value, source in pairs:
                self._claim(record, name, value, [source], origin, item)

    def _merge(self, existing: NodeRecord | RelationshipRecord, props: dict, origin: Origin, item: str) -> None:
        """Join a second record of the same id into the first, each property as its schema `merge:` says."""
        kind = (self.schema.nodes[existing.label] if isinstance(existing, NodeRecord)
                else self.schema.relationships[existing.type])
        spec, claimed = kind.properties, {p.name for p in kind.claimed}
        merged = dict(existing.props)
        old_pairs = list(zip(merged.get("sources", []), merged.get("evidence", []), strict=False))
        new_pairs = [p for p in zip(props.get("sources", []), props.get("evidence", []), strict=False)
                     if p not in old_pairs]
        if new_pairs:
            merged["sources"] = [s for s, _ in old_pairs + new_pairs]
            merged["evidence"] = [q for _, q in old_pairs + new_pairs]
        for name, value in props.items():
            old = merged.get(name)
            if name in PROVENANCE:
                continue
            if name in claimed and props.get("sources"):
                self._claim(existing, name, value, props["sources"], origin, item)
                merged.setdefault(name, value)
            elif old is None or old == value:
                merged[name] = value
            elif name in spec and (combined := spec[name].combine(old, value)) is not None:
                merged[name] = combined
            else:
                self.conflicts.append(Problem(
                    origin, item, name, f"is {value!r} here but {old!r} at {existing.origins[0]}"
                ))
        existing.props = merged
        existing.origins.append(origin)

    def _claim(self, existing: NodeRecord | RelationshipRecord, name: str, value: Any, sources: list[str],
               origin: Origin, item: str) -> None:
        """Keep `value` of `name` as each of `sources` states it, beside what other sources state: two sources
        that disagree are both kept (the writer shows one by CLAIM_RULE); one source that gives two values
        is a conflict."""
        kept = existing.claims.setdefault(name, [])
        said = {source: old for old, source in kept}
        for source in dict.fromkeys(sources):
            if source in said and said[source] != value:
                self.conflicts.append(Problem(origin, item, name, f"is {value!r} here but {said[source]!r} at "
                                                                  f"{existing.origins[0]}, both from source {source!r}"))
            elif source not in said:
                kept.append((value, source))

    def problems(self) -> list[Problem]:
        """Everything wrong with the dataset: merge conflicts, schema violations, dangling ends."""
        schema = self.schema
        problems = list(self.conflicts)
        for node in self.nodes.values():
            for name, message in schema.node_problems(node.label, node.props) + _claim_problems(
                    schema.nodes[node.label].properties, node):
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
            for name, message in schema.relationship_problems(rel.type, rel.props, *ends) + _claim_problems(
                    schema.relationships[rel.type].properties, rel):
                problems.append(Problem(rel.origins[0], f"relationship {rel.id}", name, message))
            problems += provenance_problems(rel.props, rel.origins[0], f"relationship {rel.id}")
        return (problems + ownership_problems(r for r in self.relationships.values() if r.type == "OWNS")
                + commitment_problems(r for r in self.relationships.values() if r.type == "FINANCED"))

    def counts(self) -> tuple[Counter, Counter]:
        return Counter(n.label for n in self.nodes.values()), Counter(r.type for r in self.relationships.values())


def claims_of(claimed: Iterable[Property], props: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    """(value, source) for each claimed property `props` gives and each of its sources, once."""
    sources = list(dict.fromkeys(props.get("sources") or []))
    return {p.name: [(props[p.name], s) for s in sources] for p in claimed if props.get(p.name) is not None}


def split_claims(claimed: Iterable[Property], properties: dict[str, Any]
                 ) -> tuple[dict[str, Any], dict[str, list[tuple[Any, str]]], list[tuple[str, str]]]:
    """A record as the graph stores it (an export) → its properties without the per-value lists
    (`<p>Sources`, `<p>Values`, `disputed`), the (value, source) claims those lists hold, and (field,
    problem) pairs where the lists do not fit together."""
    props, claims, problems = dict(properties), {}, []
    props.pop("disputed", None)
    for prop in claimed:
        sources, values = props.pop(f"{prop.name}Sources", None), props.pop(f"{prop.name}Values", None)
        if sources is None and values is None:
            continue
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources) or (
                values is not None and (not isinstance(values, list) or len(values) != len(sources))):
            problems.append((f"{prop.name}Sources", f"must be a list of source ids, as long as {prop.name}Values"))
            continue
        claims[prop.name] = list(zip(values or [props.get(prop.name)] * len(sources), sources, strict=True))
    return props, claims, problems


def _claim_problems(spec: dict[str, Property], record: NodeRecord | RelationshipRecord) -> list[tuple[str, str]]:
    """What is wrong with the values other sources give beside the one in `props` (which is checked as usual)."""
    return [(name, f"(as {source!r} gives it) {problem}") for name, kept in record.claims.items()
            for value, source in kept if value != record.props.get(name) and (problem := spec[name].check(value))]


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


COMMITMENT_FACTS = ("amount", "currency", "amountUsd", "year", "instrument")


def commitment_problems(financed: Iterable[RelationshipRecord]) -> list[Problem]:
    """FINANCED ties of one commitment (one `commitment` key) that disagree on its amount, currency, year
    or instrument, which every tie repeats; and a lender's part larger than the whole or given without a
    commitment to be part of."""
    problems = []
    first: dict[str, RelationshipRecord] = {}
    for r in financed:
        key = r.props.get("commitment")
        for part, whole in (("partAmount", "amount"), ("partAmountUsd", "amountUsd")):
            if r.props.get(part) is None:
                continue
            if key is None:
                problems.append(Problem(r.origins[0], f"relationship {r.id}", part,
                                        "is a lender's part, given without the `commitment` it is part of"))
            elif r.props.get(whole) is not None and r.props[part] > r.props[whole]:
                problems.append(Problem(r.origins[0], f"relationship {r.id}", part,
                                        f"is {r.props[part]}, more than the commitment's {whole} {r.props[whole]}"))
        if key is None:
            continue
        other = first.setdefault(key, r)
        for name in COMMITMENT_FACTS:
            if other is not r and r.props.get(name) != other.props.get(name):
                problems.append(Problem(r.origins[0], f"relationship {r.id}", name,
                                        f"is {r.props.get(name)!r} here but {other.props.get(name)!r} on "
                                        f"{other.id} ({other.origins[0]}), a tie of the same commitment {key!r}"))
    return problems


def provenance_problems(props: dict, origin: Origin, item: str) -> list[Problem]:
    sources, evidence = props.get("sources"), props.get("evidence")
    if isinstance(sources, list) and isinstance(evidence, list) and len(sources) != len(evidence):
        return [Problem(origin, item, "evidence", f"has {len(evidence)} quotes for {len(sources)} sources")]
    return []
