"""Pairs of entities that cannot be one, whatever their names: never merged, never proposed for review.

Entity resolution calls `never_same` on every pair it would merge or propose, after an analyst's
decisions (an analyst's "same" stands even against these rules). Each rule gives its reason: labels
that cannot be one thing, two ids of a scheme that gives one per entity, different numbers in the
names, different places qualifying them, names placing them in different countries.
"""

from __future__ import annotations

import re

from importers.names import countries, is_place, split_qualifier

# Labels that can be one thing seen by two sources: AidData calls a state-owned lender a bank where
# another source calls it a company, and an agency an organisation or a government body.
CAN_BE_ONE = {frozenset(pair) for pair in [
    ("Company", "StateBank"), ("Company", "Organization"), ("Organization", "StateBank"),
    ("Organization", "Government"), ("Organization", "PartyCommittee"),
]}
# Schemes whose ids are one per entity: two different ids of one of them are two entities. FtM
# (`opensanctions:`) and BODS (`bods:`) ids are not: one entity has several, from several datasets or statements.
ONE_ID_SCHEMES = frozenset({"aiddata", "lei", "uscc", "wikidata"})
# Labels whose names place them in a country: the country in a person's or a project's name says nothing.
PLACED_LABELS = frozenset({"Government", "Organization", "StateBank", "PartyCommittee", "Company"})


def never_same(incoming_label: str, incoming: dict, candidate_label: str, candidate: dict) -> str | None:
    """Why an incoming entity and a candidate (labels and properties: `name`, `aliases`,
    `externalIds`) cannot be one, or None when they may be."""
    if incoming_label != candidate_label and frozenset((incoming_label, candidate_label)) not in CAN_BE_ONE:
        return f"a {incoming_label} is never a {candidate_label}"
    incoming_ids, candidate_ids = _ids(incoming), _ids(candidate)
    for scheme in sorted(ONE_ID_SCHEMES & incoming_ids.keys() & candidate_ids.keys()):
        if not incoming_ids[scheme] & candidate_ids[scheme]:
            return (f"different {scheme} ids: {', '.join(sorted(incoming_ids[scheme]))} and "
                    f"{', '.join(sorted(candidate_ids[scheme]))}")
    numbers = _numbers(incoming.get("name")), _numbers(candidate.get("name"))
    if all(numbers) and numbers[0] != numbers[1]:  # "14th Research Institute of CETC", "15th ..."; "Phase 1", "Phase 2"
        return f"different numbers in the names: {', '.join(sorted(numbers[0]))} and {', '.join(sorted(numbers[1]))}"
    places = _place(incoming.get("name")), _place(candidate.get("name"))
    if all(places) and places[0] != places[1]:  # "SMIC (Beijing)", "SMIC (Tianjin)"; "(Ecuador)", "(Colombia)"
        return f"qualified by different places: {places[0]} and {places[1]}"
    if incoming_label in PLACED_LABELS and candidate_label in PLACED_LABELS:
        here, there = _countries(incoming), _countries(candidate)
        if here and there and not here & there:
            return f"named in different countries: {', '.join(sorted(here))} and {', '.join(sorted(there))}"
    return None


def _numbers(name: str | None) -> set[str]:
    return {number.lstrip("0") or "0" for number in re.findall(r"\d+", name or "")}


def _place(name: str | None) -> str | None:
    qualifier = split_qualifier(name or "")[1]
    return qualifier.casefold() if qualifier and is_place(qualifier) else None


def _ids(props: dict) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for external in props.get("externalIds") or []:
        scheme, _, value = external.partition(":")
        ids.setdefault(scheme.lower(), set()).add(value)
    return ids


def _countries(props: dict) -> set[str]:
    """The countries the name places an entity in, else those of its aliases (`Government of Myanmar`,
    alias `Government of Myanmar (Burma)`)."""
    found = countries(props.get("name") or "")
    return found or {code for alias in props.get("aliases") or [] for code in countries(alias)}
