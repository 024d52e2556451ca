"""Two runs of the same benchmark over the same cases (the code before and after a change, say),
engine by engine: each metric in both runs, the paired difference on the cases both answered with
its 95 % bootstrap interval, and the latency percentiles of each.

    python -m eval.report.compare_runs BEFORE_DIR AFTER_DIR [--out report.md]

Each folder holds one `*-cases.jsonl` file of rows with `case.id` and `results[engine].score`
(the engine, language and adoption benchmarks write such rows)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval import metrics
from eval.report.rows import PAIRED_METRICS, difference, load_rows, paired

CHECKS = (("parses", "parses"), ("in_scope", "names in scope"), ("safe", "safe"))


def rows_of(folder: Path) -> dict[str, dict]:
    """The rows of the folder's one cases file, by case id."""
    found = sorted(folder.glob("*-cases.jsonl"))
    if len(found) != 1:
        raise SystemExit(f"{folder}: expected one *-cases.jsonl file, found {len(found)}")
    return {row["case"]["id"]: row for row in load_rows(found[0])}


def merged(before: dict[str, dict], after: dict[str, dict]) -> list[dict]:
    """One row per case both runs hold, its results named `engine@before` and `engine@after`."""
    rows = []
    for case_id in sorted(before.keys() & after.keys()):
        results = {}
        for name, run in (("before", before[case_id]), ("after", after[case_id])):
            for engine, result in run.get("results", {}).items():
                if "score" in result:
                    results[f"{engine}@{name}"] = result
        rows.append({"case": {"id": case_id}, "results": results})
    return rows


def _percentile(values: list[float], share: float) -> str:
    return "n/a" if not values else f"{metrics.percentile(values, share):.0f}"


def render(before_dir: Path, after_dir: Path) -> str:
    before, after = rows_of(before_dir), rows_of(after_dir)
    rows = merged(before, after)
    engines = sorted({key.split("@")[0] for row in rows for key in row["results"]})
    lines = [f"# {after_dir} against {before_dir}", "",
             f"{len(rows)} cases in both runs ({len(before)} before, {len(after)} after). Each cell: "
             "before -> after, then the paired difference (after minus before) and its 95 % "
             "bootstrap interval.", ""]
    header = ["engine", "n"] + [label for _, label, _ in PAIRED_METRICS]
    header += [label for _, label in CHECKS] + ["p50 / p95 ms"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for engine in engines:
        found = paired(rows, f"{engine}@after", f"{engine}@before")
        if found is None:
            continue
        cells = [engine, str(found["n"])]
        for key, _, in_points in PAIRED_METRICS:
            entry = found[key]
            scale, unit = (100, " %") if in_points else (1, "")
            digits = 1 if in_points else 3
            cells.append(f"{scale * entry['without']:.{digits}f}{unit} -> "
                         f"{scale * entry['with']:.{digits}f}{unit}, "
                         f"{difference(entry, in_points)}")
        both = [row for row in rows if f"{engine}@after" in row["results"]
                and f"{engine}@before" in row["results"]]
        for key, _ in CHECKS:
            shares = []
            for name in ("before", "after"):
                values = [bool(row["results"][f"{engine}@{name}"]["score"][key]) for row in both]
                shares.append(f"{100 * sum(values) / len(values):.0f} %")
            cells.append(" -> ".join(shares))
        latencies = []
        for name in ("before", "after"):
            values = [float(row["results"][f"{engine}@{name}"]["latency_ms"]) for row in both
                      if row["results"][f"{engine}@{name}"].get("latency_ms") is not None]
            latencies.append(f"{_percentile(values, 50)} / {_percentile(values, 95)}")
        cells.append(" -> ".join(latencies))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.report.compare_runs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown here too")
    args = parser.parse_args(argv)
    text = render(args.before, args.after)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
