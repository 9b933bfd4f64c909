"""Money an analyst can publish (issue #15): each commitment counted once, only what happened, the
counting policy written once and followed by every summing query, effective ownership over all paths.

Each rule is checked on a small graph made here with the project's writer, the expected figures worked
out by hand in the comments; then the seed graph's own cases."""

from __future__ import annotations

import re

import pytest

import cypher
from graph.records import Dataset, Origin
from tests.helpers import DATABASE, wipe_and_write

QUERIES = cypher.load_queries()
COUNTING = [q for q in QUERIES.values() if q.policy == "counting"]
POLICY_PARAMS = ("includeInferred", "includeNotHappened", "includeNotRecommended")


def run(db, name, **params) -> list[dict]:
    return cypher.records(db, name, params, DATABASE)


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def distinct_counted_usd(chains: list[dict]) -> float:
    """Sum of amountUsd over the distinct commitments of financing-chains rows that count."""
    return sum({r["commitment"]: r["amountUsd"] or 0 for r in chains if r["leftOutBecause"] is None}.values())


# --- the small graph ----------------------------------------------------------------------------------
def money_graph() -> Dataset:
    dataset = Dataset()
    origin = Origin("test_money.py")
    dataset.add_node("Source", {"id": "s", "name": "s", "title": "s", "publisher": "p", "date": "2020"}, origin)
    quote = {"sources": ["s"], "evidence": ["q"]}

    def node(label, node_id, **props):
        dataset.add_node(label, {"id": node_id, "name": node_id.upper(), **quote, **props}, origin)

    def tie(rel_type, start, end, key=None, confidence="stated", **props):
        dataset.add_relationship(rel_type, start, end, {**quote, "confidence": confidence, "asOf": 2020, **props},
                                 origin, key=key)

    for code in ("XX", "YY"):
        node("Country", code)
    node("StateBank", "bank-a", kind="policy bank")
    node("StateBank", "bank-b", kind="policy bank")
    node("Company", "vendor")
    node("Company", "telco")
    node("Government", "gov-x", level="national")
    node("Project", "p1", kind="safe city", status="implemented", valueUsd=100.0)
    node("Project", "p2", kind="safe city", status="rejected", valueUsd=60.0)
    node("Project", "p3", kind="telecom network", status="implemented", valueUsd=30.0, year=2008)
    for place in ("p1", "p2", "p3", "telco"):
        tie("LOCATED_IN", place, "XX")
    tie("GOVERNS", "gov-x", "XX")
    # 1. bank-a alone lends 100 for p1
    tie("FINANCED", "bank-a", "p1", amountUsd=100.0, year=2016)
    # 2. one loan of 500 to the telco by bank-a and bank-b together, parts not given
    for bank in ("bank-a", "bank-b"):
        tie("FINANCED", bank, "telco", commitment="shared-500", amountUsd=500.0, year=2015, note="parts not given")
    # 3. a loan of 1000 to gov-x that is only inferred
    tie("FINANCED", "bank-b", "gov-x", confidence="inferred", amountUsd=1000.0)
    # 4. 60 for p2, which was rejected
    tie("FINANCED", "bank-a", "p2", amountUsd=60.0)
    # 5. 40 for p1 that the source does not recommend for aggregates (a pledge)
    tie("FINANCED", "bank-b", "p1", amountUsd=40.0, recommendedForAggregates=False)
    # 6. one loan of 200 to the telco: bank-a's part 150, the vendor's 50
    tie("FINANCED", "bank-a", "telco", key="parts", commitment="parts-200", amountUsd=200.0, partAmountUsd=150.0)
    tie("FINANCED", "vendor", "telco", commitment="parts-200", amountUsd=200.0, partAmountUsd=50.0)
    # 7. 20 to the telco that a source says paid for p3 (so it reaches p3 "via borrower")
    tie("FINANCED", "bank-b", "telco", key="p3", amountUsd=20.0, forProjects=["p3"], year=2019)
    tie("COMMISSIONED", "gov-x", "p1", status="signed")
    tie("COMMISSIONED", "gov-x", "p2", status="rejected")
    tie("COMMISSIONED", "telco", "p3", amountUsd=30.0, note="a purchase")   # the buyer paid 30 itself
    tie("CONTRACTED_FOR", "vendor", "p1", role="prime contractor")
    tie("CONTRACTED_FOR", "vendor", "p2", role="bidder")
    tie("CONTRACTED_FOR", "vendor", "p3", role="equipment supplier", confidence="inferred")
    # ownership: h holds 23.5% of t directly and all of m, which holds the other 76.5%
    for company in ("h", "m", "t", "u", "m2", "t2", "s2"):
        node("Company", company)
    tie("OWNS", "h", "t", share=0.235)
    tie("OWNS", "h", "m", share=1.0)
    tie("OWNS", "m", "t", share=0.765)
    # u holds an unknown share (at least 25%) of m2, which holds 40% of t2; s2 holds 30% of t2 "indirectly"
    tie("OWNS", "u", "m2", shareMin=0.25, note="share not given")
    tie("OWNS", "m2", "t2", share=0.4)
    tie("OWNS", "s2", "t2", share=0.3, direct=False)
    assert dataset.problems() == []
    return dataset


