"""Entity resolution across sources: ids first, then names and aliases through the graph's indexes, a
review file kept across runs, judgements applied transitively and merges inside the graph."""

from __future__ import annotations

import csv

import pytest

import cypher
from graph.records import Dataset, ImportFailed, Origin
from graph.writer import write_dataset
from importers.resolve import (
    Judgement,
    JudgementConflict,
    Judgements,
    MergeRefused,
    Resolver,
    Store,
    apply_judgements,
    apply_review,
    decide,
    lucene_close,
    match_names,
    merge_nodes,
    normalise_name,
)
from tests.helpers import DATABASE, count, run_cli


@pytest.mark.parametrize(("name", "normal"), [
    ("Hangzhou Hikvision Digital Technology Co., Ltd.", "hangzhou hikvision digital technology"),
    ("ZTE Corporation", "zte"), ("Vučić", "vucic"), ("Export-Import Bank of China", "export import bank of china"),
])
def test_normalise_name(name, normal):
    assert normalise_name(name) == normal


def incoming(*nodes, rels=(), source="new-data") -> Dataset:
    dataset = Dataset()
    dataset.add_node("Source", {"id": source, "name": source, "title": "t", "publisher": "p", "date": "2024"},
                     Origin(f"{source}.csv"))
    for label, node_id, name, extra in nodes:
        dataset.add_node(label, {"id": node_id, "name": name, "sources": [source], "evidence": [f"{name} row"],
                                 **extra}, Origin(f"{source}.csv", 2))
    for start, rel_type, end, extra in rels:
        dataset.add_relationship(rel_type, start, end, {"sources": [source], "evidence": [f"{start} {end} row"],
                                                        "confidence": "stated", "asOf": 2020, **extra},
                                 Origin(f"{source}.csv", 3))
    return dataset


def test_alias_and_id_matches_merge_into_the_seed_nodes(seeded_db):
    resolver = Resolver(seeded_db, DATABASE)
    dataset = incoming(
        ("StateBank", "export-import-bank-of-china-2", "China Eximbank", {"kind": "policy bank"}),
        ("Company", "zte-corporation", "ZTE Corporation", {}),
        ("Project", "new-project", "Tashkent cameras phase 2", {"kind": "safe city"}),
        rels=[("export-import-bank-of-china-2", "FINANCED", "new-project", {"amountUsd": 5e7}),
              ("zte-corporation", "CONTRACTED_FOR", "new-project", {"role": "prime contractor"})],
    )
    result = resolver.resolve(dataset)
    assert {(m.incoming.id, m.candidate.id) for m in result.merged} == {
        ("export-import-bank-of-china-2", "china-exim-bank"), ("zte-corporation", "zte")}
    assert set(dataset.relationships) == {"china-exim-bank|FINANCED|new-project", "zte|CONTRACTED_FOR|new-project"}
    assert dataset.nodes["china-exim-bank"].props["name"] == "Export-Import Bank of China"
    write_dataset(seeded_db, DATABASE, dataset)
    bank = seeded_db.execute_query("MATCH (b:StateBank {id: 'china-exim-bank'}) RETURN b", database_=DATABASE)
    bank = bank.records[0]["b"]
    assert "new-data" in bank["sources"] and "aspi-2019" in bank["sources"], "merging never loses provenance"
    lenders = cypher.run(seeded_db, "top-lenders", {}, DATABASE).set_index("lenderId")
    # the seed gives China Exim no amount (the $1bn in a cited title is no loan): only the new USD 50 million
    assert lenders.loc["china-exim-bank", "totalUsd"] == 50_000_000


def test_external_ids_match_first(seeded_db):
    seeded_db.execute_query("MATCH (n:Company {id: 'hikvision'}) SET n.externalIds = ['lei:HIK123']",
                            database_=DATABASE)
    resolver = Resolver(seeded_db, DATABASE)
    dataset = incoming(("Company", "hik-vision-digital", "Some other spelling", {"externalIds": ["lei:HIK123"]}))
    result = resolver.resolve(dataset)
    assert [(m.candidate.id, m.reason) for m in result.merged] == [("hikvision", "shared external id")]


