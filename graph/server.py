"""The local Neo4j 5.26 Community server, assembled from Maven Central and run with the machine's Java.

`mvn dependency:copy-dependencies` on `graph/server/pom.xml` fills `HOME/lib` (and APOC core into
`HOME/plugins`) once; later starts reuse the jars while the pom is unchanged. The server runs in
the background as one JVM (`org.neo4j.server.CommunityEntryPoint`), listening on 127.0.0.1 only.
Its password is generated before the first start and kept in a git-ignored 0600 env file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import string
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values, set_key
from neo4j import GraphDatabase
from neo4j.exceptions import DriverError, Neo4jError

from graph.settings import ENV_FILE, Settings, get_settings

POM = Path(__file__).resolve().parent / "server" / "pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
# What the server writes (store, transaction logs, auth file, logs) is its owner's alone.
PRIVATE_UMASK = 0o077
PRIVATE_FOLDERS = ("data", "logs", "run", "conf", "import")

# The flags Neo4j 5.26's default configuration passes to the server JVM (server.jvm.additional).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
]


def _artifact_name(jar: Path) -> str:
    """`commons-lang3-3.18.0.jar` → `commons-lang3`."""
    return re.sub(r"-\d[^-]*(-[A-Za-z]+\d*)?$", "", jar.stem)


def _alive(pid: int) -> bool:
    """True while the process runs; a zombie (our own exited child, not yet waited for) is reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    if state == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


class ServerError(RuntimeError):
    """The local server could not be installed, started or stopped; the message says why."""


