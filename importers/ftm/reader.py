"""Reading a FollowTheMoney JSON-lines file into entity proxies, each with the line it came from.

Every line is parsed with `json` and handed to the followthemoney library (`ValueEntity`, the 4.x
entity class that also keeps OpenSanctions' `caption`, `datasets`, `first_seen` and `last_change`),
which checks the schema name and normalises every value (`cleaned=False`). Values of the properties
this importer reads (dates, countries, entity references) that the library rejects are reported
rather than silently dropped; other properties are left to the library. Properties the schema does
not know are ignored, as the library does, so files written by a newer FtM version still load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthemoney import ValueEntity, model, registry

from graph.records import Origin, Problem
from importers.readers import json_lines

# The dates, countries and entity references mapping.py reads: a raw value of theirs that the library
# cannot clean is reported instead of being dropped silently.
CHECKED_PROPS = {"startDate", "endDate", "date", "incorporationDate", "country", "jurisdiction", "nationality",
                 "citizenship", "owner", "asset", "director", "organization", "member", "employee", "employer",
                 "creditor", "debtor", "participant", "project", "entity"}
STAMPS = ("first_seen", "last_seen", "last_change")  # OpenSanctions' record dates, which date the ties


@dataclass
class Record:
    entity: ValueEntity
    origin: Origin
    caption: str | None  # OpenSanctions' display name, when the file gives one

    @property
    def item(self) -> str:
        return f"{self.entity.schema.name} {self.entity.id}"


def read_entities(path: Path, file: str) -> tuple[list[Record], set[str], list[Problem]]:
    """All entities of the file in order, the ids of entities whose line was rejected, and every
    problem found on the way (file and line named)."""
    records: list[Record] = []
    rejected: set[str] = set()
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    with path.open("rb") as handle:
        for line in json_lines(handle):
            if line.kind:
                problems.append(line.problem(file, syntax_field="json"))
                continue
            origin = Origin(file, line.number)
            record = _read_entity(line.value, origin, problems, rejected)
            if record is None:
                continue
            entity_id = record.entity.id
            if entity_id in first_line:
                problems.append(Problem(origin, record.item, "id", f"appears again (first on line {first_line[entity_id]})"))
                continue
            first_line[entity_id] = line.number
            records.append(record)
    if not records and not problems:
        problems.append(Problem(Origin(file), "file", "entities", "holds no entities (the file is empty)"))
    return records, rejected, problems


def _read_entity(data: Any, origin: Origin, problems: list[Problem], rejected: set[str]) -> Record | None:
    if not isinstance(data, dict):
        problems.append(Problem(origin, "line", "json", f"is a JSON {type(data).__name__}, not an entity object"))
        return None
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        problems.append(Problem(origin, "entity", "id", "is required"))
        return None
    schema_name = data.get("schema")
    rejected.add(entity_id)  # until the line is read in full
    if not isinstance(schema_name, str) or model.get(schema_name) is None:
        problems.append(Problem(origin, f"entity {entity_id}", "schema",
                                f"{schema_name!r} is not a FollowTheMoney schema"))
        return None
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        problems.append(Problem(origin, f"entity {entity_id}", "properties", "must be an object of value lists"))
        return None
    not_text = [(name, value) for name, values in properties.items()
                for value in (values if isinstance(values, list) else [values]) if not isinstance(value, str)]
    for name, value in not_text:  # FollowTheMoney would turn 5 into "5" and [] into "[]"
        problems.append(Problem(origin, f"entity {entity_id}", f"properties.{name}",
                                f"value {value!r} is a JSON {type(value).__name__}, not text "
                                "(FollowTheMoney values are strings)"))
    if not_text:
        return None
    stamps = [key for key in STAMPS if data.get(key) is not None
              and (not isinstance(data[key], str) or registry.date.clean(data[key]) is None)]
    for key in stamps:
        problems.append(Problem(origin, f"entity {entity_id}", key, f"value {data[key]!r} is not a date"))
    if stamps:
        return None
    caption = data.get("caption") if isinstance(data.get("caption"), str) else None
    entity = ValueEntity.from_dict(data, cleaned=False)
    record = Record(entity, origin, caption)
    problems += _rejected_values(record, properties)
    rejected.discard(entity_id)
    return record


def _rejected_values(record: Record, properties: dict) -> list[Problem]:
    """Raw values of the checked properties that the library cannot read."""
    problems = []
    schema = record.entity.schema
    for name, values in properties.items():
        prop = schema.properties.get(name)
        if prop is None or name not in CHECKED_PROPS:
            continue
        for value in values if isinstance(values, list) else [values]:
            if prop.type.clean(value, proxy=record.entity) is None:
                problems.append(Problem(record.origin, record.item, name, f"value {value!r} is not a valid {prop.type.name}"))
    return problems
