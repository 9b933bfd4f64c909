"""The local server's life cycle through the CLI, remote settings, and clear connection errors."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values
from neo4j import RoutingControl

from graph.db import GraphConnectionError, connect
from graph.server import LocalServer
from graph.settings import PROJECT_ROOT
from tests.helpers import DATABASE, port, run_cli


@pytest.fixture
def own_server_env(tmp_path):
    """CLI environment for a second, throwaway local server (own home, ports and .env)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "INFLUENCE_"))}
    env.update(
        INFLUENCE_ENV_FILE=str(tmp_path / ".env"),
        NEO4J_LOCAL_HOME=str(tmp_path / "neo4j"),
        NEO4J_LOCAL_BOLT_PORT=str(port(7689)),
        NEO4J_LOCAL_HTTP_PORT=str(port(7476)),
        NEO4J_LOCAL_HEAP="512m",
        NEO4J_LOCAL_PAGECACHE="64m",
    )
    yield env
    LocalServer(home=tmp_path / "neo4j", bolt_port=port(7689), http_port=port(7476), env_file=tmp_path / ".env").stop()


def test_start_status_roundtrip_stop_and_cached_restart(own_server_env, tmp_path):
    home, env_file = tmp_path / "neo4j", tmp_path / ".env"
    not_running = run_cli("db", "status", env=own_server_env)
    assert not_running.returncode == 1 and "No Neo4j server is running" in not_running.stderr

    started = run_cli("db", "start", env=own_server_env, check=True)
    assert f"Started Neo4j at neo4j://127.0.0.1:{port(7689)}" in started.stdout
    password = dotenv_values(env_file)["NEO4J_PASSWORD"]
    assert len(password) >= 16
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert password not in started.stdout + started.stderr
    assert not any(password in p.read_text(errors="replace") for p in (home / "logs").iterdir() if p.is_file())
    assert "127.0.0.1" in (home / "conf" / "neo4j.conf").read_text()

    again = run_cli("db", "start", env=own_server_env, check=True)
    assert "Already running" in again.stdout

    status = run_cli("db", "status", env=own_server_env, check=True)
    assert "local (pid" in status.stdout and "Neo4j 5.26" in status.stdout and "community" in status.stdout

    with connect(uri=f"neo4j://127.0.0.1:{port(7689)}", password=password) as driver:
        records, _, _ = driver.execute_query("CREATE (n:RoundTrip {value: $value}) RETURN n.value AS value", value=42)
        assert records[0]["value"] == 42
        records, _, _ = driver.execute_query("RETURN apoc.version() AS apoc")
        assert records[0]["apoc"].startswith("5.26")

    run_cli("db", "stop", env=own_server_env, check=True)
    assert "No Neo4j server is running" in run_cli("db", "status", env=own_server_env).stderr

    server = LocalServer(home=home, bolt_port=port(7689), http_port=port(7476), env_file=env_file)
    assert server.install() is False, "the second start must reuse the jars copied by the first"
    restarted = run_cli("db", "start", env=own_server_env, check=True)
    assert "Started" in restarted.stdout
    with connect(uri=f"neo4j://127.0.0.1:{port(7689)}", password=password) as driver:
        records, _, _ = driver.execute_query("MATCH (n:RoundTrip) RETURN n.value AS value")
        assert [r["value"] for r in records] == [42], "data survives a restart"


def test_remote_uri_starts_nothing_locally(cli_env, tmp_path):
    env = dict(cli_env, NEO4J_LOCAL_HOME=str(tmp_path / "never"))
    done = run_cli("db", "start", env=env, check=True)
    assert "NEO4J_URI is set" in done.stdout
    assert not (tmp_path / "never").exists()
    status = run_cli("db", "status", env=env, check=True)
    assert f"remote (NEO4J_URI=neo4j://127.0.0.1:{port(7688)})" in status.stdout


def test_wrong_password_gives_one_clear_paragraph(cli_env):
    done = run_cli("db", "status", env=dict(cli_env, NEO4J_PASSWORD="not-the-password"))
    assert done.returncode == 1
    assert "refused the login of user 'neo4j'" in done.stderr and f"127.0.0.1:{port(7688)}" in done.stderr
    assert "Traceback" not in done.stderr and "not-the-password" not in done.stderr


