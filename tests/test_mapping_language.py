"""The mapping language of the tabular importer (issue #18), each feature on a small hand-made file.

Every sheet here is written by the test; expected values are worked out by hand from its rows
(rows numbered as a spreadsheet shows them: the header is row 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.records import Dataset, ImportFailed
from graph.writer import write_dataset
from importers import tabular
from importers.readers import read_yaml
from importers.tabular.cells import CellError, parse_amount_and_currency, parse_country, parse_float
from tests.helpers import DATABASE, count

SOURCE = ('source: {id: test-sheet, name: Test sheet, title: A sheet made up for the mapping tests, '
          'publisher: Influence Graph tests, date: "2024-05-01"}\n')
HEAD = "about: {title: a test sheet, licence: test data written for this project}\n" + SOURCE


def load(tmp_path: Path, sheet: str, mapping: str) -> Dataset:
    """The sheet (CSV text) through the mapping (YAML text, after the common head); counts not asserted."""
    (tmp_path / "sheet.csv").write_text(sheet, encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(HEAD + mapping, encoding="utf-8")
    return tabular.load(tmp_path / "sheet.csv", tmp_path / "mapping.yaml", assertions={})


def problems(tmp_path: Path, sheet: str, mapping: str) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        load(tmp_path, sheet, mapping)
    return [str(problem) for problem in failure.value.problems]


def labelled(dataset: Dataset, label: str) -> set[str]:
    return {n.id for n in dataset.nodes.values() if n.label == label}


# --- repeating cells -------------------------------------------------------------------------------------
FUNDERS_SHEET = (
    "Deal,Project,Funders\n"
    'D1,Lusaka Safe City,"Export-Import Bank of China, State-owned Bank; Ministry of Finance, Government Agency; '
    'Huawei Technologies, Company"\n'
    'D2,Windhoek Data Centre,"China Development Bank, State-owned Bank"\n'
)
FUNDERS_MAPPING = r"""
evidence: {template: "{Project}: {Funders}"}
blocks:   # not read: a place for anchored blocks that entries below reuse
  funder types: &funder_types {State-owned Bank: StateBank, Government Agency: Government, Company: Company}
  stated: &stated {confidence: stated, asOf: 2024}
nodes:
  project:
    label: Project
    id: {template: "deal {Deal}"}
    name: {column: Project}
    properties: {kind: other}
  funder:
    repeat: {column: Funders, split: ";", pattern: '(?P<funder>.+),\s*(?P<funder_type>[^,]+)'}
    label: {column: funder_type, map: *funder_types}
    id: {slug: funder}
    name: {column: funder}
    per_label:
      StateBank: {kind: policy bank}
      Government: {level: ministry}
relationships:
  - type: FINANCED
    from: funder
    to: project
    properties: *stated
