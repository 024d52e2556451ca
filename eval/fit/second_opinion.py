"""Fit how the model's own choice of values and the ranker's combine (the second opinion,
`logsmith/planning/data/second_opinion.json`) on the dev split of the corpus, and only on it, and
write it with the provenance of the run.

For each of the first `--limit` dev cases in the engine benchmark's order where the model writes
the arguments: the model's statement as logsmith gets it once the user has paused (the prompt's
stable part evaluated, no time limit), before `logsmith.engines.revision.reconcile`. Where it logs
at least one value (reconcile leaves the others alone), every candidate becomes a row: the
features of `logsmith.planning.variables.second_opinion`, labelled by whether the developer logged
it. The weights come from the same logistic regression as the ranker's (`eval.fit.variables.fit`);
leave-one-project-out over the dev projects picks `missing` by the left-out projects' mean
variable F1 of what the product's `reconciled` keeps with a `SecondOpinionWeights` of the fitter's
numbers, and that mean is the score the file records. The model is logsmith's default (or
`LOGSMITH_MODEL`); the candidates are ranked by the ranker logsmith ships.

    python -m eval.fit.second_opinion                  # 600 cases, about 2 s a case on 2 cores
    python -m eval.fit.second_opinion --limit 25 --output /tmp/so.json

The model's answers are kept in `--cache` between runs with the same cases and model (`--refresh`
asks the model again).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from eval import metrics
from eval.bench.engine import ordered_cases
from eval.corpus import build as corpus
from eval.fit import common
from eval.fit.variables import fit
from logsmith.planning import fitted
from logsmith.planning.fitted import SecondOpinionWeights

PROG = "eval.fit.second_opinion"
SPLIT = "dev"
DEFAULT_LIMIT = 600
MISSING = (0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6)
L2 = 1.0
"""Five weights on hundreds of answers need little regularisation (the ranker's name words need
more)."""
WHAT = ("how the ranker's probability and the model's own choice combine into the probability that "
        "the developer logs a candidate, once the model has written a call")


def examples(limit: int | None) -> list[dict]:
    """One row per case where the model logged a value: project, the developer's variables, the
    model's, what reconcile keeps, and the candidates with features and labels."""
    from eval.corpus.reading import read_case
    from logsmith.engines import model_engine
    from logsmith.engines.prompt import writes_arguments
    from logsmith.engines.statement import check
    from logsmith.planning import variables
    from logsmith.planning.plan import make_plan
    from logsmith.settings import Settings

    common.check_splits((SPLIT,))
    settings = Settings()
    model_engine.preload(settings, timeout=300.0)
    every_case, projects = corpus.load_cases(), corpus.load_projects()
    cases = ordered_cases(corpus.cases_for_split(every_case, projects, SPLIT))[:limit]
    rows = []
    for index, case in enumerate(cases, 1):
        reading = read_case(case, settings)
        document, site, facts = reading.document, reading.site, reading.facts
        plan = make_plan(site, facts, reading.style)
        if not writes_arguments(plan):
            continue
        model_engine.warm(model_engine.context_for(document, site, facts), settings, budget_s=60)
        outcome = model_engine.statement(document, site, plan, facts, settings,
                                         deadline=time.perf_counter() + 60)
        if outcome.statement is None:
            continue
        by_model = tuple(name for name in check(outcome.statement, plan, site)
                         if name in plan.candidates)
        expected = metrics.parse_statement(reading.masked.expected).variables
        print(f"[{index}/{len(cases)}] {outcome.statement}", file=sys.stderr)
        if not by_model:
            continue
        features = variables.second_opinion(plan.candidates, plan.likelihoods, by_model,
                                            site.exception_name)
        rows.append({
            "project": case.project, "expected": sorted(expected), "by_model": list(by_model),
            "keep": [plan.exception] if plan.exception and plan.level != "exception" else [],
            "exception": site.exception_name, "likelihoods": list(plan.likelihoods),
            "candidates": [{"text": text, "features": f, "label": text in expected}
                           for text, f in features],
        })
    return rows


