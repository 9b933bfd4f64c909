"""From checked BODS statements to graph records.

- The latest statement wins. 0.4: of the statements about one `recordId`, the one with the latest
  `statementDate` (then the later in the files) gives the record; a `closed` record is still imported
  (the tie gets its end year). 0.2/0.3: a statement named in another's `replacesStatements` is dropped,
  and references to it lead to the statement that replaced it.
- Entities: `registeredEntity` → Company; `state` → Government (national, id `government-of-<country>`
  from its jurisdiction); `stateBody` → Government (`governmentDepartment` → ministry, else agency);
  `legalEntity`, `arrangement`, `anonymousEntity`, `unknownEntity` → Organization. Persons → Person.
- Node ids are `slug(name)`. Arrangements and anonymous or unknown parties always get the record id
  appended (`joint-shareholding-91b4236a7d89`): their names ("Joint shareholding") are descriptions,
  not names. Two records claiming one slug are one node unless they are different records of one
  file, carry different identifiers in one scheme, or have different labels; then the later one gets
  its first identifier appended (`company-a-gb-coh-xe1010`), else its record id.
- Relationships: position interests (`boardMember`, `boardChair`, `seniorManagingOfficial`) of a
  person → HOLDS_POSITION (one per title, keyed by it); all other interests → one OWNS from the
  interested party to the subject (keyed `indirect` where held through intermediaries, so a direct
  and an indirect stake in one company stay two ties); a state body under the state or another state
  body → PART_OF. Ties that meet on one id keep the latest statement, plus earlier ones that agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rigour.territories import get_territory

from graph.records import Dataset, Problem, relationship_id
from graph.schema import load_schema
from importers.bods.statements import Entity, Interest, Party, Person, Record, Relationship, Statement
from importers.context import clip_quote
from importers.names import government_id, slug

POSITION_TITLES = {"boardMember": "Board member", "boardChair": "Board chair",
                   "seniorManagingOfficial": "Senior managing official"}
CONTROL_TYPES = {"appointmentOfBoard", "controlViaCompanyRulesOrArticles", "controlByLegalFramework"}
SHARE_TYPES = ("shareholding", "votingRights")
UNNAMED = {"anonymousEntity": "Anonymous entity", "unknownEntity": "Unknown entity",
           "anonymousPerson": "Anonymous person", "unknownPerson": "Unknown person"}
ALWAYS_SUFFIXED = {"arrangement", "anonymousEntity", "unknownEntity", "anonymousPerson", "unknownPerson"}
LEVELS = {"governmentDepartment": "ministry", "stateAgency": "agency"}
SCHEMA = load_schema()
MERGING = SCHEMA.merging
_AS_OF = SCHEMA.common_relationship_properties["asOf"]
YEARS = range(int(_AS_OF.min), int(_AS_OF.max) + 1)  # the years a tie may speak of
_FOUNDED = SCHEMA.nodes["Company"].properties["founded"]
FOUNDED_YEARS = range(int(_FOUNDED.min), int(_FOUNDED.max) + 1)


def record_key(statement: Statement, record_id: str) -> tuple[str, str]:
    """0.4 records and 0.2/0.3 statements live in separate id spaces."""
    return ("record" if statement.version == "0.4" else "statement", record_id)


def latest_records(records: list[Record], problems: list[Problem]) -> dict[tuple[str, str], Record]:
    """The record each key stands for once later statements have replaced earlier ones, in file order."""
    by_key: dict[tuple[str, str], list[tuple[int, Record]]] = defaultdict(list)
    for order, record in enumerate(records):
        by_key[record_key(record.statement, record.statement.record_id)].append((order, record))
    replaced = replaced_statements(records)
    latest = {}
    for key, group in by_key.items():
        first = group[0][1].statement
        for _, record in group[1:]:
            statement = record.statement
            if statement.kind != first.kind:
                field_name = "recordType" if statement.version == "0.4" else "statementID"
                problems.append(Problem(statement.origin, statement.item, field_name,
                                        f"makes {statement.record_id!r} a {statement.kind} here but a {first.kind} "
                                        f"at {first.origin} ({first.item})"))
            elif first.version != "0.4" and statement.content != first.content:
                problems.append(Problem(statement.origin, statement.item, "statementID",
                                        f"is also the id of a different statement at {first.origin} ({first.item})"))
        if key[0] == "statement" and key[1] in replaced:
            continue
        latest[key] = max(group, key=lambda pair: (pair[1].statement.date, pair[0]))[1]
    return latest


def replaced_statements(records: list[Record]) -> dict[str, str]:
    """0.2/0.3: replaced statementID → the id of the latest statement replacing it."""
    replacers: dict[str, Statement] = {}
    for record in records:
        statement = record.statement
        for old in statement.replaces:
            if old not in replacers or statement.date >= replacers[old].date:
                replacers[old] = statement
    return {old: statement.record_id for old, statement in replacers.items()}


@dataclass
class _Claim:
    """Who holds a node id: what tells whether another record may be the same entity."""

    label: str
    packages: set[str]
    identifiers: dict[str, str]
    by_country: bool


@dataclass
class GraphBuilder:
    """Turns the latest records into nodes and ties of one Dataset, noting problems."""

    dataset: Dataset
    problems: list[Problem]
    replaced: dict[str, str]
    unreadable: set[tuple[str, str]]
    node_of: dict[tuple[str, str], str] = field(default_factory=dict)
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    claims: dict[str, _Claim] = field(default_factory=dict)
    drafts: dict[str, tuple[str, dict, Statement]] = field(default_factory=dict)
    undisclosed: dict[tuple[str, str], list[tuple[Statement, str, str]]] = field(default_factory=dict)

    def note_undisclosed(self, relationship: Relationship) -> None:
        """A relationship whose interested party is unspecified says why an entity's owners are not named."""
        party, subject = relationship.interested_party, relationship.subject
        if party.ref is None and subject.ref is not None:
            key = self._resolve(relationship.statement, subject.ref)
            self.undisclosed.setdefault(key, []).append((relationship.statement, party.reason, party.explanation or party.reason))

    # --- nodes ----------------------------------------------------------------------------------
    def add_party(self, key: tuple[str, str], record: Entity | Person) -> None:
        statement = record.statement
        label, name, props, by_country = _node(record)
        identifiers = {scheme.lower(): value for scheme, value in record.identifiers}
        base = props.pop("id")
        node_id = self._claim(base, record, label, identifiers, by_country)
        self.node_of[key] = node_id
        self.names[key] = record.name or name
        external = [f"bods:{statement.record_id}"]
        if isinstance(record, Entity):  # person identifiers are passport and tax numbers: not kept
            external += [_external_id(scheme, value) for scheme, value in record.identifiers]
        props.update(externalIds=external, sources=[statement.package], evidence=[clip_quote(_quote_party(record))])
        for told_by, reason, quote in self.undisclosed.get(key, []):
            unnamed = f"An interested party is not named in BODS: {reason}."
            props["description"] = _joined([props.get("description"), unnamed], ". ")
            props["sources"].append(told_by.package)
            props["evidence"].append(clip_quote(quote))
        props = {k: v for k, v in props.items() if v is not None}
        if node_id not in self.drafts:
            self.drafts[node_id] = (label, {"id": node_id, "name": name, **props}, statement)
            return
        draft = self.drafts[node_id][1]  # another record of the same entity: its name becomes an alias
        props["aliases"] = [name, *props.get("aliases", [])]
        for prop, value in props.items():
            rule = MERGING[prop].merge if prop in MERGING else "keep-all"
            if rule == "provenance":
                draft[prop] = draft[prop] + value
            elif rule == "union":
                draft[prop] = list(dict.fromkeys(v for v in [*draft.get(prop, []), *value] if v != draft["name"]))
            else:
                draft.setdefault(prop, value)

    def _claim(self, base: str, record: Entity | Person, label: str, identifiers: dict[str, str], by_country: bool) -> str:
        package = record.statement.package
        # an entity's first identifier, then the record id; never a person's passport or tax number
        shown = record.identifiers[:1] if isinstance(record, Entity) else []
        suffixes = [f"{scheme}-{value}" for scheme, value in shown] + [record.statement.record_id]
        candidates = [base] + [slug(f"{base} {suffix}") for suffix in suffixes]
        candidates += [f"{candidates[-1]}-{n}" for n in range(2, 100)]
        for node_id in candidates:
            claim = self.claims.get(node_id)
            if claim is None:
                self.claims[node_id] = _Claim(label, {package}, dict(identifiers), by_country)
                return node_id
            if _same_entity(claim, label, package, identifiers, by_country):
                claim.packages.add(package)
                claim.identifiers.update(identifiers)
                return node_id
        raise AssertionError(f"no free id for {base}")  # a hundred records of one name and one record id

    def finish_nodes(self) -> None:
        for label, props, statement in self.drafts.values():
            self.dataset.add_node(label, props, statement.origin)

    # --- ties -----------------------------------------------------------------------------------
    def ties(self, relationship: Relationship, records: dict) -> list[tuple]:
        """(type, start, end, key, props, statement) for one relationship; [] where a party is unspecified or wrong."""
        statement = relationship.statement
        ends = [self._end(relationship, party, role, records)
                for party, role in ((relationship.interested_party, "interestedParty"), (relationship.subject, "subject"))]
        if None in ends:
            return []
        party_key, subject_key = ends
        start, end = self.node_of[party_key], self.node_of[subject_key]
        labels = self.drafts[start][0], self.drafts[end][0]
        quote = f"{self.names[party_key]} → {self.names[subject_key]}: "
        positions = [i for i in relationship.interests if i.type in POSITION_TITLES]
        holdings = [i for i in relationship.interests if i.type not in POSITION_TITLES]
        ties = []
        if labels == ("Government", "Government"):
            props = self._common(relationship, relationship.interests, quote)
            props["note"] = _joined(["A BODS ownership-or-control relationship between state bodies", props.get("note")])
            ties.append(("PART_OF", end, start, None, props, statement))
        elif holdings or not positions:
            ties.append(("OWNS", start, end, *_owns(holdings, self._common(relationship, holdings, quote)), statement))
        if labels[0] == "Person":
            for interest in positions:
                title = POSITION_TITLES[interest.type]
                props = {"title": title, **self._common(relationship, [interest], quote)}
                ties.append(("HOLDS_POSITION", start, end, slug(title), props, statement))
        return ties

    def _end(self, relationship: Relationship, party: Party, role: str, records: dict) -> tuple[str, str] | None:
        """The key of the record one end names; None (with a problem, unless the reference is unspecified or
        names a statement whose own problems are reported) where there is none to link."""
        statement = relationship.statement
        if party.ref is None:
            return None
        key = self._resolve(statement, party.ref)
        if key in self.unreadable:
            return None
        target = records.get(key)
        wanted = party.expects or ("entity" if role == "subject" else "entity or person")
        if target is None:
            message = f"names {party.ref!r}, which no statement in the files read describes"
        elif target.statement.kind not in wanted.split(" or "):
            article = "an" if wanted.startswith("e") else "a"
            message = f"names {party.ref!r}, a {target.statement.kind}; the {role} must be {article} {wanted}"
        else:
            return key
        self.problems.append(Problem(statement.origin, statement.item, party.field, message))
        return None

    def _resolve(self, statement: Statement, ref: str) -> tuple[str, str]:
        """The key a reference leads to, following 0.2/0.3 replacements."""
        seen = {ref}
        while statement.version != "0.4" and ref in self.replaced and self.replaced[ref] not in seen:
            ref = self.replaced[ref]
            seen.add(ref)
        return record_key(statement, ref)

    def _common(self, relationship: Relationship, interests: list[Interest], quote: str) -> dict:
        statement = relationship.statement
        notes = []
        starts = [int(i.start[:4]) for i in interests if i.start]
        ends = [int(i.end[:4]) for i in interests if i.end]
        valid_from = min(starts) if starts else None
        valid_to = max(ends) if interests and len(ends) == len(interests) else None
        if valid_to is None and statement.closed:
            valid_to = statement.year
            notes.append(f"The BODS record was closed by a statement of {statement.date[:10]}; no end date given.")
        for name, year in (("start", valid_from), ("end", valid_to)):
            if year is not None and year not in YEARS:
                notes.append(f"BODS gives the {name} year {year}, outside the years this graph records.")
        text = quote + "; ".join(_quote_interest(i) for i in interests) if interests else quote + "no interests given"
        return {
            "confidence": "stated", "asOf": statement.year,
            "validFrom": valid_from if valid_from in YEARS else None,
            "validTo": valid_to if valid_to in YEARS else None,
            "externalIds": [f"bods:{statement.record_id}"],
            "sources": [statement.package], "evidence": [clip_quote(text)], "note": _joined(notes),
        }


