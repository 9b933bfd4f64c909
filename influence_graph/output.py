"""Turning query results into what people read or open: a terminal table, CSV, JSON."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def safe_for_spreadsheet(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection): prefix it with '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(frame: pd.DataFrame) -> str:
    flat = frame.map(lambda v: safe_for_spreadsheet(cell_text(v))) if len(frame) else frame
    # RFC 4180 line ends: with "\n" alone, a cell holding "\r" is written unquoted, and a spreadsheet
    # starts a new row there ("x\r=HYPERLINK(...)" would put a formula at the start of a row)
    return flat.to_csv(index=False, lineterminator="\r\n")


def to_json(frame: pd.DataFrame) -> str:
    rows = [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]
    return json.dumps(rows, ensure_ascii=False, indent=2, default=str)
