"""The Neo4j server the benchmarks run against: a dedicated LocalServer by default, or a given URI.

With a local server the database is emptied between import runs by stopping the server and deleting
the `neo4j` store (fast at any size; the auth store is kept), and the offline importer can run.
With `--uri`, the graph is emptied with batched DETACH DELETE and the offline importer is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from neo4j import Driver

from graph.db import connect
from graph.server import ADMIN_TOOL, LocalServer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = ROOT / ".local" / "bench-neo4j"


@dataclass
class Target:
    uri: str
    password: str
    user: str = "neo4j"
    database: str = "neo4j"
    server: LocalServer | None = None
    started_here: bool = False
    driver: Driver | None = None

    @classmethod
    def open(cls, uri: str | None, password: str | None, home: Path = DEFAULT_HOME, bolt_port: int = 7705,
             http_port: int = 7715, heap: str = "4g", pagecache: str = "3g") -> Target:
        if uri:
            if not password:
                raise SystemExit("--uri needs --password (or INFLUENCE_BENCH_NEO4J_PASSWORD)")
            target = cls(uri=uri, password=password)
        else:
            server = LocalServer(home=home, bolt_port=bolt_port, http_port=http_port, env_file=home / "bench.env",
                                 heap=heap, pagecache=pagecache)
            started = server.start()
            target = cls(uri=server.uri, password=server.password() or "", server=server, started_here=started)
        target.connect()
        return target

    def connect(self) -> Driver:
        if self.driver:
            self.driver.close()
        self.driver = connect(uri=self.uri, user=self.user, password=self.password)
        return self.driver

    # --- emptying ---------------------------------------------------------------------------------
    def wipe(self) -> float:
        """Empty the database (data, constraints, indexes); returns the seconds it took."""
        started = time.perf_counter()
        with self.driver.session(database=self.database) as session:
            size = session.run("MATCH (n) RETURN count(n) AS c").single()["c"]
        if self.server and size > 200_000:  # deleting a big store file-wise beats DETACH DELETE
            self.driver.close()
            self.driver = None
            self.server.stop()
            for sub in ("databases/neo4j", "transactions/neo4j"):
                shutil.rmtree(self.server.home / "data" / sub, ignore_errors=True)
            self.server.start()
            self.connect()
        else:
            with self.driver.session(database=self.database) as session:
                session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
                for record in list(session.run("SHOW CONSTRAINTS YIELD name")):
                    session.run(f"DROP CONSTRAINT `{record['name']}`").consume()
                for record in list(session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")):
                    session.run(f"DROP INDEX `{record['name']}`").consume()
        return time.perf_counter() - started

    @property
    def import_dir(self) -> Path | None:
        return self.server.home / "import" if self.server else None

    def counts(self) -> tuple[int, int]:
        with self.driver.session(database=self.database) as session:
            nodes = session.run("MATCH (n) RETURN count(n) AS c").single()["c"]
            rels = session.run("MATCH ()-[r]->() RETURN count(r) AS c").single()["c"]
        return nodes, rels

    # --- offline import ---------------------------------------------------------------------------
    def admin_import(self, arguments: list[str]) -> subprocess.CompletedProcess:
        """Stop the server, run `neo4j-admin database import full ... neo4j` on the lib/ classpath."""
        assert self.server
        self.driver.close()
        self.driver = None
        self.server.stop()
        java = self.server._java()  # noqa: SLF001 (same JVM the server uses)
        command = [java, "-Xmx2g", "-cp", f"{self.server.lib}/*", ADMIN_TOOL, "database", "import", "full",
                   self.database, "--overwrite-destination=true", *arguments]
        done = subprocess.run(command, env=self.server._env(), capture_output=True, text=True,  # noqa: SLF001
                              cwd=self.server.home)
        return done

    def java_version(self) -> str:
        java = self.server._java() if self.server else shutil.which("java")  # noqa: SLF001
        if not java:
            return "unknown"
        out = subprocess.run([java, "-version"], capture_output=True, text=True)
        return (out.stderr or out.stdout).splitlines()[0] if (out.stderr or out.stdout) else "unknown"

    def close(self, stop: bool) -> None:
        if self.driver:
            self.driver.close()
        if stop and self.server:
            self.server.stop()


def env_uri() -> tuple[str | None, str | None]:
    return os.environ.get("INFLUENCE_BENCH_NEO4J_URI"), os.environ.get("INFLUENCE_BENCH_NEO4J_PASSWORD")
