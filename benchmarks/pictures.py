"""Pictures: time to write the page (graph.viz.render_subgraph) and time until headless Chromium has
drawn it (`window.influenceGraph.drawn`), against plain pyvis with default options (physics on)."""

from __future__ import annotations

import json
import tempfile
import time
from collections import deque
from pathlib import Path

from pyvis.network import Network

from graph.records import Dataset
from graph.viz import Subgraph, render_subgraph

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

PLAIN_SCRIPT = """<script>
window.plainPyvis = {drawn: false, stabilized: false};
network.once("afterDrawing", function () { window.plainPyvis.drawn = true; window.plainPyvis.drawnAt = performance.now(); });
network.once("stabilizationIterationsDone", function () {
  window.plainPyvis.stabilized = true; window.plainPyvis.stabilizedAt = performance.now(); });
</script>"""


def subgraph(dataset: Dataset, size: int, start: str) -> Subgraph:
    """A connected piece of the synthetic graph: breadth-first from `start` (Sources left out)."""
    adjacency: dict[str, list] = {}
    for rel in dataset.relationships.values():
        adjacency.setdefault(rel.start, []).append(rel)
        adjacency.setdefault(rel.end, []).append(rel)
    seen, queue = {start}, deque([start])
    while queue and len(seen) < size:
        node = queue.popleft()
        for rel in adjacency.get(node, []):
            other = rel.end if rel.start == node else rel.start
            if other not in seen and len(seen) < size:
                seen.add(other)
                queue.append(other)
    graph = Subgraph()
    for node_id in seen:
        record = dataset.nodes[node_id]
        graph.nodes[node_id] = {**record.props, "label": record.label}
    for rel in dataset.relationships.values():
        if rel.start in seen and rel.end in seen:
            graph.edges[rel.id] = {**rel.props, "type": rel.type, "from": rel.start, "to": rel.end}
    return graph


def plain_pyvis(graph: Subgraph, path: Path) -> Path:
    """The same nodes and edges through pyvis with its defaults (physics on, no positions)."""
    network = Network(directed=True, cdn_resources="in_line")
    for node_id, node in graph.nodes.items():
        network.add_node(node_id, label=str(node.get("name") or node_id), title=node.get("label"))
    for edge in graph.edges.values():
        network.add_edge(edge["from"], edge["to"], title=edge["type"])
    page = network.generate_html().replace("</body>", PLAIN_SCRIPT + "</body>", 1)
    path.write_text(page, encoding="utf-8")
    return path


def _open(browser, path: Path, condition: str, timeout_s: float) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    started = time.perf_counter()
    out = {}
    try:
        page.goto(path.as_uri(), wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function(condition, timeout=timeout_s * 1000, polling=50)
        out["wall_s"] = time.perf_counter() - started
        out["ok"] = True
    except Exception as error:  # noqa: BLE001 (a timeout is a result here)
        out["wall_s"] = time.perf_counter() - started
        out["ok"] = False
        out["error"] = type(error).__name__
    try:
        out["state"] = page.evaluate("JSON.stringify(window.influenceGraph || window.plainPyvis || null)")
    except Exception:  # noqa: BLE001
        out["state"] = None
    page.close()
    return out


def measure(dataset: Dataset, start: str, sizes: list[int], plain_timeout_s: float, kind: str = "force") -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    folder = Path(tempfile.mkdtemp(prefix="bench-pictures-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for size in sizes:
            graph = subgraph(dataset, size, start)
            row = {"nodes": len(graph.nodes), "edges": len(graph.edges), "kind": kind}
            started = time.perf_counter()
            ours = render_subgraph(graph, folder / f"ours-{size}.html", kind=kind, show_inactive=True)
            row["write_s"] = time.perf_counter() - started
            row["html_mb"] = ours.stat().st_size / 1e6
            opened = _open(browser, ours, "window.influenceGraph && window.influenceGraph.drawn", 120)
            state = json.loads(opened["state"] or "null") or {}
            row["drawn_s"] = state.get("at", 0) / 1000 if opened["ok"] else None
            row["drawn_wall_s"] = opened["wall_s"]
            started = time.perf_counter()
            plain = plain_pyvis(graph, folder / f"plain-{size}.html")
            row["plain_write_s"] = time.perf_counter() - started
            opened = _open(browser, plain, "window.plainPyvis && window.plainPyvis.stabilized && window.plainPyvis.drawn",
                           plain_timeout_s)
            state = json.loads(opened["state"] or "null") or {}
            row["plain_drawn_s"] = state.get("drawnAt", 0) / 1000 if state.get("drawn") else None
            row["plain_stabilized_s"] = state.get("stabilizedAt", 0) / 1000 if state.get("stabilized") else None
            row["plain_wall_s"] = opened["wall_s"]
            row["plain_timed_out"] = not opened["ok"]
            results.append(row)
            print(f"  {len(graph.nodes):6d} nodes: write {row['write_s']:.2f} s, drawn {row['drawn_s']} s; "
                  f"plain pyvis drawn {row['plain_drawn_s']} s, stabilized {row['plain_stabilized_s']} "
                  f"(timed out: {row['plain_timed_out']})", flush=True)
        browser.close()
    return results
