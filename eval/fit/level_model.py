"""Fit the level model (`logsmith/planning/data/level_model.json`) on the dev and train splits,
never on the held-out one, score it leaving one project out, and write it with the provenance.

Each case is read at its masked site (`eval.corpus.reading`) with its whole project as the
workspace (one `ProjectIndex` per project, the masked file standing for itself, so the developer's
statement is never its own neighbour), and the product's own `levels.level_evidence` and
`levels.level_features` describe it, with the project's neighbours and without. The model is a
multinomial logistic regression over the allowed levels (the features are per level), fitted by
gradient descent with an L2 penalty, one set of weights with neighbours and one without. Leaving
each project out in turn, the weights fitted on the others choose its levels; the mean over cases
is the score the file records, next to the level the shipped priors choose on the same cases.

    python -m eval.fit.level_model                    # writes logsmith's level_model.json
    python -m eval.fit.level_model --dry-run
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from eval import metrics
from eval.bench import workspace
from eval.corpus import build as corpus
from eval.fit import common
from logsmith.planning import fitted
from logsmith.planning.fitted import LevelModel
from logsmith.vocabulary import LEVELS

PROG = "eval.fit.level_model"
WHAT = ("the level model: weights of the kind of site, the file's habits, the statement after the "
        "cursor and the project neighbours' levels, per allowed level, with neighbours and without")
GROUPS = ("with_neighbours", "without_neighbours")
PENALTY = 1.0
"""The L2 penalty on the weights (summed log-likelihood scale)."""
STEPS = 300
MIN_COUNT = 5
"""A per-level feature (`key:`, `next:`) seen at fewer of the developer's levels is left out."""
CACHE = Path("/tmp/logsmith-level-model-examples.json")


def evidence_rows(splits: tuple[str, ...]) -> list[dict]:
    """Per case of `splits`: project, split, the developer's level, the level the shipped priors
    choose with and without neighbours, and per group the features of each allowed level."""
    from eval.corpus.reading import read_case
    from logsmith.planning.house_style import logger_for
    from logsmith.planning.levels import PRIORS, level_evidence, level_features, likeliest_level
    from logsmith.planning.neighbours import HABITS, level_sites, neighbours_of
    from logsmith.planning.plan import nearby_levels

    common.check_splits(splits)
    every_case, projects = corpus.load_cases(), corpus.load_projects()
    found = []
    for split in splits:
        cases = sorted(corpus.cases_for_split(every_case, projects, split), key=lambda c: c.project)
        indexes = workspace.Indexes()  # one split's projects at a time in memory
        for case in cases:
            index = indexes.for_case(case).index
            reading = read_case(case)
            site, facts, style = reading.site, reading.facts, reading.style
            framework = logger_for(site, facts, style).framework
            nearby = nearby_levels(site, facts)
            neighbours = neighbours_of(index, site, reading.document, str(reading.path))
            sites = level_sites(neighbours)
            plain = level_evidence(site, style, framework, nearby)
            rich = level_evidence(site, style, framework, nearby, sites)
            # the shipped priors with the project's levels weighed as they were
            weighed = dataclasses.replace(rich, project_weight=HABITS.level_weight)
            found.append({
                "project": case.project,
                "split": split,
                "expected": metrics.parse_statement(reading.masked.expected).level,
                "priors_with": likeliest_level(weighed, PRIORS),
                "priors_without": likeliest_level(plain, PRIORS),
                "has_neighbours": bool(sites),
                "with_neighbours": {lvl: level_features(rich, lvl) for lvl in rich.allowed},
                "without_neighbours": {lvl: level_features(plain, lvl) for lvl in plain.allowed},
            })
    return [row for row in found if row["expected"] in LEVELS]


