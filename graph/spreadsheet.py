"""CSV files that people open in a spreadsheet: every cell is text, never a formula (CSV injection).

Every CSV the project writes for people (query output, the review file of entity resolution) goes
through `csv_rows`, so one rule neutralises them all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# A spreadsheet runs a cell starting with these as a formula (OWASP's list, with the full-width forms
# that some locales read as the ASCII ones); a leading ' makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_for_spreadsheet(text: str) -> str:
    """The text, prefixed with ' when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_rows(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text, each cell neutralised (None is empty). Lines end with \\r\\n (RFC 4180): with
    \\n alone a cell holding \\r is written unquoted, and a spreadsheet starts a new row there, so
    "x\\r=HYPERLINK(...)" would put a formula at the start of a row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_for_spreadsheet("" if cell is None else str(cell)) for cell in row])
    return out.getvalue()
