"""Entity resolution: one node for "Export-Import Bank of China", "China Eximbank" and "Exim Bank".

Before an import is written, each incoming entity is matched against the graph (and against the
entities of the same import read before it), in the order nomenklatura's xref → dedupe → apply uses:

1. an analyst's judgement (`judgements.csv`: same / not same / unsure) always wins, transitively;
2. a shared external id (`externalIds`: AidData, OpenSanctions, Wikidata, LEI, USCC, ..., and
   `influence:<id>` for an id an analyst merged away) is a sure match;
3. the same normalised name or alias (importers/names.py: case, accents, punctuation, a leading
   "the" and legal forms such as "Co., Ltd." ignored; an alias of one word that is a country, a city
   or a common word never matches on its own) on a node of the same label is a sure match, when only
   one node has it;
4. a close name (rapidfuzz's token-sort ratio at or above the threshold; not for projects, whose
   titles look alike) is uncertain: kept in the review file with its score, for an analyst to
   judge; nothing is merged.

Candidates come from the graph's indexes, never from reading the graph: ids through the `Entity.id`
constraint, external ids and normalised names (`matchNames`, which the writer derives) through their
keyword full-text indexes, close names through the `entity_names` full-text index (the blocking), each
a batched `UNWIND` over all incoming entities. Resolution time grows with the import, not the graph.

A pair that cannot be one entity (importers/pair_rules.py: governments of different countries, two
AidData ids, a person and a company) is neither merged nor proposed, unless an analyst said "same".

Sure matches rewrite the incoming entity to the existing id (its own name becomes an alias), so the
writer merges it into the existing node and joins the quotes and sources of both. A `same` judgement
about two nodes already in the graph merges them there (`merge_nodes`), one transaction per pair.

Judgements and the review file live in one place, the resolution folder (`data/resolution/`, or
INFLUENCE_RESOLUTION_DIR): `judgements.csv` (every judgement, who made it and when) and
`review.csv` (pending pairs, kept across runs until judged).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from neo4j import Driver, ManagedTransaction, RoutingControl
from rapidfuzz import fuzz

from graph.db import session
from graph.limits import KEYWORD_TERM_BYTES
from graph.records import (
    Dataset,
    ImportFailed,
    NodeRecord,
    Origin,
    Problem,
    RelationshipRecord,
    commitment_problems,
    ownership_problems,
)
from graph.schema import load_schema
from graph.settings import get_settings
from graph.spreadsheet import csv_rows
from graph.writer import node_statements, relationship_statements, to_row, with_derived, write_rows
from importers.names import COMMON_WORDS, matching_names, normalise_name
from importers.pair_rules import never_same

SCHEMA = load_schema()
# How each label is matched (`matching:` in its schema file)
NOT_RESOLVED = {label for label, node in SCHEMA.nodes.items() if node.matching == "none"}
NOT_FUZZY = {label for label, node in SCHEMA.nodes.items() if node.matching != "fuzzy"}
# What the writer computes for a record (the schema's derived properties), never taken from a stored one
DERIVED = {p.name for kind in [*SCHEMA.nodes.values(), *SCHEMA.relationships.values()] for p in kind.properties.values()
           if p.derived or p.merge == "derived"}
MERGED_AWAY = "influence:"  # the external-id scheme of an id merged into another node
BATCH = 1000  # incoming entities per lookup query
FUZZY_LIMIT = 20  # full-text hits read per incoming name
FUZZY_BATCH = 250  # incoming names per close-name query (each is one full-text call)
LOOKUP_THREADS = 2  # lookup queries in flight at once


def match_names(props: dict) -> list[str]:
    """The normalised forms of a node's name and its aliases but weak ones: the schema's derived `matchNames`.
    A form longer than a keyword index term can hold is left out: Neo4j would fail on it after the commit,
    and a name that long matches nothing anyway."""
    names = matching_names(props.get("name") or "", props.get("aliases") or [])
    return sorted(n for n in names if len(n.encode("utf-8")) <= KEYWORD_TERM_BYTES)


# --- judgements ------------------------------------------------------------------------------------
class Judgement(StrEnum):
    """nomenklatura's judgements (positive, negative, unsure), in the words of the review file."""

    SAME = "same"
    NOT_SAME = "not same"
    UNSURE = "unsure"

    @classmethod
    def parse(cls, text: str) -> Judgement | None:
        """`same`, `not same` (or not-same, not_same), `unsure`, any case; None for anything else."""
        cleaned = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
        return next((j for j in cls if j.value == cleaned), None)


