"""Reading one AidData file into checked records; every bad cell becomes a Problem naming file, row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rigour.territories import Territory

from graph.records import ImportFailed, Origin, Problem
from importers.gcdf import vocabulary as vocab
from importers.gcdf.layouts import AgencyColumns, Layout, detect, unknown_layout_message
from importers.readers import read_table, repeated_columns

Report = Callable[[str, str], None]  # (column, message) → a Problem at the current row

RECORD_ID = re.compile(r"^\d+(\.0+)?$")
YEAR = re.compile(r"^\d{4}(\.0+)?$")
NUMBER = re.compile(r"^\d+(\.\d+)?([eE][+-]?\d+)?$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
BOOLEANS = {"yes": True, "true": True, "no": False, "false": False}


@dataclass(frozen=True)
class Party:
    """One agency named in a record, in one role, with AidData's type for it."""

    role: str
    name: str
    kind: vocab.AgencyKind


@dataclass
class Record:
    origin: Origin
    layout: Layout
    record_id: str
    title: str
    recipient: str
    country: Territory | None
    year: int
    year_estimated: bool
    status_text: str
    status: str
    flow_type: str
    instrument: str | None
    sector: str
    recommended: bool | None
    recommended_column: str | None  # the "Recommended For ... Aggregates" column the flag was read from
    umbrella: bool | None
    amount: float | None
    currency: str | None
    amount_usd: float | None
    urls: list[str]
    amount_columns: str = ""
    parties: list[Party] = field(default_factory=list)


@dataclass
class FileRead:
    records: list[Record]
    problems: list[Problem]


def read_file(path: Path, display: str) -> FileRead:
    """All records of one CSV or Excel file (the first sheet with an AidData header), and the problems found in it."""
    def usable(header: list[str]) -> bool:
        layout = detect(header)
        return layout is not None and not layout.missing_columns(header) and not repeated_columns(header)

    try:
        table = read_table(path, display, usable=usable, sheet=lambda header: detect(header) is not None)
    except ImportFailed as failed:
        return FileRead([], failed.problems)
    header = table.columns
    layout = detect(header)
    origin = Origin(display, 1)
    if layout is None:
        return FileRead([], [Problem(origin, "header", "AidData Record ID", unknown_layout_message(header))])
    missing = layout.missing_columns(header)
    if missing:
        return FileRead([], [Problem(origin, "header", column, f"is missing ({layout.name} layout)")
                             for column in missing])
    flags = layout.recommended_columns(header)
    if len(flags) > 1:
        return FileRead([], [Problem(origin, "header", flags[1], f"is a second aggregates flag beside {flags[0]!r}: "
                                                                 "which one applies is not known")])
    repeated = repeated_columns(header)
    if repeated:
        return FileRead([], [Problem(origin, "header", column, "appears more than once in the header")
                             for column in repeated])
    if not table.rows:
        return FileRead([], [Problem(origin, "file", "rows", "has a header but no records")])
    reader = _RowReader(layout, display, *layout.amount_columns(header), recommended=next(iter(flags), None))
    records = [record for row_number, row in table.rows
               if (record := reader.read({k: as_text(v) for k, v in row.items()}, row_number))]
    return FileRead(records, reader.problems)


