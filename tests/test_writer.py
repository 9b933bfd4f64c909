"""The batched writer: provenance from several imports is joined, never overwritten."""

from importers.core import Dataset, Origin, write_dataset
from tests.conftest import DATABASE


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


def test_ownership_cycles_are_refused():
    problems = ownership(("a", "b", 0.5), ("b", "c", 0.5), ("c", "a", 0.5)).problems()
    assert any("ownership cycle" in p.message and p.origin.file == "owners.csv" for p in problems)
    assert ownership(("a", "b", 0.5), ("b", "c", 0.5)).problems() == []


def test_stakes_above_100_percent_are_refused():
    problems = ownership(("a", "c", 0.6), ("b", "c", 0.5)).problems()
    assert [(p.field, p.origin.line) for p in problems] == [("share", 3)]
    assert "110%" in problems[0].message
