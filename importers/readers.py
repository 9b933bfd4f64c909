"""Readers every importer shares: JSON that refuses repeated keys, JSON lines, YAML with line numbers, and the
CSV check that no row has more cells than its header."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.limits import whole_number
from graph.records import ImportFailed, Origin, Problem


# --- reading JSON ------------------------------------------------------------------------------------
class DuplicateKey(ValueError):
    """A key given twice in one JSON object, which `json` would silently reduce to the last value."""

    def __init__(self, key: str):
        super().__init__(f"duplicate key {key!r}")
        self.key = key


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


def json_lines(lines: Iterable[bytes]) -> Iterator[JsonLine]:
    """Every non-blank line parsed (a key given twice refused), or why it cannot be; a UTF-8 byte order
    mark before the first line is no error."""
    for number, raw in enumerate(lines, 1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
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


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML this project does not accept: a key given twice in one mapping (YAML keeps only the
    last), or an alias (`*name`, which can multiply a small file into a huge structure)."""

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

    def construct_yaml_map(self, node):
        data: dict = {}
        self.lines[id(data)] = node.start_mark.line + 1
        yield data
        data.update(self.construct_mapping(node))

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused("file", "alias", f"uses the alias *{event.anchor}; anchors and aliases are not accepted "
                                            "here, write the value out", event.start_mark)
        return super().compose_node(parent, index)

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
