"""Turning query results into what people read or open: a terminal table, CSV, JSON.

Everything the CLI prints goes through `DataConsole` (tables, summaries, messages) or `printable`
(error messages): text from data is shown as text, never read as Rich markup or terminal escapes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
from rich.console import Console
from rich.text import Text

from graph.spreadsheet import csv_rows

# C0 controls but tab and newline, DEL, C1 controls: a terminal acts on them (ESC starts a sequence
# that can set the window title, hide text or move the cursor), so they are shown as code points.
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with each control character shown as its escape (ESC, U+001B, as the four characters \\x1b)."""
    return CONTROLS.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


class DataConsole(Console):
    """A Rich console that prints every string as plain text: no markup ("[/x]" would crash a table,
    "[link=...]" would print a hidden link), no emoji codes, control characters as code points.
    Rich turns each str it prints (messages, table cells, titles) into Text through `render_str`."""

    def __init__(self, **kwargs: Any):
        super().__init__(markup=False, emoji=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(printable(text), **{**kwargs, "markup": False, "emoji": False})


def cell_text(value: Any) -> str:
    """A readable one-line rendering: lists of scalars joined with '; ', structures as JSON."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return "; ".join(cell_text(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def to_csv(frame: pd.DataFrame) -> str:
    """The rows as CSV for a spreadsheet, cells neutralised (graph.spreadsheet)."""
    return csv_rows([list(map(str, frame.columns)), *([cell_text(v) for v in row] for row in frame.itertuples(index=False))])


def to_json(frame: pd.DataFrame) -> str:
    rows = [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]
    return json.dumps(rows, ensure_ascii=False, indent=2, default=str)
