"""From FollowTheMoney entities to the graph's nodes and relationships.

Node schemata: Person → Person; Company → Company; Organization and LegalEntity → Organization;
PublicBody, and any organisation carrying a government topic (`gov.*` but `gov.soe`, `gov.igo`) →
Government; Project → Project. The two Chinese policy banks, under their obvious spellings, become
the seed's StateBank nodes `china-exim-bank` and `china-development-bank`.

Interest schemata become ties from the party that owns, directs, belongs, works, lends or takes
part: Ownership → OWNS, Directorship and Employment → HOLDS_POSITION, Membership → HOLDS_POSITION
for a person or PARTNERED_WITH {kind: other} for an organisation, Debt → FINANCED (creditor →
debtor), ProjectParticipant → CONTRACTED_FOR. Sanction entities are folded into their target's
`sanctions` list and `sanction` topic. `country` and `jurisdiction` of organisations and projects
give LOCATED_IN ties to Country nodes (ISO 3166-1 codes only); a person gets `nationality` instead.
Everything else (Address, Family, Passport, Associate, ...) and every tie the graph schema cannot
hold (a company as director, a person as creditor) is left out and counted in `FtmDataset.skipped`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import product
from typing import Any

from followthemoney import ValueEntity, registry
from rigour.territories import get_territory
from rigour.text.scripts import is_latin

from graph.records import Dataset, Origin, Problem
from importers.context import clip_quote
from importers.ftm.reader import Record
from importers.names import BANKS, government_id, known_bank, slug

ID_SCHEME = "opensanctions"
CONFIDENCE = "stated"  # a dataset record states its facts
NAME_PROPS = ("name", "alias", "previousName")  # weakAlias and abbreviation are too ambiguous to match on
LOCATION_PROPS = ("jurisdiction", "country")
EXTERNAL_ID_PROPS = {"leiCode": "lei", "wikidataId": "wikidata", "uscCode": "uscc", "innCode": "inn",
                     "ogrnCode": "ogrn", "permId": "permid"}
GOVERNMENT_TOPICS = {"gov", "gov.national", "gov.state", "gov.muni", "gov.executive", "gov.legislative",
                     "gov.judicial", "gov.security", "gov.financial", "gov.admin"}
LEVEL_BY_TOPIC = {"gov.muni": "municipal", "gov.state": "regional"}
NATIONAL_GOVERNMENT = re.compile(r"^(the )?government of ", re.IGNORECASE)


@dataclass(frozen=True)
class TieSpec:
    """How one FtM interest schema becomes a tie: its two ends and the properties quoted as evidence."""

    start: str
    end: str
    quoted: tuple[str, ...]
    default_title: str = ""


TIES = {
    "Ownership": TieSpec("owner", "asset", ("owner", "asset", "percentage", "role", "startDate", "endDate")),
    "Directorship": TieSpec("director", "organization", ("director", "organization", "role", "startDate", "endDate"),
                            "director"),
    "Membership": TieSpec("member", "organization", ("member", "organization", "role", "startDate", "endDate"),
                          "member"),
    "Employment": TieSpec("employee", "employer", ("employee", "employer", "role", "startDate", "endDate"), "employee"),
    "Debt": TieSpec("creditor", "debtor", ("creditor", "debtor", "amount", "currency", "date")),
    "ProjectParticipant": TieSpec("participant", "project", ("participant", "project", "role", "startDate")),
}
FOLDED = {*TIES, "Sanction"}  # schemata that become ties or sanctions lists rather than nodes
# CONTRACTED_FOR roles, found by a word in FtM's free-text role; anything else is a `partner` (a company)
# or an `implementing agency` (a state body or other organisation). A client's role makes COMMISSIONED.
BUYER_WORDS = ("client", "buyer", "customer", "purchaser", "employer")
CONTRACT_ROLES = (("subcontract", "subcontractor"), ("contract", "prime contractor"), ("suppl", "equipment supplier"),
                  ("operat", "operator"), ("bid", "bidder"), ("tender", "bidder"), ("train", "trainer"))


# What the import leaves out is counted by reason in `Dataset.skipped` (`Family`, `Directorship
# (director is a Company)`, ...), for the CLI to print after the summary.
FtmDataset = Dataset


@dataclass
class _Tie:
    rel_type: str
    start: str
    end: str
    props: dict[str, Any]
    origin: Origin
    ftm_id: str


class Mapper:
    """Turns the records of one file into nodes and ties of `dataset`, stamped with `source_id`."""

    def __init__(self, records: list[Record], rejected: set[str], dataset: FtmDataset, source_id: str,
                 source_year: int | None):
        self.records = {r.entity.id: r for r in records}
        self.rejected = rejected  # ids on lines already reported as unreadable
        self.dataset = dataset
        self.schema = dataset.schema
        self.source_id = source_id
        self.source_year = source_year
        self.problems: list[Problem] = []
        self.labels: dict[str, str] = {}  # FtM id → label, for the entities that become nodes
        self.names: dict[str, str] = {}   # FtM id → node name
        self.node_ids: dict[str, str] = {}
        self.banks: dict[str, str] = {}  # FtM id → seed id, for the two policy banks

    def run(self) -> list[Problem]:
        for record in self.records.values():
            label = self._label(record.entity)
            if label is None:
                continue
            name = _display_name(record)
            if name is None:
                self.problems.append(Problem(record.origin, record.item, "name", "is required for a node"))
                continue
            self.labels[record.entity.id], self.names[record.entity.id] = label, name
        self._assign_ids()
        sanctions = self._sanctions()
        for ftm_id, label in self.labels.items():
            self._add_node(self.records[ftm_id], label, sanctions.get(ftm_id, []))
        ties = [tie for record in self.records.values() for tie in self._ties(record)]
        pairs = Counter((t.rel_type, t.start, t.end) for t in ties)
        for tie in ties:
            key = tie.ftm_id if pairs[(tie.rel_type, tie.start, tie.end)] > 1 else None
            self.dataset.add_relationship(tie.rel_type, tie.start, tie.end, tie.props, tie.origin, key=key)
        for record in self.records.values():
            if record.entity.id not in self.labels and record.entity.schema.name not in FOLDED:
                self.dataset.skipped[record.entity.schema.name] += 1
        return self.problems

    # --- nodes ------------------------------------------------------------------------------------
    def _label(self, entity: ValueEntity) -> str | None:
        schema = entity.schema
        topics = set(entity.get("topics", quiet=True))
        if bank := _seed_bank(entity):
            self.banks[entity.id] = bank
            return "StateBank"
        if schema.is_a("Person"):
            return "Person"
        if schema.is_a("Project"):
            return "Project"
        if not schema.is_a("LegalEntity"):
            return None
        if schema.is_a("PublicBody") or (topics & GOVERNMENT_TOPICS and "gov.soe" not in topics):
            return "Government"
        return "Company" if schema.is_a("Company") else "Organization"

    def _assign_ids(self) -> None:
        """slug(name), or a seed id; where two entities of the file share a slug, each gets a suffix from its FtM id."""
        base = {ftm_id: self._base_id(self.records[ftm_id], label) for ftm_id, label in self.labels.items()}
        shared = Counter(node_id for node_id in base.values() if node_id not in BANKS)
        taken = set(base.values())
        for ftm_id, node_id in base.items():
            if shared[node_id] > 1:
                suffix = re.sub(r"[^a-z0-9]", "", slug(ftm_id))[-6:]
                node_id = f"{node_id}-{suffix}" if f"{node_id}-{suffix}" not in taken else f"{node_id}-{slug(ftm_id)}"
                taken.add(node_id)
            self.node_ids[ftm_id] = node_id

    def _base_id(self, record: Record, label: str) -> str:
        entity = record.entity
        if label == "StateBank":
            return self.banks[entity.id]
        name = self.names[entity.id]
        if label == "Government" and NATIONAL_GOVERNMENT.match(name):
            countries = _iso_countries(entity, LOCATION_PROPS)
            if len(countries) == 1:
                return government_id(get_territory(countries[0].lower()).name)
        return slug(name) or slug(entity.id)

    def _add_node(self, record: Record, label: str, sanctions: list[str]) -> None:
        entity = record.entity
        name = self.names[entity.id]
        names = [n for prop in NAME_PROPS for n in entity.get(prop)]
        topics = list(entity.get("topics", quiet=True))
        if sanctions and "sanction" not in topics:
            topics.append("sanction")
        props = {
            "id": self.node_ids[entity.id],
            "name": name,
            "aliases": _unique(n for n in names if n != name) or None,
            "externalIds": [f"{ID_SCHEME}:{entity.id}"]
            + [f"{scheme}:{value}" for prop, scheme in EXTERNAL_ID_PROPS.items() for value in entity.get(prop, quiet=True)],
            "topics": topics or None,
            "sanctions": _unique(sanctions) or None,
            "urls": list(entity.get("sourceUrl")) or None,
            "sources": [self.source_id],
            "evidence": [clip_quote(f"{entity.schema.name}: {record.caption or name}")],
            **self._label_props(entity, label),
        }
        if label == "StateBank":  # keep the seed's name, so the two imports do not overwrite each other
            props["name"] = BANKS[props["id"]].name
            props["aliases"] = _unique(n for n in [name, *names] if n != props["name"]) or None
        self.dataset.add_node(label, props, record.origin)
        if label in self.schema.relationships["LOCATED_IN"].from_labels:
            self._locate(record, props["id"], name)

    def _label_props(self, entity: ValueEntity, label: str) -> dict[str, Any]:
        topics = set(entity.get("topics", quiet=True))
        if label == "Person":
            nationality = _iso_countries(entity, ("nationality",)) or _iso_countries(entity, ("citizenship",))
            return {"nationality": nationality[0] if len(nationality) == 1 else None}
        if label == "Company":
            founded = [_year(d) for d in entity.get("incorporationDate")]
            return {"stateOwned": True if "gov.soe" in topics else None,
                    "founded": self._in_range(min(founded), "Company", "founded") if founded else None}
        if label == "Government":
            return {"level": self._government_level(entity, topics)}
        if label == "Organization":
            return {"kind": "international body" if "gov.igo" in topics else None}
        if label == "StateBank":
            return {"kind": BANKS[self.banks[entity.id]].kind}
        if label == "Project":
            return self._project_props(entity)
        return {}

    def _government_level(self, entity: ValueEntity, topics: set[str]) -> str:
        name = self.names[entity.id]
        if NATIONAL_GOVERNMENT.match(name):
            return "national"
        for topic, level in LEVEL_BY_TOPIC.items():
            if topic in topics:
                return level
        return "ministry" if re.search(r"\bministry\b", name, re.IGNORECASE) else "agency"

    def _project_props(self, entity: ValueEntity) -> dict[str, Any]:
        status = (entity.first("status") or "").lower()
        dates = entity.get("startDate") or entity.get("date")
        return {
            "kind": "other",
            "status": status if status in self.schema.nodes["Project"].properties["status"].enum else None,
            "year": self._in_range(_year(dates[0]), "Project", "year") if dates else None,
            "value": self._number(entity, "amount"),
            "currency": self._currency(entity),
            "valueUsd": self._number(entity, "amountUsd"),
        }

    def _locate(self, record: Record, node_id: str, name: str) -> None:
        entity = record.entity
        for code in _iso_countries(entity, LOCATION_PROPS):
            named_by = [prop for prop in LOCATION_PROPS if code.lower() in entity.get(prop, quiet=True)]
            quote = clip_quote(f"{entity.schema.name}: {name}; " + "; ".join(f"{prop} {code.lower()}" for prop in named_by))
            if code not in self.dataset.nodes:
                country = {"id": code, "name": get_territory(code.lower()).name, "sources": [self.source_id],
                           "evidence": [quote]}
                self.dataset.add_node("Country", country, record.origin)
            self.dataset.add_relationship("LOCATED_IN", node_id, code, {
                "sources": [self.source_id], "evidence": [quote], "confidence": CONFIDENCE,
                "asOf": self._record_year(entity),
            }, record.origin)
        for prop in LOCATION_PROPS:
            for code in entity.get(prop, quiet=True):
                if not _is_iso_country(code):
                    self.dataset.skipped[f"{prop} {code!r} (not an ISO 3166-1 country)"] += 1

    # --- sanctions --------------------------------------------------------------------------------
    def _sanctions(self) -> dict[str, list[str]]:
        """FtM id → the lists it is on, in the words of each Sanction entity of the file."""
        found: dict[str, list[str]] = defaultdict(list)
        for record in self.records.values():
            entity = record.entity
            if entity.schema.name != "Sanction":
                continue
            targets = self._ends(record, "entity")
            for target in targets:
                if target not in self.labels:
                    self.dataset.skipped[f"Sanction (on a {self.records[target].entity.schema.name})"] += 1
                else:
                    found[target] += _sanction_entries(entity)
        return found

    # --- ties -------------------------------------------------------------------------------------
    def _ends(self, record: Record, prop: str) -> list[str]:
        """The FtM ids `prop` names, each checked to be in the file."""
        values = record.entity.get(prop)
        if not values:
            self.problems.append(Problem(record.origin, record.item, prop, "is required"))
        missing = [v for v in values if v not in self.records]
        for value in (v for v in missing if v not in self.rejected):
            self.problems.append(Problem(record.origin, record.item, prop, f"names entity {value!r}, which is not in the file"))
        return [v for v in values if v not in missing]

    def _ties(self, record: Record) -> list[_Tie]:
        entity = record.entity
        spec = TIES.get(entity.schema.name)
        if spec is None:
            return []
        starts, ends = self._ends(record, spec.start), self._ends(record, spec.end)
        ties = []
        props_by_type: dict[str, dict[str, Any]] = {}  # worked out once, however many pairs the record joins
        for start, end in product(starts, ends):
            start_label, end_label = self.labels.get(start), self.labels.get(end)
            rel_type = self._rel_type(entity.schema.name, start_label, list(entity.get("role", quiet=True)))
            allowed = self.schema.relationships[rel_type]
            reason = next((f"{prop} is a {label or self.records[ftm_id].entity.schema.name}"
                           for prop, ftm_id, label, labels in ((spec.start, start, start_label, allowed.from_labels),
                                                               (spec.end, end, end_label, allowed.to_labels))
                           if label not in labels), None)
            if reason:
                self.dataset.skipped[f"{entity.schema.name} ({reason})"] += 1
                continue
            if rel_type not in props_by_type:
                props_by_type[rel_type] = {
                    "sources": [self.source_id],
                    "evidence": [self._tieclip_quote(entity, spec.quoted)],
                    "confidence": CONFIDENCE,
                    "externalIds": [f"{ID_SCHEME}:{entity.id}"],
                    "urls": list(entity.get("sourceUrl")) or None,
                    **self._tie_props(record, rel_type),
                }
            ties.append(_Tie(rel_type, self.node_ids[start], self.node_ids[end], props_by_type[rel_type], record.origin,
                             entity.id))
        return ties

    @staticmethod
    def _rel_type(schema_name: str, start_label: str | None, roles: list[str]) -> str:
        if schema_name == "Membership":
            return "HOLDS_POSITION" if start_label == "Person" else "PARTNERED_WITH"
        if schema_name == "ProjectParticipant" and any(w in r.lower() for r in roles for w in BUYER_WORDS):
            return "COMMISSIONED"  # the client of a project is its buyer, not a contractor
        return {"Ownership": "OWNS", "Directorship": "HOLDS_POSITION", "Employment": "HOLDS_POSITION",
                "Debt": "FINANCED", "ProjectParticipant": "CONTRACTED_FOR"}[schema_name]

    def _tie_props(self, record: Record, rel_type: str) -> dict[str, Any]:
        entity = record.entity
        notes: list[str] = []
        start, end = entity.first("startDate"), entity.first("endDate")
        end_year = _year(end) if end else None
        props: dict[str, Any] = {"asOf": min(filter(None, [self._record_year(entity), end_year]), default=None)}
        roles = list(entity.get("role", quiet=True))
        if rel_type == "OWNS":
            props |= self._ownership(record, notes)
            props["validFrom"] = self._in_range(_year(start), rel_type, "validFrom", notes) if start else None
            props["validTo"] = self._in_range(end_year, rel_type, "validTo", notes) if end else None
        elif rel_type == "HOLDS_POSITION":
            props["title"] = "; ".join(roles) or TIES[entity.schema.name].default_title
            if not roles:
                notes.append("no role given; title from the FtM schema")
            props["since"] = self._in_range(_year(start), rel_type, "since", notes) if start else None
            props["until"] = self._in_range(end_year, rel_type, "until", notes) if end else None
        elif rel_type == "PARTNERED_WITH":
            props["kind"] = "other"
            notes.append("membership" + (f" as {'; '.join(roles)}" if roles else ""))
            props["year"] = self._in_range(_year(start), rel_type, "year", notes) if start else None
        elif rel_type == "FINANCED":
            date = entity.first("date") or start
            props |= {"amount": self._number(entity, "amount"), "currency": self._currency(entity),
                      "amountUsd": self._number(entity, "amountUsd"),
                      "year": self._in_range(_year(date), rel_type, "year", notes) if date else None}
        elif rel_type == "COMMISSIONED":
            notes.append(f"role {'; '.join(roles)!r}")
            date = start or entity.first("date")
            props["year"] = self._in_range(_year(date), rel_type, "year", notes) if date else None
        elif rel_type == "CONTRACTED_FOR":
            role_text = "; ".join(roles)
            fallback = "partner" if self.labels.get(entity.first("participant")) == "Company" else "implementing agency"
            props["role"] = next((role for word, role in CONTRACT_ROLES if word in role_text.lower()), fallback)
            notes.append(f"role {role_text!r}" if roles else "no role given")
            date = start or entity.first("date")
            props["year"] = self._in_range(_year(date), rel_type, "year", notes) if date else None
        props["note"] = "; ".join(notes) or None
        return props

    def _ownership(self, record: Record, notes: list[str]) -> dict[str, Any]:
        """share from `percentage` (current stakes only); controlling above 50 %, not below; a `subsidiary` role
        is controlling."""
        entity = record.entity
        raw = entity.first("percentage")
        if raw is None:
            interests = [*entity.get("role"), *entity.get("ownershipType")]
            subsidiary = next((r for r in interests if "subsidiar" in r.lower()), None)
            if subsidiary:
                notes.append(f"controlling from role {subsidiary!r}")
                return {"controlling": True}
            return {}
        number, unit = registry.number.parse(raw)
        if number is None or unit not in (None, "%") or not 0 <= float(number) <= 100:
            self.problems.append(Problem(record.origin, record.item, "percentage",
                                         f"value {raw!r} is not a percentage between 0 and 100"))
            return {}
        percentage = float(number)
        controlling = None if percentage == 50 else percentage > 50
        if entity.has("endDate"):
            # core's check adds up every stake in an asset, ended or not; an ended stake keeps its size in the note
            notes.append(f"percentage {raw} (share left out: the stake has ended)")
            return {"controlling": controlling}
        return {"share": round(percentage / 100, 6), "controlling": controlling}

    # --- values -----------------------------------------------------------------------------------
    def _record_year(self, entity: ValueEntity) -> int | None:
        """The year a record speaks of: when OpenSanctions last saw it change, else the dataset's date."""
        stamp = entity.last_change or entity.first_seen or entity.last_seen
        return _year(stamp) if stamp else self.source_year

    def _in_range(self, year: int, owner: str, prop: str, notes: list[str] | None = None) -> int | None:
        """`year`, or None (and a note) where it lies outside the range the graph schema allows for `prop`."""
        spec = self.schema.nodes[owner] if owner in self.schema.nodes else self.schema.relationships[owner]
        rule = spec.properties[prop]
        if (rule.min is not None and year < rule.min) or (rule.max is not None and year > rule.max):
            if notes is not None:
                notes.append(f"{prop} {year} left out: outside {rule.min:g}-{rule.max:g}")
            return None
        return year

    def _number(self, entity: ValueEntity, prop: str) -> float | None:
        raw = entity.first(prop)
        if raw is None:
            return None
        number, unit = registry.number.parse(raw)
        if number is None or unit is not None or float(number) < 0:
            record = self.records[entity.id]
            self.problems.append(Problem(record.origin, record.item, prop,
                                         f"value {raw!r} is not a plain amount (the currency goes in 'currency')"))
            return None
        return float(number)

    def _currency(self, entity: ValueEntity) -> str | None:
        raw = entity.first("currency")
        if raw is None:
            return None
        if not re.fullmatch(r"[A-Za-z]{3}", raw.strip()):
            record = self.records[entity.id]
            self.problems.append(Problem(record.origin, record.item, "currency", f"value {raw!r} is not an ISO 4217 code"))
            return None
        return raw.strip().upper()

    def _tieclip_quote(self, entity: ValueEntity, quoted: tuple[str, ...]) -> str:
        parts = []
        for prop in quoted:
            is_entity = entity.schema.properties[prop].type == registry.entity
            for value in entity.get(prop):
                shown = self.names.get(value) or (self.records[value].caption if value in self.records else None) or value
                parts.append(f"{prop} {shown if is_entity else value}")
        return clip_quote(f"{entity.schema.name}: " + "; ".join(parts))


