"""Quality of entity resolution on a labelled set of pairs (benchmarks/labelled/pairs.csv).

For each pair, the right-hand entity is the graph's only node and the left-hand one is imported
against it, on a real Neo4j (the resolver finds candidates through the graph's indexes): the
resolver merges them, proposes them for review, or keeps them apart. The figures:

- precision of automatic merges: pairs merged that are the same entity / pairs merged (target >= 99%);
- precision of the review list: pairs proposed that are the same / pairs proposed;
- recall: pairs that are the same and were merged or proposed / pairs that are the same (target >= 95%).

`python -m benchmarks.resolution_quality` measures against the server the settings name (NEO4J_URI,
NEO4J_PASSWORD: it empties that database, so give it a scratch one) and writes
benchmarks/results/resolution-quality.json, which `python -m benchmarks.report` puts into docs/benchmarks.md.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from neo4j import Driver

from graph.db import connect
from graph.records import Dataset, ImportFailed, Origin, Problem
from graph.schema import apply_schema, load_schema
from graph.settings import get_settings
from importers.resolve import Resolver, match_names

PAIRS = Path(__file__).resolve().parent / "labelled" / "pairs.csv"
RESULT = Path(__file__).resolve().parent / "results" / "resolution-quality.json"
COLUMNS = ["left_label", "left_name", "left_aliases", "left_ids", "right_label", "right_name", "right_aliases",
           "right_ids", "same", "origin"]
TARGETS = {"merge_precision": 0.99, "recall": 0.95}
MERGED, PROPOSED, APART = "merged", "proposed", "apart"


@dataclass(frozen=True)
class Pair:
    row: int
    left: tuple[str, str, list[str], list[str]]  # label, name, aliases, external ids
    right: tuple[str, str, list[str], list[str]]
    same: bool
    origin: str


@dataclass
class Quality:
    pairs: int
    same_pairs: int
    merged: int
    merged_same: int
    proposed: int
    proposed_same: int
    found_same: int  # same pairs merged or proposed
    merge_precision: float | None
    review_precision: float | None
    recall: float | None
    wrong_merges: list[str]
    missed: list[str]
    by_origin: dict[str, dict[str, int]]  # origin → pairs, same, merged, merged_same, proposed, proposed_same, found_same

    def meets_targets(self) -> bool:
        return (self.merge_precision is None or self.merge_precision >= TARGETS["merge_precision"]) and (
            self.recall is not None and self.recall >= TARGETS["recall"])


def read_pairs(path: Path = PAIRS) -> list[Pair]:
    """The labelled pairs; a row whose `same` is not yes/no or whose label or name is empty is refused."""
    pairs, problems = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            missing = [c for c in ("left_label", "left_name", "right_label", "right_name") if not row.get(c)]
            same = (row.get("same") or "").strip().lower()
            if missing or same not in ("yes", "no"):
                field = missing[0] if missing else "same"
                problems.append(Problem(Origin(str(path), row_number), "pair", field,
                                        "is required" if missing else f"must be yes or no, got {same!r}"))
                continue
            pairs.append(Pair(row_number, _side(row, "left"), _side(row, "right"), same == "yes", row.get("origin", "")))
    if problems:
        raise ImportFailed(problems)
    return pairs


def _side(row: dict, side: str) -> tuple[str, str, list[str], list[str]]:
    split = lambda cell: [part for part in (cell or "").split("|") if part]  # noqa: E731
    return row[f"{side}_label"], row[f"{side}_name"], split(row[f"{side}_aliases"]), split(row[f"{side}_ids"])


def outcome(pair: Pair, driver: Driver, database: str) -> str:
    """What the resolver does with the left entity when the right one is the graph's only node."""
    label, name, aliases, ids = pair.right
    if label not in load_schema().nodes:  # a label is an identifier: only the schema's
        raise ImportFailed([Problem(Origin(str(PAIRS), pair.row), "pair", "right_label", f"{label!r} is no label")])
    right = {"id": "right", "name": name, "aliases": aliases, "externalIds": ids}
    driver.execute_query("MATCH (n:Entity) DETACH DELETE n", database_=database)
    driver.execute_query(f"CREATE (n:Entity:{label}) SET n = $props",
                         props={**right, "matchNames": match_names(right)}, database_=database)
    label, name, aliases, ids = pair.left
    dataset = Dataset()
    dataset.add_node(label, {"id": "left", "name": name, "aliases": aliases or None, "externalIds": ids or None},
                     Origin(str(PAIRS), pair.row))
    result = Resolver(driver, database).resolve(dataset)
    if result.merged:
        return MERGED
    return PROPOSED if result.review else APART


def measure(pairs: list[Pair], driver: Driver, database: str) -> Quality:
    """Resolve every pair; this empties the database's entities (the test server's, or a scratch one)."""
    apply_schema(driver, database)
    outcomes = [(pair, outcome(pair, driver, database)) for pair in pairs]
    driver.execute_query("MATCH (n:Entity) DETACH DELETE n", database_=database)
    merged = [p for p, o in outcomes if o == MERGED]
    proposed = [p for p, o in outcomes if o == PROPOSED]
    same = [p for p in pairs if p.same]
    found = [p for p, o in outcomes if p.same and o != APART]
    ratio = lambda part, whole: len(part) / len(whole) if whole else None  # noqa: E731
    return Quality(
        pairs=len(pairs), same_pairs=len(same), merged=len(merged), merged_same=sum(p.same for p in merged),
        proposed=len(proposed), proposed_same=sum(p.same for p in proposed), found_same=len(found),
        merge_precision=ratio([p for p in merged if p.same], merged),
        review_precision=ratio([p for p in proposed if p.same], proposed), recall=ratio(found, same),
        wrong_merges=[_show(p) for p in merged if not p.same],
        missed=[_show(p) for p, o in outcomes if p.same and o == APART],
        by_origin=_by_origin(outcomes),
    )


def _by_origin(outcomes: list[tuple[Pair, str]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for pair, result in outcomes:
        row = table.setdefault(pair.origin, dict.fromkeys(
            ("pairs", "same", "merged", "merged_same", "proposed", "proposed_same", "found_same"), 0))
        row["pairs"] += 1
        row["same"] += pair.same
        row["merged"] += result == MERGED
        row["merged_same"] += result == MERGED and pair.same
        row["proposed"] += result == PROPOSED
        row["proposed_same"] += result == PROPOSED and pair.same
        row["found_same"] += result != APART and pair.same
    return dict(sorted(table.items()))


def _show(pair: Pair) -> str:
    return f"row {pair.row}: {pair.left[0]} {pair.left[1]!r} / {pair.right[0]} {pair.right[1]!r}"


def main() -> None:
    settings = get_settings()
    with connect(settings) as driver:
        quality = measure(read_pairs(), driver, settings.neo4j_database)
    RESULT.write_text(json.dumps(asdict(quality), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in asdict(quality).items() if k not in ("wrong_merges", "missed", "by_origin")},
                     indent=2))
    for line in quality.wrong_merges:
        print("wrong merge:", line)
    for line in quality.missed:
        print("missed:", line)


if __name__ == "__main__":
    main()
