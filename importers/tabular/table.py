"""Reading a CSV or Excel file into rows numbered as a spreadsheet user sees them (the header is row 1)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import pandas as pd

from graph.records import ImportFailed, Origin, Problem
from importers.readers import extra_cells
from importers.tabular.mapping import Mapping

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PANDAS_LINE = re.compile(r"line (\d+)")
PANDAS_ROW = re.compile(r"starting at row (\d+)")  # counted from 0, the header being row 0
# A workbook is unpacked and parsed whole: about 5 bytes of memory per byte of XML and 0.5 s per MB (a 284 MB
# sheet took 1.5 GB and 156 s). The sizes in the zip directory bound what is unpacked (zipfile stops
# at the stated size and checks the CRC), so they are checked before anything is read.
MAX_UNPACKED = 200 * 2**20  # bytes of XML in all parts together
MAX_RATIO = 100  # a part over 1 MB that unpacks to more than this many times its packed size is a zip bomb


@dataclass
class Table:
    shown: str  # the file name used in error messages
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (spreadsheet row number, column → cell)


def read_table(path: Path, mapping: Mapping, shown: str) -> Table:
    """The file as rows; raise ImportFailed for a file that cannot be read at all (missing, empty,
    wrong encoding, broken CSV, missing sheet) or that lacks a column the mapping reads."""
    def fail(message: str, field: str = "file", line: int | None = None) -> ImportFailed:
        return ImportFailed([Problem(Origin(shown, line), "file", field, message)])

    if not path.is_file():
        raise fail("does not exist")
    if path.stat().st_size == 0:
        raise fail("is empty (0 bytes); expected a header row and data rows")
    kind = mapping.format or ("xlsx" if path.suffix.lower() in EXCEL_SUFFIXES else "csv")
    frame = _read_excel(path, mapping, fail) if kind == "xlsx" else _read_csv(path, mapping, fail)
    if frame.columns.empty:
        raise fail("is empty: it has no header row")
    frame.columns = [str(c).strip() for c in frame.columns]
    columns = list(frame.columns)
    missing = [(column, where) for column, where in mapping.columns().items() if column not in columns]
    if missing:
        raise ImportFailed([
            Problem(Origin(shown, 1), "header", column,
                    f"is missing; the mapping reads it in {where}; the file's columns are: {_listed(columns)}")
            for column, where in missing
        ])
    counts = Counter(columns)  # pandas renames a second `Name` to `Name.1`; which one is meant is unknown
    repeated = [(column, where) for column, where in mapping.columns().items()
                if counts[column] > 1 or any(c.startswith(column + ".") and c[len(column) + 1:].isdigit() for c in counts)]
    if repeated:
        raise ImportFailed([Problem(Origin(shown, 1), "header", column,
                                    f"appears more than once in the header; the mapping reads it in {where}")
                            for column, where in repeated])
    records = frame.to_dict("records")
    rows = [(index + 2, record) for index, record in enumerate(records)]
    if not rows:
        raise fail("has a header but no data rows", "rows", 2)
    return Table(shown, columns, rows)


def _header(text: str, delimiter: str) -> list[str] | None:
    """The header row as the csv module reads it (in a moment, even for 100,000 garbage columns, where
    pandas takes minutes and gigabytes); None where it cannot tell (a long delimiter, a huge cell)."""
    if len(delimiter) != 1:
        return None
    try:
        return next(csv.reader(io.StringIO(text), delimiter=delimiter), None)
    except csv.Error:
        return None


def _unusable(header: list[str], mapping: Mapping) -> bool:
    """Whether the header lacks or repeats a column the mapping reads."""
    columns = Counter(c.strip() for c in header)
    return any(columns[c] != 1 for c in mapping.columns())


def _listed(columns: list[str], limit: int = 30, width: int = 60) -> str:
    """The header for an error message, cut short: a garbage file's header can be megabytes long."""
    shown = [c if len(c) <= width else c[:width - 3] + "..." for c in columns[:limit]]
    return ", ".join(shown) + (f", ... ({len(columns)} columns)" if len(columns) > limit else "")