# --- helpers ------------------------------------------------------------------------------------------
def _display_name(record: Record) -> str | None:
    """OpenSanctions' caption; where it is not in Latin script, FtM's pick among the names if that is."""
    entity = record.entity
    if not entity.get("name"):
        return None
    candidates = [c for c in (record.caption, entity.caption) if c]
    return next((c for c in candidates if is_latin(c)), candidates[0])


def _seed_bank(entity: ValueEntity) -> str | None:
    if not entity.schema.is_a("Organization"):
        return None
    return known_bank([n for prop in NAME_PROPS for n in entity.get(prop)])


def _is_iso_country(code: str) -> bool:
    if len(code) != 2:
        return False
    territory = get_territory(code)
    return territory is not None and territory.alpha3 is not None


def _iso_countries(entity: ValueEntity, props: tuple[str, ...]) -> list[str]:
    """Upper-case ISO 3166-1 alpha-2 codes the properties name (FtM also uses `eu`, `suhh`, `ge-ab`, ...)."""
    return _unique(code.upper() for prop in props for code in entity.get(prop, quiet=True) if _is_iso_country(code))


def _sanction_entries(entity: ValueEntity) -> list[str]:
    """`Authority (CC): program` per program, or the authority alone; authorities the program repeats are dropped."""
    programs = list(entity.get("program"))
    authorities = [a for a in entity.get("authority") if not any(a in p for p in programs)]
    countries = "/".join(c.upper() for c in entity.get("country"))
    issuer = ", ".join(authorities) + (f" ({countries})" if authorities and countries else "")
    if not programs:
        return [issuer] if issuer else []
    return [f"{issuer}: {p}" if issuer else (f"{p} ({countries})" if countries else p) for p in programs]


def _year(date: str) -> int:
    return int(date[:4])  # FtM dates are ISO 8601 prefixes once the library has cleaned them


def _unique(values) -> list:
    return list(dict.fromkeys(values))