"""


def test_a_cell_listing_several_parties_makes_one_node_and_one_tie_per_item(tmp_path):
    dataset = load(tmp_path, FUNDERS_SHEET, FUNDERS_MAPPING)
    labels, types = dataset.counts()
    # row 2 lists three funders, row 3 one: 4 funders of 3 labels, 4 FINANCED ties, 2 projects, 1 source
    assert labels == {"Source": 1, "Project": 2, "StateBank": 2, "Government": 1, "Company": 1}
    assert types == {"FINANCED": 4}
    ministry = dataset.nodes["ministry-of-finance"]
    assert (ministry.label, ministry.props["name"], ministry.props["level"]) == ("Government", "Ministry of Finance",
                                                                                 "ministry")
    assert dataset.nodes["china-development-bank"].props["kind"] == "policy bank"
    # the item's quote is its own part of the cell, verbatim
    assert ministry.props["evidence"] == ["Lusaka Safe City: Ministry of Finance, Government Agency"]
    tie = dataset.relationships["ministry-of-finance|FINANCED|deal-d1"]
    assert tie.props["note"] == "item 2 of column 'Funders'"
    assert (tie.origins[0].line, tie.origins[0].position, tie.origins[0].column) == (2, 2, "Funders")
    assert dataset.relationships["huawei-technologies|FINANCED|deal-d1"].props["note"] == "item 3 of column 'Funders'"
    assert dataset.relationships["china-development-bank|FINANCED|deal-d2"].props["note"] == "item 1 of column 'Funders'"


def test_repeated_funders_are_written_as_four_ties(clean_db, tmp_path):
    write_dataset(clean_db, DATABASE, load(tmp_path, FUNDERS_SHEET, FUNDERS_MAPPING))
    # 3 ties to deal-d1 (items 1-3 of row 2) and 1 to deal-d2 (row 3) = 4
    assert count(clean_db, "MATCH ()-[f:FINANCED]->(:Project) RETURN count(f)") == 4
    assert count(clean_db, "MATCH ()-[f:FINANCED]->(:Project {id: 'deal-d1'}) RETURN count(f)") == 3


def test_an_item_that_does_not_match_the_pattern_is_named_by_row_and_position(tmp_path):
    sheet = 'Deal,Project,Funders\nD1,Lusaka Safe City,"Huawei Technologies, Company;; Bank of Nowhere"\n'
    found = problems(tmp_path, sheet, FUNDERS_MAPPING)
    # the empty second item keeps its place: "Bank of Nowhere" is item 3
    assert any("sheet.csv:2 (item 3 of column 'Funders')" in p and "'Bank of Nowhere', does not match" in p
               for p in found), found


def test_a_repeated_cell_without_a_pattern_reads_each_item_as_the_column(tmp_path):
    sheet = "Name,Aliases\nAcme Security,\nBeta Capital,Beta | Beta Cap\n"
    dataset = load(tmp_path, sheet, """
evidence: {column: Name}
nodes:
  alias:
    repeat: {column: Aliases, split_pattern: '\\s*\\|\\s*'}
    label: Company
    optional: true
    id: {slug: Aliases}
    name: {column: Aliases}
""")
    # row 2 has no aliases (no node); row 3 two: beta and beta-cap
    assert labelled(dataset, "Company") == {"beta", "beta-cap"}


# --- label and relationship type from a column --------------------------------------------------------------
LIST_SHEET = (
    "Name,Type,Programme\n"
    "Acme Surveillance Ltd,Entity,Russia\n"
    "Ivan Petrov,Individual,Russia\n"
    "Institute of Applied Optics,Organisation,Cyber\n"
)
LIST_MAPPING = """
evidence: {template: "{Name} ({Type}, {Programme})"}
nodes:
  designator:
    label: Government
    id: {value: government-of-the-united-kingdom}
    name: {value: Government of the United Kingdom}
    properties: {level: national}
  listed:
    label: {column: Type, map: {Entity: Company, Individual: Person, Organisation: Organization}}
    id: {slug: Name}
    name: {column: Name}
relationships:
  - type: DESIGNATED
    from: designator
    to: listed
    properties: {programme: {column: Programme}, measure: sanction, confidence: stated, asOf: 2024}
