"""Fit the variable ranker (`logsmith/planning/data/variable_ranker.json`) on the dev and train
splits of the corpus, never on the held-out one, and write it with the provenance of the run.

For each case (the developer's statement masked, cursor on its blank line) it reads the site and
the planned level the way `logsmith.suggest` does, lists the ranker's candidates with their
features (secrets and names out of scope dropped, as the ranker drops them) and labels each one:
is it a variable of the developer's statement (eval.metrics)? Then an L2-regularised logistic
regression (Newton steps) gives the weights, and leave-one-project-out over the 35 dev and train
projects picks the expected number of the developer's variables that are no candidate (`missing`)
and the most variables per statement (`max_variables`): the pair with the best mean variable F1
of the left-out projects, that mean being the score the file records. Every score comes from the
product's own `probability` and `select` with a `RankerWeights` of the fitter's numbers. It also
scores the ranker told more than the code shows: whether, how many and which values the developer
logged.

    python -m eval.fit.variables                          # writes logsmith's variable_ranker.json
    python -m eval.fit.variables --output /tmp/ranker.json
    python -m eval.fit.variables --dry-run                # shows the file and its changes only

The examples are kept in `--cache` between runs (`--refresh` reads the corpus again: do so after
changing the candidates or their features).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy

from eval import metrics
from eval.corpus import build as corpus
from eval.fit import common
from logsmith.planning import fitted
from logsmith.planning.fitted import RankerWeights

PROG = "eval.fit.variables"
SPLITS = common.FIT_SPLITS
# Over the 35 projects, leave-one-project-out mean F1 0.554 at L2 1, 0.558 at 3, 0.569 at 10,
# 0.565 at 20, 0.561 at 40 (name words fit single projects' habits).
L2 = 10.0
MIN_WORD_COUNT = 15
"""A name word (`word:path`) is a feature only when this many training candidates have it..."""
MIN_WORD_WEIGHT = 0.05
"""...and it is kept only when its weight is at least this far from zero."""
MISSING = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0)
LIMITS = (1, 2, 3)
WHAT = ("logistic-regression weights of the variable ranker (one per candidate feature, and per "
        "word of a candidate's last name part), with the thresholds that turn its probabilities "
        "into a choice")


def examples(splits: tuple[str, ...] = SPLITS) -> list[dict]:
    """One row per case: project, the expected variables, and the candidates with features and
    labels."""
    from eval.corpus.reading import read_case
    from logsmith.planning import variables
    from logsmith.planning.plan import make_plan
    from logsmith.planning.secrets import is_secret

    common.check_splits(splits)
    rows = []
    every_case, projects = corpus.load_cases(), corpus.load_projects()
    cases = [case for split in splits
             for case in corpus.cases_for_split(every_case, projects, split)]
    for case in cases:
        reading = read_case(case)
        site, facts = reading.site, reading.facts
        plan = make_plan(site, facts, reading.style)
        function = site.function
        context = " ".join([function.name, *function.parameters] if function else [])
        expected = metrics.parse_statement(reading.masked.expected).variables
        found = [c for c in variables.candidates(site, plan.level, facts)
                 if site.in_scope(c.text) and not is_secret(c.text, context)]
        rows.append({"project": case.project, "kind": case.kind, "expected": sorted(expected),
                     "candidates": [{"text": c.text, "features": c.features,
                                     "label": c.text in expected} for c in found]})
    return rows


def fit(rows: list[dict], l2: float = L2, steps: int = 25) -> dict[str, float]:
    """L2-regularised logistic regression on every candidate of `rows` (Newton's method): a
    weight per feature, rounded to three decimals."""
    counts: dict[str, int] = {}
    for row in rows:
        for c in row["candidates"]:
            for name in c["features"]:
                counts[name] = counts.get(name, 0) + 1
    names = sorted(name for name, n in counts.items()
                   if not name.startswith("word:") or n >= MIN_WORD_COUNT)
    column = {name: i for i, name in enumerate(names)}
    candidates = [c for row in rows for c in row["candidates"]]
    x = numpy.zeros((len(candidates), len(names)))
    for i, c in enumerate(candidates):
        for name, value in c["features"].items():
            if name in column:
                x[i, column[name]] = value
    y = numpy.array([float(c["label"]) for c in candidates])
    w = numpy.zeros(len(names))
    for _ in range(steps):
        p = 1 / (1 + numpy.exp(-numpy.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + l2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * numpy.eye(len(names))
        step = numpy.linalg.solve(hessian, gradient)
        w -= step
        if numpy.abs(step).max() < 1e-6:
            break
    return {name: round(float(value), 3) for name, value in zip(names, w)
            if not name.startswith("word:") or abs(value) >= MIN_WORD_WEIGHT}


def _scored(row: dict, ranker: RankerWeights) -> list[tuple[float, str]]:
    from logsmith.planning import variables

    return [(variables.probability(variables.Candidate(c["text"], c["features"]), ranker.weights),
             c["text"]) for c in row["candidates"]]


def case_f1(row: dict, ranker: RankerWeights) -> float:
    """The variable F1 of what the product's `select` logs at the case with `ranker`."""
    from logsmith.planning import variables

    chosen = set(variables.select(_scored(row, ranker), ranker.missing, ranker.max_variables))
    return metrics.set_scores(chosen, set(row["expected"]))[2]


def informed_f1(row: dict, ranker: RankerWeights) -> dict[str, float]:
    """The case's F1 for the ranker, and for the ranker told more than the code shows: whether the
    developer logged any value (then it logs its choice, or at least its best candidate), also how
    many (its best that many), and which (every candidate the developer logged)."""
    from logsmith.planning import variables

    expected = set(row["expected"])
    scored = _scored(row, ranker)
    ranked = [text for _, text in sorted(scored, key=lambda pair: -pair[0])]
    chosen = variables.select(scored, ranker.missing, ranker.max_variables)

    def f1(texts) -> float:
        return metrics.set_scores(set(texts), expected)[2]

    return {
        "ranker": f1(chosen),
        "knowing whether": f1((chosen or ranked[:1]) if expected else ()),
        "knowing how many": f1(ranked[:len(expected)]),
        "knowing which": f1(text for text in ranked if text in expected),
    }


def leave_one_project_out(rows: list[dict], fold_weights: dict[str, dict[str, float]] | None = None
                          ) -> dict[tuple[float, int], float]:
    """(missing, max_variables) -> mean over the projects of the left-out project's mean variable
    F1. `fold_weights`, when given, receives the weights fitted without each project."""
    projects = sorted({row["project"] for row in rows})
    totals: dict[tuple[float, int], float] = {}
    for project in projects:
        weights = fit([row for row in rows if row["project"] != project])
        if fold_weights is not None:
            fold_weights[project] = weights
        held = [row for row in rows if row["project"] == project]
        for missing in MISSING:
            for limit in LIMITS:
                ranker = RankerWeights(weights, missing, limit)
                score = sum(case_f1(row, ranker) for row in held) / len(held)
                totals[(missing, limit)] = totals.get((missing, limit), 0.0) + score / len(projects)
        print(f"  fold {project}: n={len(held)}", file=sys.stderr)
    return totals


def told_more(rows: list[dict], fold_weights: dict[str, dict[str, float]], missing: float,
              limit: int) -> dict[str, float]:
    """`informed_f1`'s figures, each project scored with the weights fitted without it; means over
    the projects."""
    informed: dict[str, float] = {}
    for project, weights in fold_weights.items():
        ranker = RankerWeights(weights, missing, limit)
        held = [informed_f1(row, ranker) for row in rows if row["project"] == project]
        for name in held[0]:
            mean = sum(case[name] for case in held) / len(held)
            informed[name] = informed.get(name, 0.0) + mean / len(fold_weights)
    return informed


def provenance(rows: list[dict], score: float, informed: dict[str, float], command: str) -> dict:
    projects = sorted({row["project"] for row in rows})
    heldout = [spec.name for spec in corpus.load_projects() if spec.split == "heldout"]
    candidates = sum(len(row["candidates"]) for row in rows)
    return {
        "what": WHAT,
        "corpus": (f"eval/corpus/cases.jsonl, splits {' and '.join(SPLITS)}: {len(rows):,} "
                   f"statements of {len(projects)} projects, {candidates:,} candidates; label: the "
                   "candidate is a variable of the developer's statement; the held-out projects "
                   f"({', '.join(heldout)}) were not used"),
        "command": command,
        "date": common.today(),
        "regularisation": (f"L2 = {L2:g}; words kept when at least {MIN_WORD_COUNT} candidates "
                           f"have them and their weight is at least {MIN_WORD_WEIGHT}"),
        "score": {
            "leave_one_project_out_variable_f1": round(score, 3),
            "folds": len(projects),
            "note": ("missing and max_variables chosen by leave-one-project-out: the pair with the "
                     "best mean variable F1 of the left-out project's statements"),
            "told_more_than_the_code_shows": {name: round(value, 3) for name, value
                                              in informed.items() if name != "ranker"},
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {PROG}",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/logsmith-variable-examples.json"),
                        help="where the dev and train examples are kept between runs")
    parser.add_argument("--refresh", action="store_true", help="recompute the examples")
    common.add_output_arguments(parser, fitted.RANKER_FILE)
    args = parser.parse_args(argv)
    rows = common.cached(args.cache, args.refresh, {"splits": list(SPLITS)}, examples)
    expected = sum(len(row["expected"]) for row in rows)
    reachable = sum(sum(c["label"] for c in row["candidates"]) for row in rows)
    print(f"{len(rows)} dev and train cases, {sum(len(r['candidates']) for r in rows)} candidates; "
          f"{reachable}/{expected} expected variables are candidates", file=sys.stderr)
    fold_weights: dict[str, dict[str, float]] = {}
    totals = leave_one_project_out(rows, fold_weights)
    (missing, limit), score = max(totals.items(), key=lambda item: item[1])
    for limit_ in LIMITS:
        best = max(MISSING, key=lambda m: totals[(m, limit_)])
        print(f"  max_variables {limit_}: best missing {best} -> leave-one-project-out F1 "
              f"{totals[(best, limit_)]:.3f}", file=sys.stderr)
    informed = told_more(rows, fold_weights, missing, limit)
    print("  what the ranker would score if told more (leave-one-project-out F1): "
          + ", ".join(f"{name} {value:.3f}" for name, value in informed.items()), file=sys.stderr)
    ranker = RankerWeights(fit(rows), missing, limit)
    print(f"leave-one-project-out mean variable F1 over {len(fold_weights)} projects: {score:.3f} "
          f"(missing {missing}, max_variables {limit})", file=sys.stderr)
    origin = provenance(rows, score, informed, common.command_line(PROG, argv))
    return common.finish(args.output, args.dry_run, origin, fitted.ranker_numbers(ranker),
                         lambda path: fitted.save_ranker_weights(ranker, origin, path))


if __name__ == "__main__":
    sys.exit(main())
