"""Names and ids every importer shares: slugs, national governments' ids, the two policy banks'
spellings, and the names entity resolution compares: legal forms and articles dropped, qualifiers
and countries read, weak aliases told apart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from icu import ICUError
from normality import ascii_text as _ascii_text
from normality import normalize
from normality import slugify as _slugify
from rigour.territories import Territory, lookup_territory


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


# --- names for matching (entity resolution) -------------------------------------------------------

# Legal forms, as the last words of a company's name ("Co., Ltd."), lower case, no dots. Words that
# tell a parent from its subsidiary ("Holdings", "Group", "International") are not legal forms.
LEGAL_FORMS = frozenset({
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc",
    "sa", "sas", "sarl", "sprl", "srl", "ag", "gmbh", "kg", "jsc", "ojsc", "pjsc", "cjsc", "ooo", "oao", "zao", "pao",
    "bv", "nv", "spa", "pte", "pty", "bhd", "tbk", "persero",
})
# Legal forms written in front of the name: Russian "OOO Zala Aero", Indonesian "PT Telkom".
LEADING_LEGAL_FORMS = frozenset({"ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "pjsc", "cjsc", "pt"})
SPELLINGS = {"defence": "defense", "centre": "center", "programme": "program", "organisation": "organization"}
# Words that make a name a public body's, whose country may be written as an adjective ("Chinese
# Ministry of Commerce") or after it ("Ministry of Commerce of the People's Republic of China").
PUBLIC_BODY = frozenset({"ministry", "ministere", "ministerio", "government", "embassy", "department", "police",
                         "army", "navy", "military", "armed", "parliament", "presidency", "cabinet"})
# Places that rigour's territories do not know, met in the seed and the real files: a one-word alias
# that is one of them never matches on its own, and in brackets or after a comma one qualifies a name.
CITIES = frozenset({"shenzhen", "hangzhou", "shanghai", "guangzhou", "wuhan", "chongqing", "urumqi", "karamay",
                    "lahore", "karachi", "mutare", "bournemouth", "milton keynes", "santa cruz", "tashkent",
                    "dushanbe", "nur sultan", "addis ababa", "colombo", "washington", "dublin"})
# Scopes that qualify a name like a place does: "China Telecom (Americas)", "Sinopec (Group)".
SCOPES = frozenset({"americas", "africa", "asia", "europe", "middle east", "latin america", "asia pacific",
                    "group", "holding", "holdings", "international", "overseas", "global", "headquarters", "hq"})
# Generic words of organisations' names: alone, as an alias, they say nothing about which one is meant.
COMMON_WORDS = frozenset({
    "group", "holding", "holdings", "international", "global", "bank", "government", "ministry", "company", "national",
    "state", "central", "people", "republic", "council", "committee", "commission", "agency", "authority", "office",
    "department", "university", "institute", "foundation", "association", "union", "party", "army", "police",
    "telecom", "telecommunications", "mobile", "technology", "technologies", "security", "digital", "network",
    "networks", "systems", "energy", "power", "development", "investment", "services", "trading", "industries",
})
# Short codes rigour reads as countries that are also words or legal forms ("co", "sa", "ag"): only these count.
COUNTRY_CODES = frozenset({"usa", "uk", "uae", "prc", "drc", "bvi"})
_TRAILING_BRACKET = re.compile(r"\s*\([^()]*\)[\s*.]*$")  # "Dawning Information Industry Co., Ltd. (Sugon)*"
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&-]{1,5}")  # CNOOC, CETC, ZTE
_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # S.A., L.L.C., S.p.A.
_POSSESSIVE = re.compile(r"['’]s\b")  # People's → Peoples, which rigour knows


def _fold(text: str) -> str:
    # casefold first ("µ" and "Μ" both become "μ", then "m"); lower last (a math letter such as "𝘼" transliterates to "A")
    text = _POSSESSIVE.sub("s", _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)).casefold()
    try:
        normal = normalize(text, lowercase=True, ascii=True)
    except ICUError:
        normal = normalize(icu_safe(text), lowercase=True, ascii=True)
    return (normal or "").lower()


@lru_cache(maxsize=65536)
def _territory(words: str) -> Territory | None:
    """The country or territory a folded phrase names (`china`, `chinese`, `peoples republic of china`,
    `belgrade`), never by a short code that is also a word."""
    if " " not in words and len(words) <= 3 and words not in COUNTRY_CODES:
        return None
    return lookup_territory(words)


def _country(territory: Territory) -> str:
    """The country a territory belongs to, as an ISO code (`cn-bj`, Beijing, → `cn`)."""
    return territory.code.split("-")[0]


def is_place(text: str) -> bool:
    folded = _fold(text)
    return folded in CITIES or _territory(folded) is not None


@lru_cache(maxsize=1 << 18)  # the writer derives matchNames for every node it writes; names repeat
def normalise_name(name: str) -> str:
    """The form in which two names are compared: `Hangzhou Hikvision Digital Technology Co., Ltd.` →
    `hangzhou hikvision digital technology`, `The Philippine National Police` → `philippines national
    police`. Case, accents, punctuation, a leading article and legal forms are dropped, and so is a
    bracket at the end that is no qualifier (`(CETC)`, `(Sugon)`); a qualifier stays (`(Ecuador)`). A
    public body's country comes first, by its name: `Ministry of Commerce of the People's Republic of
    China` → `china ministry of commerce`; and `ministry of national defence` → `ministry of defense`."""
    base, qualifier = split_qualifier(name)
    if qualifier is None:
        base = _TRAILING_BRACKET.sub("", base) or base
    words = _words(base)
    if qualifier and f" {_fold(qualifier)} " not in f" {' '.join(words)} ":  # "Inner Mongolia ... (Inner Mongolia)"
        words += _fold(qualifier).split()
    if PUBLIC_BODY & set(words):
        words = _country_first(words)
        for index in range(len(words) - 3):
            if words[index:index + 3] == ["ministry", "of", "national"]:
                del words[index + 2]
                break
    return " ".join(words)


def _words(name: str) -> list[str]:
    words = [SPELLINGS.get(word, word) for word in _fold(name).split()]
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    while len(words) > 1 and words[0] in LEADING_LEGAL_FORMS:
        words.pop(0)
    return words


def _country_first(words: list[str]) -> list[str]:
    """`chinese ministry of commerce` and `ministry of commerce of the peoples republic of china` →
    `china ministry of commerce`."""
    territory = _territory(words[0])
    if territory is not None and territory.is_country:
        return [*_fold(territory.name).split(), *words[1:]]
    for start in range(1, len(words)):
        tail = words[start:]
        if tail[0] == "the":
            continue
        territory = _territory(" ".join(tail))
        if territory is not None and territory.is_country:
            head = words[:start]
            while head and head[-1] in ("of", "the"):
                head.pop()
            if not head:
                return words
            country, rest = _fold(territory.name).split(), _country_first(head)  # "... of cote d ivoire (ivory coast)"
            return rest if rest[:len(country)] == country else [*country, *rest]
    return words


@lru_cache(maxsize=1 << 16)
def countries(name: str) -> frozenset[str]:
    """The countries a name places its entity in, as ISO codes: `Government of Mali` → {ml},
    `Bank of China (Hong Kong)` → {cn, hk}; the longest phrase wins (`Papua New Guinea` is not Guinea)."""
    words, found, start = _fold(name).split(), set(), 0
    while start < len(words):
        for end in range(min(len(words), start + 6), start, -1):
            territory = _territory(" ".join(words[start:end]))
            if territory is not None:
                found.add(_country(territory))
                start = end
                break
        else:
            start += 1
    return frozenset(found)


@lru_cache(maxsize=1 << 16)
def weak_alias(alias: str) -> bool:
    """An alias of one word that is a country, a city or a common word (`China`, `Belgrade`, `Group`),
    or an acronym (`CNOOC` is the group's alias, and "CNOOC Limited" its listed subsidiary's name): it
    names too many things to match an entity on its own."""
    words = normalise_name(alias).split()
    return len(words) == 1 and (words[0] in COMMON_WORDS or is_place(words[0]) or bool(_ACRONYM.fullmatch(alias.strip())))


def matching_names(name: str, aliases: list[str]) -> set[str]:
    """The normalised names an entity is matched by: its name, and its aliases but weak ones."""
    return {normalise_name(n) for n in [name, *(a for a in aliases if not weak_alias(a))] if n} - {""}


def split_qualifier(name: str) -> tuple[str, str | None]:
    """`Central Military Commission (China)` → (`Central Military Commission`, `China`), `University of
    Engineering and Technology, Lahore` → (..., `Lahore`): a place or a scope in brackets or after a
    comma at the end qualifies the name; anything else there (an acronym, a legal form) is no qualifier."""
    text = name.strip()
    match = re.fullmatch(r"(?P<base>.+?)\s*\((?P<q>[^()]+)\)", text) or re.fullmatch(r"(?P<base>.+?),\s*(?P<q>[^,]+)", text)
    if match and (is_place(match["q"]) or _fold(match["q"]) in SCOPES):
        return match["base"].strip(), match["q"].strip()
    return text, None