def test_unreachable_server_gives_one_clear_paragraph(cli_env):
    done = run_cli("db", "status", env=dict(cli_env, NEO4J_URI="neo4j://127.0.0.1:9"))
    assert done.returncode == 1
    assert "not reachable at neo4j://127.0.0.1:9" in done.stderr and "influence db start" in done.stderr
    assert "Traceback" not in done.stderr


def test_connect_raises_library_error_for_missing_password():
    with pytest.raises(GraphConnectionError, match="No password"):
        connect(uri="neo4j://127.0.0.1:9", password="")


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if os.environ.get("CI"):
        pytest.fail("CI must have docker-compose (Debian package) to check docker-compose.yml")
    pytest.skip("neither docker-compose nor the docker compose plugin is installed")


@pytest.mark.parametrize("password", [None, "a-test-password-1"])
def test_docker_compose_config_needs_a_password(password, tmp_path):
    shutil.copy(PROJECT_ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_PASSWORD", "NEO4J_AUTH")}
    if password:
        env["NEO4J_PASSWORD"] = password
    done = subprocess.run([*compose_command(), "config"], cwd=tmp_path, env=env, capture_output=True, text=True)
    if password is None:
        assert done.returncode != 0
        assert "Set NEO4J_PASSWORD" in done.stdout + done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert f"NEO4J_AUTH: neo4j/{password}" in done.stdout
        assert "neo4j:5.26-community" in done.stdout and "127.0.0.1:7687:7687" in done.stdout


# A password written out: `NEO4J_PASSWORD=hunter22`, `NEO4J_AUTH=neo4j/hunter22`. Placeholders
# (`...`, `<password>`) and generated values (`$(...)`, `${VAR}`) are not passwords.
WRITTEN_PASSWORD = re.compile(r"NEO4J_(?:PASSWORD=|AUTH=neo4j/)(?![.]{3}|[$<`'\"\s]|$)\S+")


def test_no_password_in_committed_files():
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.split()
    assert ".env" not in tracked
    for name in tracked:
        path = Path(PROJECT_ROOT, name)
        if path.suffix in {".yml", ".yaml", ".conf", ".md", ".toml", ".env", ".ipynb", ""} and path.is_file():
            found = WRITTEN_PASSWORD.findall(path.read_text(errors="replace"))
            assert found == [], f"{name} writes out a password: {found}"


def test_the_password_check_sees_a_written_password():
    assert WRITTEN_PASSWORD.findall("NEO4J_PASSWORD=hunter22 NEO4J_AUTH=neo4j/hunter22") == [
        "NEO4J_PASSWORD=hunter22", "NEO4J_AUTH=neo4j/hunter22"]
    assert WRITTEN_PASSWORD.findall("NEO4J_PASSWORD=... NEO4J_PASSWORD=$(gen) NEO4J_AUTH=neo4j/${NEO4J_PASSWORD}") == []


def test_the_suite_talks_to_the_server_through_a_routing_uri(neo4j_target, driver):
    """The whole suite runs over `neo4j://`, the routing scheme of clusters and Aura (docs/scaling.md): the
    driver asks the server for a routing table and sends reads and writes where it says."""
    if os.environ.get("INFLUENCE_TEST_NEO4J_URI", "neo4j").startswith("bolt"):
        pytest.skip("INFLUENCE_TEST_NEO4J_URI is a direct bolt:// URI")
    assert neo4j_target[0].startswith(("neo4j://", "neo4j+s://", "neo4j+ssc://")), neo4j_target[0]
    table = driver.execute_query("CALL dbms.routing.getRoutingTable({}, $db)", db=DATABASE).records[0]
    assert {server["role"] for server in table["servers"]} == {"WRITE", "READ", "ROUTE"}
    driver.execute_query("MERGE (m:RoutingProbe {id: 1}) DELETE m", database_=DATABASE, routing_=RoutingControl.WRITE)
    assert driver.execute_query("RETURN 1 AS one", database_=DATABASE, routing_=RoutingControl.READ).records[0]["one"] == 1
