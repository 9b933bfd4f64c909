"""What every import shares around its format: how files are named in problems, the quote clipper,
and the end of every load (the dataset's problems and the metadata file's count assertions)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from graph.records import Dataset, ImportFailed, Origin, Problem
from graph.schema import load_schema
from graph.settings import PROJECT_ROOT
from importers.metadata import Metadata

D = TypeVar("D", bound=Dataset)

# The longest quote the schema allows (`evidence`, maxLength), for nodes and relationships alike.
QUOTE_LIMIT = load_schema().common_relationship_properties["evidence"].maxLength


def clip_quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A verbatim prefix of at most `limit` characters, cut at a space where there is one (nothing is
    added, so the quote stays verbatim)."""
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head[:limit]).rstrip()


def check_counts(dataset: Dataset, assertions: dict, origin: Origin) -> list[Problem]:
    """The metadata file's min/max counts (zavod's `assertions`), as problems when not met."""
    labels, types = dataset.counts()
    return count_problems({"nodes": len(dataset.nodes), "relationships": len(dataset.relationships), **labels, **types},
                          assertions, origin)


def count_problems(actual: dict[str, int], assertions: dict, origin: Origin) -> list[Problem]:
    """`check_counts` over counts by name (`nodes`, `relationships`, each label and type)."""
    problems = []
    for bound in ("min", "max"):
        for name, limit in (assertions.get(bound) or {}).items():
            value = actual.get(name, 0)
            if (bound == "min" and value < limit) or (bound == "max" and value > limit):
                problems.append(Problem(origin, "assertions", f"{bound}.{name}",
                                        f"expects {'at least' if bound == 'min' else 'at most'} {limit}, got {value}"))
    return problems


def display(path: Path) -> str:
    """A file as problems name it: relative to the project when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def validated(dataset: D, metadata: Metadata, problems: list[Problem] | None = None, *,
              more: tuple[dict, str] | None = None) -> D:
    """The end of every load: the reader's `problems`, the dataset's own (graph/records.py) and the count
    assertions of the importer's metadata file (and `more`: assertions and the file naming them, a
    mapping's); ImportFailed listing them all, else the dataset."""
    found = [*(problems or []), *dataset.problems(),
             *check_counts(dataset, metadata.assertions, Origin(display(metadata.file)))]
    if more:
        found += check_counts(dataset, more[0], Origin(more[1]))
    if found:
        raise ImportFailed(found)
    return dataset
