"""Pictures: self-contained pages opened in headless Chromium with the network blocked, escaped
tooltips and styles from the schema (exports: tests/test_exports.py)."""

from __future__ import annotations

import os
import re
import shutil

import networkx as nx
import pytest

import cypher
from graph import viz
from graph.schema import load_schema
from graph.settings import PROJECT_ROOT
from influence_graph import pictures
from tests.helpers import DATABASE, run_cli

SCREENSHOTS = PROJECT_ROOT / "output" / "test-screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PICTURED = {"financing-chains": {}, "owners-of": {"entity": "hikvision"}, "holdings-of": {"entity": "huawei"},
            "party-channel": {}, "country-exposure": {"country": "ZW"},
            "influence-path": {"from": "china-exim-bank", "to": "zte"}, "vendor-footprint": {"vendor": "cetc"}}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium for the picture tests")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def open_page(browser, path, timeout_ms=30_000):
    """Open a written page with every non-file request blocked; returns (page, requests, errors, dialogs)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests, errors, dialogs = [], [], []

    def route(route):
        requests.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.resolve().as_uri(), timeout=timeout_ms)
    page.wait_for_function("window.influenceGraph && window.influenceGraph.drawn", timeout=timeout_ms)
    return page, requests, errors, dialogs


@pytest.mark.parametrize("name", sorted(PICTURED))
def test_chain_pictures_load_offline_with_the_right_counts(name, seeded_db, browser, tmp_path):
    query = cypher.get(name)
    assert query.visual, "every chain query names its picture layout"
    graph = viz.without_inactive(pictures.query_subgraph(seeded_db, name, PICTURED[name], DATABASE))
    assert graph.edges, "the seed data gives this picture something to draw"
    path = pictures.render(seeded_db, name, PICTURED[name], tmp_path / f"{name}.html", database=DATABASE)
    page, requests, errors, dialogs = open_page(browser, path)
    drawn = page.evaluate("window.influenceGraph")
    assert (drawn["nodes"], drawn["edges"]) == (len(graph.nodes), len(graph.edges))
    assert [r for r in requests if not r.startswith("file:")] == [], "no request leaves the machine"
    assert errors == [] and dialogs == []
    assert page.title() == query.title
    caption = page.inner_text(".ig-caption")
    assert f"query: {name}" in caption and graph.digest() in caption
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    page.close()


HOSTILE = ['<script>window.pwned = 1</script>', '<img src=x onerror="window.pwned = 2">',
           '<a href="javascript:window.pwned = 3">click</a>', "Evil \u202eRTL\u200b zero-width"]


def hostile_graph() -> viz.Subgraph:
    graph = viz.Subgraph()
    for i, name in enumerate(HOSTILE):
        graph.nodes[f"n{i}"] = {"id": f"n{i}", "label": "Company", "name": name, "sources": ["s"],
                                "evidence": [f"quote with {name} and href=javascript:alert(1)"]}
    for i in range(len(HOSTILE) - 1):
        graph.edges[f"e{i}"] = {"type": "OWNS", "from": f"n{i}", "to": f"n{i + 1}", "share": 0.5,
                                "sources": ["s"], "evidence": [HOSTILE[i]], "confidence": "stated"}
    return graph


def test_hostile_names_render_as_text(browser, tmp_path):
    graph = hostile_graph()
    path = viz.render_subgraph(graph, tmp_path / "hostile.html", title='<script>window.pwned = 9</script> title',
                               params={"entity": '<img src=x onerror="window.pwned = 8">'})
    text = path.read_text(encoding="utf-8")
    assert "<script>window.pwned" not in text and "<img src=x" not in text
    page, requests, errors, dialogs = open_page(browser, path)
    assert page.inner_text("h1") == "<script>window.pwned = 9</script> title"
    for i, name in enumerate(HOSTILE):
        point = page.evaluate(f"network.canvasToDOM(network.getPosition('n{i}'))")
        box = page.locator("#mynetwork").bounding_box()
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
        tooltip = page.locator("div.vis-tooltip")
        tooltip.wait_for(state="visible", timeout=5_000)
        assert viz.visible(name) in tooltip.inner_text().replace("\u2060", "")
        assert tooltip.locator("img, a, script").count() == 0
        page.mouse.move(1, 1)
        page.wait_for_timeout(200)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert "[U+202E]RTL" in page.evaluate("network.body.data.nodes.get('n3').label"), "bidi override shown, not obeyed"
    assert dialogs == [] and errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "hostile.png")


def test_href_in_a_title_never_switches_pyvis_to_html_tooltips(tmp_path):
    page = viz.page_html(hostile_graph(), title="t", caption="c", kind="force")
    assert "popup.innerHTML" not in page   # pyvis's tooltip_link template is not used
    assert re.search(r'"title":\s*"[^"]*href', page) is None


def test_styles_come_from_the_schema():
    schema = load_schema()
    graph = hostile_graph()
    network = viz.build_network(graph, "layered")
    company = schema.nodes["Company"].style
    assert {(n["color"], n["shape"]) for n in network.nodes} == {(company["color"], company["shape"])}
    assert all(e["width"] == pytest.approx(1 + 7 * 0.5) for e in network.edges)   # OWNS width by share


def test_refused_projects_are_hidden_unless_asked(seeded_db, tmp_path):
    graph = pictures.query_subgraph(seeded_db, "vendor-footprint", {"vendor": "huawei"}, DATABASE)
    refused = {k for k, n in graph.nodes.items() if n.get("status") in viz.INACTIVE_STATUSES}
    assert {"milton-keynes-smart-city", "kyrgyzstan-huawei-safe-city"} <= refused   # FT, Diplomat
    assert refused.isdisjoint(viz.without_inactive(graph).nodes)
    shown = viz.build_network(graph, "financing")
    muted = {n["id"] for n in shown.nodes if n["color"] == viz.MUTED}
    assert muted == refused


def test_layouts_read_in_the_direction_of_money_and_control(seeded_db):
    chains = pictures.query_subgraph(seeded_db, "financing-chains", {"country": "ZW"}, DATABASE)
    x = {node: position[0] for node, position in viz.layout(chains, "financing").items()}
    # a loan to a borrower (no source ties it to a project), and a loan to a project its contractor built
    assert x["china-development-bank"] < x["econet"]
    assert x["government-of-china"] < x["zimbabwe-netone-huawei-contracts"]
    owners = pictures.query_subgraph(seeded_db, "party-channel", {"entity": "hikvision"}, DATABASE)
    y = {node: position[1] for node, position in viz.layout(owners, "layered").items()}
    assert y["ccp"] < y["hikvision-party-committee"] < y["hikvision"]
    assert y["cetc"] < y["hikvision"]


def test_cli_viz_writes_page_and_exports(seeded_db, cli_env, tmp_path):
    page, graphml = tmp_path / "owners.html", tmp_path / "owners.graphml"
    run_cli("viz", "owners-of", "-p", "entity=hikvision", "-o", str(page), "--export", str(graphml),
            env=cli_env, check=True)
    assert "Ownership chain (owners)" in page.read_text(encoding="utf-8")
    assert set(nx.read_graphml(graphml).nodes) == {"cetc", "hikvision"}
    refused = run_cli("viz", "top-lenders", "-o", str(tmp_path / "x.html"), env=cli_env)
    assert refused.returncode == 1 and "has no picture" in refused.stderr
