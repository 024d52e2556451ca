"""Fit the routing confidence (`logsmith/planning/data/routing.json`) on the dev split of the
corpus, and only on it, and write it with the provenance of the run.

Both models answer the first `--limit` dev cases through the engine benchmark, as the routing
benchmark asks them (`eval.bench.routing.raw_rows`: after a pause, with and without the project
index; their rows are kept under `--raw` and a rerun resumes). Each case in each configuration
where no neighbour's statement is served (where one is, no model's answer would be: the
confidence is 1 by rule) is an example: the features of `logsmith.engines.routing.features` of the local model's answer,
labelled by whether the stronger model's answer helps there (acceptable where the local one is
not). The weights come from the same L2-regularised logistic regression as the ranker's
(`eval.fit.variables.fit`), of the probability that it does *not* help (the confidence).
Leave-one-project-out over the dev projects picks which summary of the tokens' log-probabilities
the model reads (the lowest, the 10th or 25th percentile, the mean, the sum, or none) by the area
under the ROC curve of the left-out projects' confidences; that area, and the share of the
all-escalated gain the left-out confidences keep at 20 % escalated, are the scores the file
records. The file also keeps the dev confidences' percentiles 0 to 100, apart for the examples
with neighbours found and those without, so any share of sites to escalate maps to a threshold in
either.

    python -m eval.fit.routing                   # 160 dev cases: about 35 min on 2 cores
    python -m eval.fit.routing --dry-run
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval.bench import routing as bench
from eval.fit import common
from eval.fit.variables import fit
from logsmith.engines import routing
from logsmith.planning import fitted
from logsmith.planning.fitted import RoutingWeights

PROG = "eval.fit.routing"
SPLIT = "dev"
DEFAULT_LIMIT = 160
L2 = 2.0
LOGPROB_SUMMARIES = ("logprob_min", "logprob_p10", "logprob_p25", "logprob_mean", "logprob_sum")
TARGET = routing.DEFAULT_TARGET_RATE
WHAT = ("the probability that the stronger model's answer at a site would not be better than the "
        "local model's (acceptable where the local one is not), from the local answer's tokens' "
        "log-probabilities and the site; and the percentiles of that confidence on the dev sites")


def helps(pair: bench.Pair) -> bool:
    """Whether escalating the site helps: the stronger model's answer is acceptable where the local
    one is not."""
    return pair.expensive["acceptable"] > pair.cheap["acceptable"]


def examples(found: list[bench.Pair], summary: str | None) -> list[dict]:
    """One row per pair, in the form `eval.fit.variables.fit` reads (one candidate a row): the
    features with only `summary` of the log-probability summaries, labelled by whether the local
    answer stands (escalating does not help)."""
    dropped = set(LOGPROB_SUMMARIES) - {summary}
    return [{"project": pair.project,
             "candidates": [{"features": {name: value for name, value in routing.features(pair.evidence).items()
                                          if name not in dropped},
                             "label": not helps(pair)}]}
            for pair in found]


def auc(scores: list[float], positives: list[bool]) -> float:
    """The area under the ROC curve of `scores` ranking the positives first (ties count half)."""
    ranked = sorted(zip(scores, positives), key=lambda item: -item[0])
    pos = sum(positives)
    neg = len(positives) - pos
    if not pos or not neg:
        return 0.5
    seen_neg = above = 0.0
    index = 0
    while index < len(ranked):
        tied = [p for s, p in ranked if s == ranked[index][0]]
        tied_pos = sum(tied)
        tied_neg = len(tied) - tied_pos
        above += tied_pos * (neg - seen_neg - tied_neg / 2)
        seen_neg += tied_neg
        index += len(tied)
    return above / (pos * neg)


def gain_kept(found: list[bench.Pair], confidences: list[float], share: float = TARGET) -> float | None:
    """The share of the all-escalated gain in acceptable rate kept by escalating the `share` least
    confident pairs."""
    every = sum(p.expensive["acceptable"] - p.cheap["acceptable"] for p in found)
    if every <= 0:
        return None
    order = sorted(range(len(found)), key=lambda i: (confidences[i], i))[:round(share * len(found))]
    return sum(found[i].expensive["acceptable"] - found[i].cheap["acceptable"] for i in order) / every


def leave_one_project_out(found: list[bench.Pair], summary: str | None) -> list[float]:
    """Each pair's confidence from weights fitted without its project."""
    rows = examples(found, summary)
    confidences = [0.0] * len(found)
    for project in sorted({pair.project for pair in found}):
        weights = fit([row for row in rows if row["project"] != project], l2=L2)
        for i, pair in enumerate(found):
            if pair.project == project:
                confidences[i] = routing.confidence(pair.evidence, weights)
    return confidences


