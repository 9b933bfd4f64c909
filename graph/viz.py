"""Pictures of chains: self-contained, offline pyvis pages (graph/exports.py writes the same subgraph as
GraphML, GEXF or JSON).

pyvis (0.3.2, unmaintained) is wrapped, not trusted: tooltips are plain text (a title containing
"href" would switch pyvis's template to innerHTML, so the word is broken with an invisible joiner),
the page heading, caption and legend are escaped here rather than given to pyvis's unescaped
`heading`, Bootstrap's CDN tags are removed, and vis-network is inlined, so opening the page sends no
request. Node positions are computed here (layered for chains, force-directed for neighbourhoods)
and physics is off, so even a 10,000-node page is drawn at once instead of simulated.

Where pyvis stops, the wrapper goes on (docs/pictures.md): tie labels in words, parallel ties curved
apart and node labels wrapped are computed here and handed to pyvis as ordinary vis-network options;
everything that needs the drawn page (labels at a minimum size chosen by importance so none overlap,
search, filters, grouping, focus and expand, the empty message, the SVG) is our own script,
graph/assets/picture.js, inlined after pyvis's.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
from pyvis.network import Network

from graph.schema import load_schema

INACTIVE_STATUSES = {"rejected", "cancelled", "aborted"}
MUTED = "#c8c8c8"
WORD_JOINER = "\u2060"
LAYOUTS = {"financing": "financing", "ownership": "layered", "party": "layered", "path": "force",
           "neighbourhood": "force"}
# For layered pictures: which end of a tie comes first (left, or above).
FIRST_END = {"CONTRACTED_FOR": "to", "HAS_PARTY_COMMITTEE": "to", "PART_OF": "to"}
FINANCING_LEVEL = {"lender": 0, "borrower": 1, "project": 2, "contractor": 3}
# Above these sizes the canvas spends its time drawing text: edge labels go (the tooltip still names
# the tie), then node labels (the tooltip still names the node).
EDGE_LABELS_UP_TO = 1000
NODE_LABELS_UP_TO = 3000
ASSETS = Path(__file__).parent / "assets"
# Node labels: lines of at most this many characters, at most this many lines; longer names end in "…"
# (the tooltip's first line is always the full name).
LABEL_LINE = 22
LABEL_LINES = 3
# Smallest label, in screen pixels at the page's opening view (picture.js keeps to it).
MIN_LABEL_PX = 12
CONFIDENCE_STYLE = {  # besides the dash pattern: opacity, a width cap, and the word in the label
    "stated": {"dashes": False, "opacity": 1.0},
    "reported": {"dashes": [10, 5], "opacity": 0.75},
    "inferred": {"dashes": [2, 6], "opacity": 0.45, "maxWidth": 1.0},
}


@dataclass
class Subgraph:
    """Nodes by id and ties by id, each a dict of properties plus `label` / `type`, `from`, `to`."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[str, dict[str, Any]] = field(default_factory=dict)

    def digest(self) -> str:
        """A short hash of what is drawn, so a published picture can be matched to a re-run."""
        canonical = json.dumps({"nodes": self.nodes, "edges": self.edges}, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def subgraph_from_rows(rows: list[dict]) -> Subgraph:
    """Collect the ties in the `hops` column of canned-query rows (see the chain queries in cypher/)."""
    graph = Subgraph()
    for row in rows:
        for hop in row.get("hops") or []:
            for end in ("from", "to"):
                node = graph.nodes.setdefault(hop[end], {"id": hop[end]})
                node.setdefault("label", hop[f"{end}Label"])
                node.setdefault("name", hop[f"{end}Name"])
            properties = dict(hop.get("properties") or {})
            edge_id = properties.get("id") or f"{hop['from']}|{hop['type']}|{hop['to']}"
            graph.edges[edge_id] = {**properties, "type": hop["type"], "from": hop["from"], "to": hop["to"]}
    return graph


# --- what is active -------------------------------------------------------------------------------------
def is_inactive_node(node: dict) -> bool:
    return node.get("label") == "Project" and node.get("status") in INACTIVE_STATUSES


def is_inactive_edge(edge: dict, year: int) -> bool:
    return edge.get("status") in INACTIVE_STATUSES or (edge.get("validTo") is not None and edge["validTo"] < year)


def without_inactive(graph: Subgraph) -> Subgraph:
    """Drop refused projects and ties no longer in force, and the nodes only they connected."""
    year = datetime.now(UTC).year
    nodes = {k: v for k, v in graph.nodes.items() if not is_inactive_node(v)}
    edges = {k: e for k, e in graph.edges.items()
             if e["from"] in nodes and e["to"] in nodes and not is_inactive_edge(e, year)}
    linked = {e["from"] for e in edges.values()} | {e["to"] for e in edges.values()}
    return Subgraph({k: v for k, v in nodes.items() if k in linked or not graph.edges}, edges)


# --- text -------------------------------------------------------------------------------------------------
# Bidirectional overrides and isolates reorder the text around them ("RTL" shown as "LTR"), a known
# way to disguise names; they are shown as visible code points instead.
BIDI_CONTROLS = {cp: f"[U+{cp:04X}]" for cp in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def visible(text: str) -> str:
    return text.translate(BIDI_CONTROLS)


def plain_text(text: str) -> str:
    """Tooltip text vis-network shows as text: 'href' is broken up so pyvis never switches to innerHTML."""
    return re.sub(r"(?i)(h)(ref)", lambda m: m.group(1) + WORD_JOINER + m.group(2), visible(text))


def _amount(value: float | None, currency: str | None) -> str | None:
    if value is None:
        return None
    return f"{value:,.0f} {currency or ''}".strip()


def _evidence_lines(properties: dict) -> list[str]:
    pairs = zip(properties.get("sources") or [], properties.get("evidence") or [], strict=False)
    return [f"[{source}] {quote}" for source, quote in pairs]


def node_title(node: dict) -> str:
    lines = [node.get("name") or node["id"], f"{node.get('label', '')} · id {node['id']}"]
    node_type = load_schema().nodes.get(node.get("label"))
    lines += [f"{key}: {node[key]}" for key in (node_type.featured if node_type else ()) if node.get(key) is not None]
    if node.get("note"):
        lines.append(f"Note: {node['note']}")
    value = _amount(node.get("valueUsd"), "USD")
    if value:
        lines.append(f"value: {value}")
    if node.get("aliases"):
        lines.append("also: " + "; ".join(node["aliases"]))
    evidence = _evidence_lines(node)
    if evidence:
        lines += ["", "Evidence:", *evidence]
    return plain_text("\n".join(lines))


def edge_title(edge: dict, nodes: dict[str, dict]) -> str:
    start, end = nodes[edge["from"]], nodes[edge["to"]]
    lines = [f"{start.get('name')} —{edge['type']}→ {end.get('name')}"]
    if edge.get("note"):
        lines.append(f"Note: {edge['note']}")
    amount = _amount(edge.get("amount"), edge.get("currency"))
    if amount:
        usd = _amount(edge.get("amountUsd"), "USD")
        lines.append(f"amount: {amount}" + (f" ({usd})" if usd and edge.get("currency") != "USD" else ""))
    if edge.get("share") is not None:
        lines.append(f"share: {_percent(edge['share'])}")
    if edge.get("year") is not None:
        lines.append(f"year: {edge['year']}")
    rel_type = load_schema().relationships.get(edge["type"])
    lines += [f"{key}: {edge[key]}" for key in (rel_type.featured if rel_type else ()) if edge.get(key) is not None]
    evidence = _evidence_lines(edge)
    if evidence:
        lines += ["", "Evidence:", *evidence]
    return plain_text("\n".join(lines))


def _percent(share: float) -> str:
    """0.765 → '76.5%' (two decimals at most, never rounded to a whole number that reads as exact)."""
    return f"{round(share * 100, 2):g}%"


def short_money(value: float) -> str:
    """500,000,000 → '500m', 1,234,000,000 → '1.23bn': three significant figures (the tooltip has all)."""
    value = float(f"{value:.3g}")  # rounded first, so 999,500,000 reads '1bn', not '1000m'
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def node_label(name: str) -> str:
    """The name wrapped at word boundaries into at most LABEL_LINES lines; what does not fit ends in '…'."""
    lines: list[str] = []
    for word in visible(name).split():
        while len(word) > LABEL_LINE:  # a word longer than a line is broken, not cut
            lines.append(word[:LABEL_LINE - 1] + "-")
            word = word[LABEL_LINE - 1:]
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_LINE and not lines[-1].endswith("-"):
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = lines[-1][:LABEL_LINE - 1].rstrip(" -") + "…"
    return "\n".join(lines) or " "


def edge_label(edge: dict, joint: bool = False) -> str:
    """The tie in words: 'loan USD 500m, 2015', '76.5%', 'prime contractor'; its confidence unless stated.

    `joint`: the amount is a commitment several lenders share and this lender's part is not given.
    """
    words = edge["type"].lower().replace("_", " ")
    amount = edge.get("partAmount") if edge.get("partAmount") is not None else edge.get("amount")
    if amount is not None:
        kind = edge.get("instrument") or words
        whole = (f" of {short_money(edge['amount'])}" if edge.get("partAmount") is not None
                 and edge.get("amount") is not None else "")
        words = f"{'joint ' if joint else ''}{kind} {edge.get('currency') or ''} {short_money(amount)}{whole}"
        words = " ".join(words.split())
    elif edge.get("share") is not None:
        words = _percent(edge["share"])
    elif edge.get("role"):
        words = edge["role"]
    if edge.get("year") is not None and amount is not None:
        words += f", {edge['year']}"
    if edge.get("status") in INACTIVE_STATUSES:
        words += f" ({edge['status']})"
    if edge.get("confidence") in ("reported", "inferred"):
        words += f" ({edge['confidence']})"
    return words


# --- layout -----------------------------------------------------------------------------------------------
def _financing_levels(graph: Subgraph) -> dict[str, int]:
    roles: dict[str, set[str]] = defaultdict(set)
    for edge in graph.edges.values():
        kind = edge["type"]
        if kind == "FINANCED":
            roles[edge["from"]].add("lender")
            roles[edge["to"]].add("project" if graph.nodes[edge["to"]].get("label") == "Project" else "borrower")
        elif kind == "COMMISSIONED":
            roles[edge["from"]].add("borrower")
            roles[edge["to"]].add("project")
        elif kind == "CONTRACTED_FOR":
            roles[edge["from"]].add("contractor")
            roles[edge["to"]].add("project")
    # The role that places a node when it plays several: a company that builds a project sits with the
    # contractors even where it also lends (vendor financing), and a buyer that commissions a project
    # with the borrowers even where it pays for it too; so contracts and purchases stay short.
    def column(node_roles: set[str]) -> int:
        for role in ("contractor", "borrower"):
            if role in node_roles:
                return FINANCING_LEVEL[role]
        return min(FINANCING_LEVEL[r] for r in node_roles)

    levels = {node: column(node_roles) for node, node_roles in roles.items()}
    for node in graph.nodes:  # owners of contractors and anything else: one column further right
        levels.setdefault(node, max(FINANCING_LEVEL.values()) + 1)
    return levels


def _layered_levels(graph: Subgraph) -> dict[str, int]:
    """Longest-path layers over ties oriented by FIRST_END (owners above owned, party bodies on top)."""
    digraph = nx.DiGraph()
    digraph.add_nodes_from(graph.nodes)
    for edge in graph.edges.values():
        first, second = ("to", "from") if FIRST_END.get(edge["type"]) == "to" else ("from", "to")
        digraph.add_edge(edge[first], edge[second])
    if not nx.is_directed_acyclic_graph(digraph):
        digraph = nx.DiGraph(nx.dfs_tree(digraph))  # keep a spanning forest; cycles would have no layering
        digraph.add_nodes_from(graph.nodes)
    levels: dict[str, int] = {}
    for node in nx.topological_sort(digraph):
        levels[node] = max((levels[p] + 1 for p in digraph.predecessors(node)), default=0)
    return levels


def _order_within_levels(graph: Subgraph, levels: dict[str, int]) -> dict[str, float]:
    """Position within each layer, centred on 0: two barycentre sweeps to untangle ties."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges.values():
        neighbours[edge["from"]].append(edge["to"])
        neighbours[edge["to"]].append(edge["from"])
    by_level: dict[int, list[str]] = defaultdict(list)
    for node in sorted(levels, key=lambda n: (graph.nodes[n].get("name") or n)):
        by_level[levels[node]].append(node)
    def centred(members: list[str]) -> dict[str, float]:
        return {node: i - (len(members) - 1) / 2 for i, node in enumerate(members)}

    position = {node: p for members in by_level.values() for node, p in centred(members).items()}
    for _ in range(2):
        for level in sorted(by_level):
            members = by_level[level]

            def barycentre(node: str, level=level) -> float:
                others = [position[n] for n in neighbours[node] if levels.get(n) != level]
                return sum(others) / len(others) if others else position[node]

            members.sort(key=barycentre)
            position.update(centred(members))
    return position


def layout(graph: Subgraph, kind: str) -> dict[str, tuple[float, float]]:
    """x, y for every node. `financing` reads left to right; `layered` top down; `force` spreads out.

    Above NODE_LABELS_UP_TO nodes (where names are no longer drawn) every picture is force-directed:
    measured at 10,000 nodes, Chromium draws a spread-out page in under 2 s and a layered one in 14 s.
    """
    if not graph.nodes:
        return {}
    if kind in ("financing", "layered") and len(graph.nodes) <= NODE_LABELS_UP_TO:
        levels = _financing_levels(graph) if kind == "financing" else _layered_levels(graph)
        order = _order_within_levels(graph, levels)
        if kind == "financing":
            return {n: (levels[n] * 420.0, order[n] * 90.0) for n in graph.nodes}  # room for a loan's label
        return {n: (order[n] * 230.0, levels[n] * 160.0) for n in graph.nodes}
    undirected = nx.Graph()
    undirected.add_nodes_from(sorted(graph.nodes))
    undirected.add_edges_from((e["from"], e["to"]) for e in graph.edges.values())
    scale = 120.0 * math.sqrt(len(graph.nodes))
    if len(graph.nodes) <= 1500:
        positions = nx.spring_layout(undirected, seed=7, iterations=60 if len(graph.nodes) < 300 else 25)
    else:  # spring layout grows quadratic; a seeded spectral layout stays fast for big pictures
        positions = nx.spectral_layout(undirected)
    return {n: (float(x) * scale, float(y) * scale) for n, (x, y) in positions.items()}


# --- drawing ---------------------------------------------------------------------------------------------
def _edge_width(edge: dict, style: dict) -> float:
    if style.get("width") == "amountUsd" and edge.get("amountUsd"):
        return min(12.0, 1.0 + 1.5 * math.log10(1.0 + edge["amountUsd"] / 1e6))
    if style.get("width") == "share" and edge.get("share") is not None:
        return 1.0 + 7.0 * edge["share"]
    return 1.5


def importance(graph: Subgraph) -> dict[str, float]:
    """Which names to write first when not all fit: ties (degree) plus the money they carry (log10 USD)."""
    score = {node: 0.0 for node in graph.nodes}
    for edge in graph.edges.values():
        money = math.log10(1.0 + (edge.get("amountUsd") or 0.0)) / 3.0   # USD 1bn counts as 3 ties
        for end in (edge["from"], edge["to"]):
            score[end] += 1.0 + money
    return score


def curves(graph: Subgraph, positions: dict[str, tuple[float, float]]) -> dict[str, dict]:
    """vis-network `smooth` per tie: parallel ties (either direction) curved to alternate sides with
    growing roundness so each keeps its own label; a lone tie that would pass over another node bends."""
    by_pair: dict[tuple[str, str], list[str]] = defaultdict(list)
    for edge_id, edge in sorted(graph.edges.items()):
        by_pair[tuple(sorted((edge["from"], edge["to"])))].append(edge_id)
    smooth: dict[str, dict] = {}
    for (first, _), edge_ids in by_pair.items():
        if len(edge_ids) == 1:
            if _crosses_a_node(graph.edges[edge_ids[0]], positions):
                smooth[edge_ids[0]] = {"enabled": True, "type": "curvedCW", "roundness": 0.3}
            continue
        for i, edge_id in enumerate(edge_ids):
            clockwise = i % 2 == 0
            if graph.edges[edge_id]["from"] != first:  # the same side of the pair, seen from the other end
                clockwise = not clockwise
            smooth[edge_id] = {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW",
                               "roundness": round(0.2 + 0.25 * (i // 2), 2)}
        if len(edge_ids) % 2 == 1:  # an odd count: the last one may stay straight in the middle
            smooth[edge_ids[-1]] = {"enabled": False}
    return smooth


def _crosses_a_node(edge: dict, positions: dict[str, tuple[float, float]], clearance: float = 28.0) -> bool:
    if len(positions) > 1500:  # a quadratic check; big pictures are force-directed and rarely aligned
        return False
    (x1, y1), (x2, y2) = positions[edge["from"]], positions[edge["to"]]
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy or 1.0
    for node, (x, y) in positions.items():
        if node in (edge["from"], edge["to"]):
            continue
        t = ((x - x1) * dx + (y - y1) * dy) / length2
        if 0.05 < t < 0.95 and math.hypot(x1 + t * dx - x, y1 + t * dy - y) < clearance:
            return True
    return False


def build_network(graph: Subgraph, kind: str, *, height: str = "780px") -> Network:
    """The pyvis network with styles from the schema and fixed positions."""
    schema = load_schema()
    node_labels, edge_labels = len(graph.nodes) <= NODE_LABELS_UP_TO, len(graph.edges) <= EDGE_LABELS_UP_TO
    year = datetime.now(UTC).year
    network = Network(height=height, width="100%", directed=True, cdn_resources="in_line")
    positions = layout(graph, kind)
    weight = importance(graph)
    for node_id, node in graph.nodes.items():
        style = schema.nodes[node["label"]].style if node.get("label") in schema.nodes else {}
        muted = is_inactive_node(node)
        x, y = positions[node_id]
        network.add_node(str(node_id), label=node_label(str(node.get("name") or node_id)) if node_labels else " ",
                         title=node_title(node),
                         color=MUTED if muted else style.get("color", "#888888"), shape=style.get("shape", "dot"),
                         x=x, y=y, physics=False, font={"color": "#999999" if muted else "#222222"},
                         opacity=0.5 if muted else 1.0,
                         # read by picture.js: search, filters, grouping and which labels come first
                         name=visible(str(node.get("name") or node_id)), kind=node.get("label") or "",
                         country=visible(str(node.get("country") or "")), importance=round(weight[node_id], 3))
    commitments = defaultdict(int)
    for edge in graph.edges.values():
        if edge.get("commitment"):
            commitments[edge["commitment"]] += 1
    smooth = curves(graph, positions)
    for edge_id, edge in graph.edges.items():
        style = schema.relationships[edge["type"]].style if edge["type"] in schema.relationships else {}
        muted = is_inactive_edge(edge, year) or is_inactive_node(graph.nodes[edge["to"]])
        confidence = CONFIDENCE_STYLE.get(edge.get("confidence"), CONFIDENCE_STYLE["stated"])
        width = 1.0 if muted else min(_edge_width(edge, style), confidence.get("maxWidth", 99.0))
        dashes = confidence["dashes"] or (bool(style.get("dashes")) and [6, 4])
        joint = commitments.get(edge.get("commitment"), 0) > 1 and edge.get("partAmount") is None
        money = edge.get("amountUsd") or 0.0
        network.add_edge(str(edge["from"]), str(edge["to"]), id=edge_id, title=edge_title(edge, graph.nodes),
                         label=visible(edge_label(edge, joint)) if edge_labels else None,
                         color={"color": MUTED if muted else style.get("color", "#888888"),
                                "opacity": confidence["opacity"]},
                         width=width, dashes=dashes, arrows="to", smooth=smooth.get(edge_id, {"enabled": False}),
                         kind=edge["type"], confidence=edge.get("confidence") or "stated",
                         importance=round(1.0 + math.log10(1.0 + money) + (edge.get("share") or 0.0), 3))
    network.set_options(json.dumps({
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "edges": {"smooth": False, "font": {"size": 11, "align": "horizontal", "color": "#444444",
                                             "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "nodes": {"font": {"size": 13}},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
    }))
    return network


def _legend(graph: Subgraph) -> str:
    schema = load_schema()
    labels = sorted({n.get("label") for n in graph.nodes.values() if n.get("label") in schema.nodes})
    types = sorted({e["type"] for e in graph.edges.values() if e["type"] in schema.relationships})
    items = [f'<span class="ig-key"><span class="ig-swatch" style="background:{schema.nodes[lab].style["color"]}">'
             f'</span>{html.escape(lab)} ({html.escape(schema.nodes[lab].style.get("shape", "dot"))})</span>'
             for lab in labels]
    items += [f'<span class="ig-key"><span class="ig-line" style="border-top:3px '
              f'{"dashed" if schema.relationships[t].style.get("dashes") else "solid"} '
              f'{schema.relationships[t].style.get("color", "#888")}"></span>{html.escape(t)}</span>' for t in types]
    items.append('<span class="ig-key"><span class="ig-line" style="border-top:3px solid #555"></span>stated</span>')
    items.append('<span class="ig-key"><span class="ig-line" style="border-top:2px dashed #555;opacity:.75">'
                 '</span>reported (said in the label)</span>')
    items.append('<span class="ig-key"><span class="ig-line" style="border-top:1px dotted #555;opacity:.45">'
                 '</span>inferred: thin and faint (said in the label)</span>')
    items.append(f'<span class="ig-key"><span class="ig-swatch" style="background:{MUTED}"></span>'
                 'rejected, cancelled, aborted or ended</span>')
    return "".join(items)


def _toolbar(graph: Subgraph) -> str:
    """Search, filters by type and confidence, grouping, focus: plain controls picture.js wires up."""
    def boxes(name: str, values: list[str]) -> str:
        return "".join(f'<label class="ig-check"><input type="checkbox" checked data-filter="{name}" '
                       f'value="{html.escape(v, quote=True)}">{html.escape(v)}</label>' for v in values)

    kinds = sorted({str(n.get("label") or "") for n in graph.nodes.values()})
    types = sorted({e["type"] for e in graph.edges.values()})
    return (
        '<div class="ig-tools" id="ig-tools">'
        '<span class="ig-group"><input id="ig-search" type="search" placeholder="find a name" '
        'list="ig-names" autocomplete="off"><datalist id="ig-names"></datalist>'
        '<button id="ig-find" type="button">Find</button></span>'
        '<span class="ig-group"><button id="ig-focus" type="button" title="Show only the selected node and its '
        'neighbours; then click a node to add its neighbours">Focus on selected</button>'
        '<button id="ig-all" type="button">Show all</button></span>'
        '<span class="ig-group">Group by <select id="ig-groupby"><option value="">nothing</option>'
        '<option value="kind">type</option><option value="country">country</option></select></span>'
        f'<span class="ig-group">Nodes: {boxes("kind", kinds)}</span>'
        f'<span class="ig-group">Ties: {boxes("type", types)}</span>'
        f'<span class="ig-group">Confidence: {boxes("confidence", list(CONFIDENCE_STYLE))}</span>'
        '<span id="ig-status" class="ig-status" role="status"></span></div>')


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


EXTERNAL_TAG = re.compile(r"<(link|script)\b[^>]*\b(href|src)\s*=\s*[\"']https?://[^>]*>(\s*</script>)?", re.I)
PYVIS_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.I)
PYVIS_CARD = re.compile(r'<div class="card" style="width: 100%">', re.I)


def page_html(graph: Subgraph, *, title: str, caption: str, kind: str, empty_message: str | None = None) -> str:
    """The whole page: pyvis's HTML made self-contained, with an escaped heading, caption, legend and
    toolbar, and picture.js. An empty graph shows `empty_message` where the picture would be."""
    page = build_network(graph, kind).generate_html()
    page = EXTERNAL_TAG.sub("", page)
    page = PYVIS_HEADING.sub("", page)
    title, caption = visible(title), visible(caption)
    config = {"minLabelPx": MIN_LABEL_PX, "empty": visible(empty_message or "Nothing to draw.") if not graph.nodes else None}
    head = f"<title>{html.escape(title)}</title><style>{_asset('picture.css')}</style>"
    header = (f'<div id="ig-picture"><div class="ig-head"><h1>{html.escape(title)}</h1>'
              f'<div class="ig-caption">{html.escape(caption)}</div>'
              f'<div class="ig-legend">{_legend(graph)}</div></div>'
              f'<div id="ig-empty" class="ig-empty" hidden></div>{_toolbar(graph)}')
    page = page.replace("<head>", "<head>" + head, 1).replace("<body>", "<body>" + header, 1)
    if not PYVIS_CARD.search(page):
        raise RuntimeError("pyvis's template changed: no picture card to put the page's script before")
    config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    page = PYVIS_CARD.sub(lambda m: f'<script type="application/json" id="ig-config">{config_json}</script>'
                                    f"<script>{_asset('picture.js')}</script>" + m.group(0), page, count=1)
    page = page.replace("</body>", "</div><script>influenceGraphStart();</script></body>", 1)
    leftover = EXTERNAL_TAG.search(page)
    if leftover:
        raise RuntimeError(f"the page would load {leftover.group(0)[:80]!r}; pyvis's template changed")
    return page


def render_subgraph(rows_or_graph: list[dict] | Subgraph, path: Path | str, *, title: str = "Influence Graph",
                    kind: str = "force", query: str | None = None, params: dict | None = None,
                    show_inactive: bool = False) -> Path:
    """Write a picture of query rows (with a `hops` column) or of a Subgraph to `path` (UTF-8 HTML)."""
    graph = rows_or_graph if isinstance(rows_or_graph, Subgraph) else subgraph_from_rows(rows_or_graph)
    drawn = graph if show_inactive else without_inactive(graph)
    drawn_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    caption = (f"query: {query or '(rows)'}   parameters: {json.dumps(params or {}, ensure_ascii=False)}\n"
               f"drawn {drawn_at}   {len(drawn.nodes)} nodes, {len(drawn.edges)} ties   rows hash {drawn.digest()}"
               + ("" if show_inactive else "   (refused projects and ended ties hidden)"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_html(drawn, title=title, caption=caption, kind=LAYOUTS.get(kind, kind),
                              empty_message=empty_message(graph, drawn)), encoding="utf-8")
    return path


def empty_message(graph: Subgraph, drawn: Subgraph) -> str | None:
    """What an empty picture says (on the page and on the command line); None when there is something to draw."""
    if drawn.nodes:
        return None
    if graph.nodes:
        return (f"Nothing in force to draw: {len(graph.nodes)} nodes and {len(graph.edges)} ties are refused "
                "projects or ended ties, hidden (draw them with --show-inactive).")
    return "Nothing to draw: the query found no ties for these parameters."


class InlinePage:
    """A written page shown inline by Jupyter, VS Code or JupyterLab: an iframe `srcdoc`, no server."""

    def __init__(self, path: Path | str, height: int = 800):
        self.path, self.height = Path(path), height

    def html(self) -> str:
        """The iframe, for composing several pages into one cell's output."""
        page = self.path.read_text(encoding="utf-8")
        return (f'<iframe srcdoc="{html.escape(page, quote=True)}" '
                f'style="width:100%;height:{self.height}px;border:0"></iframe>')

    def _repr_html_(self) -> str:
        return self.html()


def display(path: Path | str, height: int = 800) -> InlinePage:
    """Show a written page inline in a notebook (the cell's value, or pass it to IPython's display)."""
    return InlinePage(path, height)
