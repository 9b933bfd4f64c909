"""Exports hold what the picture shows (issue #19): GEXF keeps the tie type where Gephi and networkx
read it, JSON is networkx node-link data, hidden items only when asked and then flagged, notes and
evidence everywhere; the neighbourhood query; chain queries as paths for Neo4j Browser; an empty
answer said in one line with nothing written."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from neo4j import READ_ACCESS
from neo4j.graph import Path as GraphPath

import cypher
from cypher import QueryError
from graph import exports, viz
from graph.records import Dataset, Origin
from graph.writer import write_dataset
from influence_graph import pictures
from tests.helpers import DATABASE, run_cli, wipe

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
        "Nothing to draw: owners-of (entity=no-such-entity, maxDepth=6) found no ties. Nothing written."]
    assert not empty.exists()
    bad = run_cli("viz", "owners-of", "-p", "entity=hikvision", "-o", str(empty / "b.html"),
                  "--export", str(empty / "b.csv"), env=cli_env)
    assert bad.returncode == 2 and "must end in .graphml, .gexf, .json" in bad.stderr and not empty.exists()


# --- the neighbourhood query ------------------------------------------------------------------------------
def neighbourhood_graph() -> Dataset:
    """Companies c (the centre), a, b, d, e, f and x; a country XX.

    c OWNS a, b OWNS c, a OWNS b, a OWNS d, d OWNS e, e OWNS f; c and x are LOCATED_IN XX.
    Distances from c over OWNS: a 1, b 1, d 2, e 3, f 4."""
    dataset = Dataset()
    origin = Origin("test_exports.py")
    dataset.add_node("Source", {"id": "s1", "name": "s1", "title": "t", "publisher": "p", "date": "2020"}, origin)
    for company in "cabdefx":
        dataset.add_node("Company", {"id": company, "name": company.upper(), **QUOTE}, origin)
    dataset.add_node("Country", {"id": "XX", "name": "Xland", **QUOTE}, origin)
    for start, end in [("c", "a"), ("b", "c"), ("a", "b"), ("a", "d"), ("d", "e"), ("e", "f")]:
        dataset.add_relationship("OWNS", start, end, {**QUOTE, "confidence": "stated", "asOf": 2020, "share": 0.5},
                                 origin)
    for place in "cx":
        dataset.add_relationship("LOCATED_IN", place, "XX", {**QUOTE, "confidence": "stated", "asOf": 2020}, origin)
    assert dataset.problems() == []
    return dataset


@pytest.fixture(scope="module")
def neighbourhood_db(driver):
    wipe(driver)
    write_dataset(driver, DATABASE, neighbourhood_graph())
    return driver


def neighbours(db, **params) -> list[dict]:
    return cypher.records(db, "neighbourhood", {"entity": "c", **params}, DATABASE)


def ties(rows: list[dict]) -> set[str]:
    return {f"{r['from']}>{r['to']}" for r in rows}


def test_neighbourhood_by_depth(neighbourhood_db):
    # depth 1 reaches a and b: the ties among c, a, b are c>a, b>c (distance 0) and a>b (distance 1)
    one = neighbours(neighbourhood_db, depth=1)
    assert {f"{r['from']}>{r['to']}": r["distance"] for r in one} == {"C>A": 0, "B>C": 0, "A>B": 1}
    # depth 2 adds d, and a>d (distance 1); depth 3 adds e, and d>e (distance 2); f (4 away) never
    assert ties(neighbours(neighbourhood_db, depth=2)) == {"C>A", "B>C", "A>B", "A>D"}
    three = neighbours(neighbourhood_db, depth=3)
    assert ties(three) == {"C>A", "B>C", "A>B", "A>D", "D>E"}
    assert {r["tiesInReach"] for r in three} == {5}
    assert all(r["hops"][0]["type"] == "OWNS" and r["evidence"] == ["s1: a quote"] for r in three)


def test_neighbourhood_limit_keeps_the_nearest_and_says_how_many(neighbourhood_db):
    # of the 5 ties within 3, the two touching c come first, by id: "b|OWNS|c" before "c|OWNS|a"
    rows = neighbours(neighbourhood_db, depth=3, limit=2)
    assert [(r["from"], r["to"], r["tiesInReach"]) for r in rows] == [("B", "C", 5), ("C", "A", 5)]


def test_neighbourhood_places_only_when_asked(neighbourhood_db):
    # by default LOCATED_IN is neither walked nor shown; asked for, c>XX (0) and x>XX (1) within 2
    assert "C>XLAND" not in ties(neighbours(neighbourhood_db, depth=3))
    rows = neighbours(neighbourhood_db, depth=2, types=["LOCATED_IN"])
    assert {f"{r['from']}>{r['to']}": r["distance"] for r in rows} == {"C>Xland": 0, "X>Xland": 1}


@pytest.mark.parametrize(("params", "message"), [
    ({"depth": 0}, "parameter 'depth' must be from 1 to 3, got 0"),
    ({"depth": 4}, "parameter 'depth' must be from 1 to 3, got 4"),
    ({"limit": 0}, "parameter 'limit' must be from 1 to 10000, got 0"),
])
def test_neighbourhood_parameters_out_of_range_are_refused(params, message):
    with pytest.raises(QueryError) as error:
        cypher.get("neighbourhood").bind({"entity": "c", **params})
    assert str(error.value) == message


def test_neighbourhood_pasted_into_browser_refuses_a_bad_depth_too(neighbourhood_db):
    query = cypher.get("neighbourhood")
    unchecked = {"entity": "c", "depth": 5, "limit": 200, "types": None}   # as `:param` lines would give them
    with pytest.raises(QueryError, match="depth must be 1, 2 or 3, not 5"):
        cypher.read(neighbourhood_db, query.cypher, unchecked, DATABASE)


def test_cli_draws_a_neighbourhood(neighbourhood_db, cli_env, tmp_path):
    page, as_json = tmp_path / "n.html", tmp_path / "n.json"
    run_cli("viz", "neighbourhood", "-p", "entity=c", "-p", "depth=2", "-p", "limit=200", "-o", str(page),
            "--export", str(as_json), env=cli_env, check=True)
    back = nx.node_link_graph(json.loads(as_json.read_text(encoding="utf-8")), edges="edges")
    assert set(back.nodes) == {"a", "b", "c", "d"} and back.number_of_edges() == 4
    refused = run_cli("viz", "neighbourhood", "-p", "entity=c", "-p", "depth=4", "-o", str(page), env=cli_env)
    assert refused.returncode == 1 and "parameter 'depth' must be from 1 to 3, got 4" in refused.stderr


# --- chain queries as paths for Neo4j Browser -------------------------------------------------------------
CHAINS = sorted(name for name, query in cypher.load_queries().items() if query.visual)
DRAWN = {"financing-chains": {}, "owners-of": {"entity": "hikvision"}, "holdings-of": {"entity": "huawei"},
         "party-channel": {}, "country-exposure": {"country": "ZW"},
         "influence-path": {"from": "china-exim-bank", "to": "zte"}, "vendor-footprint": {"vendor": "cetc"},
         "entity-profile": {"entity": "huawei"}, "ties-in-force": {"fromYear": 2015}, "payments": {},
         "designations": {}, "neighbourhood": {"entity": "huawei", "depth": 2}}


def test_every_chain_query_has_seed_parameters_here():
    assert set(CHAINS) == set(DRAWN)


@pytest.mark.parametrize("name", CHAINS)
def test_graph_variant_returns_the_ties_of_the_rows_as_paths(name, seeded_db):
    query = cypher.get(name)
    bound = query.bind(DRAWN[name])
    expected = {hop["properties"]["id"] for row in cypher.records(seeded_db, name, bound, DATABASE)
                for hop in row["hops"]}
    assert expected, "the seed graph gives this query ties to draw"
    cypher.read(seeded_db, query.graph_cypher(), bound, DATABASE)   # the read-only path accepts it
    with seeded_db.session(database=DATABASE, default_access_mode=READ_ACCESS) as session:
        values = session.execute_read(lambda tx: [r.values() for r in tx.run(query.graph_cypher(), bound)])
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
