"""Designations (DESIGNATED), exclusions (EXCLUDED) and payments (TRANSFERRED): the schema, their canned
queries on a small hand-made graph (expected rows worked out by hand below), the 1260H and FCC mappings,
and the facts the second reading added to the seed dataset, found in their documents."""

from __future__ import annotations

import pytest

import cypher
from graph.records import Dataset, Origin
from graph.schema import load_schema
from graph.writer import write_dataset
from importers import seed, tabular
from tests.helpers import DATABASE, SEEDS, require_shared
from tests.test_import_tabular import DOD_EXTRACT, FCC_LIST, HIKVISION, OPENSANCTIONS

SCHEMA = load_schema()


# --- the schema ---------------------------------------------------------------------------------------
def test_new_types_and_what_they_refuse():
    assert {"DESIGNATED", "EXCLUDED", "TRANSFERRED"} <= set(SCHEMA.relationships)
    base = {"id": "a|T|b", "sources": ["s"], "evidence": ["q"], "confidence": "stated", "asOf": 2020}
    assert SCHEMA.relationship_problems("DESIGNATED", {**base, "measure": "list"}, "Government", "Company") == [
        ("programme", "is required")]
    assert SCHEMA.relationship_problems("DESIGNATED", {**base, "programme": "P", "measure": "list"},
                                        "Company", "Company") == [
        ("from", "a Company cannot start DESIGNATED (allowed: Government, Organization)")]
    problems = SCHEMA.relationship_problems("EXCLUDED", {**base, "measure": "maybe", "scope": "5G"}, "Government",
                                            "Project")
    assert [field for field, _ in problems] == ["measure", "to"]
    # a transfer is not a loan: TRANSFERRED has no `instrument`, and FINANCED's instruments have no transfer
    assert SCHEMA.relationship_problems("TRANSFERRED", {**base, "kind": "transfer", "instrument": "loan"},
                                        "StateBank", "StateBank") == [
        ("instrument", "is not a property this schema allows here")]
    assert "transfer" not in SCHEMA.relationships["FINANCED"].properties["instrument"].enum
    # the relationship full-text index over `sources` covers the new types (facts-from-source finds them)
    index = next(i for i in SCHEMA.fulltext_indexes() if i.name == "relationship_sources")
    assert {"DESIGNATED", "EXCLUDED", "TRANSFERRED"} <= set(index.labels_or_types)
    assert all(SCHEMA.relationships[t].style.get("color") for t in ("DESIGNATED", "EXCLUDED", "TRANSFERRED"))


