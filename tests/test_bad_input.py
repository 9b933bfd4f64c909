"""Bad input, across every importer: one clear error naming file, row or line, and field; nothing written.

A corpus of broken inputs for seed YAML, tabular CSV/xlsx, AidData GCDF, FollowTheMoney and BODS:
truncated files, wrong encodings (latin-1, UTF-16), missing columns or fields, duplicate keys, amounts
such as "USD 1.2bn" or "—" where a number is required, dates in three non-ISO spellings, dangling
references, cycles of controlling ownership, stakes above 100 %, empty files, and ~50 MB of garbage.
Each case is one test id. The library's `load()` is run for every case (then `write_dataset`, as the
CLI does); the cases marked `cli=True` also go through the real `influence import ...` command. The
database (the seed dataset, once per module) must be unchanged afterwards: counts and an MD5 over
every label, type and property, keys sorted.

Problems that concern a whole file (an empty file, a file over the YAML size limit, a BODS package
that is not UTF-8) name no line: `line=None` below, and the message names the file alone.

A UTF-8 byte order mark is no error: every importer reads a file with one like the same file without.

The garbage files are written at test time into a temporary folder and never committed; their run
times and peak memory are printed (`pytest -s`) and measured by `python -m benchmarks.bad_input`.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from benchmarks import bad_input
from graph.records import Dataset, ImportFailed
from graph.settings import PROJECT_ROOT
from graph.writer import write_dataset
from importers import bods, ftm, gcdf, seed, tabular
from importers.readers import MAX_YAML_BYTES
from tests.helpers import DATABASE, fingerprint, run_cli

FIXTURES = Path(__file__).parent / "fixtures"
BAD = FIXTURES / "bad"
SEED_EXTRA = (BAD / "seed-extra.yaml").read_text(encoding="utf-8")
SHEET = (BAD / "ownership.csv").read_text(encoding="utf-8")
SHEET_MAPPING = BAD / "ownership.yaml"
FTM_LINES = (BAD / "bad_entities.ftm.json").read_text(encoding="utf-8").splitlines()
PACKAGE_LINES = (BAD / "package.json").read_text(encoding="utf-8").splitlines()
AIDDATA = FIXTURES / "gcdf" / "AidDatasGlobalHuaweiFinanceDataset_v2.0_extract.csv"
AIDDATA_TEXT = AIDDATA.read_text(encoding="utf-8")

MESSAGE_BYTES = 200_000  # garbage is refused in a message one can read (200 problems at most, each cut short)


# --- inputs ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Input:
    path: Path                 # what is imported: a file, or the seed folder
    shown: Path                # the file the error must name
    mapping: Path | None = None


def import_args(importer: str, item: Input) -> list[str]:
    """`influence import ...` for this input (the review file, if any, goes to cli_env's resolution folder)."""
    if importer == "seed":
        return ["import", "seed", "--path", str(item.path)]
    args = ["import", importer, str(item.path)]
    return args + (["--mapping", str(item.mapping)] if item.mapping else [])


def load(importer: str, item: Input) -> Dataset:
    if importer == "seed":
        return seed.load(item.path)
    if importer == "tabular":
        return tabular.load(item.path, item.mapping)
    return {"gcdf": gcdf.load, "ftm": ftm.load, "bods": bods.load}[importer](item.path)


def line_of(text: str, needle: str, after: str = "") -> int:
    """The 1-based line of the first `needle` (after the first `after`) in `text`."""
    start = text.index(after) if after else 0
    return text[:text.index(needle, start)].count("\n") + 1


def edited(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, f"{old!r} is not in the fixture"
    return text.replace(old, new, count)


def latin1(text: str) -> bytes:
    return text.encode("latin-1", errors="replace")


def utf16(text: str) -> bytes:
    return text.encode("utf-16")


# seed: a copy of data/seed/ plus fixtures/bad/seed-extra.yaml, broken (the real files stay valid)
def seed_input(data: bytes | str) -> Callable[[Path], Input]:
    def make(tmp: Path) -> Input:
        folder = tmp / "seed"
        shutil.copytree(seed.DEFAULT_PATH, folder)
        target = folder / "zz-extra.yaml"
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return Input(folder, target)
    return make


def seed_edit(old: str, new: str) -> Callable[[Path], Input]:
    return seed_input(edited(SEED_EXTRA, old, new))


def seed_line(needle: str, text: str = SEED_EXTRA, after: str = "") -> int:
    return line_of(text, needle, after)


STAKE = """
  - type: OWNS
    from: {start}
    to: {end}
    share: {share}
    controlling: {controlling}
    confidence: stated
    asOf: 2023
    evidence: ["{start} holds {share} of {end}."]
"""
SEED_CYCLE = SEED_EXTRA + STAKE.format(start="acme-security", end="acme-holding", share=0.7, controlling="true")
SEED_OVER_100 = edited(SEED_EXTRA, "relationships:\n", """  - id: beta-capital
    label: Company
    name: Beta Capital
    evidence: ["Beta Capital holds half of Acme Security."]

relationships:
""") + STAKE.format(start="beta-capital", end="acme-security", share=0.5, controlling="false")
SEED_TRUNCATED = SEED_EXTRA[:SEED_EXTRA.index("was financed", SEED_EXTRA.index("type: FINANCED"))]
SEED_SOURCE_LINE = seed_line("id: bad-input-memo")


# tabular: fixtures/bad/ownership.csv through fixtures/bad/ownership.yaml (rows as a spreadsheet shows them)
def sheet_input(data: bytes | str, name: str = "ownership.csv") -> Callable[[Path], Input]:
    def make(tmp: Path) -> Input:
        target = tmp / name
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return Input(target, target, SHEET_MAPPING)
    return make


def sheet_row(row: int, column: str, value: str) -> str:
    """The sheet with one cell changed; `row` as a spreadsheet shows it (the header is row 1)."""
    frame = pd.read_csv(io.StringIO(SHEET), dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    return frame.to_csv(index=False)


def sheet_xlsx(cut: bool) -> Callable[[Path], Input]:
    def make(tmp: Path) -> Input:
        target = tmp / "ownership.xlsx"
        pd.read_csv(io.StringIO(SHEET), dtype=str, keep_default_na=False).to_excel(target, index=False)
        if cut:
            target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
        return Input(target, target, SHEET_MAPPING)
    return make


SHEET_ROW_3_CUT = SHEET[:SHEET.index("Acme Cameras,1") + len("Acme Cameras,1")]
SHEET_QUOTED = sheet_row(3, "Quote", "Acme Security, a unit of Acme Holding, owns all of Acme Cameras.")
SHEET_QUOTE_CUT = SHEET_QUOTED[:SHEET_QUOTED.index("a unit of")]
SHEET_EXTRA_ROW = "{owner},{company},{share},{controlling},2023-02-01,,{owner} holds {share} of {company}.\n"


# GCDF: the AidData Huawei extract (fixtures/gcdf), one cell changed; record 53843 is row 2, 85145 row 16
def aiddata_input(data: bytes | str, name: str = "huawei.csv") -> Callable[[Path], Input]:
    def make(tmp: Path) -> Input:
        target = tmp / name
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return Input(target, target)
    return make


def aiddata_cell(record: str, column: str, value: str) -> str:
    frame = pd.read_csv(AIDDATA, dtype=str, keep_default_na=False)
    frame.loc[frame["AidData TUFF Project ID"] == record, column] = value
    return frame.to_csv(index=False)


def aiddata_frame(change: Callable[[pd.DataFrame], pd.DataFrame]) -> str:
    return change(pd.read_csv(AIDDATA, dtype=str, keep_default_na=False)).to_csv(index=False)


def aiddata_xlsx_cut(tmp: Path) -> Input:
    target = tmp / "huawei.xlsx"
    pd.read_csv(AIDDATA, dtype=str, keep_default_na=False).to_excel(target, index=False)
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    return Input(target, target)


def lines_input(name: str, lines: list[str] | bytes) -> Callable[[Path], Input]:
    """A file `name` holding `lines` (each ended by a newline) or the bytes as given."""
    def make(tmp: Path) -> Input:
        target = tmp / name
        target.write_bytes(lines if isinstance(lines, bytes) else "".join(f"{line}\n" for line in lines).encode("utf-8"))
        return Input(target, target)
    return make


# FtM: fixtures/bad/bad_entities.ftm.json, one entity a line (line 6 is own-1, 7 own-2, 9 debt-1)
def ftm_input(lines: list[str] | bytes) -> Callable[[Path], Input]:
    return lines_input("bad_entities.ftm.json", lines)


def ftm_edit(line: int, change: Callable[[dict], None]) -> list[str]:
    lines = list(FTM_LINES)
    entity = json.loads(lines[line - 1])
    change(entity)
    lines[line - 1] = json.dumps(entity, ensure_ascii=False)
    return lines


def ftm_props(line: int, **props: str) -> list[str]:
    return ftm_edit(line, lambda e: e["properties"].update({k: [v] for k, v in props.items()}))


def ftm_stake(entity_id: str, owner: str, asset: str, percentage: str) -> list[str]:
    extra = json.loads(FTM_LINES[5])
    extra.update(id=entity_id, properties={"owner": [owner], "asset": [asset], "percentage": [percentage]})
    return [*FTM_LINES, json.dumps(extra)]


# BODS: fixtures/bad/package.json, a 0.4 array with one statement a line (lines 2-6; 5 and 6 are ties)
def bods_input(lines: list[str] | bytes) -> Callable[[Path], Input]:
    return lines_input("package.json", lines)


def bods_edit(line: int, change: Callable[[dict], None]) -> list[str]:
    lines = list(PACKAGE_LINES)
    text = lines[line - 1]
    statement = json.loads(text.rstrip(","))
    change(statement)
    lines[line - 1] = json.dumps(statement, ensure_ascii=False) + ("," if text.endswith(",") else "")
    return lines


def bods_share(line: int, value) -> list[str]:
    return bods_edit(line, lambda s: s["recordDetails"]["interests"][0]["share"].update(exact=value))


def bods_stake(statement_id: str, subject: str, party: str, share: float) -> list[str]:
    statement = json.loads(PACKAGE_LINES[4].rstrip(","))
    statement.update(statementId=statement_id, recordId=f"r-{statement_id}")
    statement["recordDetails"].update(subject=subject, interestedParty=party)
    statement["recordDetails"]["interests"][0]["share"] = {"exact": share}
    return [*PACKAGE_LINES[:-2], PACKAGE_LINES[-2] + ",", json.dumps(statement), PACKAGE_LINES[-1]]


PACKAGE_TEXT = "\n".join(PACKAGE_LINES) + "\n"


# --- the corpus -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    importer: str
    make: Callable[[Path], Input]
    line: int | None   # the row or line the error names; None for a problem of the whole file
    field: str
    words: str         # part of the message
    cli: bool = False  # also run `influence import ...` on it


CASES: dict[str, Case] = {
    # --- seed YAML -----------------------------------------------------------------------------------
    "seed: truncated": Case("seed", seed_input(SEED_TRUNCATED), SEED_TRUNCATED.count("\n") + 1, "syntax",
                            "is not valid YAML", cli=True),
    "seed: latin-1": Case("seed", seed_input(latin1(edited(SEED_EXTRA, "Acme Security sells", "Acme Sécurité sells"))),
                          seed_line("Acme Security sells"), "encoding", "is not UTF-8"),
    "seed: UTF-16": Case("seed", seed_input(utf16(SEED_EXTRA)), 1, "encoding", "is not UTF-8"),
    "seed: missing field": Case("seed", seed_edit("    kind: safe city\n", ""), seed_line("- id: acme-safe-city"),
                                "kind", "is required"),
    "seed: duplicate key": Case("seed", seed_edit("    name: Acme Holding\n", "    name: Acme Holding\n    name: Acme Inc\n"),
                                seed_line("name: Acme Holding") + 1, "name", "is given twice in one mapping"),
    "seed: duplicate id of another label": Case(
        "seed", seed_edit("  - id: acme-safe-city\n    label: Project", "  - id: acme-security\n    label: Project"),
        seed_line("- id: acme-safe-city"), "label", "is Project here but Company at"),
    "seed: amount 'USD 1.2bn'": Case("seed", seed_edit("amount: 21000000", 'amount: "USD 1.2bn"'),
                                     seed_line("- type: FINANCED"), "amount", "expected a number, got 'USD 1.2bn'"),
    "seed: amount '—'": Case("seed", seed_edit("amount: 21000000", 'amount: "—"'), seed_line("- type: FINANCED"),
                             "amount", "expected a number, got '—'"),
    **{f"seed: date {spelling!r}": Case("seed", seed_edit('date: "2024-05-01"', f'date: "{spelling}"'), SEED_SOURCE_LINE,
                                        "date", "does not match")
       for spelling in ("01/05/2024", "May 1, 2024", "1.5.2024")},
    "seed: dangling reference": Case("seed", seed_edit("to: acme-safe-city", "to: acme-safe-cty"),
                                     seed_line("- type: FINANCED"), "to", "'acme-safe-cty', which no file defines"),
    "seed: cycle of control": Case("seed", seed_input(SEED_CYCLE), seed_line("- type: OWNS"), "to",
                                   "closes a cycle of controlling stakes"),
    "seed: share above 100%": Case("seed", seed_edit("share: 0.6", "share: 1.2"), seed_line("- type: OWNS"), "share",
                                   "1.2 is above the maximum 1"),
    "seed: stakes add up to 110%": Case("seed", seed_input(SEED_OVER_100),
                                        seed_line("- type: OWNS", SEED_OVER_100, after="type: FINANCED"), "share",
                                        "add up to 110%, more than 100%"),
    "seed: empty file": Case("seed", seed_input(""), 1, "source", "is required"),
    "seed: over the YAML size limit": Case("seed", lambda tmp: seed_input("x" * (MAX_YAML_BYTES + 1))(tmp), None, "size",
                                           "a YAML file here may be at most 10 MB"),  # parsed in pure Python: ~5 s
    # --- tabular CSV / xlsx ---------------------------------------------------------------------------
    "tabular: truncated": Case("tabular", sheet_input(SHEET_ROW_3_CUT), 3, "Date", "is empty, and the mapping requires it"),
    "tabular: truncated inside a quote": Case("tabular", sheet_input(SHEET_QUOTE_CUT), 3, "format", "EOF inside string"),
    "tabular: truncated xlsx": Case("tabular", sheet_xlsx(cut=True), None, "format", "is not an Excel .xlsx workbook"),
    "tabular: latin-1": Case("tabular", sheet_input(latin1(edited(SHEET, "Acme Cameras", "Acme Caméras"))), 3, "encoding",
                             "is not valid utf-8", cli=True),
    "tabular: UTF-16": Case("tabular", sheet_input(utf16(SHEET)), 1, "encoding", "is not valid utf-8"),
    "tabular: missing column": Case("tabular", sheet_input(edited(SHEET, "Share,", "Stake,")), 1, "Share",
                                    "is missing; the mapping reads it in"),
    "tabular: duplicate column": Case("tabular", sheet_input(SHEET.replace(",Quote\n", ",Quote,Share\n", 1)
                                                              .replace(".\n", ".,0.9\n")), 1, "Share",
                                      "appears more than once in the header"),
    "tabular: duplicate row with another share": Case(
        "tabular", sheet_input(SHEET + SHEET_EXTRA_ROW.format(owner="Acme Holding", company="Acme Security", share=0.5,
                                                               controlling="yes")),
        5, "share", "is 0.5 here but 0.6 at"),
    "tabular: amount 'USD 1.2bn'": Case("tabular", sheet_input(sheet_row(2, "Share", "USD 1.2bn")), 2, "Share",
                                        "'USD 1.2bn' is not a number"),
    "tabular: amount '—'": Case("tabular", sheet_input(sheet_row(2, "Share", "—")), 2, "Share",
                                "is empty, and the mapping requires it"),
    **{f"tabular: date {spelling!r}": Case("tabular", sheet_input(sheet_row(2, "Date", spelling)), 2, "Date",
                                           f"{spelling!r} is not a date")
       for spelling in ("12/03/2021", "March 12, 2021", "12.03.2021")},
    "tabular: dangling reference": Case("tabular", sheet_input(sheet_row(2, "Parent", "Gamma Group")), 2, "Parent",
                                        "names node 'gamma-group', which no row of this file makes"),
    "tabular: cycle of control": Case(
        "tabular", sheet_input(SHEET + SHEET_EXTRA_ROW.format(owner="Acme Security", company="Acme Holding", share=0.7,
                                                               controlling="yes")),
        2, "to", "closes a cycle of controlling stakes", cli=True),
    "tabular: share above 100%": Case("tabular", sheet_input(sheet_row(3, "Share", "1.5")), 3, "Share",
                                      "1.5 is above the maximum 1"),
    "tabular: stakes add up to 110%": Case(
        "tabular", sheet_input(SHEET + SHEET_EXTRA_ROW.format(owner="Beta Capital", company="Acme Security", share=0.5,
                                                               controlling="no")),
        5, "share", "add up to 110%"),
    "tabular: empty file": Case("tabular", sheet_input(b""), None, "file", "is empty (0 bytes)"),
    # --- AidData GCDF ------------------------------------------------------------------------------------
    "gcdf: truncated": Case("gcdf", aiddata_input(AIDDATA_TEXT[: len(AIDDATA_TEXT) // 2]), 16, "format",
                            "EOF inside string starting at row 15"),  # in record 85145's description
    "gcdf: truncated xlsx": Case("gcdf", aiddata_xlsx_cut, None, "format", "is not an Excel .xlsx workbook", cli=True),
    "gcdf: latin-1": Case("gcdf", aiddata_input(latin1(edited(AIDDATA_TEXT, "Smart Classroom", "Smart Classroom café"))),
                          2, "encoding", "is not valid utf-8"),
    "gcdf: UTF-16": Case("gcdf", aiddata_input(utf16(AIDDATA_TEXT)), 1, "encoding", "is not valid utf-8"),
    "gcdf: missing column": Case("gcdf", aiddata_input(aiddata_frame(lambda t: t.drop(columns=["Status"]))), 1, "Status",
                                 "is missing"),
    "gcdf: duplicate column": Case("gcdf", aiddata_input(AIDDATA_TEXT.replace(",Title,", ",Title,Title,", 1)), 1, "Title",
                                   "appears more than once in the header"),
    "gcdf: duplicate record id": Case("gcdf", aiddata_input(aiddata_cell("54218", "AidData TUFF Project ID", "53843")), 3,
                                      "AidData TUFF Project ID", "repeats record 53843 of row 2"),
    "gcdf: amount 'USD 1.2bn'": Case("gcdf", aiddata_input(aiddata_cell("85145", "Amount (Original Currency)", "USD 1.2bn")),
                                     16, "Amount (Original Currency)", "is not an amount in units: 'USD 1.2bn'", cli=True),
    "gcdf: amount '—'": Case("gcdf", aiddata_input(aiddata_cell("85145", "Amount (Original Currency)", "—")), 16,
                             "Amount (Original Currency)", "is not an amount in units: '—'"),
    **{f"gcdf: year {spelling!r}": Case("gcdf", aiddata_input(aiddata_cell("53843", "Commitment Year", spelling)), 2,
                                        "Commitment Year", f"is not a year: {spelling!r}")
       for spelling in ("21/06/2017", "June 21, 2017", "2017-06-21")},
    "gcdf: empty file": Case("gcdf", aiddata_input(b""), None, "file", "is empty (0 bytes)"),
    # --- FollowTheMoney ----------------------------------------------------------------------------------
    "ftm: truncated": Case("ftm", ftm_input("\n".join(FTM_LINES)[:-40].encode()), 9, "json", "is not valid JSON"),
    "ftm: latin-1": Case("ftm", ftm_input(latin1("\n".join(FTM_LINES).replace("Acme Security", "Acme Sécurité", 1))),
                         2, "encoding", "is not UTF-8"),
    "ftm: UTF-16": Case("ftm", ftm_input(utf16("\n".join(FTM_LINES))), 1, "encoding", "is not UTF-8"),
    "ftm: missing field": Case("ftm", ftm_input(ftm_edit(3, lambda e: e.pop("schema"))), 3, "schema",
                               "None is not a FollowTheMoney schema"),
    "ftm: duplicate key": Case("ftm", ftm_input([*FTM_LINES[:3], FTM_LINES[3].replace(
        '"schema": "Company"', '"schema": "Company", "schema": "Person"'), *FTM_LINES[4:]]), 4, "schema",
        "is given twice in one JSON object", cli=True),
    "ftm: duplicate id": Case("ftm", ftm_input([*FTM_LINES, FTM_LINES[1]]), 10, "id", "appears again (first on line 2)"),
    "ftm: amount 'USD 1.2bn'": Case("ftm", ftm_input(ftm_props(9, amount="USD 1.2bn")), 9, "amount",
                                    "'USD 1.2bn' is not a plain amount"),
    "ftm: amount '—'": Case("ftm", ftm_input(ftm_props(9, amount="—")), 9, "amount", "'—' is not a plain amount"),
    **{f"ftm: date {spelling!r}": Case("ftm", ftm_input(ftm_props(6, startDate=spelling)), 6, "startDate",
                                       f"{spelling!r} is not a valid date")
       for spelling in ("12/03/2021", "March 12, 2021", "12.03.2021")},
    "ftm: dangling reference": Case("ftm", ftm_input(ftm_props(7, asset="acme-camera")), 7, "asset",
                                    "names entity 'acme-camera', which is not in the file", cli=True),
    "ftm: cycle of control": Case("ftm", ftm_input(ftm_stake("own-4", "acme-security", "acme-holding", "70")), 6, "to",
                                  "closes a cycle of controlling stakes"),
    "ftm: share above 100%": Case("ftm", ftm_input(ftm_props(6, percentage="120")), 6, "percentage",
                                  "is not a percentage between 0 and 100"),
    "ftm: stakes add up to 110%": Case("ftm", ftm_input(ftm_stake("own-4", "beta-capital", "acme-security", "50")), 10,
                                       "share", "add up to 110%"),
    "ftm: empty file": Case("ftm", ftm_input(b""), None, "entities", "holds no entities"),
    # --- BODS -----------------------------------------------------------------------------------------------
    "bods: truncated": Case("bods", bods_input(PACKAGE_TEXT[: PACKAGE_TEXT.index('"interests"')].encode()), 5, "syntax",
                            "is not valid JSON"),
    "bods: latin-1": Case("bods", bods_input(latin1(PACKAGE_TEXT.replace("Acme Security", "Acme Sécurité"))), None,
                          "encoding", "is not UTF-8"),
    "bods: UTF-16": Case("bods", bods_input(utf16(PACKAGE_TEXT)), None, "encoding", "is not UTF-8"),
    "bods: missing field": Case("bods", bods_input(bods_edit(4, lambda s: s.pop("recordId"))), 4, "recordId", "is required"),
    "bods: duplicate key": Case("bods", bods_input([*PACKAGE_LINES[:2], PACKAGE_LINES[2].replace(
        '"recordType": "entity"', '"recordType": "entity", "recordType": "person"'), *PACKAGE_LINES[3:]]), 3, "recordType",
        "is given twice in one JSON object"),
    "bods: amount 'USD 1.2bn'": Case("bods", bods_input(bods_share(5, "USD 1.2bn")), 5,
                                     "recordDetails.interests[0].share.exact", "expected a percentage", cli=True),
    "bods: amount '—'": Case("bods", bods_input(bods_share(5, "—")), 5, "recordDetails.interests[0].share.exact",
                             "expected a percentage"),
    **{f"bods: date {spelling!r}": Case("bods", bods_input(bods_edit(2, lambda s, d=spelling: s.update(statementDate=d))),
                                        2, "statementDate", f"{spelling!r} is not a date")
       for spelling in ("01/04/2024", "April 1, 2024", "1.4.2024")},
    "bods: dangling reference": Case("bods", bods_input(bods_edit(6, lambda s: s["recordDetails"].update(
        interestedParty="r-gamma"))), 6, "recordDetails.interestedParty", "'r-gamma'"),
    "bods: cycle of control": Case("bods", bods_input(bods_stake("st-rel-3", "r-holding", "r-security", 70)), 5, "to",
                                   "closes a cycle of controlling stakes", cli=True),
    "bods: share above 100%": Case("bods", bods_input(bods_share(5, 120)), 5, "recordDetails.interests[0].share.exact",
                                   "is 120, above 100"),
    "bods: stakes add up to 110%": Case("bods", bods_input(bods_stake("st-rel-3", "r-security", "r-beta", 50)), 7, "share",
                                        "add up to 110%"),
    "bods: empty file": Case("bods", bods_input(b""), None, "content", "is empty"),
}


# --- the database, before and after -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph_before(seeded_db):
    before = fingerprint(seeded_db)
    assert before[0] > 200, "the seed dataset is in the database"
    return seeded_db, before


def shown_origin(item: Input, line: int | None) -> str:
    """How a message names the file and line: `path:line: ` (paths outside the project in full)."""
    try:
        path = str(item.shown.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        path = str(item.shown)
    return f"{path}:{line}: " if line else f"{path}: "


def assert_names_the_problem(message: str, item: Input, case: Case) -> None:
    assert shown_origin(item, case.line) in message, f"no {shown_origin(item, case.line)!r} in:\n{message[:3000]}"
    assert f"field '{case.field}'" in message, f"no field '{case.field}' in:\n{message[:3000]}"
    assert case.words in message, f"no {case.words!r} in:\n{message[:3000]}"


# --- the tests ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused_clearly_and_writes_nothing(name, graph_before, cli_env, tmp_path):
    case = CASES[name]
    driver, before = graph_before
    item = case.make(tmp_path)

    with pytest.raises(ImportFailed) as failure:  # anything but ImportFailed fails the test with its traceback
        write_dataset(driver, DATABASE, load(case.importer, item))
    problem = next((p for p in failure.value.problems if p.field == case.field and case.words in p.message), None)
    assert problem, f"no problem on {case.field!r} saying {case.words!r} in:\n{failure.value}"
    assert Path(problem.origin.file).name == item.shown.name and problem.origin.line == case.line, str(problem)
    assert_names_the_problem(str(failure.value), item, case)
    assert "nothing was written" in str(failure.value)
    assert fingerprint(driver) == before, "the database is unchanged"

    if case.cli:
        done = run_cli(*import_args(case.importer, item), env=cli_env)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr and done.stderr.startswith("Error: "), done.stderr[-3000:]
        assert_names_the_problem(done.stderr, item, case)
        assert "Import summary" not in done.stdout
        assert fingerprint(driver) == before, "the database is unchanged"


# --- a byte order mark is no error ---------------------------------------------------------------------------------
BOM = b"\xef\xbb\xbf"


def mapping_input(tmp: Path) -> Input:
    """The sheet, and a copy of its mapping: the file that gets the byte order mark is the mapping."""
    sheet = sheet_input(SHEET)(tmp)
    shutil.copy(SHEET_MAPPING, tmp / "mapping.yaml")
    return Input(sheet.path, tmp / "mapping.yaml", tmp / "mapping.yaml")


PLAIN_INPUTS = {"seed": seed_input(SEED_EXTRA), "tabular": sheet_input(SHEET), "tabular mapping": mapping_input,
                "gcdf": aiddata_input(AIDDATA_TEXT), "ftm": ftm_input(FTM_LINES), "bods": bods_input(PACKAGE_LINES)}


def records(dataset: Dataset) -> tuple[dict, dict]:
    return ({n.id: (n.label, n.props) for n in dataset.nodes.values()},
            {r.id: (r.type, r.start, r.end, r.props) for r in dataset.relationships.values()})


@pytest.mark.parametrize("what", PLAIN_INPUTS)
def test_a_utf8_byte_order_mark_reads_like_plain_utf8(what, tmp_path):
    importer = what.split()[0]
    (tmp_path / "plain").mkdir(), (tmp_path / "marked").mkdir()
    without = PLAIN_INPUTS[what](tmp_path / "plain")
    with_bom = PLAIN_INPUTS[what](tmp_path / "marked")
    with_bom.shown.write_bytes(BOM + with_bom.shown.read_bytes())
    assert records(load(importer, with_bom)) == records(load(importer, without))


# --- 50 MB of garbage ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def garbage(tmp_path_factory) -> dict[str, Path]:
    return bad_input.write_garbage(tmp_path_factory.mktemp("garbage"))


@pytest.mark.parametrize("kind", ["text", "binary"])
@pytest.mark.parametrize("importer", bad_input.FILE_NAMES)
def test_50_mb_of_garbage_fails_clearly(importer, kind, garbage, graph_before, cli_env, tmp_path):
    """Refused with a short message naming file and field, nothing written, in a child whose memory is
    capped (how long it takes and how much memory it uses: `python -m benchmarks.bad_input`)."""
    driver, before = graph_before
    target, args = bad_input.placed(importer, garbage[kind], tmp_path)

    run = bad_input.run_measured(args, cli_env)
    print(f"\ngarbage {importer:8} {kind:6}: exit {run.status}, {run.seconds:.1f} s, peak RSS {run.rss_mb:.0f} MB, "
          f"{len(run.stderr):,} bytes of message")
    assert run.status == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and run.stderr.startswith("Error: "), run.stderr[-2000:]
    assert target.name in run.stderr and "field '" in run.stderr
    assert len(run.stderr) < MESSAGE_BYTES
    assert fingerprint(driver) == before, "the database is unchanged"


# --- every case of the corpus is in the docstring's list, for every importer ------------------------------------
def test_the_corpus_covers_every_importer_and_kind_of_damage():
    kinds = {"truncated", "latin-1", "UTF-16", "missing", "duplicate", "amount 'USD 1.2bn'", "amount '—'", "date",
             "empty file"}
    for importer in ("seed", "tabular", "gcdf", "ftm", "bods"):
        names = [name for name, case in CASES.items() if case.importer == importer]
        assert all(any(kind in name for name in names) for kind in kinds if not (importer == "gcdf" and kind == "date"))
        assert any(CASES[name].cli for name in names), f"{importer} has a CLI case"
    for importer in ("seed", "tabular", "ftm", "bods"):  # AidData records hold no references or stakes
        names = [name for name, case in CASES.items() if case.importer == importer]
        assert all(any(kind in name for name in names) for kind in ("dangling", "cycle", "above 100%", "110%"))
    assert sum(1 for name in CASES if "date" in name or "year" in name) >= 15