def fit(rows: list[dict], group: str, penalty: float = PENALTY, steps: int = STEPS
        ) -> dict[str, float]:
    """Weights maximising the penalised log-likelihood of the developers' levels among the allowed
    ones (Adam on the full batch)."""
    import numpy as np

    seen: dict[str, int] = {}
    for row in rows:
        for name in row[group].get(row["expected"], {}):
            seen[name] = seen.get(name, 0) + 1
    names = sorted(name for name, count in seen.items()
                   if count >= MIN_COUNT or not name.startswith(("key:", "next:")))
    position = {name: j for j, name in enumerate(names)}
    features = np.zeros((len(rows), len(LEVELS), len(names)))
    mask = np.full((len(rows), len(LEVELS)), -1e9)
    chosen = np.zeros(len(rows), dtype=int)
    for a, row in enumerate(rows):
        for level, values in row[group].items():
            at = LEVELS.index(level)
            mask[a, at] = 0.0
            for name, value in values.items():
                if name in position:
                    features[a, at, position[name]] = value
        chosen[a] = LEVELS.index(row["expected"])
    weights = np.zeros(len(names))
    first, second = np.zeros_like(weights), np.zeros_like(weights)
    picked = features[np.arange(len(rows)), chosen]
    for step in range(1, steps + 1):
        scores = features @ weights + mask
        scores -= scores.max(axis=1, keepdims=True)
        probability = np.exp(scores)
        probability /= probability.sum(axis=1, keepdims=True)
        expected = np.einsum("al,alf->af", probability, features)
        gradient = -(picked - expected).sum(axis=0) + penalty * weights
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        weights -= 0.1 * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
    return {name: round(float(w), 4) for name, w in zip(names, weights) if abs(w) >= 1e-4}


def choose(row: dict, group: str, weights: dict[str, float]) -> str:
    scores = {level: sum(weights.get(name, 0.0) * value for name, value in values.items())
              for level, values in row[group].items()}
    return max(scores, key=scores.__getitem__)


def leave_one_project_out(rows: list[dict]) -> dict[str, list[str]]:
    """Per group, the level chosen for each row by the weights fitted on the other projects."""
    chosen: dict[str, list[str]] = {group: [""] * len(rows) for group in GROUPS}
    for project in sorted({row["project"] for row in rows}):
        others = [row for row in rows if row["project"] != project]
        for group in GROUPS:
            weights = fit(others, group)
            for at, row in enumerate(rows):
                if row["project"] == project:
                    chosen[group][at] = choose(row, group, weights)
    return chosen


def accuracy(rows: list[dict], levels: list[str], split: str | None = None) -> float:
    pairs = [(lvl, row) for lvl, row in zip(levels, rows) if split in (None, row["split"])]
    return sum(lvl == row["expected"] for lvl, row in pairs) / len(pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {PROG}", description=__doc__.split("\n")[0])
    parser.add_argument("--refresh", action="store_true", help="read the cases again")
    common.add_output_arguments(parser, fitted.LEVEL_MODEL_FILE)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    splits = common.FIT_SPLITS
    rows = common.cached(CACHE, args.refresh, {"splits": list(splits), "version": 3},
                         lambda: evidence_rows(splits))
    chosen = leave_one_project_out(rows)
    score: dict[str, object] = {}
    for split in (*splits, None):
        name = split or "all"
        score[f"{name}_lopo_with_neighbours"] = round(
            accuracy(rows, chosen["with_neighbours"], split), 4)
        score[f"{name}_lopo_without_neighbours"] = round(
            accuracy(rows, chosen["without_neighbours"], split), 4)
        score[f"{name}_priors_with_neighbours"] = round(
            accuracy(rows, [row["priors_with"] for row in rows], split), 4)
        score[f"{name}_priors_without_neighbours"] = round(
            accuracy(rows, [row["priors_without"] for row in rows], split), 4)
        print(f"{name}: model {score[f'{name}_lopo_with_neighbours']} with neighbours, "
              f"{score[f'{name}_lopo_without_neighbours']} without; shipped priors "
              f"{score[f'{name}_priors_with_neighbours']}, "
              f"{score[f'{name}_priors_without_neighbours']}", file=sys.stderr)
    score["note"] = ("model: leave-one-project-out over the dev and train projects; priors: the "
                     "level_priors.json counts (counted on dev, so optimistic on dev)")
    model = LevelModel(fit(rows, "with_neighbours"), fit(rows, "without_neighbours"))
    provenance = {
        "what": WHAT,
        "corpus": f"eval/corpus/cases.jsonl, splits dev and train: {len(rows)} statements of "
                  f"{len({row['project'] for row in rows})} projects, each with its project as "
                  "the workspace and its own statement masked; the held-out projects were not used",
        "command": common.command_line(PROG, argv),
        "date": common.today(),
        "fit": f"multinomial logistic regression, L2 penalty {PENALTY}, {STEPS} Adam steps; "
               f"per-level features seen fewer than {MIN_COUNT} times left out",
        "score": score,
        "seconds": round(time.perf_counter() - started),
    }
    return common.finish(args.output, args.dry_run, provenance, fitted.level_model_numbers(model),
                         lambda path: fitted.save_level_model(model, provenance, path))


if __name__ == "__main__":
    sys.exit(main())
