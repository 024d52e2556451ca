"""Fit how the project index is read (`logsmith/planning/data/project_habits.json`) on the dev
split, never on the held-out one, and write it with the provenance of the run.

Each dev case is read at its masked site (`eval.corpus.reading`) with its whole project as the
workspace: one `ProjectIndex` per project, the masked file standing for itself (the developer's
statement cannot be its own neighbour). For a set of numbers, the statement logsmith offers first
without the model is written with the product's own functions (`neighbours_of`, `make_plan`, the
neighbour engine, the template, the checks) and scored against the developer's. The numbers are
found by coordinate search from the shipped ones: each number in turn takes the value of its grid
that gives the best acceptable rate (ties: ROUGE-L, then the value shipped), twice over.
`values_from_neighbours` is not searched: it was chosen by variable F1 (its provenance says how)
and is carried over as shipped.

    python -m eval.fit.project_habits                 # writes logsmith's project_habits.json
    python -m eval.fit.project_habits --limit 300 --dry-run
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from eval import metrics
from eval.bench import workspace
from eval.bench.engine import ordered_cases
from eval.corpus import build as corpus
from eval.fit import common
from logsmith.planning import fitted
from logsmith.planning.fitted import ProjectHabits

PROG = "eval.fit.project_habits"
WHAT = ("how the project index is read: neighbours asked for, retrieval bonuses, the weight of the "
        "values the neighbours log, and how like the site a neighbour must be to be adapted first "
        "(the neighbours' levels are weighed by the level model)")
GRID: dict[str, tuple[float, ...]] = {
    "neighbours": (3, 5, 8),
    "exact_value_weight": (0.0, 1.0, 2.0, 3.0),
    "attribute_weight": (0.0, 1.0, 2.0),
    "adapt_min_score": (0.0, 5.0, 10.0, 15.0, 20.0),
    "retrieval.same_function": (3.0, 6.0, 12.0),
    "retrieval.same_kind": (0.0, 1.5, 3.0),
    "retrieval.same_handler": (0.0, 1.5, 3.0),
}


def readings(limit: int | None):
    """(reading, index) of the dev cases in the benchmark's order, one index per project."""
    from eval.corpus.reading import read_case

    cases = ordered_cases(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), "dev"))
    if limit is not None:
        cases = cases[:limit]
    indexes = workspace.Indexes()
    return [(read_case(case), indexes.for_case(case).index) for case in cases]


def first_statement(reading, index, habits: ProjectHabits) -> str | None:
    """The statement logsmith offers first without the model, with `habits`."""
    from logsmith.engines import neighbour, template
    from logsmith.engines.statement import InvalidStatement, check, render
    from logsmith.planning.neighbours import neighbours_of
    from logsmith.planning.plan import make_plan

    site = reading.site
    neighbours = neighbours_of(index, site, reading.document, str(reading.path), habits)
    plan = make_plan(site, reading.facts, reading.style, neighbours, habits)
    written = []
    chosen = neighbour.chosen(plan, habits.adapt_min_score)
    if chosen is not None:
        written.append(neighbour.statement_from(chosen, site, plan, habits))
    written.append(render(plan, template.message(site, plan)))
    for statement in written:
        if statement is None:
            continue
        try:
            check(statement, plan, site)
        except InvalidStatement:
            continue
        return statement
    return None


def score(found, habits: ProjectHabits) -> dict:
    scores = [
        metrics.score_case(first_statement(reading, index, habits), reading.masked.expected,
                           reading.masked.source, reading.masked.line, frozenset())
        for reading, index in found
    ]
    return metrics.summarise(scores)


def with_value(habits: ProjectHabits, name: str, value: float) -> ProjectHabits:
    if name.startswith("retrieval."):
        return dataclasses.replace(habits, retrieval={**habits.retrieval, name[10:]: value})
    return dataclasses.replace(habits, **{name: int(value) if name == "neighbours" else value})


def value_of(habits: ProjectHabits, name: str) -> float:
    return habits.retrieval[name[10:]] if name.startswith("retrieval.") else getattr(habits, name)


def search(found, start: ProjectHabits, rounds: int = 2) -> tuple[ProjectHabits, dict]:
    """Coordinate search from `start` over `GRID`, best acceptable rate then ROUGE-L."""
    best, best_summary = start, score(found, start)

    def key(summary: dict) -> tuple[float, float]:
        return (round(summary["acceptable"], 6), round(summary["rouge_l"], 6))

    for _ in range(rounds):
        for name, values in GRID.items():
            for value in values:
                if value == value_of(best, name):
                    continue
                trial = with_value(best, name, value)
                summary = score(found, trial)
                print(f"  {name}={value}: acceptable {summary['acceptable']:.3f} "
                      f"ROUGE-L {summary['rouge_l']:.3f} level {summary['level_accuracy']:.3f} "
                      f"F1 {summary['variable_f1']:.3f}", file=sys.stderr)
                if key(summary) > key(best_summary):
                    best, best_summary = trial, summary
            print(f"{name} -> {value_of(best, name)}", file=sys.stderr)
    return best, best_summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {PROG}", description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N dev cases of the fixed order")
    parser.add_argument("--rounds", type=int, default=2)
    common.add_output_arguments(parser, fitted.PROJECT_HABITS_FILE)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    found = readings(args.limit)
    shipped = fitted.project_habits()
    before = score(found, shipped)
    habits, summary = search(found, shipped, args.rounds)
    provenance = {
        "what": WHAT,
        "corpus": f"eval/corpus/cases.jsonl, split dev: {len(found)} statements, each with its "
                  "project as the workspace and its own statement masked; the held-out projects "
                  "were not used",
        "command": common.command_line(PROG, argv),
        "date": common.today(),
        "objective": "acceptable rate of the first statement offered without the model, then ROUGE-L",
        "score": {
            "dev_acceptable": round(summary["acceptable"], 4),
            "dev_rouge_l": round(summary["rouge_l"], 4),
            "dev_level_accuracy": round(summary["level_accuracy"], 4),
            "dev_variable_f1": round(summary["variable_f1"], 4),
            "start_acceptable": round(before["acceptable"], 4),
            "note": "scored on the cases fitted on: an optimistic figure; the held-out split "
                    "measures it (eval/README.md)",
        },
        "seconds": round(time.perf_counter() - started),
        "values_from_neighbours": fitted.read(fitted.PROJECT_HABITS_FILE)["provenance"]
        ["values_from_neighbours"],
    }
    return common.finish(args.output, args.dry_run, provenance, fitted.project_habits_numbers(habits),
                         lambda path: fitted.save_project_habits(habits, provenance, path))


if __name__ == "__main__":
    sys.exit(main())