def case_f1(row: dict, opinion: SecondOpinionWeights) -> float:
    """The variable F1 of what the product's `reconciled` keeps at the case with `opinion`."""
    from logsmith.planning import variables

    texts = tuple(c["text"] for c in row["candidates"])
    chosen = variables.reconciled(texts, tuple(row["likelihoods"]), tuple(row["by_model"]),
                                  row["exception"], tuple(row["keep"]), opinion)
    return metrics.set_scores(set(chosen), set(row["expected"]))[2]


def model_alone_f1(rows: list[dict]) -> float:
    """Mean variable F1 of the model's own choice (with what reconcile always keeps)."""
    return sum(metrics.set_scores(set(r["by_model"]) | set(r["keep"]), set(r["expected"]))[2]
               for r in rows) / len(rows)


def leave_one_project_out(rows: list[dict]) -> dict[float, float]:
    """missing -> mean over the projects of the left-out project's mean variable F1."""
    projects = sorted({row["project"] for row in rows})
    totals = {missing: 0.0 for missing in MISSING}
    for project in projects:
        weights = fit([row for row in rows if row["project"] != project], l2=L2)
        held = [row for row in rows if row["project"] == project]
        for missing in MISSING:
            opinion = SecondOpinionWeights(weights, missing)
            mean = sum(case_f1(row, opinion) for row in held) / len(held)
            totals[missing] += mean / len(projects)
    return totals


def provenance(rows: list[dict], asked: int, model: str, score: float, alone: float,
               command: str) -> dict:
    return {
        "what": WHAT,
        "corpus": (f"the model's ({model}) answers at the first {asked} {SPLIT} cases of "
                   "eval/corpus/cases.jsonl in the benchmark's order, asked with the shipped "
                   f"ranker ({len(rows)} where it logged a value, "
                   f"{len({row['project'] for row in rows})} projects)"),
        "command": command,
        "date": common.today(),
        "score": {
            "leave_one_project_out_variable_f1": round(score, 3),
            "model_choice_alone": round(alone, 3),
        },
    }


def main(argv: list[str] | None = None) -> int:
    from logsmith.model import registry
    from logsmith.settings import Settings

    parser = argparse.ArgumentParser(prog=f"python -m {PROG}",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                        help="the first N dev cases of the benchmark's order (default %(default)s)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/logsmith-second-opinion.json"),
                        help="where the model's answers are kept between runs")
    parser.add_argument("--refresh", action="store_true", help="ask the model again")
    common.add_output_arguments(parser, fitted.SECOND_OPINION_FILE)
    args = parser.parse_args(argv)
    choice = registry.resolve(Settings())
    every_case, projects = corpus.load_cases(), corpus.load_projects()
    asked = len(corpus.cases_for_split(every_case, projects, SPLIT)[:args.limit])
    key = {"split": SPLIT, "limit": args.limit, "model_sha256": choice.sha256}
    rows = common.cached(args.cache, args.refresh, key, lambda: examples(args.limit))
    if len({row["project"] for row in rows}) < 2:
        print(f"{len(rows)} answers with a value: too few projects to leave one out",
              file=sys.stderr)
        return 1
    alone = model_alone_f1(rows)
    print(f"{len(rows)} of {asked} dev cases where the model logged a value; its own choice: "
          f"mean variable F1 {alone:.3f}", file=sys.stderr)
    totals = leave_one_project_out(rows)
    best = max(totals, key=lambda missing: totals[missing])
    for missing in MISSING:
        print(f"  missing {missing}: leave-one-project-out F1 {totals[missing]:.3f}",
              file=sys.stderr)
    opinion = SecondOpinionWeights(fit(rows, l2=L2), best)
    print(f"leave-one-project-out mean variable F1 where the model logged a value: "
          f"{totals[best]:.3f} (the model alone: {alone:.3f})", file=sys.stderr)
    origin = provenance(rows, asked, choice.model_id, totals[best], alone,
                        common.command_line(PROG, argv))
    return common.finish(args.output, args.dry_run, origin,
                         fitted.second_opinion_numbers(opinion),
                         lambda path: fitted.save_second_opinion_weights(opinion, origin, path))


if __name__ == "__main__":
    sys.exit(main())
