"""The retrieval benchmark's figures: each measure over the cases that have a neighbour, and the
share without one over all."""

from __future__ import annotations

from eval.bench import retrieval


def test_measures_count_only_the_cases_with_a_neighbour():
    rows = [
        {"case": "a", "project": "p", "no_neighbour": 0, "first_level": 1, "majority_level": 1,
         "any_level": 1, "first_value": 0, "any_value": 1, "first_word": 1, "first_rouge_l": 0.5,
         "same_function": 1},
        {"case": "b", "project": "p", "no_neighbour": 0, "first_level": 0, "majority_level": 1,
         "any_level": 1, "first_value": 0, "any_value": 0, "first_word": 0, "first_rouge_l": 0.0,
         "same_function": 0},
        {"case": "c", "project": "q", "no_neighbour": 1},
    ]
    summary = retrieval.summarise(rows)
    assert summary["cases"] == 3 and summary["with_neighbours"] == 2
    assert summary["first_level"] == 0.5 and summary["majority_level"] == 1.0
    assert summary["first_rouge_l"] == 0.25 and summary["no_neighbour"] == 1 / 3
    text = retrieval.markdown("dev", summary, {"p": retrieval.summarise(rows[:2])}, {"nproc": 2})
    assert "| the first neighbour has the developer's level | 50 % | 50 % |" in text
