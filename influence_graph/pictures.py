"""The few functions that join a canned query to a picture: run the query, fetch the nodes' own
properties, draw the subgraph with graph.viz and export what it shows with graph.exports."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from neo4j import Driver

import cypher
from graph import exports as graph_exports
from graph.viz import Subgraph, render_subgraph, subgraph_from_rows, without_inactive


class EmptyAnswer(cypher.QueryError):
    """The query gave nothing to draw: no page or export is written (a blank one would say nothing)."""


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


def source_details(driver: Driver, ids: list[str], database: str = "neo4j") -> dict[str, dict]:
    """Each cited Source's own properties (title, publisher, date, url) by id, read-only."""
    rows = cypher.read(driver, "MATCH (s:Source) WHERE s.id IN $ids RETURN s.id AS id, properties(s) AS properties",
                       {"ids": ids}, database)
    return {row["id"]: {k: v for k, v in row["properties"].items() if k != "id"} for row in rows}


def render(driver: Driver, query_name: str, params: dict | None, path: Path | str, *, database: str = "neo4j",
           show_inactive: bool = False, exports: Iterable[Path | str] = ()) -> Path:
    """Run a canned query and write its picture, and what the picture shows to each of `exports` (.graphml,
    .gexf, .json; see graph.exports). Raises EmptyAnswer, writing nothing, when there is nothing to draw."""
    query = cypher.get(query_name)
    bound = query.bind(params)
    exports = list(exports)
    for export_path in exports:
        graph_exports.export_format(export_path)
    graph = query_subgraph(driver, query_name, bound, database)
    drawn = graph if show_inactive else without_inactive(graph)
    if not drawn.nodes:
        shown = ", ".join(f"{k}={v}" for k, v in bound.items() if v is not None) or "no parameters"
        found = (f"found only {len(graph.edges)} ties that pictures hide (to refused projects, or ended); "
                 "--show-inactive draws them" if graph.edges else "found no ties")
        raise EmptyAnswer(f"Nothing to draw: {query_name} ({shown}) {found}. Nothing written.")
    if exports:
        shown = graph_exports.as_shown(graph, show_inactive=show_inactive)
        metadata = graph_exports.metadata(drawn, query=query_name, title=query.title, params=bound,
                                          show_inactive=show_inactive,
                                          sources=source_details(driver, graph_exports.cited_sources(shown), database))
        for export_path in exports:
            graph_exports.export(shown, export_path, metadata=metadata)
    return render_subgraph(graph, path, title=query.title, kind=query.visual, query=query_name,
                           params=bound, show_inactive=show_inactive)
