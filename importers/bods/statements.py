"""BODS statements of versions 0.2, 0.3 and 0.4, checked and brought to one shape.

0.2 and 0.3 publish `entityStatement`, `personStatement` and `ownershipOrControlStatement` objects
(`statementType`), which refer to each other by `statementID` (`subject.describedByEntityStatement`,
`interestedParty.describedByPersonStatement` ...) and supersede older statements through
`replacesStatements`. 0.4 publishes statements about records (`recordType` entity / person /
relationship, details in `recordDetails`) that refer to each other by `recordId`; a later statement
about the same record (`recordStatus` updated / closed) supersedes the earlier ones.

Only the fields the importer uses are checked (this is not a full BODS validator: the standard's
own tools, e.g. lib-cove-bods, do that). Every problem names the statement as `statement [index] id`
(index in the file, from 0) and the field by its path in the statement.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from rigour.territories import get_territory

from graph.records import Origin, Problem
from graph.schema import date_problem
from importers.bods.reading import RawStatement

VERSIONS = ("0.2", "0.3", "0.4")
STATEMENT_KINDS = {"entityStatement": "entity", "personStatement": "person", "ownershipOrControlStatement": "relationship"}
RECORD_KINDS = ("entity", "person", "relationship")
RECORD_STATUSES = ("new", "updated", "closed")
ENTITY_TYPES = ("registeredEntity", "legalEntity", "arrangement", "anonymousEntity", "unknownEntity", "state", "stateBody")
PERSON_TYPES = ("knownPerson", "anonymousPerson", "unknownPerson")
DIRECTNESS = {"direct": True, "indirect": False, "unknown": None}
# 0.3 and 0.4 interest types (camelCase); 0.2 used hyphenated codes, mapped here to their later names.
INTEREST_TYPES = (
    "shareholding", "votingRights", "appointmentOfBoard", "otherInfluenceOrControl", "seniorManagingOfficial",
    "settlor", "trustee", "protector", "beneficiaryOfLegalArrangement", "rightsToSurplusAssetsOnDissolution",
    "rightsToProfitOrIncome", "rightsGrantedByContract", "conditionalRightsGrantedByContract",
    "controlViaCompanyRulesOrArticles", "controlByLegalFramework", "boardMember", "boardChair", "unknownInterest",
    "unpublishedInterest", "enjoymentAndUseOfAssets", "rightToProfitOrIncomeFromAssets", "nominee", "nominator",
)
INTEREST_TYPES_0_2 = {
    "shareholding": "shareholding", "voting-rights": "votingRights", "appointment-of-board": "appointmentOfBoard",
    "other-influence-or-control": "otherInfluenceOrControl", "senior-managing-official": "seniorManagingOfficial",
    "settlor-of-trust": "settlor", "trustee-of-trust": "trustee", "protector-of-trust": "protector",
    "beneficiary-of-trust": "beneficiaryOfLegalArrangement", "other-influence-or-control-of-trust": "otherInfluenceOrControl",
    "rights-to-surplus-assets-on-dissolution": "rightsToSurplusAssetsOnDissolution",
    "rights-to-profit-or-income": "rightsToProfitOrIncome", "rights-granted-by-contract": "rightsGrantedByContract",
    "conditional-rights-granted-by-contract": "conditionalRightsGrantedByContract",
}
DATE = re.compile(r"^(\d{4})(-\d{2}(-\d{2}([T ].*)?)?)?$")


@dataclass
class Statement:
    """What every statement has, whatever its version."""

    index: int
    origin: Origin
    package: str                 # id of the Source node of the file it is in
    version: str
    kind: str                    # entity | person | relationship
    statement_id: str
    record_id: str               # 0.4 recordId; 0.2/0.3 statementID
    date: str                    # statementDate, else publicationDate: orders statements ("the latest wins")
    year: int
    closed: bool = False
    replaces: list[str] = field(default_factory=list)
    content: str = ""            # 0.2/0.3: the statement less its publicationDetails, to compare repeated ids

    @property
    def item(self) -> str:
        return f"statement [{self.index}] {self.statement_id}"


@dataclass
class Entity:
    statement: Statement
    entity_type: str
    subtype: str | None
    name: str | None
    alternate_names: list[str]
    identifiers: list[tuple[str, str]]        # (scheme as given, id)
    jurisdiction: str | None                  # ISO alpha-2, upper case
    founded: int | None
    listed: bool


@dataclass
class Person:
    statement: Statement
    person_type: str
    name: str | None
    aliases: list[str]
    identifiers: list[tuple[str, str]]
    nationality: str | None
    pep_reasons: list[str]
    is_pep: bool


@dataclass
class Share:
    """Percentages as published (0-100)."""

    exact: float | None = None
    low: float | None = None
    high: float | None = None
    low_exclusive: bool = False
    quoted: str = ""             # the share's fields as written, for evidence

    @property
    def above_half(self) -> bool:
        return (self.exact is not None and self.exact > 50) or (self.low is not None and (
            self.low > 50 or (self.low == 50 and self.low_exclusive)))

    @property
    def at_most_half(self) -> bool:
        return self.exact <= 50 if self.exact is not None else self.high is not None and self.high <= 50


@dataclass
class Interest:
    type: str | None             # 0.4 code; None where the statement gives none
    quoted_type: str | None
    direct: bool | None
    quoted_direct: str | None
    share: Share | None
    start: str | None
    end: str | None


@dataclass
class Party:
    """One end of a relationship: a reference, or the reason none is given."""

    ref: str | None
    expects: str | None          # 0.2/0.3 say whether the reference is to an entity or a person statement
    field: str
    reason: str | None = None    # unspecified: the reason code
    explanation: str | None = None  # unspecified: its description, where given


@dataclass
class Relationship:
    statement: Statement
    subject: Party
    interested_party: Party
    interests: list[Interest]


Record = Entity | Person | Relationship


class _Checker:
    """Reads fields of one statement, noting a Problem for each one that is wrong."""

    def __init__(self, raw: RawStatement, item: str, problems: list[Problem]):
        self.raw, self.item, self.problems = raw, item, problems

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.raw.origin, self.item, path, message))

    def mapping(self, value: Any, path: str, required: bool = False) -> dict | None:
        if value is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {_shown(value)}")
            return None
        return value

    def array(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, f"expected an array, got {_shown(value)}")
            return []
        return value

    def text(self, value: Any, path: str, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"expected a non-empty text, got {_shown(value)}")
            return None
        return value.strip()

    def code(self, value: Any, path: str, allowed, required: bool = False) -> str | None:
        text = self.text(value, path, required)
        if text is not None and text not in allowed:
            self.fail(path, f"{text!r} is not one of: {', '.join(allowed)}")
            return None
        return text

    def date(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        if text is not None and not DATE.match(text):
            self.fail(path, f"{text!r} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a date-time)")
            return None
        problem = date_problem(text) if text is not None else None
        if problem:
            self.fail(path, problem)
            return None
        return text

    def country(self, value: Any, path: str) -> str | None:
        code = self.text(value, path)
        if code is None:
            return None
        if not re.fullmatch(r"[A-Za-z]{2}", code) or get_territory(code.lower()) is None:
            self.fail(path, f"{code!r} is not an ISO 3166-1 alpha-2 country code")
            return None
        return code.upper()

    def percent(self, value: Any, path: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"expected a percentage (a number from 0 to 100), got {_shown(value)}")
            return None
        if not 0 <= value <= 100:
            self.fail(path, f"is {value}, {'above 100' if value > 100 else 'below 0'} (a percentage, 0 to 100)")
            return None
        return float(value)


def parse(raw: RawStatement, package: str, problems: list[Problem]) -> Record | None:
    """One statement in the common shape, or None (with problems noted) when it cannot be read."""
    statement = raw.value
    item = f"statement [{raw.index}]"
    if isinstance(statement, dict):
        identifier = statement.get("statementId") or statement.get("statementID")
        if isinstance(identifier, str):
            item = f"{item} {identifier}"
    check = _Checker(raw, item, problems)
    if not isinstance(statement, dict):
        check.fail("statement", f"expected an object, got {_shown(statement)}")
        return None
    details = check.mapping(statement.get("publicationDetails"), "publicationDetails", required=True)
    if details is None:
        return None
    version = check.text(details.get("bodsVersion"), "publicationDetails.bodsVersion", required=True)
    if version is None:
        return None
    if version not in VERSIONS:
        check.fail("publicationDetails.bodsVersion", f"is {version!r}; this importer reads BODS {', '.join(VERSIONS)}")
        return None
    published = check.date(details.get("publicationDate"), "publicationDetails.publicationDate")
    stated = check.date(statement.get("statementDate"), "statementDate")
    when = stated or published
    if when is None:
        check.fail("statementDate", "is required (or publicationDetails.publicationDate): the year of the statement")
        return None
    if version == "0.4":
        return _parse_0_4(statement, raw, package, when, check)
    return _parse_0_2_or_0_3(statement, raw, package, version, when, check)


def _parse_0_4(statement: dict, raw: RawStatement, package: str, when: str, check: _Checker) -> Record | None:
    statement_id = check.text(statement.get("statementId"), "statementId", required=True)
    record_id = check.text(statement.get("recordId"), "recordId", required=True)
    kind = check.code(statement.get("recordType"), "recordType", RECORD_KINDS, required=True)
    status = check.code(statement.get("recordStatus"), "recordStatus", RECORD_STATUSES)
    details = check.mapping(statement.get("recordDetails"), "recordDetails", required=True)
    if None in (statement_id, record_id, kind, details):
        return None
    common = Statement(raw.index, raw.origin, package, "0.4", kind, statement_id, record_id, when, int(when[:4]),
                       closed=status == "closed")
    return _PARSERS[kind](details, common, check, "recordDetails.")


def _parse_0_2_or_0_3(statement: dict, raw: RawStatement, package: str, version: str, when: str,
                      check: _Checker) -> Record | None:
    statement_id = check.text(statement.get("statementID"), "statementID", required=True)
    statement_type = check.code(statement.get("statementType"), "statementType", tuple(STATEMENT_KINDS), required=True)
    replaces = [r for i, r in enumerate(check.array(statement.get("replacesStatements"), "replacesStatements"))
                if check.text(r, f"replacesStatements[{i}]", required=True)]
    if statement_id is None or statement_type is None:
        return None
    kind = STATEMENT_KINDS[statement_type]
    content = json.dumps({k: v for k, v in statement.items() if k != "publicationDetails"}, sort_keys=True)
    common = Statement(raw.index, raw.origin, package, version, kind, statement_id, statement_id, when, int(when[:4]),
                       replaces=replaces, content=content)
    return _PARSERS[kind](statement, common, check, "")


def _parse_entity(details: dict, statement: Statement, check: _Checker, at: str) -> Entity | None:
    subtype = None
    if statement.version == "0.4":
        kind = check.mapping(details.get("entityType"), f"{at}entityType", required=True) or {}
        entity_type = check.code(kind.get("type"), f"{at}entityType.type", ENTITY_TYPES, required=bool(kind))
        subtype = check.text(kind.get("subtype"), f"{at}entityType.subtype")
    else:
        entity_type = check.code(details.get("entityType"), f"{at}entityType", ENTITY_TYPES, required=True)
        category = check.mapping(details.get("entitySubtype"), f"{at}entitySubtype") or {}
        general = check.text(category.get("generalCategory"), f"{at}entitySubtype.generalCategory")
        subtype = (general.partition("-")[2] or None) if general else None  # "stateBody-stateAgency"
    named = entity_type not in ("anonymousEntity", "unknownEntity")
    name = check.text(details.get("name"), f"{at}name", required=named)
    names = check.array(details.get("alternateNames"), f"{at}alternateNames")
    alternate = [n for i, n in enumerate(names) if check.text(n, f"{at}alternateNames[{i}]", required=True)]
    jurisdiction = check.mapping(details.get("jurisdiction"), f"{at}jurisdiction") or {}
    founded = check.date(details.get("foundingDate"), f"{at}foundingDate")
    listing = check.mapping(details.get("publicListing"), f"{at}publicListing") or {}
    if entity_type is None or (named and name is None):
        return None
    return Entity(
        statement, entity_type, subtype, name, [n.strip() for n in alternate],
        _identifiers(details, check, at), check.country(jurisdiction.get("code"), f"{at}jurisdiction.code"),
        int(founded[:4]) if founded else None, listing.get("hasPublicListing") is True,
    )


def _parse_person(details: dict, statement: Statement, check: _Checker, at: str) -> Person | None:
    person_type = check.code(details.get("personType"), f"{at}personType", PERSON_TYPES) or "knownPerson"
    full_names = []  # (not a legal name, name): legal (0.3+) or individual (0.2) names sort first
    for i, entry in enumerate(check.array(details.get("names"), f"{at}names")):
        entry = check.mapping(entry, f"{at}names[{i}]") or {}
        full = check.text(entry.get("fullName"), f"{at}names[{i}].fullName")
        parts = [check.text(entry.get(k), f"{at}names[{i}].{k}") for k in ("givenName", "patronymicName", "familyName")]
        full = full or " ".join(p for p in parts if p)
        if full:
            full_names.append((entry.get("type") not in ("legal", "individual"), full))
    full_names = list(dict.fromkeys(name for _, name in sorted(full_names, key=lambda pair: pair[0])))
    if person_type == "knownPerson" and not full_names:
        check.fail(f"{at}names", "gives no name (fullName, or givenName/familyName) for a knownPerson")
        return None
    nationalities = check.array(details.get("nationalities"), f"{at}nationalities")
    codes = [check.country((n or {}).get("code") if isinstance(n, dict) else n, f"{at}nationalities[{i}].code")
             for i, n in enumerate(nationalities)]
    codes = [c for c in codes if c]
    is_pep, reasons = _political_exposure(details, statement.version, check, at)
    return Person(statement, person_type, full_names[0] if full_names else None, full_names[1:],
                  _identifiers(details, check, at), codes[0] if codes else None, reasons, is_pep)


def _political_exposure(details: dict, version: str, check: _Checker, at: str) -> tuple[bool, list[str]]:
    if version == "0.2":
        is_pep = details.get("hasPepStatus") is True
        entries = check.array(details.get("pepStatusDetails"), f"{at}pepStatusDetails")
        path = f"{at}pepStatusDetails"
    else:
        exposure = check.mapping(details.get("politicalExposure"), f"{at}politicalExposure") or {}
        is_pep = exposure.get("status") == "isPep"
        entries = check.array(exposure.get("details"), f"{at}politicalExposure.details")
        path = f"{at}politicalExposure.details"
    reasons = [check.text(e.get("reason"), f"{path}[{i}].reason") for i, e in enumerate(entries) if isinstance(e, dict)]
    return is_pep, [r for r in reasons if r]


def _identifiers(details: dict, check: _Checker, at: str) -> list[tuple[str, str]]:
    found = []
    for i, entry in enumerate(check.array(details.get("identifiers"), f"{at}identifiers")):
        entry = check.mapping(entry, f"{at}identifiers[{i}]") or {}
        identifier = check.text(entry.get("id"), f"{at}identifiers[{i}].id")
        scheme = check.text(entry.get("scheme"), f"{at}identifiers[{i}].scheme")
        if identifier and scheme:
            found.append((scheme, identifier))
    return found


def _parse_relationship(details: dict, statement: Statement, check: _Checker, at: str) -> Relationship | None:
    if statement.version == "0.4":
        subject = _party_0_4(details.get("subject"), f"{at}subject", check)
        party = _party_0_4(details.get("interestedParty"), f"{at}interestedParty", check)
    else:
        subject = _party_0_2(details.get("subject"), f"{at}subject", check, entity_only=True)
        party = _party_0_2(details.get("interestedParty"), f"{at}interestedParty", check, entity_only=False)
    interests = [_interest(entry, statement.version, f"{at}interests[{i}]", check)
                 for i, entry in enumerate(check.array(details.get("interests"), f"{at}interests"))]
    if subject is None or party is None or None in interests:
        return None
    return Relationship(statement, subject, party, interests)


def _party_0_4(value: Any, path: str, check: _Checker) -> Party | None:
    if isinstance(value, str) and value.strip():
        return Party(value.strip(), None, path)
    if isinstance(value, dict):  # an unspecified record: the reason why no party is named
        return _unspecified(value, path, check)
    check.fail(path, "is required: a recordId, or an object giving the reason it is unspecified" if value is None
               else f"expected a recordId or an unspecified-record object, got {_shown(value)}")
    return None


def _party_0_2(value: Any, path: str, check: _Checker, entity_only: bool) -> Party | None:
    reference = check.mapping(value, path, required=True)
    if reference is None:
        return None
    for key, kind in (("describedByEntityStatement", "entity"), ("describedByPersonStatement", "person")):
        if key in reference and not (entity_only and kind == "person"):
            ref = check.text(reference[key], f"{path}.{key}", required=True)
            return Party(ref, kind, f"{path}.{key}") if ref else None
    if not entity_only and isinstance(reference.get("unspecified"), dict):
        return _unspecified(reference["unspecified"], f"{path}.unspecified", check)
    keys = "describedByEntityStatement" + ("" if entity_only else ", describedByPersonStatement or unspecified")
    check.fail(path, f"needs {keys}")
    return None


def _unspecified(value: dict, path: str, check: _Checker) -> Party | None:
    reason = check.text(value.get("reason"), f"{path}.reason", required=True)
    explanation = check.text(value.get("description"), f"{path}.description")
    return Party(None, None, path, reason, explanation) if reason else None


def _interest(entry: Any, version: str, path: str, check: _Checker) -> Interest | None:
    entry = check.mapping(entry, path)
    if entry is None:
        return None
    quoted_type = check.text(entry.get("type"), f"{path}.type")
    interest_type = quoted_type
    if quoted_type is not None:
        allowed = INTEREST_TYPES_0_2 if version == "0.2" else INTEREST_TYPES
        if quoted_type not in allowed:
            check.fail(f"{path}.type", f"{quoted_type!r} is not a BODS {version} interest type (one of: {', '.join(allowed)})")
            return None
        interest_type = INTEREST_TYPES_0_2.get(quoted_type, quoted_type)
    level_key = "interestLevel" if version == "0.2" else "directOrIndirect"
    quoted_direct = check.code(entry.get(level_key), f"{path}.{level_key}", tuple(DIRECTNESS))
    share = _share(entry.get("share"), version, f"{path}.share", check)
    start = check.date(entry.get("startDate"), f"{path}.startDate")
    end = check.date(entry.get("endDate"), f"{path}.endDate")
    if share is False:
        return None
    return Interest(interest_type, quoted_type, DIRECTNESS.get(quoted_direct), quoted_direct, share, start, end)


def _share(value: Any, version: str, path: str, check: _Checker) -> Share | None | bool:
    """The share, None where there is none, False where it is wrong (problems noted)."""
    before = len(check.problems)
    share = check.mapping(value, path)
    if share is None:
        return False if value is not None else None
    numbers = {key: check.percent(share.get(key), f"{path}.{key}") for key in ("exact", "minimum", "maximum")}
    exclusive_low, exclusive_high = share.get("exclusiveMinimum"), share.get("exclusiveMaximum")
    low_exclusive = False
    if version == "0.4":  # 0.4: exclusive bounds are numbers; 0.2/0.3: flags on minimum/maximum
        exclusive_low = check.percent(exclusive_low, f"{path}.exclusiveMinimum")
        exclusive_high = check.percent(exclusive_high, f"{path}.exclusiveMaximum")
        low_exclusive = exclusive_low is not None and numbers["minimum"] is None
        numbers["minimum"] = numbers["minimum"] if numbers["minimum"] is not None else exclusive_low
        numbers["maximum"] = numbers["maximum"] if numbers["maximum"] is not None else exclusive_high
    else:
        for key, flag in (("exclusiveMinimum", exclusive_low), ("exclusiveMaximum", exclusive_high)):
            if flag is not None and not isinstance(flag, bool):
                check.fail(f"{path}.{key}", f"expected true or false in BODS {version}, got {_shown(flag)}")
        low_exclusive = exclusive_low is True
    if len(check.problems) > before:
        return False
    low, high = numbers["minimum"], numbers["maximum"]
    if low is not None and high is not None and low > high:
        check.fail(path, f"minimum {low:g} is above maximum {high:g}")
        return False
    quoted = ", ".join(f"{key} {share[key]:g}" for key in ("exact", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
                       if isinstance(share.get(key), (int, float)) and not isinstance(share.get(key), bool))
    if numbers["exact"] is None and low is None and high is None:
        return None
    return Share(numbers["exact"], low, high, low_exclusive, quoted)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_PARSERS = {"entity": _parse_entity, "person": _parse_person, "relationship": _parse_relationship}
