"""Test fixtures: a real Neo4j over Bolt, never a mock (what tests import is in tests/helpers.py).

By default the tests run their own local server (home `.local/neo4j-test`, Bolt 7688, HTTP 7475),
started by the same code as `influence db start`, so they never touch the data of the server you
use. INFLUENCE_TEST_NEO4J_URI / INFLUENCE_TEST_NEO4J_PASSWORD point them at another server
instead; a database holding data the tests did not create is never wiped. INFLUENCE_TEST_PORT_OFFSET
(default 0) shifts every port the tests open, so two checkouts can run their suites side by side.
"""

from __future__ import annotations

import os

import pytest

from graph.db import connect
from graph.schema import apply_schema
from tests.helpers import DATABASE, TEST_SERVER, wipe

# Fixtures that reach a Neo4j server (the test server, or one a test starts itself): a test using one is
# marked `neo4j` (pyproject.toml), so `pytest -m "not neo4j"` runs the others alone, in seconds.
SERVER_FIXTURES = {"neo4j_target", "driver", "clean_db", "cli_env", "seeded_db", "own_server_env", "killable_server",
                   "bulk_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture(scope="session")
def neo4j_target():
    """(uri, user, password) of the server the tests use; starts the local test server if needed."""
    uri = os.environ.get("INFLUENCE_TEST_NEO4J_URI")
    if uri:
        yield uri, os.environ.get("INFLUENCE_TEST_NEO4J_USER", "neo4j"), os.environ["INFLUENCE_TEST_NEO4J_PASSWORD"]
        return
    started = TEST_SERVER.start()
    yield TEST_SERVER.uri, TEST_SERVER.user, TEST_SERVER.password()
    if started and not os.environ.get("INFLUENCE_KEEP_TEST_SERVER"):
        TEST_SERVER.stop()


@pytest.fixture(scope="session")
def driver(neo4j_target):
    uri, user, password = neo4j_target
    with connect(uri=uri, user=user, password=password) as session_driver:
        yield session_driver


@pytest.fixture
def clean_db(driver):
    """An empty database (but for the test marker) with the schema applied."""
    wipe(driver)
    apply_schema(driver, DATABASE)
    return driver


@pytest.fixture
def cli_env(neo4j_target, tmp_path):
    """Environment for running the `influence` CLI as a user would, against the test server."""
    uri, user, password = neo4j_target
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "INFLUENCE_"))}
    env.update(
        NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=password, NEO4J_DATABASE=DATABASE,
        INFLUENCE_ENV_FILE=str(tmp_path / "no.env"), INFLUENCE_RESOLUTION_DIR=str(tmp_path / "resolution"),
    )
    return env


@pytest.fixture(scope="module")
def seeded_db(driver):
    """The seed dataset imported into an emptied database, once per test module."""
    from graph.writer import write_dataset
    from importers import seed

    wipe(driver)
    write_dataset(driver, DATABASE, seed.load())
    return driver