# --- a small hand-made graph --------------------------------------------------------------------------
def hand_made() -> Dataset:
    """Government of A (governs AA) with its Trade Agency; Government of B (governs BB); vendors X and Y;
    banks P and Q; country C; a refused 5G project in AA (bidder X) and one that went ahead (Y)."""
    dataset = Dataset()
    origin = Origin("hand-made")
    dataset.add_node("Source", {"id": "s1", "name": "s1", "title": "s1", "publisher": "p", "date": "2021"}, origin)
    prov = {"sources": ["s1"], "evidence": ["q"]}

    def node(label, node_id, name, **props):
        dataset.add_node(label, {"id": node_id, "name": name, **prov, **props}, origin)

    def tie(rel_type, start, end, key=None, **props):
        dataset.add_relationship(rel_type, start, end, {**prov, "confidence": "stated", "asOf": 2021, **props},
                                 origin, key=key)

    node("Country", "AA", "Country A")
    node("Country", "BB", "Country B")
    node("Country", "CC", "Country C")
    node("Government", "gov-a", "Government of A", level="national")
    node("Government", "agency-a", "A Trade Agency", level="agency")
    node("Government", "gov-b", "Government of B", level="national")
    node("Company", "vendor-x", "Vendor X")
    node("Company", "vendor-y", "Vendor Y")
    node("StateBank", "bank-p", "Bank P", kind="policy bank")
    node("StateBank", "bank-q", "Bank Q", kind="state-owned commercial bank")
    node("Project", "net-1", "A 5G network", kind="5G", status="rejected", note="project note")
    node("Project", "net-2", "A 5G network, second try", kind="5G", status="implemented")
    tie("GOVERNS", "gov-a", "AA")
    tie("GOVERNS", "gov-b", "BB")
    tie("PART_OF", "agency-a", "gov-a")
    tie("LOCATED_IN", "net-1", "AA")
    tie("LOCATED_IN", "net-2", "AA")
    tie("COMMISSIONED", "gov-a", "net-1", status="rejected", year=2019, note="refusal note")
    tie("CONTRACTED_FOR", "vendor-x", "net-1", role="bidder")
    tie("CONTRACTED_FOR", "vendor-y", "net-2", role="prime contractor")
    tie("FINANCED", "bank-p", "net-1", instrument="loan", amountUsd=100_000_000.0, year=2018)
    # designations
    tie("DESIGNATED", "agency-a", "vendor-x", key="2019", programme="Trade List", measure="list", year=2019)
    tie("DESIGNATED", "agency-a", "vendor-x", key="2021", programme="Trade List", measure="list", year=2021,
        validTo=2023)
    tie("DESIGNATED", "gov-a", "CC", programme="Investment Order", measure="ban", year=2021, entityCount=12,
        note="names none of the 12 companies")
    tie("DESIGNATED", "gov-a", "vendor-y", programme="Sanctions Programme", measure="sanction", asOf=2020,
        note="no year given")
    # exclusions
    tie("EXCLUDED", "gov-a", "vendor-x", measure="removal", scope="vendor X radios", year=2020, deadline=2025,
        note="exclusion note")
    tie("EXCLUDED", "agency-a", "CC", measure="review", scope="equipment made in C", year=2022)
    tie("EXCLUDED", "gov-b", "vendor-y", measure="ban", scope="5G core")
    # payments
    tie("TRANSFERRED", "bank-p", "bank-q", kind="transfer", amount=5_000_000.0, currency="USD",
        amountUsd=5_000_000.0, year=2018, note="between the banks' accounts")
    tie("TRANSFERRED", "vendor-x", "gov-a", kind="fee", amountUsd=1_000_000.0, year=2020, purpose="licence")
    assert dataset.problems() == []
    return dataset


@pytest.fixture
def hand_made_db(clean_db):
    write_dataset(clean_db, DATABASE, hand_made())
    return clean_db


def rows(db, name, **params):
    return cypher.records(db, name, params, DATABASE)


def test_designations_on_the_hand_made_graph(hand_made_db):
    every = rows(hand_made_db, "designations")
    # four DESIGNATED ties, one row each, by entity name, then year (asOf where no year), designator, programme:
    # Country C 2021; Vendor X 2019 and 2021 (ended 2023); Vendor Y without a year (asOf 2020)
    assert [(r["entity"], r["designator"], r["programme"], r["measure"], r["year"], r["endYear"], r["entityCount"])
            for r in every] == [
        ("Country C", "Government of A", "Investment Order", "ban", 2021, None, 12),
        ("Vendor X", "A Trade Agency", "Trade List", "list", 2019, None, None),
        ("Vendor X", "A Trade Agency", "Trade List", "list", 2021, 2023, None),
        ("Vendor Y", "Government of A", "Sanctions Programme", "sanction", None, None, None),
    ]
    assert every[0]["note"] == "names none of the 12 companies" and every[3]["note"] == "no year given"
    assert every[0]["evidence"] == ["s1: q"] and every[0]["entityLabel"] == "Country"
    assert every[0]["hops"][0]["type"] == "DESIGNATED" and every[0]["hops"][0]["from"] == "gov-a"
    # filters: Vendor X's two editions; Government of A's two; "trade" matches "Trade List" only
    assert [r["year"] for r in rows(hand_made_db, "designations", entity="vendor-x")] == [2019, 2021]
    assert [r["entityId"] for r in rows(hand_made_db, "designations", designator="gov-a")] == ["CC", "vendor-y"]
    assert len(rows(hand_made_db, "designations", programme="trade")) == 2
    assert rows(hand_made_db, "designations", entity="bank-p") == []


