"""Provenance per value (issue #16 item 3, issue #20's lost update): two sources that disagree are both
kept with their sources, the value shown does not depend on the order of imports, and two imports
writing one property at once both land. Every test runs on the real server."""

from __future__ import annotations

import shutil

import pytest

import cypher
from graph.records import Dataset, Origin
from graph.schema import SCHEMA_DIR, SchemaError, load_schema
from graph.writer import write_dataset
from tests.helpers import DATABASE, run_at_once, wipe

# Two sources of one project. By hand: `b` (2021) is more recent than `a` (2019), so the shown status is
# b's "implemented" whichever is imported first; the claims are kept in the order of the sources' ids.
SOURCES = {"a": "2019", "b": "2021", "c": "2019"}
QUOTES = {"a": "The city signed the deal with Acme", "b": "Acme's cameras now run in the city",
          "c": "Acme signed for the city"}


def add_source(dataset: Dataset, source_id: str) -> None:
    dataset.add_node("Source", {"id": source_id, "name": source_id, "title": f"Report {source_id}", "publisher": "p",
                                "date": SOURCES[source_id]}, Origin("test"))


def project(source_id: str, **props) -> Dataset:
    """What `source_id` says of the project p1."""
    dataset = Dataset()
    add_source(dataset, source_id)
    quote = QUOTES[source_id]
    dataset.add_node("Project", {"id": "p1", "name": "Safe City", "kind": "safe city", "sources": [source_id],
                                 "evidence": [quote], **props}, Origin(f"{source_id}.yaml", 1))
    return dataset


def contract(dataset: Dataset, source_id: str, role: str) -> Dataset:
    dataset.add_node("Company", {"id": "acme", "name": "Acme", "sources": [source_id], "evidence": [QUOTES[source_id]]},
                     Origin(f"{source_id}.yaml", 2))
    dataset.add_relationship("CONTRACTED_FOR", "acme", "p1", {"role": role, "confidence": "stated", "asOf": 2019,
                                                        "sources": [source_id], "evidence": [QUOTES[source_id]]},
                             Origin(f"{source_id}.yaml", 3))
    return dataset


def stored(driver, query: str) -> dict:
    return driver.execute_query(query, database_=DATABASE).records[0]["p"]


def project_props(driver) -> dict:
    props = stored(driver, "MATCH (n:Project {id: 'p1'}) RETURN properties(n) AS p")
    # the (source, quote) pairs keep the order they arrived in; the claims do not depend on it
    props["pairs"] = sorted(zip(props.pop("sources"), props.pop("evidence"), strict=True))
    return props


def disagreements(driver, **params) -> list[dict]:
    return cypher.run(driver, "disagreements", params, DATABASE).to_dict("records")


def import_in_order(driver, datasets: list[Dataset]) -> list[int]:
    wipe(driver)
    return [write_dataset(driver, DATABASE, dataset).disagreements for dataset in datasets]


def test_two_sources_that_disagree_are_both_kept_the_same_in_either_order(clean_db):
    orders = {}
    for order in (("a", "b"), ("b", "a")):
        values = {"a": "signed", "b": "implemented"}
        counts = import_in_order(clean_db, [contract(project(s, status=values[s]), s, "prime contractor") for s in order])
        # the first import finds nothing to disagree with (0), the second disputes one property of one node (1)
        assert counts == [0, 1]
        orders[order] = (project_props(clean_db), disagreements(clean_db))
    assert orders[("a", "b")] == orders[("b", "a")], "the order of imports changes nothing"
    props, rows = orders[("a", "b")]
    assert props["status"] == "implemented", "b (2021) is more recent than a (2019)"
    assert (props["statusValues"], props["statusSources"], props["disputed"]) == (
        ["signed", "implemented"], ["a", "b"], ["status"])
    assert props["kindSources"] == ["a", "b"] and "kindValues" not in props, "both give `safe city`: no dispute"
    assert [(r["kind"], r["item"], r["property"], r["shown"], r["value"], r["sources"], r["dates"], r["quotes"])
            for r in rows] == [
        ("node", "p1", "status", "implemented", "implemented", ["b"], ["2021"], [f"b: {QUOTES['b']}"]),
        ("node", "p1", "status", "implemented", "signed", ["a"], ["2019"], [f"a: {QUOTES['a']}"]),
    ]


