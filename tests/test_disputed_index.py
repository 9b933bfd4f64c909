"""The `disputed` indexes (graph/schema/common.yaml, `valueIndex`): `entity_disputed` and
`relationship_disputed` hold exactly the nodes and ties whose sources disagree, whatever the order of
imports, after a second import, after a dispute goes away and after a merge of two nodes; and the
`disagreements` query reads them instead of scanning the graph. On the real server."""

from __future__ import annotations

import cypher
from benchmarks.generate import generate
from benchmarks.imports import stored_properties
from graph.records import Dataset, NodeRecord, Origin
from graph.writer import write_dataset
from importers.resolve import merge_nodes
from tests.helpers import DATABASE, wipe

SOURCES = {"s1": "2019", "s2": "2021", "s3": "2022"}


def said(source: str, sector: str | None = None, role: str | None = None, company: str = "acme") -> Dataset:
    """What `source` says: a company (with its sector), a project, and the company's role on the project."""
    dataset = Dataset()
    for sid, date in SOURCES.items():
        dataset.add_node("Source", {"id": sid, "name": sid, "title": f"Report {sid}", "publisher": "p", "date": date},
                         Origin("test"))
    quote = {"sources": [source], "evidence": [f"{source} on {company}"]}
    dataset.add_node("Company", {"id": company, "name": company.title(), "sector": sector, **quote}, Origin(source, 1))
    dataset.add_node("Project", {"id": "p1", "name": "Safe City", "kind": "safe city", **quote}, Origin(source, 2))
    if role:
        dataset.add_relationship("CONTRACTED_FOR", company, "p1", {"role": role, "confidence": "stated", "asOf": 2019,
                                                                   **quote}, Origin(source, 3))
    return dataset


def ids(driver, query: str) -> list[str]:
    return [record["id"] for record in driver.execute_query(query, database_=DATABASE).records]


def indexed(driver) -> tuple[list[str], list[str]]:
    """The ids the two indexes find (`*`: every disputed node or tie)."""
    return (ids(driver, "CALL db.index.fulltext.queryNodes('entity_disputed', '*') YIELD node "
                        "RETURN node.id AS id ORDER BY id"),
            ids(driver, "CALL db.index.fulltext.queryRelationships('relationship_disputed', '*') YIELD relationship "
                        "RETURN relationship.id AS id ORDER BY id"))


def scanned(driver) -> tuple[list[str], list[str]]:
    """The same, by reading every node and tie: what the indexes must agree with."""
    return (ids(driver, "MATCH (n) WHERE n.disputed IS NOT NULL RETURN n.id AS id ORDER BY id"),
            ids(driver, "MATCH ()-[r]->() WHERE r.disputed IS NOT NULL RETURN r.id AS id ORDER BY id"))


def test_the_indexes_hold_the_disputed_items_in_either_order_and_after_a_second_import(clean_db):
    tie = "acme|CONTRACTED_FOR|p1"
    for order in (("s1", "s2"), ("s2", "s1")):
        wipe(clean_db)
        values = {"s1": ("trading", "prime contractor"), "s2": ("logistics", "subcontractor")}
        write_dataset(clean_db, DATABASE, said(order[0], *values[order[0]]))
        assert indexed(clean_db) == scanned(clean_db) == ([], []), "one source: nothing disputed"
        write_dataset(clean_db, DATABASE, said(order[1], *values[order[1]]))
        assert indexed(clean_db) == scanned(clean_db) == (["acme"], [tie])
        write_dataset(clean_db, DATABASE, said(order[1], *values[order[1]]))  # the same import again
        assert indexed(clean_db) == scanned(clean_db) == (["acme"], [tie])
    # s2 reads again and now agrees with s1: its new reading replaces its old one and the dispute goes
    write_dataset(clean_db, DATABASE, said("s2", "trading", "prime contractor"))
    assert indexed(clean_db) == scanned(clean_db) == ([], [])
    # a third source disagrees on the role only
    write_dataset(clean_db, DATABASE, said("s3", "trading", "operator"))
    assert indexed(clean_db) == scanned(clean_db) == ([], [tie])
    assert {r["property"] for r in cypher.records(clean_db, cypher.get("disagreements"), {}, DATABASE)} == {"role"}


