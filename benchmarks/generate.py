"""A seeded, deterministic synthetic graph shaped like the real one, at any scale.

`generate(nodes=100_000, seed=1)` returns a `Dataset` (graph.records) that `Dataset.problems()`
accepts: companies in ownership trees up to six levels deep (some state-owned through a government
or a state bank), state banks lending to governments and to projects, projects commissioned by a
government with two to four contractors, party committees inside companies and banks under a chain
of higher party bodies, countries, cities, governments, people holding positions, organisations,
and sources. Every node and tie carries provenance (`sources`, `evidence`, and on ties
`confidence` and `asOf`). About three relationships per node. As in real imports, some loans are
co-financed (FINANCED ties of several lenders sharing a `commitment` key, the whole amount on each, the
lenders' parts sometimes given), some governments designate companies (DESIGNATED), some parties pay
others (TRANSFERRED), and about 1.5% of the entities and of the ties are given one property by two sources
with different values (DISPUTED_SHARE), which the writer keeps as `<p>Sources`, `<p>Values` and `disputed`.

The same `nodes` and `seed` always give the same dataset (`Dataset.digest`-free: compare ids).
`Picks` remembers ids that make good query parameters (deep subsidiaries, group roots, lenders with
a contractor a few hops away, countries, sources, names to search for).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from graph.records import Dataset, NodeRecord, Origin

SYLLABLES = ["an", "bei", "chen", "da", "fu", "guo", "hai", "hua", "jin", "kai", "long", "min", "ning", "ping",
             "qi", "rong", "shan", "tai", "wei", "xin", "yang", "zhong", "tel", "tech", "tron", "vis", "net", "cam"]
SECTORS = ["telecommunications equipment", "video surveillance", "defence electronics", "telecom operator",
           "construction", "software", "semiconductors"]
PROJECT_KINDS = ["safe city", "smart city", "national id", "telecom network", "data centre", "5G", "training",
                 "surveillance", "e-government", "research lab", "other"]
STATUSES = ["implemented"] * 5 + ["signed"] * 3 + ["proposed"] * 2 + ["rejected", "cancelled", "aborted"]
ROLES = ["prime contractor", "subcontractor", "equipment supplier", "operator", "trainer", "partner", "bidder"]
INSTRUMENTS = ["loan", "soft loan", "concessional loan", "credit line", "grant", "buyer credit", "vendor financing"]
BANK_KINDS = ["policy bank", "development bank", "export credit agency", "state-owned commercial bank", "state fund"]
GOV_LEVELS = ["ministry", "agency", "regional", "municipal"]
CONFIDENCE = ["stated"] * 6 + ["reported"] * 3 + ["inferred"]
TITLES = ["chairman", "chief executive", "director", "party secretary", "minister", "board member"]
ORG_KINDS = ["university", "research institute", "think tank", "ngo", "association"]

# Share of all nodes per label (Countries and Sources are sized separately).
# Share of the entities, and of the ties, that a second source gives another value of one property.
DISPUTED_SHARE = 0.015
# What a second source disputes: the property of each label or type, and the values it may give instead.
NODE_DISPUTES = {"Project": ("status", sorted(set(STATUSES))), "Company": ("sector", SECTORS)}
TIE_DISPUTES = {"CONTRACTED_FOR": ("role", ROLES), "HOLDS_POSITION": ("title", TITLES)}
PROGRAMMES = ["Entity List", "Section 1260H list", "Covered List", "Investment ban order"]
MEASURES = {"Entity List": "list", "Section 1260H list": "list", "Covered List": "ban", "Investment ban order": "ban"}
TRANSFER_KINDS = ["payment", "fee", "deposit", "transfer", "settlement"]

MIX = {"Company": 0.34, "Project": 0.22, "Person": 0.14, "PartyCommittee": 0.08, "City": 0.06,
       "Government": 0.06, "Organization": 0.04, "StateBank": 0.005}


@dataclass
class Picks:
    """Ids for query parameters, chosen while generating."""

    deep_companies: list[str] = field(default_factory=list)     # ≥ 3 OWNS ties below a group root
    group_roots: list[str] = field(default_factory=list)        # tops of ownership trees (companies)
    vendors: list[str] = field(default_factory=list)            # companies with contracts
    lenders: list[str] = field(default_factory=list)            # state banks
    committee_hosts: list[str] = field(default_factory=list)    # companies hosting a party committee
    path_pairs: list[tuple[str, str]] = field(default_factory=list)  # (lender, contractor's owner) ≤ 4 hops
    countries: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)              # names to search for (some misspelt)
    entities: list[str] = field(default_factory=list)           # any entity, for profiles
    disputed: list[str] = field(default_factory=list)           # entities with a disputed value, or a disputed tie
    undisputed: list[str] = field(default_factory=list)         # entities with neither
    designated: list[str] = field(default_factory=list)         # companies some government designates
    payers: list[str] = field(default_factory=list)             # parties that paid another


def country_codes(count: int) -> list[str]:
    codes = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase]
    return codes[:count]


class _Gen:
    def __init__(self, nodes: int, seed: int):
        self.rng = random.Random(seed)
        self.ds = Dataset()
        self.origin = Origin("benchmarks/generate.py")
        self.picks = Picks()
        self.nodes_wanted = nodes
        self.n_sources = max(20, nodes // 100)
        self.n_countries = min(600, max(20, int(nodes ** 0.5 // 2)))
        self.source_ids = [f"src-{i}" for i in range(self.n_sources)]

    # --- provenance ---------------------------------------------------------------------------
    def prov(self, what: str) -> dict:
        k = 1 if self.rng.random() < 0.7 else 2
        sources = self.rng.sample(self.source_ids, k)
        return {"sources": sources,
                "evidence": [f"{s} reports that {what}, according to documents reviewed in {self.rng.randint(2005, 2024)}"[:300]
                             for s in sources]}

    def tie(self, rel_type: str, start: str, end: str, key: str | None = None, **props) -> None:
        props.update(self.prov(f"{start} {rel_type.lower().replace('_', ' ')} {end}"))
        props["confidence"] = self.rng.choice(CONFIDENCE)
        props["asOf"] = self.rng.randint(2008, 2024)
        if self.rng.random() < 0.3:
            props["validFrom"] = props["asOf"] - self.rng.randint(0, 6)
            if self.rng.random() < 0.3:
                props["validTo"] = min(2100, props["asOf"] + self.rng.randint(0, 5))
        self.ds.add_relationship(rel_type, start, end, props, self.origin, key=key)

    def node(self, label: str, node_id: str, name: str, **props) -> str:
        props.update(id=node_id, name=name, **self.prov(f"{name} exists"))
        self.ds.add_node(label, props, self.origin)
        return node_id

    def name(self, parts: int = 2) -> str:
        return " ".join("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()
                        for _ in range(parts))

    # --- the graph ----------------------------------------------------------------------------
    def run(self) -> tuple[Dataset, Picks]:
        rng, n = self.rng, self.nodes_wanted
        scale = (n - self.n_sources - 2 * self.n_countries) / sum(MIX.values())
        count = {label: max(3, int(scale * share)) for label, share in MIX.items()}
        for i, sid in enumerate(self.source_ids):
            self.ds.add_node("Source", {"id": sid, "name": f"Report {i}", "title": f"Report {i} on technology exports",
                                        "publisher": rng.choice(["ASPI", "AidData", "RFA", "CSIS", "Reuters"]),
                                        "date": f"{rng.randint(2010, 2024)}-{rng.randint(1, 12):02d}"}, self.origin)
        self.picks.sources = self.source_ids[:]

        # countries, their national governments, cities (each with a municipal government sometimes)
        countries = country_codes(self.n_countries)
        national = {}
        for code in countries:
            self.node("Country", code, f"Country {code}")
            national[code] = self.node("Government", f"gov-{code.lower()}", f"Government of {code}", level="national")
            self.tie("GOVERNS", national[code], code)
        self.picks.countries = countries[:]
        cities = []
        for i in range(count["City"]):
            code = countries[min(int(rng.paretovariate(1.2)) - 1, len(countries) - 1)] if rng.random() < 0.5 \
                else rng.choice(countries)
            city = self.node("City", f"city-{i}", f"{self.name(1)} City", )
            self.tie("LOCATED_IN", city, code)
            cities.append((city, code))
        # governments below the national ones
        governments = []
        for i in range(count["Government"] - len(countries)):
            city, code = rng.choice(cities)
            level = rng.choice(GOV_LEVELS)
            gov = self.node("Government", f"gov-{i}", f"{self.name(1)} {level.title()}", level=level)
            if level == "municipal":
                self.tie("GOVERNS", gov, city)
            self.tie("PART_OF", gov, national[code])
            self.tie("LOCATED_IN", gov, city)
            governments.append((gov, code))
        all_govs = governments + [(g, c) for c, g in national.items()]

        # state banks, owned by their government
        banks = []
        for i in range(count["StateBank"]):
            code = countries[i % min(5, len(countries))]  # lenders come from a few countries
            bank = self.node("StateBank", f"bank-{i}", f"{self.name(1)} {rng.choice(['Exim', 'Development'])} Bank",
                             kind=rng.choice(BANK_KINDS), aliases=[f"Bank {i}"])
            self.tie("OWNS", national[code], bank, share=1.0, controlling=True)
            self.tie("LOCATED_IN", bank, rng.choice(cities)[0])
            banks.append(bank)
        self.picks.lenders = banks[:]

        # companies: ownership groups (trees) of 5..200 companies, 3-ary-ish, depth up to ~6
        companies, parent_of, depth_of, root_of, held = [], {}, {}, {}, {}
        i = 0
        while i < count["Company"]:
            size = min(count["Company"] - i, int(rng.choice([5, 10, 20, 40, 80, 200])))
            root = None
            for j in range(size):
                cid = f"co-{i}"
                name = self.name(2) + rng.choice([" Technologies", " Group", " Co", " Holdings", " Electronics"])
                props = {"sector": rng.choice(SECTORS), "founded": rng.randint(1950, 2020),
                         "stateOwned": rng.random() < 0.3}
                if rng.random() < 0.2:
                    props["aliases"] = [name.split()[0] + " " + rng.choice(["Tech", "Corp", "Ltd"])]
                self.node("Company", cid, name, **props)
                self.tie("LOCATED_IN", cid, rng.choice(cities)[0])
                if j == 0:
                    root, depth_of[cid] = cid, 0
                    owner = rng.choice(banks) if rng.random() < 0.1 else rng.choice(all_govs)[0] if rng.random() < 0.3 else None
                    if owner:
                        held[cid] = round(rng.uniform(0.3, 1.0), 2)
                        self.tie("OWNS", owner, cid, share=held[cid], controlling=True)
                    self.picks.group_roots.append(cid)
                else:
                    # parent among the last few companies of the group: deep chains, some fan-out
                    lo = max(i - j, i - rng.randint(1, 4))
                    parent = f"co-{rng.randint(lo, i - 1)}"
                    parent_of[cid], depth_of[cid] = parent, depth_of[parent] + 1
                    if depth_of[cid] > 6:  # keep chains at most six deep
                        parent = root
                        parent_of[cid], depth_of[cid] = root, 1
                    share = round(rng.uniform(0.5, 1.0), 2) if rng.random() < 0.85 else None
                    held[cid] = share or 0.5
                    self.tie("OWNS", parent, cid, share=share, controlling=True)
                    if depth_of[cid] >= 3 and len(self.picks.deep_companies) < 5000:
                        self.picks.deep_companies.append(cid)
                root_of[cid] = root
                companies.append(cid)
                i += 1
        # minority stakes across groups, never more than 100% held in all
        minority: set[tuple[str, str]] = set()
        for _ in range(len(companies) // 10):
            a, b = rng.sample(companies, 2)
            share = round(rng.uniform(0.01, 0.3), 2)
            if root_of[a] != root_of[b] and held.get(b, 0) + share <= 1.0 and (a, b) not in minority:
                minority.add((a, b))
                held[b] = held.get(b, 0) + share
                self.tie("OWNS", a, b, share=share, controlling=False)

        # party committees: company committees in companies and banks, under municipal / provincial / central
        central = self.node("PartyCommittee", "party-central", "Central Committee", level="central")
        provincial = [self.node("PartyCommittee", f"party-prov-{k}", f"{self.name(1)} Provincial Committee",
                                level="provincial") for k in range(max(3, count["PartyCommittee"] // 500))]
        municipal = [self.node("PartyCommittee", f"party-muni-{k}", f"{self.name(1)} Municipal Committee",
                               level="municipal") for k in range(max(5, count["PartyCommittee"] // 50))]
        for p in provincial:
            self.tie("PART_OF", p, central)
        for m in municipal:
            self.tie("PART_OF", m, rng.choice(provincial))
        hosts = rng.sample(companies, min(len(companies), count["PartyCommittee"] - len(provincial) - len(municipal) - 1))
        for k, host in enumerate(hosts):
            if k < len(banks):
                host = banks[k]
            committee = self.node("PartyCommittee", f"party-{k}", f"Party Committee of {host}", level="company committee",
                                  branchCount=rng.randint(1, 300), memberCount=rng.randint(10, 20000))
            self.tie("HAS_PARTY_COMMITTEE", host, committee)
            self.tie("PART_OF", committee, rng.choice(municipal))
            if host.startswith("co-") and len(self.picks.committee_hosts) < 2000:
                self.picks.committee_hosts.append(host)

        # projects: located in a city, commissioned by a government there, 2-4 contractors, often financed
        vendors = set()
        gov_by_country: dict[str, list[str]] = {}
        for gov, code in all_govs:
            gov_by_country.setdefault(code, []).append(gov)
        big_vendors = companies[: max(10, len(companies) // 50)]  # a few vendors win much of the work
        for k in range(count["Project"]):
            city, code = rng.choice(cities)
            pid = f"proj-{k}"
            status = rng.choice(STATUSES)
            props = {"kind": rng.choice(PROJECT_KINDS), "status": status, "year": rng.randint(2005, 2024)}
            if rng.random() < 0.6:
                props["valueUsd"] = float(rng.randint(1, 900) * 1_000_000)
            if rng.random() < 0.3:
                props["cameras"] = rng.randint(100, 50_000)
            self.node("Project", pid, f"{self.name(1)} {props['kind'].title()} Project {k}", **props)
            self.tie("LOCATED_IN", pid, city)
            buyer = rng.choice(gov_by_country[code])
            self.tie("COMMISSIONED", buyer, pid, year=props["year"],
                     **({"status": status} if status in ("rejected", "cancelled", "aborted") else {}))
            contractors = set()
            for _ in range(rng.randint(2, 5)):
                contractors.add(rng.choice(big_vendors) if rng.random() < 0.3 else rng.choice(companies))
            for c in sorted(contractors):
                self.tie("CONTRACTED_FOR", c, pid, role=rng.choice(ROLES), year=props["year"])
                vendors.add(c)
            if rng.random() < 0.45:
                # one commitment in three co-financed by two or three lenders, each tie with the whole amount
                lenders = rng.sample(banks, min(len(banks), rng.choice([1, 1, 1, 1, 2, 3])))
                lender = lenders[0]
                amount = float(rng.randint(1, 500) * 1_000_000)
                facts = {"instrument": rng.choice(INSTRUMENTS), "amount": amount, "currency": "USD",
                         "amountUsd": amount, "year": props["year"]}
                if len(lenders) > 1:
                    facts["commitment"] = f"loan-{pid}"
                    if rng.random() < 0.5:  # the source gives each lender's part
                        facts["partAmountUsd"] = facts["partAmount"] = amount / len(lenders)
                for each in lenders:
                    self.tie("FINANCED", each, pid, **facts)
                if len(self.picks.path_pairs) < 2000:
                    c = sorted(contractors)[0]
                    self.picks.path_pairs.append((lender, parent_of.get(c, c)))
            elif rng.random() < 0.2:  # money to the buyer, who commissioned the project
                self.tie("FINANCED", rng.choice(banks), buyer, key=pid, instrument="credit line",
                         amountUsd=float(rng.randint(10, 900) * 1_000_000), year=props["year"])
        self.picks.vendors = sorted(vendors)[:5000]

        # people in posts, organisations, supplies and partnerships
        orgs = []
        for k in range(count["Organization"]):
            org = self.node("Organization", f"org-{k}", f"{self.name(1)} {rng.choice(['University', 'Institute'])}",
                            kind=rng.choice(ORG_KINDS))
            self.tie("LOCATED_IN", org, rng.choice(cities)[0])
            orgs.append(org)
        for k in range(count["Person"]):
            person = self.node("Person", f"person-{k}", self.name(2), nationality=rng.choice(countries))
            posts = set()
            for _ in range(rng.randint(1, 3)):
                where = rng.choice(companies) if rng.random() < 0.8 else rng.choice(orgs + banks)
                if where in posts:
                    continue
                posts.add(where)
                self.tie("HOLDS_POSITION", person, where, key=None, title=rng.choice(TITLES),
                         since=rng.randint(1990, 2024))
        customers = companies + [g for g, _ in all_govs[:50]]
        for _ in range(len(companies) // 4):
            a, b = rng.choice(companies), rng.choice(customers)
            if a != b and f"{a}|SUPPLIES|{b}" not in self.ds.relationships:
                self.tie("SUPPLIES", a, b, product=rng.choice(["cameras", "servers", "switches", "software"]))
        for _ in range(len(orgs)):
            a, b = rng.choice(companies), rng.choice(orgs)
            if f"{a}|PARTNERED_WITH|{b}" not in self.ds.relationships:
                self.tie("PARTNERED_WITH", a, b, kind=rng.choice(["mou", "research", "training", "strategic"]),
                         year=rng.randint(2005, 2024))

        # designations of companies by a few national governments, payments between parties
        designators = [national[code] for code in countries[:10]]
        designated = set()
        for _ in range(max(3, n // 200)):
            company, programme = rng.choice(companies), rng.choice(PROGRAMMES)
            if (company, programme) not in designated:
                designated.add((company, programme))
                self.tie("DESIGNATED", rng.choice(designators), company, key=programme.lower().replace(" ", "-"),
                         programme=programme, measure=MEASURES[programme], year=rng.randint(2008, 2024))
        self.picks.designated = sorted({company for company, _ in designated})[:2000]
        payers, parties = set(), companies + banks
        for _ in range(max(3, n // 200)):
            a, b = rng.choice(parties), rng.choice(parties)
            if a != b and f"{a}|TRANSFERRED|{b}" not in self.ds.relationships:
                amount = float(rng.randint(1, 200) * 100_000)
                self.tie("TRANSFERRED", a, b, kind=rng.choice(TRANSFER_KINDS), amount=amount, currency="USD",
                         amountUsd=amount, year=rng.randint(2008, 2024))
                payers.add(a)
        self.picks.payers = sorted(payers)[:2000]

        self._disputes()
        entity_ids = [k for k, v in self.ds.nodes.items() if v.label != "Source"]
        self.picks.entities = rng.sample(entity_ids, min(5000, len(entity_ids)))
        names = [self.ds.nodes[e].props["name"] for e in rng.sample(companies, min(500, len(companies)))]
        self.picks.names = [_typo(rng, nm) if rng.random() < 0.3 else nm.split()[0] if rng.random() < 0.5 else nm
                            for nm in names]
        return self.ds, self.picks


    def _disputes(self) -> None:
        """A second source gives another value of one property of DISPUTED_SHARE of the entities and of the
        ties, as a second import does: the Dataset keeps both claims and the writer writes `disputed`."""
        rng = self.rng
        nodes = [r for r in self.ds.nodes.values() if r.label in NODE_DISPUTES]
        ties = [r for r in self.ds.relationships.values() if r.type in TIE_DISPUTES]
        n_entities = sum(1 for r in self.ds.nodes.values() if r.label != "Source")
        chosen = (rng.sample(nodes, min(len(nodes), int(n_entities * DISPUTED_SHARE)))
                  + rng.sample(ties, min(len(ties), int(len(self.ds.relationships) * DISPUTED_SHARE))))
        disputed = set()
        for record in chosen:
            is_node = isinstance(record, NodeRecord)
            name, values = NODE_DISPUTES[record.label] if is_node else TIE_DISPUTES[record.type]
            other = rng.choice([v for v in values if v != record.props[name]])
            source = rng.choice([s for s in self.source_ids if s not in record.props["sources"]])
            props = {name: other, "sources": [source], "evidence": [f"{source} gives the {name} as {other}"]}
            if is_node:
                self.ds.add_node(record.label, {"id": record.id, **props}, self.origin)
                disputed.add(record.id)
            else:
                key = record.id.split("|")[3] if record.id.count("|") == 3 else None
                self.ds.add_relationship(record.type, record.start, record.end, props, self.origin, key=key)
                disputed.update((record.start, record.end))
        self.picks.disputed = rng.sample(sorted(disputed), min(5000, len(disputed)))
        undisputed = [k for k, v in self.ds.nodes.items() if v.label != "Source" and k not in disputed]
        self.picks.undisputed = rng.sample(undisputed, min(5000, len(undisputed)))


def _typo(rng: random.Random, text: str) -> str:
    word = text.split()[0]
    if len(word) < 5:
        return word
    i = rng.randint(1, len(word) - 2)
    return word[:i] + word[i + 1:]


def generate(nodes: int, seed: int = 1) -> tuple[Dataset, Picks]:
    """A dataset of about `nodes` nodes (and ~3 relationships per node), always the same for one seed."""
    return _Gen(nodes, seed).run()


if __name__ == "__main__":  # python -m benchmarks.generate 10000
    import sys
    import time

    started = time.perf_counter()
    dataset, _ = generate(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    labels, types = dataset.counts()
    problems = dataset.problems()
    print(f"{len(dataset.nodes)} nodes, {len(dataset.relationships)} relationships in "
          f"{time.perf_counter() - started:.1f} s; {len(problems)} problems")
    print(dict(labels))
    print(dict(types))
    for p in problems[:10]:
        print(p)
