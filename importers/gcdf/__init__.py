"""AidData's Global Chinese Development Finance dataset (GCDF 2.0, its Huawei companion file, GCDF 3.0).

Each record becomes a Project (`aiddata-<record id>`) with its recipient country, the country's
national government (COMMISSIONED, GOVERNS) and the agencies the record names:

- funding agencies FINANCED the project, and co-financing agencies FINANCED it too: a record is one
  commitment, so where it names more than one lender their ties share the `commitment` key
  `aiddata-<record id>` and each carries the record's whole amount (AidData gives no lender's part),
  which the canned totals count once;
- guarantors, insurers and collateral providers (2.0: accountable agencies) FINANCED it with
  instrument `other` and key `guarantee`, the note saying what they did;
- receiving agencies COMMISSIONED it; implementing companies CONTRACTED_FOR it; an implementing
  agency that is not a company COMMISSIONED it, the note saying so (CONTRACTED_FOR starts at a Company).

AidData's "Recommended For ... Aggregates" flag (named for its file or tab: "Recommended For Aggregates",
"Recommended For Huawei Aggregates", ...) becomes the FINANCED property `recommendedForAggregates` (absent
when the file gives none, as 3.0 extracts may), which the canned totals honour, and is repeated in every
FINANCED note with the record's other flags and the name of the column it was read from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graph.records import Dataset, ImportFailed, NodeRecord, Origin, Problem, RelationshipRecord, relationship_id
from importers.context import clip_quote, display, validated
from importers.gcdf import vocabulary as vocab
from importers.gcdf.layouts import METADATA, SOURCES
from importers.gcdf.records import Party, Record, read_file
from importers.names import BANKS, government_id, known_bank, slug

SUFFIXES = (".csv", ".xlsx", ".xlsm")
ACCOUNTABLE_ROLES = {
    "accountable": "accountable agency (guarantees, insures or secures repayment), not a lender",
    "guarantor": "guarantor of repayment, not a lender",
    "insurer": "credit insurer, not a lender",
    "collateral provider": "collateral provider, not a lender",
}
COMMISSIONING_ROLES = {"receiver": "receiving agency", "indirect receiver": "indirect receiving agency (on-lending)",
                       "implementer": "implementing agency"}


def load(path: Path) -> Dataset:
    """Read one AidData file, or every .csv/.xlsx file in a folder; raise ImportFailed listing all problems."""
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES) if path.is_dir() else [path]
    if not files:
        raise ImportFailed([Problem(Origin(str(path)), "folder", "files", "holds no .csv or .xlsx file")])
    problems: list[Problem] = []
    records: list[Record] = []
    for file in files:
        read = read_file(file, display(file))
        problems += read.problems
        records += read.records
    dataset = Dataset()
    _Builder(dataset, records).build()
    return validated(dataset, METADATA, problems)


@dataclass
class _Agency:
    """One node for every spelling that shares an id, its label taken from the first mention."""

    id: str
    label: str
    props: dict
    quotes: list[tuple[str, str]] = field(default_factory=list)
    origin: Origin | None = None
    state_owned: set[bool] = field(default_factory=set)


@dataclass
class _Commissioner:
    """A party of one record that gets COMMISSIONED: the name it is given there and its AidData roles."""

    name: str
    roles: list[str] = field(default_factory=list)

    def note(self, record: Record) -> str:
        text = f"AidData {' and '.join(self.roles)} ({record.layout.name} record {record.record_id})"
        if self.roles == ["implementing agency"]:
            text += "; CONTRACTED_FOR starts only at a Company, so this implementer is recorded as COMMISSIONED"
        return text


class _Builder:
    def __init__(self, dataset: Dataset, records: list[Record]):
        self.dataset = dataset
        self.records = records
        self.agencies: dict[str, _Agency] = {}
        self.party_ids: dict[tuple[str, vocab.AgencyKind], str] = {}  # (AidData name, type) → node id

    def build(self) -> None:
        first_of_source: dict[str, Record] = {}
        for record in self.records:
            first_of_source.setdefault(record.layout.source, record)
        for record in first_of_source.values():
            self._node("Source", dict(SOURCES[record.layout.source]), record.origin)
        for record in self.records:
            for party in record.parties:
                self._register(party, record)
        for agency in self.agencies.values():
            self._add_agency_node(agency)
        for record in self.records:
            self._add_record(record)

    # --- agencies ----------------------------------------------------------------------------------
    def _register(self, party: Party, record: Record) -> None:
        known = self.party_ids.get((party.name, party.kind))
        if known is None:
            node_id, label, props = self._identify(party)
            self.party_ids[(party.name, party.kind)] = node_id
            agency = self.agencies.get(node_id)
            if agency is None:
                agency = self.agencies[node_id] = _Agency(node_id, label, props, origin=record.origin)
            else:
                agency.props["aliases"] = list(dict.fromkeys([*agency.props.get("aliases", []), *props["aliases"]]))
            if label == "Company" and agency.label == "Company" and party.kind.state_owned is not None:
                agency.state_owned.add(party.kind.state_owned)
        else:
            agency = self.agencies[known]
        quote = (record.layout.source, clip_quote(party.name))
        if quote not in agency.quotes:
            agency.quotes.append(quote)

    def _identify(self, party: Party) -> tuple[str, str, dict]:
        """(id, label, properties) of the node an AidData name and type stand for."""
        name, extras = vocab.split_name(party.name)
        # Bare acronyms (`BOC`, `ICE`) are too short to be safe aliases for entity matching; the full
        # spelling, which keeps them, is an alias.
        aliases = [a for a in dict.fromkeys([party.name, *(e for e in extras if not e.isupper())]) if a != name]
        bank_id = known_bank([name, *extras])
        if bank_id:
            canonical = BANKS[bank_id].name
            aliases = [a for a in dict.fromkeys([name, *aliases]) if a != canonical]
            return bank_id, "StateBank", {"name": canonical, "kind": "policy bank", "aliases": aliases}
        territory = vocab.government_country(name)
        if territory is not None:
            canonical = vocab.government_name(territory)
            aliases = [a for a in dict.fromkeys([name, party.name]) if a != canonical]
            return government_id(territory.name), "Government", {"name": canonical, "level": "national",
                                                                  "aliases": aliases}
        kind = vocab.kind_from_name(name) if party.kind.by_name else party.kind
        props: dict = {"name": name, "aliases": aliases}
        if kind.label == "Government":
            props["level"] = vocab.government_level(name)
        elif kind.label in ("StateBank", "Organization"):
            props["kind"] = kind.kind
        return slug(name), kind.label, props

    def _add_agency_node(self, agency: _Agency) -> None:
        props = dict(agency.props)
        if len(agency.state_owned) == 1:  # only where every mention that says agrees
            props["stateOwned"] = next(iter(agency.state_owned))
        if not props.get("aliases"):
            props.pop("aliases", None)
        sources, quotes = zip(*agency.quotes, strict=True)
        self._node(agency.label, {"id": agency.id, **props, "sources": list(sources), "evidence": list(quotes)},
                   agency.origin)

    def _agency(self, party: Party) -> _Agency:
        return self.agencies[self.party_ids[(party.name, party.kind)]]

    # --- one record -----------------------------------------------------------------------------------
    def _add_record(self, record: Record) -> None:
        source = record.layout.source
        project_id = f"aiddata-{record.record_id}"
        kind = vocab.project_kind(record.title, record.flow_type, record.sector, record.instrument)
        common = {"sources": [source], "confidence": "stated", "asOf": record.year,
                  "externalIds": [f"aiddata:{record.record_id}"]}
        self._node("Project", {
            "id": project_id, "name": record.title, "kind": kind, "status": record.status, "year": record.year,
            "value": record.amount, "currency": record.currency, "valueUsd": record.amount_usd,
            "description": _project_description(record),
            "externalIds": [f"aiddata:{record.record_id}"], "urls": record.urls or None,
            "sources": [source], "evidence": [clip_quote(record.title)],
        }, record.origin)
        national_id = self._add_country(record, project_id, common)
        self._add_finance(record, project_id, common)

        commissioners: dict[str, _Commissioner] = {}
        for party in record.parties:
            agency = self._agency(party)
            if party.role == "implementer" and agency.label == "Company":
                self._relationship("CONTRACTED_FOR", agency.id, project_id, {
                    **common, "role": "trainer" if kind == "training" else "prime contractor", "year": record.year,
                    "evidence": [clip_quote(party.name)],
                    "note": f"AidData implementing agency ({record.layout.name} record {record.record_id})",
                }, record.origin)
            elif party.role in COMMISSIONING_ROLES:
                commissioner = commissioners.setdefault(agency.id, _Commissioner(party.name))
                commissioner.roles = list(dict.fromkeys([*commissioner.roles, COMMISSIONING_ROLES[party.role]]))
        for agency_id, commissioner in commissioners.items():
            if agency_id != national_id:
                self._relationship("COMMISSIONED", agency_id, project_id, {
                    **common, "year": record.year, "evidence": [clip_quote(commissioner.name)],
                    "note": commissioner.note(record),
                }, record.origin)
        if national_id:
            named = commissioners.get(national_id)
            self._relationship("COMMISSIONED", national_id, project_id, {
                **common, "year": record.year, "confidence": "stated" if named else "inferred",
                "evidence": [clip_quote(named.name if named else record.recipient)],
                "note": named.note(record) if named else (
                    f"AidData's recipient country is {record.recipient}; the record does not name the government "
                    f"itself as receiving or implementing agency ({record.layout.name} record {record.record_id})"),
            }, record.origin)

    def _add_country(self, record: Record, project_id: str, common: dict) -> str | None:
        """The recipient country, its national government, and the project located in it."""
        territory = record.country
        if territory is None:
            return None
        source = record.layout.source
        code = territory.code.upper()
        quote = [clip_quote(record.recipient)]
        aliases = [record.recipient] if record.recipient != territory.name else None
        self._node("Country", {"id": code, "name": territory.name, "aliases": aliases,
                               "sources": [source], "evidence": quote}, record.origin)
        government = government_id(territory.name)
        self._node("Government", {"id": government, "name": vocab.government_name(territory), "level": "national",
                                  "sources": [source], "evidence": quote}, record.origin)
        self._relationship("GOVERNS", government, code, {"sources": [source], "evidence": quote,
                                                         "confidence": "stated", "asOf": record.year},
                           record.origin)
        self._relationship("LOCATED_IN", project_id, code, {**common, "evidence": quote}, record.origin)
        return government

    def _add_finance(self, record: Record, project_id: str, common: dict) -> None:
        funders = list(dict.fromkeys(self._agency(p).id for p in record.parties if p.role == "funder"))
        cofinanciers = list(dict.fromkeys(self._agency(p).id for p in record.parties
                                          if p.role == "co-financier" and self._agency(p).id not in funders))
        flags = _flags(record)
        # one record is one commitment: every lender's tie carries its whole amount, and the key says so
        commitment = {"commitment": project_id} if len(funders) + len(cofinanciers) > 1 else {}
        amounts = {"amount": record.amount, "currency": record.currency, "amountUsd": record.amount_usd}
        shared = ""
        if commitment and (record.amount is not None or record.amount_usd is not None):
            shared = (f"; the amount is the whole record's, one commitment of {len(funders) + len(cofinanciers)} "
                      f"lenders whose parts AidData does not give")
        finance = {**common, **amounts, **commitment, "year": record.year, "instrument": record.instrument,
                   "recommendedForAggregates": record.recommended}
        for funder in funders:
            self._relationship("FINANCED", funder, project_id, {
                **finance, "urls": record.urls or None, "evidence": [clip_quote(record.title)],
                "note": f"AidData funding agency; {_flags(record, amounts=True)}{shared}",
            }, record.origin)
        for party in record.parties:
            agency = self._agency(party)
            if party.role == "co-financier" and agency.id in cofinanciers:
                self._relationship("FINANCED", agency.id, project_id, {
                    **finance, "evidence": [clip_quote(party.name)],
                    "note": f"AidData co-financing agency; {_flags(record, amounts=True)}{shared}",
                }, record.origin)
            elif party.role in ACCOUNTABLE_ROLES:
                self._relationship("FINANCED", agency.id, project_id, {
                    **common, "year": record.year, "instrument": "other", "evidence": [clip_quote(party.name)],
                    "recommendedForAggregates": record.recommended,
                    "note": f"AidData {ACCOUNTABLE_ROLES[party.role]}; {flags}",
                }, record.origin, key="guarantee")

    # --- adding, each (source, quote) pair once ------------------------------------------------------
    def _node(self, label: str, props: dict, origin: Origin) -> None:
        existing = self.dataset.nodes.get(props["id"])
        self.dataset.add_node(label, _join_provenance(existing, props), origin)

    def _relationship(self, rel_type: str, start: str, end: str, props: dict, origin: Origin,
                      key: str | None = None) -> None:
        existing = self.dataset.relationships.get(relationship_id(start, rel_type, end, key))
        self.dataset.add_relationship(rel_type, start, end, _join_provenance(existing, props), origin, key=key)


def _join_provenance(existing: NodeRecord | RelationshipRecord | None, props: dict) -> dict:
    """Add the new (source, quote) pairs to an existing record here and return the other props for the
    Dataset to merge. Dataset's merge keeps `sources` when they are equal even if the quotes differ
    (one source, two rows), which would leave more quotes than sources; and a country met in many
    rows should keep each quote once."""
    if existing is None or "sources" not in props:
        return props
    pairs = list(zip(existing.props.get("sources", []), existing.props.get("evidence", []), strict=True))
    pairs += [pair for pair in zip(props["sources"], props["evidence"], strict=True) if pair not in pairs]
    existing.props["sources"], existing.props["evidence"] = [s for s, _ in pairs], [e for _, e in pairs]
    return {k: v for k, v in props.items() if k not in ("sources", "evidence")}


def _flags(record: Record, amounts: bool = False) -> str:
    """What a reader summing amounts must know about a record, in fixed words a query can match;
    `amounts` adds where the tie's amounts come from."""
    recommended = {True: "true", False: "false", None: "not given"}[record.recommended]
    if record.recommended_column:
        recommended += f" (AidData column {record.recommended_column!r})"
    parts = [f"recommendedForAggregates: {recommended}", f"{record.layout.name} record {record.record_id}",
             f"status {record.status_text!r}"]
    if record.flow_type:
        parts.append(f"flow type {record.flow_type!r}")
    if record.umbrella:
        parts.append("umbrella agreement")
    if record.year_estimated:
        parts.append("commitment year estimated by AidData")
    if amounts and (record.amount is not None or record.amount_usd is not None):
        parts.append(f"amounts from AidData's columns {record.amount_columns}")
        if record.amount_usd is not None:
            parts.append(f"amountUsd in {record.layout.amounts.usd_basis}")
    return "; ".join(parts)


def _amount_text(record: Record) -> str:
    parts = []
    if record.amount is not None:
        parts.append(f"{record.amount:,.2f} {record.currency}")
    if record.amount_usd is not None:
        parts.append(f"{record.amount_usd:,.2f} USD ({record.layout.amounts.usd_basis})")
    return " = ".join(parts)


def _project_description(record: Record) -> str:
    recommended = {True: "yes", False: "no", None: "not given"}[record.recommended]
    if record.recommended_column and record.recommended_column != record.layout.recommended_column:
        recommended += f" (column {record.recommended_column!r})"
    text = (f"{record.flow_type or 'Finance'} recorded in AidData's {record.layout.name} (record {record.record_id}, "
            f"status {record.status_text}); recommended for aggregates: {recommended}")
    if record.umbrella:
        text += "; an umbrella agreement"
    if record.amount_usd is not None:
        text += f"; valueUsd in {record.layout.amounts.usd_basis}"
    return text + "."