JUDGEMENT_COLUMNS = ["left_id", "right_id", "judgement", "decided_by", "decided_at", "note"]
REVIEW_COLUMNS = ["left_id", "left_name", "left_label", "right_id", "right_name", "right_label", "score",
                  "reason", "proposed_at", "judgement"]
# The review file of earlier versions, once filled in and saved as decisions.csv
LEGACY_COLUMNS = ("incoming_id", "candidate_id", "decision")


@dataclass(frozen=True)
class Decision:
    left: str
    right: str
    judgement: Judgement
    by: str
    at: str
    note: str = ""


class JudgementConflict(ValueError):
    """A judgement that contradicts earlier ones (same across a `not same`, or the reverse)."""


def resolution_dir() -> Path:
    """The one folder of judgements and the review file (INFLUENCE_RESOLUTION_DIR, else data/resolution)."""
    return get_settings().influence_resolution_dir


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Judgements:
    """Every judgement, applied as nomenklatura's Resolver applies its edges: `same` joins two ids into one
    cluster, transitively; a `not same` between any members of two clusters keeps them apart; `unsure`
    holds for its one pair. Stored in `judgements.csv`, appended to, never rewritten by a run."""

    def __init__(self, decisions: Iterable[Decision] = (), path: Path | None = None):
        self.path = path
        self.decisions: list[Decision] = []
        self._parent: dict[str, str] = {}
        for decision in decisions:
            self._add(decision)

    # union-find over `same`
    def root(self, node_id: str) -> str:
        while self._parent.get(node_id, node_id) != node_id:
            node_id = self._parent[node_id]
        return node_id

    def cluster(self, node_id: str) -> list[str]:
        """The ids judged the same as this one (itself included), in the order they were judged."""
        root = self.root(node_id)
        members = [node_id]
        for d in self.decisions:
            for member in (d.right, d.left):
                if d.judgement == Judgement.SAME and member not in members and self.root(member) == root:
                    members.append(member)
        return members

    def judgement(self, a: str, b: str) -> Judgement | None:
        """What the analysts said about a and b, directly or through their clusters; None if nothing."""
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return Judgement.SAME
        pair = {ra, rb}
        if any(d.judgement == Judgement.NOT_SAME and {self.root(d.left), self.root(d.right)} == pair
               for d in self.decisions):
            return Judgement.NOT_SAME
        if any(d.judgement == Judgement.UNSURE and {d.left, d.right} == {a, b} for d in self.decisions):
            return Judgement.UNSURE
        return None

    def _add(self, decision: Decision) -> None:
        current = self.judgement(decision.left, decision.right)
        if decision.judgement == Judgement.SAME and current == Judgement.NOT_SAME:
            raise JudgementConflict(f"{decision.left} and {decision.right} are judged not the same (directly or "
                                    "through ids judged the same as them): a 'same' would contradict it")
        if decision.judgement == Judgement.NOT_SAME and current == Judgement.SAME:
            raise JudgementConflict(f"{decision.left} and {decision.right} are already judged the same "
                                    "(directly or through other ids): a 'not same' would contradict it")
        self.decisions.append(decision)
        if decision.judgement == Judgement.SAME:
            left, right = self.root(decision.left), self.root(decision.right)
            if left != right:
                self._parent[left] = right

    def decide(self, left: str, right: str, judgement: Judgement, by: str, note: str = "") -> Decision:
        """Record a judgement (refused when it contradicts earlier ones) and append it to the file."""
        if not by.strip():
            raise ValueError("a judgement needs who made it (--by)")
        if left == right:
            raise ValueError(f"{left} is one id: there is nothing to judge")
        return self.append(Decision(left, right, judgement, by.strip(), _now(), note))

    def append(self, decision: Decision) -> Decision:
        """Add a judgement made elsewhere (see `decide`) and append it to the file."""
        self._add(decision)
        if self.path:
            new = not self.path.exists() or self.path.stat().st_size == 0
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8", newline="") as handle:
                handle.write(csv_rows(([JUDGEMENT_COLUMNS] if new else []) + [
                    [decision.left, decision.right, decision.judgement.value, decision.by, decision.at,
                     decision.note]]))
        return decision

    @classmethod
    def load(cls, path: Path) -> Judgements:
        """The judgements in `path`, after migrating a legacy `decisions.csv` beside it (a filled-in review
        file of earlier versions) into it. ImportFailed names each bad row and field."""
        legacy = path.with_name("decisions.csv")
        if legacy.exists() and not path.exists():
            _migrate(legacy, path)
        if not path.exists():
            return cls(path=path)
        problems, decisions = [], []
        with path.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                judgement = Judgement.parse(row.get("judgement") or "")
                missing = [c for c in ("left_id", "right_id", "decided_by") if not (row.get(c) or "").strip()]
                if judgement is None:
                    problems.append(Problem(Origin(str(path), line), "judgement", "judgement",
                                            f"must be same, not same or unsure, got {row.get('judgement')!r}"))
                elif missing:
                    problems.append(Problem(Origin(str(path), line), "judgement", missing[0], "is required"))
                else:
                    decisions.append(Decision(row["left_id"].strip(), row["right_id"].strip(), judgement,
                                              row["decided_by"].strip(), row.get("decided_at") or "", row.get("note") or ""))
        if problems:
            raise ImportFailed(problems)
        try:
            return cls(decisions, path)
        except JudgementConflict as conflict:
            raise ImportFailed([Problem(Origin(str(path)), "judgement", "judgement", str(conflict))]) from None


