"""Issue #17, names and pairs: qualifiers, weak aliases, legal forms and articles (importers/names.py), pairs
that cannot be one entity (importers/pair_rules.py), and the resolver using both, on the real server."""

from __future__ import annotations

import pandas as pd
import pytest

from graph.writer import write_dataset
from importers import gcdf, tabular
from importers.names import countries, matching_names, normalise_name, split_qualifier, weak_alias
from importers.pair_rules import never_same
from importers.resolve import Resolver, match_names
from tests.helpers import DATABASE, SHARED, count, require_shared
from tests.test_import_gcdf import HUAWEI_EXTRACT
from tests.test_resolve import incoming

DOD_1260H = SHARED / "data" / "opensanctions-csv" / "us__dod_chinese_milcorps__sanctions.csv"
FCC = SHARED / "data" / "opensanctions-csv" / "us__fcc_covered_list__table.csv"


@pytest.mark.parametrize(("name", "normal"), [
    ("China Mobile Holdings Ltd", "china mobile holdings"),  # Holdings is no legal form
    ("Dedrone Holdings Inc", "dedrone holdings"), ("Dedrone Inc", "dedrone"),
    ("Alibaba Group Holding Limited", "alibaba group holding"),
    ("the Philippine National Police", "philippines national police"),
    ("Philippine National Police", "philippines national police"),
    ("Telefonica Celular de Bolivia S.A.", "telefonica celular de bolivia"), ("OOO Zala Aero", "zala aero"),
    ("Huawei Technologies Co., Ltd. (Huawei)*", "huawei technologies"),  # the 1260H list's printed entry
    ("Central Military Commission (China)", "china central military commission"),  # a qualifier stays
    ("Ministerio de Defensa Nacional (Ecuador)", "ecuador ministerio de defensa nacional"),
    ("China Ministry of Defense", "china ministry of defense"),
    ("Chinese Ministry of National Defence", "china ministry of defense"),
    ("Ministry of Commerce of the People's Republic of China", "china ministry of commerce"),
    ("Government of Mali", "mali government"), ("Government of Malaysia", "malaysia government"),
])
def test_normalise_name(name, normal):
    assert normalise_name(name) == normal


@pytest.mark.parametrize(("name", "qualified"), [
    ("Central Military Commission (China)", ("Central Military Commission", "China")),
    ("University of Engineering and Technology, Lahore", ("University of Engineering and Technology", "Lahore")),
    ("China Telecom (Americas)", ("China Telecom", "Americas")),
    ("Bank of China (BOC)", ("Bank of China (BOC)", None)),  # an acronym is no qualifier
    ("Huawei Technologies Co., Ltd.", ("Huawei Technologies Co., Ltd.", None)),  # nor is a legal form
])
def test_a_place_or_scope_qualifies_a_name(name, qualified):
    assert split_qualifier(name) == qualified


@pytest.mark.parametrize(("alias", "weak"), [
    ("China", True), ("Ecuador", True), ("Chinese", True), ("Belgrade", True), ("Shenzhen", True), ("Group", True),
    ("CNOOC", True), ("Huawei", False), ("Dahua", False), ("China Mobile", False),
])
def test_weak_aliases(alias, weak):
    assert weak_alias(alias) is weak


def test_matching_names_leave_out_weak_aliases():
    assert matching_names("China Telecom Group Co., Ltd.", ["China", "CTG", "Group"]) == {"china telecom group"}
    assert matching_names("Huawei Technologies Co., Ltd.", ["Huawei"]) == {"huawei technologies", "huawei"}


def test_countries_take_the_longest_name():
    assert countries("Government of Papua New Guinea") == {"pg"}
    assert countries("Government of Niger") == {"ne"} and countries("Government of Nigeria") == {"ng"}
    assert countries("Bank of China (Hong Kong)") == {"cn", "hk"}
    assert countries("Huawei Technologies Co., Ltd.") == set()


@pytest.mark.parametrize(("left", "right", "reason"), [
    (("Government", {"name": "Government of Mali"}), ("Government", {"name": "Government of Malaysia"}),
     "named in different countries: ml and my"),
    (("Government", {"name": "Government of Iraq"}), ("Government", {"name": "Government of Iran"}),
     "named in different countries: iq and ir"),
    (("Government", {"name": "Government of Niger"}), ("Government", {"name": "Government of Nigeria"}),
     "named in different countries: ne and ng"),
    (("Government", {"name": "Iraqi Ministry of Interior"}), ("Government", {"name": "Ministry of Interior (Iran)"}),
     "named in different countries: iq and ir"),
    (("Project", {"name": "Safe City", "externalIds": ["aiddata:1"]}),
     ("Project", {"name": "Safe City", "externalIds": ["aiddata:2"]}), "different aiddata ids: 1 and 2"),
    (("Person", {"name": "Ren Zhengfei"}), ("Company", {"name": "Ren Zhengfei"}), "a Person is never a Company"),
    (("Government", {"name": "China"}), ("Country", {"name": "China"}), "a Government is never a Country"),
    (("Company", {"name": "14th Research Institute of CETC"}), ("Company", {"name": "15th Research Institute of CETC"}),
     "different numbers in the names: 14 and 15"),
    (("Company", {"name": "SMIC (Beijing)"}), ("Company", {"name": "SMIC (Shenzhen)"}),
     "qualified by different places: beijing and shenzhen"),
])
def test_pairs_that_cannot_be_one(left, right, reason):
    assert never_same(*left, *right) == reason


