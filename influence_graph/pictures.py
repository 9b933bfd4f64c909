"""The few functions that join a canned query to a picture: run the query, fetch the nodes' own
properties, draw the subgraph with graph.viz, export what it shows with graph.exports, and photograph
the drawn page (PNG, SVG) in headless Chromium through Playwright, so a static picture is the page an
analyst checked, not a redrawing."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from neo4j import Driver

import cypher
from graph import exports as graph_exports
from graph.viz import Subgraph, empty_message, render_subgraph, subgraph_from_rows, without_inactive

STATIC_SUFFIXES = (".png", ".svg")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def add_node_properties(graph: Subgraph, driver: Driver, database: str = "neo4j") -> Subgraph:
    """Fill in each node's own properties (status, amounts, evidence) from the graph, read-only."""
    rows = cypher.read(
        driver,
        "MATCH (n:Entity) WHERE n.id IN $ids "
        "RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS properties, "
        "head([(n)-[:LOCATED_IN|GOVERNS]->(c:Country) | c.name] + "
        "     [(n)-[:LOCATED_IN|GOVERNS]->(:City)-[:LOCATED_IN]->(c:Country) | c.name] + "
        "     [c IN [n] WHERE c:Country | c.name]) AS country",
        {"ids": list(graph.nodes)}, database,
    )
    for row in rows:
        graph.nodes[row["id"]].update(row["properties"], label=row["label"])
        if row["country"]:  # for grouping by country in the page (from LOCATED_IN or GOVERNS, not a stored property)
            graph.nodes[row["id"]]["country"] = row["country"]
    return graph


def query_subgraph(driver: Driver, query_name: str, params: dict | None = None, database: str = "neo4j") -> Subgraph:
    """Run a canned query that has a picture (`// visual:` in its header) and collect its subgraph."""
    query = cypher.get(query_name)
    if not query.visual:
        raise cypher.QueryError(f"query '{query_name}' has no picture (no `// visual:` line in its header)")
    graph = subgraph_from_rows(cypher.records(driver, query, params, database))
    return add_node_properties(graph, driver, database)


@dataclass
class Picture:
    path: Path
    empty: str | None  # what the page says when there is nothing to draw
    exports: list[Path]  # the exports written (none for an empty answer)


def source_details(driver: Driver, ids: list[str], database: str = "neo4j") -> dict[str, dict]:
    """Each cited Source's own properties (title, publisher, date, url) by id, read-only."""
    rows = cypher.read(driver, "MATCH (s:Source) WHERE s.id IN $ids RETURN s.id AS id, properties(s) AS properties",
                       {"ids": ids}, database)
    return {row["id"]: {k: v for k, v in row["properties"].items() if k != "id"} for row in rows}


def draw(driver: Driver, query_name: str, params: dict | None, path: Path | str, *, database: str = "neo4j",
         show_inactive: bool = False, exports: Iterable[Path | str] = ()) -> Picture:
    """Run a canned query and write its picture; each of `exports` is a .png or .svg of the drawn page,
    or what the picture shows as .graphml, .gexf or .json (see graph.exports). An empty answer writes
    the page, which says so, and no export (a blank one would say nothing)."""
    query = cypher.get(query_name)
    bound = query.bind(params)
    exports = [Path(p) for p in exports]
    static = [p for p in exports if p.suffix in STATIC_SUFFIXES]
    for export_path in exports:
        if export_path.suffix not in STATIC_SUFFIXES:
            graph_exports.export_format(export_path)
    if static:
        _chromium()  # before anything is written
    graph = query_subgraph(driver, query_name, bound, database)
    drawn = graph if show_inactive else without_inactive(graph)
    empty = empty_message(graph, drawn)
    data_exports = [p for p in exports if p.suffix not in STATIC_SUFFIXES]
    if data_exports and not empty:
        shown = graph_exports.as_shown(graph, show_inactive=show_inactive)
        metadata = graph_exports.metadata(drawn, query=query_name, title=query.title, params=bound,
                                          show_inactive=show_inactive,
                                          sources=source_details(driver, graph_exports.cited_sources(shown), database))
        for export_path in data_exports:
            graph_exports.export(shown, export_path, metadata=metadata)
    page = render_subgraph(graph, path, title=query.title, kind=query.visual, query=query_name,
                           params=bound, show_inactive=show_inactive)
    if static and not empty:
        photograph(page, *static)
    return Picture(page, empty, [] if empty else exports)


def render(driver: Driver, query_name: str, params: dict | None, path: Path | str, *, database: str = "neo4j",
           show_inactive: bool = False, exports: Iterable[Path | str] = ()) -> Path:
    """`draw`, for callers that only need the page."""
    return draw(driver, query_name, params, path, database=database, show_inactive=show_inactive, exports=exports).path


def photograph(page: Path | str, *outputs: Path | str, width: int = 1400, browser=None) -> list[Path]:
    """Write each of `outputs` (.png or .svg) from the written page as headless Chromium draws it, caption
    and legend included, the toolbar left out. The page is opened with every request off the machine
    refused, as an analyst's browser would open it offline. `browser`: a Playwright browser to reuse."""
    targets = [Path(p) for p in outputs]
    for target in targets:
        if target.suffix not in STATIC_SUFFIXES:
            raise ValueError(f"{target}: a static picture is .png or .svg, not {target.suffix!r}")
    if browser is not None:
        _photograph(browser, Path(page), targets, width)
        return targets
    chromium = _chromium()
    from playwright.sync_api import sync_playwright  # only here: the rest of the library never needs a browser

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            _photograph(launched, Path(page), targets, width)
        finally:
            launched.close()
    return targets


def _chromium() -> str:
    """The system's Chromium, and Playwright (a dev extra) to drive it; a clear error when either is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError("a .png or .svg picture needs Chromium (Debian: apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        raise RuntimeError("a .png or .svg picture needs Playwright: pip install -e '.[dev]' (no browser is downloaded)")
    return chromium


def _photograph(browser, page: Path, targets: list[Path], width: int) -> None:
    tab = browser.new_page(viewport={"width": width, "height": 900})
    try:
        tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        tab.goto(page.resolve().as_uri(), timeout=120_000)
        tab.wait_for_function("window.influenceGraph && window.influenceGraph.drawn", timeout=120_000)
        tab.evaluate("document.body.classList.add('ig-export')")
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.suffix == ".png":
                tab.screenshot(path=str(target), full_page=True)
            else:
                target.write_text(tab.evaluate("window.influenceGraph.toSVG()"), encoding="utf-8")
    finally:
        tab.close()
