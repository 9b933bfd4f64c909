"""Each importer's metadata file (`importers/<name>/<name>.yml`): source, licence, format, expected counts,
and the Source nodes of a format whose files do not name their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Metadata:
    file: Path
    name: str
    title: str
    format: str
    source: str
    licence: str
    path: str = ""
    assertions: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)  # Source id -> its other properties

    @classmethod
    def load(cls, file: Path) -> Metadata:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        return cls(file=file, **raw)
