"""The level priors' count, their leave-one-project-out check with the product's `likeliest_level`,
and the file the fitter writes."""

import datetime
import json
from collections import Counter

import pytest

from eval.fit import levels as fit_levels
from logsmith.planning import fitted
from logsmith.planning.levels import LevelEvidence
from logsmith.vocabulary import LEVELS


def _example(project: str, key: str, expected: str | None, split: str = "dev"
             ) -> fit_levels.LevelExample:
    evidence = LevelEvidence(key, Counter(), Counter(), Counter(), LEVELS, key.startswith("except"))
    return fit_levels.LevelExample(project, split, evidence, expected)


def test_priors_count_levels_per_kind_of_site_and_every_handler_under_except():
    rows = [_example("p", "except/pass", "warning"), _example("p", "except/reraise", "exception"),
            _example("p", "loop", "debug"), _example("p", "loop", None)]
    priors = fit_levels.count_priors(rows)
    assert priors["except"] == (0, 0, 1, 0, 1, 0)
    assert priors["except/pass"] == (0, 0, 1, 0, 0, 0)
    assert priors["loop"] == (1, 0, 0, 0, 0, 0)  # a statement without a level is not counted
    assert priors["other"] == (0,) * len(LEVELS)


def test_each_project_is_scored_with_priors_from_the_others_only():
    # projects a and b log loops at debug, c at error: left out, c is scored with a's and b's habit
    rows = [_example(p, "loop", level)
            for p, level in (("a", "debug"), ("b", "debug"), ("c", "error"))]
    scores = fit_levels.leave_one_project_out(rows, ("dev",))
    assert scores == {"a": 1.0, "b": 1.0, "c": 0.0}
    train = _example("d", "loop", "error", "train")
    assert fit_levels.leave_one_project_out(rows + [train], ("dev",))["c"] == 0.0


def _rows() -> list[fit_levels.LevelExample]:
    return ([_example(p, "loop", "debug") for p in ("a", "b", "c")]
            + [_example(p, "except/pass", "warning") for p in ("a", "b")]
            + [_example("t", "loop", "info", "train")])


def test_the_fitter_writes_the_file_the_product_reads_with_the_provenance_of_the_run(
        tmp_path, monkeypatch):
    monkeypatch.setattr(fit_levels, "examples", _rows)
    output = tmp_path / "levels.json"
    assert fit_levels.main(["--output", str(output)]) == 0
    priors = fitted.level_priors(output)
    assert dict(priors.site_counts) == fit_levels.count_priors(_rows()[:-1])  # dev only
    weights = fit_levels.HABIT_WEIGHTS
    assert (priors.same_context_weight, priors.file_weight, priors.nearby_weight) == (
        weights["same_context"], weights["file"], weights["nearby"])
    data = json.loads(output.read_text())
    assert data["levels"] == list(LEVELS)
    provenance = data["provenance"]
    assert provenance["command"] == f"python -m eval.fit.levels --output {output}"
    assert provenance["date"] == datetime.date.today().isoformat()
    assert provenance["corpus"].startswith(
        "eval/corpus/cases.jsonl, split dev: 5 statements of 3 projects")
    # left out, a, b and c are right with the others' priors; t logs loops at info
    assert provenance["score"]["leave_one_project_out_level_accuracy"] == 0.75
    assert provenance["score"]["folds"] == 4
    assert "counted on dev and train: " in provenance["score"]["note"]


def test_the_fitter_never_counts_the_held_out_split(monkeypatch, capsys):
    monkeypatch.setattr(fit_levels, "examples", _rows)
    for splits in ("heldout", "dev,heldout", "test"):
        with pytest.raises(SystemExit):
            fit_levels.main(["--splits", splits, "--dry-run"])
    assert "never for fitting" in capsys.readouterr().err
