"""Latency of every canned query (cypher.records), warm, with varied parameters, and PROFILE db hits."""

from __future__ import annotations

import random
import statistics
import time

from neo4j import NotificationDisabledClassification, Query

import cypher

from .generate import PROJECT_KINDS, ROLES, Picks

# lookup: one entity by id or name, target median ≤ 50 ms at 1M nodes;
# chain: walks of up to 6 hops from one entity, target ≤ 200 ms; analytics: whole-graph rankings (no target).
CLASS = {
    "entity-profile": "lookup", "neighbourhood": "chain", "search-entities": "lookup", "facts-from-source": "lookup",
    "owners-of": "chain", "holdings-of": "chain", "influence-path": "chain", "vendor-footprint": "chain",
    "party-channel": "chain", "country-exposure": "chain", "financing-chains": "chain",
    "walked-away": "analytics", "top-lenders": "analytics", "top-vendors": "analytics", "top-buyers": "analytics",
    "country-ranking": "analytics", "ties-in-force": "analytics", "weakly-sourced": "analytics",
    "disagreements": "analytics", "designations": "analytics", "payments": "analytics",
}
TARGET_MS = {"lookup": 50.0, "chain": 200.0}


def param_maker(picks: Picks, rng: random.Random):
    c = rng.choice
    # as an analyst asks: everything, one label or type, one property, both, an entity with disputes, one without
    disputes = [dict, lambda: {"label": "Project"}, lambda: {"property": "role"},
                lambda: {"label": "CONTRACTED_FOR", "property": "role"}, lambda: {"entity": c(picks.disputed)},
                lambda: {"entity": c(picks.undisputed)}]
    return {
        "entity-profile": lambda: {"entity": c(picks.entities)},
        "neighbourhood": lambda: {"entity": c(picks.entities), "depth": 2},
        "search-entities": lambda: {"text": c(picks.names)},
        "facts-from-source": lambda: {"source": c(picks.sources)},
        "owners-of": lambda: {"entity": c(picks.deep_companies)},
        "holdings-of": lambda: {"entity": c(picks.group_roots)},
        "influence-path": lambda: dict(zip(("from", "to"), c(picks.path_pairs), strict=True)),
        "vendor-footprint": lambda: {"vendor": c(picks.vendors)},
        "party-channel": lambda: {"entity": c(picks.committee_hosts)},
        "country-exposure": lambda: {"country": c(picks.countries[:20])},
        "financing-chains": lambda: {"lender": c(picks.lenders)},
        "walked-away": lambda: {"country": c(picks.countries[:20])},
        "top-lenders": lambda: {"fromYear": rng.randint(2005, 2015), "toYear": rng.randint(2016, 2024)},
        "top-vendors": lambda: {"role": c(ROLES)},
        "top-buyers": lambda: {"country": c(picks.countries[:20])},
        "country-ranking": lambda: {"kind": c(PROJECT_KINDS)},
        "ties-in-force": lambda: {"fromYear": rng.randint(2008, 2024), "types": ["FINANCED"], "openEnded": False},
        "weakly-sourced": lambda: {"minSources": 2, "kind": "node"},
        "disagreements": lambda: c(disputes)(),
        "designations": lambda: c([dict, lambda: {"entity": c(picks.designated)}, lambda: {"programme": "1260H"}])(),
        "payments": lambda: c([dict, lambda: {"party": c(picks.payers)}, lambda: {"fromYear": 2015, "toYear": 2020}])(),
    }


def _db_hits(profile: dict | None) -> int:
    if not profile:
        return 0
    return int(profile.get("dbHits", 0)) + sum(_db_hits(child) for child in profile.get("children", []))


def profile(driver, query: cypher.Query, params: dict, database: str, timeout: float) -> tuple[int, int]:
    """(db hits, rows) of one PROFILE run."""
    with driver.session(database=database, default_access_mode="READ",
                        notifications_disabled_classifications=[NotificationDisabledClassification.UNRECOGNIZED]) as session:
        result = session.run(Query("PROFILE " + query.cypher, timeout=timeout), query.bind(params))
        rows = sum(1 for _ in result)
        summary = result.consume()
    return _db_hits(summary.profile), rows


def measure(driver, picks: Picks, database: str, reps: int, budget_s: float, timeout_s: float = 300.0,
            seed: int = 5) -> list[dict]:
    """Each query warm, `reps` times or until `budget_s` is spent; a run longer than `timeout_s` is ended by
    the server and recorded as an error (analytics on the largest graph can take minutes)."""
    rng = random.Random(seed)
    makers = param_maker(picks, rng)
    results = []
    for name, query in sorted(cypher.load_queries().items()):
        make = makers.get(name, dict)
        kind = CLASS.get(name, "analytics")
        row = {"query": name, "class": kind}
        try:
            cypher.records(driver, query, make(), database, timeout=timeout_s)  # warm-up: plans cached, pages in
            first = time.perf_counter()
            cypher.records(driver, query, make(), database, timeout=timeout_s)
            warm2 = time.perf_counter() - first
            times, rows = [], []
            spent = 0.0
            n = reps if warm2 * reps < budget_s else max(3, int(budget_s / max(warm2, 1e-3)))
            for _ in range(n):
                params = make()
                started = time.perf_counter()
                out = cypher.records(driver, query, params, database, timeout=timeout_s)
                elapsed = time.perf_counter() - started
                times.append(elapsed * 1000)
                rows.append(len(out))
                spent += elapsed
                if spent > budget_s and len(times) >= 3:
                    break
            times.sort()
            p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
            hits, _ = profile(driver, query, make(), database, timeout_s)
            row.update(runs=len(times), median_ms=statistics.median(times), p95_ms=p95,
                       max_ms=times[-1], rows_median=statistics.median(rows), db_hits=hits)
            target = TARGET_MS.get(kind)
            row["target_ms"] = target
            row["met"] = None if target is None else row["median_ms"] <= target
        except Exception as error:  # noqa: BLE001 (recorded, the run goes on; --quick fails on it)
            row["error"] = f"{type(error).__name__}: {error}"[:500]
        results.append(row)
        print(f"  {name:20s} {row.get('median_ms', float('nan')):9.1f} ms median  "
              f"{row.get('p95_ms', float('nan')):9.1f} p95  {row.get('db_hits', '-')} db hits"
              + (f"  ERROR {row['error']}" if "error" in row else ""), flush=True)
    return results
