"""AidData's words mapped to the schema's: statuses, flow types, agency types, sectors, countries.

Every table here is keyed by AidData's own spelling, folded by `fold` (lower case, straight quotes,
single spaces); a value missing from a table is reported as a problem, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rigour.territories import Territory, lookup_territory

from importers.names import LEGAL_FORMS, SCOPES, is_place, split_qualifier


def fold(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").lower().split())


# AidData "Status" → Project.status. Implementation and completion both count as built or running;
# a suspended project is recorded as cancelled (the verbatim status stays in the notes).
STATUSES = {
    "pipeline: pledge": "proposed",
    "pipeline: commitment": "signed",
    "implementation": "implemented",
    "completion": "implemented",
    "completed": "implemented",
    "suspended": "cancelled",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}

# AidData "Flow Type" (2.0, 3.0) and "Flow Type Simplified" (3.0) → FINANCED.instrument. Scholarships
# and technical assistance are grants in kind; debt relief and unclassified flows are `other`.
INSTRUMENTS = {
    "loan": "loan",
    "export buyer's credit": "buyer credit",
    "supplier's credit/export seller's credit": "vendor financing",
    "grant": "grant",
    "scholarships/training in the donor country": "grant",
    "scholarships/training in donor country": "grant",
    "free-standing technical assistance": "grant",
    "freestanding technical assistance": "grant",
    "debt forgiveness": "other",
    "debt rescheduling": "other",
    "vague tbd": "other",
    "vague (tbd)": "other",
    "vague (official finance)": "other",
}
TRAINING_FLOW = "scholarships/training"


@dataclass(frozen=True)
class AgencyKind:
    """What an AidData agency type makes of a name: a label and the label's kind, or `by_name`."""

    label: str
    kind: str | None = None
    state_owned: bool | None = None
    by_name: bool = False


BY_NAME = AgencyKind("", by_name=True)
AGENCY_TYPES = {
    "state-owned policy bank": AgencyKind("StateBank", "policy bank"),
    "state-owned commercial bank": AgencyKind("StateBank", "state-owned commercial bank"),
    "state-owned bank": AgencyKind("StateBank", "other"),
    "state-owned fund": AgencyKind("StateBank", "state fund"),
    "government agency": AgencyKind("Government"),
    "state-owned company": AgencyKind("Company", state_owned=True),
    "private sector": AgencyKind("Company", state_owned=False),
    "special purpose vehicle/joint venture": AgencyKind("Company"),
    "joint venture/special purpose vehicle": AgencyKind("Company"),
    "intergovernmental organization": AgencyKind("Organization", "international body"),
    "ngo/cso/foundation": AgencyKind("Organization", "ngo"),
    "other": BY_NAME,
    "no organization type specified": BY_NAME,
}
# GCDF 3.0 writes the origin in front of the type: "Chinese State-owned Company", "Other Private Sector".
ORIGIN_PREFIXES = ("chinese ", "recipient ", "other ")


def agency_kind(type_text: str) -> AgencyKind | None:
    key = fold(type_text)
    if key in AGENCY_TYPES:
        return AGENCY_TYPES[key]
    for prefix in ORIGIN_PREFIXES:
        if key.startswith(prefix) and key[len(prefix):] in AGENCY_TYPES:
            return AGENCY_TYPES[key[len(prefix):]]
    return None


UNIVERSITY = re.compile(r"universit|college|polytechnic|institute of (science|technology|information)", re.I)
INSTITUTE = re.compile(r"\binstitut(e|o)?\b", re.I)
ASSOCIATION = re.compile(r"\bassociation\b", re.I)


# A legal form, or a word only a company's name has
COMPANY_WORDS = LEGAL_FORMS | {"group", "holding", "holdings"}


def kind_from_name(name: str) -> AgencyKind:
    """For AidData's `Other` and unspecified types: a company by its legal form, else an organisation."""
    tokens = {token.replace(".", "").lower() for token in re.split(r"[\s,()]+", name) if token}
    if tokens & COMPANY_WORDS:
        return AgencyKind("Company")
    if UNIVERSITY.search(name):
        return AgencyKind("Organization", "university")
    if INSTITUTE.search(name):
        return AgencyKind("Organization", "research institute")
    if ASSOCIATION.search(name):
        return AgencyKind("Organization", "association")
    return AgencyKind("Organization", "other")


