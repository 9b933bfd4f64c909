"""The curated dataset: every quote is in its document, every fact obeys the schema, and imports are repeatable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from graph.records import ImportFailed
from graph.writer import write_dataset
from importers import seed
from tests.helpers import DATABASE, SEEDS, count, fingerprint, require_shared, run_cli

SEED_FILES = {"001_31537c1426664df6.txt", "002_82b7fcd6a4a7f66c.txt", "003_5cb89e7bf7397442.txt",
              "004_ad035d2f5d947d2e.txt"}


@pytest.fixture(scope="module")
def dataset():
    return seed.load()


def test_dataset_covers_all_five_documents_and_the_size_asked_for(dataset):
    sources = [n for n in dataset.nodes.values() if n.label == "Source"]
    files = {s.props["file"] for s in sources} | {f for s in sources for f in s.props.get("otherFiles", [])}
    assert files == SEED_FILES | {"000_849149f2a4c54477.txt"}
    entities = [n for n in dataset.nodes.values() if n.label != "Source"]
    assert len(entities) >= 120 and len(dataset.relationships) >= 200
    cited = {s for record in [*entities, *dataset.relationships.values()] for s in record.props["sources"]}
    assert cited == {s.id for s in sources}, "every document is cited by some fact"


def test_every_fact_has_a_source_and_a_quote(dataset):
    for record in [*dataset.nodes.values(), *dataset.relationships.values()]:
        if getattr(record, "label", None) == "Source":
            continue
        assert record.props["sources"] and len(record.props["sources"]) == len(record.props["evidence"]), record.id
        assert all(0 < len(quote) <= 300 for quote in record.props["evidence"]), record.id


def test_every_quote_is_found_in_its_document(dataset):
    documents = require_shared(SEEDS)
    assert seed.unquoted(dataset, documents) == []


def test_a_quote_that_is_not_in_the_document_is_caught(dataset, tmp_path):
    documents = require_shared(SEEDS)
    huawei = dataset.nodes["huawei"]
    original = list(huawei.props["evidence"])
    huawei.props["evidence"][0] = original[0] + " and a sentence nobody wrote"
    try:
        problems = seed.unquoted(dataset, documents)
    finally:
        huawei.props["evidence"] = original
    assert [p.item for p in problems] == ["huawei"] and problems[0].field == "evidence"


@pytest.mark.parametrize(("quote", "in_document"), [
    ("Huawei’s  “safe city”\n— systems", "Huawei's \"safe city\" - systems"),
])
def test_normalise_folds_white_space_quotes_and_dashes(quote, in_document):
    assert seed.normalise(quote) == seed.normalise(in_document)


def test_relationship_ends_exist_and_obey_the_schema(dataset):
    from graph.schema import load_schema

    schema = load_schema()
    for rel in dataset.relationships.values():
        start, end = dataset.nodes[rel.start], dataset.nodes[rel.end]
        assert start.label in schema.relationships[rel.type].from_labels, rel.id
        assert end.label in schema.relationships[rel.type].to_labels, rel.id
    assert dataset.problems() == []


def test_party_committees_never_own(dataset):
    for rel in dataset.relationships.values():
        if rel.type == "OWNS":
            assert dataset.nodes[rel.start].label != "PartyCommittee", rel.id


def test_import_twice_gives_identical_graph(clean_db, dataset):
    first = write_dataset(clean_db, DATABASE, dataset)
    assert first.total("created") == len(dataset.nodes) + len(dataset.relationships)
    nodes = count(clean_db)
    rels = count(clean_db, "MATCH ()-[r]->() RETURN count(r)")
    assert (nodes, rels) == (len(dataset.nodes), len(dataset.relationships))
    before = fingerprint(clean_db)
    second = write_dataset(clean_db, DATABASE, seed.load())
    assert second.total("created") == 0 and second.total("updated") == 0
    assert second.total("unchanged") == nodes + rels
    assert fingerprint(clean_db) == before
    duplicates = count(clean_db, "MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*)")
    assert duplicates == 0


def test_imported_facts_carry_provenance(clean_db, dataset):
    write_dataset(clean_db, DATABASE, dataset)
    records, _, _ = clean_db.execute_query(
        "MATCH (b:StateBank {id: 'china-exim-bank'}) RETURN b.name AS name, b.sources AS sources, b.evidence AS evidence",
        database_=DATABASE)
    bank = records[0]
    assert bank["name"] == "Export-Import Bank of China"
    assert len(bank["sources"]) == len(bank["evidence"]) >= 2
    missing = count(clean_db, "MATCH ()-[r]->() WHERE r.sources IS NULL OR size(r.evidence) = 0 RETURN count(r)")
    assert missing == 0
    sources = count(clean_db, "MATCH (s:Source) RETURN count(s)")
    assert sources == 4


CORRUPTIONS = {
    "missing key": (lambda doc: doc["nodes"][0].pop("id"), "id", "is required"),
    "bad amount": (lambda doc: _first(doc, "FINANCED").update(amount="USD 21m"), "amount", "expected a number"),
    "unknown label": (lambda doc: doc["nodes"][0].update(label="Corporation"), "label", "unknown label"),
    "dangling endpoint": (lambda doc: doc["relationships"][0].update(to="no-such-node"), "to", "no file defines"),
}


def _first(document: dict, rel_type: str) -> dict:
    return next(r for r in document["relationships"] if r["type"] == rel_type)


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_corrupted_copy_is_reported_and_writes_nothing(corruption, clean_db, tmp_path, cli_env):
    folder = tmp_path / "seed"
    shutil.copytree(seed.DEFAULT_PATH, folder)
    target = folder / "aspi-2019.yaml"
    document = yaml.safe_load(target.read_text(encoding="utf-8"))
    corrupt, field, message = CORRUPTIONS[corruption]
    corrupt(document)
    target.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")

    with pytest.raises(ImportFailed) as failure:
        seed.load(folder)
    problem = next(p for p in failure.value.problems if p.field == field)
    assert message in problem.message
    assert problem.origin.file.endswith("aspi-2019.yaml") and problem.origin.line, "file and line are named"

    before = count(clean_db)
    done = run_cli("import", "seed", "--path", str(folder), env=cli_env)
    assert done.returncode == 1
    assert "nothing was written" in done.stderr and "aspi-2019.yaml:" in done.stderr and f"'{field}'" in done.stderr
    assert count(clean_db) == before, "the database is untouched"


def test_cli_import_reports_created_then_unchanged(clean_db, cli_env):
    first = run_cli("import", "seed", env=cli_env, check=True)
    assert "Import summary" in first.stdout and "updated 0, unchanged 0" in first.stdout
    second = run_cli("import", "seed", env=cli_env, check=True)
    assert "created 0, updated 0" in second.stdout
    assert count(clean_db, "MATCH (s:Source) RETURN count(s)") == 4


def test_cli_dry_run_writes_nothing(clean_db, cli_env):
    done = run_cli("import", "seed", "--dry-run", env=cli_env, check=True)
    assert "Dry run" in done.stdout
    assert count(clean_db) == 0


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / "broken.yaml").write_text("source:\n  id: x\nnodes:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        seed.load(folder)
    assert str(failure.value.problems[0].origin).startswith(str(Path(folder / "broken.yaml")))
    assert failure.value.problems[0].origin.line is not None