def _read_csv(path: Path, mapping: Mapping, fail) -> pd.DataFrame:
    data = path.read_bytes()
    encoding = "utf-8-sig" if mapping.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else mapping.encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        byte = data[error.start:error.start + 1].hex()
        raise fail(f"is not valid {mapping.encoding}: byte 0x{byte} on line {line} ({error.reason}); save the file "
                   "as UTF-8, or name its encoding in the mapping (e.g. `encoding: latin-1`)", "encoding", line) from None
    if not text.strip():
        raise fail("holds only white space; expected a header row and data rows")
    header = _header(text, mapping.delimiter)
    if header is not None and _unusable(header, mapping):  # read_table names the columns; no need to parse the rows
        return pd.DataFrame(columns=header)
    extra = extra_cells(text, mapping.delimiter, len(header)) if header is not None else None
    if extra:
        raise fail(extra[1], "cells", extra[0])
    try:
        return pd.read_csv(io.StringIO(text), sep=mapping.delimiter, dtype=str, keep_default_na=False,
                           skip_blank_lines=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        found, row = PANDAS_LINE.search(str(error)), PANDAS_ROW.search(str(error))
        line = int(found[1]) if found else int(row[1]) + 1 if row else None
        raise fail(f"is not a well-formed CSV: {error}", "format", line) from None


def _unpacked_size_problem(path: Path) -> str | None:
    """Why the workbook would unpack to too much to read (a zip bomb, or just too big), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        return f"is not an Excel .xlsx workbook ({error})"
    for part in parts:
        if part.file_size > 2**20 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            return (f"is refused: its part {part.filename!r} unpacks from {part.compress_size:,} to "
                    f"{part.file_size:,} bytes, more than {MAX_RATIO} times, as a zip bomb does. Save the sheet "
                    "as CSV and import that")
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED:
        return (f"is too big to read as a workbook: it unpacks to {total:,} bytes of XML (at most {MAX_UNPACKED:,}). "
                "Save the sheet as CSV and import that: CSV is read in a fraction of the time and memory")
    return None


def _read_excel(path: Path, mapping: Mapping, fail) -> pd.DataFrame:
    refused = _unpacked_size_problem(path)
    if refused:
        raise fail(refused, "format")
    try:
        sheets = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise fail(f"is not an Excel .xlsx workbook ({error})", "format") from None
    except ParseError as error:
        raise fail(_bad_xml(error), "format") from None
    except KeyError:  # a zip archive without a workbook in it
        raise fail("is not an Excel .xlsx workbook (a zip archive without a workbook in it)", "format") from None
    with sheets:
        sheet = mapping.sheet if mapping.sheet is not None else 0
        if isinstance(sheet, str) and sheet not in sheets.sheet_names:
            raise fail(f"has no sheet {sheet!r}; its sheets are: {', '.join(sheets.sheet_names)}", "sheet")
        if isinstance(sheet, int) and sheet >= len(sheets.sheet_names):
            raise fail(f"has no sheet number {sheet} (counting from 0); it has {len(sheets.sheet_names)}", "sheet")
        try:
            return pd.read_excel(sheets, sheet_name=sheet, dtype=object, na_filter=False, header=0)
        except ValueError as error:  # an empty sheet
            raise fail(f"sheet {sheet!r} cannot be read: {error}", "sheet") from None
        except ParseError as error:
            raise fail(_bad_xml(error), "format") from None


def _bad_xml(error: ParseError) -> str:
    """Broken XML, or a DTD with entities (XXE, "billion laughs"), which Excel never writes; the
    parser expands no external entity and stops entity expansion that grows too large."""
    return (f"is not a workbook that can be read: its XML is broken or declares entities, which Excel never "
            f"writes ({error}). Open and save it again in a spreadsheet program, or save the sheet as CSV")
