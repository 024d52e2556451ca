"""What changed between two runs of the languages' benchmark on the same cases: for each rows
file both folders hold and each engine both asked, the per-case difference of level, ROUGE-L and
acceptable (the newer run's minus the older's) with its 95 % paired bootstrap interval.

    python -m eval.report.languages_change OLD_FOLDER NEW_FOLDER [--engine logsmith]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval import metrics
from eval.report import languages as report

METRICS = ("level", "rouge_l", "acceptable")


def changes(old_rows: list[dict], new_rows: list[dict], engine: str) -> dict[str, dict]:
    """Per metric: the mean of the new run's score minus the old's on the cases both answered
    with `engine`, its interval and the number of cases."""
    old = {row["case"]["id"]: row["results"].get(engine) for row in old_rows}
    pairs = [
        (old[row["case"]["id"]]["score"], row["results"][engine]["score"])
        for row in new_rows
        if engine in row["results"] and old.get(row["case"]["id"]) is not None
    ]
    found = {}
    for metric in METRICS:
        differences = [float(new[metric]) - float(before[metric]) for before, new in pairs]
        if not differences:
            continue
        interval = metrics.paired_interval(differences)
        assert interval is not None
        found[metric] = {
            "before": sum(float(before[metric]) for before, _ in pairs) / len(pairs),
            "after": sum(float(new[metric]) for _, new in pairs) / len(pairs),
            "difference": sum(differences) / len(differences),
            "low": interval[0],
            "high": interval[1],
            "n": len(differences),
        }
    return found


def _shown(value: float, metric: str) -> str:
    return f"{100 * value:+.1f} pts" if metric != "rouge_l" else f"{value:+.3f}"


def lines_for(old_folder: Path, new_folder: Path, engines: list[str]) -> list[str]:
    """One Markdown line per rows file, engine and metric."""
    lines = []
    for new_path in sorted(new_folder.glob("*-cases.jsonl")):
        old_path = old_folder / new_path.name
        if not old_path.exists():
            continue
        old_rows, new_rows = report.load_rows(old_path), report.load_rows(new_path)
        for engine in engines:
            for metric, found in changes(old_rows, new_rows, engine).items():
                lines.append(
                    f"- {new_path.name.removesuffix('-cases.jsonl')}, {engine}, {metric}: "
                    f"{found['before']:.3f} -> {found['after']:.3f}, "
                    f"{_shown(found['difference'], metric)} ({_shown(found['low'], metric)} to "
                    f"{_shown(found['high'], metric)}), n = {found['n']}"
                )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--engine", action="append", default=None)
    args = parser.parse_args(argv)
    print("\n".join(lines_for(args.old, args.new, args.engine or ["logsmith", "template"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
