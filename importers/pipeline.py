"""The one way an import reaches Neo4j: load, resolve, validate once, write.

A format's `load` reads its files into a Dataset and validates it (graph/records.py: the schema,
ownership and provenance rules, and the importer's count assertions), raising ImportFailed with every
problem. `resolve` matches its entities against the graph and, only where a match changed the
dataset, validates it again (joining two records may make them disagree). `write` then writes the
validated dataset without checking it a third time. The CLI and the notebooks call these; nothing
else orchestrates an import.
"""

from __future__ import annotations

from neo4j import Driver

from graph.records import Dataset, ImportFailed
from graph.writer import ImportSummary, ProgressCallback, write_dataset
from importers.resolve import Resolution, Resolver, Store


def resolve(driver: Driver, database: str, dataset: Dataset, *, store: Store | None = None) -> Resolution:
    """Match the dataset's entities against the graph (in place) with the store's judgements, add the
    uncertain matches to its review file (keeping the pairs pending there), and validate the dataset
    again when a sure match moved an entity to an existing id."""
    store = store or Store()
    judgements = store.judgements()
    resolution = Resolver(driver, database, judgements).resolve(dataset)
    store.update_review(resolution.review, judgements)
    if resolution.merged:
        validate(dataset)
    return resolution


def validate(dataset: Dataset) -> Dataset:
    """The dataset, or ImportFailed listing all its problems."""
    problems = dataset.problems()
    if problems:
        raise ImportFailed(problems)
    return dataset


def write(driver: Driver, database: str, dataset: Dataset, *, batch_size: int = 5000,
          progress: ProgressCallback | None = None, rename: bool = False) -> ImportSummary:
    """Write a dataset that `load` (and `resolve`) validated."""
    return write_dataset(driver, database, dataset, batch_size=batch_size, progress=progress, rename=rename,
                         validate=False)
