"""Influence Graph: a Neo4j graph of who finances, builds, owns and steers what.

`graph` holds the settings, the driver factory, the local Neo4j server, the schema and the CLI.
"""

from graph.db import GraphConnectionError, connect, health
from graph.schema import load_schema
from graph.settings import Settings, get_settings

__all__ = ["GraphConnectionError", "Settings", "connect", "get_settings", "health", "load_schema"]