"""


def test_one_file_of_companies_people_and_organisations_takes_its_labels_from_a_column(tmp_path):
    dataset = load(tmp_path, LIST_SHEET, LIST_MAPPING)
    assert {n.id: n.label for n in dataset.nodes.values() if n.label in ("Company", "Person", "Organization")} == {
        "acme-surveillance-ltd": "Company", "ivan-petrov": "Person", "institute-of-applied-optics": "Organization"}
    assert dataset.counts()[1] == {"DESIGNATED": 3}


def test_a_type_the_map_does_not_name_is_refused_with_its_row(tmp_path):
    found = problems(tmp_path, LIST_SHEET + "Black Sea Shipping,Vessel,Russia\n", LIST_MAPPING)
    assert any("sheet.csv:5" in p and "field 'Type'" in p and "'Vessel', which the label map" in p for p in found), found


def test_a_map_onto_a_name_outside_the_schema_is_refused_before_any_row(tmp_path):
    found = problems(tmp_path, LIST_SHEET, LIST_MAPPING.replace("Individual: Person", "Individual: Human"))
    assert any("mapping.yaml:" in p and "field 'label'" in p and "'Human', not in the schema" in p for p in found), found


ROLE_SHEET = ("Party,Kind,Role,Project\n"
              "China Exim Bank,bank,lender,Lusaka Safe City\n"
              "Huawei,company,contractor,Lusaka Safe City\n"
              "Ministry of Home Affairs,ministry,contractor,Lusaka Safe City\n")
ROLE_MAPPING = """
evidence: {template: "{Party}: {Role} of {Project}"}
nodes:
  project: {label: Project, id: {slug: Project}, name: {column: Project}, properties: {kind: safe city}}
  party:
    label: {column: Kind, map: {bank: StateBank, company: Company, ministry: Government}}
    id: {slug: Party}
    name: {column: Party}
    per_label: {StateBank: {kind: policy bank}, Government: {level: ministry}}
relationships:
  - type: {column: Role, map: {lender: FINANCED, contractor: CONTRACTED_FOR}}
    from: party
    to: project
    properties: {confidence: stated, asOf: 2020}
    per_type: {CONTRACTED_FOR: {role: prime contractor}}
"""


def test_the_relationship_type_comes_from_a_column(tmp_path):
    sheet, mapping = ROLE_SHEET, ROLE_MAPPING
    dataset = load(tmp_path, sheet, mapping)
    assert sorted(r.id for r in dataset.relationships.values()) == [
        "china-exim-bank|FINANCED|lusaka-safe-city", "huawei|CONTRACTED_FOR|lusaka-safe-city",
        "ministry-of-home-affairs|CONTRACTED_FOR|lusaka-safe-city"]
    assert dataset.relationships["huawei|CONTRACTED_FOR|lusaka-safe-city"].props["role"] == "prime contractor"
    # a state bank cannot contract (CONTRACTED_FOR starts at a Company, Government or Organization)
    found = problems(tmp_path, sheet + "China Development Bank,bank,contractor,Lusaka Safe City\n", mapping)
    assert any("sheet.csv:5" in p and "a StateBank (china-development-bank) cannot be the from end of CONTRACTED_FOR"
               in p for p in found), found
    # a required property of one type only must be given for it
    found = problems(tmp_path, sheet, mapping.replace("    per_type: {CONTRACTED_FOR: {role: prime contractor}}\n", ""))
    assert any("field 'role' is required for CONTRACTED_FOR" in p and "per_type" in p for p in found), found


PER_LABEL = "    per_label: {StateBank: {kind: policy bank}, Government: {level: ministry}}\n"


@pytest.mark.parametrize(("old", "new", "expected"), [
    (PER_LABEL, "    per_label: [kind]\n",
     ["field 'per_label' must map each of StateBank, Company, Government to its own properties",
      "field 'kind' is required for StateBank but the mapping does not give it (give it under per_label: "
      "{StateBank: ...})"]),
    (PER_LABEL, PER_LABEL.replace("}}", "}, Person: {nationality: CN}}"),
     ["field 'per_label' names 'Person', which the map does not give (it gives: StateBank, Company, Government)"]),
    (PER_LABEL, PER_LABEL.replace(", Government: {level: ministry}", ""),
     ["field 'level' is required for Government but the mapping does not give it (give it under per_label: "
      "{Government: ...})"]),
    ("bank: StateBank", "bank: Source",
     ["field 'label' Source nodes are made from a label of their own, not from a column"]),
    ("label: Project", "label: Projekt",
     ["field 'label' unknown label 'Projekt'; known: ", " (or {column: ..., map: {cell text: label}})"]),
    ("type: {column: Role, map: {lender: FINANCED, contractor: CONTRACTED_FOR}}", "type: LENT_TO",
     ["field 'type' unknown relationship type 'LENT_TO'; known: ", " (or {column: ..., map: {cell text: type}})"]),
], ids=["per_label not a map", "per_label of a label not given", "required property of one label",
        "Source from a column", "unknown label", "unknown relationship type"])
def test_labels_types_and_their_own_properties_are_checked_before_any_row(tmp_path, old, new, expected):
    assert ROLE_MAPPING.count(old) == 1
    found = problems(tmp_path, ROLE_SHEET, ROLE_MAPPING.replace(old, new))
    for part in expected:  # each named in a problem of the mapping file
        assert any("mapping.yaml:" in p and part in p for p in found), (part, found)


# --- YAML anchors and aliases -------------------------------------------------------------------------------
def test_anchors_aliases_and_merge_keys_are_read(tmp_path):
    mapping = """
