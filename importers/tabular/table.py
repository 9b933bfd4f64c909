"""The file a mapping reads, through the shared reader, with the columns the mapping reads checked in its header."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from graph.records import ImportFailed, Origin, Problem
from importers.readers import Table, read_table, repeated_columns
from importers.tabular.mapping import Mapping


def read_sheet(path: Path, mapping: Mapping, shown: str) -> Table:
    """The file as rows; raise ImportFailed for a file that cannot be read at all (see `read_table`) or
    whose header lacks or repeats a column the mapping reads."""
    wanted = mapping.columns()

    def usable(header: list[str]) -> bool:
        counts = Counter(header)
        return all(counts[column] == 1 for column in wanted)

    table = read_table(path, shown, usable=usable, format=mapping.format, encoding=mapping.encoding,
                       delimiter=mapping.delimiter, sheet=mapping.sheet,
                       encoding_hint=", or name its encoding in the mapping (e.g. `encoding: latin-1`)")
    columns = table.columns
    missing = [(column, where) for column, where in wanted.items() if column not in columns]
    if missing:
        raise ImportFailed([
            Problem(Origin(shown, 1), "header", column,
                    f"is missing; the mapping reads it in {where}; the file's columns are: {_listed(columns)}")
            for column, where in missing
        ])
    repeated = set(repeated_columns(columns))
    if repeated & wanted.keys():
        raise ImportFailed([Problem(Origin(shown, 1), "header", column,
                                    f"appears more than once in the header; the mapping reads it in {where}")
                            for column, where in wanted.items() if column in repeated])
    if not table.rows:
        raise ImportFailed([Problem(Origin(shown, 2), "file", "rows", "has a header but no data rows")])
    return table


def _listed(columns: list[str], limit: int = 30, width: int = 60) -> str:
    """The header for an error message, cut short: a garbage file's header can be megabytes long."""
    shown = [c if len(c) <= width else c[:width - 3] + "..." for c in columns[:limit]]
    return ", ".join(shown) + (f", ... ({len(columns)} columns)" if len(columns) > limit else "")
