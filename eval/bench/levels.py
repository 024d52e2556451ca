"""The level logsmith chooses for Python, model-free, on one split: with the project index, without
it, and the level of the first statement offered (the template with the index).

Each case is read at its masked site with its whole project as the workspace (one `ProjectIndex`
per project, the masked file standing for itself), and the product's own plan (`make_plan`) gives
the level, with the neighbours `neighbours_of` finds and with none; the first statement is the one
`eval.fit.project_habits.first_statement` writes (an adapted neighbour or the template). The level
does not depend on the model. `--output` keeps the per-case levels; `--against` reads another
run's and prints the paired 95 % bootstrap interval of each difference.

    python -m eval.bench.levels --split heldout --output /tmp/levels-new.json
    python -m eval.bench.levels --split heldout --against /tmp/levels-old.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from eval import metrics
from eval.bench import workspace
from eval.corpus import build as corpus

MEASURES = ("with_index", "without_index", "first_answer")


def case_levels(split: str, limit: int | None = None) -> list[dict]:
    """Per case of `split` (by project, then position): its id, the developer's level and the
    levels of `MEASURES`."""
    from eval.corpus.reading import read_case
    from eval.fit.project_habits import first_statement
    from logsmith.planning.neighbours import HABITS, neighbours_of
    from logsmith.planning.plan import make_plan

    cases = sorted(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), split),
                   key=lambda c: (c.project, c.file, c.line))[:limit]
    found, indexes = [], workspace.Indexes()
    for case in cases:
        index = indexes.for_case(case).index
        reading = read_case(case)
        site = reading.site
        neighbours = neighbours_of(index, site, reading.document, str(reading.path))
        first = first_statement(reading, index, HABITS)
        found.append({
            "case": f"{case.project}:{case.file}:{case.line}",
            "expected": metrics.parse_statement(reading.masked.expected).level,
            "with_index": make_plan(site, reading.facts, reading.style, neighbours).level,
            "without_index": make_plan(site, reading.facts, reading.style).level,
            "first_answer": metrics.parse_statement(first).level if first else None,
        })
    return found


def right(row: dict, measure: str, strict: bool) -> float:
    return float(metrics.level_match(row[measure], row["expected"], strict=strict))


def gain(differences: list[float]) -> dict:
    low, high = metrics.paired_interval(differences) or (0.0, 0.0)
    return {"cases": len(differences), "mean": round(sum(differences) / len(differences), 4),
            "interval_95": [round(low, 4), round(high, 4)]}


def report(rows: list[dict], against: list[dict] | None) -> dict:
    """Accuracy of each measure, exact and with exception counted as error ("lenient"), the gain
    with the index over without and, with `against` (another run on the same cases), the paired
    difference of each measure."""
    summary: dict[str, object] = {"cases": len(rows)}
    before = {row["case"]: row for row in against or ()}
    for strict, name in ((True, "exact"), (False, "lenient")):
        found: dict[str, object] = {}
        for measure in MEASURES:
            found[measure] = round(sum(right(row, measure, strict) for row in rows) / len(rows), 4)
            if against is not None:
                found[f"{measure}_gain"] = gain([
                    right(row, measure, strict) - right(before[row["case"]], measure, strict)
                    for row in rows if row["case"] in before])
        found["index_gain"] = gain([right(row, "with_index", strict)
                                    - right(row, "without_index", strict) for row in rows])
        summary[name] = found
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.levels",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=("dev", "train", "heldout"))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--output", type=Path, help="write the per-case levels here")
    parser.add_argument("--rows", type=Path, help="read the per-case levels from here")
    parser.add_argument("--against", type=Path, help="another run's per-case levels")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.rows:
        rows = json.loads(args.rows.read_text(encoding="utf-8"))
    else:
        rows = case_levels(args.split, args.limit)
    if args.output:
        args.output.write_text(json.dumps(rows), encoding="utf-8")
    against = json.loads(args.against.read_text(encoding="utf-8")) if args.against else None
    summary = report(rows, against)
    summary["seconds"] = round(time.perf_counter() - started)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
