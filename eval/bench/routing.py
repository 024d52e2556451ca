"""Routing benchmark: the local model's answers, with the sites it is least sure of sent to a
stronger model, against the same share sent at random.

Both models answer every case through the engine benchmark (`eval.bench.engine --warm-only`: after
a pause, with and without the project index, a 10 s budget so that quality, not the deadline,
decides; their rows are kept under `<out>/routing/raw/<model>-<split>/` and a rerun resumes). For
each case the routing confidence (`logsmith.engines.routing`, the numbers of
`planning/data/routing.json`) is computed from the local answer's evidence the row recorded. At
each share of sites escalated (0, 10, 20, 30, 100 %) the report gives the quality (acceptable,
level, variable F1, ROUGE-L) when the least confident sites take the stronger model's answer, the
same when as many sites are drawn at random (the mean of 1,000 draws), the 95 % paired bootstrap
interval of "by the score minus at random", and what the stronger model costs (prompt and written
tokens, seconds) per acceptable statement served. It also gives the share the dev-calibrated
threshold escalates here.

    python -m eval.bench.routing --split heldout --limit 160
    python -m eval.bench.routing --expensive-model http://127.0.0.1:8080   # a remote model

`--expensive-model` is a registry name, a GGUF path or a server's URL: whatever the `model`
setting takes, asked through the same engine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from eval import metrics
from eval.bench import engine, machine
from eval.corpus import build as corpus
from eval.report.rows import load_rows
from logsmith.engines import routing
from logsmith.planning.fitted import RoutingWeights

CHEAP_MODEL = "gemma-3-270m"
EXPENSIVE_MODEL = "qwen2.5-coder-1.5b"
CONFIGS = {
    "logsmith_warm_index": "after a pause, with the project index (logsmith's default)",
    "logsmith_warm": "after a pause, without the project index",
}
SHARES = (0.0, 0.1, 0.2, 0.3, 1.0)
RANDOM_DRAWS = 1000
BUDGET_MS = 10_000
"""The engine benchmark's budget for both models: long enough that each answers every site."""
QUALITY = ("acceptable", "level", "variable_f1", "rouge_l")


@dataclass(frozen=True)
class Pair:
    """One case in one configuration: the local answer's evidence and both models' scores."""

    case: str
    project: str
    config: str
    evidence: routing.Evidence
    cheap: dict[str, float]
    expensive: dict[str, float]
    expensive_tokens: int
    """What the stronger model read and wrote at the site (the whole prompt, as a remote model
    reads it, and the answer)."""
    expensive_seconds: float | None
    """Reading the site's prompt and answering; None in rows recorded before that was timed."""


def model_slug(model: str) -> str:
    """A folder name for a model setting (a registry name, a path or a URL)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model.rsplit("/", 1)[-1] if "://" not in model else model)


def raw_rows(model: str, split: str, limit: int | None, raw: Path) -> list[dict]:
    """The engine benchmark's rows of `model` on the first `limit` cases of `split`, run (or
    resumed) into `raw/<model>-<split>/` first."""
    folder = raw / f"{model_slug(model)}-{split}"
    argv = ["--split", split, "--warm-only", "--no-baseline", "--no-unconstrained",
            "--budget-ms", str(BUDGET_MS), "--model", model, "--out", str(folder)]
    if limit is not None:
        argv += ["--limit", str(limit)]
    code = engine.main(argv)
    if code:
        raise SystemExit(f"the engine benchmark with {model} failed (exit {code})")
    cases = engine.ordered_cases(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), split))
    wanted = {case.id for case in cases[:limit]}
    rows = load_rows(folder / f"{engine.report_stem(split, 'blank')}-cases.jsonl")
    return [row for row in rows if row["case"]["id"] in wanted]


def quality(result: dict) -> dict[str, float]:
    score = result["score"]
    return {"acceptable": float(score["acceptable"]), "level": float(score["level_lenient"]),
            "variable_f1": float(score["variable_f1"]), "rouge_l": float(score["rouge_l"])}


def pairs(cheap_rows: list[dict], expensive_rows: list[dict], config: str) -> list[Pair]:
    """The cases both models answered in `config`, in the cheap rows' order."""
    expensive_by_case = {row["case"]["id"]: row for row in expensive_rows}
    found = []
    for row in cheap_rows:
        other = expensive_by_case.get(row["case"]["id"])
        if other is None or config not in row["results"] or config not in other["results"]:
            continue
        local, strong = row["results"][config], other["results"][config]
        if local.get("error") or strong.get("error") or "routing" not in local:
            continue
        answer = strong.get("model") or {}
        evidence = local["routing"]
        found.append(Pair(
            case=row["case"]["id"], project=row["case"]["project"], config=config,
            evidence=routing.Evidence(**{**evidence, "token_logprobs": tuple(evidence["token_logprobs"])}),
            cheap=quality(local), expensive=quality(strong),
            expensive_tokens=int(answer.get("prompt_tokens", 0)) + int(answer.get("tokens", 0)),
            expensive_seconds=(other["warm_up_s"] + answer.get("seconds", 0.0)) if "warm_up_s" in other else None,
        ))
    return found


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def served(found: list[Pair], escalated: set[int]) -> dict[str, float]:
    """Mean quality when the cases at `escalated` (indexes) take the stronger model's answer."""
    return {name: mean([(p.expensive if i in escalated else p.cheap)[name] for i, p in enumerate(found)])
            for name in QUALITY}