def test_walked_away_shows_exclusions_beside_refused_projects(hand_made_db):
    every = rows(hand_made_db, "walked-away")
    # by year, newest first (no year last): 2022 review by the agency, 2020 removal, 2019 refused project,
    # then B's ban without a year
    assert [(r["kind"], r["project"], r["status"], r["year"], r["buyer"]) for r in every] == [
        ("exclusion", "equipment made in C", "review", 2022, "A Trade Agency"),
        ("exclusion", "vendor X radios", "removal", 2020, "Government of A"),
        ("project", "A 5G network", "rejected", 2019, "Government of A"),
        ("exclusion", "5G core", "ban", None, "Government of B"),
    ]
    review, removal, project, ban = every
    assert review["countries"] == ["AA"], "the agency's country through the government it is part of"
    assert review["vendors"] == ["Country C (every vendor from or product made there)"]
    assert removal["vendors"] == ["Vendor X (excluded)"] and removal["note"] == "exclusion note"
    assert removal["projectNote"] is None and removal["hops"][0]["properties"]["deadline"] == 2025
    assert project["vendors"] == ["Vendor X (bidder)"] and project["instead"] == ["A 5G network, second try (Vendor Y)"]
    assert (project["note"], project["projectNote"]) == ("refusal note", "project note")
    assert ban["countries"] == ["BB"]
    # country AA: the agency's review, A's removal and the project; vendor X: its removal and the project
    assert [r["status"] for r in rows(hand_made_db, "walked-away", country="AA")] == ["review", "removal", "rejected"]
    assert [r["status"] for r in rows(hand_made_db, "walked-away", vendor="vendor-x")] == ["removal", "rejected"]
    assert [r["status"] for r in rows(hand_made_db, "walked-away", country="BB", vendor="vendor-y")] == ["ban"]


def test_payments_and_a_bank_transfer_is_not_a_loan(hand_made_db):
    every = rows(hand_made_db, "payments")
    assert [(r["payerId"], r["payeeId"], r["kind"], r["amountUsd"], r["year"], r["purpose"]) for r in every] == [
        ("bank-p", "bank-q", "transfer", 5_000_000.0, 2018, None),
        ("vendor-x", "gov-a", "fee", 1_000_000.0, 2020, "licence"),
    ]
    assert every[0]["note"] == "between the banks' accounts" and every[0]["currency"] == "USD"
    assert [r["payerId"] for r in rows(hand_made_db, "payments", party="bank-q")] == ["bank-p"]
    assert [r["year"] for r in rows(hand_made_db, "payments", fromYear=2019)] == [2020]
    assert [r["year"] for r in rows(hand_made_db, "payments", toYear=2019)] == [2018]
    # Bank P lent USD 100m (FINANCED) for net-1 and transferred USD 5m to Bank Q (TRANSFERRED). net-1 was
    # rejected, so the counting policy leaves the loan out by default and no lender is listed; counting what
    # did not happen, Bank P's total is 100,000,000 in one commitment. Bank Q lent nothing: never a lender.
    assert rows(hand_made_db, "top-lenders") == []
    lenders = {r["lenderId"]: r for r in rows(hand_made_db, "top-lenders", includeNotHappened=True)}
    assert set(lenders) == {"bank-p"}
    assert (lenders["bank-p"]["totalUsd"], lenders["bank-p"]["commitments"]) == (100_000_000.0, 1)


