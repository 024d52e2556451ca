"""Per-case result rows (JSON Lines) and how their figures are written: shared by every report in eval/."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from eval import metrics


def load_rows(path: Path) -> list[dict]:
    """The rows of a `*-cases.jsonl` file; a line that is not JSON is an error naming its place."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc})") from None
    return rows


def case_scores(results: list[dict]) -> list[metrics.CaseScore]:
    """The stored score of each result, back as CaseScore objects."""
    return [metrics.CaseScore(**result["score"]) for result in results]


def breakdown(rows: list[dict], engines: tuple[str, ...], key) -> dict:
    """The rows grouped by `key(row)`, largest group first: each group's size and, per engine of
    `engines` that answered in it, the summary of its scores (`eval.metrics.summarise`)."""
    groups = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    table = {}
    for name in sorted(groups, key=lambda name: (-len(groups[name]), name)):
        table[name] = {"n": len(groups[name])}
        for engine in engines:
            results = [row["results"][engine] for row in groups[name] if engine in row["results"]]
            if results:
                table[name][engine] = metrics.summarise(case_scores(results))
    return table


def share(value) -> str:
    return "n/a" if value is None else f"{100 * value:.0f} %"


def number(value, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def ms(value) -> str:
    return "n/a" if value is None else f"{value:,.0f}"