evidence: {column: Name}
nodes:
  company: &company
    label: Company
    id: {slug: Name}
    name: {column: Name}
  owner:
    <<: *company
    id: {slug: Owner}
    name: {column: Owner}
relationships:
  - {type: OWNS, from: owner, to: company, properties: {confidence: stated, asOf: 2024}}
"""
    dataset = load(tmp_path, "Name,Owner\nAcme Security,Acme Holding\n", mapping)
    assert labelled(dataset, "Company") == {"acme-security", "acme-holding"}


def test_an_alias_bomb_is_refused_unexpanded(tmp_path):
    levels = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]  # 10^10 values written out
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(levels) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="aliases that stand for more than 100,000 values"):
        read_yaml(path)  # counted before expanding: written out, the 10^10 values would never fit in memory
    path.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="inside the value it names"):
        read_yaml(path)


# --- optional templates ------------------------------------------------------------------------------------
AGENCIES = "Agency,Country\nMinistry of Finance,Zambia\nMinistry of Finance,\n"
AGENCY_MAPPING = """
evidence: {column: Agency}
nodes:
  agency:
    label: Government
    optional: true
    id: {template: "{Agency} {Country}"%s}
    name: {template: "{Agency} of {Country}"%s}
    properties: {level: ministry}
"""


def test_a_template_id_is_absent_when_a_cell_it_requires_is_empty(tmp_path):
    required = load(tmp_path, AGENCIES, AGENCY_MAPPING % (", requires: all", ", requires: [Country]"))
    # row 3 has no country: no node, rather than an unqualified "Ministry of Finance"
    assert labelled(required, "Government") == {"ministry-of-finance-zambia"}
    assert required.nodes["ministry-of-finance-zambia"].props["name"] == "Ministry of Finance of Zambia"
    loose = load(tmp_path, AGENCIES, AGENCY_MAPPING % ("", ""))
    assert labelled(loose, "Government") == {"ministry-of-finance-zambia", "ministry-of-finance"}


def test_requires_names_only_the_templates_cells(tmp_path):
    found = problems(tmp_path, AGENCIES, AGENCY_MAPPING % (", requires: [Region]", ""))
    assert any("`requires` must be `all` or a list of the template's cells (Agency, Country)" in p for p in found), found


# --- cell types --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("cell", "code"), [
    ("NA", "NA"), ("NAM", "NA"), ("Namibia", "NA"), ("HK", "HK"), ("HKG", "HK"), ("MO", "MO"), ("MAC", "MO"),
    ("PR", "PR"), ("PRI", "PR"), ("GU", "GU"), ("PS", "PS"), ("RS", "RS"), ("srb", "RS"),
])
def test_every_iso_3166_code_territories_included_is_a_country(cell, code):
    assert parse_country(cell) == code


@pytest.mark.parametrize("cell", ["SU", "Atlantis", "EU"])
def test_what_is_not_a_current_iso_3166_country_is_refused(cell):
    with pytest.raises(CellError, match="is not a country or territory with an ISO 3166-1 code"):
        parse_country(cell)


def test_na_is_namibia_and_only_declared_markers_are_missing(tmp_path):
    sheet = "Project,Country,Amount\nWindhoek Data Centre,NA,n/a\nLusaka Safe City,ZM,5.689852347E7\n"
    mapping = """