@pytest.fixture(scope="module")
def money_db(driver):
    return wipe_and_write(driver, money_graph())


def test_a_commitment_counts_once_and_a_lender_counts_only_its_own_money(money_db):
    rows = by(run(money_db, "top-lenders", limit=100), "lenderId")
    # bank-a: 100 alone (p1) + its part 150 of the 200 loan = 250; the 500 loan it shares with bank-b, split
    # not given, is apart (coFinancedUsd); 3 commitments; the rejected p2 (60) left out
    assert rows["bank-a"]["totalUsd"] == 250 and rows["bank-a"]["coFinancedUsd"] == 500
    assert rows["bank-a"]["commitments"] == 3 and rows["bank-a"]["coLenders"] == ["BANK-B", "VENDOR"]
    assert rows["bank-a"]["leftOut"] == ["1 rejected, USD 60"]
    # bank-b: 20 alone (the p3 loan) + 500 shared; the inferred 1000 and the not-recommended 40 left out
    assert rows["bank-b"]["totalUsd"] == 20 and rows["bank-b"]["coFinancedUsd"] == 500
    assert rows["bank-b"]["leftOut"] == ["1 inferred, USD 1,000", "1 not recommended for aggregates, USD 40"]
    # vendor: its part 50 of the 200 loan
    assert rows["vendor"]["totalUsd"] == 50 and rows["vendor"]["coFinancedUsd"] == 0
    # own money of all lenders 250 + 20 + 50 = 320, and the shared 500 once: 820 = 100 + 500 + 200 + 20
    assert sum(r["totalUsd"] for r in rows.values()) + 500 == 820


def test_parameters_let_the_analyst_count_the_rest(money_db):
    rows = by(run(money_db, "top-lenders", includeInferred=True, includeNotHappened=True,
                  includeNotRecommended=True), "lenderId")
    # bank-a: 250 + the rejected 60 = 310; bank-b: 20 + 1000 inferred + 40 pledge = 1060
    assert rows["bank-a"]["totalUsd"] == 310 and rows["bank-b"]["totalUsd"] == 1060
    assert rows["bank-a"]["leftOut"] == [] and rows["bank-b"]["leftOut"] == []


def test_financing_chains_reach_a_borrowers_project_only_with_evidence(money_db):
    chains = run(money_db, "financing-chains", country="XX")
    telco = [r for r in chains if r["borrower"] == "TELCO"]
    # the 20 loan names p3; the 500 and 200 loans do not, so they stay loans to the telco with their own year
    assert {(r["commitment"], r["project"], r["link"], r["year"]) for r in telco} == {
        ("shared-500", None, None, 2015), ("parts-200", None, None, None),
        ("bank-b|FINANCED|telco|p3", "P3", "via borrower", 2019)}
    shared = [r for r in telco if r["commitment"] == "shared-500"]
    assert len(shared) == 2 and {tuple(r["coLenders"]) for r in shared} == {("BANK-A",), ("BANK-B",)}
    assert all(r["note"] == "parts not given" for r in shared)
    # counted distinct commitments: 100 + 500 + 200 + 20 = 820
    assert distinct_counted_usd(chains) == 820
    assert {r["leftOutBecause"] for r in chains} == {None, "rejected", "inferred", "not recommended for aggregates"}


def test_country_totals_follow_the_policy(money_db):
    row = by(run(money_db, "country-ranking"), "countryId")["XX"]
    # projects p1 (100) and p3 (30) count; p2 (60) was rejected
    assert (row["projects"], row["valueUsd"], row["refused"]) == (2, 130, 1)
    # the money reaching XX: 100 + 500 + 200 + 20 = 820, from bank-a, bank-b and the vendor
    assert row["financedUsd"] == 820 and row["lenders"] == 3
    # p1 has the vendor; p3's only vendor tie is inferred, but p3 counts and the vendor is counted once
    assert row["vendors"] == 1
    assert row["leftOut"] == ["1 inferred (financing), USD 1,000", "1 not recommended for aggregates (financing), USD 40",
                              "1 rejected (financing), USD 60", "1 rejected (project), USD 60"]
    everything = by(run(money_db, "country-ranking", includeInferred=True, includeNotHappened=True,
                        includeNotRecommended=True), "countryId")["XX"]
    # 820 + 1000 + 60 + 40 = 1920; projects 100 + 60 + 30 = 190
    assert (everything["financedUsd"], everything["valueUsd"], everything["leftOut"]) == (1920, 190, [])


