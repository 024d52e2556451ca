"""The comparison of two runs of a benchmark: cases paired by id within files of the same name,
differences after minus before, for Python's rows and the languages' alike."""

import json

from eval.report import compare_runs


def _python_score(level: bool, rouge: float) -> dict:
    return {"level_strict": level, "level_lenient": level, "variable_f1": 1.0, "rouge_l": rouge,
            "parses": True, "in_scope": True, "acceptable": level, "safe": True}


def _write(folder, name, scores, engine="template"):
    folder.mkdir(exist_ok=True)
    rows = [{"case": {"id": f"c{i}"}, "results": {engine: {"score": score, "latency_ms": 10.0}}}
            for i, score in enumerate(scores)]
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_python_rows_are_paired_and_the_difference_is_after_minus_before(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    _write(before, "engine-heldout-cases.jsonl",
           [_python_score(False, 0.1), _python_score(True, 0.2), _python_score(False, 0.3)])
    _write(after, "engine-heldout-cases.jsonl", [_python_score(True, 0.3), _python_score(True, 0.2)])
    row = next(line for line in compare_runs.render(before, after).splitlines()
               if line.startswith("| template |"))
    assert "| 2 |" in row  # c2 is missing after
    assert "50.0 % -> 100.0 %, +50.0 pts" in row
    assert "0.150 -> 0.250, +0.100" in row
    assert "10 / 10 -> 10 / 10" in row


def test_languages_rows_are_compared_file_by_file(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    language_score = {"level": True, "rouge_l": 0.0, "acceptable": False, "valid": True}
    _write(before, "go-dev-cases.jsonl", [language_score], engine="logsmith")
    _write(after, "go-dev-cases.jsonl", [{**language_score, "rouge_l": 1.0}], engine="logsmith")
    _write(after, "java-dev-cases.jsonl", [language_score], engine="logsmith")  # no counterpart
    found = compare_runs.compared(compare_runs.pairs(before, after, "logsmith"))
    assert found["n"] == 1
    assert found["ROUGE-L"]["difference"] == 1.0
    assert found["level"]["before"] == found["level"]["after"] == 1.0
    assert found["safe"] == [1.0, 1.0]