missing: [n/a]
evidence: {column: Project}
nodes:
  project:
    label: Project
    id: {slug: Project}
    name: {column: Project}
    properties: {kind: other, value: {column: Amount, type: amount}, currency: USD}
  country: {label: Country, id: {country: Country}, name: {column: Country}}
relationships:
  - {type: LOCATED_IN, from: project, to: country, properties: {confidence: stated, asOf: 2024}}
"""
    dataset = load(tmp_path, sheet, mapping)
    assert labelled(dataset, "Country") == {"NA", "ZM"}
    assert "windhoek-data-centre|LOCATED_IN|NA" in dataset.relationships
    assert "value" not in dataset.nodes["windhoek-data-centre"].props  # "n/a" is declared missing
    assert dataset.nodes["lusaka-safe-city"].props["value"] == 56898523.47
    found = problems(tmp_path, sheet, mapping.replace("missing: [n/a]\n", ""))  # undeclared: an error, not a gap
    assert any("sheet.csv:2" in p and "'n/a' is not an amount" in p for p in found), found


def test_a_value_can_declare_its_own_missing_markers(tmp_path):
    sheet = "Project,Amount\nWindhoek Data Centre,not public\n"
    mapping = """
evidence: {column: Project}
nodes:
  project:
    label: Project
    id: {slug: Project}
    name: {column: Project}
    properties: {kind: other, value: {column: Amount, type: amount, missing: [not public]}, currency: USD}
"""
    assert "value" not in load(tmp_path, sheet, mapping).nodes["windhoek-data-centre"].props


@pytest.mark.parametrize(("cell", "expected"), [
    ("5.689852347E7", (56898523.47, None)),
    ("1.5E9 USD", (1_500_000_000.0, "USD")),
    ("CNY 2.5e6", (2_500_000.0, "CNY")),
    ("7E-1", (0.7, None)),
])
def test_amounts_in_e_notation_parse_exactly(cell, expected):
    assert parse_amount_and_currency(cell) == expected


def test_numbers_in_e_notation_parse_exactly():
    assert parse_float("5.689852347E7") == 56898523.47
    assert parse_float("1.2E6") == 1_200_000.0


USD_SHEET = "Project,Amount,Currency,Amount USD\nKunming Data Link,100000000,CNY,{usd}\n"
USD_MAPPING = """
evidence: {column: Project}
nodes:
  project:
    label: Project
    id: {slug: Project}
    name: {column: Project}
    properties:
      kind: other
      value: {column: Amount, type: amount}
      currency: {column: Currency, type: currency}
      valueUsd: {column: Amount USD, type: amount}