def test_vendor_and_buyer_totals_follow_the_policy(money_db):
    vendor = by(run(money_db, "top-vendors"), "vendorId")["vendor"]
    # counted: p1 (100); the bid for p2 (60) counts as proposed, the inferred p3 tie (30) as inferred
    assert (vendor["projects"], vendor["projectValueUsd"]) == (1, 100)
    assert vendor["leftOut"] == ["1 inferred, USD 30", "1 proposed, USD 60"]
    buyers = by(run(money_db, "top-buyers"), "buyerId")
    # gov-x: p1 (100) counts, its own rejection of p2 (60) does not
    assert (buyers["gov-x"]["projects"], buyers["gov-x"]["projectValueUsd"]) == (1, 100)
    assert buyers["gov-x"]["walkedAway"] == ["P2"] and buyers["gov-x"]["leftOut"] == ["1 rejected, USD 60"]
    # the telco paid 30 for p3 itself: a purchase, not a loan
    assert buyers["telco"]["paidUsd"] == 30
    assert "telco" not in by(run(money_db, "top-lenders", limit=100), "lenderId")


def test_vendor_totals_for_one_role_or_one_country(money_db):
    """The role is read from its index and the country's projects from the country (three branches)."""
    def vendor(**params):
        return by(run(money_db, "top-vendors", **params), "vendorId").get("vendor")

    # only its prime contract for p1 (100) is read: nothing else to leave out
    prime = vendor(role="prime contractor")
    assert (prime["projects"], prime["projectValueUsd"], prime["roles"], prime["leftOut"]) == (
        1, 100, ["prime contractor"], [])
    # its only bid (p2) counts as proposed, so it has no counted project and is not ranked
    assert vendor(role="bidder") is None
    # the inferred supply of p3 (30) counts when asked for
    supply = vendor(role="equipment supplier", includeInferred=True)
    assert (supply["projects"], supply["projectValueUsd"], supply["leftOut"]) == (1, 30, [])
    # every project is in XX: as without a country; YY has none
    assert (vendor(country="XX")["projects"], vendor(country="XX")["projectValueUsd"]) == (1, 100)
    assert vendor(country="XX")["leftOut"] == ["1 inferred, USD 30", "1 proposed, USD 60"]
    assert run(money_db, "top-vendors", country="YY") == []
    both = vendor(country="XX", role="prime contractor")
    assert (both["projects"], both["projectValueUsd"], both["leftOut"]) == (1, 100, [])


def test_the_same_money_reaches_the_same_total_whichever_query_sums_it(money_db):
    lenders = run(money_db, "top-lenders", limit=100)
    chains = run(money_db, "financing-chains")
    ranking = run(money_db, "country-ranking")
    shared = {r["commitment"]: r["amountUsd"] for r in chains
              if r["leftOutBecause"] is None and r["coLenders"] and r["partAmountUsd"] is None}
    # 320 own + 500 shared = 820 = every counted commitment once = the money reaching XX
    assert sum(r["totalUsd"] for r in lenders) + sum(shared.values()) == distinct_counted_usd(chains) == 820
    assert sum(r["financedUsd"] for r in ranking) == 820


def test_effective_ownership_sums_every_path(money_db):
    owners = run(money_db, "owners-of", entity="t")
    h = [r for r in owners if r["ownerId"] == "h"]
    # 23.5% directly + 100% x 76.5% through m = 100%
    assert sorted(r["compoundedShare"] for r in h) == pytest.approx([0.235, 0.765])
    assert all(r["effectiveShare"] == pytest.approx(1.0) and r["effectiveShareText"] == "100.0%" for r in h)
    assert not any(r["effectiveShareIsLowerBound"] for r in h)
    second = by(run(money_db, "owners-of", entity="t2"), "ownerId")
    # u: unknown share of m2 (at least 25%) x 40% = at least 10%
    assert second["u"]["effectiveShare"] == pytest.approx(0.1) and second["u"]["effectiveShareIsLowerBound"]
    assert second["u"]["effectiveShareText"] == "at least 10.0% (a share on a path is unknown)"
    assert second["u"]["notes"] == ["U -> M2: share not given"]
    # s2's 30% is stated as indirect: kept apart, not computed
    assert second["s2"]["statedIndirectShare"] == pytest.approx(0.3) and second["s2"]["effectiveShare"] is None
    holdings = by(run(money_db, "holdings-of", entity="h"), "ownedId")
    assert holdings["t"]["effectiveShare"] == pytest.approx(1.0)


