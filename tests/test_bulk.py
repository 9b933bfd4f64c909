"""The bulk path (importers/jsonl/bulk.py): a JSON-lines file loaded offline into an empty database leaves
the same graph as `influence import jsonl`, and a database that holds anything is refused.

The offline import stops its server and replaces the store, so it runs on a server of its own (home
`.local/neo4j-bulk-test`, ports shifted by INFLUENCE_TEST_PORT_OFFSET like the others), never on the
shared test server, which stays up for the other tests."""

from __future__ import annotations

import json
import shutil

import pytest

from graph.db import connect
from graph.records import ImportFailed
from graph.server import LocalServer
from graph.settings import PROJECT_ROOT
from importers import jsonl, seed
from importers.jsonl import bulk
from tests.helpers import DATABASE, MARKER_LABEL, fingerprint, port, run_cli, wipe

BULK_HOME = PROJECT_ROOT / ".local" / "neo4j-bulk-test"


@pytest.fixture(scope="module")
def bulk_server():
    """A server of its own, started on an empty store and stopped at the end of the module."""
    server = LocalServer(home=BULK_HOME, bolt_port=port(7689), http_port=port(7476),
                         env_file=PROJECT_ROOT / ".local" / "neo4j-bulk-test.env", heap="512m", pagecache="128m")
    server.stop()
    for folder in ("databases/neo4j", "transactions/neo4j"):
        shutil.rmtree(BULK_HOME / "data" / folder, ignore_errors=True)
    server.start()
    yield server
    server.stop()


def _driver(server: LocalServer):
    return connect(uri=server.uri, user=server.user, password=server.password())


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory):
    """The seed graph as JSON lines, plus a company whose values CSV must quote (a quote, a comma, a line
    break), a float property given as an integer, and an empty alias list, which CSV cannot carry; and a
    project and a tie to that company whose two sources disagree (the writer chooses the value shown)."""
    dataset = seed.load()
    path = tmp_path_factory.mktemp("bulk") / "seed.jsonl"
    records = list(jsonl.dataset_records(dataset))
    source = next(r["properties"]["id"] for r in records if r["type"] == "node" and r["label"] == "Source")
    records.insert(0, jsonl.node_record("Company", {
        "id": "bulk-quoting-co", "name": 'Bulk "Quoting", Co', "aliases": [], "description": "line one\nline two",
        "sources": [source], "evidence": ["a short quote, with a comma"]}))
    first, second = [r["properties"]["id"] for r in records if r["type"] == "node" and r["label"] == "Source"][:2]
    both = {"sources": [first, second], "evidence": ["a quote", "another quote"]}
    records.append(jsonl.node_record("Project", {
        "id": "bulk-disputed-project", "name": "Project two sources disagree on", "kind": "other", "status": "signed",
        "statusSources": [first, second], "statusValues": ["signed", "implemented"], **both}))
    records.append(jsonl.relationship_record("CONTRACTED_FOR", "bulk-quoting-co", "bulk-disputed-project", {
        "id": "bulk-quoting-co|CONTRACTED_FOR|bulk-disputed-project", "role": "operator", "confidence": "stated",
        "asOf": 2020, "roleSources": [first, second], "roleValues": ["operator", "trainer"], **both}))
    records.append(jsonl.node_record("Project", {
        "id": "bulk-int-valued-project", "name": "Project valued in whole dollars", "kind": "other",
        "valueUsd": 5000000, "sources": [source], "evidence": ["a quote"]}))
    jsonl.write_jsonl(records, path)
    return path


def test_bulk_load_leaves_the_graph_the_streaming_import_leaves(clean_db, bulk_server, seed_file):
    jsonl.import_file(clean_db, DATABASE, seed_file)
    expected = fingerprint(clean_db)
    assert expected[0] > 100 and expected[1] > 100

    result = bulk.load(bulk_server, lambda: _driver(bulk_server), DATABASE, jsonl.check(seed_file))
    # the company with an empty alias list, and the disputed project and tie, go through the writer; the company
    # and the project are loaded offline as their ids and labels meanwhile, so the tie between them loads too
    assert result.leftover == 3
    assert set(result.seconds) == {"write files", "offline import", "constraints and indexes", "leftover rows"}
    with _driver(bulk_server) as driver:
        # the shared test server carries the tests' marker node (tests/helpers.wipe); so must this one
        driver.execute_query(f"CREATE (:{MARKER_LABEL} {{createdBy: 'influence-graph tests'}})", database_=DATABASE)
        assert fingerprint(driver) == expected
        company = driver.execute_query("MATCH (c:Company {id: 'bulk-quoting-co'}) RETURN c", database_=DATABASE
                                       ).records[0]["c"]
        assert (company["name"], company["aliases"], company["description"]) == (
            'Bulk "Quoting", Co', [], "line one\nline two")
        disputed = driver.execute_query(
            "MATCH (c {id: 'bulk-quoting-co'})-[r:CONTRACTED_FOR]->(p:Project {id: 'bulk-disputed-project'}) "
            "RETURN p.disputed AS project, r.disputed AS tie", database_=DATABASE).records
        assert [(r["project"], r["tie"]) for r in disputed] == [(["status"], ["role"])]
        value = driver.execute_query("MATCH (p:Project {id: 'bulk-int-valued-project'}) RETURN p.valueUsd AS v",
                                     database_=DATABASE).records[0]["v"]
        # a float property's claimed values travel as floats (graph.writer.to_row), so both paths store 5000000.0
        assert value == 5000000 and isinstance(value, float), "stored as the writer stores it: a float"
        constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name", database_=DATABASE).records}
        assert {"entity_id", "company_id", "owns_id"} <= constraints


def test_bulk_load_refuses_a_database_that_is_not_empty(bulk_server, seed_file):
    with _driver(bulk_server) as driver:
        driver.execute_query("MERGE (:Entity:Company {id: 'already-here', name: 'Already here'})", database_=DATABASE)
        before = fingerprint(driver)
    with pytest.raises(ImportFailed, match=r"seed.jsonl: database: field 'neo4j' holds \d+ nodes: the bulk path "
                                           r"loads an empty database only"):
        bulk.load(bulk_server, lambda: _driver(bulk_server), DATABASE, jsonl.check(seed_file))
    assert bulk_server.pid(), "the server was not stopped"
    with _driver(bulk_server) as driver:
        assert fingerprint(driver) == before, "nothing was written"


def test_the_cli_refuses_a_remote_server_and_writes_files_for_one(cli_env, seed_file, tmp_path, driver):
    wipe(driver)
    done = run_cli("import", "bulk", str(seed_file), env=cli_env)
    assert done.returncode == 1 and "the bulk path stops the local server" in done.stderr
    done = run_cli("import", "bulk", str(seed_file), "--files-only", str(tmp_path / "files"), env=cli_env, check=True)
    assert "neo4j-admin database import full neo4j --overwrite-destination=true" in done.stdout
    written = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert "node-Company-0.csv" in written and any(name.startswith("relationship-OWNS-") for name in written)
    header = (tmp_path / "files" / "node-Company-0.csv").read_text().splitlines()[0]
    assert header.startswith("id:ID(Entity),name:string,") and header.endswith(",:LABEL")
    assert "3 rows cannot go through CSV" in done.stdout
    # the nodes left to the writer are loaded as their ids and labels, so the ties to them load offline
    assert (tmp_path / "files" / "node-Project-ids.csv").read_text().splitlines()[1:] == [
        '"bulk-disputed-project",Project\x1fEntity']
    assert json.loads(seed_file.read_text().splitlines()[0])["properties"]["aliases"] == []