def test_uncertain_matches_go_to_review_and_a_same_judgement_applies_next_time(seeded_db, tmp_path):
    store = Store(tmp_path)
    dataset = incoming(("Company", "hikvison-digital", "Hikvison", {}))
    result = Resolver(seeded_db, DATABASE, store.judgements()).resolve(dataset)
    assert result.merged == []
    assert [(m.incoming.id, m.candidate.id) for m in result.review] == [("hikvison-digital", "hikvision")]
    rows = store.update_review(result.review, store.judgements())
    assert rows[0]["right_id"] == "hikvision" and float(rows[0]["score"]) >= 88 and rows[0]["judgement"] == ""

    store.judgements().decide("hikvison-digital", "hikvision", Judgement.SAME, by="analyst a")
    again = incoming(("Company", "hikvison-digital", "Hikvison", {}))
    result = Resolver(seeded_db, DATABASE, store.judgements()).resolve(again)
    assert [(m.candidate.id, m.reason) for m in result.merged] == [("hikvision", "analyst judgement")]
    assert "Hikvison" in again.nodes["hikvision"].props["aliases"]
    saved = list(csv.DictReader(store.judgements_path.open(encoding="utf-8")))
    assert [(r["left_id"], r["right_id"], r["judgement"], r["decided_by"]) for r in saved] == [
        ("hikvison-digital", "hikvision", "same", "analyst a")] and saved[0]["decided_at"].endswith("Z")


def test_not_same_blocks_an_exact_name_in_the_graph(seeded_db):
    judgements = Judgements()
    judgements.decide("zte-corporation", "zte", Judgement.NOT_SAME, by="a")
    result = Resolver(seeded_db, DATABASE, judgements).resolve(incoming(("Company", "zte-corporation", "ZTE Corporation", {})))
    assert result.merged == [] and result.review == []


