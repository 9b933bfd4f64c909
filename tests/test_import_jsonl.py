"""The native JSON-lines format: export → import round trip, streaming validation that writes nothing
on any problem, and the commands as a user runs them. All against the real test server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.records import ImportFailed
from graph.schema import apply_schema
from graph.writer import write_dataset
from importers import jsonl, seed
from tests.helpers import DATABASE, count, fingerprint, run_cli, wipe

PROVENANCE = {"sources": ["doc-1"], "evidence": ["a quote"]}
TIE = {**PROVENANCE, "confidence": "stated", "asOf": 2020}


def node(node_id: str, label: str = "Company", **properties) -> dict:
    return {"type": "node", "label": label, "properties": {"id": node_id, "name": node_id.title(), **PROVENANCE,
                                                           **properties}}


def tie(start: str, end: str, rel_type: str = "OWNS", key: str | None = None, **properties) -> dict:
    record = {"type": "relationship", "relType": rel_type, "from": start, "to": end, "properties": {**TIE, **properties}}
    return {**record, "key": key} if key else record


def write_lines(path: Path, records: list) -> Path:
    """Records as JSON lines; a str is written as it is (a broken line)."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


GOOD = [node("alpha"), node("beta"), node("gamma"), tie("alpha", "beta", share=0.6), tie("beta", "gamma", share=0.3)]


def import_again_into_empty(driver, path: Path):
    wipe(driver)
    apply_schema(driver, DATABASE)
    return jsonl.import_file(driver, DATABASE, path)


# --- round trip ---------------------------------------------------------------------------------------
def test_export_then_import_into_an_empty_database_gives_the_same_graph(clean_db, tmp_path):
    write_dataset(clean_db, DATABASE, seed.load())
    before = fingerprint(clean_db)
    exported = tmp_path / "graph.jsonl"
    written = jsonl.write_jsonl(jsonl.export_records(clean_db, DATABASE), exported)
    assert written == before[0] - 1 + before[1], "everything but the test marker"
    keyed = [json.loads(line) for line in exported.read_text().splitlines() if '"key"' in line]
    assert keyed and all(r["properties"]["id"].endswith("|" + r["key"]) for r in keyed)

    summary = import_again_into_empty(clean_db, exported)
    assert fingerprint(clean_db) == before
    assert summary.total("created") == written and summary.total("updated") == summary.total("unchanged") == 0

    again = jsonl.import_file(clean_db, DATABASE, exported, batch_size=50)
    assert again.total("unchanged") == written and again.total("created") == again.total("updated") == 0
    assert fingerprint(clean_db) == before


def test_relationships_above_their_nodes_are_checked_at_the_end_and_written(clean_db, tmp_path):
    path = write_lines(tmp_path / "ties-first.jsonl", GOOD[3:] + GOOD[:3])
    plan = jsonl.check(path)
    assert plan.nodes == {"Company": 3} and plan.relationships == {"OWNS": 2}
    summary = jsonl.write(clean_db, DATABASE, plan, batch_size=2)
    assert summary.total("created") == 5
    assert count(clean_db, "MATCH (:Company {id: 'alpha'})-[r:OWNS {share: 0.6}]->(:Company {id: 'beta'}) "
                           "RETURN count(r)") == 1


def test_keys_tell_two_ties_of_one_pair_apart(clean_db, tmp_path):
    path = write_lines(tmp_path / "keys.jsonl", GOOD[:2] + [tie("alpha", "beta", "SUPPLIES", key="cameras"),
                                                            tie("alpha", "beta", "SUPPLIES", key="servers")])
    jsonl.import_file(clean_db, DATABASE, path)
    ids = clean_db.execute_query("MATCH ()-[r:SUPPLIES]->() RETURN r.id AS id ORDER BY id", database_=DATABASE).records
    assert [r["id"] for r in ids] == ["alpha|SUPPLIES|beta|cameras", "alpha|SUPPLIES|beta|servers"]