def add_ties(candidates: list[tuple], dataset: Dataset) -> None:
    """Add ties; where several meet on one id the latest statement wins, and earlier ones that agree with it
    add their ids, years and (source, quote) pairs to it."""
    by_id = defaultdict(list)
    for order, (rel_type, start, end, key, props, statement) in enumerate(candidates):
        by_id[relationship_id(start, rel_type, end, key)].append((statement.date, order, props))
    for group in by_id.values():
        group.sort(key=lambda c: (c[0], c[1]), reverse=True)
        rel_type, start, end, key, kept, statement = candidates[group[0][1]]
        kept = {k: v for k, v in kept.items() if v is not None}
        for _, _, props in group[1:]:
            if _agrees(kept, props):
                _fold(kept, props)
        dataset.add_relationship(rel_type, start, end, kept, statement.origin, key=key)


def _fold(kept: dict, props: dict) -> None:
    """Join an agreeing tie into the kept one; done here because the Dataset keeps one of two equal quotes
    while it appends both sources."""
    for name, value in props.items():
        if value is None or name not in MERGING:
            continue
        if MERGING[name].merge == "provenance":
            kept[name] = kept[name] + value
        elif name in kept:
            kept[name] = MERGING[name].combine(kept[name], value)
        else:
            kept[name] = value


