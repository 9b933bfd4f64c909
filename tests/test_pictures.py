"""Pictures an analyst can publish and explore (issue #19, the picture half): ties in words, labels at
a minimum size that never overlap, parallel ties apart, confidence beyond a dash, financing columns by
role, search, filters, grouping, focus and expand, the empty message, and PNG/SVG from the same page.
Browser checks open real pages in headless Chromium (Playwright, the system's chromium)."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from graph import viz
from influence_graph import pictures
from tests.helpers import DATABASE, run_cli
from tests.test_viz import SCREENSHOTS, browser, open_page  # noqa: F401  (browser is a fixture)


def tie(kind: str, start: str, end: str, **properties) -> dict:
    return {"type": kind, "from": start, "to": end, "confidence": "stated", **properties}


def financing_graph() -> viz.Subgraph:
    """A lender, a government that commissions a project, the project, and a vendor that both builds it and
    lends for it (vendor financing); two parallel ties between the government and the project."""
    graph = viz.Subgraph()
    for node_id, label, name in [("exim", "StateBank", "Export-Import Bank of China"),
                                 ("gov", "Government", "Government of Zimbabwe"),
                                 ("proj", "Project", "Zimbabwe NetOne National Mobile Broadband Project Phase Two"),
                                 ("hw", "Company", "Huawei Technologies Co., Ltd.")]:
        graph.nodes[node_id] = {"id": node_id, "label": label, "name": name}
    graph.nodes["proj"]["note"] = "Phase two may be a renaming of phase one."
    graph.edges["loan"] = tie("FINANCED", "exim", "proj", amount=5e8, currency="USD", amountUsd=5e8, year=2015,
                              instrument="loan", note="amount from a press report")
    graph.edges["commissioned"] = tie("COMMISSIONED", "gov", "proj")
    graph.edges["gov-grant"] = tie("FINANCED", "gov", "proj", amount=1e7, currency="USD", amountUsd=1e7,
                                   instrument="grant", year=2016)
    graph.edges["vendor-loan"] = tie("FINANCED", "hw", "proj", amount=9e9, currency="USD", amountUsd=9e9,
                                     instrument="vendor financing", confidence="inferred")
    graph.edges["contract"] = tie("CONTRACTED_FOR", "hw", "proj", role="prime contractor", confidence="reported")
    return graph


def big_graph(count: int = 500) -> viz.Subgraph:
    """`count` nodes: hubs (banks) each lending to ten projects, each project built by one of 40 contractors."""
    graph = viz.Subgraph()
    banks, contractors = count // 11, 40
    projects = count - banks - contractors
    for i in range(banks):
        graph.nodes[f"b{i}"] = {"id": f"b{i}", "label": "StateBank", "name": f"Bank number {i} of a long name"}
    for i in range(contractors):
        graph.nodes[f"c{i}"] = {"id": f"c{i}", "label": "Company", "name": f"Contractor {i} Corporation"}
    for i in range(projects):
        graph.nodes[f"p{i}"] = {"id": f"p{i}", "label": "Project", "name": f"Safe city project {i}"}
        graph.edges[f"f{i}"] = tie("FINANCED", f"b{i % banks}", f"p{i}", amount=1e6 * (i + 1), currency="USD",
                                   amountUsd=1e6 * (i + 1), year=2010 + i % 10, instrument="loan")
        graph.edges[f"k{i}"] = tie("CONTRACTED_FOR", f"c{i % contractors}", f"p{i}", role="prime contractor",
                                   confidence="inferred" if i % 7 == 0 else "stated")
    return graph


# --- in words ----------------------------------------------------------------------------------------------
def test_ties_are_labelled_in_words():
    graph = financing_graph()
    assert viz.edge_label(graph.edges["loan"]) == "loan USD 500m, 2015"
    assert viz.edge_label(tie("OWNS", "a", "b", share=0.765)) == "76.5%"
    assert viz.edge_label(tie("OWNS", "a", "b", share=0.5)) == "50%"
    assert viz.edge_label(graph.edges["contract"]) == "prime contractor (reported)"
    assert viz.edge_label(graph.edges["vendor-loan"]) == "vendor financing USD 9bn (inferred)"
    assert viz.edge_label(tie("FINANCED", "a", "b", amount=1.234e9, currency="CNY", year=2018, instrument="loan",
                              status="cancelled")) == "loan CNY 1.23bn, 2018 (cancelled)"
    # a lender's part of a joint commitment, and a joint commitment whose split is not given
    part = tie("FINANCED", "a", "b", amount=3e8, partAmount=1e8, currency="USD", year=2015, instrument="loan")
    assert viz.edge_label(part) == "loan USD 100m of 300m, 2015"
    assert viz.edge_label(tie("FINANCED", "a", "b", amount=3e8, currency="USD", instrument="loan"), joint=True) == \
        "joint loan USD 300m"
    assert viz.edge_label(tie("COMMISSIONED", "a", "b")) == "commissioned"


def test_short_money():
    assert [viz.short_money(v) for v in (5e8, 1.234e9, 999_500_000, 35_000, 120)] == \
        ["500m", "1.23bn", "1bn", "35k", "120"]


def test_names_are_wrapped_never_cut_silently():
    label = viz.node_label("China National Electronics Import & Export Construction Corporation Limited Group")
    lines = label.split("\n")
    assert len(lines) == viz.LABEL_LINES and all(len(line) <= viz.LABEL_LINE for line in lines)
    assert lines[-1].endswith("…"), "a shortened name says so (the tooltip's first line has it whole)"
    assert viz.node_label("Huawei Technologies Co., Ltd.") == "Huawei Technologies\nCo., Ltd."
    assert viz.node_label("Supercalifragilisticexpialidocious-Holdings") .replace("-\n", "") == \
        "Supercalifragilisticexpialidocious-Holdings"


def test_notes_and_caveats_are_in_the_tooltips():
    graph = financing_graph()
    assert "Note: Phase two may be a renaming of phase one." in viz.node_title(graph.nodes["proj"])
    assert "Note: amount from a press report" in viz.edge_title(graph.edges["loan"], graph.nodes)


# --- drawing rules -----------------------------------------------------------------------------------------
def test_an_inferred_tie_is_never_the_boldest_line():
    network = viz.build_network(financing_graph(), "financing")
    edges = {e["id"]: e for e in network.edges}
    inferred = edges["vendor-loan"]   # USD 9bn, the largest amount, but inferred
    assert inferred["width"] < min(e["width"] for e in edges.values() if e["confidence"] != "inferred")
    assert inferred["color"]["opacity"] < edges["contract"]["color"]["opacity"] < edges["loan"]["color"]["opacity"]
    assert inferred["dashes"] and edges["contract"]["dashes"] and not edges["loan"]["dashes"]


def test_parallel_ties_are_curved_apart():
    smooth = viz.curves(financing_graph(), viz.layout(financing_graph(), "financing"))
    between_gov = {smooth["commissioned"]["type"], smooth["gov-grant"]["type"]}
    assert between_gov == {"curvedCW", "curvedCCW"}
    between_hw = [smooth["contract"], smooth["vendor-loan"]]
    assert all(s["enabled"] for s in between_hw) and between_hw[0]["type"] != between_hw[1]["type"]
    # one node per column, all on one line: the bank's loan to the project would pass over the government
    assert smooth["loan"] == {"enabled": True, "type": "curvedCW", "roundness": 0.3}
    assert "loan" not in viz.curves(financing_graph(), {"exim": (0, 0), "gov": (420, 200), "proj": (840, 0),
                                                        "hw": (1260, 0)}), "clear of other nodes: straight"


def test_financing_columns_follow_the_role_in_the_chain():
    # Huawei lends (vendor financing) and builds: it sits in the contractor column (3 × 420), right of
    # the project (2 × 420); the government commissions and pays (buyer, 1 × 420); the bank lends (0).
    x = {node: position[0] for node, position in viz.layout(financing_graph(), "financing").items()}
    assert x == {"exim": 0.0, "gov": 420.0, "proj": 840.0, "hw": 1260.0}


def test_importance_is_ties_plus_money():
    graph = viz.Subgraph()
    for node in "abc":
        graph.nodes[node] = {"id": node, "label": "Company", "name": node}
    graph.edges["ab"] = tie("FINANCED", "a", "b", amountUsd=999.0)   # log10(1 + 999) / 3 = 1: a = 1 + 1 = 2
    graph.edges["bc"] = tie("OWNS", "b", "c", share=0.5)             # b = 2 + 1 = 3, c = 1
    assert viz.importance(graph) == pytest.approx({"a": 2.0, "b": 3.0, "c": 1.0})


# --- in the browser ----------------------------------------------------------------------------------------
OVERLAPS = """() => {
  const boxes = [];
  for (const id of window.influenceGraph.labelledNodes) boxes.push(network.body.nodes[id].labelModule.size);
  for (const id of window.influenceGraph.labelledEdges) boxes.push(network.body.edges[id].labelModule.size);
  let count = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height) count++;
  }
  return count;
}"""
SMALLEST_LABEL_PX = """() => Math.min(
  ...window.influenceGraph.labelledNodes.map(id => network.body.nodes[id].labelModule.fontOptions.size),
  ...window.influenceGraph.labelledEdges.map(id => network.body.edges[id].labelModule.fontOptions.size)) * network.getScale()"""


def test_small_picture_labels_everything_readably(browser, tmp_path):  # noqa: F811
    path = viz.render_subgraph(financing_graph(), tmp_path / "small.html", kind="financing")
    page, requests, errors, dialogs = open_page(browser, path)
    drawn = page.evaluate("({nodes: window.influenceGraph.labelledNodes, edges: window.influenceGraph.labelledEdges})")
    assert sorted(drawn["nodes"]) == ["exim", "gov", "hw", "proj"]
    assert sorted(drawn["edges"]) == ["commissioned", "contract", "gov-grant", "loan", "vendor-loan"], \
        "each of the parallel ties keeps its own label"
    assert page.evaluate(SMALLEST_LABEL_PX) >= viz.MIN_LABEL_PX
    assert page.evaluate(OVERLAPS) == 0
    assert page.evaluate("network.body.edges['loan'].labelModule.lines[0].blocks[0].text") == "loan USD 500m, 2015"
    assert errors == [] and dialogs == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "small-financing.png")
    page.close()


def test_500_nodes_label_the_important_and_explore(browser, tmp_path):  # noqa: F811
    graph = big_graph(500)
    path = viz.render_subgraph(graph, tmp_path / "big.html", kind="neighbourhood")
    page, requests, errors, dialogs = open_page(browser, path, timeout_ms=120_000)  # 2 cores shared by many
    state = page.evaluate("({n: window.influenceGraph.nodes, labelled: window.influenceGraph.labelledNodes})")
    assert state["n"] == 500
    assert len(state["labelled"]) >= 10, "the most connected names are written"
    assert len(state["labelled"]) < 500, "not every name: the rest are on hover"
    banks = {f"b{i}" for i in range(500 // 11)}
    assert sum(node in banks for node in state["labelled"][:10]) >= 5, "hubs (ten loans each) are labelled first"
    assert page.evaluate(SMALLEST_LABEL_PX) >= viz.MIN_LABEL_PX
    assert page.evaluate(OVERLAPS) == 0

    # the search box finds a node and centres it
    page.fill("#ig-search", "safe city project 123")
    page.click("#ig-find")
    assert page.evaluate("window.influenceGraph.found") == "p123"
    point = page.evaluate("network.canvasToDOM(network.getPosition('p123'))")
    canvas = page.evaluate("[network.canvas.frame.canvas.clientWidth, network.canvas.frame.canvas.clientHeight]")
    assert abs(point["x"] - canvas[0] / 2) < 2 and abs(point["y"] - canvas[1] / 2) < 2
    assert "p123" in page.evaluate("window.influenceGraph.labelledNodes")
    assert "Found Safe city project 123" in page.inner_text("#ig-status")
    page.fill("#ig-search", "no such name")
    page.press("#ig-search", "Enter")
    assert "No node named" in page.inner_text("#ig-status")

    # 45 banks, 40 contractors, 415 projects p0..p414. Focus on p123: itself, its bank b33 (123 % 45) and
    # contractor c3 = 3 nodes; clicking the bank adds its other projects: b33 lends to p33, p78, p123,
    # p168, p213, p258, p303, p348, p393 (every 45th below 415) = 9, of which 8 are new: 3 + 8 = 11
    page.evaluate("window.influenceGraph.focus('p123')")
    assert page.evaluate("window.influenceGraph.shownNodes") == 3
    bank = f"b{123 % 45}"
    point = page.evaluate(f"network.canvasToDOM(network.getPosition('{bank}'))")
    box = page.locator("#mynetwork").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.evaluate("window.influenceGraph.shownNodes") == 3 + 8
    assert page.evaluate("network.body.data.nodes.get().filter(n => !n.hidden).map(n => n.id).sort()") == \
        sorted({"p123", bank, f"c{123 % 40}"} | {f"p{i}" for i in range(415) if i % 45 == 33})
    page.click("#ig-all")
    assert page.evaluate("window.influenceGraph.shownNodes") == 500

    # filters: without Company nodes, 500 - 40 contractors = 460; 830 ties (415 loans, 415 contracts) of which
    # the contracts of p0, p7, ..., p413 (i % 7 == 0: 413 / 7 + 1 = 60) are inferred: 830 - 60 = 770
    page.uncheck('input[data-filter="kind"][value="Company"]')
    assert page.evaluate("window.influenceGraph.shownNodes") == 460
    page.check('input[data-filter="kind"][value="Company"]')
    page.uncheck('input[data-filter="confidence"][value="inferred"]')
    assert page.evaluate("window.influenceGraph.shownEdges") == 830 - 60
    page.check('input[data-filter="confidence"][value="inferred"]')
    # grouping by type: three groups (45 banks, 40 contractors, 415 projects)
    page.select_option("#ig-groupby", "kind")
    assert page.evaluate("Object.keys(network.body.nodes).filter(id => network.isCluster(id)).sort()") == \
        ["group:Company", "group:Project", "group:StateBank"]
    assert page.evaluate("network.body.nodes['group:Project'].options.label") == "Project (415)"
    page.select_option("#ig-groupby", "")
    assert errors == [] and dialogs == []
    page.close()


def test_an_empty_answer_says_so_on_the_page(browser, tmp_path):  # noqa: F811
    path = viz.render_subgraph(viz.Subgraph(), tmp_path / "empty.html", query="financing-chains")
    page, requests, errors, dialogs = open_page(browser, path)
    message = page.locator("#ig-empty")
    assert message.is_visible()
    assert message.inner_text() == "Nothing to draw: the query found no ties for these parameters."
    assert not page.locator("#mynetwork").is_visible()
    assert errors == []
    page.close()


def test_a_picture_of_refused_projects_only_says_they_are_hidden():
    graph = viz.Subgraph({"p": {"id": "p", "label": "Project", "status": "rejected", "name": "P"},
                          "b": {"id": "b", "label": "StateBank", "name": "B"}},
                         {"e": tie("FINANCED", "b", "p")})
    assert viz.empty_message(graph, viz.without_inactive(graph)) == (
        "Nothing in force to draw: 2 nodes and 1 ties are refused projects or ended ties, hidden "
        "(draw them with --show-inactive).")


def test_png_and_svg_with_caption_and_legend(browser, tmp_path):  # noqa: F811
    path = viz.render_subgraph(financing_graph(), tmp_path / "chains.html", title="Zimbabwe chains",
                               kind="financing", query="financing-chains")
    png, svg = pictures.photograph(path, tmp_path / "chains.png", tmp_path / "chains.svg", browser=browser)
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width >= 1400 and height > 780, "the canvas (780 px) and the caption and legend above it"
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "Zimbabwe chains"
    assert any(t.startswith("query: financing-chains") for t in texts)
    assert {"FINANCED", "CONTRACTED_FOR", "inferred: thin and faint (said in the label)"} <= set(texts), "the legend"
    assert {"loan USD 500m, 2015", "Export-Import Bank of", "Huawei Technologies"} <= set(texts), "drawn, as text"
    assert len(list(root.iter("{http://www.w3.org/2000/svg}path"))) >= 4 + 5, "a shape per node and a line per tie"
    with pytest.raises(ValueError, match="is .png or .svg"):
        pictures.photograph(path, tmp_path / "chains.jpg", browser=browser)


def test_cli_empty_answer_and_static_exports(seeded_db, cli_env, tmp_path):
    page = tmp_path / "none.html"
    result = run_cli("viz", "country-exposure", "-p", "country=AQ", "-o", str(page), env=cli_env, check=True)
    assert "Nothing to draw: the query found no ties for these parameters." in result.stdout
    assert "Nothing to draw" in page.read_text(encoding="utf-8")
    png, svg = tmp_path / "zw.png", tmp_path / "zw.svg"
    run_cli("viz", "country-exposure", "-p", "country=ZW", "-o", str(tmp_path / "zw.html"), "--export", str(png),
            "--export", str(svg), env=cli_env, check=True)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Nothing to draw" not in svg.read_text(encoding="utf-8") and "<path" in svg.read_text(encoding="utf-8")
    refused = run_cli("viz", "country-exposure", "-p", "country=ZW", "-o", str(tmp_path / "x.html"),
                      "--export", str(tmp_path / "x.jpg"), env=cli_env)
    assert refused.returncode == 2 and "x.jpg" in refused.stderr and ".png or .svg" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_nodes_carry_their_country_for_grouping(seeded_db):
    # aspi-2019: government-of-zimbabwe GOVERNS ZW, zimbabwe-netone-huawei-contracts and huawei are
    # LOCATED_IN ZW and CN
    graph = pictures.query_subgraph(seeded_db, "country-exposure", {"country": "ZW"}, DATABASE)
    assert graph.nodes["government-of-zimbabwe"]["country"] == "Zimbabwe"
    assert graph.nodes["zimbabwe-netone-huawei-contracts"]["country"] == "Zimbabwe"
    assert graph.nodes["huawei"]["country"] == "China"
    network = viz.build_network(graph, "financing")
    assert {n["id"]: n["country"] for n in network.nodes}["government-of-zimbabwe"] == "Zimbabwe"
