"""Fit how the model's own choice of arguments and the ranker's combine (`logsmith.planning.variables.
MODEL_WEIGHTS`, `MODEL_MISSING`) on the development split of the corpus, and only on it.

For each dev case, in the engine benchmark's order, where the model writes the arguments: the
model's statement as logsmith gets it once the user has paused (the prompt's stable part evaluated,
no time limit), before `logsmith.engines.revision.reconcile`. Where it logs at least one value (reconcile
leaves the others alone), every candidate becomes a row: the features of
`logsmith.planning.variables.second_opinion`, labelled by whether the developer logged it. The weights come
from the same logistic regression as the ranker's (`eval.fit_variables.fit`);
leave-one-project-out over the dev projects picks `MODEL_MISSING` by the left-out projects' mean
variable F1.

    .venv/bin/python -m eval.fit_second_opinion --limit 600    # about 2 s a case on 2 cores
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from eval import corpus, metrics
from eval.bench_engine import ordered_cases
from eval.fit_variables import cached, fit

MISSING = (0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6)
# Five weights on hundreds of answers need little regularisation (the ranker's name words need more).
L2 = 1.0


def examples(limit: int | None) -> list[dict]:
    """One row per case where the model logged a value: project, the developer's variables, the
    model's, what reconcile keeps, and the candidates with features and labels."""
    from eval.case_reading import read_case
    from logsmith.planning import variables
    from logsmith.engines import model_engine
    from logsmith.engines.prompt import writes_arguments
    from logsmith.planning.plan import make_plan
    from logsmith.settings import Settings
    from logsmith.engines.statement import check

    settings = Settings()
    model_engine.preload(settings, timeout=300.0)
    cases = ordered_cases(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), "dev"))[:limit]
    rows = []
    for index, case in enumerate(cases, 1):
        reading = read_case(case, settings)
        document, site, facts, masked = reading.document, reading.site, reading.facts, reading.masked
        plan = make_plan(site, facts, reading.style)
        if not writes_arguments(plan):
            continue
        model_engine.warm(model_engine.context_for(document, site, facts), settings, budget_s=60)
        outcome = model_engine.statement(document, site, plan, facts, settings, deadline=time.perf_counter() + 60)
        if outcome.statement is None:
            continue
        by_model = tuple(name for name in check(outcome.statement, plan, site) if name in plan.candidates)
        expected = metrics.parse_statement(masked.expected).variables
        print(f"[{index}/{len(cases)}] {outcome.statement}", file=sys.stderr)
        if not by_model:
            continue
        features = variables.second_opinion(plan.candidates, plan.likelihoods, by_model, site.exception_name)
        rows.append({
            "project": case.project, "expected": sorted(expected), "by_model": list(by_model),
            "keep": [plan.exception] if plan.exception and plan.level != "exception" else [],
            "exception": site.exception_name, "likelihoods": list(plan.likelihoods),
            "candidates": [{"text": text, "features": f, "label": text in expected} for text, f in features],
        })
    return rows


def case_f1(row: dict, weights: dict[str, float] | None, missing: float | None) -> float:
    from logsmith.planning import variables

    texts = tuple(c["text"] for c in row["candidates"])
    chosen = variables.reconciled(texts, tuple(row["likelihoods"]), tuple(row["by_model"]), row["exception"],
                                  tuple(row["keep"]), weights=weights, missing=missing)
    return metrics.set_scores(set(chosen), set(row["expected"]))[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_second_opinion", description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N dev cases of the benchmark's order")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/logsmith-second-opinion.json"),
                        help="where the model's answers are kept between runs")
    parser.add_argument("--refresh", action="store_true", help="ask the model again")
    args = parser.parse_args(argv)
    rows = cached(args.cache, args.refresh, lambda: examples(args.limit))
    own = sum(metrics.set_scores(set(r["by_model"]) | set(r["keep"]), set(r["expected"]))[2] for r in rows) / len(rows)
    print(f"{len(rows)} dev cases where the model logged a value; its own choice: mean variable F1 {own:.3f}",
          file=sys.stderr)
    projects = sorted({row["project"] for row in rows})
    totals = {missing: 0.0 for missing in MISSING}
    for project in projects:
        weights = fit([row for row in rows if row["project"] != project], l2=L2)
        held = [row for row in rows if row["project"] == project]
        for missing in MISSING:
            totals[missing] += sum(case_f1(row, weights, missing) for row in held) / len(held) / len(projects)
    best = max(totals, key=totals.get)
    for missing in MISSING:
        print(f"  missing {missing}: leave-one-project-out F1 {totals[missing]:.3f}", file=sys.stderr)
    print(f"# leave-one-project-out mean variable F1 on dev where the model logged a value: {totals[best]:.3f} "
          f"(the model alone: {own:.3f})")
    print(f"MODEL_WEIGHTS = {json.dumps(fit(rows, l2=L2))}")
    print(f"MODEL_MISSING = {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
