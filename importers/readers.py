"""Readers every importer shares: CSV and Excel tables (bounded in memory, no row with more cells than its
header), JSON that refuses repeated keys, JSON lines, and YAML with line numbers."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import orjson
import pandas as pd
import yaml

from graph.limits import whole_number
from graph.records import ImportFailed, Origin, Problem


# --- reading CSV and Excel ---------------------------------------------------------------------------
def extra_cells(text: str, delimiter: str, width: int) -> tuple[int, str] | None:
    """The first CSV row with cells beyond the header's `width` columns and what is wrong with it, or
    None. pandas drops such cells (or turns the first column into an index) without a word; an empty
    trailing cell drops nothing and is allowed. Rows are numbered as a spreadsheet shows them (the
    header is row 1)."""
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            extra = [cell for cell in row[width:] if cell.strip()]
            if extra:
                shown = ", ".join(repr(c if len(c) <= 60 else c[:57] + "...") for c in extra[:5])
                return number, (f"row {number} has {len(row)} cells but the header names {width} columns; the extra "
                                f"cells ({shown}) belong to no column: fix the row, or name the column in the header")
    except csv.Error:
        return None  # pandas names the malformed line
    return None


EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PANDAS_LINE = re.compile(r"line (\d+)")
PANDAS_ROW = re.compile(r"starting at row (\d+)")  # counted from 0, the header being row 0
# A workbook is unpacked and parsed whole: about 5 bytes of memory per byte of XML and 0.5 s per MB (a 284 MB
# sheet took 1.5 GB and 156 s). The sizes in the zip directory bound what is unpacked (zipfile stops
# at the stated size and checks the CRC), so they are checked before anything is read.
MAX_UNPACKED = 200 * 2**20  # bytes of XML in all parts together
MAX_RATIO = 100  # a part over 1 MB that unpacks to more than this many times its packed size is a zip bomb

Header = Callable[[list[str]], bool]  # whether a header (stripped column names) is one the caller can read


@dataclass
class Table:
    """A sheet as rows numbered as a spreadsheet user sees them (the header is row 1). CSV cells are text;
    Excel cells are as the workbook stores them (text, number, datetime); an empty cell is ""."""

    shown: str  # the file name used in error messages
    columns: list[str]  # stripped of surrounding white space
    rows: list[tuple[int, dict[str, Any]]]  # (spreadsheet row number, column → cell)


def read_table(path: Path, shown: str, *, usable: Header, format: str | None = None, encoding: str = "utf-8",
               delimiter: str = ",", sheet: str | int | Header | None = None, encoding_hint: str = "") -> Table:
    """The file (CSV, or .xlsx by its suffix or `format`) as rows; raise ImportFailed naming the file (and
    the line where known) for a file that cannot be read at all: missing, empty, not in `encoding`, broken
    CSV, a row with cells beyond the header, a workbook too big or broken, a missing sheet.

    A header that `usable` refuses comes back with no rows, unparsed (a garbage file of 100,000 columns
    takes pandas minutes), for the caller to say what it lacks. `sheet` is a name, a number (0 = first),
    or a test of the header: the first sheet whose header passes is read."""
    def fail(message: str, field: str = "file", line: int | None = None) -> ImportFailed:
        return ImportFailed([Problem(Origin(shown, line), "file", field, message)])

    if not path.is_file():
        raise fail("does not exist")
    if path.stat().st_size == 0:
        raise fail("is empty (0 bytes); expected a header row and data rows")
    kind = format or ("xlsx" if path.suffix.lower() in EXCEL_SUFFIXES else "csv")
    if kind == "xlsx":
        header, frame = _read_excel(path, sheet, usable, fail)
    else:
        header, frame = _read_csv(path, encoding, delimiter, usable, fail, encoding_hint)
    if not header:
        raise fail("is empty: it has no header row")
    columns = [str(c).strip() for c in header]
    if frame is None:  # a refused header: no frame is built (pandas takes seconds over 100,000 columns)
        return Table(shown, columns, [])
    # rows as dicts without pandas' to_dict, which warns on stderr when stripped names repeat (the
    # importers refuse a repeated column they read: see repeated_columns)
    rows = (dict(zip(columns, values, strict=True)) for values in frame.to_numpy(dtype=object).tolist())
    return Table(shown, columns, [(index + 2, record) for index, record in enumerate(rows)])


def repeated_columns(header: Iterable[str]) -> list[str]:
    """Columns the header names twice: equal once stripped, or renamed `Name.1` by pandas beside `Name`
    (which one the file meant is unknown). Blank header cells (pandas: `Unnamed: 3`) are never read."""
    names = [c.strip() for c in header]
    counts = Counter(c for c in names if c)
    repeated = [c for c, n in counts.items() if n > 1]
    repeated += [m[1] for c in names if (m := re.fullmatch(r"(.+)\.\d+", c)) and m[1] in counts]
    return list(dict.fromkeys(repeated))


def _csv_header(text: str, delimiter: str) -> list[str] | None:
    """The header row as the csv module reads it (in a moment, even for 100,000 garbage columns);
    None where it cannot tell (a long delimiter, a huge cell)."""
    if len(delimiter) != 1:
        return None
    try:
        return next(csv.reader(io.StringIO(text), delimiter=delimiter), None)
    except csv.Error:
        return None


def _read_csv(path: Path, encoding: str, delimiter: str, usable: Header, fail,
              hint: str) -> tuple[list, pd.DataFrame | None]:
    """The header and the rows; no rows (None) where `usable` refuses the header."""
    data = path.read_bytes()
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        byte = data[error.start:error.start + 1].hex()
        raise fail(f"is not valid {encoding}: byte 0x{byte} on line {line} ({error.reason}); save the file as "
                   f"UTF-8{hint}", "encoding", line) from None
    if not text.strip():
        raise fail("holds only white space; expected a header row and data rows")
    header = _csv_header(text, delimiter)
    if header is not None and not usable([c.strip() for c in header]):
        return header, None
    extra = extra_cells(text, delimiter, len(header)) if header is not None else None
    if extra:
        raise fail(extra[1], "cells", extra[0])
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        found, row = PANDAS_LINE.search(str(error)), PANDAS_ROW.search(str(error))
        line = int(found[1]) if found else int(row[1]) + 1 if row else None
        raise fail(f"is not a well-formed CSV: {error}", "format", line) from None
    return list(frame.columns), frame


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


def _read_excel(path: Path, sheet: str | int | Header | None, usable: Header,
                fail) -> tuple[list, pd.DataFrame | None]:
    """The sheet's header and rows; no rows (None) where `usable` refuses the header."""
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
        try:
            if callable(sheet):
                sheet = next((name for name in sheets.sheet_names if sheet(_excel_header(sheets, name))), None)
                if sheet is None:
                    raise fail(f"has no sheet whose first row is a header this importer reads (sheets: "
                               f"{', '.join(sheets.sheet_names)})", "sheet")
            sheet = sheet if sheet is not None else 0
            if isinstance(sheet, str) and sheet not in sheets.sheet_names:
                raise fail(f"has no sheet {sheet!r}; its sheets are: {', '.join(sheets.sheet_names)}", "sheet")
            if isinstance(sheet, int) and sheet >= len(sheets.sheet_names):
                raise fail(f"has no sheet number {sheet} (counting from 0); it has {len(sheets.sheet_names)}", "sheet")
            header = _excel_header(sheets, sheet)
            if not usable(header):
                return header, None
            frame = pd.read_excel(sheets, sheet_name=sheet, dtype=object, na_filter=False, header=0)
            return list(frame.columns), frame
        except ValueError as error:  # an empty sheet
            raise fail(f"sheet {sheet!r} cannot be read: {error}", "sheet") from None
        except ParseError as error:
            raise fail(_bad_xml(error), "format") from None


