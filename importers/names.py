"""Names and ids every importer shares: slugs, national governments' ids, the two policy banks'
spellings, and the legal forms that mark a company's name."""

from __future__ import annotations

from dataclasses import dataclass

from icu import ICUError
from normality import ascii_text as _ascii_text
from normality import slugify as _slugify


def slug(text: str) -> str:
    """The id an importer gives an entity it knows only by name: `Export-Import Bank of China` →
    `export-import-bank-of-china` (accents folded, punctuation dropped)."""
    try:
        made = _slugify(text, sep="-") or ""
    except ICUError:
        made = _slugify(icu_safe(text), sep="-") or ""
    return "-".join(part for part in made.split("-") if part)  # "A𤵧" slugifies to "a-", not a valid id


def icu_safe(text: str) -> str:
    """Text that normality's ICU transliteration accepts. ICU refuses a few rare sequences (`𖭀ヽ`, a
    Pahawh Hmong letter before a kana iteration mark), which would end an import with a traceback;
    such text is transliterated to ASCII one character at a time, a character ICU refuses dropped."""
    return "".join(_ascii_char(char) for char in text)


def _ascii_char(char: str) -> str:
    try:
        return _ascii_text(char)
    except ICUError:
        return ""


def government_id(country_name: str) -> str:
    """The id of a country's national government: `government-of-serbia` for Serbia."""
    return f"government-of-{slug(country_name)}"


@dataclass(frozen=True)
class Bank:
    name: str  # as the seed names it
    kind: str
    spellings: frozenset[str]


# The seed's ids for the two big policy banks, with the spellings datasets (AidData, OpenSanctions) use.
BANKS = {
    "china-exim-bank": Bank("Export-Import Bank of China", "policy bank", frozenset({
        "Export-Import Bank of China", "The Export-Import Bank of China", "China Exim Bank", "China Eximbank",
        "China EXIM", "China Export-Import Bank", "Exim Bank of China", "中国进出口银行"})),
    "china-development-bank": Bank("China Development Bank", "policy bank", frozenset({
        "China Development Bank", "China Development Bank Corporation", "China Development Bank Corp", "国家开发银行"})),
}
_BANK_BY_SLUG = {slug(spelling): bank_id for bank_id, bank in BANKS.items() for spelling in bank.spellings}


def known_bank(names: list[str]) -> str | None:
    """The seed id of China Eximbank or China Development Bank when any of `names` spells it."""
    return next((_BANK_BY_SLUG[slug(n)] for n in names if slug(n) in _BANK_BY_SLUG), None)


# Legal forms, as the last words of a company's name ("Co., Ltd.") or anywhere in it, lower case, no dots.
LEGAL_FORMS = frozenset({
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "plc", "group",
    "holding", "holdings", "sa", "sarl", "sprl", "srl", "ag", "gmbh", "jsc", "ojsc", "pjsc", "ooo", "oao", "bv",
    "nv", "spa", "pte", "pty", "bhd", "tbk",
})
