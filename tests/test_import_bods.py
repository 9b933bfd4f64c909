"""BODS importer: the exact nodes and ties of each example package, repeatable imports, refused broken input.

The expected values were read by hand from the example packages in tests/fixtures/bods/ (copies of
Open Ownership's examples; see the README there).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph.records import Dataset, ImportFailed, Origin
from graph.writer import write_dataset
from importers import bods
from tests.helpers import DATABASE, SHARED, count, fingerprint, require_shared

FIXTURES = Path(__file__).parent / "fixtures" / "bods"
V02, V03, V04 = FIXTURES / "v0.2", FIXTURES / "v0.3", FIXTURES / "v0.4"
REAL = SHARED / "data" / "bods-examples"
# The five examples named in the task, and the listed company; fermcat and fi-soe are tested apart.
EXAMPLES = ["bods-package-entity-owning-entity.json", "bods-package.json", "full-pep-declaration.json",
            "indirect-ownership.json", "joint-ownership.json", "listed-company-exempt-from-disclosure.json"]


def _core_counts_stakes(**tie: object) -> bool:
    """Whether importers.core adds this kind of 100% stake to a current 100% stake in its "above 100%" check."""
    dataset = Dataset()
    dataset.add_node("Source", {"id": "s", "name": "s", "title": "s", "publisher": "p", "date": "2020"}, Origin("t"))
    for node in ("a", "b", "c"):
        dataset.add_node("Company", {"id": node, "name": node, "sources": ["s"], "evidence": ["q"]}, Origin("t"))
    provenance = {"sources": ["s"], "evidence": ["q"], "confidence": "stated", "asOf": 2020}
    dataset.add_relationship("OWNS", "a", "c", {"share": 1.0, **provenance}, Origin("t"))
    dataset.add_relationship("OWNS", "b", "c", {"share": 1.0, **tie, **provenance}, Origin("t"))
    return any(p.field == "share" for p in dataset.problems())


# importers/core.py (commit 0391fb3) sums every OWNS share into a company, also stakes that ended
# (validTo) and stakes held through intermediaries (direct: false), though its message speaks of
# direct stakes. BODS packages hold both (fermcat: owners over three years; fi-soe: the state's
# indirect 100%). These marks lift themselves once core counts current direct stakes only.
CORE_COUNTS_ENDED = _core_counts_stakes(validTo=2019)
CORE_COUNTS_INDIRECT = _core_counts_stakes(direct=False)
NEEDS_CORE_ENDED = pytest.mark.xfail(CORE_COUNTS_ENDED, strict=True,
                                     reason="core sums ended stakes into the 100% check (see test module)")
NEEDS_CORE_INDIRECT = pytest.mark.xfail(CORE_COUNTS_INDIRECT, strict=True,
                                        reason="core sums indirect stakes into the 100% check (see test module)")


def graph(dataset: Dataset) -> tuple[dict, dict]:
    nodes = {n.id: (n.label, n.props) for n in dataset.nodes.values()}
    ties = {r.id: (r.type, r.start, r.end, r.props) for r in dataset.relationships.values()}
    return nodes, ties


def source(file: str, publisher: str, date: str, version: str = "0.4", **extra) -> tuple[str, dict]:
    source_id = bods.source_id(Path(file))
    return "Source", {"id": source_id, "name": f"BODS {file}", "title": f"BODS {version} package {file}",
                      "publisher": publisher, "date": date, "file": file, **extra}


def company(node_id: str, name: str, evidence: list[str], source_id: str, external: list[str], **extra) -> tuple[str, dict]:
    return "Company", {"id": node_id, "name": name, **extra, "externalIds": external,
                       "sources": [source_id] * len(evidence), "evidence": evidence}


def person(node_id: str, name: str, evidence: str, source_id: str, record: str, **extra) -> tuple[str, dict]:
    return "Person", {"id": node_id, "name": name, **extra, "externalIds": [f"bods:{record}"],
                      "sources": [source_id], "evidence": [evidence]}


def owns(start: str, end: str, evidence: str, source_id: str, record: str, key: str | None = None, **props) -> tuple:
    rel_id = "|".join([start, "OWNS", end] + ([key] if key else []))
    return "OWNS", start, end, {"id": rel_id, "confidence": "stated", "externalIds": [f"bods:{record}"],
                                "sources": [source_id], "evidence": [evidence], **props}


# --- each example, node by node and tie by tie ---------------------------------------------------------
def test_entity_owning_entity():
    nodes, ties = graph(bods.load(V04 / "bods-package-entity-owning-entity.json"))
    pkg = "bods-package-entity-owning-entity"
    assert nodes == {
        pkg: source("bods-package-entity-owning-entity.json", "JENEX LIMITED", "2018-05-31"),
        "jenex-limited": company("jenex-limited", "JENEX LIMITED", ["JENEX LIMITED (registeredEntity, GB-COH 03209885)"],
                                 pkg, ["bods:12b7dd0770ce", "gb-coh:03209885"], founded=1996),
        "mvj-limited": company("mvj-limited", "MVJ LIMITED", ["MVJ LIMITED (registeredEntity, GB-COH 08150312)"],
                               pkg, ["bods:e83cce729ada", "gb-coh:08150312"], founded=2012),
    }
    assert ties == {"mvj-limited|OWNS|jenex-limited": owns(
        "mvj-limited", "jenex-limited", "MVJ LIMITED → JENEX LIMITED: shareholding (direct, minimum 75, exclusiveMaximum 100)",
        pkg, "0f31559c6eec", asOf=2016, shareMin=0.75, shareMax=1.0, interests=["shareholding"], controlling=True,
        direct=True)}


def test_one_person_owning_a_company():
    nodes, ties = graph(bods.load(V04 / "bods-package.json"))
    pkg = "bods-package"
    assert nodes == {
        pkg: source("bods-package.json", "Profitech Ltd", "2020-03-04"),
        "profitech-ltd": company("profitech-ltd", "Profitech Ltd", ["Profitech Ltd (registeredEntity, GB-COH 2063384560)"],
                                 pkg, ["bods:c359f58d2977", "gb-coh:2063384560"], founded=2019),
        "jennifer-hewitson-smith": person("jennifer-hewitson-smith", "Jennifer Hewitson-Smith",
                                          "Jennifer Hewitson-Smith (knownPerson)", pkg, "10478c6cf6de",
                                          aliases=["Jenny Hewitson-Smith"], nationality="GB"),
    }
    assert ties == {"jennifer-hewitson-smith|OWNS|profitech-ltd": owns(
        "jennifer-hewitson-smith", "profitech-ltd",
        "Jennifer Hewitson-Smith → Profitech Ltd: shareholding (direct, exact 100, startDate 2016-04-06)",
        pkg, "93b53022ae6a", asOf=2020, validFrom=2016, share=1.0, interests=["shareholding"], controlling=True,
        direct=True)}


@pytest.mark.parametrize(("folder", "file", "version", "ids"), [
    (V04, "full-pep-declaration.json", "0.4", ("a7b3bd81d8ba", "9bcdcc85e803", "91e4b9055ca0")),
    (V03, "4b-full-pep-declaration.json", "0.3", ("0d2a7a15-3291-4ac7-9663-e3659056dadc",
                                                 "a5680770-899f-4f7a-b795-e266f1ce8668",
                                                 "106271aa-10ff-48ad-a5ba-f3f8132b59ff")),
])
def test_politically_exposed_person(folder, file, version, ids):
    nodes, ties = graph(bods.load(folder / file))
    pkg = bods.source_id(Path(file))
    company_record, person_record, relationship_record = ids
    mining = "platinum-emerald-and-plutonim-mining-limited"
    # 0.4 bounds the ranges with exclusiveMaximum; 0.3 with maximum (exclusive by default)
    upper = "exclusiveMaximum 50" if version == "0.4" else "maximum 50"
    assert nodes == {
        pkg: source(file, "ETI International", "2019-06-07", version),
        mining: company(mining, "Platinum Emerald and Plutonim Mining Limited",
                        ["Platinum Emerald and Plutonim Mining Limited (registeredEntity, GB-COH XE-000079054)"],
                        pkg, [f"bods:{company_record}", "gb-coh:XE-000079054"]),
        "michael-hubbard": person("michael-hubbard", "Michael Hubbard",
                                  "Michael Hubbard (knownPerson, isPep: Member of Parliament)", pkg, person_record,
                                  topics=["role.pep"], description="Politically exposed person: Member of Parliament"),
    }
    assert ties == {f"michael-hubbard|OWNS|{mining}": owns(
        "michael-hubbard", mining,
        f"Michael Hubbard → Platinum Emerald and Plutonim Mining Limited: shareholding (direct, minimum 25, {upper}, "
        f"startDate 2016-07-07); votingRights (direct, minimum 25, {upper}, startDate 2016-07-07)",
        pkg, relationship_record, asOf=2019, validFrom=2016, shareMin=0.25, shareMax=0.5,
        interests=["shareholding", "voting-rights"], controlling=False, direct=True)}


def test_indirect_ownership_chain():
    """Person 1 holds 30% of Company A through Company B, which holds 60% of A; the components are ties too."""
    nodes, ties = graph(bods.load(V04 / "indirect-ownership.json"))
    pkg = "bods-indirect-ownership"
    assert nodes == {
        pkg: source("indirect-ownership.json", "XXXXXXXXX", "2017-12-01"),
        "company-a": company("company-a", "Company A", ["Company A (registeredEntity, GB-COH XE9999)"], pkg,
                             ["bods:ad3f6c2fcc9e", "gb-coh:XE9999"]),
        "company-b": company("company-b", "Company B", ["Company B (registeredEntity, GB-COH XE1010)"], pkg,
                             ["bods:d4ab89ea169a", "gb-coh:XE1010"]),
        "person-1": person("person-1", "Person 1", "Person 1 (knownPerson)", pkg, "c25d4d612c2c", nationality="GB"),
    }
    assert ties == {
        "company-b|OWNS|company-a": owns(
            "company-b", "company-a", "Company B → Company A: shareholding (direct, exact 60, startDate 2017-11-01)",
            pkg, "4cf2837bd01f", asOf=2018, validFrom=2017, share=0.6, interests=["shareholding"], controlling=True,
            direct=True),
        "person-1|OWNS|company-b": owns(
            "person-1", "company-b", "Person 1 → Company B: interest (unknown)", pkg, "05e81af035e4", asOf=2018),
        "person-1|OWNS|company-a|indirect": owns(
            "person-1", "company-a", "Person 1 → Company A: shareholding (indirect, exact 30, startDate 2017-11-01)",
            pkg, "d8d75ccf40e4", key="indirect", asOf=2018, validFrom=2017, share=0.3, interests=["shareholding"],
            controlling=False, direct=False),
    }


@pytest.mark.parametrize("folder", [V02, V03])
def test_indirect_chain_reads_the_same_in_0_2_and_0_3(folder):
    """The same example as published for 0.2 (`interestLevel`, statementIDs) and 0.3 gives the same graph."""
    nodes, ties = graph(bods.load(folder / "os-03-dr-04.json"))
    expected_nodes, expected_ties = graph(bods.load(V04 / "indirect-ownership.json"))
    kept = ("share", "interests", "controlling", "direct", "validFrom", "asOf")
    assert {i: label for i, (label, _) in nodes.items() if label != "Source"} == \
           {i: label for i, (label, _) in expected_nodes.items() if label != "Source"}
    assert {i: {k: p.get(k) for k in kept} for i, (*_, p) in ties.items()} == \
           {i: {k: p.get(k) for k in kept} for i, (*_, p) in expected_ties.items()}
    assert ties["company-b|OWNS|company-a"][3]["externalIds"] == ["bods:7fff3986-233f-413f-bec8-3b28c62a4a51"]


def test_joint_ownership_through_an_arrangement():
    nodes, ties = graph(bods.load(V04 / "joint-ownership.json"))
    pkg = "bods-joint-ownership"
    joint = "joint-shareholding-91b4236a7d89"
    assert nodes == {
        pkg: source("joint-ownership.json", "CHRINON LTD", "2018-11-18"),
        "chrinon-ltd": company("chrinon-ltd", "CHRINON LTD", ["CHRINON LTD (registeredEntity, GB-COH 07444723)"], pkg,
                               ["bods:31c55e425764", "gb-coh:07444723"], founded=2010),
        joint: ("Organization", {"id": joint, "name": "Joint shareholding", "description": "BODS entity type: arrangement",
                                 "externalIds": ["bods:91b4236a7d89"], "sources": [pkg],
                                 "evidence": ["Joint shareholding (arrangement)"]}),
        "natalie-coleman": person("natalie-coleman", "Natalie Coleman", "Natalie Coleman (knownPerson)", pkg, "1accb8b18b99"),
        "roberto-lopez": person("roberto-lopez", "Roberto Lopez", "Roberto Lopez (knownPerson)", pkg, "f040df24d9ec"),
    }
    held = {"asOf": 2018, "validFrom": 2018, "interests": ["shareholding"], "direct": True}
    assert ties == {
        f"{joint}|OWNS|chrinon-ltd": owns(
            joint, "chrinon-ltd", "Joint shareholding → CHRINON LTD: shareholding (direct, exact 100, startDate 2018-01-01)",
            pkg, "2670f25aee62", share=1.0, controlling=True, **held),
        f"natalie-coleman|OWNS|{joint}": owns(
            "natalie-coleman", joint,
            "Natalie Coleman → Joint shareholding: shareholding (direct, exact 50, startDate 2018-01-01)",
            pkg, "a86c50f8b3dd", share=0.5, controlling=False, **held),
        f"roberto-lopez|OWNS|{joint}": owns(
            "roberto-lopez", joint, "Roberto Lopez → Joint shareholding: shareholding (direct, exact 50, startDate 2018-01-01)",
            pkg, "b391a41da07e", share=0.5, controlling=False, **held),
    }


def test_listed_company_exempt_from_disclosure():
    nodes, ties = graph(bods.load(V04 / "listed-company-exempt-from-disclosure.json"))
    pkg = "bods-listed-company-exempt-from-disclosure"
    assert nodes == {
        pkg: source("listed-company-exempt-from-disclosure.json", "Example Register", "2019-06-13"),
        "listed-company-os-17": company(
            "listed-company-os-17", "Listed Company OS-17",
            ["Listed Company OS-17 (registeredEntity, GB-COH XE000017)",
             "Exempt from disclosure as a company listed on a recognised stock exchange"],
            pkg, ["bods:4c7ea3bfbe6c", "gb-coh:XE000017"],
            description="Publicly listed company. An interested party is not named in BODS: subjectExemptFromDisclosure."),
    }
    assert ties == {}, "an unspecified interested party gives no tie"


@NEEDS_CORE_ENDED
def test_updates_and_closed_records_latest_statement_wins():
    """fermcat: 2019 two owners and directors; 2021 one dies (closed), an heir takes half; 2022 the heir's
    stake is closed and the other owner holds 100%."""
    nodes, ties = graph(bods.load(V04 / "fermcat.json"))
    pkg = "bods-fermcat"
    assert sorted(nodes) == ["bods-fermcat", "declan-byrne-amin", "fermcat-ltd", "patrick-o-donohue", "riyadh-byrne-amin"]
    assert nodes["riyadh-byrne-amin"][1]["nationality"] == "IQ", "the first of two nationalities (IQ, IE)"
    assert "identifiers" not in json.dumps(nodes) and "7700225VH" not in json.dumps(nodes), "tax numbers are not kept"
    riyadh, patrick, declan = "riyadh-byrne-amin", "patrick-o-donohue", "declan-byrne-amin"
    board = {"title": "Board member"}
    assert ties == {
        f"{riyadh}|OWNS|fermcat-ltd": owns(
            riyadh, "fermcat-ltd",
            "Riyadh Byrne-Amin → Fermcat Ltd: shareholding (direct, exact 50, startDate 2019-09-11, endDate 2021-04-03)",
            pkg, "rel-b05e7c91e0a04e4f", asOf=2021, validFrom=2019, validTo=2021, share=0.5, interests=["shareholding"],
            controlling=False, direct=True),
        f"{riyadh}|HOLDS_POSITION|fermcat-ltd|board-member": ("HOLDS_POSITION", riyadh, "fermcat-ltd", {
            "id": f"{riyadh}|HOLDS_POSITION|fermcat-ltd|board-member", **board, "confidence": "stated", "asOf": 2021,
            "validFrom": 2019, "validTo": 2021, "externalIds": ["bods:rel-b05e7c91e0a04e4f"], "sources": [pkg],
            "evidence": ["Riyadh Byrne-Amin → Fermcat Ltd: boardMember (direct, startDate 2019-09-11, endDate 2021-04-03)"]}),
        f"{patrick}|OWNS|fermcat-ltd": owns(
            patrick, "fermcat-ltd", "Patrick O'Donohue → Fermcat Ltd: shareholding (direct, exact 100, startDate 2019-09-11)",
            pkg, "rel-3fc02d9b6bdfd5ca", asOf=2022, validFrom=2019, share=1.0, interests=["shareholding"],
            controlling=True, direct=True),
        f"{patrick}|HOLDS_POSITION|fermcat-ltd|board-member": ("HOLDS_POSITION", patrick, "fermcat-ltd", {
            "id": f"{patrick}|HOLDS_POSITION|fermcat-ltd|board-member", **board, "confidence": "stated", "asOf": 2022,
            "validFrom": 2019, "externalIds": ["bods:rel-3fc02d9b6bdfd5ca"], "sources": [pkg],
            "evidence": ["Patrick O'Donohue → Fermcat Ltd: boardMember (direct, startDate 2019-09-11)"]}),
        f"{declan}|OWNS|fermcat-ltd": owns(
            declan, "fermcat-ltd",
            "Declan Byrne-Amin → Fermcat Ltd: shareholding (direct, exact 50, startDate 2021-04-03, endDate 2022-01-21)",
            pkg, "rel-b64a491543d986d0", asOf=2022, validFrom=2021, validTo=2022, share=0.5, interests=["shareholding"],
            controlling=False, direct=True),
    }


@NEEDS_CORE_INDIRECT
def test_state_and_ministry_own_a_company():
    nodes, ties = graph(bods.load(V04 / "bods-package-fi-soe.json"))
    pkg = "bods-package-fi-soe"
    assert nodes["government-of-finland"] == ("Government", {
        "id": "government-of-finland", "name": "Government of Finland", "level": "national",
        "aliases": ["Suomen tasavalta", "Republic of Finland"], "externalIds": ["bods:05ce06ec97b1"],
        "sources": [pkg], "evidence": ["Suomen tasavalta (state)"]})
    assert nodes["valtiovarainministerio"] == ("Government", {
        "id": "valtiovarainministerio", "name": "Valtiovarainministerio", "aliases": ["Finansministeriet"],
        "level": "ministry", "externalIds": ["bods:7ff95ba3682c"], "sources": [pkg],
        "evidence": ["Valtiovarainministerio (stateBody)"]})
    assert nodes[pkg][1]["url"] == "http://www.register.example"
    shares = {i: (t[3].get("share"), t[3].get("direct"), t[3].get("controlling")) for i, t in ties.items() if t[0] == "OWNS"}
    assert shares == {
        "suomen-kaasuverkko-oy|OWNS|gasgrid-finland-oy": (0.765, True, True),
        "valtiovarainministerio|OWNS|suomen-kaasuverkko-oy": (1.0, True, True),
        "valtiovarainministerio|OWNS|gasgrid-finland-oy": (0.235, True, False),
        "government-of-finland|OWNS|gasgrid-finland-oy|indirect": (1.0, False, True),
    }
    assert ties["valtiovarainministerio|PART_OF|government-of-finland"][3] == {
        "id": "valtiovarainministerio|PART_OF|government-of-finland", "confidence": "stated", "asOf": 2022,
        "externalIds": ["bods:324d0f570675"], "sources": [pkg],
        "evidence": ["Suomen tasavalta → Valtiovarainministerio: otherInfluenceOrControl (direct)"],
        "note": "A BODS ownership-or-control relationship between state bodies"}


# --- several packages, replacements, names --------------------------------------------------------------
def test_a_0_2_update_replaces_the_earlier_statement(tmp_path):
    for file in ("1-single-direct.json", "2-single-update.json"):
        shutil.copy(V02 / file, tmp_path / file)
    nodes, ties = graph(bods.load(tmp_path))
    assert list(ties) == ["christopher-taggart|OWNS|chrinon-ltd"]
    tie = ties["christopher-taggart|OWNS|chrinon-ltd"][3]
    assert (tie["share"], tie["controlling"], tie["asOf"]) == (0.5, False, 2018), "the update's 50%, not the first 100%"
    assert tie["externalIds"] == ["bods:676ce2ec-e244-409e-85f9-9823e88bc099"]
    assert tie["sources"] == ["bods-2-single-update"]
    chrinon = nodes["chrinon-ltd"][1]
    assert chrinon["evidence"] == [
        "CHRINON LTD (registeredEntity, GB-COH 07444723)",
        "The new owner of shares has been contacted to ask them to confirm the ultimate beneficial owner."]
    assert chrinon["description"] == "An interested party is not named in BODS: interested-party-has-not-provided-information."


def test_one_company_in_two_packages_is_one_node(tmp_path):
    shutil.copy(V04 / "indirect-ownership.json", tmp_path)
    shutil.copy(V03 / "os-03-dr-04.json", tmp_path)
    nodes, ties = graph(bods.load(tmp_path))
    assert sorted(i for i, (label, _) in nodes.items() if label != "Source") == ["company-a", "company-b", "person-1"]
    assert nodes["company-a"][1]["externalIds"] == ["bods:ad3f6c2fcc9e", "gb-coh:XE9999",
                                                    "bods:8729fec1-eb01-4866-ba40-dd5525d43db8"]
    assert nodes["company-a"][1]["sources"] == ["bods-indirect-ownership", "bods-os-03-dr-04"]
    tie = ties["company-b|OWNS|company-a"][3]
    assert tie["share"] == 0.6 and tie["sources"] == ["bods-os-03-dr-04", "bods-indirect-ownership"], \
        "both packages say 60%: the later file's statement first, the agreeing earlier one adds its quote"


def test_different_records_with_one_name_get_an_identifier_suffix(tmp_path):
    document = json.loads((V04 / "indirect-ownership.json").read_text(encoding="utf-8"))
    document[1]["recordDetails"]["name"] = "Company A"  # Company B renamed: two records, one name
    (tmp_path / "renamed.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    nodes, ties = graph(bods.load(tmp_path / "renamed.json"))
    assert nodes["company-a-gb-coh-xe1010"][1]["externalIds"] == ["bods:d4ab89ea169a", "gb-coh:XE1010"]
    assert "company-a-gb-coh-xe1010|OWNS|company-a" in ties


def test_two_people_with_one_name_are_told_apart_by_record_id_not_passport(tmp_path):
    document = json.loads((V04 / "joint-ownership.json").read_text(encoding="utf-8"))
    for index, passport in ((3, "111111111"), (4, "222222222")):
        document[index]["recordDetails"]["identifiers"] = [{"scheme": "GBR-PASSPORT", "id": passport}]
    document[4]["recordDetails"]["names"][0]["fullName"] = "Natalie Coleman"  # Roberto Lopez renamed
    (tmp_path / "namesakes.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    dataset = bods.load(tmp_path / "namesakes.json")
    nodes, _ = graph(dataset)
    people = sorted(i for i, (label, _) in nodes.items() if label == "Person")
    assert people == ["natalie-coleman", "natalie-coleman-f040df24d9ec"]
    assert "111111111" not in repr(graph(dataset)) and "222222222" not in repr(graph(dataset)), "passports are not kept"


def test_json_lines_read_like_an_array(tmp_path):
    statements = json.loads((V04 / "indirect-ownership.json").read_text(encoding="utf-8"))
    lines = tmp_path / "indirect-ownership.jsonl"
    lines.write_text("\n".join(json.dumps(s) for s in statements) + "\n", encoding="utf-8")
    (nodes, ties), (array_nodes, array_ties) = graph(bods.load(lines)), graph(bods.load(V04 / "indirect-ownership.json"))
    assert ties == array_ties
    assert {i: n for i, n in nodes.items() if i != "bods-indirect-ownership"} == \
           {i: n for i, n in array_nodes.items() if i != "bods-indirect-ownership"}
    statements[4]["recordDetails"]["subject"] = "missing"
    lines.write_text("\n".join(json.dumps(s) for s in statements) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        bods.load(lines)
    assert [(p.origin.line, p.field) for p in failure.value.problems] == [(5, "recordDetails.subject")]


# --- the real files in ../shared --------------------------------------------------------------------------
@pytest.mark.parametrize("file", EXAMPLES)
def test_real_file_gives_the_fixture_graph(file):
    real = require_shared(REAL / file)
    assert graph(bods.load(real)) == graph(bods.load(V04 / file))


@pytest.mark.xfail(CORE_COUNTS_ENDED, strict=True, reason="fermcat.json: core sums ended stakes (see test module)")
def test_all_real_files_at_once():
    folder = require_shared(REAL)
    labels, types = bods.load(folder).counts()
    assert labels == {"Source": 7, "Company": 9, "Person": 8, "Organization": 1}
    assert types == {"OWNS": 12, "HOLDS_POSITION": 2}


# --- broken input -----------------------------------------------------------------------------------------
def _set(path: list, value):
    def change(document):
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return change


# name → (change to joint-ownership.json, (line, item, field, words in the message))
BROKEN = {
    "subject missing": (_set([5, "recordDetails", "subject"], "no-such-record"),
                        (147, "statement [5] c222fe05-2bf3-4cc0-b126-f665109d7211", "recordDetails.subject",
                         "names 'no-such-record', which no statement in the files read describes")),
    "share above 100": (_set([6, "recordDetails", "interests", 0, "share", "exact"], 120),
                        (178, "statement [6] 4b915fa6-a748-11ef-a7c7-6bccb97aad80",
                         "recordDetails.interests[0].share.exact", "is 120, above 100")),
    "unknown version": (_set([0, "publicationDetails", "bodsVersion"], "1.0"),
                        (2, "statement [0] 1dc0e987-5c57-4a1c-b3ad-61353b66a9b7", "publicationDetails.bodsVersion",
                         "is '1.0'; this importer reads BODS 0.2, 0.3, 0.4")),
    "unknown interest type": (_set([2, "recordDetails", "interests", 0, "type"], "owner"),
                              (68, "statement [2] 676ce2ec-e244-409e-85f9-9823e88bc099", "recordDetails.interests[0].type",
                               "'owner' is not a BODS 0.4 interest type")),
    "subject is a person": (_set([2, "recordDetails", "subject"], "f040df24d9ec"),
                            (68, "statement [2] 676ce2ec-e244-409e-85f9-9823e88bc099", "recordDetails.subject",
                             "names 'f040df24d9ec', a person; the subject must be an entity")),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_statement_is_named_and_nothing_is_written(name, clean_db, tmp_path):
    change, (line, item, field, words) = BROKEN[name]
    document = json.loads((V04 / "joint-ownership.json").read_text(encoding="utf-8"))
    change(document)
    target = tmp_path / "joint-ownership.json"
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    before = count(clean_db)
    with pytest.raises(ImportFailed) as failure:
        write_dataset(clean_db, DATABASE, bods.load(target))
    problem = next(p for p in failure.value.problems if p.field == field)
    assert (problem.origin.file, problem.origin.line, problem.item) == (str(target), line, item)
    assert words in problem.message
    assert "nothing was written" in str(failure.value)
    assert count(clean_db) == before, "the database is untouched"


@pytest.mark.parametrize(("content", "line", "field", "words"), [
    (lambda text: text[: len(text) // 2], 103, "syntax", "is not valid JSON"),  # cut in the middle of a statement
    (lambda text: text.encode("utf-16"), None, "encoding", "is not UTF-8"),
    (lambda text: "", None, "content", "is empty"),
    (lambda text: "[]", None, "statements", "holds no statements"),
])
def test_unreadable_file_is_named(content, line, field, words, tmp_path):
    target = tmp_path / "joint-ownership.json"
    data = content((V04 / "joint-ownership.json").read_text(encoding="utf-8"))
    target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    with pytest.raises(ImportFailed) as failure:
        bods.load(target)
    problem = failure.value.problems[0]
    assert (problem.origin.file, problem.origin.line, problem.field) == (str(target), line, field)
    assert words in problem.message
    assert any(p.field == "min.nodes" for p in failure.value.problems), "the metadata's counts fail too"


def test_published_0_3_example_with_a_repeated_statement_id_is_refused():
    with pytest.raises(ImportFailed) as failure:
        bods.load(V03 / "3-joint-ownership.json")
    [problem] = failure.value.problems
    assert problem.origin.file.endswith("tests/fixtures/bods/v0.3/3-joint-ownership.json") and problem.origin.line == 149
    assert (problem.item, problem.field) == ("statement [6] c222fe05-2bf3-4cc0-b126-f665109d7211", "statementID")
    assert "different statement at" in problem.message and ":119 (statement [5]" in problem.message


# --- writing ----------------------------------------------------------------------------------------------
@pytest.fixture
def examples(tmp_path) -> Path:
    for file in EXAMPLES:
        shutil.copy(V04 / file, tmp_path / file)
    return tmp_path


def test_import_twice_changes_nothing(clean_db, examples):
    dataset = bods.load(examples)
    first = write_dataset(clean_db, DATABASE, dataset)
    assert first.total("created") == len(dataset.nodes) + len(dataset.relationships) == 20 + 9
    before = fingerprint(clean_db)
    second = write_dataset(clean_db, DATABASE, bods.load(examples))
    assert second.total("created") == 0 and second.total("updated") == 0
    assert second.total("unchanged") == 20 + 9
    assert fingerprint(clean_db) == before
    assert count(clean_db) == 20 and count(clean_db, "MATCH ()-[r]->() RETURN count(r)") == 9


def test_written_ties_carry_shares_and_provenance(clean_db, examples):
    write_dataset(clean_db, DATABASE, bods.load(examples))
    records, _, _ = clean_db.execute_query(
        """MATCH (p:Person {id: 'person-1'})-[r:OWNS]->(c:Company {id: 'company-a'}), (s:Source {id: r.sources[0]})
           RETURN r.share AS share, r.direct AS direct, r.controlling AS controlling, r.evidence AS evidence,
                  s.publisher AS publisher""", database_=DATABASE)
    assert [dict(r) for r in records] == [{
        "share": 0.3, "direct": False, "controlling": False, "publisher": "XXXXXXXXX",
        "evidence": ["Person 1 → Company A: shareholding (indirect, exact 30, startDate 2017-11-01)"]}]
    ranges = clean_db.execute_query(
        "MATCH (:Person {id: 'michael-hubbard'})-[r:OWNS]->() RETURN r.shareMin AS low, r.shareMax AS high",
        database_=DATABASE).records
    assert [(r["low"], r["high"]) for r in ranges] == [(0.25, 0.5)]
    assert count(clean_db, "MATCH (s:Source) RETURN count(s)") == 6
