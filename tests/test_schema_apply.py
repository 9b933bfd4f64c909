"""The schema's constraints and indexes on the real server."""

from graph.schema import apply_schema, load_schema
from tests.conftest import DATABASE


def test_apply_schema_creates_every_constraint_and_index_once(clean_db):
    schema = load_schema()
    statements = apply_schema(clean_db, DATABASE)
    assert statements == schema.ddl()
    constraints = {r["name"] for r in clean_db.execute_query("SHOW CONSTRAINTS YIELD name", database_=DATABASE).records}
    indexes = {r["name"] for r in clean_db.execute_query("SHOW INDEXES YIELD name", database_=DATABASE).records}
    expected = {s.split()[2] if s.startswith("CREATE CONSTRAINT") or s.startswith("CREATE INDEX") else s.split()[3]
                for s in statements}
    assert expected <= constraints | indexes
    assert {"entity_id", "company_id", "owns_id", "entity_names", "project_status"} <= constraints | indexes
    apply_schema(clean_db, DATABASE)
    again = {r["name"] for r in clean_db.execute_query("SHOW CONSTRAINTS YIELD name", database_=DATABASE).records}
    assert again == constraints


def test_entity_id_is_unique_across_labels(clean_db):
    clean_db.execute_query("CREATE (:Entity:Company {id: 'acme'})", database_=DATABASE)
    try:
        clean_db.execute_query("CREATE (:Entity:Person {id: 'acme'})", database_=DATABASE)
    except Exception as error:  # the server's constraint violation
        assert "already exists" in str(error)
    else:
        raise AssertionError("a second node with the same id was accepted")
