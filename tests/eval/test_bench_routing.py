"""The routing benchmark and the routing fitter: pairing both models' rows, quality at each share
escalated by the score and at random with the paired interval, the fitter's scores and the file it
writes (logic on rows built by hand), and one real case through both models end to end."""

from __future__ import annotations

import dataclasses
import json

import pytest

from eval import metrics
from eval.bench import routing as bench
from eval.corpus import sources
from eval.fit import routing as fit_routing
from logsmith.engines import routing
from logsmith.planning import fitted

SOURCE = "import logging\nlogger = logging.getLogger()\n\ndef f(path):\n    \n"
EXPECTED = 'logger.warning("Cannot save %s", path)'
GOOD, WEAK = EXPECTED, 'logger.info("x")'


def _result(statement: str, logprobs: tuple[float, ...] | None = None, project: str = "p") -> dict:
    score = metrics.score_case(statement, EXPECTED, SOURCE, 4)
    result = {"statement": statement, "error": None, "score": dataclasses.asdict(score),
              "model": {"prompt_tokens": 700, "tokens": 12, "seconds": 0.5}}
    if logprobs is not None:
        result["routing"] = dataclasses.asdict(routing.Evidence(
            token_logprobs=logprobs, model_statement=statement, site_kind="other",
            level_probability=0.9, neighbours=0, neighbour_score=0.0, candidates=3))
    return result


def _rows(cases: list[tuple[str, str, float]], with_logprobs: bool) -> list[dict]:
    """A row per (local answer, strong answer, lowest log-probability) case: the local rows with
    evidence, the strong ones without."""
    rows = []
    for number, (local, strong, low) in enumerate(cases):
        statement = local if with_logprobs else strong
        logprobs = (-0.1, low, -0.05) if with_logprobs else None
        result = _result(statement, logprobs)
        rows.append({"case": {"id": f"c{number}", "project": f"p{number % 3}"},
                     "results": {"logsmith_warm": result, "logsmith_warm_index": result},
                     "warm_up_s": 2.0})
    return rows


# The strong model helps exactly where the local answer's least sure token is unsure.
CASES = [(WEAK, GOOD, -4.0)] * 6 + [(GOOD, GOOD, -0.2)] * 18 + [(WEAK, WEAK, -0.3)] * 6
EVEN = tuple(p / 100 for p in range(101))
WEIGHTS = fitted.RoutingWeights({"bias": 2.0, "logprob_min": 1.0},
                                {"with_neighbours": EVEN, "without_neighbours": EVEN})


def _pairs() -> list[bench.Pair]:
    return bench.pairs(_rows(CASES, True), _rows(CASES, False), "logsmith_warm")


def test_pairs_join_both_models_rows_case_by_case():
    found = _pairs()
    assert len(found) == len(CASES)
    assert found[0].cheap["acceptable"] == 0.0 and found[0].expensive["acceptable"] == 1.0
    assert found[0].evidence.token_logprobs == (-0.1, -4.0, -0.05)
    assert found[0].expensive_tokens == 712 and found[0].expensive_seconds == 2.5
    assert bench.pairs(_rows(CASES, True), _rows(CASES[:5], False), "logsmith_warm")[-1].case == "c4"


def test_escalating_by_the_score_beats_escalating_at_random():
    summary = bench.summarise(_pairs(), WEIGHTS)
    by_share = {row["share"]: row for row in summary["shares"]}
    assert by_share[0.0]["by_score"]["acceptable"] == pytest.approx(18 / 30)
    assert by_share[1.0]["by_score"]["acceptable"] == pytest.approx(24 / 30)
    at_20 = by_share[0.2]
    assert at_20["escalated"] == 6 and at_20["by_score"]["acceptable"] == pytest.approx(24 / 30)
    assert at_20["at_random"]["acceptable"] == pytest.approx(18 / 30 + 0.2 * 6 / 30, abs=0.01)
    interval = at_20["score_minus_random"]["acceptable"]
    assert interval["low"] > 0 and interval["difference"] == pytest.approx(6 / 30 - 0.2 * 6 / 30)
    assert summary["gain_kept_at_target"] == pytest.approx(1.0)
    assert at_20["expensive_tokens"] == 6 * 712
    assert at_20["seconds_per_acceptable"] == pytest.approx(6 * 2.5 / 24)
    assert at_20["acceptable_gained"] == pytest.approx(6) and at_20["tokens_per_gained"] == pytest.approx(712)
    assert summary["dev_thresholds"] == [pytest.approx(0.2)] and summary["model_served"] == 30
    assert "| 20 % (6) | 80.0 % / " in bench.markdown({
        "run": {"split": "dev", "limit": 30, "cheap_model": "a", "expensive_model": "b", "date": "d",
                "fitted_on": "x", "machine": {"nproc": 2}, "load_median": 1.0},
        "configs": {"logsmith_warm": summary}})


