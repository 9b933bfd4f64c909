"""Issue #20, items 2, 6 and 10: text from data printed as text, concurrent imports, no silent drops."""

from __future__ import annotations

import threading

import pytest

from graph.records import Dataset, Origin
from graph.writer import write_dataset
from tests.helpers import DATABASE, fingerprint, run_cli, wipe

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
    wipe(driver)
    write_dataset(driver, DATABASE, hostile_dataset())
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
    wipe(driver)
    write_dataset(driver, DATABASE, hostile_dataset())
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
        errors, summaries = write_concurrently(driver, [first, second])
        assert errors == []
        assert fingerprint(driver) == alone
        # every record counted once as created by one of the two writers: 1,201 nodes in all
        assert sum(s.total("created", "node") for s in summaries) == 1201
        retried += sum(s.retried_batches for s in summaries)
    print(f"batches retried in 3 rounds: {retried}")


def write_concurrently(driver, datasets: list[Dataset]) -> tuple[list[Exception], list]:
    """Write each dataset from its own thread at once; what they raised and their summaries."""
    errors, summaries = [], []

    def run(dataset: Dataset) -> None:
        try:
            summaries.append(write_dataset(driver, DATABASE, dataset, batch_size=25))
        except Exception as error:  # noqa: BLE001 - the test reports whatever a writer raised
            errors.append(error)

    threads = [threading.Thread(target=run, args=(d,)) for d in datasets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, summaries