def test_a_disputed_tie_and_the_query_filters(clean_db):
    for order in (("a", "b"), ("b", "a")):
        roles = {"a": "prime contractor", "b": "subcontractor"}
        import_in_order(clean_db, [contract(project(s), s, roles[s]) for s in order])
        rows = disagreements(clean_db)
        # b (2021) is more recent: `subcontractor` is shown; one row per value, values in Cypher's order
        tie = ("relationship", "acme -CONTRACTED_FOR-> p1", "Acme → Safe City", "role", "subcontractor")
        assert [(r["kind"], r["item"], r["name"], r["property"], r["shown"], r["value"], r["sources"]) for r in rows] == [
            (*tie, "prime contractor", ["a"]), (*tie, "subcontractor", ["b"])]
        assert len(disagreements(clean_db, label="CONTRACTED_FOR", property="role", entity="acme")) == 2
        assert len(disagreements(clean_db, entity="p1")) == 2, "a tie is listed for either of its ends"
        assert disagreements(clean_db, label="Project") == []
        assert disagreements(clean_db, property="status") == []
        assert disagreements(clean_db, entity="nobody") == []


def test_sources_of_one_date_show_the_smaller_value_in_either_order(clean_db):
    # a and c are both of 2019: "implemented" < "signed" in text order, so "implemented" is shown
    for order in (("a", "c"), ("c", "a")):
        values = {"a": "signed", "c": "implemented"}
        import_in_order(clean_db, [project(s, status=values[s]) for s in order])
        props = project_props(clean_db)
        assert (props["status"], props["statusValues"], props["statusSources"]) == (
            "implemented", ["signed", "implemented"], ["a", "c"])


def test_a_source_imported_again_replaces_its_own_value(clean_db):
    write_dataset(clean_db, DATABASE, project("a", status="implemented"))
    summary = write_dataset(clean_db, DATABASE, project("a", status="signed"))  # the curator's correction
    props = project_props(clean_db)
    assert (props["status"], props["statusSources"], summary.disagreements) == ("signed", ["a"], 0)
    assert "statusValues" not in props and "disputed" not in props
    again = write_dataset(clean_db, DATABASE, project("a", status="signed"))
    assert again.outcomes[("node", "Project")] == {"unchanged": 1}


def test_a_source_silent_on_a_property_keeps_the_other_sources_value(clean_db):
    write_dataset(clean_db, DATABASE, project("a", status="signed", cameras=8000))
    write_dataset(clean_db, DATABASE, project("b", status="signed"))
    props = project_props(clean_db)
    assert (props["cameras"], props["camerasSources"], props["statusSources"]) == (8000, ["a"], ["a", "b"])
    assert "disputed" not in props


def test_within_one_import_two_sources_are_both_kept_but_one_source_cannot_say_both():
    dataset = project("a", status="signed")
    add_source(dataset, "b")
    dataset.add_node("Project", {"id": "p1", "name": "Safe City", "kind": "safe city", "status": "implemented",
                                 "sources": ["b"], "evidence": [QUOTES["b"]]}, Origin("b.yaml", 1))
    assert dataset.problems() == []
    assert dataset.nodes["p1"].claims["status"] == [("signed", "a"), ("implemented", "b")]

    dataset.add_node("Project", {"id": "p1", "name": "Safe City", "kind": "safe city", "status": "cancelled",
                                 "sources": ["a"], "evidence": ["another quote"]}, Origin("a.yaml", 9))
    assert [(str(p.origin), p.field, p.message) for p in dataset.problems()] == [
        ("a.yaml:9", "status", "is 'cancelled' here but 'signed' at a.yaml:1, both from source 'a'")]


def test_a_value_another_source_gives_is_checked_against_the_schema():
    dataset = project("a", status="signed")
    add_source(dataset, "b")
    dataset.add_node("Project", {"id": "p1", "name": "Safe City", "kind": "safe city", "status": "rumoured",
                                 "sources": ["b"], "evidence": [QUOTES["b"]]}, Origin("b.yaml", 1))
    assert [(p.field, p.message.split(" is not one of")[0]) for p in dataset.problems()] == [
        ("status", "(as 'b' gives it) 'rumoured'")]


def test_within_one_import_the_writer_keeps_both_and_counts_the_disagreement(clean_db):
    dataset = project("a", status="signed")
    add_source(dataset, "b")
    dataset.add_node("Project", {"id": "p1", "name": "Safe City", "kind": "safe city", "status": "implemented",
                                 "sources": ["b"], "evidence": [QUOTES["b"]]}, Origin("b.yaml", 1))
    summary = write_dataset(clean_db, DATABASE, dataset)
    props = project_props(clean_db)
    # one node, one disputed property → 1; b (2021) is shown
    assert summary.disagreements == 1
    assert (props["status"], props["statusValues"], props["statusSources"]) == (
        "implemented", ["signed", "implemented"], ["a", "b"])


