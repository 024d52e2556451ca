"""The comparison of two runs of a benchmark: cases paired by id, differences after minus before."""

import json

from eval.report import compare_runs


def _score(level: bool, rouge: float) -> dict:
    return {"predicted_level": "info", "expected_level": "info", "level_strict": level,
            "level_lenient": level, "level_distance": 0, "variable_precision": 1.0,
            "variable_recall": 1.0, "variable_f1": 1.0, "bleu4": 0.0, "rouge_l": rouge,
            "parses": True, "in_scope": True, "is_log_call": True, "acceptable": level,
            "safe": True}


def _write(folder, scores):
    folder.mkdir()
    rows = [{"case": {"id": f"c{i}"}, "results": {"template": {"score": score, "latency_ms": 10.0}}}
            for i, score in enumerate(scores)]
    (folder / "engine-heldout-cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_cases_are_paired_and_the_difference_is_after_minus_before(tmp_path):
    _write(tmp_path / "before", [_score(False, 0.1), _score(True, 0.2), _score(False, 0.3)])
    _write(tmp_path / "after", [_score(True, 0.3), _score(True, 0.2)])  # c2 missing after
    text = compare_runs.render(tmp_path / "before", tmp_path / "after")
    assert "2 cases in both runs (3 before, 2 after)" in text
    row = next(line for line in text.splitlines() if line.startswith("| template |"))
    assert "50.0 % -> 100.0 %, +50.0 pts" in row
    assert "0.150 -> 0.250, +0.100" in row
    assert "10 / 10 -> 10 / 10" in row