def share_row(found: list[Pair], confidences: list[float], share: float, seed: int = 0) -> dict:
    """Quality at one share escalated by the score and at random, the paired interval of their
    difference per metric, and the stronger model's cost."""
    count = len(found)
    k = round(share * count)
    order = sorted(range(count), key=lambda i: (confidences[i], i))
    chosen = set(order[:k])
    draw = random.Random(f"routing:{seed}:{share}")
    draws = [served(found, set(draw.sample(range(count), k))) for _ in range(RANDOM_DRAWS)]
    at_random = {name: mean([d[name] for d in draws]) for name in QUALITY}
    intervals = {}
    for name in QUALITY:
        gains = [p.expensive[name] - p.cheap[name] for p in found]
        # by the score minus at random, per case: its gain if chosen, less the share of its gain
        # a random choice of k cases gives it on average
        differences = [(g if i in chosen else 0.0) - g * k / count for i, g in enumerate(gains)]
        interval = metrics.paired_interval(differences)
        intervals[name] = {"difference": mean(differences), "low": interval[0], "high": interval[1]} \
            if interval else None
    by_score = served(found, chosen)
    tokens = sum(found[i].expensive_tokens for i in chosen)
    timed = [found[i].expensive_seconds for i in chosen]
    seconds = sum(s for s in timed if s is not None) if all(s is not None for s in timed) else None
    acceptable = by_score["acceptable"] * count
    gained = acceptable - sum(p.cheap["acceptable"] for p in found)
    return {"share": share, "escalated": k, "by_score": by_score, "at_random": at_random,
            "score_minus_random": intervals, "expensive_tokens": tokens, "expensive_seconds": seconds,
            "tokens_per_acceptable": tokens / acceptable if acceptable else None,
            "seconds_per_acceptable": seconds / acceptable if acceptable and seconds is not None else None,
            "acceptable_gained": gained,
            "tokens_per_gained": tokens / gained if gained > 0 else None,
            "seconds_per_gained": seconds / gained if gained > 0 and seconds is not None else None}


def summarise(found: list[Pair], fitted: RoutingWeights, target: float = routing.DEFAULT_TARGET_RATE) -> dict:
    """Every share's row for one configuration, the share of the all-escalated gain kept at the
    target, and the share the dev threshold for the target escalates here."""
    confidences = [routing.confidence(p.evidence, fitted.weights) for p in found]
    rows = [share_row(found, confidences, share) for share in SHARES]
    by_share = {row["share"]: row for row in rows}
    none, every = by_share[0.0]["by_score"]["acceptable"], by_share[1.0]["by_score"]["acceptable"]
    at_target = by_share.get(target)
    thresholds = [routing.threshold_for(target, fitted, routing.group_of(p.evidence)) for p in found]
    model_served = [i for i, p in enumerate(found) if p.evidence.neighbour_statement is None]
    return {
        "cases": len(found),
        "projects": sorted({p.project for p in found}),
        "shares": rows,
        "gain_kept_at_target": ((at_target["by_score"]["acceptable"] - none) / (every - none)
                                if at_target and every != none else None),
        "random_gain_kept_at_target": ((at_target["at_random"]["acceptable"] - none) / (every - none)
                                       if at_target and every != none else None),
        "dev_thresholds": sorted(set(thresholds)),
        "dev_threshold_share": mean([float(c < t) for c, t in zip(confidences, thresholds)]),
        "model_served": len(model_served),
        "dev_threshold_share_of_model_served": (
            mean([float(confidences[i] < thresholds[i]) for i in model_served]) if model_served else None),
        "local_acceptable_where_escalated_at_target": (
            mean([found[i].cheap["acceptable"] for i in sorted(range(len(found)), key=lambda i: confidences[i])
                  [:round(target * len(found))]])),
    }


def percent(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f} %"


def points(interval: dict | None, scale: float = 100.0, digits: int = 1) -> str:
    if interval is None:
        return "-"
    return (f"{interval['difference'] * scale:+.{digits}f} ({interval['low'] * scale:+.{digits}f} to "
            f"{interval['high'] * scale:+.{digits}f})")