def test_notes_travel_with_ties_and_projects(hand_made_db):
    profile = rows(hand_made_db, "entity-profile", entity="net-1")
    assert {r["entityNote"] for r in profile} == {"project note"}
    assert {r["relationship"]: r["note"] for r in profile}["COMMISSIONED"] == "refusal note"
    assert all("note" not in r["details"] for r in profile)
    facts = {r["item"]: r["note"] for r in rows(hand_made_db, "facts-from-source", source="s1")}
    assert facts["net-1"] == "project note" and facts["gov-a -EXCLUDED-> vendor-x"] == "exclusion note"
    weak = {r["item"]: r["note"] for r in rows(hand_made_db, "weakly-sourced")}
    assert weak["gov-a -COMMISSIONED-> net-1"] == "refusal note"
    in_force = rows(hand_made_db, "ties-in-force", fromYear=2019, types=["COMMISSIONED"])
    assert [(r["note"], r["projectNote"]) for r in in_force] == [("refusal note", "project note")]
    path = rows(hand_made_db, "influence-path", **{"from": "gov-a", "to": "net-1", "maxHops": 1})
    assert path[0]["notes"] == ["Government of A -COMMISSIONED-> A 5G network: refusal note",
                                "A 5G network: project note"]
    assert path[0]["hops"][0]["note"] == "refusal note"


# --- the 1260H and FCC mappings write designations ----------------------------------------------------
def test_1260h_rows_become_one_designation_per_edition():
    dataset = tabular.load(DOD_EXTRACT, "dod-1260h", assertions={})
    dod = dataset.nodes["us-department-of-defense"]
    assert (dod.label, dod.props["name"], dod.props["level"]) == ("Government", "US Department of Defense", "agency")
    ties = {r.id: r.props for r in dataset.relationships.values()
            if r.type == "DESIGNATED" and r.end == HIKVISION}
    # Hikvision's rows 6, 15 and 22 are the editions of 2021-06-03, 2025-01-07 and 2026-06-08
    assert sorted((p["year"], p["programme"], p["measure"], p.get("validTo")) for p in ties.values()) == [
        (2021, "Section 1260H list", "list", None), (2025, "Section 1260H list", "list", None),
        (2026, "Section 1260H list", "list", None)]
    assert f"us-department-of-defense|DESIGNATED|{HIKVISION}|2021-06-03" in ties
    assert all("sanctions" not in n.props for n in dataset.nodes.values())
    # every one of the extract's 25 rows lists a company in one edition: 25 designations
    assert sum(r.type == "DESIGNATED" for r in dataset.relationships.values()) == 25


def test_1260h_end_date_ends_the_designation():
    path = require_shared(OPENSANCTIONS / "us__dod_chinese_milcorps__sanctions.csv")
    dataset = tabular.load(path, "dod-1260h")
    megvii = [r.props for r in dataset.relationships.values()
              if r.type == "DESIGNATED" and r.end == "beijing-megvii-technology-co-ltd"]
    # the CSV's one Megvii row: Start date 2024-01-31, End date 2025-01-07
    assert [(p["year"], p["validTo"]) for p in megvii] == [(2024, 2025)]


def test_fcc_names_become_designations_by_the_fcc():
    dataset = tabular.load(FCC_LIST, "fcc-covered-list")
    designations = {r.end: r.props for r in dataset.relationships.values() if r.type == "DESIGNATED"}
    companies = {n.id for n in dataset.nodes.values() if n.label == "Company"}
    assert set(designations) == companies, "every company the list names, the subsidiary ComNet too"
    huawei = designations["huawei-technologies-company"]
    assert (huawei["programme"], huawei["measure"], huawei["year"]) == ("FCC covered list", "list", 2021)
    assert designations["comnet-usa-llc"]["year"] == 2022
    assert {r.start for r in dataset.relationships.values() if r.type == "DESIGNATED"} == {
        "us-federal-communications-commission"}


# --- the seed dataset: what the second reading added --------------------------------------------------
ADDED = {
    # id: (type, source, measure, year, deadline/entityCount, confidence)
    "government-of-united-states|DESIGNATED|huawei": ("ft-2021", "list", None, None, "stated"),
    "government-of-united-states|DESIGNATED|hikvision": ("ft-2021", "list", None, None, "stated"),
    "government-of-united-states|DESIGNATED|dahua": ("ft-2021", "list", None, None, "stated"),
    "government-of-united-states|DESIGNATED|CN": ("ft-2021", "ban", 2021, 59, "stated"),
    "government-of-united-kingdom|EXCLUDED|huawei": ("ft-2021", "removal", 2020, 2027, "stated"),
    "government-of-taiwan|EXCLUDED|CN": ("ft-2021", "removal", 2020, None, "reported"),
    "taipei-smart-city-project-management-office|EXCLUDED|CN": ("ft-2021", "ban", None, None, "reported"),
    "government-of-japan|EXCLUDED|huawei": ("chatys-2020", "ban", None, None, "stated"),
    "government-of-australia|EXCLUDED|huawei": ("chatys-2020", "ban", None, None, "stated"),
    "government-of-vietnam|EXCLUDED|CN": ("aspi-2019", "review", 2016, None, "reported"),
}


