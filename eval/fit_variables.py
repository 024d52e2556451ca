"""Fit the variable chooser's weights (`logsmith.planning.variables.WEIGHTS`, `MISSING`, `MAX_VARIABLES`)
on the dev and train splits of the corpus, never on the held-out one.

For each case (the developer's statement masked, cursor on its blank line) it reads the site and
the planned level the way `logsmith.suggest` does, lists the chooser's candidates with their
features (secrets and names out of scope dropped, as the chooser drops them) and labels each one:
is it a variable of the developer's statement (eval.metrics)? Then an L2-regularised logistic
regression (Newton steps) gives the weights, and leave-one-project-out over the 35 dev and train
projects picks the expected number of variables that are no candidate (`MISSING`) and the most
variables per statement: the pair with the best mean variable F1 of the left-out projects.

    .venv/bin/python -m eval.fit_variables            # prints the constants to paste into logsmith/planning/variables.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy

from eval import corpus, metrics

# Stronger than the 1.0 used while only 9 projects were fitted: over the 35 projects, leave-one-project-out
# mean F1 0.554 at 1, 0.558 at 3, 0.569 at 10, 0.565 at 20, 0.561 at 40 (name words fit single projects' habits).
L2 = 10.0
MIN_WORD_COUNT = 15
MISSING = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0)
LIMITS = (1, 2, 3)


def examples(splits: tuple[str, ...] = ("dev", "train")) -> list[dict]:
    """One row per case: project, the expected variables, and the candidates with features and labels."""
    from eval.case_reading import read_case
    from logsmith.planning import variables
    from logsmith.planning.plan import make_plan
    from logsmith.planning.secrets import is_secret

    rows = []
    every_case, projects = corpus.load_cases(), corpus.load_projects()
    cases = [case for split in splits for case in corpus.cases_for_split(every_case, projects, split)]
    for case in cases:
        reading = read_case(case)
        site, facts = reading.site, reading.facts
        plan = make_plan(site, facts, reading.style)
        context = " ".join([site.function.name, *site.function.parameters] if site.function else [])
        expected = metrics.parse_statement(reading.masked.expected).variables
        found = [c for c in variables.candidates(site, plan.level, facts) if site.in_scope(c.text) and not is_secret(c.text, context)]
        rows.append({"project": case.project, "kind": case.kind, "expected": sorted(expected),
                     "candidates": [{"text": c.text, "features": c.features, "label": c.text in expected} for c in found]})
    return rows


def cached(path: Path, refresh: bool, compute) -> list[dict]:
    """The rows kept at `path`, or `compute()`'s, kept there for the next run."""
    if path.exists() and not refresh:
        return json.loads(path.read_text())
    rows = compute()
    path.write_text(json.dumps(rows))
    return rows


def fit(rows: list[dict], l2: float = L2, steps: int = 25) -> dict[str, float]:
    """L2-regularised logistic regression on every candidate of `rows` (Newton's method)."""
    counts: dict[str, int] = {}
    for row in rows:
        for c in row["candidates"]:
            for name in c["features"]:
                counts[name] = counts.get(name, 0) + 1
    # a name word (`word:path`) is a feature only when enough candidates of the training rows have it
    names = sorted(name for name, n in counts.items() if not name.startswith("word:") or n >= MIN_WORD_COUNT)
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
    return {name: round(float(value), 3) for name, value in zip(names, w) if not name.startswith("word:") or abs(value) >= 0.05}


def _scored(row: dict, weights: dict[str, float]) -> list[tuple[float, str]]:
    from logsmith.planning import variables

    return [(variables.probability(variables.Candidate(c["text"], c["features"]), weights), c["text"]) for c in row["candidates"]]


def case_f1(row: dict, weights: dict[str, float], threshold: float, limit: int) -> float:
    from logsmith.planning import variables

    chosen = set(variables.select(_scored(row, weights), threshold, limit))
    return metrics.set_scores(chosen, set(row["expected"]))[2]