@dataclass
class LocalServer:
    home: Path
    bolt_port: int = 7687
    http_port: int = 7474
    env_file: Path = ENV_FILE
    heap: str = "1g"
    pagecache: str = "512m"
    user: str = "neo4j"
    extra_settings: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # what the last start() changed (file modes)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> LocalServer:
        settings = settings or get_settings()
        return cls(
            home=settings.neo4j_local_home.resolve(), bolt_port=settings.neo4j_local_bolt_port,
            http_port=settings.neo4j_local_http_port, heap=settings.neo4j_local_heap,
            pagecache=settings.neo4j_local_pagecache, user=settings.neo4j_user,
        )

    # --- where things are -------------------------------------------------------------------
    @property
    def uri(self) -> str:
        return f"neo4j://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://localhost:{self.http_port}/browser/"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "influence-neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def lib(self) -> Path:
        return self.home / "lib"

    # --- install ----------------------------------------------------------------------------
    def install(self) -> bool:
        """Copy the server's jars from Maven into lib/ and plugins/; False when the cache was current."""
        stamp = self.lib / ".pom-sha256"
        digest = hashlib.sha256(POM.read_bytes()).hexdigest()
        if stamp.exists() and stamp.read_text() == digest and any(self.lib.glob("neo4j-5*.jar")):
            return False
        mvn = shutil.which("mvn")
        if not mvn:
            raise ServerError("Maven (mvn) is not on PATH; it fetches the Neo4j jars from Maven Central once.")
        plugins = self.home / "plugins"
        staging = self.home / "run" / "apoc-classpath"
        for folder in (self.lib, plugins, staging):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        self._maven(mvn, "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={self.lib}")
        self._maven(mvn, "-Papoc", "dependency:copy-dependencies", "-DincludeScope=runtime",
                    f"-DoutputDirectory={staging}")
        in_lib = {_artifact_name(jar) for jar in self.lib.glob("*.jar")}
        for jar in staging.glob("*.jar"):
            if _artifact_name(jar) not in in_lib:
                jar.rename(plugins / jar.name)
        shutil.rmtree(staging)
        stamp.write_text(digest)
        return True

    @staticmethod
    def _maven(mvn: str, *arguments: str) -> None:
        done = subprocess.run([mvn, "-B", "-q", "-f", str(POM), *arguments], capture_output=True, text=True)
        if done.returncode != 0:
            raise ServerError(f"Maven failed fetching the Neo4j jars:\n{(done.stdout + done.stderr)[-3000:]}")

    def write_config(self) -> None:
        for sub in ("conf", "data", "logs", "plugins", "run", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        settings = {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f":{self.bolt_port}",
            # the routing table must name this server's own port, or a neo4j:// client could be sent to 7687
            "server.bolt.advertised_address": f":{self.bolt_port}",
            "server.http.listen_address": f":{self.http_port}",
            "server.https.enabled": "false",
            "server.directories.data": "data",
            "server.directories.logs": "logs",
            "server.directories.plugins": "plugins",
            "server.directories.run": "run",
            "server.directories.import": "import",
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.pagecache,
            "dbms.security.procedures.unrestricted": "apoc.*",
            "dbms.usage_report.enabled": "false",
            "db.tx_log.rotation.retention_policy": "2 files",
            **self.extra_settings,
        }
        text = "# Written by `influence db start`; edits are overwritten on the next start.\n"
        text += "".join(f"{key}={value}\n" for key, value in settings.items())
        (self.home / "conf" / "neo4j.conf").write_text(text)

    # --- password -----------------------------------------------------------------------------
    def password(self) -> str | None:
        if not self.env_file.exists():
            return None
        return dotenv_values(self.env_file).get("NEO4J_PASSWORD") or None

    def _ensure_password(self) -> None:
        """Generate the password before the very first start and hand it to Neo4j's admin tool."""
        initialised = (self.home / "data" / "dbms" / "auth.ini").exists() or (self.home / "data" / "databases").exists()
        password = self.password()
        if initialised:
            if not password:
                raise ServerError(
                    f"The local server in {self.home} was initialised, but {self.env_file} holds no NEO4J_PASSWORD. "
                    f"Put the password back there, or delete {self.home / 'data'} to start afresh (its data is lost)."
                )
            return
        if not password:
            # letters and digits only: a password starting with "-" would be read as an option
            password = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
            self.env_file.parent.mkdir(parents=True, exist_ok=True)
            self.env_file.touch(mode=0o600, exist_ok=True)
            set_key(str(self.env_file), "NEO4J_USER", self.user, quote_mode="never")
            set_key(str(self.env_file), "NEO4J_PASSWORD", password, quote_mode="never")
        os.chmod(self.env_file, 0o600)
        # On a command line any local user could read the password (/proc/<pid>/cmdline). The Java
        # launcher reads the main class and its arguments from an argument file instead (owner-only,
        # deleted at once); -XX:-UsePerfData keeps the expanded arguments out of /tmp/hsperfdata_*.
        arguments = self.home / "run" / "set-initial-password.args"
        with os.fdopen(os.open(arguments, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            handle.write(f"{ADMIN_TOOL} dbms set-initial-password {password}\n")
        try:
            done = subprocess.run(
                [self._java(), "-XX:-UsePerfData", "-cp", f"{self.lib}/*", f"@{arguments}"],
                env=self._env(), capture_output=True, text=True, umask=PRIVATE_UMASK,
            )
        finally:
            arguments.unlink(missing_ok=True)
        if done.returncode != 0:
            raise ServerError(f"Setting the initial password failed: {done.stderr.strip()[-2000:]}")

    # --- file modes ------------------------------------------------------------------------------
    def make_private(self) -> list[str]:
        """Owner-only modes on the env file (0600) and on the server's home: its folders 0700 and the
        files of the store, transaction logs, auth file, logs and configuration 0600, whatever an
        older version or a loose umask left. Returns one line for each path that was tightened."""
        notices = []

        def tighten(path: Path, mode: int) -> None:
            current = stat.S_IMODE(path.lstat().st_mode)
            if current & 0o077:
                os.chmod(path, mode)
                notices.append(f"{path} was readable by others (mode {current:04o}); it is {mode:04o} now.")

        if self.env_file.is_file():
            tighten(self.env_file, 0o600)
        if self.home.is_dir():
            tighten(self.home, 0o700)
        for sub in PRIVATE_FOLDERS:
            for folder, _, files in os.walk(self.home / sub):
                tighten(Path(folder), 0o700)
                for name in files:
                    path = Path(folder, name)
                    if not path.is_symlink():
                        tighten(path, 0o600)
        return notices

    # --- run ------------------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The pid of our running server, or None (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except FileNotFoundError:
            cmdline = ""
        if ENTRY_POINT in cmdline and str(self.home) in cmdline:
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def bolt_listening(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.bolt_port)) == 0

    def start(self, timeout: float = 180) -> bool:
        """Start the server unless it runs already; wait until Bolt answers. True if it was started now."""
        self.notices = self.make_private()
        if self.pid():
            self.wait_until_ready(timeout)
            return False
        if self.bolt_listening():
            raise ServerError(
                f"Port {self.bolt_port} is taken by a server this project did not start (Docker?). "
                "Set NEO4J_URI to use it, or stop it first."
            )
        self.install()
        self.write_config()
        self._ensure_password()
        self.make_private()  # what this start created: no notice
        command = [
            self._java(), f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS,
            "-cp", f"{self.home}/plugins/*:{self.home}/conf/*:{self.lib}/*",
            ENTRY_POINT, f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}", "--console-mode",
        ]
        with open(self.console_log, "ab", opener=lambda path, flags: os.open(path, flags, 0o600)) as log:
            process = subprocess.Popen(
                command, cwd=self.home, env=self._env(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, umask=PRIVATE_UMASK,
            )
        with open(self.pid_file, "w", opener=lambda path, flags: os.open(path, flags, 0o600)) as pid_file:
            pid_file.write(str(process.pid))
        self.wait_until_ready(timeout, process)
        return True

    def wait_until_ready(self, timeout: float, process: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if process is not None and process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise ServerError(f"Neo4j exited with status {process.returncode}:\n{self.tail(30)}")
            if self.bolt_listening() and self.password():
                try:
                    with GraphDatabase.driver(self.uri, auth=(self.user, self.password())) as driver:
                        driver.verify_connectivity()
                    return
                except (Neo4jError, DriverError, OSError):  # not ready yet, or the login not yet set
                    pass
            if time.monotonic() > deadline:
                raise ServerError(f"Neo4j did not answer on {self.uri} within {timeout:.0f} s:\n{self.tail(30)}")
            time.sleep(0.5)

    def stop(self, timeout: float = 60) -> bool:
        """Stop our server (SIGTERM, then SIGKILL after `timeout`). True if one was running."""
        pid = self.pid()
        if not pid:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def tail(self, lines: int = 50) -> str:
        """The last lines of the server's logs (neo4j.log when present, else the console log)."""
        for path in (self.home / "logs" / "neo4j.log", self.console_log):
            if path.exists():
                return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log yet)"

    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        java = Path(java_home, "bin", "java") if java_home else shutil.which("java")
        if not java:
            raise ServerError("Java 17 or 21 is needed to run the local Neo4j server; `java` is not on PATH.")
        return str(java)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("JAVA_OPTS", "HEAP_SIZE")}
        env.update(NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.home / "conf"))
        return env