@pytest.mark.parametrize(("left", "right"), [
    (("Government", {"name": "China Ministry of Defense"}), ("Government", {"name": "Chinese Ministry of National Defense"})),
    (("Company", {"name": "Export-Import Bank of China"}), ("StateBank", {"name": "China Eximbank"})),
    (("Project", {"name": "Safe City", "externalIds": ["aiddata:1", "wikidata:Q1"]}),
     ("Project", {"name": "Safe City", "externalIds": ["aiddata:1"]})),
    (("Company", {"name": "Zala", "externalIds": ["opensanctions:a"]}),  # FtM ids: several per entity
     ("Company", {"name": "Zala", "externalIds": ["opensanctions:b"]})),
    (("Company", {"name": "Huawei Technologies (Bolivia)"}), ("Company", {"name": "Huawei"})),
])
def test_pairs_that_may_be_one(left, right):
    assert never_same(*left, *right) is None


# --- on the real server: the cases --------------------------------------------------------------

def aiddata_with_agencies(tmp_path, names: list[str]) -> pd.DataFrame:
    """The Huawei extract with record 60381's receiving agencies replaced by `names` (government agencies)."""
    table = pd.read_csv(HUAWEI_EXTRACT, dtype=str, keep_default_na=False)
    row = table.index[table["AidData TUFF Project ID"] == "60381"][0]
    table.loc[row, ["Receiving Agencies", "Receiving Agencies Type", "Receiving Agencies Origin"]] = [
        "|".join(names), "|".join(["Government Agency"] * len(names)), "|".join(["Recipient"] * len(names))]
    table.to_csv(tmp_path / "huawei.csv", index=False)
    return tmp_path / "huawei.csv"


def test_aiddata_qualifiers_stay_in_the_name_and_china_matches_nothing(seeded_db, tmp_path):
    dataset = gcdf.load(aiddata_with_agencies(tmp_path, ["Central Military Commission (China)",
                                                         "Ministerio de Defensa Nacional (Ecuador)"]))
    commission = dataset.nodes["central-military-commission-china"].props
    ministry = dataset.nodes["ministerio-de-defensa-nacional-ecuador"].props
    assert (commission["name"], commission.get("aliases")) == ("Central Military Commission (China)", None)
    assert (ministry["name"], ministry.get("aliases")) == ("Ministerio de Defensa Nacional (Ecuador)", None)
    Resolver(seeded_db, DATABASE).resolve(dataset)  # as an import does, before writing
    write_dataset(seeded_db, DATABASE, dataset)
    # anything named just "China" or "Ecuador" is neither merged into them nor proposed
    result = Resolver(seeded_db, DATABASE).resolve(incoming(
        ("Organization", "china-org", "China", {}), ("Government", "ecuador-gov", "Ecuador", {})))
    assert result.merged == [] and result.review == []


def test_holdings_stay_apart_and_a_leading_article_is_dropped(seeded_db):
    seeded_db.execute_query("CREATE (:Entity:Company {id: 'dedrone-inc', name: 'Dedrone Inc', sources: ['t'], "
                            "evidence: ['t'], matchNames: $names})", names=match_names({"name": "Dedrone Inc"}),
                            database_=DATABASE)
    result = Resolver(seeded_db, DATABASE).resolve(incoming(
        ("Company", "china-mobile-holdings-ltd", "China Mobile Holdings Ltd", {}),
        ("Company", "dedrone-holdings-inc", "Dedrone Holdings Inc", {}),
        ("Government", "the-philippine-national-police", "the Philippine National Police", {"level": "agency"}),
        ("Company", "bgi-group", "BGI Group", {}),
    ))
    assert [(m.incoming.id, m.candidate.id) for m in result.merged] == [
        ("the-philippine-national-police", "philippine-national-police")]  # the seed's node
    assert not {m.candidate.id for m in result.review} & {"china-mobile", "dedrone-inc", "bgi"}


@pytest.fixture
def lists_imported(seeded_db):
    """The seed, then the real 1260H and FCC lists imported with resolution, sure matches merged."""
    for path, mapping in [(require_shared(DOD_1260H), "dod-1260h"), (require_shared(FCC), "fcc-covered-list")]:
        dataset = tabular.load(path, mapping)
        Resolver(seeded_db, DATABASE).resolve(dataset)
        write_dataset(seeded_db, DATABASE, dataset)
    return seeded_db


