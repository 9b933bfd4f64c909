"""The neighbourhood query (issue #19): every tie within 1 to 3 ties of an entity, nearest first, up
to a limit, on a small graph made here with the distances worked out by hand; depth outside 1..3
refused, in the CLI and pasted into Neo4j Browser; drawn and exported by `influence viz`."""

from __future__ import annotations

import json

import networkx as nx
import pytest

import cypher
from cypher import QueryError
from graph.records import Dataset, Origin
from tests.helpers import DATABASE, run_cli, wipe_and_write
from tests.test_exports import drawn_ties

QUOTE = {"sources": ["s1"], "evidence": ["a quote"]}


def neighbourhood_graph() -> Dataset:
    """Companies c (the centre), a, b, d, e, f and x; a country XX.

    c OWNS a, b OWNS c, a OWNS b, a OWNS d, d OWNS e, e OWNS f; f paid x (TRANSFERRED); c and x are
    LOCATED_IN XX. Distances from c, places left out: a 1, b 1, d 2, e 3, f 4, x 5."""
    dataset = Dataset()
    origin = Origin("test_exports.py")
    dataset.add_node("Source", {"id": "s1", "name": "s1", "title": "t", "publisher": "p", "date": "2020"}, origin)
    for company in "cabdefx":
        dataset.add_node("Company", {"id": company, "name": company.upper(), **QUOTE}, origin)
    dataset.add_node("Country", {"id": "XX", "name": "Xland", **QUOTE}, origin)
    for start, end in [("c", "a"), ("b", "c"), ("a", "b"), ("a", "d"), ("d", "e"), ("e", "f")]:
        dataset.add_relationship("OWNS", start, end, {**QUOTE, "confidence": "stated", "asOf": 2020, "share": 0.5},
                                 origin)
    dataset.add_relationship("TRANSFERRED", "f", "x", {**QUOTE, "confidence": "stated", "asOf": 2020,
                                                       "kind": "payment", "amountUsd": 10.0}, origin)
    for place in "cx":
        dataset.add_relationship("LOCATED_IN", place, "XX", {**QUOTE, "confidence": "stated", "asOf": 2020}, origin)
    assert dataset.problems() == []
    return dataset


@pytest.fixture(scope="module")
def neighbourhood_db(driver):
    return wipe_and_write(driver, neighbourhood_graph())


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


def test_payments_as_paths_for_neo4j_browser(neighbourhood_db):
    # the seed documents name no payment; this graph has one, f paid x
    expected, values = drawn_ties(neighbourhood_db, "payments", {})
    assert expected == {"f|TRANSFERRED|x"}
    assert [(row[0].start_node["id"], row[0].relationships[0].type, row[0].end_node["id"]) for row in values] == [
        ("f", "TRANSFERRED", "x")]
