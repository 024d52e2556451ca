"""Variable benchmark: the template engine's top suggestion on corpus sites, scored on its variables.

The variables of a statement do not depend on the model (the plan fixes them), so this asks
`logsmith.suggest` with the model off, on the blank indented line where the developer's statement
was, and scores the top suggestion with eval.metrics: variable precision / recall / F1, level,
ROUGE-L, parses, names in scope, and the wall time of each call (cold: a fresh document each time).

    .venv/bin/python -m eval.bench.variables --split dev
    .venv/bin/python -m eval.bench.variables --split heldout --limit 200   # once, at the end

Cases are taken in the engine benchmark's order (`eval.bench.engine.ordered_cases`), so
`--limit 200` on the held-out split is the same 200 cases as the engine benchmark's.
`--rows FILE` writes one JSON line per case (expected and predicted variables) for reading misses.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import logsmith
from eval import metrics
from eval.bench.engine import ordered_cases
from eval.corpus import build as corpus

TEMPLATE = logsmith.Settings(use_model=False, telemetry=False)


def run_case(case: corpus.LogCase) -> dict:
    """The top template suggestion for one masked case, scored, with its latency."""
    path, source = corpus.case_source(case)
    masked = corpus.mask(source, case)
    started = time.perf_counter()
    found = logsmith.suggest(masked.source, masked.line, masked.character, path=str(path), settings=TEMPLATE)
    elapsed = (time.perf_counter() - started) * 1000
    top = found[0] if found else None
    bound = frozenset()
    if top is not None and top.additional_edits:
        bound = frozenset({top.logger.split(".")[0]})
    score = metrics.score_case(top.statement if top else None, masked.expected, masked.source, masked.line, bound)
    return {"id": case.id, "kind": case.kind, "project": case.project, "expected": masked.expected,
            "predicted": top.statement if top else None, "latency_ms": elapsed, "score": score}


def summary(rows: list[dict]) -> dict:
    figures = metrics.summarise([row["score"] for row in rows])
    figures["latency"] = metrics.latency_summary([row["latency_ms"] for row in rows])
    return figures


def print_summary(split: str, figures: dict) -> None:
    latency = figures["latency"]
    print(f"{split}: n={figures['n']}  variable F1 {figures['variable_f1']:.3f}  P {figures['variable_precision']:.3f}"
          f"  R {figures['variable_recall']:.3f}  level {figures['level_accuracy']:.3f}"
          f" (exception=error {figures['level_accuracy_exception_is_error']:.3f})  ROUGE-L {figures['rouge_l']:.3f}"
          f"  parses {100 * figures['parses']:.1f} %  in scope {100 * figures['in_scope']:.1f} %"
          f"  acceptable {100 * figures['acceptable']:.1f} %  latency p50 {latency['p50']:.1f} ms p95 {latency['p95']:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.variables",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=corpus.BENCHMARK_SPLITS, default="dev")
    parser.add_argument("--limit", type=int, default=None, help="first N cases in the benchmark order")
    parser.add_argument("--rows", type=Path, default=None, help="write one JSON line per case here")
    args = parser.parse_args(argv)
    cases = ordered_cases(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), args.split))
    if args.limit:
        cases = cases[: args.limit]
    rows = [run_case(case) for case in cases]
    by_kind: dict[str, list[dict]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    for kind, group in sorted(by_kind.items()):
        figures = metrics.summarise([row["score"] for row in group])
        print(f"  {kind:8s} n={figures['n']:4d}  F1 {figures['variable_f1']:.3f}  P {figures['variable_precision']:.3f}"
              f"  R {figures['variable_recall']:.3f}  ROUGE-L {figures['rouge_l']:.3f}")
    print_summary(args.split, summary(rows))
    if args.rows:
        with open(args.rows, "w", encoding="utf-8") as handle:
            for row in rows:
                score = row["score"]
                handle.write(json.dumps({**{k: v for k, v in row.items() if k != "score"},
                                         "f1": score.variable_f1, "rouge_l": score.rouge_l,
                                         "expected_variables": score.expected_variables,
                                         "predicted_variables": score.predicted_variables}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