def markdown(report: dict) -> str:
    run = report["run"]
    lines = [f"# Routing: {run['cheap_model']} answers, {run['expensive_model']} where it is least sure",
             "",
             f"Split `{run['split']}`, {run['limit']} cases asked of each model (the engine benchmark's order), "
             f"{run['date']}; both models after a pause with a {BUDGET_MS / 1000:.0f} s budget; the confidence "
             f"of `planning/data/routing.json` (fitted on the dev split: {run['fitted_on']}). Machine: "
             f"{run['machine'].get('nproc')} CPUs, 1-minute load median {run['load_median']}.",
             ""]
    for config, summary in report["configs"].items():
        lines += [f"## {CONFIGS[config]} ({summary['cases']} cases)", "",
                  "| escalated | acceptable: score / random | level: score / random | variable F1: score / random "
                  "| ROUGE-L: score / random | acceptable, score minus random (95 %) | ROUGE-L, score minus "
                  "random (95 %) | remote tokens / s per acceptable | per acceptable gained |",
                  "|---:|---|---|---|---|---|---|---|---|"]
        for row in summary["shares"]:
            s, r = row["by_score"], row["at_random"]
            cost = ("-" if row["tokens_per_acceptable"] is None else
                    f"{row['tokens_per_acceptable']:,.0f} / "
                    + ("-" if row["seconds_per_acceptable"] is None else f"{row['seconds_per_acceptable']:.2f} s"))
            gained = ("-" if row["tokens_per_gained"] is None else
                      f"{row['tokens_per_gained']:,.0f} / "
                      + ("-" if row["seconds_per_gained"] is None else f"{row['seconds_per_gained']:.1f} s"))
            lines.append(
                f"| {row['share'] * 100:.0f} % ({row['escalated']}) | {percent(s['acceptable'])} / "
                f"{percent(r['acceptable'])} | {percent(s['level'])} / {percent(r['level'])} | "
                f"{s['variable_f1']:.3f} / {r['variable_f1']:.3f} | {s['rouge_l']:.3f} / {r['rouge_l']:.3f} | "
                f"{points(row['score_minus_random']['acceptable'])} pts | "
                f"{points(row['score_minus_random']['rouge_l'], 1.0, 3)} | {cost} | {gained} |")
        lines += ["",
                  f"At 20 % escalated the score keeps {percent(summary['gain_kept_at_target'], 0)} of the "
                  f"all-escalated gain in acceptable rate (random: {percent(summary['random_gain_kept_at_target'], 0)}); "
                  f"the local answer was acceptable at {percent(summary['local_acceptable_where_escalated_at_target'], 0)} "
                  f"of the sites it escalates. The thresholds calibrated on dev for 20 % "
                  f"({', '.join(f'{t:.3f}' for t in summary['dev_thresholds'])}) escalate "
                  f"{percent(summary['dev_threshold_share'])} of the sites here, "
                  f"{percent(summary['dev_threshold_share_of_model_served'])} of the {summary['model_served']} "
                  f"where no neighbour's statement is served.",
                  ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.routing", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout"), default="heldout")
    parser.add_argument("--limit", type=int, default=160, help="first N cases of the split's order")
    parser.add_argument("--cheap-model", default=CHEAP_MODEL, help="the local model (default %(default)s)")
    parser.add_argument("--expensive-model", default=EXPENSIVE_MODEL,
                        help="registry name, GGUF path or URL of the stronger model (default %(default)s)")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default eval/reports/<date>)")
    args = parser.parse_args(argv)

    from logsmith.planning import fitted as shipped

    out = args.out or engine.REPORTS_DIR / datetime.date.today().isoformat()
    raw = out / "routing" / "raw"
    cheap = raw_rows(args.cheap_model, args.split, args.limit, raw)
    expensive = raw_rows(args.expensive_model, args.split, args.limit, raw)
    weights = shipped.routing_weights()
    data = shipped.read(shipped.ROUTING_FILE)
    loads = sorted(row["load_average"][0] for row in cheap + expensive if row.get("load_average"))
    report = {
        "run": {"split": args.split, "limit": args.limit, "cheap_model": args.cheap_model,
                "expensive_model": args.expensive_model, "date": datetime.date.today().isoformat(),
                "fitted_on": data["provenance"].get("corpus", ""), "machine": machine.describe(),
                "load_median": loads[len(loads) // 2] if loads else None},
        "configs": {config: summarise(pairs(cheap, expensive, config), weights) for config in CONFIGS},
    }
    stem = "routing" if args.split == "heldout" else f"routing-{args.split}"
    (out / f"{stem}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (out / f"{stem}.md").write_text(markdown(report) + "\n", encoding="utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