# --- the policy is written once ---------------------------------------------------------------------------
def fragments() -> list[str]:
    text = cypher.POLICIES["counting"].read_text(encoding="utf-8")
    return [" ".join(block.split()) for block in re.findall(r"```cypher\n(.*?)```", text, re.S)]


@pytest.mark.parametrize("name", sorted(q.name for q in COUNTING))
def test_every_counting_query_repeats_the_policy_word_for_word(name):
    query = QUERIES[name]
    body = " ".join(query.cypher.split())
    reason, left_out = fragments()
    assert reason in body, "the reason for leaving a tie out is the policy's own"
    assert left_out in body or "leftOutBecause" in [c for c, _ in query.columns]
    described = {p.name: p for p in QUERIES["top-lenders"].parameters}
    for name in POLICY_PARAMS:
        mine = next(p for p in query.parameters if p.name == name)
        assert (mine.type, mine.default, mine.description) == ("boolean", False, described[name].description)


def test_every_query_that_sums_money_follows_the_policy():
    summing = {"top-lenders", "top-vendors", "top-buyers", "country-ranking", "financing-chains"}
    assert summing <= {q.name for q in COUNTING}
    docs = (cypher.QUERY_DIR.parent / "docs" / "queries.md").read_text(encoding="utf-8")
    assert docs.count("## Counting policy") == 1
    assert docs.count("Counts by the [counting policy](#counting-policy).") == len(COUNTING)


# --- the seed graph ----------------------------------------------------------------------------------------
def test_seed_zimbabwe_counts_the_econet_loan_once_and_no_cited_title(seeded_db):
    lenders = by(run(seeded_db, "top-lenders", country="ZW", limit=100), "lenderId")
    # ASPI: one USD 500 million loan by ZTE "in partnership with China Development Bank"; parts not given
    for lender in ("zte", "china-development-bank"):
        assert lenders[lender]["totalUsd"] == 0 and lenders[lender]["coFinancedUsd"] == 500_000_000
    assert "china-exim-bank" not in lenders, "the $1bn in a cited title is no loan"
    chains = run(seeded_db, "financing-chains", country="ZW")
    assert distinct_counted_usd(chains) == 500_000_000
    assert not any(r["link"] == "via borrower" for r in chains), "no source says which project a loan paid for"
    econet = [r for r in chains if r["borrower"] == "Econet"]
    assert {r["year"] for r in econet} == {2015} and {r["project"] for r in econet} == {None}
    zw = by(run(seeded_db, "country-ranking", limit=300), "countryId")["ZW"]
    assert zw["financedUsd"] == 500_000_000
    assert zw["lenders"] == len(lenders)


def test_seed_buyers_are_not_lenders_and_refusals_do_not_count(seeded_db):
    lenders = by(run(seeded_db, "top-lenders", limit=100), "lenderId")
    assert "government-of-tajikistan" not in lenders
    tajik = by(run(seeded_db, "top-buyers", country="TJ"), "buyerId")["government-of-tajikistan"]
    assert tajik["paidUsd"] == 22_000_000   # Diplomat: "spent $22 million to implement" Dushanbe's system
    kg = by(run(seeded_db, "country-ranking", limit=300), "countryId")["KG"]
    # Diplomat: the first phase (USD 34 million) was built; Huawei's USD 60 million bid was turned down
    assert kg["valueUsd"] == 34_000_000 and "1 rejected (project), USD 60,000,000" in kg["leftOut"]



def test_seed_no_buyer_is_the_lender_of_its_own_project(seeded_db):
    # a party that commissioned a project and also "financed" it is paying for its own system: a purchase,
    # carried on COMMISSIONED (Chatys: the Filipino government's share of Safe Philippines)
    rows = seeded_db.execute_query(
        "MATCH (b)-[:COMMISSIONED]->(p:Project)<-[:FINANCED]-(b) RETURN b.id AS buyer, p.id AS project",
        database_=DATABASE).records
    assert [dict(r) for r in rows] == []

def test_seed_totals_agree_across_queries(seeded_db):
    chains = run(seeded_db, "financing-chains")
    lenders = run(seeded_db, "top-lenders", limit=1000)
    shared = {r["commitment"]: r["amountUsd"] or 0 for r in chains
              if r["leftOutBecause"] is None and r["coLenders"] and r["partAmountUsd"] is None}
    assert sum(r["totalUsd"] for r in lenders) + sum(shared.values()) == distinct_counted_usd(chains)
    for row in run(seeded_db, "country-ranking", limit=300):
        in_country = run(seeded_db, "financing-chains", country=row["countryId"])
        assert row["financedUsd"] == distinct_counted_usd(in_country), row["countryId"]
