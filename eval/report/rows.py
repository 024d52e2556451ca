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


SIZE_BINS = ("<100", "100-300", ">300")
"""Projects by how many log statements their index holds: fewer than 100, 100 to 300, more."""


def size_bin(statements: int | None) -> str:
    """The SIZE_BINS name of a project whose index holds `statements` log statements; `unknown`
    for a row asked without an index."""
    if statements is None:
        return "unknown"
    return "<100" if statements < 100 else "100-300" if statements <= 300 else ">300"


def size_order(name: str) -> int:
    """Sort key of a size bin: smallest projects first, `unknown` last."""
    return SIZE_BINS.index(name) if name in SIZE_BINS else len(SIZE_BINS)


PAIRED_METRICS = (
    ("level_lenient", "level (exception = error)", True),
    ("variable_f1", "var F1", False),
    ("rouge_l", "ROUGE-L", False),
    ("acceptable", "acceptable", True),
)
"""(score key, label, whether it is a share shown in points) of the paired comparisons."""


def paired(rows: list[dict], engine: str, other: str) -> dict | None:
    """`engine` against `other` on the cases where both answered: per metric of PAIRED_METRICS
    the mean of each, the mean of the per-case differences (`engine` minus `other`) and its 95 %
    bootstrap interval (`eval.metrics.paired_interval`); None when no case has both."""
    both = [row for row in rows if engine in row.get("results", {}) and other in row["results"]]
    if not both:
        return None
    found = {"n": len(both)}
    for key, _, _ in PAIRED_METRICS:
        mine = [float(row["results"][engine]["score"][key]) for row in both]
        theirs = [float(row["results"][other]["score"][key]) for row in both]
        differences = [a - b for a, b in zip(mine, theirs)]
        interval = metrics.paired_interval(differences)
        found[key] = {"with": sum(mine) / len(mine), "without": sum(theirs) / len(theirs),
                      "difference": sum(differences) / len(differences),
                      "interval": None if interval is None else list(interval)}
    return found


def difference(entry: dict | None, in_points: bool) -> str:
    """`+3 pts (-1 to +7)` or `+0.02 (-0.01 to +0.05)`: a paired difference and its interval."""
    if entry is None:
        return "n/a"
    low, high = entry["interval"] or (None, None)
    if in_points:
        text = f"{100 * entry['difference']:+.1f} pts"
        return text + (f" ({100 * low:+.1f} to {100 * high:+.1f})" if low is not None else "")
    text = f"{entry['difference']:+.3f}"
    return text + (f" ({low:+.3f} to {high:+.3f})" if low is not None else "")


def source_shares(results: list[dict]) -> dict:
    """Who wrote the top suggestions: the share by the model (a model id), by the adapted statement
    of a neighbouring site (`neighbour`); the rest are the template's or no answer."""
    sources = [r.get("source") for r in results]
    if not sources:
        return {"model_share": None, "neighbour_share": None}
    return {"model_share": sum(s not in (None, "template", "neighbour") for s in sources) / len(sources),
            "neighbour_share": sum(s == "neighbour" for s in sources) / len(sources)}


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
