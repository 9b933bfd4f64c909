"""A small synthetic dataset for fault tests: companies in ownership chains, banks lending to projects."""

from graph.records import Dataset, Origin


def synthetic_dataset(companies: int, seed_name: str = "synthetic") -> Dataset:
    dataset = Dataset()
    dataset.add_node("Source", {"id": seed_name, "name": seed_name, "title": "Synthetic test data",
                                "publisher": "tests", "date": "2024"}, Origin("synthetic"))
    provenance = {"sources": [seed_name], "evidence": ["generated row"]}
    tie = {**provenance, "confidence": "stated", "asOf": 2024}
    for i in range(companies):
        dataset.add_node("Company", {"id": f"c{i}", "name": f"Company {i}", **provenance}, Origin("synthetic", i))
        if i % 10:
            dataset.add_relationship("OWNS", f"c{i - i % 10}", f"c{i}", {"share": 0.51, **tie}, Origin("synthetic", i))
    for j in range(companies // 5):
        dataset.add_node("Project", {"id": f"p{j}", "name": f"Project {j}", "kind": "safe city", "year": 2010 + j % 10,
                                     **provenance}, Origin("synthetic", j))
        dataset.add_relationship("CONTRACTED_FOR", f"c{j * 5 % companies}", f"p{j}", {"role": "prime contractor", **tie},
                                 Origin("synthetic", j))
    return dataset
