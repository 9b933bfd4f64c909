"""Entity resolution at scale: an import of N entity rows resolved against the graph the run loaded.

The incoming rows are drawn from the generated graph, a quarter each: an entity under a new id with
its exact name (a sure match by name), under a new id with one letter dropped from its first word
(a close name: review, or a miss), a new entity with a name the graph does not have, and an entity
under its own id (already in the graph). Only `Resolver.resolve` is timed: the index lookups, the
scoring and the rewriting of the import, not the write.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from graph.records import Dataset, Origin
from importers.resolve import NOT_RESOLVED, Resolver

from .generate import _typo
from .target import Target

SOURCE = "bench-resolution"


def incoming(graph: Dataset, rows: int, seed: int = 5) -> Dataset:
    """`rows` entities to import, drawn from `graph` as the module says (deterministic for one seed)."""
    rng = random.Random(seed)
    entities = sorted(n.id for n in graph.nodes.values() if n.label not in NOT_RESOLVED)
    chosen = rng.sample(entities, min(rows, len(entities)))
    new = Dataset()
    origin = Origin("benchmark import")
    new.add_node("Source", {"id": SOURCE, "name": "Benchmark import", "title": "Benchmark import",
                            "publisher": "benchmarks", "date": "2026"}, origin)
    for i, node_id in enumerate(chosen):
        node = graph.nodes[node_id]
        props = {k: v for k, v in node.props.items() if k not in ("sources", "evidence", "aliases", "externalIds",
                                                                    "matchNames")}
        kind = i % 4
        if kind == 0:
            props["id"] = f"bench-new-id-{i}"
        elif kind == 1:
            props.update(id=f"bench-typo-{i}", name=" ".join([_typo(rng, node.props["name"]),
                                                             *node.props["name"].split()[1:]]))
        elif kind == 2:
            props.update(id=f"bench-fresh-{i}", name=f"Fresh Entity {i:05d} {rng.choice('XYZ')}")
        new.add_node(node.label, {**props, "sources": [SOURCE], "evidence": [f"row {i}"]}, origin)
    return new


def measure(target: Target, graph: Dataset, rows: int) -> dict:
    """Seconds to resolve `rows` incoming entities against the graph on the target (no judgements)."""
    new = incoming(graph, rows)
    nodes, _ = target.counts()
    started = time.perf_counter()
    result = Resolver(target.driver, target.database).resolve(new)
    seconds = time.perf_counter() - started
    return {"rows": len(new.nodes) - 1, "graph_nodes": nodes, "seconds": seconds,
            "rows_per_s": (len(new.nodes) - 1) / seconds, "merged": len(result.merged), "review": len(result.review),
            "merged_by": dict(Counter(m.reason for m in result.merged))}