# --- bad input: every problem named, nothing written ---------------------------------------------------
BAD = {
    "not-utf8": (b'{"type": "node"}\n\xff\xfe\n', ":2: line: field 'encoding' is not UTF-8"),
    "bad-json": ('{"type": "node", "label": "Company",', ":1: line: field 'syntax' is not valid JSON"),
    "duplicate-key": ('{"type": "node", "type": "node"}', ":1: record: field 'type' is given twice in one object"),
    # compact, as `export jsonl` writes lines and orjson reads them (keeping the last): still refused
    "duplicate-key-compact": ('{"type":"node","label":"Company","properties":{"id":"alpha","id":"beta"}}',
                              ":1: record: field 'id' is given twice in one object"),
    "duplicate-key-top": ('{"type":"relationship","type":"node","label":"Company","properties":{"id":"alpha"}}',
                          ":1: record: field 'type' is given twice in one object"),
    "not-an-object": ("[1, 2]", ":1: line: field 'type' expected an object"),
    "unknown-type": ({"type": "edge"}, ":1: record: field 'type' is 'edge'"),
    "unknown-key": ({**node("alpha"), "labels": ["Company"]}, ":1: node record: field 'labels' is not a key"),
    "unknown-label": (node("alpha", "Firm"), ":1: Firm alpha: field 'label' unknown label 'Firm'"),
    "unknown-relType": (tie("x", "y", "BRIBES"), ":1: relationship: field 'relType' unknown relationship type"),
    "schema-node": (node("Alpha Inc"), ":1: Company Alpha Inc: field 'id' 'Alpha Inc' does not match"),
    "schema-relationship": (tie("a", "b", confidence="sure"), ":1: relationship a|OWNS|b: field 'confidence'"),
    "provenance": (node("alpha", sources=["doc-1", "doc-2"]), ":1: Company alpha: field 'evidence' has 1 quotes for 2"),
    "wrong-id": (tie("a", "b", id="a|OWNS|c"), ":1: relationship a|OWNS|b: field 'id' is 'a|OWNS|c', but from"),
    "bad-key": ({**tie("a", "b"), "key": 5}, ":1: relationship: field 'key' expected a non-empty text or null, got 5"),
}


@pytest.mark.parametrize("name", BAD)
def test_each_bad_line_is_named_by_file_line_item_and_field(name, tmp_path):
    record, expected = BAD[name]
    path = tmp_path / f"{name}.jsonl"
    if isinstance(record, bytes):
        path.write_bytes(record)
    else:
        write_lines(path, [record])
    with pytest.raises(ImportFailed) as failed:
        jsonl.check(path)
    shown = [str(p) for p in failed.value.problems]
    assert any(f"{path}{expected}" in line for line in shown), shown


def test_problems_across_the_file(tmp_path):
    path = write_lines(tmp_path / "many.jsonl", [
        node("alpha"), node("beta", "Country"), node("alpha"),          # 1-3
        "",                                                                          # 4: blank, allowed
        tie("alpha", "beta"), tie("alpha", "nowhere"), tie("alpha", "later"),        # 5-7
        tie("alpha", "later"),                                                       # 8: duplicate of 7
        node("later", "Person"),                                                     # 9: too late for nothing
    ])
    with pytest.raises(ImportFailed) as failed:
        jsonl.check(path)
    shown = "\n".join(str(p) for p in failed.value.problems)
    assert f"{path}:3: Company alpha: field 'id' is given twice, first on line 1" in shown
    assert f"{path}:5: relationship alpha|OWNS|beta: field 'to' a Country cannot end OWNS" in shown
    assert f"{path}:6: relationship alpha|OWNS|nowhere: field 'to' names node 'nowhere', which no node in the file " \
           "defines" in shown
    assert f"{path}:7: relationship alpha|OWNS|later: field 'to' a Person cannot end OWNS" in shown, "checked at the end"
    assert f"{path}:8: relationship alpha|OWNS|later: field 'id' is given twice, first on line 7" in shown
    assert ":4:" not in shown


def test_ownership_cycles_and_stakes_over_100_percent(tmp_path):
    path = write_lines(tmp_path / "owns.jsonl", [node("a"), node("b"), node("c"), node("d"),
                                                  tie("a", "b", controlling=True), tie("b", "a", share=0.7),
                                                  tie("c", "d", share=0.6), tie("a", "d", share=0.5),
                                                  tie("b", "d", share=0.9, validTo=2019)])
    with pytest.raises(ImportFailed) as failed:
        jsonl.check(path)
    shown = "\n".join(str(p) for p in failed.value.problems)
    assert "field 'to' closes a cycle of controlling stakes: " in shown
    assert f"{path}:8: relationship a|OWNS|d: field 'share' makes the current direct stakes in 'd' add up to 110%" in shown


