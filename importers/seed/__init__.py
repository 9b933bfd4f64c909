"""The curated seed dataset: `data/seed/*.yaml`, one file per source document.

Each file's `source` becomes a Source node; each node and relationship in it is stamped with that
source's id for every quote it gives, and entries that share an id across files are merged.
"""

from __future__ import annotations

from pathlib import Path

from graph.records import Dataset, ImportFailed, Origin, Problem
from graph.settings import PROJECT_ROOT
from importers.context import display, validated
from importers.metadata import Metadata
from importers.readers import read_yaml

METADATA = Metadata.load(Path(__file__).with_name("seed.yml"))
DEFAULT_PATH = PROJECT_ROOT / METADATA.path
RESERVED = {"label", "type", "from", "to", "key", "evidence"}


def load(directory: Path = DEFAULT_PATH) -> Dataset:
    """Read and merge every file; raise ImportFailed listing all problems (file, line, field)."""
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise ImportFailed([Problem(Origin(str(directory)), "folder", "files", "holds no .yaml file")])
    dataset = Dataset()
    for path in files:
        _read_file(path, dataset)
    return validated(dataset, METADATA)


def _read_file(path: Path, dataset: Dataset) -> None:
    name = display(path)
    document = read_yaml(path)
    if not isinstance(document.data, dict) or not isinstance(document.data.get("source"), dict):
        dataset.conflicts.append(Problem(Origin(name, 1), "file", "source", "is required (a mapping at the top)"))
        return
    source = dict(document.data["source"])
    source_origin = Origin(name, document.line(document.data["source"]))
    source_id = source.get("id")
    dataset.add_node("Source", source, source_origin)
    for entry, origin in document.entries("nodes", name):
        evidence = _evidence(entry, origin, dataset)
        label = entry.pop("label", None)
        props = {k: v for k, v in entry.items() if k not in RESERVED}
        dataset.add_node(str(label), {**props, "sources": [source_id] * len(evidence), "evidence": evidence}, origin)
    for entry, origin in document.entries("relationships", name):
        evidence = _evidence(entry, origin, dataset)
        props = {k: v for k, v in entry.items() if k not in RESERVED}
        start, end = entry.get("from"), entry.get("to")
        if not (isinstance(start, str) and isinstance(end, str)):
            dataset.conflicts.append(Problem(origin, f"{entry.get('type')} relationship", "from/to", "are required"))
            continue
        dataset.add_relationship(
            str(entry.get("type")), start, end,
            {**props, "sources": [source_id] * len(evidence), "evidence": evidence}, origin, key=entry.get("key"),
        )


def _evidence(entry: dict, origin: Origin, dataset: Dataset) -> list:
    evidence = entry.get("evidence")
    if isinstance(evidence, str):
        evidence = [evidence]
    if not evidence or not isinstance(evidence, list):
        dataset.conflicts.append(Problem(origin, str(entry.get("id") or entry.get("type")), "evidence",
                                         "needs at least one quote"))
        return []
    return evidence




QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"',
                             "–": "-", "—": "-", "‒": "-", "−": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    """Text compared for quoting: one space for any white space, plain quote marks and hyphens."""
    return " ".join(text.translate(QUOTE_MARKS).split())


def unquoted(dataset: Dataset, documents: Path) -> list[Problem]:
    """Quotes that cannot be found in the document they cite (any of its copies counts)."""
    texts: dict[str, list[str]] = {}
    for node in dataset.nodes.values():
        if node.label == "Source":
            files = [node.props.get("file"), *node.props.get("otherFiles", [])]
            texts[node.id] = [normalise((documents / f).read_text(encoding="utf-8")) for f in files if f]
    problems = []
    records = [*dataset.nodes.values(), *dataset.relationships.values()]
    for record in records:
        for source_id, quote in zip(record.props.get("sources", []), record.props.get("evidence", []), strict=False):
            if source_id not in texts:
                problems.append(Problem(record.origins[0], record.id, "sources", f"cites unknown source {source_id!r}"))
            elif not any(normalise(quote) in text for text in texts[source_id]):
                problems.append(Problem(record.origins[0], record.id, "evidence",
                                        f"quote not found in {source_id}: {quote[:80]!r}"))
    return problems
