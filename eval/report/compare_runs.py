"""Two runs of a benchmark over the same cases (the code before and after a change, say), engine
by engine: each metric in both runs, the paired difference (after minus before) on the cases both
answered with its 95 % bootstrap interval, and the latency percentiles of each.

    python -m eval.report.compare_runs BEFORE_DIR AFTER_DIR [--engine E] [--out report.md]

Each folder holds `*-cases.jsonl` files of rows with `case.id` and `results[engine].score` (the
engine, adoption and languages benchmarks write such rows); files of the same name are compared
(the languages' benchmark writes one per language and split: then each file has its rows)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval import metrics
from eval.report.rows import load_rows

METRICS = (
    ("level", ("level_lenient", "level"), True),
    ("var F1", ("variable_f1",), False),
    ("ROUGE-L", ("rouge_l",), False),
    ("acceptable", ("acceptable",), True),
)
"""(label, score keys (the first a row holds is read), whether it is a share shown in points).
Python's rows score the level leniently (exception counted as error), the languages' plainly."""
CHECKS = (("parses", ("parses",)), ("names in scope", ("in_scope",)), ("safe", ("safe", "valid")))
"""Shares shown before -> after, without an interval (they are 100 % or nearly)."""


def _value(score: dict, keys: tuple[str, ...]) -> float | None:
    for key in keys:
        if score.get(key) is not None:
            return float(score[key])
    return None


def shared_files(before: Path, after: Path) -> list[str]:
    """The names of the rows files both folders hold."""
    return sorted(path.name for path in after.glob("*-cases.jsonl") if (before / path.name).exists())


def pairs(before: Path, after: Path, engine: str, names: list[str] | None = None
          ) -> list[tuple[dict, dict]]:
    """(before, after) results of `engine` for each case both folders' files of the same name hold
    (only the files `names` when given)."""
    found = []
    for name in names if names is not None else shared_files(before, after):
        before_file, after_file = before / name, after / name
        old = {row["case"]["id"]: row.get("results", {}).get(engine) for row in load_rows(before_file)}
        for row in load_rows(after_file):
            new, previous = row.get("results", {}).get(engine), old.get(row["case"]["id"])
            if new and previous and "score" in new and "score" in previous:
                found.append((previous, new))
    return found


def compared(both: list[tuple[dict, dict]]) -> dict:
    """Per metric of METRICS: the mean before and after, the mean per-case difference and its 95 %
    interval; per check of CHECKS: its share before and after; the latency percentiles."""
    found: dict = {"n": len(both)}
    for label, keys, _ in METRICS:
        values = [(_value(b["score"], keys), _value(a["score"], keys)) for b, a in both]
        values = [(b, a) for b, a in values if b is not None and a is not None]
        if not values:
            continue
        differences = [a - b for b, a in values]
        found[label] = {"before": sum(b for b, _ in values) / len(values),
                        "after": sum(a for _, a in values) / len(values),
                        "difference": sum(differences) / len(differences),
                        "interval": metrics.paired_interval(differences)}
    for label, keys in CHECKS:
        shares = []
        for side in (0, 1):
            values = [_value(pair[side]["score"], keys) for pair in both]
            values = [v for v in values if v is not None]
            shares.append(sum(values) / len(values) if values else None)
        found[label] = shares
    for side, name in ((0, "before"), (1, "after")):
        latencies = [float(pair[side]["latency_ms"]) for pair in both
                     if pair[side].get("latency_ms") is not None]
        found[f"latency_{name}"] = (metrics.percentile(latencies, 50), metrics.percentile(latencies, 95))
    return found


def _number(value: float, in_points: bool) -> str:
    return f"{100 * value:.1f} %" if in_points else f"{value:.3f}"


def _signed(value: float, in_points: bool) -> str:
    return f"{100 * value:+.1f}" if in_points else f"{value:+.3f}"


def _cell(entry: dict, in_points: bool) -> str:
    text = (f"{_number(entry['before'], in_points)} -> {_number(entry['after'], in_points)}, "
            f"{_signed(entry['difference'], in_points)}{' pts' if in_points else ''}")
    if entry["interval"] is not None:
        low, high = entry["interval"]
        text += f" ({_signed(low, in_points)} to {_signed(high, in_points)})"
    return text


def _latency(pair: tuple[float | None, float | None]) -> str:
    return " / ".join("n/a" if v is None else f"{v:.0f}" for v in pair)


def engines_in(folder: Path) -> list[str]:
    return sorted({engine for path in folder.glob("*-cases.jsonl") for row in load_rows(path)
                   for engine in row.get("results", {})})


def render(before: Path, after: Path, engines: list[str] | None = None) -> str:
    lines = [f"# {after} against {before}", "",
             "Each cell: before -> after, then the paired difference (after minus before) and its "
             "95 % bootstrap interval, over the cases both runs answered with the engine.", ""]
    header = ["engine", "n"] + [label for label, _, _ in METRICS]
    header += [label for label, _ in CHECKS] + ["p50 / p95 ms"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    files = shared_files(before, after)
    groups = [(name.removesuffix("-cases.jsonl") + ", ", [name]) for name in files]
    for prefix, names in groups if len(files) > 1 else [("", files)]:
        for engine in engines or engines_in(after):
            both = pairs(before, after, engine, names)
            if both:
                lines.append(_row(prefix + engine, compared(both)))
    return "\n".join(lines) + "\n"


def _row(name: str, found: dict) -> str:
    """One table row: `name` (the engine, after its rows file when there are several), `found`."""
    cells = [name, str(found["n"])]
    cells += [_cell(found[label], points) if label in found else "n/a"
              for label, _, points in METRICS]
    cells += [" -> ".join("n/a" if v is None else f"{100 * v:.0f} %" for v in found[label])
              for label, _ in CHECKS]
    cells.append(f"{_latency(found['latency_before'])} -> {_latency(found['latency_after'])}")
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.report.compare_runs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--engine", action="append", default=None,
                        help="an engine to compare (repeat; default every engine of AFTER)")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown here too")
    args = parser.parse_args(argv)
    text = render(args.before, args.after, args.engine)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
