"""Turning query results into what people read or open: a terminal table, CSV, JSON."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from graph.spreadsheet import csv_rows


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
