"""FollowTheMoney importer: real OpenSanctions entities (yente's zala and t1 fixtures) into the graph.

Expected values were read off the JSON lines by hand (line numbers are those of
tests/fixtures/ftm/zala_entities.ftm.json unless a test says otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.records import ImportFailed
from graph.writer import write_dataset
from importers import ftm
from tests.helpers import DATABASE, SHARED, count, fingerprint, require_shared

FIXTURES = Path(__file__).parent / "fixtures" / "ftm"
ZALA = FIXTURES / "zala_entities.ftm.json"
T1 = FIXTURES / "t1_entities.ftm.json"
SHARED_ZALA = SHARED / "data" / "ftm-zala-fixture" / "zala_entities.ftm.json"

CST, KALASHNIKOV, ZAKHAROV = "llc-cst", "jsc-kalashnikov-concern", "alexander-vyacheslavovich-zakharov"
PROVENANCE = {"sources": ["opensanctions-zala"], "confidence": "stated"}


@pytest.fixture(scope="module")
def zala():
    return ftm.load(ZALA)


def rel(dataset, rel_id: str) -> dict:
    return dataset.relationships[rel_id].props


# --- the zala extract ---------------------------------------------------------------------------------
def test_zala_extract_gives_the_expected_nodes_ties_and_skips(zala):
    labels, types = zala.counts()
    assert labels == {"Company": 5, "Person": 3, "Country": 1, "Source": 1}
    assert types == {"OWNS": 8, "HOLDS_POSITION": 3, "LOCATED_IN": 5}
    assert zala.skipped == {"Address": 1, "Family": 1, "Passport": 1}
    assert {n.id for n in zala.nodes.values() if n.label == "Person"} == {
        ZAKHAROV, "svetlana-nikolaevna-zakharova", "abashkin-konstantin"}
    assert {n.id for n in zala.nodes.values() if n.label == "Company"} == {
        CST, KALASHNIKOV, "joint-stock-company-transkomplektholding", "limited-liability-company-aeroscan",
        "nekommerceskoe-partnerstvo-associacia-bespilotnyh-sistem"}


def test_source_node_names_the_file_and_its_date(zala):
    source = zala.nodes["opensanctions-zala"].props
    assert source["publisher"] == "OpenSanctions" and source["file"] == "zala_entities.ftm.json"
    assert source["date"] == "2026-04-29"  # latest last_seen, 2026-04-29T12:53:04
    assert source["title"].startswith("OpenSanctions FollowTheMoney entities in zala_entities.ftm.json (datasets: "
                                      "ann_graph_topics, au_dfat_sanctions, ")


def test_company_node_keeps_its_ftm_id_names_and_provenance(zala):
    cst = zala.nodes[CST]
    assert cst.label == "Company" and cst.origins[0].line == 6
    assert cst.props["name"] == "LLC CST"
    assert cst.props["externalIds"] == ["opensanctions:NK-abdzbEBkqyT29GyREbiURZ", "inn:1841015504", "ogrn:1101841007938",
                                        "permid:5062453043"]
    assert {"Zala Aero", "Zala Aero Group", "LIMITED LIABILITY COMPANY CST"} <= set(cst.props["aliases"])
    assert "CST" not in cst.props["aliases"], "abbreviations and weak aliases are not matched on"
    assert cst.props["topics"] == ["sanction", "debarment", "export.control", "poi", "corp.disqual"]
    assert cst.props["founded"] == 2010
    assert cst.props["sources"] == ["opensanctions-zala"] and cst.props["evidence"] == ["Company: LLC CST"]
    assert "https://war-sanctions.gur.gov.ua/uav/companies/672" in cst.props["urls"]


def test_a_cyrillic_caption_gives_way_to_a_latin_name(zala):
    holding = zala.nodes["joint-stock-company-transkomplektholding"].props
    assert holding["name"] == 'Joint-Stock Company "TransKomplektHolding"'
    assert holding["evidence"] == ['Company: Акціонерне товариство "ТрансКомплектХолдинг"']
    person = zala.nodes["abashkin-konstantin"].props
    assert person["name"] == "Abashkin Konstantin" and person["nationality"] == "RU"


def test_sanctioned_company_lists_every_sanction_once_in_file_order(zala):
    assert zala.nodes[CST].props["sanctions"] == [
        "Department of Foreign Affairs and Trade (AU): Autonomous (Russia)",           # line 11
        "Federal Public Service Finance (BE)",                                          # line 12, no program
        "State Secretariat for Economic Affairs (CH): Ordinance of 4 March 2022 on measures related to the situation "
        "in Ukraine (RS 946.231.176.72), annexes 2, 8, 9, 10, 11, 12,13, 14, 14a, 15, 15a, 15b, 25 and 33",  # lines 13-15
        "Office of Foreign Assets Control (US): RUSSIA-EO14024",                        # lines 18 and 20
        "Department of the Commerce - International Trade Administration (US): Entity List (EL) - Bureau of Industry "
        "and Security",                                                                 # line 32
        "Служба безпеки України, National Security and Defense Council (UA): 761/2024",  # line 33
    ]
    assert zala.nodes[ZAKHAROV].props["sanctions"] == [
        "Council of the European Union (EU)", "Office of Foreign Assets Control (US): RUSSIA-EO14024"]  # lines 16, 19
    assert "sanction" in zala.nodes[ZAKHAROV].props["topics"]


def test_owner_chain_of_llc_cst_with_percentages(zala):
    owners = {r.id for r in zala.relationships.values() if r.type == "OWNS" and r.end == CST}
    zakharov_51, zakharov_50 = (f"{ZAKHAROV}|OWNS|{CST}|ru-dfe0a021cb69f99e198bb8cbbcb93e81130b32a7",
                                f"{ZAKHAROV}|OWNS|{CST}|ru-770bdf5f22537fa2a94176f53fa87fe28ecf94fa")
    kalashnikov_49, kalashnikov_parent = (f"{KALASHNIKOV}|OWNS|{CST}|ru-29477727b21c0f44d9c8b2e0c3697b8e028f8f5f",
                                          f"{KALASHNIKOV}|OWNS|{CST}|NK-3NyeuT6JeJDLhGEyH3JD52")
    holding = f"joint-stock-company-transkomplektholding|OWNS|{CST}"  # the only tie of its pair, so no key
    assert owners == {zakharov_51, zakharov_50, f"{ZAKHAROV}|OWNS|{CST}|ru-7f202fd87a7ec03404a36667672156628713531c",
                      kalashnikov_49, kalashnikov_parent, holding, f"svetlana-nikolaevna-zakharova|OWNS|{CST}"}
    # line 31: 51 % since 2015-11-25, still held; the record last changed 2026-01-09
    assert rel(zala, zakharov_51) == {
        **PROVENANCE, "id": zakharov_51, "share": 0.51, "controlling": True, "validFrom": 2015, "asOf": 2026,
        "externalIds": ["opensanctions:ru-dfe0a021cb69f99e198bb8cbbcb93e81130b32a7"],
        "evidence": ["Ownership: owner Alexander Vyacheslavovich ZAKHAROV; asset LLC CST; percentage 51; startDate 2015-11-25"],
    }
    # line 25: Kalashnikov 49 % since 2016-03-29
    assert {k: rel(zala, kalashnikov_49).get(k) for k in ("share", "controlling", "validFrom", "validTo")} == {
        "share": 0.49, "controlling": False, "validFrom": 2016, "validTo": None}
    # line 1: "subsidiary of", no percentage, from gb_fcdo_sanctions (last_change 2026-02-16)
    subsidiary = rel(zala, kalashnikov_parent)
    assert subsidiary["controlling"] is True and "share" not in subsidiary and subsidiary["asOf"] == 2026
    assert subsidiary["note"] == "controlling from role 'subsidiary of'"
    # line 27: 50 % from 2015-11-25 to 2023-03-02: neither controlling nor minority; ended, so dated 2023
    ended = rel(zala, zakharov_50)
    assert (ended["validFrom"], ended["validTo"], ended["asOf"], "controlling" in ended) == (2015, 2023, 2023, False)
    assert ended["note"] == "percentage 50 (share left out: the stake has ended)"
    # line 24: TransKomplektHolding 2 % from 2019-05-24 to 2023-12-21
    assert {k: rel(zala, holding).get(k) for k in ("controlling", "validFrom", "validTo", "asOf")} == {
        "controlling": False, "validFrom": 2019, "validTo": 2023, "asOf": 2023}


def test_directorships_with_and_without_dates(zala):
    # line 30: Abashkin, general director of LLC CST since 2017-10-23
    assert rel(zala, f"abashkin-konstantin|HOLDS_POSITION|{CST}") == {
        **PROVENANCE, "id": f"abashkin-konstantin|HOLDS_POSITION|{CST}", "title": "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР", "since": 2017,
        "asOf": 2026, "externalIds": ["opensanctions:ru-a9285fbd0d02aebe28295dd37885191822789ad8"],
        "evidence": ["Directorship: director Abashkin Konstantin; organization LLC CST; role ГЕНЕРАЛЬНЫЙ ДИРЕКТОР; "
                     "startDate 2017-10-23"],
    }
    # line 21: OFAC's "Leader or official of", undated; the record last changed 2023-11-02
    ofac = rel(zala, f"{ZAKHAROV}|HOLDS_POSITION|{CST}")
    assert (ofac["title"], ofac["asOf"], "since" in ofac) == ("Leader or official of", 2023, False)
    # line 29: executive director of the drone association since 2005-07-11
    association = rel(zala, f"{ZAKHAROV}|HOLDS_POSITION|nekommerceskoe-partnerstvo-associacia-bespilotnyh-sistem")
    assert (association["title"], association["since"]) == ("Исполнительный директор", 2005)


def test_companies_are_located_in_their_jurisdiction(zala):
    located = {r.start for r in zala.relationships.values() if r.type == "LOCATED_IN" and r.end == "RU"}
    assert len(located) == 5 and CST in located
    assert rel(zala, f"{CST}|LOCATED_IN|RU")["evidence"] == ["Company: LLC CST; jurisdiction ru; country ru"]
    assert zala.nodes["RU"].props["name"] == "Russia"


# --- the t1 file (the whole file is the fixture) ------------------------------------------------------------
def test_t1_file():
    dataset = ftm.load(T1)
    assert {n.id: n.label for n in dataset.nodes.values()} == {
        "opensanctions-t1": "Source", "rab-inter-tobacco": "Organization", "irgc": "Organization", "BY": "Country",
        "IR": "Country", "vitaly-yurievich-kuzmenko": "Person", "tatiana-vladimirovna-zjuravleva": "Person",
        "svjatlana-paulauna-pachodava": "Person", "viktor-vladimirovitj-sojko": "Person"}
    assert sorted(dataset.relationships) == ["irgc|LOCATED_IN|IR", "rab-inter-tobacco|LOCATED_IN|BY"]
    assert rel(dataset, "irgc|LOCATED_IN|IR")["asOf"] == 2023  # last_change 2023-07-26
    assert dataset.skipped == {"Address": 1}
    assert dataset.nodes["opensanctions-t1"].props["date"] == "2024-06-01"
    assert dataset.nodes["irgc"].props["aliases"] == ["Iranian Revolutionary Guard Corps"]
    assert dataset.nodes["vitaly-yurievich-kuzmenko"].props["nationality"] == "RU"
    assert "nationality" not in dataset.nodes["tatiana-vladimirovna-zjuravleva"].props
    assert all(n.props["topics"] == ["sanction"] for n in dataset.nodes.values() if n.label in {"Person", "Organization"})


# --- the full zala file (../shared) ------------------------------------------------------------------------
def test_full_zala_file():
    dataset = ftm.load(require_shared(SHARED_ZALA))
    labels, types = dataset.counts()
    assert labels == {"Company": 11, "Person": 6, "Country": 1, "Source": 1}
    assert types == {"OWNS": 14, "HOLDS_POSITION": 3, "LOCATED_IN": 11}
    assert dataset.skipped == {"Address": 11, "Family": 4, "Passport": 1}
    sanctions = dataset.nodes[CST].props["sanctions"]
    assert len(sanctions) == 20  # 28 Sanction records on LLC CST, 20 distinct lists
    assert "OFAC (US): Reciprocal" in sanctions and "La Principauté de Monaco (MC)" in sanctions
    owned = {r.end for r in dataset.relationships.values() if r.type == "OWNS" and r.start == ZAKHAROV}
    assert len(owned) == 8  # 10 Ownership records name him as owner, three of them of LLC CST


# --- mappings the real files do not exercise (synthetic entities, made up for these tests) ---------------
def entity(entity_id: str, schema: str, **properties) -> dict:
    values = {k: v if isinstance(v, list) else [v] for k, v in properties.items()}
    return {"id": entity_id, "schema": schema, "properties": values, "datasets": ["synthetic"],
            "first_seen": "2023-01-05T00:00:00", "last_seen": "2024-06-01T00:00:00", "last_change": "2024-05-01T00:00:00"}


SYNTHETIC = [
    entity("gov-zw", "PublicBody", name="Government of Zimbabwe", country="zw"),
    entity("mps", "PublicBody", name="Ministry of Public Security", country="cn"),
    entity("bureau", "Organization", name="Shenzhen Public Security Bureau", topics="gov.muni", country="cn"),
    entity("exim", "Company", name="The Export-Import Bank of China", alias="China Eximbank", country="cn"),
    entity("cetc", "Company", name="China Electronics Technology Group", topics="gov.soe", incorporationDate="2002-03-01"),
    entity("telone", "Company", name="TelOne", country="zw"),
    entity("assoc", "Organization", name="Security Industry Association", country="eu"),
    entity("wang-a", "Person", name="Wang Wei", nationality=["cn", "hk"]),
    entity("wang-b", "Person", name="Wang Wei", citizenship="cn"),
    entity("debt", "Debt", creditor="exim", debtor="gov-zw", amount="71000000", currency="usd", date="2018-05-01"),
    entity("project", "Project", name="Zimbabwe Safe City", startDate="2018", status="Signed"),
    entity("pp-cetc", "ProjectParticipant", participant="cetc", project="project", role="Main contractor",
           startDate="2018-06"),
    entity("pp-gov", "ProjectParticipant", participant="gov-zw", project="project", role="Client"),
    entity("m-person", "Membership", member="wang-a", organization="mps", role="Vice minister", startDate="2015"),
    entity("m-org", "Membership", member="cetc", organization="assoc", startDate="2019"),
    entity("job", "Employment", employee="wang-b", employer="cetc"),
    entity("d-company", "Directorship", director="cetc", organization="telone"),
    entity("own", "Ownership", owner="gov-zw", asset="telone", percentage="100%", startDate="1940-01-01"),
]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("ftm") / "synthetic_entities.ftm.json"
    path.write_text("\n".join(json.dumps(e) for e in SYNTHETIC) + "\n", encoding="utf-8")
    return ftm.load(path)


def test_state_bodies_banks_and_state_owned_companies(synthetic):
    labels = {n.id: (n.label, n.props.get("level") or n.props.get("kind")) for n in synthetic.nodes.values()}
    assert labels["government-of-zimbabwe"] == ("Government", "national")
    assert labels["ministry-of-public-security"] == ("Government", "ministry")
    assert labels["shenzhen-public-security-bureau"] == ("Government", "municipal")
    assert labels["china-exim-bank"] == ("StateBank", "policy bank")
    bank = synthetic.nodes["china-exim-bank"].props
    assert bank["name"] == "Export-Import Bank of China", "the seed's name is kept"
    assert bank["aliases"] == ["The Export-Import Bank of China", "China Eximbank"]
    cetc = synthetic.nodes["china-electronics-technology-group"].props
    assert (cetc["stateOwned"], cetc["founded"]) == (True, 2002)


def test_two_entities_with_one_name_get_suffixes(synthetic):
    people = {n.id: n.props for n in synthetic.nodes.values() if n.label == "Person"}
    assert set(people) == {"wang-wei-wanga", "wang-wei-wangb"}
    assert "nationality" not in people["wang-wei-wanga"], "two nationalities: none is chosen"
    assert people["wang-wei-wangb"]["nationality"] == "CN"


def test_debt_project_membership_and_employment_ties(synthetic):
    financed = rel(synthetic, "china-exim-bank|FINANCED|government-of-zimbabwe")
    assert (financed["amount"], financed["currency"], financed["year"]) == (71000000.0, "USD", 2018)
    project = synthetic.nodes["zimbabwe-safe-city"].props
    assert (project["kind"], project["status"], project["year"]) == ("other", "signed", 2018)
    client = rel(synthetic, "government-of-zimbabwe|COMMISSIONED|zimbabwe-safe-city")
    assert client["note"] == "role 'Client'"
    contract = rel(synthetic, "china-electronics-technology-group|CONTRACTED_FOR|zimbabwe-safe-city")
    assert (contract["role"], contract["note"], contract["year"]) == ("prime contractor", "role 'Main contractor'", 2018)
    member = rel(synthetic, "wang-wei-wanga|HOLDS_POSITION|ministry-of-public-security")
    assert (member["title"], member["since"]) == ("Vice minister", 2015)
    partner = rel(synthetic, "china-electronics-technology-group|PARTNERED_WITH|security-industry-association")
    assert (partner["kind"], partner["year"], partner["note"]) == ("other", 2019, "membership")
    job = rel(synthetic, "wang-wei-wangb|HOLDS_POSITION|china-electronics-technology-group")
    assert (job["title"], job["note"]) == ("employee", "no role given; title from the FtM schema")


def test_years_outside_the_schema_are_left_out_with_a_note(synthetic):
    stake = rel(synthetic, "government-of-zimbabwe|OWNS|telone")
    assert (stake["share"], stake["controlling"], "validFrom" in stake) == (1.0, True, False)
    assert stake["note"] == "validFrom 1940 left out: outside 1949-2100"


def test_what_the_graph_cannot_hold_is_counted(synthetic):
    assert synthetic.skipped == {
        "Directorship (director is a Company)": 1,
        "country 'eu' (not an ISO 3166-1 country)": 1,
    }
    assert "security-industry-association|LOCATED_IN|EU" not in synthetic.relationships


# --- writing ------------------------------------------------------------------------------------------
def test_import_twice_changes_nothing(clean_db, zala):
    first = write_dataset(clean_db, DATABASE, zala)
    total = len(zala.nodes) + len(zala.relationships)
    assert first.total("created") == total
    before = fingerprint(clean_db)
    second = write_dataset(clean_db, DATABASE, ftm.load(ZALA))
    assert (second.total("created"), second.total("updated"), second.total("unchanged")) == (0, 0, total)
    assert fingerprint(clean_db) == before
    records, _, _ = clean_db.execute_query(
        "MATCH (:Person {id: $person})-[r:OWNS]->(:Company {id: $company}) WHERE r.share IS NOT NULL "
        "RETURN r.share AS share, r.sources AS sources", person=ZAKHAROV, company=CST, database_=DATABASE)
    assert [(r["share"], r["sources"]) for r in records] == [(0.51, ["opensanctions-zala"])]


def test_full_zala_file_imports_twice_unchanged(clean_db):
    dataset = ftm.load(require_shared(SHARED_ZALA))
    write_dataset(clean_db, DATABASE, dataset)
    again = write_dataset(clean_db, DATABASE, ftm.load(SHARED_ZALA))
    assert again.total("created") == again.total("updated") == 0
    assert count(clean_db) == len(dataset.nodes) == 19
    assert count(clean_db, "MATCH ()-[r]->() RETURN count(r)") == len(dataset.relationships) == 28


# --- broken inputs ------------------------------------------------------------------------------------
def _edit(line_number: int, change):
    def apply(lines: list[bytes]) -> list[bytes]:
        data = json.loads(lines[line_number - 1])
        change(data)
        lines[line_number - 1] = json.dumps(data, ensure_ascii=False).encode() + b"\n"
        return lines
    return apply


BROKEN = {  # name: (how the copy is broken, line, field, words of the message)
    "invalid JSON": (lambda lines: [*lines[:4], lines[4][:60] + b"\n", *lines[5:]], 5, "json", "is not valid JSON"),
    "unknown schema": (_edit(6, lambda d: d.update(schema="Corporation")), 6, "schema", "not a FollowTheMoney schema"),
    "owner not in the file": (_edit(31, lambda d: d["properties"].update(owner=["NK-notInThisFile"])), 31, "owner",
                              "'NK-notInThisFile', which is not in the file"),
    "bad percentage": (_edit(31, lambda d: d["properties"].update(percentage=["fifty-one"])), 31, "percentage",
                       "is not a percentage"),
    "bad date": (_edit(31, lambda d: d["properties"].update(startDate=["2015-11-45"])), 31, "startDate", "not a valid date"),
    "same id twice": (lambda lines: [*lines, lines[5]], 34, "id", "appears again (first on line 6)"),
    "not UTF-8": (lambda lines: [*lines[:9], b'{"id": "x\xff"}\n', *lines[10:]], 10, "encoding", "is not UTF-8"),
    "empty file": (lambda lines: [], None, "entities", "holds no entities"),
}


@pytest.mark.parametrize("broken", BROKEN)
def test_broken_input_names_file_line_and_field_and_writes_nothing(broken, clean_db, tmp_path, zala):
    write_dataset(clean_db, DATABASE, zala)
    before = fingerprint(clean_db)
    change, line, field, words = BROKEN[broken]
    path = tmp_path / "zala_entities.ftm.json"
    path.write_bytes(b"".join(change(ZALA.read_bytes().splitlines(keepends=True))))

    with pytest.raises(ImportFailed) as failure:
        ftm.load(path)
    problem = next(p for p in failure.value.problems if p.field == field)
    assert (problem.origin.file, problem.origin.line) == (str(path), line)
    assert words in problem.message
    assert f"{path}" in str(failure.value) and f"'{field}'" in str(failure.value)
    assert fingerprint(clean_db) == before, "the database is untouched"


def test_a_rejected_line_is_reported_once_not_again_by_every_reference(tmp_path):
    lines = ZALA.read_bytes().splitlines(keepends=True)
    path = tmp_path / "zala_entities.ftm.json"
    path.write_bytes(b"".join(_edit(6, lambda d: d.update(schema="Corporation"))(lines)))  # LLC CST
    with pytest.raises(ImportFailed) as failure:
        ftm.load(path)
    assert [(p.origin.line, p.field) for p in failure.value.problems] == [(6, "schema")]


def test_an_empty_file_fails_on_its_own_problem_and_the_counts(tmp_path):
    path = tmp_path / "entities.ftm.json"
    path.write_bytes(b"")
    with pytest.raises(ImportFailed) as failure:
        ftm.load(path)
    assert [p.field for p in failure.value.problems] == ["entities", "min.nodes", "min.relationships", "min.Source"]


def test_source_id_comes_from_the_file_name():
    assert ftm.source_id_for(Path("zala_entities.ftm.json")) == "opensanctions-zala"
    assert ftm.source_id_for(Path("entities.ftm.json")) == "opensanctions"
    assert ftm.source_id_for(Path("eu_fsf.jsonl")) == "opensanctions-eu-fsf"
