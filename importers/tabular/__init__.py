"""CSV and Excel files loaded without code, driven by a mapping file (YAML).

A mapping says which columns make which nodes and relationships, how ids, amounts and dates are
read, where the source and the quote of every record come from, and which rows to skip; its format
is described, with worked examples, in `importers/tabular/README.md`. Mappings for real files are kept
in `mappings/` (`dod-1260h`, `fcc-covered-list`, `aiddata-gcof-1`, `dfat-consolidated-list`,
`icij-fincen-transactions`); any other mapping file can be given by path.

    dataset = tabular.load(Path("sanctions.csv"), "dod-1260h")
    write_dataset(driver, "neo4j", dataset)
"""

from __future__ import annotations

from pathlib import Path

from graph.records import Dataset, ImportFailed, Origin, Problem
from importers.context import display, validated
from importers.metadata import Metadata
from importers.tabular.build import Builder
from importers.tabular.mapping import Mapping, read_mapping
from importers.tabular.table import read_sheet

METADATA = Metadata.load(Path(__file__).with_name("tabular.yml"))
MAPPINGS = Path(__file__).with_name("mappings")

__all__ = ["METADATA", "MAPPINGS", "Mapping", "load", "mapping_file"]


def mapping_file(mapping: Path | str) -> Path:
    """A mapping given by path, or by the name of one in `mappings/` (`dod-1260h`)."""
    path = Path(mapping)
    if path.is_file():
        return path
    bundled = MAPPINGS / f"{mapping}.yaml"
    if bundled.is_file():
        return bundled
    known = ", ".join(sorted(p.stem for p in MAPPINGS.glob("*.yaml")))
    raise ImportFailed([Problem(Origin(str(mapping)), "mapping", "file", f"is neither a file nor a bundled mapping ({known})")])


def load(path: Path, mapping: Path | str, *, assertions: dict | None = None) -> Dataset:
    """Read `path` (CSV or .xlsx) as `mapping` says; raise ImportFailed listing every problem (file, row, column).

    The counts checked are this importer's (tabular.yml) and the mapping's `assertions`, or
    `assertions` given here instead of the mapping's (for an extract of a file the mapping is
    written for). Nothing is written; pass the dataset to `graph.writer.write_dataset`.
    """
    mapping_path = mapping_file(mapping)
    mapping_shown = display(mapping_path)
    spec = read_mapping(mapping_path, mapping_shown)
    table = read_sheet(Path(path), spec, display(Path(path)))
    dataset = Dataset()
    Builder(spec, mapping_shown, table, dataset).run()
    return validated(dataset, METADATA, more=(spec.assertions if assertions is None else assertions, mapping_shown))

