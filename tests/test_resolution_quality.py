"""Quality of entity resolution on the labelled pairs (benchmarks/labelled/): a quality test, not a timing test."""

from __future__ import annotations

import pytest

from benchmarks.resolution_quality import PAIRS, TARGETS, measure, read_pairs
from graph.records import ImportFailed
from tests.helpers import DATABASE

HEADER = "left_label,left_name,left_aliases,left_ids,right_label,right_name,right_aliases,right_ids,same,origin\n"


def test_the_labelled_set_meets_the_targets(clean_db):
    quality = measure(read_pairs(PAIRS), clean_db, DATABASE)
    assert quality.pairs >= 300 and quality.same_pairs >= 100
    assert quality.merge_precision >= TARGETS["merge_precision"], quality.wrong_merges
    assert quality.recall >= TARGETS["recall"], quality.missed


def test_figures_on_a_hand_made_set(clean_db, tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(HEADER + "\n".join([
        "Company,\"Huawei Technologies Co., Ltd.\",,,Company,Huawei Technologies Company,,,yes,t",  # merged
        "Company,Hikvison,,,Company,Hikvision,,,yes,t",  # proposed: a close name
        "Government,Government of Mali,,,Government,Government of Malaysia,,,no,t",  # apart: two countries
        "Company,China Mobile Holdings Ltd,,,Company,China Mobile,,,no,t",  # apart: Holdings is no legal form
        "Company,ZTE Corp,,,Company,ZTE Inc,,,no,t",  # merged, though labelled not the same here
        "Company,Dahua,,,Company,Zhejiang Dahua Technology,,,yes,u",  # apart: missed
    ]) + "\n", encoding="utf-8")
    quality = measure(read_pairs(path), clean_db, DATABASE)
    # merged: Huawei (same) and ZTE (labelled not same) → 1/2; proposed: Hikvison (same) → 1/1;
    # same pairs: Huawei, Hikvison, Dahua; merged or proposed: Huawei, Hikvison → 2/3
    assert (quality.merged, quality.merged_same, quality.merge_precision) == (2, 1, 0.5)
    assert (quality.proposed, quality.proposed_same, quality.review_precision) == (1, 1, 1.0)
    assert (quality.same_pairs, quality.found_same, quality.recall) == (3, 2, pytest.approx(2 / 3))
    assert quality.wrong_merges == ["row 6: Company 'ZTE Corp' / Company 'ZTE Inc'"]
    assert quality.missed == ["row 7: Company 'Dahua' / Company 'Zhejiang Dahua Technology'"]
    assert quality.by_origin["u"] == {"pairs": 1, "same": 1, "merged": 0, "merged_same": 0, "proposed": 0,
                                      "proposed_same": 0, "found_same": 0}
    assert not quality.meets_targets()


def test_a_bad_label_names_file_row_and_field(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(HEADER + "Company,A,,,Company,B,,,maybe,t\nCompany,,,,Company,B,,,no,t\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        read_pairs(path)
    assert [(p.origin.line, p.field) for p in failure.value.problems] == [(2, "same"), (3, "left_name")]