def test_a_node_written_before_provenance_per_value_keeps_its_value_as_its_sources(clean_db):
    write_dataset(clean_db, DATABASE, project("b"))  # Source b and the project, then the old form by hand:
    clean_db.execute_query("MATCH (n:Project {id: 'p1'}) SET n.status = 'signed', n.sources = ['a', 'a'], "
                           "n.evidence = ['q1', 'q2'] REMOVE n.kindSources", database_=DATABASE)
    write_dataset(clean_db, DATABASE, project("b", status="implemented"))
    props = project_props(clean_db)
    assert (props["statusValues"], props["statusSources"]) == (["signed", "implemented"], ["a", "b"])


def test_amounts_that_disagree_are_stored_as_numbers_of_one_type(clean_db):
    for source_id, amount in (("a", 21000000), ("b", 25000000.0)):  # an int and a float: one list of floats
        dataset = project(source_id)
        dataset.add_node("StateBank", {"id": "exim", "name": "Exim", "kind": "policy bank", "sources": [source_id],
                                       "evidence": [QUOTES[source_id]]}, Origin("t"))
        dataset.add_relationship("FINANCED", "exim", "p1", {"amount": amount, "currency": "USD", "confidence": "stated",
                                                            "asOf": 2019, "sources": [source_id],
                                                            "evidence": [QUOTES[source_id]]}, Origin("t"))
        write_dataset(clean_db, DATABASE, dataset)
    props = stored(clean_db, "MATCH ()-[r:FINANCED]->() RETURN properties(r) AS p")
    assert (props["amount"], props["amountValues"], props["disputed"]) == (25000000.0, [21000000.0, 25000000.0],
                                                                           ["amount"])


def test_entity_profile_flags_disputed_values(clean_db):
    write_dataset(clean_db, DATABASE, contract(project("a", status="signed"), "a", "prime contractor"))
    write_dataset(clean_db, DATABASE, contract(project("b", status="implemented"), "b", "subcontractor"))
    rows = cypher.run(clean_db, "entity-profile", {"entity": "p1"}, DATABASE).to_dict("records")
    assert len(rows) == 1
    assert rows[0]["entityDisputed"] == ["status: signed (a) / implemented (b)"]
    assert rows[0]["disputed"] == ["role: prime contractor (a) / subcontractor (b)"]
    assert rows[0]["details"] == {"role": "subcontractor"}, "the per-value lists stay out of the details"


# --- issue #20: two imports writing one property of one node at the same moment --------------------
@pytest.mark.parametrize("exists", [True, False], ids=["existing node", "new node"])
def test_concurrent_imports_of_different_values_both_land(clean_db, exists):
    rounds = 8
    for round_ in range(rounds):
        wipe(clean_db)
        if exists:  # both imports go through the merge; otherwise both try to create, one is retried
            write_dataset(clean_db, DATABASE, project("c"))
        datasets = [project("a", status="signed"), project("b", status="implemented")]
        errors, _ = run_at_once(lambda dataset: write_dataset(clean_db, DATABASE, dataset), datasets)
        assert errors == [], f"round {round_}"
        props = project_props(clean_db)
        assert (props["status"], props["statusValues"], props["statusSources"]) == (
            "implemented", ["signed", "implemented"], ["a", "b"]), f"round {round_}: a value was lost"
        assert {s for s, _ in props["pairs"]} >= {"a", "b"}, f"round {round_}: a source's quote was lost"


@pytest.mark.parametrize("extra, message", [
    ("  badList:\n    type: string[]\n", "list property 'badList' must merge by union"),
    ("  sectorSources:\n    type: string\n", "'sectorSources' is the name under which the sources of 'sector' are kept"),
])
def test_the_schema_refuses_what_per_value_provenance_cannot_store(tmp_path, extra, message):
    schema_dir = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema_dir)
    company = schema_dir / "nodes" / "Company.yaml"
    company.write_text(company.read_text(encoding="utf-8").replace("properties:\n", "properties:\n" + extra, 1),
                       encoding="utf-8")
    with pytest.raises(SchemaError, match=message):
        load_schema(schema_dir)