def test_an_empty_file_fails_on_the_counts(tmp_path):
    path = write_lines(tmp_path / "empty.jsonl", ["", "  "])
    with pytest.raises(ImportFailed, match="assertions: field 'min.nodes' expects at least 1, got 0"):
        jsonl.check(path)


def test_a_bad_last_line_after_thousands_of_good_ones_writes_nothing(clean_db, tmp_path):
    write_dataset(clean_db, DATABASE, seed.load())
    before = fingerprint(clean_db)
    records = [node(f"company-{i}") for i in range(3000)] + [tie(f"company-{i}", f"company-{i + 1}", share=0.1)
                                                               for i in range(2999)]
    path = write_lines(tmp_path / "late.jsonl", [*records, node("last", asOf="never")])
    with pytest.raises(ImportFailed, match=rf"{path}:6000: Company last: field 'asOf'"):
        jsonl.import_file(clean_db, DATABASE, path, batch_size=100)
    assert fingerprint(clean_db) == before
    assert count(clean_db, "MATCH (n:Company) WHERE n.id STARTS WITH 'company-' RETURN count(n)") == 0


def test_too_many_problems_stop_the_reading(tmp_path):
    path = write_lines(tmp_path / "junk.jsonl", ["nonsense"] * (jsonl.MAX_PROBLEMS + 500))
    with pytest.raises(ImportFailed) as failed:
        jsonl.check(path)
    assert len(failed.value.problems) == jsonl.MAX_PROBLEMS + 1
    assert f"has at least {jsonl.MAX_PROBLEMS}; reading stopped here" in str(failed.value.problems[-1])


def test_a_file_changed_after_checking_is_refused(clean_db, tmp_path):
    path = write_lines(tmp_path / "moving.jsonl", GOOD)
    plan = jsonl.check(path)
    write_lines(path, GOOD + [node("delta")])
    with pytest.raises(ImportFailed, match="changed after it was checked"):
        jsonl.write(clean_db, DATABASE, plan)
    assert count(clean_db) == 0


# --- the commands --------------------------------------------------------------------------------------
def test_commands_exit_codes_then_database_contents(clean_db, cli_env, tmp_path):
    good = write_lines(tmp_path / "good.jsonl", GOOD)
    dry = run_cli("import", "jsonl", str(good), "--dry-run", env=cli_env, check=True)
    assert "Valid: 3 nodes, 2 relationships" in dry.stdout and count(clean_db) == 0

    done = run_cli("import", "jsonl", str(good), "--batch-size", "2", env=cli_env, check=True)
    assert "created 5, updated 0, unchanged 0" in done.stdout
    assert count(clean_db) == 3 and count(clean_db, "MATCH ()-[r:OWNS]->() RETURN count(r)") == 2
    again = run_cli("import", "jsonl", str(good), env=cli_env, check=True)
    assert "created 0, updated 0, unchanged 5" in again.stdout

    bad = write_lines(tmp_path / "bad.jsonl", [node("delta"), tie("delta", "alpha", confidence="sure")])
    failed = run_cli("import", "jsonl", str(bad), env=cli_env)
    assert failed.returncode == 1
    assert f"{bad}:2: relationship delta|OWNS|alpha: field 'confidence'" in failed.stderr
    assert count(clean_db) == 3, "delta was not written"

    exported = tmp_path / "out.jsonl"
    run_cli("export", "jsonl", str(exported), env=cli_env, check=True)
    assert len(exported.read_text().splitlines()) == 5
    wipe(clean_db)
    run_cli("import", "jsonl", str(exported), env=cli_env, check=True)
    assert count(clean_db) == 3 and count(clean_db, "MATCH ()-[r:OWNS]->() RETURN count(r)") == 2


def test_a_hash_collision_between_relationship_ids_is_no_problem(monkeypatch, tmp_path):
    monkeypatch.setattr(jsonl, "_hash", lambda rel_id: 42)  # every id collides: each is re-checked by re-reading
    plan = jsonl.check(write_lines(tmp_path / "collide.jsonl", GOOD))
    assert plan.relationships == {"OWNS": 2}
    with pytest.raises(ImportFailed, match=r":6: relationship beta\|OWNS\|gamma: field 'id' is given twice, first on line 5"):
        jsonl.check(write_lines(tmp_path / "twice.jsonl", [*GOOD, GOOD[-1]]))
