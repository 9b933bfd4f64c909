"""Reading a BODS package file: a JSON array of statements or JSON Lines, each statement with its line.

The standard's own serialisations are a JSON array (a "package") and JSON Lines (a stream). Parsing
is the standard library's; this module only finds where each statement of an array starts, so that
problems can name a line as well as the statement's index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.limits import whole_number
from graph.records import Origin, Problem
from importers.readers import DuplicateKey, json_lines, unique_keys


@dataclass(frozen=True)
class RawStatement:
    value: Any
    index: int
    origin: Origin


def read_statements(path: Path, display: str) -> tuple[list[RawStatement], list[Problem]]:
    """The statements of one file, or the problems that stop it being read at all."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [Problem(Origin(display), "file", "encoding", f"is not UTF-8 ({error.reason} at byte {error.start})")]
    if not text.strip():
        return [], [Problem(Origin(display), "file", "content", "is empty; a BODS package is a JSON array of statements")]
    if text.lstrip().startswith("["):
        return _read_array(text, display)
    return _read_lines(text, display)


def _read_array(text: str, display: str) -> tuple[list[RawStatement], list[Problem]]:
    try:
        values = json.loads(text, parse_int=whole_number)
    except json.JSONDecodeError as error:
        return [], [_syntax_problem(error, display)]
    except RecursionError:
        return [], [_too_deep(Origin(display, 1 + text.count("\n", 0, text.index("["))))]
    decoder = json.JSONDecoder(object_pairs_hook=unique_keys, parse_int=whole_number)
    statements, problems = [], []
    position = text.index("[") + 1
    line = 1 + text.count("\n", 0, position)
    for index in range(len(values)):
        start = _skip_separators(text, position)
        line += text.count("\n", position, start)
        try:
            value, position = decoder.raw_decode(text, start)
        except DuplicateKey as error:
            problems.append(_duplicate_problem(error, Origin(display, line)))
            value, position = json.JSONDecoder(parse_int=whole_number).raw_decode(text, start)
        statements.append(RawStatement(value, index, Origin(display, line)))
        line += text.count("\n", start, position)
    return statements, problems


def _skip_separators(text: str, position: int) -> int:
    while text[position] in " \t\r\n,":
        position += 1
    return position


def _read_lines(text: str, display: str) -> tuple[list[RawStatement], list[Problem]]:
    """JSON Lines; a single pretty-printed statement object is read as a package of one."""
    if text.lstrip().startswith("{"):
        origin = Origin(display, 1 + text.count("\n", 0, text.index("{")))
        try:
            value = json.loads(text, object_pairs_hook=unique_keys, parse_int=whole_number)
        except (json.JSONDecodeError, RecursionError):
            pass
        except DuplicateKey as error:
            return [], [_duplicate_problem(error, origin)]
        else:
            return [RawStatement(value, 0, origin)], []
    statements, problems = [], []
    for line in json_lines(text.encode("utf-8").splitlines()):
        if line.kind == "duplicate":
            problems.append(line.problem(display, item="statement"))
        elif line.kind:
            problem = line.problem(display, item="file")
            if line.kind == "syntax":
                problem.message += "; a BODS file is a JSON array or JSON Lines"
            problems.append(problem)
        else:
            statements.append(RawStatement(line.value, len(statements), Origin(display, line.number)))
    return statements, problems


def _duplicate_problem(error: DuplicateKey, origin: Origin) -> Problem:
    return Problem(origin, "statement", error.key, "is given twice in one JSON object (JSON readers keep only one)")


def _too_deep(origin: Origin) -> Problem:
    return Problem(origin, "file", "syntax", "nests arrays or objects too deeply to be read")


def _syntax_problem(error: json.JSONDecodeError, display: str) -> Problem:
    return Problem(Origin(display, error.lineno), "file", "syntax", f"is not valid JSON: {error.msg} (column {error.colno})")
