"""What the Neo4j server can store, declared once. `graph/schema.py` checks every value against these
limits (through `Property.check`), so what passes validation can be written: a value beyond them is
refused naming file, row and field instead of failing the write half-way.

The index limits depend on which index holds a property, and the schema says that: `id` is held by
a uniqueness constraint (a range index) on every label and type, `indexed: true` adds a range index,
`valueIndex: true` a full-text index with the `keyword` analyzer (each list item one Lucene term).
The `standard-folding` analyzer of `fulltext: true` cuts words longer than 255 characters itself,
so it adds no limit of its own.
"""

from __future__ import annotations

# Neo4j stores integers as signed 64-bit numbers; a larger Python int cannot even be sent.
INTEGER_MIN, INTEGER_MAX = -(2**63), 2**63 - 1

# A range index entry (key) holds at most 8,167 bytes (Neo4j's index limitations: "key size limit of
# 8167 bytes"); a string key spends a few of them on its header. Measured on Neo4j 5.26 (tests/
# test_security_round3.py): a string of 8,164 UTF-8 bytes is stored, one of 8,165 is refused (the
# transaction fails, nothing is written). We allow 8,000, leaving room for a header that grows.
RANGE_KEY_BYTES = 8_000

# Lucene refuses a term longer than 32,766 bytes ("immense term"); a keyword-analysed value is one term.
# Neo4j 5.26 finds out only when it applies a logged transaction to the index: the database panics
# ("needs to be restarted"), so this one must never reach the server (measured: 32,766 is stored
# and found, 32,767 panics).
KEYWORD_TERM_BYTES = 32_766

# Our own ceiling for any text value (and for each item of a list), whatever indexes it: 1 MB of
# UTF-8. Names, quotes, descriptions and notes are sentences; a value of megabytes is a broken
# extraction (a whole document pasted into a cell), and every value travels in one Bolt message and
# one transaction, where a 200 MB description exhausts the server's memory.
TEXT_BYTES = 1_000_000


def text_limit(name: str, indexed: bool, value_index: bool) -> tuple[int, str]:
    """The most UTF-8 bytes a text property (or each item of a list) may hold, and why."""
    if name == "id" or indexed:
        return RANGE_KEY_BYTES, "the most a range index key holds"
    if value_index:
        return KEYWORD_TERM_BYTES, "the most a full-text index term holds"
    return TEXT_BYTES, "the most this project stores in one text"


class LongNumber(int):
    """A whole number written with more digits than any Neo4j integer has (over 19), read from JSON or
    YAML without converting it: Python refuses to convert more than 4,300 digits (ValueError), and a
    million digits would take minutes. It stands as 2^63 (out of range, so validation refuses it,
    naming the field) and remembers how many digits it had."""

    digits: int


def whole_number(text: str) -> int:
    """`parse_int` for `json.loads`: the number, or a LongNumber when it has more than 19 digits."""
    digits = len(text.lstrip("+-"))
    if digits <= 19:
        return int(text)
    number = LongNumber(-(2**63) - 1 if text.startswith("-") else 2**63)
    number.digits = digits
    return number


def integer_problem(value: int) -> str | None:
    """Why a Python int cannot be stored as a Neo4j integer, or None."""
    if INTEGER_MIN <= value <= INTEGER_MAX:
        return None
    digits = getattr(value, "digits", None) or (len(str(abs(value))) if value.bit_length() < 14_000 else None)
    size = f"{digits:,} digits" if digits else "more than 4,000 digits"
    return f"is a whole number of {size}, outside Neo4j's 64-bit range (-2^63 to 2^63-1)"
