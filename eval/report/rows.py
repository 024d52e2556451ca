"""Per-case result rows (JSON Lines) and how their figures are written: shared by every report of
the benchmarks (the grouping for the breakdowns, the list of suggestions that are not safe, the
number formats)."""

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


def safe_share(entry: dict) -> str:
    """`99 % of 198`: the safe share of the suggestions an engine made, and how many it made."""
    if entry.get("safe") is None:
        return "n/a"
    return f"{share(entry['safe'])} of {entry['safe_n']}"


def unsafe(rows: list[dict], engines: tuple[str, ...]) -> dict:
    """Per engine of `engines`, its suggestions that are not safe: case, statement and why
    (`eval.metrics.safety_problem`)."""
    found = {}
    for engine in engines:
        listed = [{"case": row["case"]["id"], "statement": row["results"][engine]["statement"],
                   "problem": row["results"][engine]["score"].get("safety_problem")}
                  for row in rows if engine in row.get("results", {})
                  and row["results"][engine]["score"].get("safe") is False]
        if listed:
            found[engine] = listed
    return found


def unsafe_lines(found: dict, labels: dict[str, str], listed: tuple[str, ...]) -> list[str]:
    """Markdown for `unsafe(...)`: each suggestion of the engines in `listed` with its reason, the
    other engines' reasons counted."""
    lines = [("*safe*: the file compiles with the statement at the site, every name it reads is bound on every "
              "path to the site, and its placeholders fit its values (eval/README.md); the share counts the "
              "suggestions an engine made.")]
    for engine, label in labels.items():
        items = found.get(engine)
        if not items:
            continue
        lines += ["", f"{label}: {len(items)} not safe", ""]
        if engine in listed:
            lines += [f"- `{item['case']}`: `{(item['statement'] or '').replace(chr(10), ' ')}` ({item['problem']})"
                      for item in items]
            continue
        reasons: dict[str, int] = defaultdict(int)
        for item in items:
            reasons[(item["problem"] or "").split(":")[0]] += 1
        lines += [f"- {reason}: {count}" for reason, count in sorted(reasons.items(), key=lambda r: (-r[1], r[0]))]
    if not found:
        lines += ["", "Every suggestion of every engine is safe."]
    return lines