def _migrate(legacy: Path, path: Path) -> None:
    """decisions.csv (incoming_id, candidate_id, decision) → judgements.csv; the old file is renamed
    `decisions.csv.migrated`, not deleted."""
    with legacy.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    when = datetime.fromtimestamp(legacy.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out, problems = [JUDGEMENT_COLUMNS], []
    for line, row in enumerate(rows, start=2):
        text = (row.get("decision") or "").strip()
        if not text:
            continue
        judgement = Judgement.parse(text)
        if judgement is None or not row.get("incoming_id") or not row.get("candidate_id"):
            problems.append(Problem(Origin(str(legacy), line), "decision", "decision",
                                    f"must be same, not same or unsure with both ids, got {text!r}"))
            continue
        out.append([row["incoming_id"], row["candidate_id"], judgement.value, "unknown (decisions.csv)", when,
                    "migrated from decisions.csv"])
    if problems:
        raise ImportFailed(problems)
    path.write_text(csv_rows(out), encoding="utf-8", newline="")
    legacy.rename(legacy.with_name("decisions.csv.migrated"))


# --- the review file -------------------------------------------------------------------------------
@dataclass
class Store:
    """The resolution folder: judgements.csv and review.csv."""

    folder: Path = field(default_factory=resolution_dir)

    @property
    def judgements_path(self) -> Path:
        return self.folder / "judgements.csv"

    @property
    def review_path(self) -> Path:
        return self.folder / "review.csv"

    def judgements(self) -> Judgements:
        return Judgements.load(self.judgements_path)

    def pending(self) -> list[dict[str, str]]:
        """The review file's rows, in file order."""
        if not self.review_path.exists():
            return []
        with self.review_path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def update_review(self, matches: Iterable[Match], judgements: Judgements) -> list[dict[str, str]]:
        """Keep every pending pair the file holds, add the new ones, drop the pairs judged since (a pair
        whose `judgement` cell an analyst filled in stays until `apply` records it). Written neutralised."""
        rows, seen = [], set()
        for row in self.pending():
            pair = frozenset((row["left_id"], row["right_id"]))
            if pair in seen or (not (row.get("judgement") or "").strip()
                                and judgements.judgement(row["left_id"], row["right_id"]) is not None):
                continue
            seen.add(pair)
            rows.append(row)
        now = _now()
        for m in matches:
            pair = frozenset((m.incoming.id, m.candidate.id))
            if pair not in seen:
                seen.add(pair)
                rows.append(dict(zip(REVIEW_COLUMNS, [
                    m.incoming.id, m.incoming.props.get("name", ""), m.incoming.label, m.candidate.id, m.candidate.name,
                    m.candidate.label, f"{m.score:.1f}", m.reason, now, ""], strict=True)))
        self.write_review(rows)
        return rows

    def write_review(self, rows: list[dict[str, str]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        text = csv_rows([REVIEW_COLUMNS, *([row.get(c, "") for c in REVIEW_COLUMNS] for row in rows)])
        self.review_path.write_text(text, encoding="utf-8", newline="")


# --- candidates ------------------------------------------------------------------------------------
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


def may_be_same(incoming: Known, candidate: Known) -> bool:
    """Whether a pair may be matched or proposed at all: the one place where the pair rules
    (importers/pair_rules.py) filter candidates."""
    return never_same(incoming.label, incoming.props(), candidate.label, candidate.props()) is None


LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def lucene_exact(value: str) -> str:
    """One value as a quoted Lucene term for a keyword index (a whole-value match)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lucene_close(normal: str) -> str:
    """A normalised name as a Lucene query of its words, each escaped, and within one edit when long.

    A common word (names.COMMON_WORDS: "technology", "ministry", "group") is asked for as it is: a
    misspelt common word is seldom what tells two names apart, and each edit-distance expansion costs a
    walk of the index's whole term dictionary."""
    words = [(LUCENE_SPECIAL.sub(r"\\\1", w), len(w) >= 4 and w not in COMMON_WORDS) for w in normal.split()[:50]]
    return " ".join(w + (f" {w}~1" if close else "") for w, close in words)


NODE_FIELDS = ("node.id AS id, [l IN labels(node) WHERE l <> 'Entity'][0] AS label, node.name AS name, "
               "coalesce(node.aliases, []) AS aliases, coalesce(node.externalIds, []) AS externalIds")


class GraphLookup:
    """Batched index lookups for a whole import: never a scan of the graph.

    The batches of one lookup run on LOOKUP_THREADS sessions at once: each full-text call is cheap
    but many, and the server answers two at a time on two cores."""

    def __init__(self, driver: Driver, database: str):
        self.driver, self.database = driver, database

    def _known(self, cypher: str, batches: list[dict]) -> dict[str, list[Known]]:
        """Run `cypher` once per parameter set in `batches`; its rows (key + NODE_FIELDS) by key."""
        def run(params: dict) -> list:
            return self.driver.execute_query(cypher, routing_=RoutingControl.READ, database_=self.database,
                                             **params).records
        found: dict[str, list[Known]] = defaultdict(list)
        with ThreadPoolExecutor(LOOKUP_THREADS) as pool:
            for records in pool.map(run, batches):
                for r in records:
                    found[r["key"]].append(Known(r["id"], r["label"], r["name"] or "", r["aliases"],
                                                 r["externalIds"], True))
        return found

    def by_ids(self, ids: list[str]) -> dict[str, Known]:
        rows = self._known(f"UNWIND $keys AS key MATCH (node:Entity {{id: key}}) RETURN key, {NODE_FIELDS}",
                           [{"keys": ids[i:i + BATCH]} for i in range(0, len(ids), BATCH)])
        return {key: known[0] for key, known in rows.items()}

    def by_value(self, index: str, values: list[str]) -> dict[str, list[Known]]:
        """Nodes holding each value in the list property of a keyword index: one Lucene query of BATCH
        quoted terms per call (one call per value cost four times as much), then `IN` keeps exact members."""
        prop = {"entity_external_ids": "externalIds", "entity_match_names": "matchNames"}[index]
        batches = [{"index": index, "values": values[i:i + BATCH],
                    "query": " OR ".join(lucene_exact(v) for v in values[i:i + BATCH])}
                   for i in range(0, len(values), BATCH)]
        return self._known(f"CALL db.index.fulltext.queryNodes($index, $query) YIELD node "
                           f"UNWIND [v IN node.{prop} WHERE v IN $values] AS key WITH DISTINCT key, node "
                           f"RETURN key, {NODE_FIELDS}", batches)

    def close_to(self, queries: dict[str, tuple[str, str]]) -> dict[str, list[Known]]:
        """For each key (label, normalised name), the nodes of that label among the best FUZZY_LIMIT hits of
        the `entity_names` full-text index for the name."""
        keys = [{"key": k, "label": label, "term": lucene_close(q)} for k, (label, q) in queries.items() if q]
        return self._known(
            "UNWIND $keys AS k CALL db.index.fulltext.queryNodes('entity_names', k.term, {limit: $limit}) "
            f"YIELD node WHERE k.label IN labels(node) RETURN k.key AS key, {NODE_FIELDS}",
            [{"keys": keys[i:i + FUZZY_BATCH], "limit": FUZZY_LIMIT} for i in range(0, len(keys), FUZZY_BATCH)])


class Resolver:
    """Matches an import's entities against the graph, through `GraphLookup`, and the judgements."""

    def __init__(self, driver: Driver, database: str, judgements: Judgements | None = None, threshold: float = 88.0):
        self.lookup = GraphLookup(driver, database)
        self.judgements = judgements or Judgements()
        self.threshold = threshold

    def _judged(self, a: str, b: str) -> Judgement | None:
        return self.judgements.judgement(a, b)

    def resolve(self, dataset: Dataset) -> Resolution:
        """Rewrite sure matches to the existing ids (in place) and return what was merged and what to review."""
        nodes = [n for n in dataset.nodes.values() if n.label not in NOT_RESOLVED]
        in_graph = self.lookup.by_ids([n.id for n in nodes])
        clashes = [Problem(n.origins[0], f"{n.label} {n.id}", "label",
                           f"the graph already has id {n.id!r} as a {in_graph[n.id].label}")
                   for n in nodes if n.id in in_graph and in_graph[n.id].label != n.label]
        if clashes:
            raise ImportFailed(clashes)
        fresh = [n for n in nodes if n.id not in in_graph]
        cluster_ids = {m for n in fresh for m in self.judgements.cluster(n.id) if m != n.id}
        judged_same = self.lookup.by_ids(sorted(cluster_ids))
        externals = {e for n in fresh for e in n.props.get("externalIds", [])}
        externals |= {MERGED_AWAY + i for i in cluster_ids | {n.id for n in fresh}}
        by_external = self.lookup.by_value("entity_external_ids", sorted(externals))
        by_name = self.lookup.by_value("entity_match_names", sorted({x for n in fresh for x in match_names(n.props)}))

        result = Resolution()
        renamed: dict[str, str] = {}
        local = _LocalIndex()
        for node in nodes:
            if node.id in in_graph:
                local.add(_known(node))
                continue
            sure = self._sure_match(node, judged_same, by_external, by_name, local)
            if sure:
                candidate, reason = sure
                result.merged.append(Match(node, candidate, 100.0, reason))
                renamed[node.id] = candidate.id
            else:
                local.add(_known(node))
        unmatched = [n for n in fresh if n.id not in renamed and n.label not in NOT_FUZZY]
        result.review = self._close_names(unmatched)
        _keep_distinct_entities_apart(dataset, result, renamed)
        _apply(dataset, renamed, {m.candidate.id: m.candidate for m in result.merged})
        return result

    def _sure_match(self, node: NodeRecord, judged_same: dict[str, Known], by_external: dict[str, list[Known]],
                    by_name: dict[str, list[Known]], local: _LocalIndex) -> tuple[Known, str] | None:
        me = _known(node)
        for member in self.judgements.cluster(node.id)[1:]:
            found = judged_same.get(member) or local.by_id.get(member)
            found = found or next(iter(by_external.get(MERGED_AWAY + member, [])), None)
            if found:
                return found, "analyst judgement"
        merged_earlier = by_external.get(MERGED_AWAY + node.id, [])
        if len(merged_earlier) == 1:
            return merged_earlier[0], "merged into it by an analyst's judgement"
        for kind, index_hits, local_hits in (
            ("shared external id", [k for e in node.props.get("externalIds", []) for k in by_external.get(e, [])],
             [k for e in node.props.get("externalIds", []) for k in local.by_external.get(e, [])]),
            ("same normalised name", [k for x in match_names(node.props) for k in by_name.get(x, [])],
             [k for x in match_names(node.props) for k in local.by_name.get((node.label, x), [])]),
        ):
            candidates = {k.id: k for k in [*index_hits, *local_hits]
                          if k.id != node.id and may_be_same(me, k) and self._judged(node.id, k.id) != Judgement.NOT_SAME}
            if len(candidates) == 1:
                return next(iter(candidates.values())), kind
        return None

    def _close_names(self, nodes: list[NodeRecord]) -> list[Match]:
        """Up to three graph candidates per node whose best name scores at or above the threshold, never a
        pair already judged."""
        queries = {n.id: (n.label, normalise_name(n.props.get("name", ""))) for n in nodes}
        hits = self.lookup.close_to(queries)
        review = []
        for node in nodes:
            me, query = _known(node), queries[node.id][1]
            best: dict[str, tuple[float, Known]] = {}
            for candidate in hits.get(node.id, []):
                if candidate.id == node.id or not may_be_same(me, candidate) or self._judged(node.id, candidate.id):
                    continue
                score = max((fuzz.token_sort_ratio(query, name) for name in candidate.names()), default=0.0)
                if score >= self.threshold and score > best.get(candidate.id, (0.0, None))[0]:
                    best[candidate.id] = (score, candidate)
            ranked = sorted(best.values(), key=lambda item: (-item[0], item[1].id))[:3]
            review += [Match(node, candidate, score, "similar name") for score, candidate in ranked]
        return review


class _LocalIndex:
    """The entities of this import read so far, by id, external id and (label, normalised name)."""

    def __init__(self):
        self.by_id: dict[str, Known] = {}
        self.by_external: dict[str, list[Known]] = defaultdict(list)
        self.by_name: dict[tuple[str, str], list[Known]] = defaultdict(list)

    def add(self, entry: Known) -> None:
        self.by_id[entry.id] = entry
        for external in entry.external_ids:
            self.by_external[external].append(entry)
        for name in entry.names():
            self.by_name[(entry.label, name)].append(entry)


def _keep_distinct_entities_apart(dataset: Dataset, result: Resolution, renamed: dict[str, str]) -> None:
    """Two entities of one import are two entities: when several would land on the same node (BGI
    Group and BGI Genomics on `bgi`), none is merged without an analyst's judgement; all go to review."""
    claims: dict[str, int] = defaultdict(int)
    for node_id in dataset.nodes:
        claims[renamed.get(node_id, node_id)] += 1
    for match in list(result.merged):
        if claims[match.candidate.id] > 1 and match.reason != "analyst judgement":
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


# --- merging two nodes already in the graph --------------------------------------------------------
@dataclass
class MergeReport:
    """What merging `dropped` into `kept` did."""

    kept: str
    dropped: str
    label: str
    ties_moved: int
    ties_joined: int  # moved ties that met a tie the kept node had already, and were joined with it
    quotes_added: int

    def __str__(self) -> str:
        return (f"merged {self.dropped} into {self.kept} ({self.label}): {self.ties_moved} ties moved, "
                f"{self.ties_joined} of them joined with ties {self.kept} had; {self.quotes_added} quotes added; "
                f"{self.dropped} kept as an alias id (externalIds {MERGED_AWAY}{self.dropped})")


class MergeRefused(ValueError):
    """Two nodes that cannot become one as they stand (other labels, a tie between them, conflicting values)."""


NODE_READ = """
MATCH (n:Entity {id: $id})
RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props,
       [(n)-[r]->(m) | {type: type(r), start: n.id, end: m.id, props: properties(r),
                        startLabel: [l IN labels(n) WHERE l <> 'Entity'][0],
                        endLabel: [l IN labels(m) WHERE l <> 'Entity'][0]}] AS outgoing,
       [(m)-[r]->(n) | {type: type(r), start: m.id, end: n.id, props: properties(r),
                        startLabel: [l IN labels(m) WHERE l <> 'Entity'][0],
                        endLabel: [l IN labels(n) WHERE l <> 'Entity'][0]}] AS incoming"""


def merge_nodes(driver: Driver, database: str, kept: str, dropped: str) -> MergeReport:
    """Merge node `dropped` into node `kept`, in one transaction: its ties moved to `kept` (joined with a
    tie `kept` already has under the same id), its provenance joined pair by pair, its name and aliases
    added to `kept`'s aliases, its external ids added and `influence:<dropped>` with them, so a later import
    of `dropped` lands on `kept`. Refused (MergeRefused, nothing written) when the two have other labels,
    a tie joins them, or joined values break a schema rule (conflicting values, stakes over 100%)."""
    with session(driver, database) as merging:
        return merging.execute_write(_merge_work, kept, dropped)


def _merge_work(tx: ManagedTransaction, kept_id: str, dropped_id: str) -> MergeReport:
    # take both nodes' write locks first, so nothing changes them between the read and the write
    tx.run("MATCH (n:Entity) WHERE n.id IN [$a, $b] SET n.id = n.id", a=kept_id, b=dropped_id).consume()
    kept, dropped = tx.run(NODE_READ, id=kept_id).single(), tx.run(NODE_READ, id=dropped_id).single()
    for node_id, record in ((kept_id, kept), (dropped_id, dropped)):
        if record is None:
            raise MergeRefused(f"there is no node {node_id!r} in the graph")
    label = kept["label"]
    if dropped["label"] != label:
        raise MergeRefused(f"{dropped_id} is a {dropped['label']} and {kept_id} a {label}: one node cannot be both")
    between = [r for r in dropped["outgoing"] + dropped["incoming"] if kept_id in (r["start"], r["end"])]
    if between:
        raise MergeRefused(f"{dropped_id} and {kept_id} are tied to each other ({between[0]['type']}): as one node the "
                           "tie would be a loop; remove the tie or judge them not the same")
    origin = Origin(f"merge of {dropped_id} into {kept_id}")
    merged = Dataset()  # both nodes and their ties as records, each source's value of each property kept
    merged.add_stored_node(label, _stored(kept["props"]), origin)
    props = dict(_stored(dropped["props"]), id=kept_id, name=kept["props"].get("name"))
    props["aliases"] = [n for n in [dropped["props"].get("name"), *dropped["props"].get("aliases", [])]
                        if n and n != props["name"]]
    props["externalIds"] = [*dropped["props"].get("externalIds", []), MERGED_AWAY + dropped_id]
    merged.add_stored_node(label, props, origin)
    node = merged.nodes[kept_id]
    quotes_added = len(node.props.get("sources", [])) - len(kept["props"].get("sources", []))

    labels = {kept_id: label}
    for r in kept["outgoing"] + kept["incoming"]:
        merged.add_stored_relationship(r["type"], r["start"], r["end"], _rel_props(r), origin, key=_key(r))
        labels.update({r["start"]: r["startLabel"], r["end"]: r["endLabel"]})
    before = set(merged.relationships)
    moved = dropped["outgoing"] + dropped["incoming"]
    for r in moved:
        start = kept_id if r["start"] == dropped_id else r["start"]
        end = kept_id if r["end"] == dropped_id else r["end"]
        merged.add_stored_relationship(r["type"], start, end, _rel_props(r), origin, key=_key(r))
        labels.update({r["start"]: r["startLabel"], r["end"]: r["endLabel"]})
    joined = sum(1 for r in moved if _new_id(r, dropped_id, kept_id) in before)

    problems = list(merged.conflicts)
    problems += [Problem(origin, f"{label} {kept_id}", f, m) for f, m in SCHEMA.node_problems(label, node.props)]
    touched = [merged.relationships[_new_id(r, dropped_id, kept_id)] for r in moved]
    for rel in touched:
        problems += [Problem(origin, f"relationship {rel.id}", f, m) for f, m in
                     SCHEMA.relationship_problems(rel.type, rel.props, labels[rel.start], labels[rel.end])]
    problems += ownership_problems(r for r in merged.relationships.values() if r.type == "OWNS")
    problems += commitment_problems(r for r in merged.relationships.values() if r.type == "FINANCED")
    if problems:
        raise MergeRefused(f"merging {dropped_id} into {kept_id} would break the data: "
                           + "; ".join(f"{p.item} {p.field}: {p.message}" for p in problems[:5]))

    # written as an import writes them, so the per-value lists and the value shown follow the same rules
    tx.run("MATCH (d:Entity {id: $id}) DETACH DELETE d", id=dropped_id).consume()
    claimed = SCHEMA.nodes[label].claimed
    write_rows(tx, node_statements(SCHEMA, label), [to_row(with_derived(SCHEMA, label, node.props), claimed, node.claims)],
               rename=False)
    by_type: dict[str, list[RelationshipRecord]] = defaultdict(list)
    for rel in touched:
        by_type[rel.type].append(rel)
    for rel_type, rels in by_type.items():
        claimed = SCHEMA.relationships[rel_type].claimed
        write_rows(tx, relationship_statements(SCHEMA, rel_type),
                   [to_row(r.props, claimed, r.claims, start=r.start, end=r.end) for r in rels])
    return MergeReport(kept_id, dropped_id, label, len(moved), joined, quotes_added)


def _stored(props: dict) -> dict:
    """A node's stored properties but the derived ones, which the writer computes again."""
    return {k: v for k, v in props.items() if k not in DERIVED}


def _rel_props(r: dict) -> dict:
    return {k: v for k, v in r["props"].items() if k != "id" and k not in DERIVED}


def _key(r: dict) -> str | None:
    return r["props"]["id"].split("|", 3)[3] if r["props"]["id"].count("|") >= 3 else None


def _new_id(r: dict, dropped_id: str, kept_id: str) -> str:
    start = kept_id if r["start"] == dropped_id else r["start"]
    end = kept_id if r["end"] == dropped_id else r["end"]
    return "|".join([start, r["type"], end] + ([_key(r)] if _key(r) else []))


# --- what the commands do --------------------------------------------------------------------------
def apply_judgements(driver: Driver, database: str, judgements: Judgements) -> list[MergeReport]:
    """Merge, in the graph, every cluster of ids judged the same that has more than one node there. The
    node kept is the first of the cluster (in judgement order: the `right` id of its first `same`) that
    is in the graph; each other one is merged into it, one transaction each."""
    lookup = GraphLookup(driver, database)
    reports, done = [], set()
    for decision in judgements.decisions:
        if decision.judgement != Judgement.SAME or judgements.root(decision.right) in done:
            continue
        done.add(judgements.root(decision.right))
        members = judgements.cluster(decision.right)
        present = lookup.by_ids(members)
        in_graph = [m for m in members if m in present]
        for other in in_graph[1:]:
            reports.append(merge_nodes(driver, database, in_graph[0], other))
    return reports


def decide(driver: Driver, database: str, store: Store, left: str, right: str, judgement: Judgement, by: str,
           note: str = "") -> list[MergeReport]:
    """Record one judgement and, for `same`, merge the nodes it joins that are in the graph. The judgement
    is recorded once the merges are done: a refused merge (MergeRefused) leaves it unrecorded."""
    judgements = store.judgements()
    trial = Judgements(judgements.decisions)  # no file: checked and applied before it is kept
    decision = trial.decide(left, right, judgement, by, note)
    reports = apply_judgements(driver, database, trial) if judgement == Judgement.SAME else []
    judgements.append(decision)
    store.update_review([], judgements)
    return reports


def apply_review(driver: Driver, database: str, store: Store, by: str) -> tuple[list[Decision], list[MergeReport]]:
    """Record the judgements filled in the review file's `judgement` column (by `by`), merge what the
    judgements join in the graph, and drop the judged pairs from the review file. A bad cell is refused
    naming its row, before anything is recorded."""
    judgements = store.judgements()
    rows, problems, wanted = store.pending(), [], []
    for line, row in enumerate(rows, start=2):
        text = (row.get("judgement") or "").strip()
        if text:
            judgement = Judgement.parse(text)
            if judgement is None:
                problems.append(Problem(Origin(str(store.review_path), line), f"{row['left_id']} / {row['right_id']}",
                                        "judgement", f"must be same, not same or unsure, got {text!r}"))
            else:
                wanted.append((line, row, judgement))
    trial, recorded = Judgements(judgements.decisions), []
    for line, row, judgement in wanted:
        try:
            if trial.judgement(row["left_id"], row["right_id"]) != judgement:
                recorded.append(trial.decide(row["left_id"], row["right_id"], judgement, by))
        except ValueError as refused:  # JudgementConflict, or one id judged against itself
            problems.append(Problem(Origin(str(store.review_path), line), f"{row['left_id']} / {row['right_id']}",
                                    "judgement", str(refused)))
    if problems:
        raise ImportFailed(problems)
    reports = apply_judgements(driver, database, trial)
    for decision in recorded:
        judgements.append(decision)
    for _, row, _ in wanted:
        row["judgement"] = ""
    store.write_review(rows)
    store.update_review([], judgements)
    return recorded, reports
