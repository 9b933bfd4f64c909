"""Open Ownership's Beneficial Ownership Data Standard (BODS) 0.2, 0.3 and 0.4.

`load(path)` reads one package (a JSON array of statements, or JSON Lines) or every `.json` /
`.jsonl` file of a folder, checks it all, and returns the Dataset: one Source node per file
(`bods-<file stem>`), Company / Government / Organization / Person nodes, and OWNS,
HOLDS_POSITION and PART_OF ties. How statements become nodes and ties is told in `mapping`; which
fields are read and checked in `statements`.
"""

from __future__ import annotations

from pathlib import Path

from graph.records import Dataset, ImportFailed, Origin, Problem
from importers.bods.mapping import GraphBuilder, add_ties, latest_records, replaced_statements
from importers.bods.reading import RawStatement, read_statements
from importers.bods.statements import VERSIONS, Entity, Person, Relationship, parse
from importers.context import display, validated
from importers.metadata import Metadata
from importers.names import slug

METADATA = Metadata.load(Path(__file__).with_name("bods.yml"))
SUFFIXES = (".json", ".jsonl")


def load(path: Path) -> Dataset:
    """Read, check and map every statement; raise ImportFailed listing all problems (file, line, statement, field)."""
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES) if path.is_dir() else [path]
    if not path.exists() or not files:
        what = "does not exist" if not path.exists() else f"holds no {' or '.join(SUFFIXES)} file"
        raise ImportFailed([Problem(Origin(str(path)), "folder" if path.is_dir() else "file", "path", what)])
    dataset, problems, records, unreadable = Dataset(), [], [], set()
    for file in files:
        shown = display(file)
        raw, file_problems = read_statements(file, shown)
        problems += file_problems
        if file_problems:
            continue
        package = source_id(file)
        for statement in raw:
            record = parse(statement, package, problems)
            if record is not None:
                records.append(record)
            else:
                unreadable |= _named_keys(statement)
        _add_source(dataset, file, shown, package, raw, problems)
    latest = latest_records(records, problems)
    builder = GraphBuilder(dataset, problems, replaced_statements(records), unreadable)
    relationships = [record for record in latest.values() if isinstance(record, Relationship)]
    for relationship in relationships:
        builder.note_undisclosed(relationship)
    for key, record in latest.items():
        if isinstance(record, Entity | Person):
            builder.add_party(key, record)
    builder.finish_nodes()
    add_ties([tie for relationship in relationships for tie in builder.ties(relationship, latest)], dataset)
    return validated(dataset, METADATA, problems)


def _named_keys(statement: RawStatement) -> set[tuple[str, str]]:
    """The keys a statement that could not be read would have had: references to it are not reported again."""
    value = statement.value if isinstance(statement.value, dict) else {}
    return {(space, value[name]) for space, name in (("record", "recordId"), ("statement", "statementID"))
            if isinstance(value.get(name), str)}


def source_id(file: Path) -> str:
    """`joint-ownership.json` → `bods-joint-ownership`; `bods-package.json` → `bods-package`."""
    stem = slug(file.stem)
    return stem if stem.startswith("bods") else f"bods-{stem}"


def _add_source(dataset: Dataset, file: Path, shown: str, package: str, raw: list[RawStatement],
                problems: list[Problem]) -> None:
    """The package's Source node, from the publicationDetails of its statements."""
    details = [s.value.get("publicationDetails") for s in raw if isinstance(s.value, dict)]
    details = [d for d in details if isinstance(d, dict)]
    publishers = [d.get("publisher") for d in details if isinstance(d.get("publisher"), dict)]
    names = list(dict.fromkeys(p.get("name") or p.get("url") for p in publishers if p.get("name") or p.get("url")))
    dates = sorted(d["publicationDate"][:10] for d in details if isinstance(d.get("publicationDate"), str))
    versions = sorted({d.get("bodsVersion") for d in details} & set(VERSIONS))
    origin = raw[0].origin if raw else Origin(shown)
    if raw and not names:
        problems.append(Problem(origin, "package", "publicationDetails.publisher", "names no publisher in any statement"))
    if not raw:
        problems.append(Problem(origin, "file", "statements", "holds no statements"))
    if not (names and dates):
        return
    dataset.add_node("Source", {
        "id": package, "name": f"BODS {file.name}", "title": f"BODS {'/'.join(versions)} package {file.name}",
        "publisher": "; ".join(names),
        "date": dates[-1], "file": file.name, "url": next((p["url"] for p in publishers if p.get("url")), None),
    }, origin)