def percentiles(values: list[float]) -> tuple[float, ...]:
    """The 0th to 100th percentiles of `values` (linear between ranks), rounded."""
    return tuple(round(routing.quantile(values, p / 100), 4) for p in range(101))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {PROG}", description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                        help="the first N dev cases of the benchmark's order (default %(default)s)")
    parser.add_argument("--cheap-model", default=bench.CHEAP_MODEL)
    parser.add_argument("--expensive-model", default=bench.EXPENSIVE_MODEL)
    parser.add_argument("--raw", type=Path, default=bench.engine.REPORTS_DIR / common.today() / "routing" / "raw",
                        help="where both models' benchmark rows are kept (default %(default)s)")
    common.add_output_arguments(parser, fitted.ROUTING_FILE)
    args = parser.parse_args(argv)
    common.check_splits((SPLIT,))

    cheap = bench.raw_rows(args.cheap_model, SPLIT, args.limit, args.raw)
    expensive = bench.raw_rows(args.expensive_model, SPLIT, args.limit, args.raw)
    paired = [pair for config in bench.CONFIGS for pair in bench.pairs(cheap, expensive, config)]
    found = [pair for pair in paired if pair.evidence.neighbour_statement is None]
    projects = sorted({pair.project for pair in found})
    if len(projects) < 2:
        print(f"{len(found)} examples: too few projects to leave one out", file=sys.stderr)
        return 1
    positives = sum(helps(pair) for pair in found)
    print(f"{len(found)} examples ({len(paired) - len(found)} of the {len(paired)} pairs of "
          f"{len({p.case for p in paired})} cases x {len(bench.CONFIGS)} configurations left out: a neighbour's "
          f"statement served; {len(projects)} projects); escalating helps at {positives}", file=sys.stderr)
    scores = {}
    for summary in (*LOGPROB_SUMMARIES, None):
        confidences = leave_one_project_out(found, summary)
        area = auc([-c for c in confidences], [helps(pair) for pair in found])
        scores[summary] = (area, gain_kept(found, confidences))
        kept = scores[summary][1]
        print(f"  {summary or 'no log-probabilities'}: leave-one-project-out AUC {area:.3f}, "
              f"gain kept at {TARGET:.0%}: {'-' if kept is None else f'{kept:.0%}'}", file=sys.stderr)
    best = max(scores, key=lambda summary: scores[summary][0])
    weights = fit(examples(found, best), l2=L2)
    routed = RoutingWeights(weights, {
        group: percentiles([routing.confidence(p.evidence, weights) for p in found
                            if routing.group_of(p.evidence) == group])
        for group in fitted.ROUTING_GROUPS})
    area, kept = scores[best]
    provenance = {
        "what": WHAT,
        "corpus": (f"the first {args.limit} {SPLIT} cases of eval/corpus/cases.jsonl in the benchmark's order, "
                   f"answered by {args.cheap_model} (local) and {args.expensive_model} (stronger) through "
                   f"`eval.bench.engine --warm-only`, with and without the project index: {len(found)} examples "
                   f"(the {len(paired)} pairs but those where a neighbour's statement is served), "
                   f"{len(projects)} projects, escalating helps at {positives}"),
        "command": common.command_line(PROG, argv),
        "date": common.today(),
        "models": {"local": args.cheap_model, "stronger": args.expensive_model},
        "logprob_summary": best or "none",
        "score": {
            "leave_one_project_out_auc": round(area, 3),
            "leave_one_project_out_gain_kept_at_20_percent": None if kept is None else round(kept, 3),
            **{f"auc_with_{summary or 'no_logprobs'}": round(value[0], 3) for summary, value in scores.items()},
        },
    }
    return common.finish(args.output, args.dry_run, provenance, fitted.routing_numbers(routed),
                         lambda path: fitted.save_routing_weights(routed, provenance, path))


if __name__ == "__main__":
    sys.exit(main())