class _RowReader:
    def __init__(self, layout: Layout, display: str, original: tuple[str, str | None] | None, usd: str | None,
                 recommended: str | None):
        self.layout, self.display, self.original, self.usd = layout, display, original, usd
        self.recommended = recommended
        self.amount_columns = ", ".join(c for c in (*(original or ()), usd) if c)
        self.problems: list[Problem] = []
        self.seen: dict[str, int] = {}

    def read(self, row: dict[str, str], row_number: int) -> Record | None:
        origin = Origin(self.display, row_number)
        before = len(self.problems)
        layout = self.layout
        record_id = row[layout.id_column]
        item = f"record {record_id}" if record_id else "record"

        def report(column: str, message: str) -> None:
            self.problems.append(Problem(origin, item, column, message))

        if not RECORD_ID.match(record_id):
            report(layout.id_column, "is required" if not record_id else f"is not a record number: {record_id!r}")
        else:
            record_id = record_id.split(".")[0]
            if record_id in self.seen:
                report(layout.id_column, f"repeats record {record_id} of row {self.seen[record_id]}")
            self.seen.setdefault(record_id, row_number)
        title = row["Title"]
        if not title:
            report("Title", "is required")
        year_text = row["Commitment Year"]
        year = int(float(year_text)) if YEAR.match(year_text) else None
        if year is None:
            report("Commitment Year", "is required" if not year_text else f"is not a year: {year_text!r}")
        status_text = row["Status"]
        status = vocab.STATUSES.get(vocab.fold(status_text))
        if status is None:
            report("Status", "is required" if not status_text else
                   f"is {status_text!r}, not one of AidData's statuses ({', '.join(vocab.STATUSES)})")
        flow_column = next((c for c in layout.flow_type_columns if row.get(c)), layout.flow_type_columns[0])
        flow_type = row.get(flow_column, "")
        instrument = vocab.INSTRUMENTS.get(vocab.fold(flow_type)) if flow_type else None
        if flow_type and instrument is None:
            report(flow_column, f"is {flow_type!r}, a flow type this importer does not know")
        recipient = row["Recipient"]
        country = self._country(row, recipient, report)
        recommended = self._boolean(row, self.recommended, report) if self.recommended else None
        umbrella = self._boolean(row, "Umbrella", report)
        year_estimated = self._boolean(row, "Commitment Year Estimated", report)
        amount, currency = self._original_amount(row, report)
        amount_usd = self._number(row, self.usd, report) if self.usd else None
        parties = [party for columns in layout.agencies if columns.names in row
                   for party in self._parties(row, columns, report)]
        if not row["Funding Agencies"]:
            report("Funding Agencies", "is required")
        if len(self.problems) > before:
            return None
        return Record(
            origin=origin, layout=layout, record_id=record_id, title=title, recipient=recipient, country=country,
            year=year, year_estimated=bool(year_estimated), status_text=status_text, status=status,
            flow_type=flow_type, instrument=instrument, sector=row.get(layout.sector_column, ""),
            recommended=recommended, recommended_column=self.recommended, umbrella=umbrella,
            amount=amount, currency=currency, amount_usd=amount_usd,
            urls=list(dict.fromkeys(u.strip() for u in row.get("Source URLs", "").split("|") if u.strip())),
            amount_columns=self.amount_columns, parties=parties,
        )

    def _country(self, row: dict[str, str], recipient: str, report: Report) -> Territory | None:
        iso3 = row.get(self.layout.iso3_column or "", "")
        if iso3:
            territory = vocab.country(iso3)
            if territory is None:
                report(self.layout.iso3_column, f"is {iso3!r}, not an ISO 3166 country code")
            return territory
        if not recipient:
            report("Recipient", "is required")
            return None
        if vocab.REGIONAL_RECIPIENT.search(recipient):
            return None
        territory = vocab.country(recipient)
        if territory is None:
            report("Recipient", f"is {recipient!r}, not a country name this importer knows (nor a region)")
        return territory

    def _boolean(self, row: dict[str, str], column: str, report: Report) -> bool | None:
        text = row.get(column, "")
        if not text:
            return None
        value = BOOLEANS.get(text.lower())
        if value is None:
            report(column, f"is {text!r}, expected Yes or No")
        return value

    def _number(self, row: dict[str, str], column: str, report: Report) -> float | None:
        text = row.get(column, "")
        if not text:
            return None
        if not NUMBER.match(text):
            report(column, f"is not an amount in units: {text!r}")
            return None
        return float(text)

    def _original_amount(self, row: dict[str, str], report: Report) -> tuple[float | None, str | None]:
        if not self.original:
            return None, None
        amount_column, currency_column = self.original
        amount = self._number(row, amount_column, report)
        if amount is None:
            return None, None
        currency = row.get(currency_column, "") if currency_column else "USD"
        if not CURRENCY.match(currency):
            report(currency_column, "is required beside an amount" if not currency
                   else f"is {currency!r}, not an ISO 4217 code")
            return None, None
        return amount, currency

    def _parties(self, row: dict[str, str], columns: AgencyColumns, report: Report) -> list[Party]:
        """The agencies of one role: names zipped with their types (and origins, which must line up too)."""
        names = _split(row[columns.names])
        types = _split(row.get(columns.types, ""))
        lists = [(columns.types, types)]
        if columns.origins and columns.origins in row:
            lists.append((columns.origins, _split(row[columns.origins])))
        aligned = True
        for column, values in lists:
            if len(values) != len(names):
                report(column, f"lists {len(values)} item(s) for the {len(names)} name(s) in "
                               f"{columns.names!r}: the `|` lists must line up")
                aligned = False
        if "" in names:
            report(columns.names, "has an empty name between `|` separators")
            aligned = False
        if not aligned:
            return []
        parties = []
        for name, type_text in zip(names, types, strict=True):
            kind = vocab.agency_kind(type_text)
            if kind is None:
                report(columns.types, f"has {type_text!r} for {name!r}, an agency type this importer does not know")
                continue
            parties.append(Party(columns.role, name, kind))
        return parties


def as_text(cell: Any) -> str:
    """A cell as text: a whole number stored by Excel as 2019.0 reads `2019`, a date `2021-03-12`."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date):
        return cell.isoformat()[:10]
    return str(cell).strip()


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|")] if cell.strip() else []
