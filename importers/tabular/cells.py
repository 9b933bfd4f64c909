"""Turning one spreadsheet cell into a typed value: text, numbers, yes/no, dates, years, amounts, currencies, countries.

Each parser takes the cell as pandas gives it (text from a CSV; text, number or datetime from Excel)
and returns the value, or raises `CellError` saying in plain words what is wrong with it. Empty
cells are caught before any parser runs; so are the placeholders a mapping declares under `missing:`
("-", "n/a"), and no others: "NA" is Namibia, "None" may be a name.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel.numbers import list_currencies  # installed with followthemoney; ISO 4217 codes
from prefixdate import Precision, parse_formats
from rigour.territories import lookup_territory


class CellError(ValueError):
    """A cell that cannot be read as the type the mapping asks for."""


def is_empty(cell: Any, missing: frozenset[str] = frozenset()) -> bool:
    """Whether a cell holds nothing: empty or white space, or one of the `missing` markers (lower case)."""
    if cell is None:
        return True
    if isinstance(cell, float) and math.isnan(cell):
        return True
    return isinstance(cell, str) and (not cell.strip() or cell.strip().lower() in missing)


def as_text(cell: Any) -> str:
    """The cell as the text a spreadsheet user sees (2019.0 from Excel is `2019`, a date is `2021-03-12`)."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return " ".join(str(cell).split())


def parse_string(cell: Any, **_: Any) -> str:
    return as_text(cell)


def parse_integer(cell: Any, **_: Any) -> int:
    number = parse_float(cell)
    if not number.is_integer():
        raise CellError(f"{as_text(cell)!r} is not a whole number")
    return int(number)


def parse_float(cell: Any, **_: Any) -> float:
    if isinstance(cell, bool):
        raise CellError(f"{cell!r} is not a number")
    if isinstance(cell, (int, float)):
        return float(cell)
    text = as_text(cell)
    if not PLAIN_NUMBER.fullmatch(text):
        raise CellError(f"{text!r} is not a number (write it like 1200000, 1,200,000, 1.5 or 1.2E6)")
    return _finite(float(Decimal(text.replace(",", ""))), text)


def _finite(value: float, text: str) -> float:
    """`value`, unless an exponent took it past what a float holds ("1e999")."""
    if not math.isfinite(value):
        raise CellError(f"{text!r} is too large a number")
    return value


BOOLEANS = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}


def parse_boolean(cell: Any, **_: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    value = BOOLEANS.get(as_text(cell).lower())
    if value is None:
        raise CellError(f"{as_text(cell)!r} is not yes/no or true/false")
    return value


def parse_date(cell: Any, formats: tuple[str, ...] = (), **_: Any) -> str:
    """ISO date text (`2021-03-12`; `2021-03` or `2021` where the cell is only that precise).

    ISO dates are always understood; other spellings only in the `formats` the mapping declares
    (`%B %d, %Y` for "March 12, 2021", `%d/%m/%Y` for "12/03/2021"), so 12/03 is never guessed.
    """
    if isinstance(cell, (datetime, date)):
        return as_text(cell)[:10]
    text = as_text(cell)  # a bare year typed into Excel (2019.0) reads as '2019'
    parsed = parse_formats(text, ["%Y-%m-%d", "%Y-%m", "%Y", *formats])
    if parsed.text is None or parsed.precision not in (Precision.DAY, Precision.MONTH, Precision.YEAR):
        shown = ", ".join(repr(f) for f in formats) if formats else "none declared"
        raise CellError(f"{text!r} is not a date in ISO form (2021-03-12) or a declared format ({shown})")
    return parsed.text


def parse_year(cell: Any, formats: tuple[str, ...] = (), **_: Any) -> int:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and float(cell).is_integer():
        return int(cell)
    return int(parse_date(cell, formats)[:4])


# --- amounts and currencies -------------------------------------------------------------------------
# E-notation (5.689852347E7) is how spreadsheets and pandas write large numbers; Decimal reads it exactly.
PLAIN_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?")
MULTIPLIERS = {
    "k": 10**3, "thousand": 10**3,
    "m": 10**6, "mn": 10**6, "mio": 10**6, "mln": 10**6, "million": 10**6, "millions": 10**6,
    "b": 10**9, "bn": 10**9, "billion": 10**9, "billions": 10**9,
    "tn": 10**12, "trillion": 10**12,
}
SYMBOLS = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "RMB": "CNY"}
AMOUNT = re.compile(
    r"(?P<before>[A-Za-z]{3}|US\$|\$|€|£)?\s*"
    r"(?P<number>(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?)\s*"
    r"(?P<scale>[A-Za-z]+)?\s*"
    r"(?P<after>[A-Za-z]{3})?",
)