def test_the_indexes_follow_a_merge_of_two_nodes(clean_db):
    # acme: s1 says trading. acme-ltd: s2 says logistics and s3 trading (disputed), and s2 and s3 disagree on
    # its role on p1 (a disputed tie). Merged into acme, acme-ltd and its tie leave the indexes; acme is
    # disputed (trading by s1 and s3, logistics by s2), and so is the tie it takes over
    write_dataset(clean_db, DATABASE, said("s1", "trading"))
    write_dataset(clean_db, DATABASE, said("s2", "logistics", "prime contractor", company="acme-ltd"))
    write_dataset(clean_db, DATABASE, said("s3", "trading", "subcontractor", company="acme-ltd"))
    assert indexed(clean_db) == scanned(clean_db) == (["acme-ltd"], ["acme-ltd|CONTRACTED_FOR|p1"])
    merge_nodes(clean_db, DATABASE, "acme", "acme-ltd")
    assert indexed(clean_db) == scanned(clean_db) == (["acme"], ["acme|CONTRACTED_FOR|p1"])
    rows = cypher.records(clean_db, cypher.get("disagreements"), {"entity": "acme"}, DATABASE)
    assert sorted((r["item"], r["property"], r["value"], tuple(r["sources"])) for r in rows) == [
        ("acme", "sector", "logistics", ("s2",)), ("acme", "sector", "trading", ("s1", "s3")),
        ("acme -CONTRACTED_FOR-> p1", "role", "prime contractor", ("s2",)),
        ("acme -CONTRACTED_FOR-> p1", "role", "subcontractor", ("s3",))]
    # pages of one row, in the order of the columns, make up the whole list (4 rows)
    pages = [cypher.records(clean_db, cypher.get("disagreements"), {"limit": 1, "skip": k}, DATABASE) for k in range(5)]
    assert [page for page in pages[:4] if len(page) == 1] == [[row] for row in rows] and pages[4] == []


def test_the_disagreements_query_reads_the_indexes_not_the_graph(clean_db):
    write_dataset(clean_db, DATABASE, said("s1", "trading", "prime contractor"))
    write_dataset(clean_db, DATABASE, said("s2", "logistics", "subcontractor"))
    query = cypher.get("disagreements")
    for params in ({}, {"label": "Company"}, {"property": "role"}, {"entity": "p1"}):
        plan = clean_db.execute_query("EXPLAIN " + query.cypher, query.bind(params), database_=DATABASE).summary.plan
        operators = set()
        stack = [plan]
        while stack:
            step = stack.pop()
            operators.add(step["operatorType"].split("@")[0])
            stack += step.get("children", [])
        assert not {op for op in operators if "AllNodesScan" in op or "AllRelationshipsScan" in op
                    or "ByLabelScan" in op or "ByTypeScan" in op}, operators
    # a property name that Lucene would read as syntax is one quoted term: nothing found, no error
    assert cypher.records(clean_db, query, {"property": 'role" OR *'}, DATABASE) == []


def test_the_benchmark_graph_has_disputes_and_the_csv_baselines_store_them_as_the_writer(clean_db):
    # benchmarks/generate.py gives about 1.5% of the entities and of the ties a second source's value; the
    # CSV baselines (LOAD CSV, neo4j-admin) store what the writer stores for them, shown value included
    dataset, picks = generate(2000, seed=4)
    write_dataset(clean_db, DATABASE, dataset)
    nodes, ties = indexed(clean_db)
    entities = sum(1 for n in dataset.nodes.values() if n.label != "Source")
    assert (len(nodes), len(ties)) == (int(entities * 0.015), int(len(dataset.relationships) * 0.015))
    assert (nodes, ties) == scanned(clean_db)
    assert picks.disputed and not set(picks.disputed) & set(picks.undisputed)
    dates = {n.id: n.props["date"] for n in dataset.nodes.values() if n.label == "Source"}
    records = [dataset.nodes[i] for i in nodes] + [dataset.relationships[i] for i in ties]
    for record in records:
        match = "MATCH (n:Entity {id: $id})" if isinstance(record, NodeRecord) else "MATCH ()-[n {id: $id}]->()"
        graph = clean_db.execute_query(match + " RETURN properties(n) AS p", id=record.id,
                                       database_=DATABASE).records[0]["p"]
        assert stored_properties(dataset, record, dates) == graph, record.id
    # co-financed commitments: several lenders' ties share one key
    keys = [r.props["commitment"] for r in dataset.relationships.values() if r.props.get("commitment")]
    assert keys and len(set(keys)) < len(keys)
