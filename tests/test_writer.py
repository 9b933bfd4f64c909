"""The batched writer: provenance from several imports is joined, never overwritten."""

from graph.records import Dataset, Origin
from graph.writer import write_dataset
from tests.helpers import DATABASE


def source(dataset: Dataset, source_id: str) -> None:
    dataset.add_node("Source", {"id": source_id, "name": source_id, "title": source_id, "publisher": "p",
                                "date": "2020"}, Origin("test"))


def company(dataset: Dataset, source_id: str, quote: str, alias: str, **extra) -> None:
    dataset.add_node("Company", {"id": "acme", "name": "Acme", "aliases": [alias], "sources": [source_id],
                                 "evidence": [quote], **extra}, Origin("test"))


def test_second_import_adds_provenance_and_aliases_and_rerun_is_unchanged(clean_db):
    first = Dataset()
    source(first, "s1")
    company(first, "s1", "Acme builds cameras", "Acme Corp", externalIds=["lei:1"])
    write_dataset(clean_db, DATABASE, first)

    second = Dataset()
    source(second, "s2")
    company(second, "s2", "Acme was funded", "ACME Ltd", externalIds=["wikidata:Q1"], sector="video surveillance")
    summary = write_dataset(clean_db, DATABASE, second)
    assert summary.outcomes[("node", "Company")]["updated"] == 1

    node = clean_db.execute_query("MATCH (n:Company {id: 'acme'}) RETURN n", database_=DATABASE).records[0]["n"]
    assert node["sources"] == ["s1", "s2"] and node["evidence"] == ["Acme builds cameras", "Acme was funded"]
    assert node["aliases"] == ["Acme Corp", "ACME Ltd"] and node["externalIds"] == ["lei:1", "wikidata:Q1"]
    assert node["sector"] == "video surveillance"

    again = write_dataset(clean_db, DATABASE, first)
    assert again.outcomes[("node", "Company")] == {"unchanged": 1}
    node = clean_db.execute_query("MATCH (n:Company {id: 'acme'}) RETURN n", database_=DATABASE).records[0]["n"]
    assert node["sources"] == ["s1", "s2"], "re-running the first import keeps the second's quotes"


def ownership(*ties) -> Dataset:
    dataset = Dataset()
    source(dataset, "s1")
    for node_id in {n for tie in ties for n in tie[:2]}:
        dataset.add_node("Company", {"id": node_id, "name": node_id.upper(), "sources": ["s1"], "evidence": ["q"]},
                         Origin("owners.csv", 1))
    for line, (owner, owned, share) in enumerate(ties, start=2):
        dataset.add_relationship("OWNS", owner, owned, {"share": share, "sources": ["s1"], "evidence": ["q"],
                                                        "confidence": "stated", "asOf": 2020}, Origin("owners.csv", line))
    return dataset


def test_cycles_of_control_are_refused_but_minority_cross_holdings_are_not():
    problems = ownership(("a", "b", 0.6), ("b", "c", 0.6), ("c", "a", 0.6)).problems()
    assert any("cycle of controlling stakes" in p.message and p.origin.file == "owners.csv" for p in problems)
    assert ownership(("a", "b", 0.6), ("b", "c", 0.6)).problems() == []
    assert ownership(("a", "b", 0.1), ("b", "a", 0.05)).problems() == []


def test_ended_stakes_do_not_count_towards_100_percent():
    dataset = ownership(("a", "c", 0.6), ("b", "c", 0.3))
    dataset.add_relationship("OWNS", "b", "c", {"share": 0.5, "validTo": 2020, "sources": ["s1"], "evidence": ["q"],
                                                "confidence": "stated", "asOf": 2020}, Origin("owners.csv", 9),
                             key="old")
    assert dataset.problems() == []


def test_stakes_above_100_percent_are_refused():
    problems = ownership(("a", "c", 0.6), ("b", "c", 0.5)).problems()
    assert [(p.field, p.origin.line) for p in problems] == [("share", 3)]
    assert "110%" in problems[0].message


