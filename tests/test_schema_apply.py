"""The schema: how its files name labels and types, and its constraints and indexes on the real server."""

import shutil

import pytest

from graph.schema import SCHEMA_DIR, SchemaError, apply_schema, load_schema
from tests.helpers import DATABASE


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


def test_a_full_text_index_older_than_the_schema_is_made_anew(clean_db):
    """An index named like the schema's but covering fewer types (made before a type was added) would
    survive `IF NOT EXISTS` and make facts-from-source miss ties; apply_schema replaces it."""
    clean_db.execute_query("DROP INDEX relationship_sources IF EXISTS", database_=DATABASE)
    clean_db.execute_query("CREATE FULLTEXT INDEX relationship_sources FOR ()-[r:OWNS]-() ON EACH [r.sources]",
                           database_=DATABASE)
    apply_schema(clean_db, DATABASE)
    record = clean_db.execute_query(
        "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, options WHERE name = 'relationship_sources' "
        "RETURN labelsOrTypes, options.indexConfig['fulltext.analyzer'] AS analyzer", database_=DATABASE).records[0]
    assert set(record["labelsOrTypes"]) == set(load_schema().relationships)
    assert record["analyzer"] == "keyword"
    clean_db.execute_query("CREATE (:Entity:Company {id: 'a', sources: ['s-1']})-[:SUPPLIES {sources: ['s-1']}]->"
                           "(:Entity:Company {id: 'b'})", database_=DATABASE)
    hits = clean_db.execute_query("CALL db.index.fulltext.queryRelationships('relationship_sources', '\"s-1\"') "
                                  "YIELD relationship RETURN count(*) AS n", database_=DATABASE).records[0]["n"]
    assert hits == 1


@pytest.mark.parametrize(("file", "renamed", "old", "new", "message"), [
    ("nodes/Company.yaml", None, "label: Company", "label: company",
     "Company.yaml: label 'company' must be PascalCase and match the file name"),
    ("nodes/Company.yaml", "nodes/Firm.yaml", "", "",
     "Firm.yaml: label 'Company' must be PascalCase and match the file name"),
    ("relationships/OWNS.yaml", None, "type: OWNS", "type: Owns",
     "OWNS.yaml: type 'Owns' must be UPPER_SNAKE_CASE and match the file name"),
])
def test_a_schema_file_names_its_label_or_type_in_its_case(tmp_path, file, renamed, old, new, message):
    schema_dir = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema_dir)
    path = schema_dir / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    if renamed:
        path.rename(schema_dir / renamed)
    with pytest.raises(SchemaError) as refused:
        load_schema(schema_dir)
    assert str(refused.value) == message
