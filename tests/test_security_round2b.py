"""Issue #20, items 2, 6 and 10: text from data printed as text, concurrent imports, no silent drops."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.records import Dataset, ImportFailed, Origin
from graph.writer import write_dataset
from importers import bods, ftm, gcdf, tabular
from tests.helpers import DATABASE, fingerprint, run_at_once, run_cli, wipe, wipe_and_write

GCDF3_EXTRACT = Path(__file__).parent / "fixtures" / "gcdf" / "gcdf3_sea_petrochemical_extract.csv"

ESC = "\x1b"
HOSTILE_NAMES = {
    "markup-close": "Closing [/x] tag Co",
    "markup-link": "[link=https://evil.example/]Trusted Bank[/link]",
    "markup-style": "[bold red]Loud[/] Co",
    "emoji-code": "Smile :smiley: Co",
    "title-escape": f"Title {ESC}]0;pwned{chr(7)} Co",
    "hidden-text": f"Hidden {ESC}[8msecret{ESC}[0m Co",
    "clear-screen": f"Clear {ESC}[2J{ESC}[H Co",
    "c1-csi": "C1 \x9b31m Co",
}


def hostile_dataset() -> Dataset:
    dataset = Dataset()
    dataset.add_node("Source", {"id": "hostile-names", "name": "hostile names", "title": "Names that look like markup",
                                "publisher": "tests", "date": "2024"}, Origin("hostile"))
    for key, name in HOSTILE_NAMES.items():
        dataset.add_node("Company", {"id": f"hostile-{key}", "name": name, "sources": ["hostile-names"],
                                     "evidence": ["generated row"]}, Origin("hostile"))
    return dataset


def assert_shown_as_text(output: str) -> None:
    """No raw control character reached the terminal, and every escape is shown as its code point."""
    raw = [c for c in output if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f]
    assert raw == [], f"raw control characters printed: {raw!r}"
    assert "\\x1b" in output


# --- item 2: text from data is shown as text -------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["table", "table-to-file"])
def test_markup_and_escapes_in_names_are_printed_as_text_in_tables(driver, cli_env, tmp_path, fmt):
    wipe_and_write(driver, hostile_dataset())
    query = "MATCH (c:Company) WHERE c.id STARTS WITH 'hostile-' RETURN c.id AS id, c.name AS name ORDER BY id"
    args = ["query", "cypher", query]
    if fmt == "table-to-file":
        args += ["--output", str(tmp_path / "table.txt")]
    done = run_cli(*args, env=cli_env)
    assert done.returncode == 0, done.stderr[-3000:]  # "[/x]" used to crash the table with a MarkupError
    printed = done.stdout if fmt == "table" else (tmp_path / "table.txt").read_text(encoding="utf-8")
    assert_shown_as_text(printed)
    for literal in ("Closing [/x] tag Co", "[link=https://evil.example/]Trusted Bank[/link]", "[bold red]Loud[/] Co",
                    ":smiley:", "Title \\x1b]0;pwned\\x07 Co", "Hidden \\x1b[8msecret\\x1b[0m Co", "C1 \\x9b31m Co"):
        assert literal in printed, literal
    assert "\x1b]8;" not in printed  # no OSC 8 hyperlink


def test_markup_and_escapes_in_a_canned_query_table(driver, cli_env):
    wipe_and_write(driver, hostile_dataset())
    done = run_cli("query", "run", "search-entities", "-p", "text=Co", env=cli_env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_shown_as_text(done.stdout)
    assert "Closing [/x] tag Co" in done.stdout


def test_control_characters_in_error_messages_are_shown_as_code_points(cli_env, tmp_path):
    """A file name (echoed in every import error) with a screen-clearing escape in it."""
    path = tmp_path / f"evil{ESC}[2J{ESC}]0;pwned{chr(7)}.jsonl"
    path.write_text('{"kind": "node", "label": "Company"}\n', encoding="utf-8")
    done = run_cli("import", "jsonl", str(path), "--dry-run", env=cli_env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert_shown_as_text(done.stderr)
    assert "evil\\x1b[2J\\x1b]0;pwned\\x07.jsonl" in done.stderr


# --- item 6: two imports at once, in opposite orders ---------------------------------------------------------
def overlapping_dataset(first: int, last: int, reverse: bool) -> Dataset:
    """Companies c{first}..c{last - 1} (first and last multiples of 10) owned in chains of ten, every
    record from one shared source, so a record in both datasets is the same record; `reverse` adds
    them last first, so two writers meet in the middle."""
    dataset = Dataset()
    dataset.add_node("Source", {"id": "overlap", "name": "overlap", "title": "Overlapping imports",
                                "publisher": "tests", "date": "2024"}, Origin("overlap"))
    provenance = {"sources": ["overlap"], "evidence": ["generated row"]}
    numbers = range(first, last)
    for i in reversed(numbers) if reverse else numbers:
        dataset.add_node("Company", {"id": f"c{i}", "name": f"Company {i}", **provenance}, Origin("overlap", i))
    for i in reversed(numbers) if reverse else numbers:
        if i % 10:
            dataset.add_relationship("OWNS", f"c{i - i % 10}", f"c{i}",
                                     {"share": 0.51, "confidence": "stated", "asOf": 2024, **provenance}, Origin("overlap", i))
    return dataset


def test_overlapping_imports_in_opposite_orders_both_succeed_and_equal_one_import(driver):
    # A: c0..c799, B: c400..c1199 written last first; together c0..c1199: 1,200 companies + 1 source
    # = 1,201 nodes, and 1,200 - 120 chain heads = 1,080 OWNS ties, whichever import wrote a record first.
    first, second = overlapping_dataset(0, 800, False), overlapping_dataset(400, 1200, True)
    wipe(driver)
    write_dataset(driver, DATABASE, first, batch_size=25)
    write_dataset(driver, DATABASE, second, batch_size=25)
    alone = fingerprint(driver)
    assert alone[:2] == (1201 + 1, 1080)  # + the tests' marker node

    retried = 0
    for _ in range(3):  # the race is timing-dependent; three rounds make a collision all but certain
        wipe(driver)
        errors, summaries = run_at_once(lambda dataset: write_dataset(driver, DATABASE, dataset, batch_size=25),
                                        [first, second])
        assert errors == []
        assert fingerprint(driver) == alone
        # every record counted once as created by one of the two writers: 1,201 nodes in all
        assert sum(s.total("created", "node") for s in summaries) == 1201
        retried += sum(s.retried_batches for s in summaries)
    print(f"batches retried in 3 rounds: {retried}")


# --- item 10: silent drops become errors ---------------------------------------------------------------------
def test_extra_cells_in_a_csv_row_are_refused_naming_file_and_row(tmp_path):
    sheet = tmp_path / "extra.csv"
    # pandas takes its row width from the first data row and drops that row's extra cells in silence
    sheet.write_text("Name\nBad Co,Hidden Holdings Ltd\nGood Co\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "about: {title: A sheet with extra cells, licence: test data}\n"
        "source: {id: extra, name: extra, title: A sheet, publisher: tests, date: '2024'}\n"
        "evidence: {column: Name}\n"
        "nodes:\n  company:\n    label: Company\n    id: {template: 'extra {Name}'}\n    name: {column: Name}\n",
        encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        tabular.load(sheet, mapping)
    message = str(failure.value)
    assert "extra.csv:2" in message and "row 2 has 2 cells" in message and "Hidden Holdings Ltd" in message
    # an empty trailing cell drops nothing and is allowed
    sheet.write_text("Name\nFine Co,\nGood Co\n", encoding="utf-8")
    assert len([n for n in tabular.load(sheet, mapping).nodes.values() if n.label == "Company"]) == 2


def test_extra_cells_in_an_aiddata_row_are_refused_naming_file_and_row(tmp_path):
    """The same rule in the GCDF reader: without it, pandas misread the rows round an extra cell
    (it takes the first column as an index when every row has one) and no problem named the cell."""
    header, *rows = GCDF3_EXTRACT.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "aiddata.csv"
    path.write_text("\n".join([header, rows[0] + ",Hidden Holdings Ltd", *rows[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        gcdf.load(path)
    message = str(failure.value)
    assert "aiddata.csv:2" in message and "Hidden Holdings Ltd" in message and "belong to no column" in message


def bods_statement(statement_id: str, details) -> dict:
    return {"statementID": statement_id, "statementType": "entityStatement", "entityType": "registeredEntity",
            "name": "Example Ltd", "statementDate": "2021-01-01", "publicationDetails": details,
            "incorporatedInJurisdiction": {"code": "GB", "name": "United Kingdom"}}


def test_a_bods_statement_with_empty_publication_details_is_refused(tmp_path):
    good = {"bodsVersion": "0.2", "publicationDate": "2021-01-01", "publisher": {"name": "tests"}}
    path = tmp_path / "package.json"
    path.write_text(json.dumps([bods_statement("good-1", good), bods_statement("empty-details-2", {})]), encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        bods.load(path)
    message = str(failure.value)
    assert "empty-details-2" in message and "publicationDetails.bodsVersion" in message and "is required" in message


@pytest.mark.parametrize("value", ["0000-00-00", "2021-13-01", "2021-02-30", "0000"])
def test_an_impossible_date_is_refused_naming_the_field(tmp_path, value):
    good = {"bodsVersion": "0.2", "publicationDate": "2021-01-01", "publisher": {"name": "tests"}}
    statement = bods_statement("dated-1", good) | {"statementDate": value}
    path = tmp_path / "package.json"
    path.write_text(json.dumps([statement]), encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        bods.load(path)
    assert "statementDate" in str(failure.value) and value in str(failure.value)
    # the schema's rule, for every importer: a Source's date
    dataset = Dataset()
    dataset.add_node("Source", {"id": "s", "name": "s", "title": "t", "publisher": "p", "date": value}, Origin("x.yaml", 3))
    problems = dataset.problems()
    assert [p.field for p in problems] == ["date"] and "not a date of the calendar" in problems[0].message


@pytest.mark.parametrize("values", [[5], 5, [["Nested"]], [None], [True]])
def test_a_followthemoney_value_that_is_not_text_is_refused(tmp_path, values):
    entity = {"id": "co-1", "schema": "Company", "properties": {"name": values}, "datasets": ["t"],
              "first_seen": "2023-01-05T00:00:00", "last_seen": "2024-06-01T00:00:00"}
    path = tmp_path / "entities.ftm.json"
    path.write_text(json.dumps(entity) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        ftm.load(path)
    message = str(failure.value)
    assert "co-1" in message and "properties.name" in message and "not text" in message
