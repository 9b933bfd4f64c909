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
