"""One driver factory for the whole project, and the health check."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import Driver, GraphDatabase, RoutingControl, Session
from neo4j.exceptions import AuthError, ConfigurationError, ServiceUnavailable

from graph.server import LocalServer
from graph.settings import Settings, get_settings

START_HINT = "Start the local server with `influence db start` (or set NEO4J_URI to a running server)."


class GraphConnectionError(RuntimeError):
    """Neo4j could not be reached or refused the login. The message is meant for the user."""


def resolve(settings: Settings | None = None) -> tuple[str, str, str | None]:
    """The URI, user and password to use: NEO4J_URI if set, else the local server's."""
    settings = settings or get_settings()
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    if settings.neo4j_uri:
        return settings.neo4j_uri, settings.neo4j_user, password
    local = LocalServer.from_settings(settings)
    return local.uri, settings.neo4j_user, password or local.password()


def connect(
    settings: Settings | None = None, *, uri: str | None = None, user: str | None = None, password: str | None = None
) -> Driver:
    """A verified driver. Raises GraphConnectionError with a readable paragraph when that fails."""
    if uri is None:
        uri, default_user, default_password = resolve(settings)
        user = user or default_user
        password = password if password is not None else default_password
    user = user or "neo4j"
    if not password:
        raise GraphConnectionError(
            f"No password for {user} at {uri}: set NEO4J_PASSWORD in the environment or in .env. {START_HINT}"
        )
    try:
        driver = GraphDatabase.driver(uri, auth=(user, password), user_agent="influence-graph")
    except (ConfigurationError, ValueError) as error:
        raise GraphConnectionError(f"The Neo4j URI {uri!r} is not valid: {error}") from None
    try:
        driver.verify_connectivity()
    except AuthError:
        driver.close()
        raise GraphConnectionError(
            f"Neo4j at {uri} refused the login of user {user!r}: the password is wrong. Check NEO4J_PASSWORD "
            "(environment or .env); the local server's password is the one `influence db start` wrote to .env."
        ) from None
    except (ServiceUnavailable, OSError) as error:
        driver.close()
        raise GraphConnectionError(f"Neo4j is not reachable at {uri} ({type(error).__name__}). {START_HINT}") from None
    return driver


@dataclass
class Health:
    uri: str
    version: str
    edition: str
    database: str
    nodes: int
    relationships: int


def session(driver: Driver, database: str, **config) -> Session:
    """A session that shares the driver's `execute_query` bookmarks: on a cluster a read that follows a
    write, through either, waits until the server it reads from has that write."""
    return driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager, **config)


def health(driver: Driver, database: str | None = None) -> Health:
    """Version, edition and size of the database, read in READ mode."""
    database = database or get_settings().neo4j_database
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition",
        routing_=RoutingControl.READ, database_=database,
    )
    counts, _, _ = driver.execute_query(
        "CALL () { MATCH (n) RETURN count(n) AS nodes } CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } "
        "RETURN nodes, rels",
        routing_=RoutingControl.READ, database_=database,
    )
    return Health(
        uri=_driver_uri(driver), version=records[0]["version"], edition=records[0]["edition"], database=database,
        nodes=counts[0]["nodes"], relationships=counts[0]["rels"],
    )


def _driver_uri(driver: Driver) -> str:
    address = driver.get_server_info().address
    return f"{address.host}:{address.port}"
