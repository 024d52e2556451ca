"""The second opinion's fit on the model's answers, scored with the product's `reconciled`, and the
file the fitter writes (on answers built by hand: asking the model is the slow part, run by
hand)."""

import datetime
import json

from eval.fit import second_opinion as fit_second_opinion
from logsmith.model import registry
from logsmith.planning import fitted
from logsmith.planning.fitted import SecondOpinionWeights
from logsmith.planning.variables import second_opinion


def _row(project: str, by_model: list[str], expected: list[str]) -> dict:
    candidates = ("path", "client", "err")
    likelihoods = (0.7, 0.4, 0.2)
    features = second_opinion(candidates, likelihoods, tuple(by_model), None)
    return {"project": project, "expected": expected, "by_model": by_model, "keep": [],
            "exception": None, "likelihoods": list(likelihoods),
            "candidates": [{"text": text, "features": f, "label": text in expected}
                           for text, f in features]}


def _rows() -> list[dict]:
    # the developers log what the model chose, unless the model chose what the ranker rates least
    return [_row(f"p{i % 3}", ["path"], ["path"]) for i in range(12)] + \
        [_row(f"p{i % 3}", ["path", "err"], ["path"]) for i in range(12)]


def test_the_weights_follow_the_developers_and_reconciled_uses_them():
    rows = _rows()
    opinion = SecondOpinionWeights(fit_second_opinion.fit(rows, l2=fit_second_opinion.L2), 0.6)
    assert opinion.weights["ranker"] > 0
    assert all(fit_second_opinion.case_f1(row, opinion) == 1.0 for row in rows)
    assert fit_second_opinion.model_alone_f1(rows) < 1.0  # the model alone also logs err


def test_the_fitter_writes_the_file_the_product_reads_with_the_provenance_of_the_run(
        tmp_path, monkeypatch):
    class Choice:
        model_id, sha256 = "a-model", "0" * 64

    monkeypatch.setattr(registry, "resolve", lambda settings=None: Choice())
    monkeypatch.setattr(fit_second_opinion, "examples", lambda limit: _rows())
    output = tmp_path / "so.json"
    argv = ["--limit", "25", "--cache", str(tmp_path / "answers.json"), "--output", str(output)]
    assert fit_second_opinion.main(argv) == 0
    opinion = fitted.second_opinion_weights(output)
    assert dict(opinion.weights) == fit_second_opinion.fit(_rows(), l2=fit_second_opinion.L2)
    assert opinion.missing in fit_second_opinion.MISSING
    provenance = json.loads(output.read_text())["provenance"]
    assert provenance["command"] == "python -m eval.fit.second_opinion " + " ".join(argv)
    assert provenance["date"] == datetime.date.today().isoformat()
    assert provenance["corpus"].startswith(
        "the model's (a-model) answers at the first 25 dev cases")
    assert "(24 where it logged a value, 3 projects)" in provenance["corpus"]
    assert provenance["score"]["leave_one_project_out_variable_f1"] == 1.0
    assert provenance["score"]["model_choice_alone"] < 1.0
