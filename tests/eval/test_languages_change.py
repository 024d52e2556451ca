"""The change between two runs of the languages' benchmark: paired on the cases both hold."""

import json

from eval.report.languages_change import changes, lines_for


def _row(case_id, rouge, level=True):
    score = {"level": level, "rouge_l": rouge, "acceptable": rouge >= 0.5}
    return {"case": {"id": case_id}, "results": {"logsmith": {"score": score}}}


def test_the_change_is_paired_on_the_cases_both_runs_answered():
    old = [_row("a", 0.0), _row("b", 0.5, level=False)]
    new = [_row("a", 1.0), _row("b", 0.5), _row("c", 1.0)]
    found = changes(old, new, "logsmith")
    assert found["rouge_l"]["n"] == 2
    assert found["rouge_l"]["difference"] == 0.5
    assert found["level"]["before"] == 0.5 and found["level"]["after"] == 1.0
    assert found["rouge_l"]["low"] <= 0.5 <= found["rouge_l"]["high"]


def test_a_line_per_file_engine_and_metric(tmp_path):
    for folder, rows in (("old", [_row("a", 0.0)]), ("new", [_row("a", 1.0)])):
        (tmp_path / folder).mkdir()
        text = "".join(json.dumps(row) + "\n" for row in rows)
        (tmp_path / folder / "go-dev-cases.jsonl").write_text(text)
    lines = lines_for(tmp_path / "old", tmp_path / "new", ["logsmith"])
    assert len(lines) == 3
    assert lines[1].startswith("- go-dev, logsmith, rouge_l: 0.000 -> 1.000, +1.000")
