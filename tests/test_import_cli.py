"""The import commands as a user runs them: exit codes, then what is in the database. Seed facts and
dataset facts meet on one node."""

from __future__ import annotations

import cypher
from tests.helpers import DATABASE, PROJECT_ROOT, SHARED, count, require_shared, run_cli

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


def test_gcdf_after_seed_puts_both_sources_on_the_same_bank(clean_db, cli_env):
    run_cli("import", "seed", env=cli_env, check=True)
    done = run_cli("import", "gcdf", str(FIXTURES / "gcdf" / "gcdf3_sea_petrochemical_extract.csv"), env=cli_env,
                   check=True)
    assert "created" in done.stdout
    bank = clean_db.execute_query("MATCH (b:StateBank {id: 'china-development-bank'}) RETURN b",
                                  database_=DATABASE).records[0]["b"]
    assert {"aspi-2019", "diplomat-2019"} <= set(bank["sources"])
    assert any(s.startswith("aiddata") for s in bank["sources"]), "AidData's quote is on the seed's node"
    assert bank["name"] == "China Development Bank", "the seed's name is kept"
    assert count(clean_db, "MATCH (n:StateBank) WHERE n.name STARTS WITH 'China Development Bank' RETURN count(n)") == 1
    chains = cypher.run(clean_db, "financing-chains", {"lender": "china-development-bank"}, DATABASE)
    sources = {e.split(":", 1)[0] for row in chains.evidence for e in row}
    assert "diplomat-2019" in sources and any(s.startswith("aiddata") for s in sources)
    # GCDF 3.0 record 62760: China Development Bank (CDB), USD 621,214,400 (constant 2021)
    assert any(abs(a - 621_214_400) < 1_000 for a in chains.amountUsd.dropna())


def test_totals_leave_out_records_aidData_does_not_recommend(clean_db, cli_env):
    run_cli("import", "gcdf", str(FIXTURES / "gcdf" / "AidDatasGlobalHuaweiFinanceDataset_v2.0_extract.csv"),
            "--no-resolve", env=cli_env, check=True)
    default = cypher.run(clean_db, "top-lenders", {"limit": 50}, DATABASE).set_index("lenderId")
    # record 53117 is a pledge too, which the counting policy also leaves out as not (yet) happened
    everything = cypher.run(clean_db, "top-lenders", {"limit": 50, "includeNotRecommended": True,
                                                      "includeNotHappened": True}, DATABASE).set_index("lenderId")
    huawei = "huawei-technologies-co-ltd"
    # record 53117 (Huawei, USD 88,582,010 in 2017 dollars) is marked "No" for aggregates
    assert everything.loc[huawei, "totalUsd"] - default.loc[huawei, "totalUsd"] >= 88_582_010 - 1


def test_tabular_1260h_list(clean_db, cli_env):
    path = require_shared(SHARED / "data" / "opensanctions-csv" / "us__dod_chinese_milcorps__sanctions.csv")
    run_cli("import", "seed", env=cli_env, check=True)
    done = run_cli("import", "tabular", str(path), "--mapping", "dod-1260h", env=cli_env, check=True)
    assert "matched" in done.stdout
    editions = clean_db.execute_query("MATCH (:Government {id: 'us-department-of-defense'})-[d:DESIGNATED]->"
                                      "(:Company {id: 'hikvision'}) RETURN d.year AS year ORDER BY year", database_=DATABASE)
    assert [r["year"] for r in editions.records] == [2021, 2025, 2026], "the listings land on the seed's Hikvision"
    owners = cypher.run(clean_db, "owners-of", {"entity": "hikvision"}, DATABASE)
    assert "cetc" in set(owners.ownerId)


def test_ftm_and_bods_commands(clean_db, cli_env):
    ftm = run_cli("import", "ftm", str(FIXTURES / "ftm" / "t1_entities.ftm.json"), env=cli_env, check=True)
    assert "Left out" in ftm.stdout
    assert count(clean_db, "MATCH (s:Source {id: 'opensanctions-t1_entities'}) RETURN count(s)") + \
        count(clean_db, "MATCH (s:Source) WHERE s.id STARTS WITH 'opensanctions' RETURN count(s)") >= 1
    bods = run_cli("import", "bods", str(FIXTURES / "bods" / "v0.4" / "indirect-ownership.json"), env=cli_env,
                   check=True)
    assert "created" in bods.stdout
    assert count(clean_db, "MATCH ()-[r:OWNS]->() WHERE any(e IN r.externalIds WHERE e STARTS WITH 'bods:') "
                           "RETURN count(r)") == 3


def test_import_errors_exit_non_zero_and_write_nothing(clean_db, cli_env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("AidData Record ID,Title\n1,x\n", encoding="utf-8")
    done = run_cli("import", "gcdf", str(bad), env=cli_env)
    assert done.returncode == 1 and "nothing was written" in done.stderr and "bad.csv" in done.stderr
    assert count(clean_db) == 0


def test_dry_run_resolves_but_writes_nothing(seeded_db, cli_env, tmp_path):
    before = count(seeded_db)
    review = tmp_path / "resolution" / "review.csv"  # cli_env's resolution folder
    done = run_cli("import", "gcdf", str(FIXTURES / "gcdf" / "gcdf3_sea_petrochemical_extract.csv"), "--dry-run",
                   env=cli_env, check=True)
    assert "matched china-development-bank" not in done.stdout  # same id already: nothing to rename
    assert "Dry run: nothing written." in done.stdout and review.exists()
    assert count(seeded_db) == before
