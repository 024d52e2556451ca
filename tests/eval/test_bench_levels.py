"""The level benchmark's figures: exact and lenient accuracy, the gain of the index over none and
the paired gain over another run on the same cases."""

from __future__ import annotations

from eval.bench import levels


def _row(case: str, expected: str, with_index: str, without_index: str) -> dict:
    return {"case": case, "expected": expected, "with_index": with_index,
            "without_index": without_index, "first_answer": with_index}


def test_accuracy_gains_and_lenient_levels():
    rows = [_row("a", "error", "exception", "debug"), _row("b", "info", "info", "debug")]
    before = [_row("a", "error", "debug", "debug"), _row("b", "info", "debug", "debug")]
    summary = levels.report(rows, before)
    assert summary["cases"] == 2
    assert summary["exact"]["with_index"] == 0.5 and summary["lenient"]["with_index"] == 1.0
    assert summary["exact"]["without_index"] == 0.0
    assert summary["exact"]["index_gain"]["mean"] == 0.5
    assert summary["lenient"]["with_index_gain"]["mean"] == 1.0
    assert summary["lenient"]["with_index_gain"]["interval_95"] == [1.0, 1.0]
    assert summary["exact"]["without_index_gain"]["mean"] == 0.0