def test_huawei_gets_its_1260h_listing_and_zte_is_one_node(lists_imported):
    listed = lists_imported.execute_query(
        "MATCH (:Government {id: 'us-department-of-defense'})-[d:DESIGNATED]->(c:Company {id: 'huawei'}) "
        "RETURN count(d) AS editions, c.aliases AS aliases", database_=DATABASE).records
    # the list names Huawei Technologies Co., Ltd. in three editions: 2021-06-03, 2025-01-07, 2026-06-08
    assert listed[0]["editions"] == 3 and "Huawei Technologies Co., Ltd." in listed[0]["aliases"]
    assert count(lists_imported, "MATCH (c:Company) WHERE c.id STARTS WITH 'huawei-technologies' RETURN count(c) AS c") == 0
    assert count(lists_imported, "MATCH (:Government {id: 'us-federal-communications-commission'})-[:DESIGNATED]->"
                                 "(c:Company {id: 'huawei'}) RETURN count(c) AS c") == 1
    # the parent holding is its own node, owning Huawei Technologies (now `huawei`)
    assert count(lists_imported, "MATCH (:Company {id: 'huawei-investment-holding-co-ltd'})-[:OWNS]->(:Company {id: 'huawei'}) "
                                 "RETURN count(*) AS c") == 1
    # ZTE: the seed's `zte`, the FCC's "ZTE Corporation", and later spellings all land on one node
    for spelling in ("ZTE Corp.", "ZTE CORPORATION", "Zte Corporation Ltd"):
        result = Resolver(lists_imported, DATABASE).resolve(incoming(("Company", "z", spelling, {})))
        assert [m.candidate.id for m in result.merged] == ["zte"], spelling
    assert count(lists_imported, "MATCH (c:Company) WHERE toLower(c.name) STARTS WITH 'zte' AND NOT c.name CONTAINS 'party' "
                                 "RETURN count(c) AS c") == 1


def test_chinas_ministry_of_defence_under_two_names_is_found(seeded_db):
    name = "Chinese Ministry of National Defense"
    seeded_db.execute_query("CREATE (:Entity:Government {id: 'china-mod', name: $name, level: 'ministry', "
                            "sources: ['t'], evidence: ['t'], matchNames: $names})", name=name,
                            names=match_names({"name": name}), database_=DATABASE)  # as the writer derives them
    result = Resolver(seeded_db, DATABASE).resolve(
        incoming(("Government", "china-ministry-of-defense", "China Ministry of Defense", {"level": "ministry"})))
    assert [(m.candidate.id, m.reason) for m in [*result.merged, *result.review]] == [("china-mod", "same normalised name")]


def test_governments_of_different_countries_are_never_proposed(seeded_db):
    seeded_db.execute_query(
        "UNWIND $rows AS row MERGE (g:Entity:Government {id: row[0]}) "
        "ON CREATE SET g.name = row[1], g.level = 'national', g.sources = ['t'], g.evidence = ['t']",
        rows=[["government-of-niger", "Government of Niger"], ["government-of-mali", "Government of Mali"]],
        database_=DATABASE)
    result = Resolver(seeded_db, DATABASE).resolve(incoming(
        ("Government", "government-of-iraq", "Government of Iraq", {"level": "national"}),
        ("Government", "government-of-nigeria", "Government of Nigeria", {"level": "national"}),
        ("Government", "malaysia-gov", "Government of Malaysia", {"level": "national"})))
    # the seed's government-of-malaysia is the one match; Mali, the seed's Iran and Niger are never proposed
    assert [(m.incoming.id, m.candidate.id) for m in result.merged] == [("malaysia-gov", "government-of-malaysia")]
    assert result.review == []


def test_projects_with_different_aiddata_ids_and_one_title_are_not_proposed(seeded_db):
    first = incoming(("Project", "aiddata-1", "Huawei donates laptops", {"kind": "other", "externalIds": ["aiddata:1"]}))
    write_dataset(seeded_db, DATABASE, first)
    result = Resolver(seeded_db, DATABASE).resolve(incoming(
        ("Project", "aiddata-2", "Huawei donates laptops", {"kind": "other", "externalIds": ["aiddata:2"]})))
    assert result.merged == [] and result.review == []
    # a project without an AidData id and the same title is the same project
    result = Resolver(seeded_db, DATABASE).resolve(incoming(
        ("Project", "other-title", "Huawei Donates Laptops", {"kind": "other"})))
    assert [(m.incoming.id, m.candidate.id) for m in result.merged] == [("other-title", "aiddata-1")]


def test_a_shared_external_id_never_merges_a_person_into_a_company(seeded_db):
    seeded_db.execute_query("MATCH (n:Company {id: 'huawei'}) SET n.externalIds = ['wikidata:Q160120']", database_=DATABASE)
    result = Resolver(seeded_db, DATABASE).resolve(
        incoming(("Person", "someone", "Someone", {"externalIds": ["wikidata:Q160120"]})))
    assert result.merged == [] and result.review == []