def _excel_header(sheets: pd.ExcelFile, sheet: str | int) -> list[str]:
    """The first row of a sheet (none for an empty sheet), read without the rows below it."""
    try:
        return [str(c).strip() for c in pd.read_excel(sheets, sheet_name=sheet, nrows=0).columns]
    except ValueError:
        return []


def _bad_xml(error: ParseError) -> str:
    """Broken XML, or a DTD with entities (XXE, "billion laughs"), which Excel never writes; the
    parser expands no external entity and stops entity expansion that grows too large."""
    return (f"is not a workbook that can be read: its XML is broken or declares entities, which Excel never "
            f"writes ({error}). Open and save it again in a spreadsheet program, or save the sheet as CSV")


# --- reading JSON ------------------------------------------------------------------------------------
class DuplicateKey(ValueError):
    """A key given twice in one JSON object, which `json` would silently reduce to the last value."""

    def __init__(self, key: str):
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    """`object_pairs_hook` for `json.loads` that refuses a repeated key (raises DuplicateKey)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen.add(key)
    return dict(pairs)


@dataclass(frozen=True)
class JsonLine:
    """One non-blank line of a JSON-lines file: its value, or why it cannot be read (`kind`: encoding,
    syntax, depth, or duplicate with the key in `detail`)."""

    number: int
    value: Any = None
    kind: str | None = None
    detail: str = ""

    def problem(self, file: str, item: str = "line", syntax_field: str = "syntax") -> Problem:
        """What is wrong with the line, naming the file and line; `item` and `syntax_field` as the format calls them."""
        origin = Origin(file, self.number)
        if self.kind == "duplicate":
            return Problem(origin, item, self.detail, "is given twice in one JSON object (JSON readers keep only one)")
        if self.kind == "encoding":
            return Problem(origin, item, "encoding", f"is not UTF-8 ({self.detail})")
        if self.kind == "depth":
            return Problem(origin, item, syntax_field, "nests arrays or objects too deeply to be read")
        return Problem(origin, item, syntax_field, f"is not valid JSON: {self.detail}")


NOTHING = object()  # what fast_json returns when `json` must read the text


def fast_json(raw: bytes) -> Any:
    """The value of one JSON text when orjson reads it and it says each key once, else NOTHING.

    orjson keeps the last of a key given twice, so its value is trusted only when writing it out again
    gives back the very text (compact, as `influence export jsonl` writes): a key given twice would be
    missing from that. Anything else (spaces, NaN, escapes written differently, an error) goes to `json`."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return NOTHING
    return value if orjson.dumps(value) == raw.rstrip(b"\r\n") else NOTHING


