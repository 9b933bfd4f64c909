"""Faults: transient errors are retried and counted, a server killed mid-import loses nothing on the
re-run, and Ctrl-C leaves whole batches and a message saying how to resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from neo4j import GraphDatabase

from graph.server import LocalServer
from graph.settings import PROJECT_ROOT
from graph.writer import WriteStopped, write_dataset
from tests.helpers import DATABASE, count, fingerprint, port
from tests.synthetic import synthetic_dataset


def test_lock_timeouts_are_retried_and_counted(clean_db):
    first = synthetic_dataset(10)
    write_dataset(clean_db, DATABASE, first)
    changed = synthetic_dataset(10)
    changed.nodes["c3"].props["sector"] = "video surveillance"
    with clean_db.session(database=DATABASE) as session:
        holder = session.begin_transaction()
        holder.run("MATCH (n:Entity {id: 'c3'}) SET n.lockedByTest = true").consume()
        outcome = {}
        writer = threading.Thread(target=lambda: outcome.update(summary=write_dataset(clean_db, DATABASE, changed)))
        writer.start()
        # wait until the writer waits on the lock (a fixed sleep raced the writer's earlier batches), then
        # past the server's 2 s lock timeout, so that its attempt fails and is retried
        deadline = time.monotonic() + 120
        while not blocked_transactions(clean_db) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.5)
        holder.rollback()
        writer.join(timeout=60)
    summary = outcome["summary"]
    assert summary.retried_batches >= 1
    assert summary.outcomes[("node", "Company")]["updated"] == 1
    assert count(clean_db, "MATCH (n:Company {id: 'c3'}) WHERE n.sector = 'video surveillance' RETURN count(n)") == 1


def blocked_transactions(driver) -> int:
    """How many transactions wait on a lock another one holds."""
    return count(driver, "SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS c")


@pytest.fixture
def killable_server(tmp_path):
    server = LocalServer(home=tmp_path / "neo4j", bolt_port=port(7690), http_port=port(7477), env_file=tmp_path / ".env",
                         heap="768m", pagecache="128m")
    server.start()
    yield server
    server.stop()


def test_server_killed_mid_import_then_rerun_gives_the_undisturbed_graph(killable_server):
    dataset = synthetic_dataset(3000)
    uri, password = killable_server.uri, killable_server.password()
    with GraphDatabase.driver(uri, auth=("neo4j", password), max_transaction_retry_time=3) as driver:
        write_dataset(driver, DATABASE, dataset, batch_size=200)
        undisturbed = fingerprint(driver)
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=DATABASE)

        batches = 0

        def kill_after_some_batches(rows: int) -> None:
            nonlocal batches
            batches += 1
            if batches == 8:
                os.kill(killable_server.pid(), signal.SIGKILL)

        with pytest.raises(WriteStopped, match="the server stopped answering during the import") as stopped:
            write_dataset(driver, DATABASE, dataset, batch_size=200, progress=kill_after_some_batches)
        written = int(str(stopped.value).split(" batch(es) of this import were written")[0].rsplit(" ", 1)[-1])
        assert written >= 8, "the batches before the kill are counted (one more may commit as it dies)"
    killable_server.pid_file.unlink(missing_ok=True)
    killable_server.start()
    with GraphDatabase.driver(uri, auth=("neo4j", password)) as driver:
        partial = count(driver, "MATCH (n) RETURN count(n)")
        assert 0 < partial < len(dataset.nodes), "the kill landed mid-import"
        summary = write_dataset(driver, DATABASE, dataset, batch_size=200)
        assert summary.total("unchanged") == partial, "what was written before the kill is left as it is"
        assert fingerprint(driver) == undisturbed
        assert count(driver, "MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*)") == 0


def test_ctrl_c_mid_import_says_how_to_resume(clean_db, cli_env):
    command = [sys.executable, "-m", "influence_graph.cli", "import", "seed", "--batch-size", "2"]
    process = subprocess.Popen(command, env=cli_env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while count(clean_db) < 20 and time.monotonic() < deadline:   # wait until writing has begun
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Interrupted after" in stdout and "Run the same command again" in stdout and "influence import seed" in stdout
    dangling = count(clean_db, "MATCH ()-[r]->() WHERE r.sources IS NULL RETURN count(r)")
    assert dangling == 0
    finished = subprocess.run(command[:-2], env=cli_env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert finished.returncode == 0
    from importers import seed

    expected = seed.load()
    assert count(clean_db) == len(expected.nodes)
    assert count(clean_db, "MATCH ()-[r]->() RETURN count(r)") == len(expected.relationships)
