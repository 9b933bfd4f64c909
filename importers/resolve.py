"""Entity resolution: one node for "Export-Import Bank of China", "China Eximbank" and "Exim Bank".

Before an import is written, each incoming entity is matched against the graph (and against the
entities of the same import read before it), in the order nomenklatura's xref → dedupe → apply uses:

1. an analyst's decision (`decisions.csv`: same / not same) always wins;
2. a shared external id (`externalIds`: AidData, OpenSanctions, Wikidata, LEI, USCC, ...) is a sure match;
3. the same normalised name or alias (importers/names.py: case, accents, punctuation, a leading
   "the" and legal forms such as "Co., Ltd." ignored; an alias of one word that is a country, a city
   or a common word never matches on its own) on a node of the same label is a sure match, when only
   one node has it;
4. a close name (rapidfuzz's token-sort ratio at or above the threshold; not for projects, whose
   titles look alike) is uncertain: written to the
   review file with its score, for an analyst to decide; nothing is merged.

A pair that cannot be one entity (importers/pair_rules.py: governments of different countries, two
AidData ids, a person and a company) is neither merged nor proposed, unless an analyst said "same".

Sure matches rewrite the incoming entity to the existing id (its own name becomes an alias), so the
writer merges it into the existing node and joins the quotes and sources of both.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Driver, RoutingControl
from rapidfuzz import fuzz, process

from graph.records import Dataset, ImportFailed, NodeRecord, Origin, Problem
from graph.schema import load_schema
from graph.settings import PROJECT_ROOT
from graph.spreadsheet import csv_rows
from importers.names import matching_names, normalise_name
from importers.pair_rules import never_same

DECISIONS = PROJECT_ROOT / "data" / "resolution" / "decisions.csv"
# How each label is matched (`matching:` in its schema file)
NOT_RESOLVED = {label for label, node in load_schema().nodes.items() if node.matching == "none"}
NOT_FUZZY = {label for label, node in load_schema().nodes.items() if node.matching != "fuzzy"}
REVIEW_COLUMNS = ["incoming_id", "incoming_name", "incoming_label", "candidate_id", "candidate_name",
                  "candidate_label", "score", "reason", "decision"]
SAME, NOT_SAME = "same", "not same"


@dataclass
class Known:
    id: str
    label: str
    name: str
    aliases: list[str]
    external_ids: list[str]
    in_graph: bool

    def names(self) -> set[str]:
        return matching_names(self.name, self.aliases)

    def props(self) -> dict:
        return {"name": self.name, "aliases": self.aliases, "externalIds": self.external_ids}


@dataclass
class Match:
    incoming: NodeRecord
    candidate: Known
    score: float
    reason: str


@dataclass
class Resolution:
    merged: list[Match] = field(default_factory=list)
    review: list[Match] = field(default_factory=list)

    def write_review(self, path: Path) -> Path:
        """The uncertain pairs as CSV for a spreadsheet (cells neutralised), with an empty `decision`
        column for the analyst."""
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [[m.incoming.id, m.incoming.props.get("name"), m.incoming.label, m.candidate.id,
                 m.candidate.name, m.candidate.label, f"{m.score:.1f}", m.reason, ""] for m in self.review]
        path.write_text(csv_rows([REVIEW_COLUMNS, *rows]), encoding="utf-8", newline="")
        return path


def read_decisions(path: Path | None) -> dict[tuple[str, str], bool]:
    """(incoming id, candidate id) → same? from a review file whose `decision` column was filled in."""
    if path is None or not path.exists():
        return {}
    decisions, problems = {}, []
    with path.open(newline="", encoding="utf-8") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            decision = (row.get("decision") or "").strip().lower().replace("-", " ").replace("_", " ")
            if not decision:
                continue
            if decision not in (SAME, NOT_SAME) or not row.get("incoming_id") or not row.get("candidate_id"):
                problems.append(Problem(Origin(str(path), row_number), "decision", "decision",
                                        f"must be '{SAME}' or '{NOT_SAME}' with both ids, got {decision!r}"))
                continue
            decisions[(row["incoming_id"], row["candidate_id"])] = decision == SAME
    if problems:
        raise ImportFailed(problems)
    return decisions


def known_from_graph(driver: Driver, database: str) -> list[Known]:
    rows = driver.execute_query(
        "MATCH (n:Entity) RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, "
        "n.name AS name, coalesce(n.aliases, []) AS aliases, coalesce(n.externalIds, []) AS ids",
        routing_=RoutingControl.READ, database_=database).records
    return [Known(r["id"], r["label"], r["name"] or "", r["aliases"], r["ids"], True) for r in rows]


class Resolver:
    def __init__(self, known: list[Known], decisions: dict[tuple[str, str], bool] | None = None,
                 threshold: float = 88.0):
        self.decisions = decisions or {}
        self.threshold = threshold
        self.by_id: dict[str, Known] = {}
        self.by_external: dict[str, set[str]] = defaultdict(set)
        self.by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
        for entry in known:
            self._index(entry)

    def _index(self, entry: Known) -> None:
        self.by_id[entry.id] = entry
        for external in entry.external_ids:
            self.by_external[external].add(entry.id)
        for name in entry.names():
            self.by_name[(entry.label, name)].add(entry.id)

    def _decided(self, incoming_id: str, candidate_id: str) -> bool | None:
        return self.decisions.get((incoming_id, candidate_id), self.decisions.get((candidate_id, incoming_id)))

    def _may_be(self, node: NodeRecord, candidate_id: str) -> bool:
        """False for a pair the pair rules (importers/pair_rules.py) say cannot be one entity."""
        candidate = self.by_id[candidate_id]
        return never_same(node.label, node.props, candidate.label, candidate.props()) is None

    def _sure_match(self, node: NodeRecord) -> tuple[Known, str] | None:
        for (incoming, candidate), same in self.decisions.items():
            if same and incoming == node.id and candidate in self.by_id:
                return self.by_id[candidate], "analyst decision"
        shared = {c for e in node.props.get("externalIds", []) for c in self.by_external.get(e, ())}
        shared = {c for c in shared if c != node.id and self._decided(node.id, c) is not False and self._may_be(node, c)}
        if len(shared) == 1:
            return self.by_id[shared.pop()], "shared external id"
        names = matching_names(node.props.get("name", ""), node.props.get("aliases", []))
        same_name = {c for n in names for c in self.by_name.get((node.label, n), ())}
        same_name = {c for c in same_name if c != node.id and self._decided(node.id, c) is not False
                     and self._may_be(node, c)}
        if len(same_name) == 1:
            return self.by_id[same_name.pop()], "same normalised name"
        return None

    def _close_names(self, node: NodeRecord) -> list[Match]:
        """Up to three candidates of the same label whose best name scores at or above the threshold."""
        names = [(name, c.id) for c in self.by_id.values()
                 if c.label == node.label and c.id != node.id and self._decided(node.id, c.id) is None
                 for name in c.names()]
        query = normalise_name(node.props.get("name", ""))
        if not query or not names or node.label in NOT_FUZZY:
            return []
        best: dict[str, float] = {}
        for _, score, index in process.extract(query, [n for n, _ in names], scorer=fuzz.token_sort_ratio,
                                               score_cutoff=self.threshold, limit=None):
            candidate = names[index][1]
            best[candidate] = max(score, best.get(candidate, 0.0))
        ranked = sorted(((c, score) for c, score in best.items() if self._may_be(node, c)), key=lambda item: -item[1])[:3]
        return [Match(node, self.by_id[candidate], score, "similar name") for candidate, score in ranked]

    def resolve(self, dataset: Dataset) -> Resolution:
        """Rewrite sure matches to the existing ids (in place) and return what was merged and what to review."""
        result = Resolution()
        renamed: dict[str, str] = {}
        clashes = [Problem(node.origins[0], f"{node.label} {node.id}", "label",
                           f"the graph already has id {node.id!r} as a {self.by_id[node.id].label}")
                   for node in dataset.nodes.values()
                   if node.id in self.by_id and self.by_id[node.id].in_graph and self.by_id[node.id].label != node.label]
        if clashes:
            raise ImportFailed(clashes)
        for node in list(dataset.nodes.values()):
            if node.label in NOT_RESOLVED or node.id in self.by_id:
                if node.label not in NOT_RESOLVED:
                    self._index(_known(node))
                continue
            sure = self._sure_match(node)
            if sure:
                candidate, reason = sure
                result.merged.append(Match(node, candidate, 100.0, reason))
                renamed[node.id] = candidate.id
                continue
            result.review += self._close_names(node)
            self._index(_known(node))
        self._keep_distinct_entities_apart(dataset, result, renamed)
        _apply(dataset, renamed, self.by_id)
        return result

    @staticmethod
    def _keep_distinct_entities_apart(dataset: Dataset, result: Resolution, renamed: dict[str, str]) -> None:
        """Two entities of one import are two entities: when several would land on the same node (BGI
        Group and BGI Genomics on `bgi`), none is merged without an analyst's decision; all go to review."""
        claims: dict[str, int] = defaultdict(int)
        for node_id in dataset.nodes:
            claims[renamed.get(node_id, node_id)] += 1
        for match in list(result.merged):
            if claims[match.candidate.id] > 1 and match.reason != "analyst decision":
                result.merged.remove(match)
                del renamed[match.incoming.id]
                result.review.append(Match(match.incoming, match.candidate, match.score,
                                           f"{match.reason}, but another entity of this import matches it too"))


