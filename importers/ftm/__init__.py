"""FollowTheMoney entities (JSON lines, as OpenSanctions and yente publish them), read through the
followthemoney library and mapped as `importers/ftm/mapping.py` describes.

One file is one Source node (`opensanctions-<file stem>`, e.g. `opensanctions-zala` for
`zala_entities.ftm.json`), dated by the latest date its entities carry (`last_seen`, `last_change`).
Every node keeps its FtM id as `opensanctions:<id>` in `externalIds`; its id is `slug(name)`, with a
short suffix from the FtM id where two entities of the file share that slug. Each tie is `stated`,
quoted by a short excerpt of its record, and dated (`asOf`) by the record's `last_change` year, or
its end year where the tie ended earlier.
"""

from __future__ import annotations

import re
from pathlib import Path

from graph.records import Origin, Problem
from importers.context import display, validated
from importers.ftm.mapping import FtmDataset, Mapper
from importers.ftm.reader import Record, read_entities
from importers.metadata import Metadata
from importers.names import slug

__all__ = ["METADATA", "FtmDataset", "load", "source_id_for"]

METADATA = Metadata.load(Path(__file__).with_name("ftm.yml"))
PUBLISHER = "OpenSanctions"
URL = "https://www.opensanctions.org/datasets/"
TITLE_DATASETS = 5  # dataset names spelled out in the Source title


def load(path: Path, *, source_id: str | None = None) -> FtmDataset:
    """Read and map one FtM JSON-lines file; raise ImportFailed listing every problem (file, line, field).

    `dataset.skipped` counts the entities and values left out, by reason."""
    path = Path(path)
    file = display(path)
    records, rejected, problems = read_entities(path, file)
    dataset = FtmDataset()
    source_id = source_id or source_id_for(path)
    date = _latest_stamp(records)
    if records and date is None:
        problems.append(Problem(Origin(file), "file", "last_change",
                                "no entity has last_seen, last_change or first_seen to date the dataset"))
    if date:
        dataset.add_node("Source", {
            "id": source_id, "name": f"{PUBLISHER} {path.name}", "title": _title(path, records), "publisher": PUBLISHER,
            "date": date, "file": path.name, "url": URL,
        }, Origin(file))
    problems += Mapper(records, rejected, dataset, source_id, int(date[:4]) if date else None).run()
    return validated(dataset, METADATA, problems)


def source_id_for(path: Path) -> str:
    """`opensanctions-zala` for `zala_entities.ftm.json`; `opensanctions` for a bare `entities.ftm.json`."""
    stem = re.sub(r"(\.(ftm|json|jsonl|ndjson))+$", "", Path(path).name, flags=re.IGNORECASE)
    name = re.sub(r"(^|-)entities$", "", slug(stem))
    return f"opensanctions-{name}" if name else "opensanctions"


def _latest_stamp(records: list[Record]) -> str | None:
    stamps = [s for r in records for s in (r.entity.last_change, r.entity.last_seen, r.entity.first_seen) if s]
    return max(stamps)[:10] if stamps else None


def _title(path: Path, records: list[Record]) -> str:
    datasets = sorted({d for r in records for d in r.entity.datasets})
    shown = ", ".join(datasets[:TITLE_DATASETS])
    more = f" and {len(datasets) - TITLE_DATASETS} more" if len(datasets) > TITLE_DATASETS else ""
    return f"OpenSanctions FollowTheMoney entities in {path.name}" + (f" (datasets: {shown}{more})" if datasets else "")

