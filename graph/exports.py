"""A picture's subgraph as GraphML, GEXF (Gephi) or JSON (networkx node-link data).

An export holds what the picture shows: refused projects and ended ties are left out, as the picture
leaves them out, unless asked for (`show_inactive`), and then each is flagged `hiddenByDefault` with
the reason in `hiddenBecause`. Every node and tie keeps its `note`, `sources` and `evidence` (quotes),
and the graph carries the query, its parameters, the hash the picture's caption shows and the
details of every source cited.

Names follow one model in all three formats: a node's `label` is its name (what Gephi and yEd show)
and `entityType` its Neo4j label; a tie's `label` and `tieType` are its relationship type. GEXF
reserves an edge's `type` for directed/undirected and a node's `label` for its caption, so neither
carries our data. GraphML and GEXF take scalars only: lists and maps are written as JSON text there,
and kept as lists in the JSON export.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from graph.schema import load_schema
from graph.viz import INACTIVE_STATUSES, Subgraph, is_inactive_edge, is_inactive_node, without_inactive

FORMATS = (".graphml", ".gexf", ".json")
HIDDEN_POLICY = {False: "refused projects and ended ties hidden, as in the picture",
                 True: "refused projects and ended ties included, each flagged hiddenByDefault"}


def as_shown(graph: Subgraph, *, show_inactive: bool = False) -> Subgraph:
    """What the picture draws: without refused projects and ended ties, or (show_inactive) with them,
    each flagged `hiddenByDefault: true` and `hiddenBecause`."""
    shown = without_inactive(graph)
    if not show_inactive:
        return shown
    year = datetime.now(UTC).year
    nodes = {key: dict(node) for key, node in graph.nodes.items()}
    edges = {key: dict(edge) for key, edge in graph.edges.items()}
    for key, node in nodes.items():
        if key not in shown.nodes:
            node.update(hiddenByDefault=True, hiddenBecause=(
                f"project {node['status']}" if is_inactive_node(node)
                else "tied only by refused projects or ended ties"))
    for key, edge in edges.items():
        if key not in shown.edges:
            if edge.get("status") in INACTIVE_STATUSES:
                reason = f"tie {edge['status']}"
            elif is_inactive_edge(edge, year):
                reason = f"tie ended in {edge['validTo']}"
            else:
                reason = "an end of the tie is hidden"
            edge.update(hiddenByDefault=True, hiddenBecause=reason)
    return Subgraph(nodes, edges)


def _typed(properties: dict[str, Any], spec: dict) -> dict[str, Any]:
    """Whole numbers of float properties as floats: GraphML and GEXF declare one type per attribute,
    taken from its first value, so an amount of 500000000 then 1.5e8 would not read back."""
    return {key: float(value) if key in spec and spec[key].type == "float" and isinstance(value, int)
            and not isinstance(value, bool) else value for key, value in properties.items()}


def _flat(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def to_networkx(graph: Subgraph, *, metadata: dict[str, Any] | None = None, flat: bool = True) -> nx.MultiDiGraph:
    """The subgraph as a networkx multigraph (ids as node ids and edge keys). `flat`: lists and maps
    as JSON text, for GraphML and GEXF."""
    schema = load_schema()
    value = _flat if flat else (lambda v: v)
    result = nx.MultiDiGraph(**{k: value(v) for k, v in (metadata or {}).items() if v is not None})
    for node_id, node in graph.nodes.items():
        node_type = schema.nodes.get(node.get("label"))
        properties = _typed(node, node_type.properties if node_type else {})
        attributes = {k: value(v) for k, v in properties.items() if v is not None and k not in ("id", "label")}
        attributes.update(label=str(node.get("name") or node_id), entityType=node.get("label"))
        result.add_node(node_id, **{k: v for k, v in attributes.items() if v is not None})
    for edge_id, edge in graph.edges.items():
        rel_type = schema.relationships.get(edge["type"])
        properties = _typed(edge, rel_type.properties if rel_type else {})
        attributes = {k: value(v) for k, v in properties.items() if v is not None and k not in ("from", "to", "type")}
        attributes.update(id=edge_id, label=edge["type"], tieType=edge["type"])
        result.add_edge(edge["from"], edge["to"], key=edge_id, **attributes)
    return result


def export_format(path: Path | str) -> str:
    """The export format a path's suffix names; ValueError for one we cannot write."""
    suffix = Path(path).suffix
    if suffix not in FORMATS:
        raise ValueError(f"cannot export to {str(path)!r}: the name must end in {', '.join(FORMATS)} "
                         "(or, for a picture, .png or .svg)")
    return suffix


def export(graph: Subgraph, path: Path | str, *, metadata: dict[str, Any] | None = None) -> Path:
    """Write the subgraph (as given: see `as_shown`) to .graphml, .gexf or .json (node-link data,
    read back with `nx.node_link_graph(data, edges="edges")`)."""
    path = Path(path)
    export_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".graphml":
        nx.write_graphml(to_networkx(graph, metadata=metadata), path)
    elif path.suffix == ".gexf":
        nx.write_gexf(to_networkx(graph, metadata=metadata), path)
    else:
        document = nx.node_link_data(to_networkx(graph, metadata=metadata, flat=False), edges="edges")
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def metadata(graph: Subgraph, *, query: str, title: str, params: dict, show_inactive: bool,
             sources: dict[str, dict]) -> dict[str, Any]:
    """What an export says about itself: the query and parameters, the hash the picture's caption
    shows (of the graph before flags), what is hidden, and the details of each source it cites."""
    return {"query": query, "title": title, "parameters": params, "rowsHash": graph.digest(),
            "exportedAt": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "hidden": HIDDEN_POLICY[show_inactive],
            "sources": sources}


def cited_sources(graph: Subgraph) -> list[str]:
    """Ids of the sources the nodes and ties cite, sorted."""
    items = [*graph.nodes.values(), *graph.edges.values()]
    return sorted({source for item in items for source in item.get("sources") or []})