def _known(node: NodeRecord) -> Known:
    return Known(node.id, node.label, node.props.get("name", ""), list(node.props.get("aliases", [])),
                 list(node.props.get("externalIds", [])), False)


def _apply(dataset: Dataset, renamed: dict[str, str], known: dict[str, Known]) -> None:
    """Move merged nodes to their new ids (their names become aliases) and re-point relationships."""
    if not renamed:
        return
    nodes = dataset.nodes
    dataset.nodes = {}
    for node in nodes.values():
        target = renamed.get(node.id)
        if target is None:
            dataset.nodes[node.id] = node
            continue
        existing = known[target]
        props = dict(node.props, id=target, name=existing.name or node.props.get("name"))
        props["aliases"] = [n for n in [node.props.get("name"), *node.props.get("aliases", [])]
                            if n and n != props["name"]]
        for origin in node.origins:
            dataset.add_node(node.label, props, origin)
            props = {k: v for k, v in props.items() if k in ("id", "name")}  # merge provenance once
    relationships = dataset.relationships
    dataset.relationships = {}
    for rel in relationships.values():
        start, end = renamed.get(rel.start, rel.start), renamed.get(rel.end, rel.end)
        key = rel.id.split("|", 3)[3] if rel.id.count("|") >= 3 else None
        props = {k: v for k, v in rel.props.items() if k != "id"}
        for origin in rel.origins:
            dataset.add_relationship(rel.type, start, end, props, origin, key=key)
            props = {}
