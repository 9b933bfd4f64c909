"""Each importer's metadata file (`importers/<name>/<name>.yml`): source, licence, format, expected counts."""

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

    @classmethod
    def load(cls, file: Path) -> Metadata:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        return cls(file=file, **raw)
