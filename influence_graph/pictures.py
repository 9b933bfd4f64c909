"""The few functions that join a canned query to a picture: run the query, fetch the nodes' own
properties, and draw the subgraph with graph.viz."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from neo4j import Driver

import cypher
from graph.viz import Subgraph, export, render_subgraph, subgraph_from_rows


def add_node_properties(graph: Subgraph, driver: Driver, database: str = "neo4j") -> Subgraph:
    """Fill in each node's own properties (status, amounts, evidence) from the graph, read-only."""
    rows = cypher.read(
        driver,
        "MATCH (n:Entity) WHERE n.id IN $ids "
        "RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS properties",
        {"ids": list(graph.nodes)}, database,
    )
    for row in rows:
        graph.nodes[row["id"]].update(row["properties"], label=row["label"])
    return graph


def query_subgraph(driver: Driver, query_name: str, params: dict | None = None, database: str = "neo4j") -> Subgraph:
    """Run a canned query that has a picture (`// visual:` in its header) and collect its subgraph."""
    query = cypher.get(query_name)
    if not query.visual:
        raise cypher.QueryError(f"query '{query_name}' has no picture (no `// visual:` line in its header)")
    graph = subgraph_from_rows(cypher.records(driver, query, params, database))
    return add_node_properties(graph, driver, database)


def render(driver: Driver, query_name: str, params: dict | None, path: Path | str, *, database: str = "neo4j",
           show_inactive: bool = False, exports: Iterable[Path | str] = ()) -> Path:
    """Run a canned query and write its picture, and its subgraph to each of `exports` (.graphml, .gexf, .json)."""
    query = cypher.get(query_name)
    graph = query_subgraph(driver, query_name, params, database)
    for export_path in exports:
        export(graph, export_path)
    return render_subgraph(graph, path, title=query.title, kind=query.visual, query=query_name,
                           params=query.bind(params), show_inactive=show_inactive)
