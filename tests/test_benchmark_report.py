"""docs/benchmarks.md is written from the result files: a later `--admin-only` run's query timings
replace the full run's, and the page says which run they come from."""

import json
import shutil

from benchmarks.report import RESULTS, write_report


def test_a_later_query_run_replaces_the_full_runs_timings(tmp_path):
    shutil.copy(RESULTS / "10k.json", tmp_path / "10k.json")
    full = json.loads((tmp_path / "10k.json").read_text())
    later = {key: full[key] for key in ("machine", "scale", "label", "nodes", "rels", "load_average_at_end")}
    later.update(date="2099-01-01 00:00 UTC", command=".venv/bin/python -m benchmarks --scales 10k --admin-only",
                 queries=[{**q, "median_ms": 1234.5, "p95_ms": 2345.6} if q["query"] == "entity-profile" else q
                          for q in full["queries"]])
    (tmp_path / "queries-10k.json").write_text(json.dumps(later))
    page = write_report(tmp_path / "benchmarks.md", results=tmp_path).read_text()
    row = next(line for line in page.splitlines() if line.startswith("| entity-profile |"))
    assert "1234.5 / 2345.6" in row
    assert "(2099-01-01 00:00 UTC: `.venv/bin/python -m benchmarks --scales 10k --admin-only`)" in page
    assert "10k queries" in page and "--admin-only" in page.split("```bash")[1].split("```")[0]


def test_an_older_query_run_is_ignored(tmp_path):
    shutil.copy(RESULTS / "10k.json", tmp_path / "10k.json")
    full = json.loads((tmp_path / "10k.json").read_text())
    older = {**full, "date": "2000-01-01 00:00 UTC", "command": "old",
             "queries": [{**q, "median_ms": 1234.5} for q in full["queries"]]}
    del older["imports"]
    (tmp_path / "queries-10k.json").write_text(json.dumps(older))
    page = write_report(tmp_path / "benchmarks.md", results=tmp_path).read_text()
    assert "1234.5" not in page and "`old`" not in page


def test_the_bad_input_section_marks_a_refusal_over_its_target(tmp_path):
    shutil.copy(RESULTS / "10k.json", tmp_path / "10k.json")
    runs = [{"importer": "gcdf", "kind": "text", "exit": 1, "seconds": 4.4, "rss_mb": 511.0, "message_bytes": 1860},
            {"importer": "tabular", "kind": "text", "exit": 1, "seconds": 21.5, "rss_mb": 522.0, "message_bytes": 1896}]
    (tmp_path / "bad-input.json").write_text(json.dumps({
        "date": "2099-01-01", "load_average_at_start": [0.5, 0.5, 0.5], "garbage_mb": 50.0, "target_seconds": 20,
        "target_rss_mb": 1000,
        "start_up": {"seconds": 3.9, "rss_mb": 185.0}, "runs": runs}))
    page = write_report(tmp_path / "benchmarks.md", results=tmp_path).read_text()
    section = page.split("## 7. Refusing bad input")[1]
    assert "| gcdf | text | 1 | 4.4 | 511 MB | 1,860 bytes | **met** |" in section
    assert "| tabular | text | 1 | 21.5 | 522 MB | 1,896 bytes | **missed** |" in section
    assert "3.9 s, 185 MB" in section


def test_a_full_run_without_queries_shows_the_query_run_even_if_older(tmp_path):
    full = json.loads((RESULTS / "10k.json").read_text())
    query_run = {key: full[key] for key in ("machine", "scale", "label", "nodes", "rels", "load_average_at_end")}
    query_run.update(date="2000-01-01 00:00 UTC", command="older --admin-only",
                     queries=[{**q, "median_ms": 1234.5} for q in full["queries"]])
    (tmp_path / "queries-10k.json").write_text(json.dumps(query_run))
    (tmp_path / "10k.json").write_text(json.dumps({**full, "queries": []}))  # a run with --no-queries
    page = write_report(tmp_path / "benchmarks.md", results=tmp_path).read_text()
    assert "1234.5" in page and "`older --admin-only`" in page
