"""A tie's `start` (graph/schema/common.yaml: `firstOf: [validFrom, year, asOf]`, written by the writer) and the
`ties-in-force` query that reads it through one range index per type: the stored value stays what the
query used to compute, after a second source, a merge of two nodes and on a graph written before `start`
existed; the query gives the rows of the scan it replaced. On the real server."""

from __future__ import annotations

import re

import pytest

import cypher
from graph.records import Dataset, Origin
from graph.schema import apply_schema, load_schema
from graph.writer import write_dataset
from importers.resolve import merge_nodes
from tests.helpers import DATABASE

# What the query computed for every tie before `start` was stored (cypher/timeline/ties-in-force.cypher
# at ea01a68): a scan of every tie, sorted; the reference the indexed query must agree with.
SCANNED = """
MATCH (a)-[r]->(b)
WHERE (($types IS NULL AND NOT type(r) IN ['LOCATED_IN', 'GOVERNS']) OR type(r) IN $types) AND a:Entity AND b:Entity
WITH a, r, b, coalesce(r.validFrom, r.year, r.asOf) AS start,
     CASE WHEN r.validTo IS NOT NULL THEN r.validTo WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END AS end
WHERE start <= coalesce($toYear, $fromYear) AND (end IS NULL OR end >= $fromYear)
RETURN a.name AS from, type(r) AS relationship, b.name AS to, start, end, r.id AS id
ORDER BY start, relationship, from, to, id
SKIP $skip LIMIT $limit"""

WRONG = "MATCH ()-[r]->() WHERE r.start IS NULL OR r.start <> coalesce(r.validFrom, r.year, r.asOf) RETURN r.id AS id"


def wrong_starts(driver) -> list[str]:
    return [record["id"] for record in driver.execute_query(WRONG, database_=DATABASE).records]


def stored_start(driver, tie: str) -> int | None:
    return driver.execute_query("MATCH ()-[r {id: $id}]->() RETURN r.start AS start", id=tie,
                                database_=DATABASE).records[0]["start"]


def said(source: str, date: str, tie: dict, company: str = "acme") -> Dataset:
    """What `source` says: a company built a project, with the tie's years as given."""
    dataset = Dataset()
    dataset.add_node("Source", {"id": source, "name": source, "title": f"Report {source}", "publisher": "p",
                                "date": date}, Origin("test"))
    quote = {"sources": [source], "evidence": [f"{source} on {company}"]}
    dataset.add_node("Company", {"id": company, "name": company.title(), **quote}, Origin(source, 1))
    dataset.add_node("Project", {"id": "p1", "name": "Safe City", "kind": "safe city", **quote}, Origin(source, 2))
    built = {"role": "prime contractor", "confidence": "stated", **tie, **quote}
    dataset.add_relationship("CONTRACTED_FOR", company, "p1", built, Origin(source, 3))
    return dataset


def test_start_follows_the_merged_years_of_every_source(clean_db):
    tie = "acme|CONTRACTED_FOR|p1"
    write_dataset(clean_db, DATABASE, said("s1", "2019", {"asOf": 2019}))
    assert stored_start(clean_db, tie) == 2019, "no validFrom: the year the source speaks of"
    write_dataset(clean_db, DATABASE, said("s2", "2021", {"asOf": 2021, "validFrom": 2016}))
    assert stored_start(clean_db, tie) == 2016, "a second source's validFrom comes first"
    write_dataset(clean_db, DATABASE, said("s3", "2022", {"asOf": 2022, "validFrom": 2018}))
    assert stored_start(clean_db, tie) == 2016, "validFrom merges by min: the earlier year stays"
    assert wrong_starts(clean_db) == []


def test_start_is_written_again_when_two_nodes_are_merged(clean_db):
    write_dataset(clean_db, DATABASE, said("s1", "2019", {"asOf": 2019}, company="acme"))
    write_dataset(clean_db, DATABASE, said("s2", "2021", {"asOf": 2021, "validFrom": 2012}, company="acme-ltd"))
    merge_nodes(clean_db, DATABASE, "acme", "acme-ltd")
    assert stored_start(clean_db, "acme|CONTRACTED_FOR|p1") == 2012, "the joined tie has the earlier validFrom"
    assert wrong_starts(clean_db) == []


def test_a_graph_written_before_start_existed_is_filled_once_its_index_is_missing(seeded_db):
    ties = seeded_db.execute_query("MATCH ()-[r:FINANCED]->() RETURN count(r) AS n", database_=DATABASE).records[0]["n"]
    assert ties > 0
    try:
        seeded_db.execute_query("DROP INDEX financed_start", database_=DATABASE)
        seeded_db.execute_query("MATCH ()-[r:FINANCED]->() REMOVE r.start", database_=DATABASE)
        assert len(wrong_starts(seeded_db)) == ties
        apply_schema(seeded_db, DATABASE)
    finally:  # the module's other tests read this graph
        apply_schema(seeded_db, DATABASE)
    assert wrong_starts(seeded_db) == []
    indexes = seeded_db.execute_query("SHOW INDEXES YIELD name WHERE name = 'financed_start' RETURN name",
                                      database_=DATABASE).records
    assert len(indexes) == 1


def test_an_import_refuses_a_start_it_is_given():
    dataset = said("s1", "2019", {"asOf": 2019, "start": 1990})
    problems = [p for p in dataset.problems() if p.field == "start"]
    assert problems and "written by the writer" in problems[0].message


def test_the_query_has_a_branch_for_every_type_of_the_schema():
    text = cypher.load_queries()["ties-in-force"].cypher
    assert sorted(re.findall(r"MATCH \(a\)-\[r:(\w+)\]->\(b\)", text)) == sorted(load_schema().relationships)


@pytest.mark.parametrize("parameters", [
    {"fromYear": 2015},
    {"fromYear": 2010, "toYear": 2020, "limit": 7, "skip": 3},
    {"fromYear": 2018, "types": ["FINANCED"], "openEnded": False},
    {"fromYear": 2000, "toYear": 2030, "types": ["LOCATED_IN", "GOVERNS", "OWNS"]},
    {"fromYear": 2019, "types": ["NO_SUCH_TYPE"]},
])
def test_the_indexed_query_gives_the_rows_of_the_scan(seeded_db, parameters):
    query = cypher.load_queries()["ties-in-force"]
    values = {**{p.name: p.default for p in query.parameters}, **parameters}
    scanned = [r.data() for r in seeded_db.execute_query(SCANNED, values, database_=DATABASE).records]
    got = [{"from": r["from"], "relationship": r["relationship"], "to": r["to"], "start": r["start"], "end": r["end"],
            "id": r["hops"][0]["properties"]["id"]}
           for r in seeded_db.execute_query(query.cypher, values, database_=DATABASE).records]
    assert got == scanned
    if parameters.get("types") != ["NO_SUCH_TYPE"]:
        assert scanned, "the seed graph has ties in these years: the comparison is not of two empty lists"
