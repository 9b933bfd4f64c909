"""Entity resolution across sources: ids first, then names and aliases, a review file, decisions."""

from __future__ import annotations

import csv

import pytest

import cypher
from graph.records import Dataset, ImportFailed, Origin
from graph.writer import write_dataset
from importers.resolve import Resolver, known_from_graph, normalise_name, read_decisions
from tests.helpers import DATABASE


@pytest.mark.parametrize(("name", "normal"), [
    ("Hangzhou Hikvision Digital Technology Co., Ltd.", "hangzhou hikvision digital technology"),
    ("ZTE Corporation", "zte"), ("Vučić", "vucic"), ("Export-Import Bank of China", "export import bank of china"),
])
def test_normalise_name(name, normal):
    assert normalise_name(name) == normal


def incoming(*nodes, rels=()) -> Dataset:
    dataset = Dataset()
    dataset.add_node("Source", {"id": "new-data", "name": "New data", "title": "t", "publisher": "p", "date": "2024"},
                     Origin("new.csv"))
    for label, node_id, name, extra in nodes:
        dataset.add_node(label, {"id": node_id, "name": name, "sources": ["new-data"], "evidence": [f"{name} row"],
                                 **extra}, Origin("new.csv", 2))
    for start, rel_type, end, extra in rels:
        dataset.add_relationship(rel_type, start, end, {"sources": ["new-data"], "evidence": ["row"],
                                                        "confidence": "stated", "asOf": 2020, **extra},
                                 Origin("new.csv", 3))
    return dataset


def test_alias_and_id_matches_merge_into_the_seed_nodes(seeded_db):
    resolver = Resolver(known_from_graph(seeded_db, DATABASE))
    dataset = incoming(
        ("StateBank", "export-import-bank-of-china-2", "China Eximbank", {"kind": "policy bank"}),
        ("Company", "zte-corporation", "ZTE Corporation", {}),
        ("Project", "new-project", "Tashkent cameras phase 2", {"kind": "safe city"}),
        rels=[("export-import-bank-of-china-2", "FINANCED", "new-project", {"amountUsd": 5e7}),
              ("zte-corporation", "CONTRACTED_FOR", "new-project", {"role": "prime contractor"})],
    )
    result = resolver.resolve(dataset)
    assert {(m.incoming.id, m.candidate.id) for m in result.merged} == {
        ("export-import-bank-of-china-2", "china-exim-bank"), ("zte-corporation", "zte")}
    assert set(dataset.relationships) == {"china-exim-bank|FINANCED|new-project", "zte|CONTRACTED_FOR|new-project"}
    assert dataset.nodes["china-exim-bank"].props["name"] == "Export-Import Bank of China"
    write_dataset(seeded_db, DATABASE, dataset)
    bank = seeded_db.execute_query("MATCH (b:StateBank {id: 'china-exim-bank'}) RETURN b", database_=DATABASE)
    bank = bank.records[0]["b"]
    assert "new-data" in bank["sources"] and "aspi-2019" in bank["sources"], "merging never loses provenance"
    lenders = cypher.run(seeded_db, "top-lenders", {}, DATABASE).set_index("lenderId")
    # the seed gives China Exim no amount (the $1bn in a cited title is no loan): only the new USD 50 million
    assert lenders.loc["china-exim-bank", "totalUsd"] == 50_000_000


def test_external_ids_match_first(seeded_db):
    seeded_db.execute_query("MATCH (n:Company {id: 'hikvision'}) SET n.externalIds = ['lei:HIK123']",
                            database_=DATABASE)
    resolver = Resolver(known_from_graph(seeded_db, DATABASE))
    dataset = incoming(("Company", "hik-vision-digital", "Some other spelling", {"externalIds": ["lei:HIK123"]}))
    result = resolver.resolve(dataset)
    assert [(m.candidate.id, m.reason) for m in result.merged] == [("hikvision", "shared external id")]


def test_uncertain_matches_go_to_review_and_decisions_apply_next_time(seeded_db, tmp_path):
    dataset = incoming(("Company", "hikvison-digital", "Hikvison", {}))
    result = Resolver(known_from_graph(seeded_db, DATABASE)).resolve(dataset)
    assert result.merged == []
    assert [(m.incoming.id, m.candidate.id) for m in result.review] == [("hikvison-digital", "hikvision")]
    review = result.write_review(tmp_path / "review.csv")
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    assert rows[0]["candidate_id"] == "hikvision" and float(rows[0]["score"]) >= 88 and rows[0]["decision"] == ""

    rows[0]["decision"] = "same"
    with (tmp_path / "decisions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    decisions = read_decisions(tmp_path / "decisions.csv")
    again = incoming(("Company", "hikvison-digital", "Hikvison", {}))
    result = Resolver(known_from_graph(seeded_db, DATABASE), decisions).resolve(again)
    assert [(m.candidate.id, m.reason) for m in result.merged] == [("hikvision", "analyst decision")]
    assert "Hikvison" in again.nodes["hikvision"].props["aliases"]


def test_not_same_decision_blocks_even_an_exact_name(seeded_db):
    decisions = {("zte-corporation", "zte"): False}
    result = Resolver(known_from_graph(seeded_db, DATABASE), decisions).resolve(
        incoming(("Company", "zte-corporation", "ZTE Corporation", {})))
    assert result.merged == [] and result.review == []


def test_bad_decision_file_names_row_and_field(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text("incoming_id,candidate_id,decision\na,b,maybe\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        read_decisions(path)
    assert failure.value.problems[0].origin.line == 2 and failure.value.problems[0].field == "decision"


def test_same_id_with_another_label_is_refused(seeded_db):
    with pytest.raises(ImportFailed, match="already has id 'huawei' as a Company"):
        Resolver(known_from_graph(seeded_db, DATABASE)).resolve(incoming(("Organization", "huawei", "Huawei", {})))


def test_two_entities_of_one_import_never_collapse_into_one_node(seeded_db):
    # "BGI Ltd." and "BGI Inc." both normalise to the seed's `bgi` ("BGI Group" would not: Group is no legal form)
    dataset = incoming(("Company", "bgi-ltd", "BGI Ltd.", {}), ("Company", "bgi-inc", "BGI Inc.", {}),
                       rels=[("bgi-ltd", "OWNS", "bgi-inc", {"controlling": True})])
    result = Resolver(known_from_graph(seeded_db, DATABASE)).resolve(dataset)
    assert result.merged == []
    assert {m.incoming.id for m in result.review} == {"bgi-ltd", "bgi-inc"}
    assert "bgi-ltd|OWNS|bgi-inc" in dataset.relationships and dataset.problems() == []
