"""The `influence` command line: a thin layer over the library, one short function per command."""

from __future__ import annotations

import functools
import logging
import sys

import click
from rich.console import Console

from graph.db import GraphConnectionError, connect, health
from graph.schema import apply_schema
from graph.server import LocalServer, ServerError
from graph.settings import get_settings

console = Console()


def handle_errors(command):
    """Turn the library's user-facing errors into a one-paragraph message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (GraphConnectionError, ServerError) as error:
            raise click.ClickException(str(error)) from None

    return wrapper


def database_option(command):
    """`--database`: the Neo4j database to use (default: NEO4J_DATABASE, else `neo4j`)."""
    return click.option(
        "--database", default=None, help="Neo4j database (default: NEO4J_DATABASE or 'neo4j')."
    )(command)


def ensure_server() -> None:
    """Start the local server unless NEO4J_URI points elsewhere."""
    if get_settings().uses_local_server:
        server = LocalServer.from_settings()
        if server.start():
            console.print(f"Started the local Neo4j server at {server.uri}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="influence-graph")
def main():
    """Influence Graph: who finances, builds, owns and steers what, in Neo4j."""
    # The server's query notifications (e.g. "label does not exist" on an empty graph) are not errors.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


# --- db -------------------------------------------------------------------------------------------
@main.group()
def db():
    """Run the local Neo4j server, or check the configured one."""


@db.command()
@handle_errors
def start():
    """Start the local Neo4j server (idempotent) and wait until Bolt answers."""
    settings = get_settings()
    if not settings.uses_local_server:
        console.print(f"NEO4J_URI is set ({settings.neo4j_uri}): using that server, nothing started locally.")
        return
    server = LocalServer.from_settings()
    started = server.start()
    console.print(("Started" if started else "Already running:") + f" Neo4j at {server.uri}")
    console.print(f"user: {server.user}   password: in {server.env_file} (NEO4J_PASSWORD)")
    console.print(f"Neo4j Browser: {server.browser_url}")


@db.command()
@handle_errors
def stop():
    """Stop the local Neo4j server."""
    server = LocalServer.from_settings()
    console.print("Stopped the local Neo4j server." if server.stop() else "The local Neo4j server was not running.")


@db.command()
@database_option
@handle_errors
def status(database):
    """Say which server is in use (remote, local, or another on localhost), its version and size."""
    settings = get_settings()
    server = LocalServer.from_settings()
    if not settings.uses_local_server:
        mode = f"remote (NEO4J_URI={settings.neo4j_uri})"
    elif server.pid():
        mode = f"local (pid {server.pid()}, home {server.home})"
    elif server.bolt_listening():
        mode = f"another server on {server.uri}, not started by influence (docker compose?)"
    else:
        raise click.ClickException(f"No Neo4j server is running at {server.uri}. Start one with `influence db start`.")
    with connect(settings) as driver:
        info = health(driver, database or settings.neo4j_database)
    console.print(f"server: {mode}")
    console.print(f"Neo4j {info.version} {info.edition} at {info.uri}, database {info.database}: "
                  f"{info.nodes} nodes, {info.relationships} relationships")


@db.command()
@click.option("-n", "--lines", default=50, show_default=True, help="How many lines to show.")
def logs(lines):
    """Show the end of the local server's log."""
    click.echo(LocalServer.from_settings().tail(lines))


# --- schema ----------------------------------------------------------------------------------------
@main.group()
def schema():
    """The graph schema: apply it to Neo4j, or write its reference."""


@schema.command("apply")
@database_option
@handle_errors
def schema_apply(database):
    """Create the schema's constraints and indexes (IF NOT EXISTS)."""
    settings = get_settings()
    with connect(settings) as driver:
        statements = apply_schema(driver, database or settings.neo4j_database)
    console.print(f"Applied {len(statements)} constraints and indexes.")


# --- demo ------------------------------------------------------------------------------------------
@main.command()
@database_option
@handle_errors
def demo(database):
    """The main job: start Neo4j if needed, apply the schema and print a status line."""
    settings = get_settings()
    database = database or settings.neo4j_database
    ensure_server()
    with connect(settings) as driver:
        statements = apply_schema(driver, database)
        info = health(driver, database)
    console.print(f"Schema applied ({len(statements)} constraints and indexes).")
    console.print(f"Neo4j {info.version} {info.edition} at {info.uri}: {info.nodes} nodes, "
                  f"{info.relationships} relationships. Browser: {LocalServer.from_settings().browser_url}")


def run():
    main(prog_name="influence")


if __name__ == "__main__":
    sys.exit(run())