def _agrees(kept: dict, props: dict) -> bool:
    """Whether an earlier statement says what the kept one says (lists, years and provenance aside)."""
    return all(kept.get(k) == props.get(k) for k in set(kept) | set(props) if k not in MERGING)


def _same_entity(claim: _Claim, label: str, package: str, identifiers: dict[str, str], by_country: bool) -> bool:
    if claim.label != label:
        return False
    if by_country and claim.by_country:
        return True
    shared = set(claim.identifiers) & set(identifiers)
    if any(claim.identifiers[s] != identifiers[s] for s in shared):
        return False
    return bool(shared) or package not in claim.packages


def _node(record: Entity | Person) -> tuple[str, str, dict, bool]:
    """(label, name, properties with a base id, whether the id comes from a country)."""
    if isinstance(record, Person):
        name = record.name or UNNAMED[record.person_type]
        props = {"id": _base_id(name, record.person_type, record.statement), "aliases": record.aliases or None,
                 "nationality": record.nationality}
        if record.is_pep:
            props["topics"] = ["role.pep"]
            props["description"] = _joined(["Politically exposed person", "; ".join(record.pep_reasons)], ": ")
        return "Person", name, props, False
    entity_type = record.entity_type
    name = record.name or UNNAMED[entity_type]
    aliases = [a for a in record.alternate_names if a != name]
    if entity_type == "state" and record.jurisdiction:
        country = get_territory(record.jurisdiction.lower()).name
        props = {"id": government_id(country), "level": "national", "aliases": [name, *aliases]}
        return "Government", f"Government of {country}", props, True
    props = {"id": _base_id(name, entity_type, record.statement), "aliases": aliases or None}
    if entity_type == "registeredEntity":
        props["founded"] = record.founded if record.founded in FOUNDED_YEARS else None
        props["description"] = "Publicly listed company" if record.listed else None
        return "Company", name, props, False
    if entity_type in ("state", "stateBody"):
        props["level"] = "national" if entity_type == "state" else LEVELS.get(record.subtype, "agency")
        return "Government", name, props, False
    props["description"] = f"BODS entity type: {entity_type}" + (f" ({record.subtype})" if record.subtype else "")
    return "Organization", name, props, False