@lru_cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def _currency(token: str) -> str:
    code = SYMBOLS.get(token) or SYMBOLS.get(token.upper()) or token.upper()
    if code not in currency_codes():
        raise CellError(f"{token!r} is not an ISO 4217 currency code")
    return code


def parse_amount_and_currency(cell: Any) -> tuple[float, str | None]:
    """`USD 1.2bn` → (1200000000.0, 'USD'); `21 million` → (21000000.0, None); `1,200,000` → (1200000.0, None)."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell), None
    text = as_text(cell)
    match = AMOUNT.fullmatch(text)
    if not match:
        raise CellError(f"{text!r} is not an amount (write it like 'USD 21 million', '21,000,000' or 'EUR 1.2bn')")
    scale = match["scale"]
    if scale and scale.lower() not in MULTIPLIERS:
        if match["after"] is None and len(scale) == 3:  # '21000000 USD'
            scale, after = None, scale
        else:
            raise CellError(f"{text!r}: {scale!r} is not a known scale (thousand, million/m/mn, billion/bn, trillion/tn)")
    else:
        after = match["after"]
    before = match["before"]
    if before and after:
        raise CellError(f"{text!r} names two currencies")
    value = Decimal(match["number"].replace(",", "")) * (MULTIPLIERS[scale.lower()] if scale else 1)  # 1.2bn exactly
    token = before or after
    return _finite(float(value), text), _currency(token) if token else None


def parse_amount(cell: Any, **_: Any) -> float:
    return parse_amount_and_currency(cell)[0]


def parse_currency(cell: Any, **_: Any) -> str | None:
    """A currency code (`usd`, `EUR`, `$`), or the currency an amount cell names (`USD 21 million`;
    None for `21 million`, so a mapping can fall back to a currency column or a fixed code)."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return None
    text = as_text(cell)
    if any(ch.isdigit() for ch in text):
        return parse_amount_and_currency(text)[1]
    return _currency(text)


def parse_country(cell: Any, **_: Any) -> str:
    """ISO 3166-1 alpha-2 code (`RS`) of a country's name or alpha-2 or alpha-3 code, through rigour's
    territory table. Territories with their own code (HK, MO, PR) are countries here, as in ISO 3166-1;
    codes of countries that no longer exist (SU, YU) are not."""
    text = as_text(cell)
    territory = lookup_territory(text)
    if territory is None or len(territory.code) != 2 or not territory.alpha3 or territory.is_historical:
        raise CellError(f"{text!r} is not a country or territory with an ISO 3166-1 code")
    return territory.code.upper()


PARSERS = {
    "string": parse_string,
    "integer": parse_integer,
    "float": parse_float,
    "boolean": parse_boolean,
    "date": parse_date,
    "year": parse_year,
    "amount": parse_amount,
    "currency": parse_currency,
    "country": parse_country,
}
# The schema type each cell type produces, to check a mapping sends it to a property that takes it.
PRODUCES = {"string": "string", "integer": "integer", "float": "float", "boolean": "boolean", "date": "string",
            "year": "integer", "amount": "float", "currency": "string", "country": "string"}
