"""What tests import: the test server, its ports and database, and helpers to wipe, count, fingerprint,
fill an emptied database, run the CLI and run work in threads at once. Fixtures live in conftest.py."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.server import LocalServer
from graph.settings import PROJECT_ROOT
from graph.writer import write_dataset

SHARED = PROJECT_ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
DATABASE = "neo4j"
MARKER_LABEL = "InfluenceGraphTestMarker"
PORT_OFFSET = int(os.environ.get("INFLUENCE_TEST_PORT_OFFSET", "0"))


def port(default: int) -> int:
    """A port the tests open, shifted by INFLUENCE_TEST_PORT_OFFSET."""
    return default + PORT_OFFSET


TEST_SERVER = LocalServer(
    home=PROJECT_ROOT / ".local" / "neo4j-test",
    bolt_port=port(7688),
    http_port=port(7475),
    env_file=PROJECT_ROOT / ".local" / "neo4j-test.env",
    heap="1g",
    pagecache="256m",
    # a lock held elsewhere fails a write after 2 s with a transient error, which the writer retries
    extra_settings={"db.lock.acquisition.timeout": "2s"},
)


def require_shared(path: Path) -> Path:
    """Skip (saying why) where ../shared is absent, as in a user's clone; CI always has it."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing on CI, where ../shared is always present")
        pytest.skip(f"{path} is not here (../shared/ comes with the project's CI, not with a clone)")
    return path


def wipe(driver) -> None:
    """Empty the database, but only one that is empty or that the tests themselves filled."""
    records, _, _ = driver.execute_query(
        f"RETURN count {{ MATCH (n) }} AS nodes, count {{ MATCH (m:{MARKER_LABEL}) }} AS markers", database_=DATABASE
    )
    if records[0]["nodes"] and not records[0]["markers"]:
        pytest.exit(
            f"Refusing to wipe: the test database holds {records[0]['nodes']} nodes the tests did not create "
            f"(no :{MARKER_LABEL} node). Point the tests at an empty server.", returncode=3,
        )
    with driver.session(database=DATABASE) as session:  # IN TRANSACTIONS needs an auto-commit transaction
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    driver.execute_query(f"CREATE (:{MARKER_LABEL} {{createdBy: 'influence-graph tests'}})", database_=DATABASE)


def wipe_and_write(driver, dataset):
    """The test database emptied (wipe) and holding `dataset` alone; the driver."""
    wipe(driver)
    write_dataset(driver, DATABASE, dataset)
    return driver


def run_cli(*args: str, env: dict, check: bool = False) -> subprocess.CompletedProcess:
    """Run `influence ARGS` in a subprocess; returns the completed process (stdout, stderr, returncode)."""
    done = subprocess.run(
        [sys.executable, "-m", "influence_graph.cli", *args], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT,
        timeout=600,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"influence {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def count(driver, query: str = "MATCH (n) WHERE NOT n:InfluenceGraphTestMarker RETURN count(n) AS c", **params) -> int:
    records, _, _ = driver.execute_query(query, params, database_=DATABASE)
    return records[0][0]


FINGERPRINT = """
CALL () {
  MATCH (n) WHERE n.id IS NULL OR NOT n.id IN $ids WITH n ORDER BY n.id, elementId(n)
  RETURN count(n) AS nodes,
         collect([apoc.coll.sort(labels(n)), [k IN apoc.coll.sort(keys(n)) | [k, n[k]]]]) AS nodeData
}
CALL () {
  MATCH (a)-[r]->(b) WHERE NOT r.id IN $relationshipIds WITH a, r, b ORDER BY r.id, a.id, b.id, elementId(r)
  RETURN count(r) AS relationships,
         collect([type(r), a.id, b.id, [k IN apoc.coll.sort(keys(r)) | [k, r[k]]]]) AS relData
}
RETURN nodes, relationships, apoc.util.md5([nodeData, relData]) AS checksum
"""


def fingerprint(driver, dataset=None) -> tuple[int, int, str]:
    """Node and relationship counts and an MD5 of every label, type and property (keys in order),
    leaving out the records of `dataset` when one is given."""
    record = driver.execute_query(FINGERPRINT, ids=list(dataset.nodes) if dataset else [],
                                  relationshipIds=list(dataset.relationships) if dataset else [],
                                  database_=DATABASE).records[0]
    return record["nodes"], record["relationships"], record["checksum"]


def run_at_once(work: Callable, items: list) -> tuple[list[Exception], list]:
    """`work(item)` for each item, each in a thread of its own, all released together by a barrier; what
    they raised and what they returned (in the order they finished)."""
    barrier, errors, results = threading.Barrier(len(items)), [], []

    def run(item) -> None:
        try:
            barrier.wait()
            results.append(work(item))
        except Exception as error:  # noqa: BLE001 - the test asserts on whatever a thread raised
            errors.append(error)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, results