def informed_f1(row: dict, weights: dict[str, float], threshold: float, limit: int) -> dict[str, float]:
    """The case's F1 for the ranker, and for the ranker told more than the code shows: whether the
    developer logged any value (then it logs its choice, or at least its best candidate), also how
    many (its best that many), and which (every candidate the developer logged)."""
    from logsmith.planning import variables

    expected = set(row["expected"])
    scored = _scored(row, weights)
    ranked = [text for _, text in sorted(scored, key=lambda pair: -pair[0])]
    chosen = variables.select(scored, threshold, limit)

    def f1(texts) -> float:
        return metrics.set_scores(set(texts), expected)[2]

    return {
        "ranker": f1(chosen),
        "knowing whether": f1((chosen or ranked[:1]) if expected else ()),
        "knowing how many": f1(ranked[:len(expected)]),
        "knowing which": f1(text for text in ranked if text in expected),
    }


def leave_one_project_out(rows: list[dict], fold_weights: dict[str, dict[str, float]] | None = None) -> dict[tuple[float, int], float]:
    """(missing, limit) -> mean over the projects of the left-out project's mean variable F1.
    `fold_weights`, when given, receives the weights fitted without each project."""
    projects = sorted({row["project"] for row in rows})
    totals: dict[tuple[float, int], float] = {}
    for project in projects:
        weights = fit([row for row in rows if row["project"] != project])
        if fold_weights is not None:
            fold_weights[project] = weights
        held = [row for row in rows if row["project"] == project]
        for threshold in MISSING:
            for limit in LIMITS:
                score = sum(case_f1(row, weights, threshold, limit) for row in held) / len(held)
                totals[(threshold, limit)] = totals.get((threshold, limit), 0.0) + score / len(projects)
        print(f"  fold {project}: n={len(held)}", file=sys.stderr)
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_variables", description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/logsmith-variable-examples.json"),
                        help="where the dev and train examples are kept between runs")
    parser.add_argument("--refresh", action="store_true", help="recompute the examples")
    args = parser.parse_args(argv)
    rows = cached(args.cache, args.refresh, examples)
    expected = sum(len(row["expected"]) for row in rows)
    reachable = sum(sum(c["label"] for c in row["candidates"]) for row in rows)
    print(f"{len(rows)} dev and train cases, {sum(len(r['candidates']) for r in rows)} candidates; "
          f"{reachable}/{expected} expected variables are candidates", file=sys.stderr)
    fold_weights: dict[str, dict[str, float]] = {}
    totals = leave_one_project_out(rows, fold_weights)
    (threshold, limit), score = max(totals.items(), key=lambda item: item[1])
    for limit_ in LIMITS:
        best = max((t for t in MISSING), key=lambda t: totals[(t, limit_)])
        print(f"  limit {limit_}: best missing {best} -> LOPO F1 {totals[(best, limit_)]:.3f}", file=sys.stderr)
    informed: dict[str, float] = {}
    for project, weights in fold_weights.items():
        held = [informed_f1(row, weights, threshold, limit) for row in rows if row["project"] == project]
        for name in held[0]:
            informed[name] = informed.get(name, 0.0) + sum(case[name] for case in held) / len(held) / len(fold_weights)
    print("  what the ranker would score if told more (LOPO F1): "
          + ", ".join(f"{name} {value:.3f}" for name, value in informed.items()), file=sys.stderr)
    weights = fit(rows)
    print(f"# leave-one-project-out mean variable F1 over {len({row['project'] for row in rows})} projects: {score:.3f}")
    features = {name: value for name, value in weights.items() if not name.startswith("word:")}
    words = sorted((name[5:], value) for name, value in weights.items() if name.startswith("word:"))
    print(f"FEATURE_WEIGHTS = {json.dumps(features, indent=4)}")
    lines = [", ".join(f'"{word}": {value}' for word, value in words[i:i + 6]) for i in range(0, len(words), 6)]
    print("NAME_WORDS = {\n" + "".join(f"    {line},\n" for line in lines) + "}")
    print(f"MISSING = {threshold}")
    print(f"MAX_VARIABLES = {limit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