def _base_id(name: str, kind: str, statement: Statement) -> str:
    return slug(f"{name} {statement.record_id}") if kind in ALWAYS_SUFFIXED else slug(name)


def _owns(holdings: list[Interest], props: dict) -> tuple[str | None, dict]:
    """(key, properties) of an OWNS tie: shares as fractions, interests, control and directness."""
    with_share = [i for i in holdings if i.share]
    chosen = next((i for i in with_share if i.type == "shareholding"), with_share[0] if with_share else None)
    if chosen:
        share = chosen.share
        if share.exact is not None:
            props["share"] = _fraction(share.exact)
        else:
            props["shareMin"], props["shareMax"] = _fraction(share.low), _fraction(share.high)
        if chosen.type != "shareholding":
            props["note"] = _joined([props.get("note"), f"The share is of {_kebab(chosen.type or 'unknownInterest')}."])
    props["interests"] = list(dict.fromkeys(_kebab(i.type) for i in holdings if i.type)) or None
    props["controlling"] = _controlling(holdings)
    directness = {i.direct for i in holdings}
    props["direct"] = directness.pop() if len(directness) == 1 else None
    return ("indirect" if props["direct"] is False else None), props


def _controlling(holdings: list[Interest]) -> bool | None:
    """True for a control interest or a stake above half; False where every interest is a stake of at most half."""
    if any(i.type in CONTROL_TYPES for i in holdings):
        return True
    if any(i.type in SHARE_TYPES and i.share and i.share.above_half for i in holdings):
        return True
    if holdings and all(i.type in SHARE_TYPES and i.share and i.share.at_most_half for i in holdings):
        return False
    return None


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else round(percent / 100, 6)


