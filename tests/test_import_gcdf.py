"""AidData's GCDF importer on real rows: the expected values below were read off the fixture rows by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from graph.records import ImportFailed
from graph.writer import write_dataset
from importers import gcdf
from tests.helpers import DATABASE, SHARED, count, require_shared

FIXTURES = Path(__file__).parent / "fixtures" / "gcdf"
HUAWEI_EXTRACT = FIXTURES / "AidDatasGlobalHuaweiFinanceDataset_v2.0_extract.csv"
GCDF3_EXTRACT = FIXTURES / "gcdf3_sea_petrochemical_extract.csv"
REAL_HUAWEI = SHARED / "data" / "aiddata-gcdf2-huawei" / "AidDatasGlobalHuaweiFinanceDataset_v2.0.csv"
REAL_GCDF3 = SHARED / "data" / "aiddata-gcdf3-sample"
HUAWEI, GCDF3 = "aiddata-gcdf-2-huawei", "aiddata-gcdf-3"


@pytest.fixture(scope="module")
def dataset():
    return gcdf.load(FIXTURES)


def rel(dataset, start: str, rel_type: str, end: str, key: str | None = None) -> dict:
    rel_id = "|".join([start, rel_type, end] + ([key] if key else []))
    return dataset.relationships[rel_id].props


def ties(dataset, rel_type: str, end: str) -> dict[str, dict]:
    return {r.start: r.props for r in dataset.relationships.values() if r.type == rel_type and r.end == end}


# --- projects ------------------------------------------------------------------------------------------
def test_every_record_is_a_project(dataset):
    projects = {n.id for n in dataset.nodes.values() if n.label == "Project"}
    huawei = {53843, 54218, 54359, 56785, 57388, 66585, 67789, 73323, 60381, 86006, 49326, 53117, 53408, 59255, 85145,
              58855, 59946, 69392, 71673, 66867, 32237, 54892, 38696, 73442, 55459, 66611, 20042, 20069, 1514}
    gcdf3 = {89494, 89495, 89496, 89497, 89498, 62760, 71636, 71637, 71638, 71639, 89485, 89486}
    assert projects == {f"aiddata-{n}" for n in huawei | gcdf3}


def test_belgrade_safe_city_project(dataset):
    project = dataset.nodes["aiddata-67789"].props
    urls = project.pop("urls")
    assert project == {
        "id": "aiddata-67789", "name": "Huawei supports Safe City Project in Belgrade", "kind": "safe city",
        "status": "implemented", "year": 2017,
        "description": "Vague TBD recorded in AidData's Global Huawei Finance Dataset 2.0 (record 67789, status "
                       "Completion); recommended for aggregates: yes.",
        "externalIds": ["aiddata:67789"],
        "sources": [HUAWEI], "evidence": ["Huawei supports Safe City Project in Belgrade"],
    }
    project["urls"] = urls
    assert len(urls) == 22
    assert urls[0] == "https://www.europarl.europa.eu/doceo/document/E-9-2019-003068_EN.html"
    assert urls[-1] == ("https://www.reuters.com/article/us-serbia-china-huawei/serbia-chooses-links-with-china-to-"
                        "develop-economy-telecoms-despite-u-s-warning-campaign-idUSKCN2592AN")


# id: (status, kind, year, value, currency, valueUsd)
PROJECTS = {
    53843: ("implemented", "other", 2017, None, None, None),
    54218: ("implemented", "training", 2017, None, None, None),
    54359: ("implemented", "training", 2017, None, None, None),
    56785: ("proposed", "training", 2017, None, None, None),
    57388: ("implemented", "other", 2017, 100000.0, "CNY", 14798.4894873379),
    66585: ("implemented", "other", 2017, 680000.0, "USD", 680000.0),
    73323: ("implemented", "other", 2017, 3000000.0, "USD", 3000000.0),
    86006: ("implemented", "other", 2016, 10000000.0, "MMK", 8300.41057639616),
    49326: ("implemented", "safe city", 2015, None, None, None),
    53117: ("proposed", "other", 2015, 90100000.0, "USD", 88582014.3117467),
    53408: ("implemented", "safe city", 2015, None, None, None),
    85145: ("implemented", "telecom network", 2015, 30685657.0, "EUR", 33459069.9586154),
    59946: ("implemented", "surveillance", 2014, 750000.0, "USD", 722813.397914943),
    69392: ("signed", "other", 2014, 34035316.65, "USD", 32801577.1691967),
    71673: ("implemented", "surveillance", 2013, 6960000.0, "BOB", 977685.601638643),
    66867: ("implemented", "surveillance", 2012, 400000.0, "USD", 407401.876926928),
    54892: ("implemented", "telecom network", 2011, 60000000.0, "USD", 64080559.6872979),
    73442: ("implemented", "telecom network", 2010, 17767500000.0, "XOF", 43355380.3903682),
    66611: ("implemented", "telecom network", 2009, 49900000.0, "MDL", 5849243.89937229),
    20069: ("proposed", "other", 2008, None, None, None),
    1514: ("signed", "telecom network", 2006, None, None, None),
    # GCDF 3.0 extract: only adjusted amounts, the nominal USD one standing for the original amount
    89494: ("implemented", "other", 2019, 282500000.0, "USD", 317407002.964054),
    89497: ("implemented", "other", 2019, 98625000.0, "USD", 110811559.884353),
    62760: ("implemented", "other", 2018, 570000000.0, "USD", 621214356.290845),
    71636: ("implemented", "other", 2018, 295000000.0, "USD", 321505675.624209),
    89485: ("implemented", "other", 2018, 421052631.0, "USD", 458884103.739003),
}


@pytest.mark.parametrize("record", PROJECTS)
def test_project_status_kind_year_and_amounts(dataset, record):
    props = dataset.nodes[f"aiddata-{record}"].props
    found = tuple(props.get(k) for k in ("status", "kind", "year", "value", "currency", "valueUsd"))
    assert found == PROJECTS[record]


# --- funders ----------------------------------------------------------------------------------------------
def test_huawei_funds_as_a_company_with_the_amounts_in_both_currencies(dataset):
    huawei = dataset.nodes["huawei-technologies-co-ltd"]
    assert huawei.label == "Company"
    assert huawei.props == {"id": "huawei-technologies-co-ltd", "name": "Huawei Technologies Co., Ltd.",
                            "sources": [HUAWEI], "evidence": ["Huawei Technologies Co., Ltd."]}
    bolivia = rel(dataset, "huawei-technologies-co-ltd", "FINANCED", "aiddata-71673")
    assert bolivia == {
        "id": "huawei-technologies-co-ltd|FINANCED|aiddata-71673",
        "amount": 6960000.0, "currency": "BOB", "amountUsd": 977685.601638643, "year": 2013, "instrument": "grant",
        "confidence": "stated", "asOf": 2013, "externalIds": ["aiddata:71673"], "recommendedForAggregates": True,
        "urls": bolivia["urls"], "sources": [HUAWEI],
        "evidence": ["Huawei Bolivia grants Santa Cruz 6.96 million Bolivianos for security camera installation "
                     "(linked to project #36121)"],
        "note": "AidData funding agency; recommendedForAggregates: true (AidData column 'Recommended For Huawei "
                "Aggregates'); Global Huawei Finance Dataset 2.0 record "
                "71673; status 'Completion'; flow type 'Grant'; amounts from AidData's columns Amount (Original "
                "Currency), Original Currency, Amount (Constant USD2017); amountUsd in constant 2017 US dollars",
    }
    assert len(bolivia["urls"]) == 6 and bolivia["urls"][0].startswith("http://dircabi.mingobierno.gob.bo/")
    serbia = rel(dataset, "huawei-technologies-co-ltd", "FINANCED", "aiddata-85145")
    assert (serbia["amount"], serbia["currency"], serbia["amountUsd"], serbia["instrument"]) == (
        30685657.0, "EUR", 33459069.9586154, "vendor financing")


@pytest.mark.parametrize(("record", "instrument"), [
    (53843, "grant"), (54359, "grant"), (56785, "grant"), (67789, "other"), (73323, "other"), (53117, "vendor financing"),
    (62760, "loan"),
])
def test_instrument_from_flow_type(dataset, record, instrument):
    funder = next(iter(ties(dataset, "FINANCED", f"aiddata-{record}").values()))
    assert funder["instrument"] == instrument


def test_the_two_policy_banks_take_the_seed_ids(dataset):
    exim = dataset.nodes["china-exim-bank"]
    assert exim.label == "StateBank"
    assert exim.props == {"id": "china-exim-bank", "name": "Export-Import Bank of China", "kind": "policy bank",
                          "aliases": ["Export-Import Bank of China (China Eximbank)", "China Eximbank"],
                          "sources": [GCDF3], "evidence": ["Export-Import Bank of China (China Eximbank)"]}
    cdb = dataset.nodes["china-development-bank"]
    assert cdb.props == {"id": "china-development-bank", "name": "China Development Bank", "kind": "policy bank",
                         "aliases": ["China Development Bank (CDB)"], "sources": [GCDF3],
                         "evidence": ["China Development Bank (CDB)"]}
    loan = rel(dataset, "china-development-bank", "FINANCED", "aiddata-62760")
    assert (loan["amount"], loan["currency"], loan["amountUsd"], loan["year"], loan["instrument"]) == (
        570000000.0, "USD", 621214356.290845, 2018, "loan")
    assert loan["note"].startswith("AidData funding agency; recommendedForAggregates: not given; GCDF 3.0 record 62760")
    assert "Adjusted Amount (Nominal USD), Adjusted Amount (Constant USD 2021)" in loan["note"]
    exim_loan = rel(dataset, "china-exim-bank", "FINANCED", "aiddata-71636")
    assert (exim_loan["amount"], exim_loan["amountUsd"]) == (295000000.0, 321505675.624209)


@pytest.mark.parametrize(("record", "funder"), [
    (89494, "bank-of-china"), (89495, "industrial-and-commercial-bank-of-china"),
    (89496, "industrial-and-commercial-bank-of-china"),  # its title says China Construction Bank; the data says ICBC
    (89497, "bank-of-china"), (89498, "bank-of-china"), (62760, "china-development-bank"), (71636, "china-exim-bank"),
    (71637, "bank-of-china"), (71638, "industrial-and-commercial-bank-of-china"),
    (71639, "china-merchants-bank-co-ltd"), (89485, "bank-of-china"), (89486, "industrial-and-commercial-bank-of-china"),
])
def test_gcdf3_funding_agency(dataset, record, funder):
    funders = {s for s, p in ties(dataset, "FINANCED", f"aiddata-{record}").items() if "funding agency" in p["note"]}
    assert funders == {funder}
    assert dataset.nodes[funder].label == "StateBank"


@pytest.mark.parametrize(("node_id", "label", "extra"), [
    ("bank-of-china", "StateBank", {"kind": "state-owned commercial bank"}),
    ("china-merchants-bank-co-ltd", "StateBank", {"kind": "state-owned commercial bank"}),
    ("first-abu-dhabi-bank", "StateBank", {"kind": "other"}),
    ("china-electric-power-equipment-and-technology-co-ltd", "Company", {"stateOwned": True}),
    ("sinosteel-corporation", "Company", {"stateOwned": True}),
    ("connick-invesement-plc", "Company", {"stateOwned": False}),
    ("china-harbour-engineering-co-ltd", "Company", {"stateOwned": True}),
    ("hengyi-industrial-brunei-co-ltd", "Company", {}),
    ("zimbabwe-international-travel-and-tourism", "Organization", {"kind": "other"}),
    ("united-nations-educational-scientific-and-cultural-organization", "Organization", {"kind": "international body"}),
    ("nelson-mandela-foundation", "Organization", {"kind": "ngo"}),
    ("universite-mohammed-v-de-rabat", "Organization", {"kind": "university"}),
    ("serbian-ministry-of-internal-affairs", "Government", {"level": "ministry"}),
    ("kampala-capital-city-authority", "Government", {"level": "municipal"}),
    ("chinese-embassy", "Government", {"level": "agency"}),
])
def test_agency_labels_follow_aiddata_types(dataset, node_id, label, extra):
    node = dataset.nodes[node_id]
    assert node.label == label
    assert {k: node.props.get(k) for k in extra} == extra
    if label == "Company" and not extra:
        assert "stateOwned" not in node.props, "AidData's joint-venture type says nothing about the state"


def test_several_lenders_of_a_record_are_one_commitment(dataset):
    funders = ties(dataset, "FINANCED", "aiddata-20042")
    by_role = {s: p["note"].split(";")[0] for s, p in funders.items()}
    assert by_role == {
        "china-jiangxi-international-economic-and-technical-cooperation-co-ltd": "AidData funding agency",
        "huawei-technologies-co-ltd": "AidData funding agency",
        "sinosteel-corporation": "AidData funding agency",
        "zimbabwe-international-travel-and-tourism": "AidData funding agency",
        "connick-invesement-plc": "AidData co-financing agency",
        "sino-africa-nickels-company": "AidData co-financing agency",
        "tian-ze-tobacco-co": "AidData co-financing agency",
    }
    assert {p["commitment"] for p in funders.values()} == {"aiddata-20042"}
    assert len({(p.get("amount"), p.get("amountUsd"), p["year"]) for p in funders.values()}) == 1


def test_a_shared_amount_is_the_whole_commitments(tmp_path):
    table = pd.read_csv(HUAWEI_EXTRACT, dtype=str, keep_default_na=False)
    row = table.index[table["AidData TUFF Project ID"] == "60381"][0]
    table.loc[row, ["Amount (Original Currency)", "Original Currency", "Amount (Constant USD2017)"]] = ["2000", "USD", "2100"]
    path = tmp_path / "huawei.csv"
    table.to_csv(path, index=False)
    funders = ties(gcdf.load(path), "FINANCED", "aiddata-60381")
    assert set(funders) == {"china-electric-power-equipment-and-technology-co-ltd", "huawei-technologies-co-ltd"}
    for props in funders.values():
        # each tie carries the record's whole amount, once per commitment; no lender's part is made up
        assert (props["amount"], props["amountUsd"], props["commitment"]) == (2000, 2100, "aiddata-60381")
        assert "partAmountUsd" not in props
        assert props["note"].endswith("the amount is the whole record's, one commitment of 2 lenders whose parts "
                                      "AidData does not give")


def test_cofinanciers_and_guarantors(dataset):
    south_africa = ties(dataset, "FINANCED", "aiddata-59255")
    assert set(south_africa) == {"huawei-technologies-co-ltd", "department-of-basic-education-in-south-africa",
                                 "nelson-mandela-foundation", "vodacom-group-limited"}
    assert south_africa["vodacom-group-limited"]["evidence"] == ["Vodacom Group Limited"]
    moldova = rel(dataset, "bank-of-china", "FINANCED", "aiddata-66611")
    # Bank of China co-financed a record Huawei funded: one commitment, the record's whole amount on each tie
    assert moldova["instrument"] == "vendor financing" and moldova["commitment"] == "aiddata-66611"
    assert moldova.get("amountUsd") == rel(dataset, "huawei-technologies-co-ltd", "FINANCED", "aiddata-66611").get("amountUsd")
    guarantee = rel(dataset, "government-of-ethiopia", "FINANCED", "aiddata-69392", key="guarantee")
    assert guarantee["instrument"] == "other" and guarantee["evidence"] == ["Government of Ethiopia"]
    assert guarantee["note"].startswith("AidData accountable agency (guarantees, insures or secures repayment), "
                                        "not a lender; recommendedForAggregates: true")
    millicom = rel(dataset, "millicom-inc", "FINANCED", "aiddata-55459", key="guarantee")
    assert millicom["id"] == "millicom-inc|FINANCED|aiddata-55459|guarantee"
    assert rel(dataset, "millicom-inc", "COMMISSIONED", "aiddata-55459")["note"].startswith("AidData receiving agency")
    exim_cofinancing = rel(dataset, "china-exim-bank", "FINANCED", "aiddata-62760")
    assert exim_cofinancing["evidence"] == ["Export-Import Bank of China (China Eximbank)"]
    assert exim_cofinancing["note"].startswith("AidData co-financing agency")
    assert exim_cofinancing["commitment"] == "aiddata-62760"


@pytest.mark.parametrize(("record", "recommended", "umbrella"), [
    (67789, "true", False), (56785, "false", False), (53117, "false", False), (66585, "false", True),
    (54892, "false", True), (20069, "false", False), (89494, "not given", False),
])
def test_recommended_for_aggregates_is_in_every_financed_note(dataset, record, recommended, umbrella):
    financed = ties(dataset, "FINANCED", f"aiddata-{record}")
    assert financed
    for props in financed.values():
        column = "" if recommended == "not given" else " (AidData column 'Recommended For Huawei Aggregates')"
        assert f"recommendedForAggregates: {recommended}{column};" in props["note"]
        assert props.get("recommendedForAggregates") == {"true": True, "false": False, "not given": None}[recommended]
        assert ("umbrella agreement" in props["note"]) == umbrella


# --- recipients and implementers ----------------------------------------------------------------------------
def test_recipient_country_and_its_government(dataset):
    assert dataset.nodes["RS"].props == {"id": "RS", "name": "Serbia", "sources": [HUAWEI], "evidence": ["Serbia"]}
    assert dataset.nodes["CI"].props["name"] == "Côte d'Ivoire"
    assert dataset.nodes["CI"].props["aliases"] == ["Cote d'Ivoire"]
    serbia = dataset.nodes["government-of-serbia"]
    assert serbia.label == "Government"
    assert serbia.props == {"id": "government-of-serbia", "name": "Government of Serbia", "level": "national",
                            "sources": [HUAWEI], "evidence": ["Serbia"]}
    assert rel(dataset, "government-of-serbia", "GOVERNS", "RS")["evidence"] == ["Serbia"]
    assert rel(dataset, "aiddata-67789", "LOCATED_IN", "RS")["asOf"] == 2017
    belgrade = rel(dataset, "government-of-serbia", "COMMISSIONED", "aiddata-67789")
    assert belgrade["confidence"] == "inferred" and belgrade["year"] == 2017
    assert rel(dataset, "aiddata-89494", "LOCATED_IN", "MY")["sources"] == [GCDF3]
    assert dataset.nodes["BN"].props["name"] == "Brunei"


def test_a_government_named_as_receiver_commissions_with_stated_confidence(dataset):
    myanmar = dataset.nodes["government-of-myanmar"].props
    assert myanmar["aliases"] == ["Government of Myanmar (Burma)"]
    assert myanmar["evidence"] == ["Government of Myanmar (Burma)", "Myanmar"]
    tie = rel(dataset, "government-of-myanmar", "COMMISSIONED", "aiddata-86006")
    assert tie["confidence"] == "stated" and tie["evidence"] == ["Government of Myanmar (Burma)"]
    vietnam = rel(dataset, "government-of-vietnam", "COMMISSIONED", "aiddata-38696")
    assert vietnam["note"] == "AidData receiving agency and implementing agency (Global Huawei Finance Dataset 2.0 record 38696)"
    ivory_coast = rel(dataset, "government-of-cote-d-ivoire", "COMMISSIONED", "aiddata-73442")
    assert ivory_coast["evidence"] == ["Government of Côte d'Ivoire (Ivory Coast)"]


def test_implementing_companies_contract_and_other_implementers_commission(dataset):
    belgrade = rel(dataset, "huawei-technologies-co-ltd", "CONTRACTED_FOR", "aiddata-67789")
    assert belgrade["role"] == "prime contractor" and belgrade["evidence"] == ["Huawei Technologies Co., Ltd."]
    assert rel(dataset, "huawei-technologies-co-ltd", "CONTRACTED_FOR", "aiddata-54218")["role"] == "trainer"
    ministry = rel(dataset, "serbian-ministry-of-internal-affairs", "COMMISSIONED", "aiddata-67789")
    assert ministry["note"] == "AidData receiving agency and implementing agency (Global Huawei Finance Dataset 2.0 record 67789)"
    contractors = set(ties(dataset, "CONTRACTED_FOR", "aiddata-73442"))
    assert contractors == {"cote-d-ivoire-national-universal-telecommunications-service-agency", "cote-d-ivoire-telecom",
                           "huawei-technologies-co-ltd"}
    embassy = rel(dataset, "chinese-embassy", "COMMISSIONED", "aiddata-86006")
    assert embassy["note"].endswith("CONTRACTED_FOR starts only at a Company, so this implementer is recorded as COMMISSIONED")
    assert set(ties(dataset, "CONTRACTED_FOR", "aiddata-62760")) == {"china-harbour-engineering-co-ltd",
                                                                     "hengyi-industrial-brunei-co-ltd"}
    assert set(ties(dataset, "COMMISSIONED", "aiddata-62760")) == {"hengyi-industrial-brunei-co-ltd", "government-of-brunei"}


# --- provenance ----------------------------------------------------------------------------------------------
def test_every_fact_has_its_source_and_a_short_verbatim_quote(dataset):
    sources = {n.id: n.props for n in dataset.nodes.values() if n.label == "Source"}
    assert set(sources) == {HUAWEI, GCDF3}
    assert sources[GCDF3]["date"] == "2023-11-06"
    raw = HUAWEI_EXTRACT.read_text(encoding="utf-8") + GCDF3_EXTRACT.read_text(encoding="utf-8")
    for record in [*dataset.nodes.values(), *dataset.relationships.values()]:
        if getattr(record, "label", None) == "Source":
            continue
        props = record.props
        assert props["sources"] and len(props["sources"]) == len(props["evidence"]), record.id
        assert set(props["sources"]) <= set(sources), record.id
        for quote in props["evidence"]:
            assert 0 < len(quote) <= 300 and quote in raw, (record.id, quote)
    assert dataset.problems() == []


def test_every_tie_of_a_record_carries_its_aiddata_id(dataset):
    for tie in dataset.relationships.values():
        if tie.type == "GOVERNS":
            continue
        project = tie.end if tie.end.startswith("aiddata-") else tie.start
        assert tie.props["externalIds"] == [project.replace("aiddata-", "aiddata:")], tie.id


# --- the real files -------------------------------------------------------------------------------------------
def test_full_huawei_file():
    path = require_shared(REAL_HUAWEI)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    labels, types = gcdf.load(path).counts()
    assert labels["Project"] == len(table) == 165
    assert labels["Country"] == table["Recipient"].nunique() == 64
    assert types["LOCATED_IN"] == 165 and types["GOVERNS"] == 64
    funders = sum(len(cell.split("|")) for cell in table["Funding Agencies"])
    cofinanciers = sum(len(cell.split("|")) for cell in table["Cofinancing Agencies"] if cell)
    guarantors = sum(1 for cell in table["Accountable Agencies"] if cell)
    assert (funders, cofinanciers, guarantors) == (172, 15, 3)
    assert types["FINANCED"] == funders + cofinanciers + guarantors


def test_real_gcdf3_extract_and_header():
    folder = require_shared(REAL_GCDF3)
    labels, types = gcdf.load(folder / "gcdf3_sea_petrochemical_extract.csv").counts()
    assert labels["Project"] == 12 and labels["Country"] == 2 and types["FINANCED"] == 115
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(folder / "gcdf3_header_from_ports_projects_csv.csv")
    assert ("rows", "has a header but no records") in {(p.field, p.message) for p in failure.value.problems}


def test_the_version_is_told_from_the_header(tmp_path):
    assert {n.id for n in gcdf.load(HUAWEI_EXTRACT).nodes.values() if n.label == "Source"} == {HUAWEI}
    table = pd.read_csv(HUAWEI_EXTRACT, dtype=str, keep_default_na=False)
    path = tmp_path / "gcdf2.csv"
    table.rename(columns={"Recommended For Huawei Aggregates": "Recommended For Aggregates"}).to_csv(path, index=False)
    loaded = gcdf.load(path)
    assert {n.id for n in loaded.nodes.values() if n.label == "Source"} == {"aiddata-gcdf-2"}
    assert "GCDF 2.0 record 67789" in rel(loaded, "huawei-technologies-co-ltd", "FINANCED", "aiddata-67789")["note"]


def test_an_excel_copy_reads_like_the_csv(tmp_path, dataset):
    path = tmp_path / "huawei.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["not the data"]}).to_excel(writer, sheet_name="Read me", index=False)
        pd.read_csv(HUAWEI_EXTRACT, dtype=str, keep_default_na=False).to_excel(writer, sheet_name="Huawei", index=False)
    loaded = gcdf.load(path)
    assert loaded.nodes["aiddata-67789"].props == dataset.nodes["aiddata-67789"].props
    assert loaded.nodes["aiddata-73442"].props["value"] == 17767500000.0
    assert loaded.nodes["aiddata-73442"].origins[0].line == 25


# --- writing ------------------------------------------------------------------------------------------------
def test_import_twice_changes_nothing(clean_db, dataset):
    first = write_dataset(clean_db, DATABASE, dataset)
    assert first.total("created") == len(dataset.nodes) + len(dataset.relationships)
    second = write_dataset(clean_db, DATABASE, gcdf.load(FIXTURES))
    assert second.total("created") == 0 and second.total("updated") == 0
    assert second.total("unchanged") == len(dataset.nodes) + len(dataset.relationships)
    records, _, _ = clean_db.execute_query(
        "MATCH (b:StateBank {id: 'china-exim-bank'})-[f:FINANCED]->(p:Project {id: 'aiddata-71636'}) "
        "RETURN b.name AS bank, f.amount AS amount, f.amountUsd AS usd, p.status AS status", database_=DATABASE)
    assert [dict(r) for r in records] == [{"bank": "Export-Import Bank of China", "amount": 295000000.0,
                                           "usd": 321505675.624209, "status": "implemented"}]
    assert count(clean_db, "MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*)") == 0


def test_the_policy_banks_and_governments_meet_the_seed_nodes(clean_db, dataset):
    from importers import seed

    write_dataset(clean_db, DATABASE, seed.load())
    write_dataset(clean_db, DATABASE, dataset)
    records, _, _ = clean_db.execute_query(
        "MATCH (b:StateBank {id: 'china-exim-bank'}) RETURN b.name AS name, b.kind AS kind, b.aliases AS aliases, "
        "b.sources AS sources", database_=DATABASE)
    bank = records[0]
    assert (bank["name"], bank["kind"]) == ("Export-Import Bank of China", "policy bank")
    assert bank["aliases"] == ["China Exim Bank", "China Eximbank", "Export-Import Bank of China (China Eximbank)"]
    assert bank["sources"][-1] == GCDF3 and len(bank["sources"]) > 1, "the seed's quotes stay, AidData's is added"
    two_labels = count(clean_db, "MATCH (n:Entity) WITH n, [l IN labels(n) WHERE l <> 'Entity'] AS own "
                                 "WHERE size(own) > 1 RETURN count(n)")
    assert two_labels == 0
    assert count(clean_db, "MATCH (:Government {id: 'government-of-serbia'})-[:GOVERNS]->(:Country {id: 'RS'}) "
                           "RETURN count(*)") == 1


# --- broken inputs --------------------------------------------------------------------------------------------
def _corrupt(tmp_path: Path, change) -> Path:
    table = pd.read_csv(HUAWEI_EXTRACT, dtype=str, keep_default_na=False)
    table = change(table) if change else table
    path = tmp_path / "huawei.csv"
    table.to_csv(path, index=False)
    return path


def _set(record: str, column: str, value: str):
    def change(table: pd.DataFrame) -> pd.DataFrame:
        table.loc[table["AidData TUFF Project ID"] == record, column] = value
        return table
    return change


BROKEN = {  # name: (change, row, field, words in the message)
    "mismatched types": (_set("67789", "Implementing Agencies Type", "Other"), 8, "Implementing Agencies Type",
                         "lists 1 item(s) for the 2 name(s)"),
    "mismatched origins": (_set("67789", "Implementing Agencies Origin", "Recipient|Recipient|Recipient"), 8,
                           "Implementing Agencies Origin", "lists 3 item(s) for the 2 name(s)"),
    "bad amount": (_set("85145", "Amount (Original Currency)", "EUR 30.6m"), 16, "Amount (Original Currency)",
                   "is not an amount in units: 'EUR 30.6m'"),
    "bad currency": (_set("85145", "Original Currency", "euro"), 16, "Original Currency", "not an ISO 4217 code"),
    "unknown type": (_set("53843", "Funding Agencies Type", "Martian Bank"), 2, "Funding Agencies Type",
                     "an agency type this importer does not know"),
    "unknown status": (_set("53843", "Status", "Finished"), 2, "Status", "not one of AidData's statuses"),
    "unknown country": (_set("53843", "Recipient", "Atlantis"), 2, "Recipient", "not a country name"),
    "bad year": (_set("53843", "Commitment Year", "2017?"), 2, "Commitment Year", "is not a year"),
    "repeated record": (_set("54359", "AidData TUFF Project ID", "53843"), 4, "AidData TUFF Project ID",
                        "repeats record 53843 of row 2"),
    "missing column": (lambda t: t.drop(columns=["Funding Agencies Type"]), 1, "Funding Agencies Type", "is missing"),
    "not an AidData file": (lambda t: t.drop(columns=["AidData TUFF Project ID"]), 1, "AidData Record ID",
                            "is not a layout this importer knows"),
    "header only": (lambda t: t.iloc[0:0], 1, "rows", "has a header but no records"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_input_names_file_row_and_field_and_writes_nothing(case, clean_db, tmp_path):
    change, row, field, words = BROKEN[case]
    path = _corrupt(tmp_path, change)
    before = count(clean_db)
    with pytest.raises(ImportFailed) as failure:
        write_dataset(clean_db, DATABASE, gcdf.load(path))
    problem = next(p for p in failure.value.problems if p.field == field)
    assert words in problem.message
    assert problem.origin.file == str(path) and problem.origin.line == row
    assert f"{path}:{row}: " in str(failure.value) and f"field '{field}'" in str(failure.value)
    assert count(clean_db) == before, "the database is untouched"


def test_every_problem_is_listed_at_once(tmp_path):
    path = _corrupt(tmp_path, lambda t: _set("85145", "Amount (Original Currency)", "USD 1.2bn")(
        _set("67789", "Implementing Agencies Type", "Other")(t)))
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(path)
    assert {(p.origin.line, p.field) for p in failure.value.problems} == {
        (8, "Implementing Agencies Type"), (16, "Amount (Original Currency)")}


@pytest.mark.parametrize(("content", "field", "words"), [
    (b"", "file", "is empty (0 bytes)"),
    ("AidData TUFF Project ID,Title\n1,Caf\xe9\n".encode("latin-1"), "encoding", "is not valid utf-8"),
])
def test_empty_or_undecodable_file(tmp_path, content, field, words):
    path = tmp_path / "gcdf.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(path)
    problem = failure.value.problems[0]
    assert (problem.origin.file, problem.field) == (str(path), field) and words in problem.message


def test_a_folder_without_data_files_fails(tmp_path):
    shutil.copy(FIXTURES / "README.md", tmp_path / "README.md")
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(tmp_path)
    assert failure.value.problems[0].field == "files"


# --- the aggregates flag and the totals (issue #15) --------------------------------------------------------
def test_any_recommended_for_aggregates_column_is_read_and_named(tmp_path):
    table = pd.read_csv(HUAWEI_EXTRACT, dtype=str, keep_default_na=False)
    path = tmp_path / "tab.csv"
    table.rename(columns={"Recommended For Huawei Aggregates": "Recommended For Telecom Aggregates"}).to_csv(path, index=False)
    loaded = gcdf.load(path)
    # record 56785 is "No" in the extract: read as false, not as absent, from the tab's own column
    pledge = rel(loaded, "huawei-technologies-co-ltd", "FINANCED", "aiddata-56785")
    assert pledge["recommendedForAggregates"] is False
    assert "recommendedForAggregates: false (AidData column 'Recommended For Telecom Aggregates');" in pledge["note"]
    assert "recommended for aggregates: no (column 'Recommended For Telecom Aggregates')" in \
        loaded.nodes["aiddata-56785"].props["description"]


def test_two_aggregates_flags_and_unknown_layouts_are_refused(tmp_path):
    table = pd.read_csv(HUAWEI_EXTRACT, dtype=str, keep_default_na=False)
    two = tmp_path / "two.csv"
    table.assign(**{"Recommended For Aggregates": "Yes"}).to_csv(two, index=False)
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(two)
    flag = next(p for p in failure.value.problems if p.field == "Recommended For Aggregates")
    assert flag.origin.line == 1 and "second aggregates flag beside 'Recommended For Huawei Aggregates'" in flag.message
    unknown = tmp_path / "unknown.csv"
    table.drop(columns=["AidData TUFF Project ID"]).to_csv(unknown, index=False)
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(unknown)
    message = failure.value.problems[0].message
    for layout in ("GCDF 3.0: `AidData Record ID`", "GCDF 2.0: `AidData TUFF Project ID`",
                   "Global Huawei Finance Dataset 2.0", "`Recommended For Huawei Aggregates`"):
        assert layout in message


def test_huawei_totals_by_lender_are_the_rows_aiddata_recommends(clean_db):
    import csv

    import cypher

    path = require_shared(REAL_HUAWEI)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    recommended = [r for r in rows if r["Recommended For Huawei Aggregates"] == "Yes"]
    # worked out from the file alone: the USD amounts of the recommended rows, each row once
    expected_total = sum(float(r["Amount (Constant USD2017)"] or 0) for r in recommended)
    everything = sum(float(r["Amount (Constant USD2017)"] or 0) for r in rows)
    assert everything > expected_total > 0

    def lenders_named(row):
        return [name.strip() for column in ("Funding Agencies", "Cofinancing Agencies")
                for name in row[column].split("|") if name.strip()]

    write_dataset(clean_db, DATABASE, gcdf.load(path))
    chains = cypher.records(clean_db, "financing-chains", {}, DATABASE)
    counted = {r["commitment"]: r["amountUsd"] or 0 for r in chains if r["leftOutBecause"] is None}
    assert sum(counted.values()) == pytest.approx(expected_total)
    for row in cypher.records(clean_db, "top-lenders", {"limit": 1000}, DATABASE):
        names = {row["lender"], *clean_db.execute_query(
            "MATCH (n:Entity {id: $id}) RETURN coalesce(n.aliases, []) AS a", id=row["lenderId"],
            database_=DATABASE).records[0]["a"]}
        # a lender's own money and the co-financed rows it shares: the recommended rows that name it
        mine = sum(float(r["Amount (Constant USD2017)"] or 0) for r in recommended if names & set(lenders_named(r)))
        assert row["totalUsd"] + row["coFinancedUsd"] == pytest.approx(mine), row["lender"]