# --- one merge rule, in memory and in Neo4j (the schema's `merge:`) ---------------------------------
def tie(dataset: Dataset, source_id: str, quote: str, **props) -> None:
    """acme SUPPLIES beta, as `source_id` tells it."""
    for node_id in ("acme", "beta"):
        dataset.add_node("Company", {"id": node_id, "name": node_id.title(), "sources": [source_id],
                                     "evidence": [quote]}, Origin("test"))
    dataset.add_relationship("SUPPLIES", "acme", "beta", {"sources": [source_id], "evidence": [quote], **props},
                             Origin("test"))


# Two sources of one tie. By hand, as graph/schema/common.yaml declares: asOf by max (2019 vs 2017 → 2019),
# validFrom by min (2015 vs 2012 → 2012), validTo by max (2018 vs 2020 → 2020), confidence by strongest
# (`reported` vs `stated` → `stated`, first in the enum), note by join ("a" then "b" → "a / b"), the
# quotes as (source, quote) pairs in order, and `product`, kept per source, as both give it.
EARLIER = {"asOf": 2019, "validFrom": 2015, "validTo": 2018, "confidence": "reported", "note": "a", "product": "cameras"}
LATER = {"asOf": 2017, "validFrom": 2012, "validTo": 2020, "confidence": "stated", "note": "b", "product": "cameras"}
MERGED = {"asOf": 2019, "validFrom": 2012, "validTo": 2020, "confidence": "stated", "note": "a / b", "product": "cameras",
          "sources": ["s1", "s2"], "evidence": ["Acme sells cameras to Beta", "Beta buys Acme cameras"]}


def test_a_tie_merges_the_same_way_in_memory_and_in_neo4j(clean_db):
    together = Dataset()
    for source_id in ("s1", "s2"):
        source(together, source_id)
    tie(together, "s1", "Acme sells cameras to Beta", **EARLIER)
    tie(together, "s2", "Beta buys Acme cameras", **LATER)
    assert together.problems() == []
    in_memory = together.relationships["acme|SUPPLIES|beta"].props
    assert {k: in_memory[k] for k in MERGED} == MERGED

    first, second = Dataset(), Dataset()
    source(first, "s1")
    source(second, "s2")
    tie(first, "s1", "Acme sells cameras to Beta", **EARLIER)
    tie(second, "s2", "Beta buys Acme cameras", **LATER)
    write_dataset(clean_db, DATABASE, first)
    summary = write_dataset(clean_db, DATABASE, second)
    assert summary.outcomes[("relationship", "SUPPLIES")] == {"updated": 1}
    stored = clean_db.execute_query("MATCH ()-[r:SUPPLIES]->() RETURN properties(r) AS p", database_=DATABASE).records
    assert len(stored) == 1
    assert {k: stored[0]["p"][k] for k in MERGED} == MERGED

    again = write_dataset(clean_db, DATABASE, second)  # the merged values already hold both: nothing changes
    assert again.outcomes[("relationship", "SUPPLIES")] == {"unchanged": 1}


def test_one_source_giving_two_values_is_a_conflict_in_memory():
    # two sources that disagree are both kept (tests/test_provenance.py); one source cannot say both
    dataset = Dataset()
    source(dataset, "s1")
    tie(dataset, "s1", "Acme sells cameras to Beta", **EARLIER)
    tie(dataset, "s1", "Acme sells switches to Beta", **{**EARLIER, "product": "switches"})
    assert [(p.field, p.message) for p in dataset.problems()] == [
        ("product", "is 'switches' here but 'cameras' at test, both from source 's1'")]


def test_node_descriptions_from_two_imports_are_joined(clean_db):
    # description merges by join: "Maker of cameras" then "Listed in Shenzhen" → "Maker of cameras / Listed in Shenzhen"
    first, second = Dataset(), Dataset()
    source(first, "s1")
    source(second, "s2")
    company(first, "s1", "q1", "Acme Corp", description="Maker of cameras")
    company(second, "s2", "q2", "Acme Corp", description="Listed in Shenzhen")
    write_dataset(clean_db, DATABASE, first)
    write_dataset(clean_db, DATABASE, second)
    node = clean_db.execute_query("MATCH (n:Company {id: 'acme'}) RETURN n", database_=DATABASE).records[0]["n"]
    assert node["description"] == "Maker of cameras / Listed in Shenzhen"