def json_lines(lines: Iterable[bytes]) -> Iterator[JsonLine]:
    """Every non-blank line parsed (a key given twice refused), or why it cannot be; a UTF-8 byte order
    mark before the first line is no error."""
    for number, raw in enumerate(lines, 1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if (value := fast_json(raw)) is not NOTHING:
            yield JsonLine(number, value)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield JsonLine(number, kind="encoding", detail=f"{error.reason} at byte {error.start}")
            continue
        if not text.strip():
            continue
        try:
            yield JsonLine(number, json.loads(text, object_pairs_hook=unique_keys, parse_int=whole_number))
        except DuplicateKey as error:
            yield JsonLine(number, kind="duplicate", detail=error.key)
        except json.JSONDecodeError as error:
            yield JsonLine(number, kind="syntax", detail=f"{error.msg} (column {error.colno})")
        except RecursionError:
            yield JsonLine(number, kind="depth")


# --- reading YAML with line numbers ---------------------------------------------------------------
# Seed files and mappings are a few kB to 100 kB; the pure-Python parser needs ~20 s for 50 MB.
MAX_YAML_BYTES = 10 * 2**20
# Anchors and aliases (`&base` ... `*base`, `<<: *base`) let a mapping write a block once. An alias
# repeats its anchor's whole subtree, so nested aliases can stand for billions of values in a few
# lines ("billion laughs"): the values aliases add, counted as written out, are bounded.
MAX_ALIASED_VALUES = 100_000


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML this project does not accept: a key given twice in one mapping (YAML keeps only the
    last), an alias inside its own anchor (an endless structure), or aliases that stand for more than
    MAX_ALIASED_VALUES values."""

    def __init__(self, item: str, field: str, problem: str, mark):
        super().__init__(problem=problem, problem_mark=mark)
        self.item, self.field = item, field


@dataclass
class YamlDocument:
    """Parsed YAML and, beside it, the line each mapping starts on (the data itself stays as written)."""

    data: Any
    lines: dict[int, int] = field(default_factory=dict, repr=False)  # id() of a mapping in `data` → line

    def line(self, mapping: Any, default: int | None = None) -> int | None:
        return self.lines.get(id(mapping), default)

    def entries(self, key: str, origin_file: str) -> Iterable[tuple[dict, Origin]]:
        """The mappings in the list under `key` at the top, each with its origin."""
        top = self.data if isinstance(self.data, dict) else {}
        for entry in top.get(key) or []:
            if isinstance(entry, dict):
                yield entry, Origin(origin_file, self.line(entry))


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that notes the line of every mapping in `lines`, beside the data."""

    def __init__(self, stream):
        super().__init__(stream)
        self.lines: dict[int, int] = {}
        self.sizes: dict[int, int] = {}  # id() of a composed node → values in it, aliases written out
        self.aliased = 0  # values that aliases add

    def construct_yaml_map(self, node):
        data: dict = {}
        self.lines[id(data)] = node.start_mark.line + 1
        yield data
        data.update(self.construct_mapping(node))

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None and id(target) not in self.sizes:
                raise _Refused("file", "alias", f"uses the alias *{event.anchor} inside the value it names, "
                                                "which would never end", event.start_mark)
            node = super().compose_node(parent, index)
            self.aliased += self.sizes[id(node)]
            if self.aliased > MAX_ALIASED_VALUES:
                raise _Refused("file", "alias", f"uses aliases that stand for more than {MAX_ALIASED_VALUES:,} values "
                                                f"(at *{event.anchor}); write the blocks out, or use fewer "
                                                "nested aliases", event.start_mark)
            return node
        node = super().compose_node(parent, index)
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = []
        self.sizes[id(node)] = 1 + sum(self.sizes[id(child)] for child in children)
        return node

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    key = self.construct_object(key_node)
                    if key in seen:
                        raise _Refused("mapping", str(key), f"is given twice in one mapping (first on line {seen[key]}); "
                                                            "YAML would keep only the last", key_node.start_mark)
                    seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


    def construct_yaml_int(self, node):
        digits = self.construct_scalar(node).replace("_", "").lstrip("+-")
        if len(digits) > 19 and digits.isdigit() and digits[0] != "0":  # decimal, too long: graph/limits.py
            return whole_number(self.construct_scalar(node).replace("_", "").removeprefix("+"))
        return super().construct_yaml_int(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_yaml_map)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)