def test_bad_judgement_file_names_row_and_field(tmp_path):
    path = tmp_path / "judgements.csv"
    path.write_text("left_id,right_id,judgement,decided_by,decided_at,note\na,b,same,x,,\na,c,maybe,x,,\n"
                    "a,d,same,,,\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        Judgements.load(path)
    assert [(p.origin.line, p.field) for p in failure.value.problems] == [(3, "judgement"), (4, "decided_by")]


def test_a_legacy_decisions_file_is_migrated_into_judgements(tmp_path):
    legacy = tmp_path / "decisions.csv"
    legacy.write_text("incoming_id,candidate_id,decision\na,b,same\nc,d,\ne,f,not-same\n", encoding="utf-8")
    judgements = Store(tmp_path).judgements()
    # two filled rows (the empty c/d decision is no judgement)
    assert [(d.left, d.right, d.judgement) for d in judgements.decisions] == [
        ("a", "b", Judgement.SAME), ("e", "f", Judgement.NOT_SAME)]
    assert not legacy.exists() and (tmp_path / "decisions.csv.migrated").exists()
    assert Store(tmp_path).judgements().decisions == judgements.decisions  # read back from judgements.csv


def test_same_id_with_another_label_is_refused(seeded_db):
    with pytest.raises(ImportFailed, match="already has id 'huawei' as a Company"):
        Resolver(seeded_db, DATABASE).resolve(incoming(("Organization", "huawei", "Huawei", {})))


def test_two_entities_of_one_import_never_collapse_into_one_node(seeded_db):
    # "BGI Ltd." and "BGI Inc." both normalise to the seed's `bgi` ("BGI Group" would not: Group is no legal form)
    dataset = incoming(("Company", "bgi-ltd", "BGI Ltd.", {}), ("Company", "bgi-inc", "BGI Inc.", {}),
                       rels=[("bgi-ltd", "OWNS", "bgi-inc", {"controlling": True})])
    result = Resolver(seeded_db, DATABASE).resolve(dataset)
    assert result.merged == []
    assert {m.incoming.id for m in result.review} == {"bgi-ltd", "bgi-inc"}
    assert "bgi-ltd|OWNS|bgi-inc" in dataset.relationships and dataset.problems() == []


def test_not_same_keeps_a_pair_from_being_proposed_again(seeded_db, tmp_path):
    store = Store(tmp_path)
    first = Resolver(seeded_db, DATABASE, store.judgements()).resolve(incoming(("Company", "hikvison-x", "Hikvison", {})))
    store.update_review(first.review, store.judgements())
    assert [r["right_id"] for r in store.pending()] == ["hikvision"]
    decide(seeded_db, DATABASE, store, "hikvison-x", "hikvision", Judgement.NOT_SAME, by="ana")
    assert store.pending() == [], "the judged pair leaves the review file"
    again = Resolver(seeded_db, DATABASE, store.judgements()).resolve(incoming(("Company", "hikvison-x", "Hikvison", {})))
    assert again.review == [] and again.merged == []


def test_the_review_file_keeps_pending_pairs_across_runs_and_neutralises_formulas(seeded_db, tmp_path):
    store = Store(tmp_path)
    first = incoming(("Company", "hikvison-y", "=Hikvison", {}))
    store.update_review(Resolver(seeded_db, DATABASE, store.judgements()).resolve(first).review, store.judgements())
    second = incoming(("Company", "new-thing", "Nothing Alike Whatsoever", {}))
    result = Resolver(seeded_db, DATABASE, store.judgements()).resolve(second)
    assert result.review == []
    store.update_review(result.review, store.judgements())  # a plain re-run with nothing new
    rows = store.pending()
    assert [(r["left_id"], r["left_name"], r["right_id"]) for r in rows] == [("hikvison-y", "'=Hikvison", "hikvision")]
    raw = store.review_path.read_text(encoding="utf-8")
    assert ",=" not in raw and "\n=" not in raw, "no cell starts a formula"
    store.update_review(Resolver(seeded_db, DATABASE, store.judgements()).resolve(first).review, store.judgements())
    assert len(store.pending()) == 1, "the same pair is not added twice"


def test_lucene_syntax_in_names_is_escaped(seeded_db):
    # each word escaped; words of four characters or more (before escaping) also within one edit
    assert lucene_close('ac/me (x) "q" ~z') == 'ac\\/me ac\\/me~1 \\(x\\) \\"q\\" \\~z'
    hostile = 'Hikvision AND (x OR "y") \\ ~ * ? : / [a TO b] {c} ^2 && || !'
    result = Resolver(seeded_db, DATABASE).resolve(incoming(("Company", "hostile-name", hostile, {})))
    assert result.merged == []


def test_a_bad_judgement_cell_is_refused_naming_the_row_and_records_nothing(seeded_db, tmp_path):
    store = Store(tmp_path)
    store.update_review(Resolver(seeded_db, DATABASE).resolve(incoming(("Company", "hikvison-z", "Hikvison", {}))).review,
                        store.judgements())
    rows = store.pending()
    rows[0]["judgement"] = "probably"
    store.write_review(rows)
    with pytest.raises(ImportFailed) as failure:
        apply_review(seeded_db, DATABASE, store, by="ana")
    assert failure.value.problems[0].origin.line == 2 and failure.value.problems[0].field == "judgement"
    assert not store.judgements_path.exists()


# --- judgements, and merges on a small hand-made graph (these empty the database: after the seed tests) ---
def test_same_is_transitive_and_not_same_blocks_joining_two_clusters():
    judgements = Judgements()
    judgements.decide("a", "b", Judgement.SAME, by="x")
    judgements.decide("b", "c", Judgement.SAME, by="x")
    assert judgements.judgement("a", "c") == Judgement.SAME
    assert judgements.cluster("c") == ["c", "b", "a"]
    judgements.decide("d", "e", Judgement.SAME, by="x")
    judgements.decide("c", "e", Judgement.NOT_SAME, by="y")
    assert judgements.judgement("a", "d") == Judgement.NOT_SAME, "a not-same between members parts the clusters"
    with pytest.raises(JudgementConflict):
        judgements.decide("a", "d", Judgement.SAME, by="z")
    with pytest.raises(JudgementConflict):
        judgements.decide("a", "c", Judgement.NOT_SAME, by="z")
    judgements.decide("f", "g", Judgement.UNSURE, by="x")
    assert judgements.judgement("g", "f") == Judgement.UNSURE and judgements.judgement("f", "a") is None


def small_graph(driver) -> None:
    """Two spellings of one company, each with its own source, a project both contract for, a supplier tie."""
    dataset = incoming(("Company", "acme-trading", "Acme Trading", {"externalIds": ["lei:ACME1"]}),
                       ("Project", "harbour", "Harbour cameras", {"kind": "safe city"}),
                       ("Company", "buyer-co", "Buyer Co", {}),
                       rels=[("acme-trading", "CONTRACTED_FOR", "harbour", {"role": "prime contractor"})], source="s1")
    write_dataset(driver, DATABASE, dataset)
    other = incoming(("Company", "acme-trading-ltd", "ACME Tradng", {"aliases": ["Acme T."]}),
                     ("Project", "harbour", "Harbour cameras", {"kind": "safe city"}),
                     ("Company", "buyer-co", "Buyer Co", {}),
                     rels=[("acme-trading-ltd", "CONTRACTED_FOR", "harbour", {"role": "prime contractor"}),
                           ("acme-trading-ltd", "SUPPLIES", "buyer-co", {"product": "cameras"})], source="s2")
    write_dataset(driver, DATABASE, other)


def test_a_same_judgement_merges_two_graph_nodes_in_one_transaction(clean_db, tmp_path):
    small_graph(clean_db)
    before = count(clean_db)
    reports = decide(clean_db, DATABASE, Store(tmp_path), "acme-trading-ltd", "acme-trading", Judgement.SAME, by="ana")
    # by hand: acme-trading-ltd had 2 ties (CONTRACTED_FOR harbour, SUPPLIES buyer-co), both moved; the
    # CONTRACTED_FOR meets acme-trading's own tie to harbour (one id) and is joined with it: 1 joined.
    # Quotes: acme-trading had 1 (s1), acme-trading-ltd 1 (s2): 1 added.
    assert [(r.kept, r.dropped, r.ties_moved, r.ties_joined, r.quotes_added) for r in reports] == [
        ("acme-trading", "acme-trading-ltd", 2, 1, 1)]
    assert count(clean_db) == before - 1
    node = clean_db.execute_query("MATCH (n:Company {id: 'acme-trading'}) RETURN n", database_=DATABASE).records[0]["n"]
    assert node["name"] == "Acme Trading"
    assert set(node["aliases"]) == {"ACME Tradng", "Acme T."}
    assert set(node["externalIds"]) == {"lei:ACME1", "influence:acme-trading-ltd"}
    assert list(zip(node["sources"], node["evidence"], strict=True)) == [("s1", "Acme Trading row"), ("s2", "ACME Tradng row")]
    assert "acme tradng" in node["matchNames"] and "acme t" in node["matchNames"]
    ties = {r["id"]: r for r in clean_db.execute_query(
        "MATCH (:Company {id: 'acme-trading'})-[r]->() RETURN r.id AS id, r.sources AS sources, r.evidence AS evidence",
        database_=DATABASE).records}
    assert set(ties) == {"acme-trading|CONTRACTED_FOR|harbour", "acme-trading|SUPPLIES|buyer-co"}
    assert ties["acme-trading|CONTRACTED_FOR|harbour"]["sources"] == ["s1", "s2"], "provenance of both ties joined"
    assert ties["acme-trading|CONTRACTED_FOR|harbour"]["evidence"] == ["acme-trading harbour row",
                                                                       "acme-trading-ltd harbour row"]

    # a later import of the merged-away id lands on the kept node
    again = incoming(("Company", "acme-trading-ltd", "ACME Tradng", {}), source="s3")
    result = Resolver(clean_db, DATABASE, Store(tmp_path).judgements()).resolve(again)
    assert [(m.candidate.id, m.reason) for m in result.merged] == [("acme-trading", "analyst judgement")]
    fresh = Resolver(clean_db, DATABASE).resolve(incoming(("Company", "acme-trading-ltd", "Other", {}), source="s4"))
    assert [(m.candidate.id, m.reason) for m in fresh.merged] == [
        ("acme-trading", "merged into it by an analyst's judgement")], "even without the judgements file"
    write_dataset(clean_db, DATABASE, again)
    assert count(clean_db, "MATCH (n:Company) WHERE n.id STARTS WITH 'acme' RETURN count(n) AS c") == 1


def test_merges_are_refused_whole_when_the_nodes_cannot_be_one(clean_db):
    small_graph(clean_db)
    before = count(clean_db)
    with pytest.raises(MergeRefused, match="a Project and acme-trading a Company"):
        merge_nodes(clean_db, DATABASE, "acme-trading", "harbour")
    with pytest.raises(MergeRefused, match="tied to each other"):
        merge_nodes(clean_db, DATABASE, "buyer-co", "acme-trading-ltd")
    clean_db.execute_query("MATCH (n:Company {id: 'buyer-co'}) SET n.sector = 'retail'", database_=DATABASE)
    clean_db.execute_query("MATCH (n:Company {id: 'acme-trading'}) SET n.sector = 'trading'", database_=DATABASE)
    with pytest.raises(MergeRefused, match="sector"):
        merge_nodes(clean_db, DATABASE, "acme-trading", "buyer-co")
    assert count(clean_db) == before
    assert count(clean_db, "MATCH (:Company {id: 'buyer-co'})<-[:SUPPLIES]-() RETURN count(*) AS c") == 1


def test_transitive_judgements_make_one_node_of_three(clean_db, tmp_path):
    small_graph(clean_db)
    write_dataset(clean_db, DATABASE, incoming(("Company", "acme-t", "Acme T", {}), source="s5"))
    store = Store(tmp_path)
    decide(clean_db, DATABASE, store, "acme-trading-ltd", "acme-trading", Judgement.SAME, by="ana")
    # judged about the merged-away id: still one cluster, so acme-t joins acme-trading
    reports = decide(clean_db, DATABASE, store, "acme-t", "acme-trading-ltd", Judgement.SAME, by="bo")
    assert [(r.kept, r.dropped) for r in reports] == [("acme-trading", "acme-t")]
    assert count(clean_db, "MATCH (n:Company) WHERE n.id STARTS WITH 'acme' RETURN count(n) AS c") == 1
    assert apply_judgements(clean_db, DATABASE, store.judgements()) == [], "applying again changes nothing"


def test_the_writer_derives_match_names_whatever_the_input_says(clean_db):
    write_dataset(clean_db, DATABASE, incoming(("Company", "zte-x", "ZTE Corporation", {
        "aliases": ["Zhongxing Telecom Co., Ltd."], "matchNames": ["made up"]})))
    names = clean_db.execute_query("MATCH (n {id: 'zte-x'}) RETURN n.matchNames AS m", database_=DATABASE).records[0]["m"]
    assert sorted(names) == ["zhongxing telecom", "zte"]


# --- the commands ------------------------------------------------------------------------------------
def test_resolve_list_decide_and_apply_commands(clean_db, cli_env, tmp_path):
    small_graph(clean_db)
    store = Store(tmp_path / "resolution")  # cli_env's resolution folder
    result = Resolver(clean_db, DATABASE).resolve(incoming(("Company", "acme-tradin", "Acme Tradin", {}), source="s6"))
    write_dataset(clean_db, DATABASE, incoming(("Company", "acme-tradin", "Acme Tradin", {}), source="s6"))
    store.update_review(result.review, store.judgements())
    pairs = {(r["left_id"], r["right_id"]) for r in store.pending()}
    assert ("acme-tradin", "acme-trading") in pairs

    listed = run_cli("resolve", "list", "--format", "csv", env=cli_env, check=True)
    assert "acme-tradin,Acme Tradin,Company,acme-trading" in listed.stdout

    rows = store.pending()
    for row in rows:
        row["judgement"] = "same" if row["right_id"] == "acme-trading" else ""
    store.write_review(rows)
    done = run_cli("resolve", "apply", "--by", "ana", env=cli_env, check=True)
    assert "merged acme-tradin into acme-trading" in done.stdout
    assert count(clean_db, "MATCH (n {id: 'acme-tradin'}) RETURN count(n) AS c") == 0
    assert all(r["right_id"] != "acme-trading" or r["left_id"] != "acme-tradin" for r in store.pending())

    done = run_cli("resolve", "decide", "acme-trading", "buyer-co", "not same", "--by", "bo", env=cli_env, check=True)
    assert "recorded: acme-trading not same buyer-co (by bo)" in done.stdout
    # acme-tradin is judged the same as acme-trading, which is judged not the same as buyer-co
    refused = run_cli("resolve", "decide", "acme-tradin", "buyer-co", "same", "--by", "bo", env=cli_env)
    assert refused.returncode == 1 and "contradict" in refused.stderr
    assert count(clean_db, "MATCH (n:Company {id: 'buyer-co'}) RETURN count(n) AS c") == 1
    missing_by = run_cli("resolve", "decide", "a", "b", "same", env=cli_env)
    assert missing_by.returncode == 2 and "--by" in missing_by.stderr
    saved = list(csv.DictReader((tmp_path / "resolution" / "judgements.csv").open(encoding="utf-8")))
    assert [(r["left_id"], r["right_id"], r["judgement"], r["decided_by"]) for r in saved] == [
        ("acme-tradin", "acme-trading", "same", "ana"), ("acme-trading", "buyer-co", "not same", "bo")]


def test_a_merge_keeps_each_sources_value_of_both_nodes(clean_db):
    # s1 says Acme Trading is in "trading"; s2 says ACME Tradng is in "logistics" and names its role on a
    # project: judged one entity, both claims are kept with their sources, as two imports of one node keep them
    write_dataset(clean_db, DATABASE, incoming(("Company", "acme-trading", "Acme Trading", {"sector": "trading"}),
                                               source="s1"))
    write_dataset(clean_db, DATABASE, incoming(
        ("Company", "acme-trading-ltd", "ACME Tradng", {"sector": "logistics"}),
        ("Project", "harbour", "Harbour cameras", {"kind": "safe city"}),
        rels=[("acme-trading-ltd", "CONTRACTED_FOR", "harbour", {"role": "prime contractor", "year": 2019})],
        source="s2"))
    merge_nodes(clean_db, DATABASE, "acme-trading", "acme-trading-ltd")
    node = clean_db.execute_query("MATCH (n:Company {id: 'acme-trading'}) RETURN n", database_=DATABASE).records[0]["n"]
    assert (node["sectorSources"], node["sectorValues"], node["disputed"]) == (["s1", "s2"], ["trading", "logistics"],
                                                                               ["sector"])
    assert node["sector"] == "logistics", "both sources dated 2024: the smaller value is shown (the claim rule)"
    rows = cypher.records(clean_db, cypher.get("disagreements"), {"entity": "acme-trading"}, DATABASE)
    assert sorted((r["property"], r["value"], tuple(r["sources"])) for r in rows) == [
        ("sector", "logistics", ("s2",)), ("sector", "trading", ("s1",))]
    tie = clean_db.execute_query("MATCH (:Company {id: 'acme-trading'})-[r:CONTRACTED_FOR]->() RETURN r",
                                 database_=DATABASE).records[0]["r"]
    assert (tie["role"], tie["roleSources"], tie["year"], tie["yearSources"]) == ("prime contractor", ["s2"], 2019, ["s2"])
    assert "matchNames" in node and "acme tradng" in node["matchNames"]


def test_a_name_longer_than_an_index_term_is_left_out_of_match_names():
    # a keyword full-text index holds terms of at most 32,766 bytes (graph/limits.py): a longer derived
    # matchNames value would make Neo4j fail after the commit, so it is never derived
    long_name = "Acme " + "x" * 40_000
    assert match_names({"name": long_name, "aliases": ["Acme Trading"]}) == ["acme trading"]