"""


def test_a_usd_column_is_us_dollars_whatever_the_rows_currency(tmp_path):
    project = load(tmp_path, USD_SHEET.format(usd="1.4E7"), USD_MAPPING).nodes["kunming-data-link"].props
    assert (project["value"], project["currency"], project["valueUsd"]) == (100_000_000.0, "CNY", 14_000_000.0)
    found = problems(tmp_path, USD_SHEET.format(usd="EUR 13000000"), USD_MAPPING)
    assert any("sheet.csv:2" in p and "is in EUR, but valueUsd takes US dollars" in p for p in found), found


# --- GCOF 1.0, AidData's older layout, through its bundled mapping ------------------------------------------
GCOF_ROWS = Path(__file__).parent / "fixtures" / "tabular" / "gcof-1.0-rows.csv"


def test_gcof_1_rows_through_the_bundled_mapping():
    dataset = tabular.load(GCOF_ROWS, "aiddata-gcof-1", assertions={})
    labels, types = dataset.counts()
    # 3 projects; row 2 names 2 funders (Exim, CDB) and 1 implementer, rows 3 and 4 the Chinese Government:
    # FINANCED 2 + 1 + 1 = 4; countries NA (row 2) and MO (row 3), none for the regional row 4
    assert labels == {"Source": 1, "Project": 3, "Country": 2, "StateBank": 2, "Government": 1, "Company": 1}
    assert types == {"FINANCED": 4, "CONTRACTED_FOR": 1, "LOCATED_IN": 2}
    exim = dataset.relationships["china-exim-bank|FINANCED|aiddata-gcof-90001"].props
    # the row's amount is in CNY; usd_defl_2014 is US dollars whatever the row's currency, in E-notation
    assert (exim["amount"], exim["currency"], exim["amountUsd"]) == (350_000_000.0, "CNY", 57_000_000.0)
    assert exim["recommendedForAggregates"] is True and exim["commitment"] == "aiddata-gcof-90001"
    assert exim["note"].endswith("item 1 of column 'funding_agency'")
    cdb = dataset.relationships["china-development-bank|FINANCED|aiddata-gcof-90001"].props
    assert cdb["commitment"] == exim["commitment"], "the two funders of one row are one commitment"
    assert dataset.relationships["government-of-china|FINANCED|aiddata-gcof-90003"].props[
        "recommendedForAggregates"] is False
    assert dataset.nodes["china-exim-bank"].props["kind"] == "policy bank"
    assert dataset.nodes["government-of-china"].props["level"] == "national"
    assert dataset.nodes["aiddata-gcof-90002"].props["status"] == "proposed"  # "Pipeline: Pledge"
    assert "aiddata-gcof-90001|LOCATED_IN|NA" in dataset.relationships  # recipient_iso3 NAM: Namibia


def test_the_aiddata_importer_points_a_gcof_file_to_its_mapping():
    from importers import gcdf

    with pytest.raises(ImportFailed) as failure:
        gcdf.load(GCOF_ROWS)
    message = failure.value.problems[0].message
    assert "GCOF 1.0" in message and "--mapping aiddata-gcof-1" in message


def test_an_unknown_aiddata_layout_is_told_how_to_map_it(tmp_path):
    from importers import gcdf

    path = tmp_path / "other.csv"
    path.write_text("id,title\n1,A project\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(path)
    message = failure.value.problems[0].message
    for words in ("GCDF 3.0: `AidData Record ID`", "GCDF 2.0", "Global Huawei Finance Dataset 2.0",
                  "tabular mapping `aiddata-gcof-1`", "importers/tabular/README.md"):
        assert words in message


# --- the worked examples of importers/tabular/README.md ------------------------------------------------------
DFAT_ROWS = Path(__file__).parent / "fixtures" / "tabular" / "dfat-consolidated-list-rows.csv"
FINCEN_ROWS = Path(__file__).parent / "fixtures" / "tabular" / "fincen-transactions-rows.csv"


def test_worked_example_a_sanctions_list_of_people_and_entities():
    dataset = tabular.load(DFAT_ROWS, "dfat-consolidated-list", assertions={})
    labels, types = dataset.counts()
    # 5 rows: party 9001 in two (primary name, alias), a person, an organisation, a vessel (skipped)
    assert labels == {"Source": 1, "Government": 1, "Organization": 2, "Person": 1}
    assert types == {"DESIGNATED": 3}
    optics = dataset.nodes["dfat-9001"].props
    assert (optics["name"], optics["aliases"], optics["externalIds"]) == ("Example Optics JSC", ["Primer Optika"],
                                                                          ["dfat:9001"])
    assert dataset.nodes["dfat-9002"].label == "Person"
    designation = dataset.relationships["government-of-australia|DESIGNATED|dfat-9001"].props
    assert (designation["programme"], designation["year"], designation["measure"]) == ("Autonomous (Russia)", 2022,
                                                                                      "sanction")
    assert len(designation["evidence"]) == 2, "the alias row adds its quote to the same designation"


def test_worked_example_transfers_between_banks(clean_db):
    dataset = tabular.load(FINCEN_ROWS, "icij-fincen-transactions", assertions={})
    assert dataset.counts()[1] == {"TRANSFERRED": 3, "LOCATED_IN": 3}
    first = dataset.relationships["example-bank-of-hong-kong|TRANSFERRED|example-trade-bank|900001"].props
    assert (first["amountUsd"], first["year"], first["asOf"]) == (56_898_523.47, 2015, 2015)  # "5.689852347E7"
    assert labelled(dataset, "Country") == {"HK", "MO", "NA"}  # HKG, MAC, NAM
    write_dataset(clean_db, DATABASE, dataset)
    # two reports between the same pair of banks stay two ties: 56,898,523.47 + 250,000 = 57,148,523.47
    records, _, _ = clean_db.execute_query(
        "MATCH (:Company {id: 'example-bank-of-hong-kong'})-[t:TRANSFERRED]->(:Company {id: 'example-trade-bank'}) "
        "RETURN count(t) AS ties, sum(t.amountUsd) AS total", database_=DATABASE)
    assert (records[0]["ties"], records[0]["total"]) == (2, 57_148_523.47)


def test_worked_example_gcof_rows_are_written(clean_db):
    write_dataset(clean_db, DATABASE, tabular.load(GCOF_ROWS, "aiddata-gcof-1", assertions={}))
    # row 2's two funders share commitment aiddata-gcof-90001: 2 ties, one commitment of 57,000,000 USD
    records, _, _ = clean_db.execute_query(
        "MATCH (:Project {id: 'aiddata-gcof-90001'})<-[f:FINANCED]-() "
        "RETURN count(f) AS ties, count(DISTINCT f.commitment) AS commitments, max(f.amountUsd) AS usd",
        database_=DATABASE)
    assert (records[0]["ties"], records[0]["commitments"], records[0]["usd"]) == (2, 1, 57_000_000.0)


# --- one reader for both importers ---------------------------------------------------------------------------
def test_an_aiddata_workbook_is_size_checked_before_it_is_unpacked(tmp_path):
    """The AidData importer reads workbooks through the shared reader, so a zip bomb is refused unread."""
    import zipfile

    import openpyxl

    from importers import gcdf

    path = tmp_path / "aiddata.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["AidData Record ID", "Title"])
    book.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:  # 64 MB of blanks pack to ~60 kB
        archive.writestr("xl/padding.xml", b" " * (64 * 2**20))
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(path)
    problem = failure.value.problems[0]
    assert (problem.field, problem.origin.file) == ("format", str(path))
    assert "'xl/padding.xml' unpacks from" in problem.message and "as a zip bomb does" in problem.message


def test_a_source_made_from_each_row_cannot_repeat(tmp_path):
    (tmp_path / "sheet.csv").write_text("Url,Name\nhttps://a.example/1,Acme\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text("""
about: {title: t, licence: test data}
source: {node: document}
evidence: {column: Name}
nodes:
  document:
    label: Source
    repeat: {column: Url, split: " "}
    id: {slug: Url}
    name: {column: Url}
  company: {label: Company, id: {slug: Name}, name: {column: Name}}
""", encoding="utf-8")
    with pytest.raises(ImportFailed, match="'document' repeats; a row cites one Source"):
        tabular.load(tmp_path / "sheet.csv", tmp_path / "mapping.yaml", assertions={})


@pytest.mark.parametrize("cell", ["1e999", "9E+400 USD"])
def test_an_exponent_beyond_what_a_number_holds_is_refused(cell):
    with pytest.raises(CellError, match="is too large a number"):
        parse_amount_and_currency(cell)