MINISTRY = re.compile(r"\b(minist(ry|ries|ère|ere|erio)|department|departamento)\b", re.I)
MUNICIPAL = re.compile(r"\b(city|municipal|municipality|town council)\b", re.I)
REGIONAL = re.compile(r"\b(province|provincial|governorate|regional government|state government)\b", re.I)


def government_level(name: str) -> str:
    if MINISTRY.search(name):
        return "ministry"
    if MUNICIPAL.search(name):
        return "municipal"
    if REGIONAL.search(name):
        return "regional"
    return "agency"


# Project.kind from the title (AidData's sector and flow type settle training and telecom networks);
# the description is not read, because it often describes linked projects too.
KIND_RULES = (
    ("safe city", re.compile(r"safe[\s-]?cit(y|ies)", re.I)),
    ("smart city", re.compile(r"smart[\s-]?cit(y|ies)", re.I)),
    ("surveillance", re.compile(r"surveillance|\bcctv\b|security cameras?|video monitoring", re.I)),
    ("national id", re.compile(r"national id\b|identity cards?|\bid cards?\b", re.I)),
    ("data centre", re.compile(r"data cent(er|re)", re.I)),
    ("5G", re.compile(r"\b5g\b", re.I)),
    ("e-government", re.compile(r"\be-?government\b|\be-gov\b", re.I)),
)
TRAINING = re.compile(r"train|scholarship|seeds for the future|internship|academy", re.I)
NETWORK = re.compile(r"network|\b[234]g\b|\bgsm\b|\bcdma\b|\bumts\b|\blte\b|telephony|fib(er|re)|broadband|wireless", re.I)


def project_kind(title: str, flow_type: str, sector: str, instrument: str | None) -> str:
    for kind, pattern in KIND_RULES:
        if pattern.search(title):
            return kind
    if fold(flow_type).startswith(TRAINING_FLOW) or TRAINING.search(title):
        return "training"
    if fold(sector) == "communications" and (instrument == "vendor financing" or NETWORK.search(title)):
        return "telecom network"
    return "other"


REGIONAL_RECIPIENT = re.compile(r"regional|multi-?region", re.I)


@lru_cache(maxsize=4096)
def country(name_or_code: str) -> Territory | None:
    """A country with a two-letter ISO code, by exact name or code (never fuzzy: `China (People's
    Republic of)` would fuzzily become Congo)."""
    territory = lookup_territory(name_or_code)
    if territory is None or not re.fullmatch(r"[a-z]{2}", territory.code):
        return None
    return territory


GOVERNMENT_OF = re.compile(r"^government of (the )?(republic of )?(?P<country>.+)$", re.I)


def government_country(name: str) -> Territory | None:
    """The country of a name like `Government of Myanmar (Burma)`, else None (a ministry, an agency)."""
    match = GOVERNMENT_OF.match(split_qualifier(name)[0])
    return country(match.group("country").strip()) if match else None


NAMES_WITH_THE = {"Philippines"}


def government_name(territory: Territory) -> str:
    """`Government of Serbia`, `Government of the Gambia`: the seed's way of naming national governments."""
    with_the = territory.in_sentence == f"the {territory.name}" or territory.name in NAMES_WITH_THE
    return f"Government of {'the ' if with_the else ''}{territory.name}"


def split_name(raw: str) -> tuple[str, list[str]]:
    """`Bank of China (BOC)` → (`Bank of China`, [`BOC`]): AidData's trailing bracketed acronyms and
    former names become aliases (`(Formerly Calyon)` → `Calyon`), so that the id is the plain name's slug.
    A place or a scope in brackets qualifies the name and stays in it: `Ministerio de Defensa Nacional
    (Ecuador)` is Ecuador's ministry, and "Ecuador" is no name of it."""
    name, extras = raw.strip(), []
    while name.endswith(")"):
        depth, start = 0, None
        for index in range(len(name) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(name[index], 0)
            if depth == 0:
                start = index
                break
        if start is None or not name[:start].strip():
            break
        inside = name[start + 1:-1].strip()
        if is_place(inside) or fold(inside) in SCOPES:
            break
        extras.insert(0, re.sub(r"^formerly\s+", "", name[start + 1:-1].strip(), flags=re.I))
        name = name[:start].rstrip()
    return name, [e for e in extras if e]
