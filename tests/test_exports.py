"""Exports hold what the picture shows (issue #19): GEXF keeps the tie type where Gephi and networkx
read it, JSON is networkx node-link data, hidden items only when asked and then flagged, notes and
evidence everywhere; chain queries as paths for Neo4j Browser; an empty answer said in one line with
nothing written. (The neighbourhood query: tests/test_neighbourhood.py.)"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from neo4j import READ_ACCESS
from neo4j.graph import Path as GraphPath

import cypher
from graph import exports, viz
from influence_graph import pictures
from tests.helpers import DATABASE, run_cli

QUOTE = {"sources": ["s1"], "evidence": ["a quote"]}


# --- a small subgraph made here -------------------------------------------------------------------------
def small_graph() -> viz.Subgraph:
    """bank lends for an implemented and a rejected project; gov commissioned the rejected one; vendor's
    contract for the implemented one ended in 2015. Amounts mix whole and fractional numbers."""
    graph = viz.Subgraph()
    for node_id, label, extra in [("bank", "StateBank", {}), ("gov", "Government", {}),
                                  ("ok", "Project", {"status": "implemented", "note": "value estimated"}),
                                  ("refused", "Project", {"status": "rejected"}), ("vendor", "Company", {})]:
        graph.nodes[node_id] = {"id": node_id, "label": label, "name": f"{node_id.title()} Name", **QUOTE, **extra}

    def tie(start, rel_type, end, **props):
        graph.edges[f"{start}|{rel_type}|{end}"] = {"id": f"{start}|{rel_type}|{end}", "type": rel_type,
                                                    "from": start, "to": end, "confidence": "stated", **QUOTE, **props}

    tie("bank", "FINANCED", "ok", amountUsd=500000000, currency="USD", amount=500000000, note="loan, terms not given")
    tie("bank", "FINANCED", "refused", amountUsd=1.5e8, currency="USD", amount=1.5e8)
    tie("gov", "COMMISSIONED", "refused")
    tie("vendor", "CONTRACTED_FOR", "ok", role="prime contractor", validTo=2015)
    return graph


def test_as_shown_hides_what_the_picture_hides_and_flags_it_when_asked():
    graph = small_graph()
    # Hidden by default: the rejected project; the ended contract; the two ties to the rejected project;
    # then gov and vendor, which only those ties connected. Left: bank and ok, and the one loan between them.
    shown = exports.as_shown(graph)
    assert (set(shown.nodes), set(shown.edges)) == ({"bank", "ok"}, {"bank|FINANCED|ok"})
    assert not any("hiddenByDefault" in item for item in [*shown.nodes.values(), *shown.edges.values()])
    flagged = exports.as_shown(graph, show_inactive=True)
    assert {k: n.get("hiddenBecause") for k, n in flagged.nodes.items()} == {
        "bank": None, "ok": None, "refused": "project rejected",
        "gov": "tied only by refused projects or ended ties", "vendor": "tied only by refused projects or ended ties"}
    assert {k: e.get("hiddenBecause") for k, e in flagged.edges.items()} == {
        "bank|FINANCED|ok": None, "bank|FINANCED|refused": "an end of the tie is hidden",
        "gov|COMMISSIONED|refused": "an end of the tie is hidden", "vendor|CONTRACTED_FOR|ok": "tie ended in 2015"}
    assert {k for k, item in [*flagged.nodes.items(), *flagged.edges.items()] if item.get("hiddenByDefault")} == {
        "refused", "gov", "vendor", "bank|FINANCED|refused", "gov|COMMISSIONED|refused", "vendor|CONTRACTED_FOR|ok"}
    assert "hiddenByDefault" not in graph.nodes["refused"], "the picture's own graph is not changed"


def test_gexf_keeps_the_tie_type_where_gephi_and_networkx_read_it(tmp_path):
    graph = small_graph()
    path = exports.export(graph, tmp_path / "small.gexf", metadata={"query": "q"})
    namespace = {"g": "http://www.gexf.net/1.2draft"}
    edges = ET.parse(path).getroot().findall(".//g:edge", namespace)
    assert len(edges) == 4 and all(edge.get("type") in (None, "directed") for edge in edges), \
        "GEXF's own `type` says directed/undirected; the tie type is not written there"
    back = nx.read_gexf(path)
    assert sorted(data["tieType"] for *_, data in back.edges(data=True)) == [
        "COMMISSIONED", "CONTRACTED_FOR", "FINANCED", "FINANCED"]
    assert {n: (d["label"], d["entityType"]) for n, d in back.nodes(data=True)}["bank"] == ("Bank Name", "StateBank")
    amounts = sorted(data["amountUsd"] for *_, data in back.edges(data=True) if "amountUsd" in data)
    assert amounts == [1.5e8, 5e8], "a whole amount and a fractional one read back as the same type"
    loan = next(data for *_, data in back.edges(data=True) if data.get("note"))
    assert loan["note"] == "loan, terms not given" and json.loads(loan["evidence"]) == ["a quote"]


def test_graphml_round_trips_types_notes_and_evidence(tmp_path):
    back = nx.read_graphml(exports.export(small_graph(), tmp_path / "small.graphml", metadata={"query": "q"}))
    assert back.graph["query"] == "q"
    assert {(a, b, d["tieType"]) for a, b, d in back.edges(data=True)} == {
        ("bank", "ok", "FINANCED"), ("bank", "refused", "FINANCED"), ("gov", "refused", "COMMISSIONED"),
        ("vendor", "ok", "CONTRACTED_FOR")}
    assert back.nodes["ok"]["note"] == "value estimated"
    assert all(json.loads(d["sources"]) == ["s1"] for _, d in back.nodes(data=True))


def test_json_is_networkx_node_link_data(tmp_path):
    graph = small_graph()
    path = exports.export(graph, tmp_path / "small.json", metadata={"query": "q", "sources": {"s1": {"title": "T"}}})
    document = json.loads(path.read_text(encoding="utf-8"))
    back = nx.node_link_graph(document, edges="edges")
    assert isinstance(back, nx.MultiDiGraph) and set(back.nodes) == set(graph.nodes)
    assert {key for *_, key in back.edges(keys=True)} == set(graph.edges)
    assert back.graph == {"query": "q", "sources": {"s1": {"title": "T"}}}
    tie = back.edges["bank", "ok", "bank|FINANCED|ok"]
    assert (tie["tieType"], tie["amountUsd"], tie["note"], tie["evidence"]) == (
        "FINANCED", 5e8, "loan, terms not given", ["a quote"]), "lists stay lists in JSON"


def test_an_unknown_export_format_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match=r"must end in \.graphml, \.gexf, \.json"):
        exports.export(small_graph(), tmp_path / "small.csv")
    assert not (tmp_path / "small.csv").exists()


# --- exports of canned queries on the seed graph --------------------------------------------------------
def test_exports_hold_what_the_picture_shows(seeded_db, tmp_path):
    params = {"vendor": "huawei"}
    graph = pictures.query_subgraph(seeded_db, "vendor-footprint", params, DATABASE)
    refused = {"milton-keynes-smart-city", "kyrgyzstan-huawei-safe-city"}   # FT, Diplomat: said no
    assert refused <= set(graph.nodes)
    drawn = viz.without_inactive(graph)
    paths = [tmp_path / f"footprint{suffix}" for suffix in exports.FORMATS]
    pictures.render(seeded_db, "vendor-footprint", params, tmp_path / "footprint.html", database=DATABASE,
                    exports=paths)
    graphml, gexf = nx.read_graphml(paths[0]), nx.read_gexf(paths[1])
    document = json.loads(paths[2].read_text(encoding="utf-8"))
    node_link = nx.node_link_graph(document, edges="edges")
    for back in (graphml, gexf, node_link):
        assert set(back.nodes) == set(drawn.nodes) and refused.isdisjoint(back.nodes)
        assert back.number_of_edges() == len(drawn.edges)
    # notes, sources and quotes: every tie of the picture that has a note has it in every export
    noted = {key: edge["note"] for key, edge in drawn.edges.items() if edge.get("note")}
    assert noted, "the seed footprint has ties with notes"
    assert {k: d["note"] for *_, k, d in node_link.edges(keys=True, data=True) if "note" in d} == noted
    assert {d["id"]: d["note"] for *_, d in graphml.edges(data=True) if "note" in d} == noted
    assert all(d["evidence"] and len(d["sources"]) == len(d["evidence"]) for *_, d in node_link.edges(data=True))
    cited = exports.cited_sources(drawn)
    assert sorted(node_link.graph["sources"]) == cited and all(node_link.graph["sources"][s]["title"] for s in cited)
    assert node_link.graph["rowsHash"] == drawn.digest() and node_link.graph["parameters"]["vendor"] == "huawei"
    assert json.loads(graphml.graph["sources"]).keys() == set(cited)

    pictures.render(seeded_db, "vendor-footprint", params, tmp_path / "all.html", database=DATABASE,
                    show_inactive=True, exports=[tmp_path / "all.json"])
    everything = nx.node_link_graph(json.loads((tmp_path / "all.json").read_text(encoding="utf-8")), edges="edges")
    assert set(everything.nodes) == set(graph.nodes)
    flagged = {n for n, d in everything.nodes(data=True) if d.get("hiddenByDefault")}
    assert flagged == set(graph.nodes) - set(drawn.nodes) and refused <= flagged
    assert everything.graph["hidden"] == exports.HIDDEN_POLICY[True]


def test_cli_exports_and_an_empty_answer(seeded_db, cli_env, tmp_path):
    page, gexf, as_json = tmp_path / "p.html", tmp_path / "p.gexf", tmp_path / "p.json"
    run_cli("viz", "owners-of", "-p", "entity=hikvision", "-o", str(page), "--export", str(gexf),
            "--export", str(as_json), env=cli_env, check=True)
    assert {d["tieType"] for *_, d in nx.read_gexf(gexf).edges(data=True)} == {"OWNS"}
    assert set(nx.node_link_graph(json.loads(as_json.read_text(encoding="utf-8")), edges="edges")) == {"cetc", "hikvision"}
    empty = tmp_path / "empty"
    result = run_cli("viz", "owners-of", "-p", "entity=no-such-entity", "-o", str(empty / "e.html"),
                     "--export", str(empty / "e.json"), env=cli_env, check=True)
    assert result.stdout.strip().splitlines() == [
        "Nothing to draw: the query found no ties for these parameters. No export written.", f"wrote {empty / 'e.html'}"]
    assert sorted(p.name for p in empty.iterdir()) == ["e.html"], "the page says so; no blank export"
    # a refused project's own ties: all hidden unless asked for
    hidden = pictures.query_subgraph(seeded_db, "entity-profile", {"entity": "milton-keynes-smart-city"}, DATABASE)
    assert hidden.edges and not viz.without_inactive(hidden).nodes
    result = run_cli("viz", "entity-profile", "-p", "entity=milton-keynes-smart-city", "-o", str(empty / "h.html"),
                     "--export", str(empty / "h.gexf"), env=cli_env, check=True)
    assert result.stdout.strip().splitlines()[0] == (
        f"Nothing in force to draw: {len(hidden.nodes)} nodes and {len(hidden.edges)} ties are refused projects or "
        "ended ties, hidden (draw them with --show-inactive). No export written.")
    assert not (empty / "h.gexf").exists()
    bad = run_cli("viz", "owners-of", "-p", "entity=hikvision", "-o", str(empty / "b.html"),
                  "--export", str(empty / "b.csv"), env=cli_env)
    assert bad.returncode == 2 and "must end in .graphml, .gexf, .json" in bad.stderr
    assert not (empty / "b.html").exists()


# --- chain queries as paths for Neo4j Browser -------------------------------------------------------------
CHAINS = sorted(name for name, query in cypher.load_queries().items() if query.visual)
DRAWN = {"financing-chains": {}, "owners-of": {"entity": "hikvision"}, "holdings-of": {"entity": "huawei"},
         "party-channel": {}, "country-exposure": {"country": "ZW"},
         "influence-path": {"from": "china-exim-bank", "to": "zte"}, "vendor-footprint": {"vendor": "cetc"},
         "entity-profile": {"entity": "huawei"}, "ties-in-force": {"fromYear": 2015},
         "designations": {}, "neighbourhood": {"entity": "huawei", "depth": 2}}
# the seed documents name no payment: tests/test_neighbourhood.py draws one on its small graph
NOT_IN_SEEDS = {"payments"}


def test_every_chain_query_has_seed_parameters_here():
    assert set(CHAINS) == set(DRAWN) | NOT_IN_SEEDS


def drawn_ties(db, name: str, params: dict) -> tuple[set[str], list]:
    """The ids of the ties in the rows' `hops`, and the rows of the query's graph variant."""
    query = cypher.get(name)
    bound = query.bind(params)
    expected = {hop["properties"]["id"] for row in cypher.records(db, name, bound, DATABASE) for hop in row["hops"]}
    cypher.read(db, query.graph_cypher(), bound, DATABASE)   # the read-only path accepts it
    with db.session(database=DATABASE, default_access_mode=READ_ACCESS) as session:
        values = session.execute_read(lambda tx: [r.values() for r in tx.run(query.graph_cypher(), bound)])
    return expected, values


@pytest.mark.parametrize("name", sorted(DRAWN))
def test_graph_variant_returns_the_ties_of_the_rows_as_paths(name, seeded_db):
    expected, values = drawn_ties(seeded_db, name, DRAWN[name])
    assert expected, "the seed graph gives this query ties to draw"
    assert values and all(len(row) == 1 and isinstance(row[0], GraphPath) for row in values)
    assert {row[0].relationships[0]["id"] for row in values} == expected
    assert all(len(row[0]) == 1 for row in values), "one tie per path"


def test_cli_show_graph(seeded_db, cli_env):
    shown = run_cli("query", "show", "owners-of", "--graph", "-p", "entity=hikvision", env=cli_env, check=True)
    assert shown.stdout.startswith(':param entity => "hikvision";')
    assert "CALL () {\n  MATCH path = (owner:Entity)-[:OWNS]" in shown.stdout
    assert shown.stdout.rstrip().endswith("RETURN DISTINCT tie")
    refused = run_cli("query", "show", "top-lenders", "--graph", env=cli_env)
    assert refused.returncode == 1 and "returns no ties to draw" in refused.stderr