def test_the_fitter_scores_a_ranking_and_prefers_the_summary_that_separates():
    assert fit_routing.auc([3.0, 2.0, 1.0], [True, True, False]) == 1.0
    assert fit_routing.auc([1.0, 1.0], [True, False]) == 0.5
    found = _pairs()
    confidences = fit_routing.leave_one_project_out(found, "logprob_min")
    assert fit_routing.auc([-c for c in confidences], [fit_routing.helps(p) for p in found]) == 1.0
    assert fit_routing.gain_kept(found, confidences) == pytest.approx(1.0)
    rows = fit_routing.examples(found, "logprob_p10")
    assert "logprob_p10" in rows[0]["candidates"][0]["features"]
    assert "logprob_min" not in rows[0]["candidates"][0]["features"]


def test_the_fitter_writes_the_file_the_product_reads_with_the_provenance_of_the_run(tmp_path, monkeypatch):
    rows = {"gemma": _rows(CASES, True), "qwen": _rows(CASES, False)}
    monkeypatch.setattr(bench, "raw_rows", lambda model, split, limit, raw: rows[model])
    output = tmp_path / "routing.json"
    argv = ["--limit", "30", "--cheap-model", "gemma", "--expensive-model", "qwen", "--output", str(output)]
    assert fit_routing.main(argv) == 0
    shipped = fitted.routing_weights(output)
    assert shipped.weights["logprob_min"] > 0  # a sure answer is trusted more
    without = shipped.quantiles["without_neighbours"]
    assert list(without) == sorted(without) and len(without) == 101
    data = json.loads(output.read_text())
    provenance = data["provenance"]
    assert provenance["command"] == "python -m eval.fit.routing " + " ".join(argv)
    assert provenance["models"] == {"local": "gemma", "stronger": "qwen"}
    assert "60 examples (the 60 pairs but those where a neighbour's statement is served), 3 projects, " \
        "escalating helps at 12" in provenance["corpus"]
    assert provenance["score"]["leave_one_project_out_auc"] == 1.0
    assert provenance["logprob_summary"].startswith("logprob_")


def test_one_real_case_through_both_models(tmp_path, monkeypatch, default_model_path):
    """The real corpus case through the engine benchmark twice (the default model as the local one
    and, by its path, as the stronger one), then the report."""
    monkeypatch.setenv(sources.CACHE_ENV, str(tmp_path / "sources"))
    out = tmp_path / "report"
    argv = ["--split", "dev", "--limit", "1", "--expensive-model", str(default_model_path), "--out", str(out)]
    assert bench.main(argv) == 0
    report = json.loads((out / "routing-dev.json").read_text())
    summary = report["configs"]["logsmith_warm"]
    assert summary["cases"] == 1 and [row["share"] for row in summary["shares"]] == list(bench.SHARES)
    (row,) = [json.loads(line) for line in
              (out / "routing" / "raw" / "gemma-3-270m-dev" / "engine-cases.jsonl").read_text().splitlines()]
    evidence = row["results"]["logsmith_warm"]["routing"]
    assert evidence["token_logprobs"] and all(value <= 0 for value in evidence["token_logprobs"])
    assert (out / "routing-dev.md").read_text().startswith("# Routing: gemma-3-270m answers")