def _kebab(code: str) -> str:
    """`votingRights` → `voting-rights`: the spelling the graph schema lists for BODS interests."""
    return re.sub(r"(?<=[a-z])([A-Z])", lambda m: "-" + m.group(1).lower(), code)


def _external_id(scheme: str, value: str) -> str:
    return f"lei:{value}" if scheme.upper() == "XI-LEI" else f"{scheme.lower()}:{value}"


def _quote_party(record: Entity | Person) -> str:
    """A node's evidence: values of its statement as written (name, type, first identifier, PEP reasons)."""
    if isinstance(record, Person):
        details = [record.person_type] + (["isPep: " + "; ".join(record.pep_reasons)] if record.is_pep else [])
    else:
        details = [record.entity_type] + [f"{scheme} {value}" for scheme, value in record.identifiers[:1]]
    return f"{record.name or UNNAMED[record.person_type if isinstance(record, Person) else record.entity_type]} " \
           f"({', '.join(details)})"


def _quote_interest(interest: Interest) -> str:
    parts = [interest.quoted_direct, interest.share.quoted if interest.share else None,
             f"startDate {interest.start}" if interest.start else None, f"endDate {interest.end}" if interest.end else None]
    shown = ", ".join(p for p in parts if p)
    return f"{interest.quoted_type or 'interest'}" + (f" ({shown})" if shown else "")


def _joined(parts: list[str | None], sep: str = " ") -> str | None:
    return sep.join(p for p in parts if p) or None
