"""The tabular importer: CSV and Excel through a YAML mapping, on real OpenSanctions lists and an analyst's deal sheet.

Expected values were read off the rows by hand (fixture rows are numbered as a spreadsheet shows
them: the header is row 1). Broken files and broken mappings must fail naming file, row or line,
and column or key, and leave the database untouched.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from graph.records import Dataset, ImportFailed
from graph.writer import write_dataset
from importers import seed, tabular
from importers.tabular.cells import CellError, parse_amount_and_currency, parse_date, parse_year
from tests.helpers import DATABASE, SHARED, count, require_shared

FIXTURES = Path(__file__).parent / "fixtures" / "tabular"
DOD_EXTRACT = FIXTURES / "dod-1260h-extract.csv"
FCC_LIST = FIXTURES / "fcc-covered-list.csv"
DEALS_MAPPING = FIXTURES / "analyst-deals.yaml"
OPENSANCTIONS = SHARED / "data" / "opensanctions-csv"
DOD = "opensanctions-us-dod-1260h"
PDF_2025 = ("https://media.defense.gov/2025/Jan/07/2003625471/-1/-1/1/"
            "ENTITIES-IDENTIFIED-AS-CHINESE-MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES.PDF")
PDF_2026 = ("https://media.defense.gov/2026/Jun/08/2003945537/-1/-1/1/"
            "ENTITIES-IDENTIFIED-AS-CHINESE-MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES-IN-ACCORDANCE-WITH-SECTION-1260H.PDF")
HIKVISION = "hangzhou-hikvision-digital-technology-co-ltd"
CETC = "china-electronics-technology-group-corporation"


def load_dod_extract(path: Path = DOD_EXTRACT, mapping: Path | str = "dod-1260h") -> Dataset:
    """The extract is far below the full list's counts, so the mapping's assertions are set aside."""
    return tabular.load(path, mapping, assertions={})


# --- the analyst's deal sheet, written as an .xlsx by the test ------------------------------------------
DEAL_HEADER = ["Deal ID", "Lender", "Borrower", "Project", "Project type", "Country", "Amount", "Currency", "Year",
               "Vendor", "Vendor role", "Instrument", "Source title", "Publisher", "Source date", "Source URL", "Quote"]
MEMOS = "https://research.example.org/memos/"
DEAL_ROWS = [  # synthetic rows (see fixtures/tabular/README.md); spreadsheet rows 2 to 6
    ["D-001", "Export-Import Bank of China", "Government of Serbia", "Serbia Safe City, phase 1", "safe city", "Serbia",
     "USD 21 million", "", 2019, "Huawei", "main contractor", "concessional loan", "Deal memo: Serbia safe city",
     "Example Research Desk", "12/03/2021", MEMOS + "serbia-safe-city",
     "The Export-Import Bank of China lent USD 21 million to the Government of Serbia for phase 1 of the Safe City "
     "project, built by Huawei."],
    ["D-002", "China Development Bank", "Government of Kenya", "Nairobi Safe City expansion", "safe-city", "Kenya",
     "1,200,000", "EUR", "2018", "", "", "loan", "Deal memo: Nairobi expansion", "Example Research Desk",
     "March 12, 2021", MEMOS + "nairobi",
     "China Development Bank signed a EUR 1.2 million loan with the Government of Kenya in 2018."],
    ["D-003", "China Exim Bank", "Government of Serbia", "Serbia e-government data centre", "datacenter",
     "Republic of Serbia", "USD 1.2bn", "", 2020, "Huawei Technologies Co., Ltd.", "equipment supplier", "buyer credit",
     "Deal memo: Serbia data centre", "Example Research Desk", datetime.datetime(2021, 6, 1), MEMOS + "serbia-data-centre",
     "A USD 1.2bn buyer credit from China Exim Bank paid for the Serbian government's data centre; Huawei supplied "
     "the equipment."],
    ["D-001", "Export-Import Bank of China", "Government of Serbia", "Serbia Safe City, phase 1", "safe city", "Serbia",
     "USD 21 million", "", 2019, "Huawei", "main contractor", "concessional loan", "Follow-up note: Serbia safe city",
     "Example Research Desk", "2021-06-15", "https://research.example.org/notes/serbia-safe-city-follow-up",
     "Phase 1, financed with a USD 21 million Exim Bank loan, was carried out by Huawei as main contractor."],
    ["D-004", "China Exim Bank", "Government of Serbia", "Serbia police radio network", "telecom network", "Serbia",
     "—", "", 2021, "ZTE", "subcontractor", "loan", "Deal memo: police radio", "Example Research Desk", "2022",
     MEMOS + "serbia-police-radio",
     "The amount of the Exim Bank loan for the police radio network is not public; ZTE is a subcontractor."],
]


def deal_sheet(path: Path, rows: list[list] | None = None, header: list[str] = DEAL_HEADER) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Deals"
    sheet.append(header)
    for row in DEAL_ROWS if rows is None else rows:
        sheet.append(row)
    workbook.save(path)
    return path


def changed_deals(row: int, column: str, value) -> list[list]:
    """DEAL_ROWS with one cell changed; `row` as the spreadsheet shows it."""
    rows = [list(r) for r in DEAL_ROWS]
    rows[row - 2][DEAL_HEADER.index(column)] = value
    return rows


@pytest.fixture
def deals(tmp_path) -> Dataset:
    return tabular.load(deal_sheet(tmp_path / "deals.xlsx"), DEALS_MAPPING)


# --- cells ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("cell", "expected"), [
    ("USD 1.2bn", (1_200_000_000.0, "USD")),
    ("1,200,000", (1_200_000.0, None)),
    ("21 million", (21_000_000.0, None)),
    ("USD 21 million", (21_000_000.0, "USD")),
    ("$21m", (21_000_000.0, "USD")),
    ("21,000,000 EUR", (21_000_000.0, "EUR")),
    ("EUR1.2bn", (1_200_000_000.0, "EUR")),
    ("CNY 150 mn", (150_000_000.0, "CNY")),
    (21000000.0, (21_000_000.0, None)),
])
def test_amounts_are_read_in_units_with_their_currency(cell, expected):
    assert parse_amount_and_currency(cell) == expected


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["", "USD ", "EUR", "$"]),
       st.sampled_from([("", 1), (" million", 10**6), ("bn", 10**9), (" k", 10**3)]))
def test_any_amount_written_with_thousands_separators_reads_back(number, currency, scale):
    word, factor = scale
    value, code = parse_amount_and_currency(f"{currency}{number:,}{word}")
    assert value == float(number * factor)
    assert code == {"": None, "USD ": "USD", "EUR": "EUR", "$": "USD"}[currency]


@pytest.mark.parametrize(("cell", "message"), [
    ("USD 1.2 zillion", "'zillion' is not a known scale"),
    ("1.200.000", "is not an amount"),
    ("about 20 million", "is not an amount"),
    ("XYZ 5", "'XYZ' is not an ISO 4217 currency code"),
    ("USD 5 EUR", "names two currencies"),
])
def test_bad_amounts_say_why(cell, message):
    with pytest.raises(CellError, match=re.escape(message)):
        parse_amount_and_currency(cell)


def test_dates_in_iso_or_a_declared_format_and_never_guessed():
    assert parse_date("2021-03-12") == "2021-03-12"
    assert parse_date("March 12, 2021", ("%B %d, %Y",)) == "2021-03-12"
    assert parse_date("12/03/2021", ("%d/%m/%Y",)) == "2021-03-12"
    assert parse_date("2021-03") == "2021-03"
    assert parse_year("2026-06-08") == 2026 and parse_year(2019.0) == 2019
    with pytest.raises(CellError, match="declared format"):
        parse_date("12/03/2021")


# --- US DoD Section 1260H list ------------------------------------------------------------------------
def test_1260h_company_listed_in_three_editions_is_one_node_with_three_quotes():
    dataset = load_dod_extract()
    hikvision = dataset.nodes[HIKVISION]
    assert hikvision.label == "Company"
    assert hikvision.props == {
        "id": HIKVISION,
        "name": "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "aliases": ["Hikvision"],
        "topics": ["mil", "debarment"],
        "urls": [PDF_2025, PDF_2026],
        "sources": [DOD, DOD, DOD],
        "evidence": [
            "Hangzhou Hikvision Digital Technology Co., Ltd. (Hikvision)* (Start date: 2021-06-03)",
            "Hangzhou Hikvision Digital Technology Co., Ltd. (Hikvision) (Start date: 2025-01-07)",
            "Hangzhou Hikvision Digital Technology Co., Ltd. (Hikvision) (Start date: 2026-06-08)",
        ],
    }
    assert [o.line for o in hikvision.origins] == [6, 15, 22]
    assert all(o.file.endswith("dod-1260h-extract.csv") for o in hikvision.origins)


def test_1260h_parent_name_becomes_a_controlling_owns():
    dataset = load_dod_extract()
    labels, types = dataset.counts()
    # 25 rows, each one edition's listing: 25 DESIGNATED from the one Department of Defense node
    assert (labels, types) == ({"Company": 12, "Government": 1, "Source": 1}, {"DESIGNATED": 25, "OWNS": 6})
    owns = dataset.relationships[f"{CETC}|OWNS|{HIKVISION}"]
    assert (owns.start, owns.end) == (CETC, HIKVISION)
    # Rows 6 (2021) and 15 (2025) name CETC as parent; row 22 (2026) leaves Parent Name empty.
    assert owns.props == {
        "id": f"{CETC}|OWNS|{HIKVISION}",
        "controlling": True,
        "confidence": "stated",
        "asOf": 2025,
        "validFrom": 2021,
        "note": "The Section 1260H list groups the company under this parent; read as a controlling parent, share not given.",
        "sources": [DOD, DOD],
        "evidence": [
            "Hangzhou Hikvision Digital Technology Co., Ltd. (Hikvision)* (Parent Name: China Electronics Technology "
            "Group Corporation; Start date: 2021-06-03)",
            "Hangzhou Hikvision Digital Technology Co., Ltd. (Hikvision) (Parent Name: China Electronics Technology "
            "Group Corporation; Start date: 2025-01-07)",
        ],
    }
    huawei = dataset.relationships["huawei-investment-holding-co-ltd|OWNS|huawei-technologies-co-ltd"]
    assert (huawei.props["asOf"], huawei.props["validFrom"], [o.line for o in huawei.origins]) == (2026, 2021, [8, 24])
    assert {r.id for r in dataset.relationships.values() if r.type == "OWNS"} == {
        f"{CETC}|OWNS|{HIKVISION}",
        "huawei-investment-holding-co-ltd|OWNS|huawei-technologies-co-ltd",
        "zhejiang-dahua-technology-co-ltd|OWNS|chengdu-dahua-wisdom-information-technology-co-ltd",
        # row 10 writes the parent "China Aerospace Science and Industry Corporation Limited (CASIC)"
        "china-aerospace-science-and-industry-corporation-limited|OWNS|addsino-co-ltd",
        # rows 11 and 19 write "Aviation Industry Corporation of China Ltd" and "..., Ltd."
        "aviation-industry-corporation-of-china-ltd|OWNS|avic-airborne-systems-co-ltd",
        "aviation-industry-corporation-of-china-ltd|OWNS|avic-chengdu-aircraft-co-ltd",
    }


def test_1260h_aliases_previous_names_and_parent_spellings():
    nodes = load_dod_extract().nodes
    assert nodes["beijing-zhidao-chuangyu-information-technology-co-ltd"].props["aliases"] == ["Knownsec", "Beijing Kownsec"]
    assert nodes["avic-airborne-systems-co-ltd"].props["aliases"] == ["China Avionics Systems Co., Ltd."]
    assert nodes["avic-chengdu-aircraft-co-ltd"].props["aliases"] == [
        "Zhonghang Electronic Measuring Instruments Company Limited", "ZEMIC"]
    dahua = nodes["zhejiang-dahua-technology-co-ltd"].props
    assert dahua["name"] == "Zhejiang Dahua Technology Co., Ltd."  # its own row 9 comes first
    assert dahua["aliases"] == ["Dahua", "Zhejiang Dahua Technology Co., Ltd"]  # row 12's spelling of the parent
    assert "china-aerospace-science-and-industry-corporation-limited-casic" not in nodes


def test_1260h_extract_fails_the_mappings_counts():
    with pytest.raises(ImportFailed) as failure:
        tabular.load(DOD_EXTRACT, "dod-1260h")
    assert {(p.item, p.field) for p in failure.value.problems} == {("assertions", "min.Company"), ("assertions", "min.OWNS"),
                                                                   ("assertions", "min.DESIGNATED")}
    assert all(p.origin.file.endswith("mappings/dod-1260h.yaml") for p in failure.value.problems)


def test_1260h_full_list():
    path = require_shared(OPENSANCTIONS / "us__dod_chinese_milcorps__sanctions.csv")
    dataset = tabular.load(path, "dod-1260h")
    # 397 rows; 227 distinct Clean Names; 136 distinct (parent, company) pairs among the 197 rows with a parent.
    # and 397 listings (distinct Clean Name and Start date): one DESIGNATED each
    assert dataset.counts() == ({"Company": 227, "Government": 1, "Source": 1}, {"DESIGNATED": 397, "OWNS": 136})
    assert [o.line for o in dataset.nodes[HIKVISION].origins] == [25, 165, 353]
    assert [o.line for o in dataset.relationships[f"{CETC}|OWNS|{HIKVISION}"].origins] == [25, 165]
    companies = [n for n in dataset.nodes.values() if n.label == "Company"]
    designated = {r.end for r in dataset.relationships.values() if r.type == "DESIGNATED"}
    assert designated == {n.id for n in companies}, "every parent is listed itself"
    assert all(0 < len(q) <= 300 for n in companies for q in n.props["evidence"])


# --- FCC covered list ---------------------------------------------------------------------------------
FCC_COMPANIES = {
    "huawei-technologies-company": "Huawei Technologies Company",
    "zte-corporation": "ZTE Corporation",
    "hytera-communications-corporation": "Hytera Communications Corporation",
    "hangzhou-hikvision-digital-technology-company": "Hangzhou Hikvision Digital Technology Company",
    "dahua-technology-company": "Dahua Technology Company",
    "ao-kaspersky-lab": "AO Kaspersky Lab",
    "china-mobile-international-usa-inc": "China Mobile International USA Inc.",
    "china-telecom-americas-corp": "China Telecom (Americas) Corp.",
    "pacific-networks-corp": "Pacific Networks Corp",
    "comnet-usa-llc": "ComNet (USA) LLC",
    "china-unicom-americas-operations-limited": "China Unicom (Americas) Operations Limited",
    "kaspersky-lab-inc": "Kaspersky Lab, Inc.",
    "digitalsystem-technology-inc": "Digitalsystem Technology Inc.",
}


def test_fcc_list_names_its_producers_and_skips_whole_categories():
    dataset = tabular.load(FCC_LIST, "fcc-covered-list")
    companies = {n.id: n for n in dataset.nodes.values() if n.label == "Company"}
    assert {i: n.props["name"] for i, n in companies.items()} == FCC_COMPANIES
    assert {r.end for r in dataset.relationships.values() if r.type == "DESIGNATED"} == set(companies)
    huawei = companies["huawei-technologies-company"]
    assert huawei.props["evidence"] == [
        "Telecommunications equipment produced by Huawei Technologies Company, including telecommunications or video "
        "surveillance services provided by such entity or using such equipment."]
    assert huawei.props["sources"] == ["fcc-covered-list"] and [o.line for o in huawei.origins] == [2]
    # Row 4 (Hytera) is 384 characters: the quote is its first 300, cut at a space.
    hytera = companies["hytera-communications-corporation"].props["evidence"][0]
    assert hytera.endswith("other national security purposes, including") and len(hytera) <= 300
    # Rows 13, 14, 16 and 17 (drones, routers, inverters, robots) name no company; row 12 names Kaspersky Lab, Inc.
    assert sorted(o.line for n in companies.values() for o in n.origins) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 12, 15]
    owns = dataset.relationships["pacific-networks-corp|OWNS|comnet-usa-llc"]
    assert owns.props == {
        "id": "pacific-networks-corp|OWNS|comnet-usa-llc", "share": 1.0, "controlling": True, "confidence": "stated",
        "asOf": 2022, "sources": ["fcc-covered-list"],
        "evidence": ["International telecommunications services provided by Pacific Networks Corp and its wholly-owned "
                     "subsidiary ComNet (USA) LLC subject to section 214 of the Communications Act of 1934."],
    }
    assert [r.type for r in dataset.relationships.values()].count("OWNS") == 1
    source = dataset.nodes["fcc-covered-list"]
    assert source.label == "Source" and source.props["url"] == "https://www.fcc.gov/supplychain/coveredlist"


def test_fcc_full_list():
    path = require_shared(OPENSANCTIONS / "us__fcc_covered_list__table.csv")
    dataset = tabular.load(path, "fcc-covered-list")
    assert dataset.counts() == ({"Company": 13, "Government": 1, "Source": 1}, {"DESIGNATED": 13, "OWNS": 1})


# --- an analyst's deal sheet --------------------------------------------------------------------------
def test_one_deal_row_makes_financed_commissioned_contracted_for_and_located_in(deals):
    project = "serbia-safe-city-phase-1"
    memo = "https-research-example-org-memos-serbia-safe-city"
    follow_up = "https-research-example-org-notes-serbia-safe-city-follow-up"
    quotes = [DEAL_ROWS[0][-1], DEAL_ROWS[3][-1]]
    assert deals.relationships[f"china-exim-bank|FINANCED|{project}"].props == {
        "id": f"china-exim-bank|FINANCED|{project}", "amount": 21_000_000.0, "currency": "USD", "year": 2019,
        "instrument": "concessional loan", "externalIds": ["deal-sheet:D-001"], "confidence": "stated", "asOf": 2019,
        "sources": [memo, follow_up], "evidence": quotes,
    }
    assert deals.relationships[f"government-of-serbia|COMMISSIONED|{project}"].props["year"] == 2019
    contracted = deals.relationships[f"huawei|CONTRACTED_FOR|{project}"]
    assert contracted.props["role"] == "prime contractor"  # "main contractor" through the mapping's `map`
    located = deals.relationships[f"{project}|LOCATED_IN|RS"]
    assert (located.props["sources"], [o.line for o in located.origins]) == ([memo, follow_up], [2, 5])
    assert deals.nodes[project].props == {
        "id": project, "name": "Serbia Safe City, phase 1", "kind": "safe city", "year": 2019,
        "sources": [memo, follow_up], "evidence": quotes,
    }


def test_deal_sheet_amounts_currencies_dates_and_seed_ids(deals):
    financed = {r.end: r.props for r in deals.relationships.values() if r.type == "FINANCED"}
    assert (financed["nairobi-safe-city-expansion"]["amount"], financed["nairobi-safe-city-expansion"]["currency"]) \
        == (1_200_000.0, "EUR")  # "1,200,000" with EUR in the Currency column
    assert (financed["serbia-e-government-data-centre"]["amount"], financed["serbia-e-government-data-centre"]["currency"]) \
        == (1_200_000_000.0, "USD")
    assert "amount" not in financed["serbia-police-radio-network"] and "currency" not in financed["serbia-police-radio-network"]
    assert deals.relationships["china-development-bank|FINANCED|nairobi-safe-city-expansion"].start == "china-development-bank"
    bank = deals.nodes["china-exim-bank"]
    assert (bank.label, bank.props["name"], bank.props["aliases"], bank.props["kind"]) == \
        ("StateBank", "Export-Import Bank of China", ["China Exim Bank"], "policy bank")
    assert deals.nodes["huawei"].props["aliases"] == ["Huawei Technologies Co., Ltd."]
    assert deals.nodes["government-of-serbia"].props["level"] == "national"
    assert (deals.nodes["RS"].props["name"], deals.nodes["RS"].props["aliases"]) == ("Serbia", ["Republic of Serbia"])
    assert deals.nodes["KE"].label == "Country"
    assert deals.nodes["nairobi-safe-city-expansion"].props["kind"] == "safe city"  # "safe-city" mapped
    assert deals.nodes["serbia-e-government-data-centre"].props["kind"] == "data centre"
    dates = {n.props["title"]: n.props["date"] for n in deals.nodes.values() if n.label == "Source"}
    assert dates == {"Deal memo: Serbia safe city": "2021-03-12", "Deal memo: Nairobi expansion": "2021-03-12",
                     "Deal memo: Serbia data centre": "2021-06-01", "Follow-up note: Serbia safe city": "2021-06-15",
                     "Deal memo: police radio": "2022"}
    assert "zte|CONTRACTED_FOR|serbia-police-radio-network" in deals.relationships
    assert not [r for r in deals.relationships.values() if r.type == "CONTRACTED_FOR" and r.end == "nairobi-safe-city-expansion"]
    assert deals.counts() == (
        {"Source": 5, "Project": 4, "StateBank": 2, "Government": 2, "Country": 2, "Company": 2},
        {"FINANCED": 4, "COMMISSIONED": 4, "LOCATED_IN": 4, "CONTRACTED_FOR": 3},
    )


# --- the database -------------------------------------------------------------------------------------
def test_import_twice_changes_nothing(clean_db, tmp_path):
    datasets = [load_dod_extract(), tabular.load(FCC_LIST, "fcc-covered-list"),
                tabular.load(deal_sheet(tmp_path / "deals.xlsx"), DEALS_MAPPING)]
    total = 0
    for dataset in datasets:
        first = write_dataset(clean_db, DATABASE, dataset)
        assert first.total("created") == len(dataset.nodes) + len(dataset.relationships)
        total += len(dataset.nodes) + len(dataset.relationships)
    nodes = count(clean_db)
    rels = count(clean_db, "MATCH ()-[r]->() RETURN count(r)")
    assert nodes + rels == total
    for dataset in datasets:
        again = write_dataset(clean_db, DATABASE, dataset)
        assert again.total("created") == 0 and again.total("updated") == 0
        assert again.total("unchanged") == len(dataset.nodes) + len(dataset.relationships)
    assert (count(clean_db), count(clean_db, "MATCH ()-[r]->() RETURN count(r)")) == (nodes, rels)
    records, _, _ = clean_db.execute_query(
        "MATCH (p:Company)-[o:OWNS]->(c:Company {id: $id}) RETURN p.name AS parent, o.controlling AS controlling, "
        "size(c.evidence) AS quotes, COUNT { (:Government)-[:DESIGNATED]->(c) } AS designations",
        id=HIKVISION, database_=DATABASE)
    assert [dict(r) for r in records] == [{"parent": "China Electronics Technology Group Corporation", "controlling": True,
                                           "quotes": 3, "designations": 3}]
    missing = count(clean_db, "MATCH (n:Entity) WHERE size(n.sources) = 0 OR size(n.sources) <> size(n.evidence) RETURN count(n)")
    assert missing == 0


def test_deal_sheet_meets_the_seed_entities(clean_db, tmp_path):
    seeded = seed.load()
    write_dataset(clean_db, DATABASE, seeded)
    before = count(clean_db)
    deals = tabular.load(deal_sheet(tmp_path / "deals.xlsx"), DEALS_MAPPING)
    write_dataset(clean_db, DATABASE, deals)
    records, _, _ = clean_db.execute_query(
        "MATCH (b:StateBank {id: 'china-exim-bank'})-[f:FINANCED]->(p:Project)-[:LOCATED_IN]->(c:Country {id: 'RS'}) "
        "WHERE f.externalIds IS NOT NULL "
        "RETURN b.name AS bank, b.sources AS sources, p.id AS project, f.amount AS amount ORDER BY project", database_=DATABASE)
    assert [(r["project"], r["amount"]) for r in records] == [
        ("serbia-e-government-data-centre", 1_200_000_000.0), ("serbia-police-radio-network", None),
        ("serbia-safe-city-phase-1", 21_000_000.0)]
    assert records[0]["bank"] == "Export-Import Bank of China"
    assert "aspi-2019" in records[0]["sources"] and "https-research-example-org-memos-serbia-safe-city" in records[0]["sources"]
    existing = set(deals.nodes) & set(seeded.nodes)
    assert {"china-exim-bank", "china-development-bank", "government-of-serbia", "RS", "huawei", "zte"} <= existing
    new_nodes = len(set(deals.nodes) - existing)
    assert count(clean_db) == before + new_nodes, "seed entities were reused, not duplicated"


# --- broken inputs ------------------------------------------------------------------------------------
def _without_column(tmp_path: Path, column: str) -> Path:
    import pandas as pd

    frame = pd.read_csv(DOD_EXTRACT, dtype=str, keep_default_na=False).drop(columns=[column])
    frame.to_csv(tmp_path / "no-parent.csv", index=False)
    return tmp_path / "no-parent.csv"


def _latin1_bytes(tmp_path: Path) -> Path:
    data = DOD_EXTRACT.read_bytes().replace(b"(Hikvision)*", "(Hikvisión)*".encode("latin-1"))
    (tmp_path / "latin1.csv").write_bytes(data)
    return tmp_path / "latin1.csv"


def _fcc_with_bad_date(tmp_path: Path) -> Path:
    text = FCC_LIST.read_text(encoding="utf-8").replace('"March 25, 2022"', '"Marhc 25, 2022"', 1)
    (tmp_path / "fcc.csv").write_text(text, encoding="utf-8")
    return tmp_path / "fcc.csv"


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


BROKEN = {
    # name: (make the file, mapping, (file name, row, field, words of the message))
    "missing column": (lambda t: _without_column(t, "Parent Name"), "dod-1260h",
                       ("no-parent.csv", 1, "Parent Name", "is missing; the mapping reads it in extract.Parent")),
    "bad amount": (lambda t: deal_sheet(t / "deals.xlsx", changed_deals(4, "Amount", "USD 1.2 zillion")), DEALS_MAPPING,
                   ("deals.xlsx", 4, "Amount", "'zillion' is not a known scale")),
    "bad date": (lambda t: deal_sheet(t / "deals.xlsx", changed_deals(2, "Source date", "31/31/2021")), DEALS_MAPPING,
                 ("deals.xlsx", 2, "Source date", "'31/31/2021' is not a date")),
    "bad written-out date": (_fcc_with_bad_date, "fcc-covered-list",
                             ("fcc.csv", 7, "date_of_inclusion_on_covered_list", "'Marhc 25, 2022' is not a date")),
    "empty year": (lambda t: deal_sheet(t / "deals.xlsx", changed_deals(5, "Year", "")), DEALS_MAPPING,
                   ("deals.xlsx", 5, "Year", "is empty, and the mapping requires it")),
    "value outside the schema's list": (
        lambda t: deal_sheet(t / "deals.xlsx", changed_deals(6, "Vendor role", "sub-supplier")), DEALS_MAPPING,
        ("deals.xlsx", 6, "Vendor role", "'sub-supplier' is not one of")),
    "unknown country": (lambda t: deal_sheet(t / "deals.xlsx", changed_deals(3, "Country", "Atlantis")), DEALS_MAPPING,
                        ("deals.xlsx", 3, "Country", "'Atlantis' is not a country")),
    "quote too long": (lambda t: deal_sheet(t / "deals.xlsx", changed_deals(2, "Quote", "y" * 320)), DEALS_MAPPING,
                       ("deals.xlsx", 2, "Quote", "is a quote of 320 characters; at most 300")),
    "duplicate deal with a conflicting amount": (
        lambda t: deal_sheet(t / "deals.xlsx", changed_deals(5, "Amount", "USD 25 million")), DEALS_MAPPING,
        ("deals.xlsx", 5, "amount", "is 25000000.0 here but 21000000.0 at")),
    "bad ISO date": (lambda t: _file(t, "dates.csv", DOD_EXTRACT.read_bytes().replace(b",2021-06-03,", b",2021-13-03,", 1)),
                     "dod-1260h", ("dates.csv", 2, "Start date", "'2021-13-03' is not a date")),
    "empty file": (lambda t: _file(t, "empty.csv", b""), "dod-1260h", ("empty.csv", None, "file", "is empty (0 bytes)")),
    "header only": (lambda t: _file(t, "header.csv", DOD_EXTRACT.read_bytes().split(b"\n")[0] + b"\n"), "dod-1260h",
                    ("header.csv", 2, "rows", "has a header but no data rows")),
    "wrong encoding": (_latin1_bytes, "dod-1260h", ("latin1.csv", 6, "encoding", "is not valid utf-8: byte 0xf3 on line 6")),
    "not a workbook": (lambda t: _file(t, "deals.xlsx", b"Deal ID,Lender\n"), DEALS_MAPPING,
                       ("deals.xlsx", None, "format", "is not an Excel .xlsx workbook")),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_input_is_reported_and_writes_nothing(case, clean_db, tmp_path):
    make, mapping, (file_name, row, field, words) = BROKEN[case]
    path = make(tmp_path)
    before = count(clean_db)
    with pytest.raises(ImportFailed) as failure:
        dataset = tabular.load(path, mapping)
        write_dataset(clean_db, DATABASE, dataset)
    matching = [p for p in failure.value.problems if p.field == field and words in p.message]
    assert matching, f"no problem on {field!r} saying {words!r} in:\n{failure.value}"
    assert matching[0].origin.file.endswith(file_name) and matching[0].origin.line == row
    assert f"field '{field}'" in str(failure.value) and file_name in str(failure.value)
    assert count(clean_db) == before, "the database is untouched"


def test_amount_naming_another_currency_than_the_currency_column(tmp_path):
    """With the Currency column first, "USD 1,200,000" beside EUR is a contradiction, reported on the row."""
    text = DEALS_MAPPING.read_text(encoding="utf-8").replace(
        "        - {column: Amount, type: currency}\n        - {column: Currency, type: currency}\n",
        "        - {column: Currency, type: currency}\n        - {column: Amount, type: currency}\n")
    mapping = tmp_path / "currency-column-first.yaml"
    mapping.write_text(text, encoding="utf-8")
    assert tabular.load(deal_sheet(tmp_path / "deals.xlsx"), mapping).nodes["nairobi-safe-city-expansion"]
    with pytest.raises(ImportFailed) as failure:
        tabular.load(deal_sheet(tmp_path / "deals.xlsx", changed_deals(3, "Amount", "USD 1,200,000")), mapping)
    assert [(p.origin.line, p.field, p.message) for p in failure.value.problems] == [
        (3, "Amount", "names USD, but the currency of amount is EUR")]


def test_latin1_file_loads_when_the_mapping_names_its_encoding(tmp_path):
    mapping = tmp_path / "dod-latin1.yaml"
    original = (tabular.MAPPINGS / "dod-1260h.yaml").read_text(encoding="utf-8")
    mapping.write_text("encoding: latin-1\n" + original, encoding="utf-8")
    dataset = tabular.load(_latin1_bytes(tmp_path), mapping, assertions={})
    first_quote = dataset.nodes[HIKVISION].props["evidence"][0]
    assert first_quote.startswith("Hangzhou Hikvision Digital Technology Co., Ltd. (Hikvisión)*")


def test_dangling_relationship_end_names_row_and_column(tmp_path):
    """A mapping whose OWNS names the parent by id, expecting the parent's own row; the extract lacks CETC's rows."""
    document = yaml.safe_load((tabular.MAPPINGS / "dod-1260h.yaml").read_text(encoding="utf-8"))
    del document["nodes"]["parent"]
    document["relationships"][0]["from"] = {"id": {"slug": "Parent"}}
    mapping = tmp_path / "parents-listed.yaml"
    mapping.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    lines = DOD_EXTRACT.read_text(encoding="utf-8").splitlines(keepends=True)
    extract = tmp_path / "no-cetc.csv"
    extract.write_text("".join(line for line in lines if not line.startswith("China Electronics Technology Group")),
                       encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        tabular.load(extract, mapping, assertions={})
    assert [(p.origin.line, p.field, p.message) for p in failure.value.problems] == [
        (line, "Parent", f"names node '{CETC}', which no row of this file makes") for line in (5, 13)]
    assert failure.value.problems[0].item == "OWNS id from Parent -> company"
    assert tabular.load(DOD_EXTRACT, mapping, assertions={}).counts()[1]["OWNS"] == 6, "with CETC's rows it resolves"


# --- broken mappings ----------------------------------------------------------------------------------
MAPPING_ERRORS = {
    # name: (mapping, text replaced, replacement, (line holding this text, item, key, words))
    "unknown label": ("dod-1260h", "label: Company\n    id: {slug: Clean Name}", "label: Firm\n    id: {slug: Clean Name}",
                      ("label: Firm", "nodes.company", "label", "unknown label 'Firm'; known: City, Company")),
    "unknown relationship type": ("dod-1260h", "type: OWNS", "type: OWNERSHIP",
                                  ("type: OWNERSHIP", "relationships[0]", "type", "unknown relationship type 'OWNERSHIP'")),
    "unknown property": ("dod-1260h", "topics: [mil, debarment]", "topic: [mil, debarment]",
                         ("topic: [mil, debarment]", "nodes.company", "topic", "is not a property here")),
    "not a FollowTheMoney topic": ("dod-1260h", "topics: [mil, debarment]", "topics: [military]",
                                   ("topics: [military]", "nodes.company", "topics", "military: not FollowTheMoney topic")),
    "unknown cell type": ("dod-1260h", "asOf: {column: Start date, type: year}", "asOf: {column: Start date, type: yr}",
                          ("asOf: {column: Start date, type: yr}", "relationships[0] (OWNS)", "asOf", "type 'yr' is unknown")),
    "column written as a flow mapping": ("dod-1260h", "name: {column: Clean Name}", "name: {Clean Name}",
                                         ("name: {Clean Name}", "nodes.company", "name",
                                          "to read a column write {column: NAME}")),
    "value outside the schema's list": (DEALS_MAPPING, "kind: policy bank", "kind: state bank",
                                        ("kind: state bank", "nodes.lender", "kind", "'state bank' is not one of")),
    "required property not mapped": (DEALS_MAPPING, "      level: national\n", "      description: a government\n",
                                     ("label: Government", "nodes.borrower", "level", "is required for Government")),
    "end that cannot carry the type": (DEALS_MAPPING, "from: project\n    to: country", "from: country\n    to: project",
                                       ("type: LOCATED_IN", "relationships[3] (LOCATED_IN)", "from",
                                        "a Country cannot be the from end of LOCATED_IN")),
    "amount without a currency": (DEALS_MAPPING, "      currency:\n        - {column: Amount, type: currency}\n"
                                                 "        - {column: Currency, type: currency}\n", "",
                                  ("type: FINANCED", "relationships[0] (FINANCED)", "amount", "gives no `currency`")),
}


@pytest.mark.parametrize("case", MAPPING_ERRORS)
def test_broken_mapping_names_file_line_and_key(case, tmp_path):
    mapping, old, new, (line_text, item, key, words) = MAPPING_ERRORS[case]
    original = tabular.mapping_file(mapping).read_text(encoding="utf-8")
    assert old in original
    text = original.replace(old, new, 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        tabular.load(DOD_EXTRACT, broken)
    problem = next((p for p in failure.value.problems if p.field == key and words in p.message), None)
    assert problem, f"no problem on {key!r} saying {words!r} in:\n{failure.value}"
    assert problem.origin.file.endswith("broken.yaml") and problem.item == item
    assert problem.origin.line == text[:text.index(line_text)].count("\n") + 1


def test_bundled_mappings_are_valid_and_unknown_names_are_refused():
    for name in ("dod-1260h", "fcc-covered-list"):
        assert tabular.mapping_file(name).is_file()
    with pytest.raises(ImportFailed, match="neither a file nor a bundled mapping"):
        tabular.load(DOD_EXTRACT, "no-such-mapping")