@pytest.fixture(scope="module")
def dataset():
    return seed.load()


def test_seed_designations_and_exclusions_read_from_their_paragraphs(dataset):
    for rel_id, (source, measure, year, extra, confidence) in ADDED.items():
        props = dataset.relationships[rel_id].props
        assert (set(props["sources"]), props["measure"], props.get("year"), props["confidence"]) == (
            {source}, measure, year, confidence), rel_id
        assert props.get("deadline", props.get("entityCount")) == extra, rel_id
        assert props.get("note"), f"{rel_id}: how the year or the target was read is noted"
    blacklist = dataset.relationships["government-of-united-states|DESIGNATED|huawei"].props
    assert blacklist["programme"] == "blacklist that prohibits US-based companies from exporting products to them"
    assert "no year" in blacklist["note"] and "asOf" in blacklist["note"]
    assert "not a measure against the country" in dataset.relationships[
        "government-of-united-states|DESIGNATED|CN"].props["note"]
    # Huawei's Innovation Day is an event: a quote on Huawei's node, and no tie quotes it
    huawei = dataset.nodes["huawei"].props
    assert any("Innovation Day" in q and s == "diplomat-2019" for s, q in zip(huawei["sources"], huawei["evidence"], strict=True))
    assert not any("Innovation Day" in q for r in dataset.relationships.values() for q in r.props["evidence"])


def test_the_added_quotes_are_in_their_documents(dataset):
    documents = require_shared(SEEDS)
    problems = seed.unquoted(dataset, documents)
    assert [p for p in problems if p.item in ADDED or p.item == "huawei"] == []
    assert problems == []


def test_the_seed_graph_shows_the_added_facts(seeded_db):
    ft = {r["item"]: r for r in rows(seeded_db, "facts-from-source", source="ft-2021")}
    blacklist = ft["government-of-united-states -DESIGNATED-> huawei"]
    assert blacklist["quotes"] == [
        "The Trump administration also put several surveillance companies — including Huawei, Hikvision and Dahua — "
        "on to a blacklist that prohibits US-based companies from exporting products to them."]
    assert "no year" in blacklist["note"]
    assert {"government-of-united-kingdom -EXCLUDED-> huawei", "government-of-taiwan -EXCLUDED-> CN",
            "government-of-united-states -DESIGNATED-> CN"} <= set(ft)
    walked = rows(seeded_db, "walked-away")
    exclusions = {(r["buyer"], r["status"], r["year"]) for r in walked if r["kind"] == "exclusion"}
    assert {("Government of the United Kingdom", "removal", 2020), ("Government of Taiwan", "removal", 2020),
            ("Government of Japan", "ban", None), ("Government of Australia", "ban", None),
            ("Government of Vietnam", "review", 2016)} <= exclusions
    uk = [r for r in rows(seeded_db, "walked-away", country="GB") if r["kind"] == "exclusion"]
    assert [(r["vendors"], r["hops"][0]["properties"]["deadline"]) for r in uk] == [(["Huawei (excluded)"], 2027)]
    huawei = rows(seeded_db, "designations", entity="huawei")
    assert [(r["designator"], r["measure"], r["year"]) for r in huawei] == [
        ("Government of the United States", "list", None)]
    order = rows(seeded_db, "designations", programme="executive order")
    assert [(r["entityId"], r["entityCount"], r["year"]) for r in order] == [("CN", 59, 2021)]
    assert {r["entityId"] for r in rows(seeded_db, "designations", designator="government-of-united-states")} == {
        "huawei", "hikvision", "dahua", "CN"}