def read_yaml(path: Path) -> YamlDocument:
    """Parse YAML, turning syntax errors into an ImportFailed that names the file and line."""
    def fail(line: int | None, item: str, field: str, message: str) -> ImportFailed:
        return ImportFailed([Problem(Origin(str(path), line), item, field, message)])

    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise fail(None, "file", "size", f"is {size / 2**20:.1f} MB; a YAML file here may be at most "
                                         f"{MAX_YAML_BYTES // 2**20} MB")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise fail(line, "file", "encoding", f"is not UTF-8 ({error.reason} at byte {error.start})") from None
    loader = _LineLoader(text)
    try:
        return YamlDocument(loader.get_single_data(), loader.lines)
    except _Refused as error:
        raise fail(error.problem_mark.line + 1, error.item, error.field, error.problem) from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise fail(line, "file", "syntax", f"is not valid YAML: {error.problem}") from None
    except yaml.reader.ReaderError as error:  # a control character (valid UTF-8, not allowed in YAML)
        line = text[:error.position].count("\n") + 1
        raise fail(line, "file", "syntax", f"is not valid YAML: the character U+{error.character:04X} is not allowed") from None
    except RecursionError:
        raise fail(None, "file", "syntax", "nests lists or mappings too deeply to be read") from None
    finally:
        loader.dispose()
