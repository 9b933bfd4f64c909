"""Settings: the environment first, then the project's `.env` file (INFLUENCE_ENV_FILE names another)."""

import os
from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = Path(os.environ.get("INFLUENCE_ENV_FILE", PROJECT_ROOT / ".env"))


class Settings(BaseSettings):
    """Where Neo4j is and how to log in.

    `neo4j_uri` unset means "use the local server" (started by `influence db start`); set it to
    point at Docker, Aura or a cluster, and nothing is started locally. The `neo4j_local_*`
    settings shape the local server.
    """

    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")

    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"

    neo4j_local_home: Path = PROJECT_ROOT / ".local" / "neo4j"
    neo4j_local_bolt_port: int = 7687
    neo4j_local_http_port: int = 7474
    neo4j_local_heap: str = "1g"
    neo4j_local_pagecache: str = "512m"

    # judgements and the review file of entity resolution (importers/resolve.py)
    influence_resolution_dir: Path = PROJECT_ROOT / "data" / "resolution"

    @property
    def uses_local_server(self) -> bool:
        return not self.neo4j_uri


@lru_cache
def get_settings() -> Settings:
    return Settings()
