"""The ranker's fit: a logistic regression that learns which features mark a logged name, scored
with the product's own `probability` and `select`, and written as the product reads it."""

import datetime
import json

from eval.fit import variables as fit_variables
from logsmith.planning import fitted
from logsmith.planning.fitted import RankerWeights


def _row(project: str, logged: str, others: list[str]) -> dict:
    features = {"bias": 1.0, "just_assigned": 1.0, "word:path": 1.0}
    candidates = [{"text": logged, "features": features, "label": True}]
    candidates += [{"text": name, "features": {"bias": 1.0, "called": 1.0}, "label": False}
                   for name in others]
    return {"project": project, "kind": "other", "expected": [logged], "candidates": candidates}


def test_fit_weighs_the_features_of_logged_names_up_and_the_others_down():
    rows = [_row(f"p{i % 3}", "path", ["client", "loop"]) for i in range(30)]
    weights = fit_variables.fit(rows, l2=1.0)
    assert weights["just_assigned"] > 0 > weights["called"]
    assert weights["word:path"] > 0
    for row in rows[:3]:
        assert fit_variables.case_f1(row, RankerWeights(weights, 0.4, 3)) == 1.0


def test_name_words_seen_too_rarely_get_no_weight():
    rows = [_row("p", "path", ["client"]) for _ in range(fit_variables.MIN_WORD_COUNT - 1)]
    assert "word:path" not in fit_variables.fit(rows)


def test_leave_one_project_out_scores_every_threshold_and_limit():
    rows = [_row(f"p{i % 3}", "path", ["client", "loop"]) for i in range(30)]
    totals = fit_variables.leave_one_project_out(rows)
    assert set(totals) == {(m, n) for m in fit_variables.MISSING for n in fit_variables.LIMITS}
    assert max(totals.values()) == 1.0


def test_told_more_the_ranker_logs_what_it_learns_and_no_more():
    unlikely = RankerWeights({"bias": -4.0}, 0.4, 3)  # rates every candidate unlikely: logs nothing
    logs_two = {"project": "p", "kind": "other", "expected": ["a", "b"],
                "candidates": [{"text": t, "features": {"bias": 1.0}, "label": t in "ab"}
                               for t in ("a", "b", "c")]}
    logs_none = dict(logs_two, expected=[])
    told = fit_variables.informed_f1(logs_two, unlikely)
    assert told["ranker"] == 0.0
    # its best one: precision 1, recall 1/2
    assert told["knowing whether"] == 2 * (1 / 1) * (1 / 2) / (1 + 1 / 2)
    assert told["knowing how many"] in (0.5, 1.0)  # two of three equally rated candidates
    assert told["knowing which"] == 1.0
    assert set(fit_variables.informed_f1(logs_none, unlikely).values()) == {1.0}


def test_the_fitter_writes_the_file_the_product_reads_with_the_provenance_of_the_run(
        tmp_path, monkeypatch):
    rows = [_row(f"p{i % 3}", "path", ["client", "loop"]) for i in range(45)]
    monkeypatch.setattr(fit_variables, "examples", lambda: rows)
    output = tmp_path / "ranker.json"
    argv = ["--cache", str(tmp_path / "examples.json"), "--output", str(output)]
    assert fit_variables.main(argv) == 0
    ranker = fitted.ranker_weights(output)
    assert dict(ranker.weights) == fit_variables.fit(rows)
    assert (ranker.missing, ranker.max_variables) in {(m, n) for m in fit_variables.MISSING
                                                      for n in fit_variables.LIMITS}
    provenance = json.loads(output.read_text())["provenance"]
    assert provenance["command"] == "python -m eval.fit.variables " + " ".join(argv)
    assert provenance["date"] == datetime.date.today().isoformat()
    assert provenance["score"]["leave_one_project_out_variable_f1"] == 1.0
    assert provenance["score"]["folds"] == 3
    counts = "splits dev and train: 45 statements of 3 projects, 135 candidates"
    assert counts in provenance["corpus"]
    assert "(pika, scrapy, certbot) were not used" in provenance["corpus"]
    # the examples were kept: a second run reads them back, and a dry run writes nothing
    monkeypatch.setattr(fit_variables, "examples", lambda: [])
    before = output.read_text()
    assert fit_variables.main([*argv, "--dry-run"]) == 0
    assert output.read_text() == before
