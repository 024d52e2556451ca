"""The level priors' count and their leave-one-project-out check."""

from collections import Counter

from eval import fit_levels
from logsmith.planning.levels import LevelEvidence
from logsmith.vocabulary import LEVELS


def _example(project: str, key: str, expected: str | None, split: str = "dev") -> fit_levels.LevelExample:
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
    rows = [_example(p, "loop", level) for p, level in (("a", "debug"), ("b", "debug"), ("c", "error"))]
    scores = fit_levels.leave_one_project_out(rows, ("dev",))
    assert scores == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert fit_levels.leave_one_project_out(rows + [_example("d", "loop", "error", "train")], ("dev",))["c"] == 0.0
