"""Retrieval benchmark: how good the project index's neighbours are, apart from what is made of
them.

For each case (the developer's statement masked, its project the workspace, leave-one-out as in
the engine benchmark: `bench/workspace.py`), the index is asked for the site's neighbours as the
plan asks (`logsmith.planning.neighbours.neighbours_of`, the shipped numbers), and the neighbours
are compared with the developer's statement:

- level: the first neighbour has the developer's level; the most common level of the neighbours
  does; any of them does;
- values: the first neighbour logs one of the developer's values (the same text); any does;
- words: the first neighbour's message shares a word with the developer's message; the ROUGE-L of
  the first neighbour's message against it (what adapting it could reach at best, before its
  values are bound again);
- where: the share of first neighbours from the same function, and of sites with no neighbour.

    .venv/bin/python -m eval.bench.retrieval --split heldout      # all cases of the split
    .venv/bin/python -m eval.bench.retrieval --split dev --limit 300

Writes eval/reports/<date>/retrieval-<split>.md and .json. No model is used: a few minutes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import Counter
from pathlib import Path

from eval import metrics
from eval.bench import machine
from eval.bench.engine import ordered_cases
from eval.bench.workspace import Indexes
from eval.corpus import build as corpus

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"
MEASURES = {
    "first_level": "the first neighbour has the developer's level",
    "majority_level": "the neighbours' most common level is the developer's",
    "any_level": "some neighbour has the developer's level",
    "first_value": "the first neighbour logs one of the developer's values",
    "any_value": "some neighbour logs one of the developer's values",
    "first_word": "the first neighbour's message shares a word with the developer's",
    "first_rouge_l": "ROUGE-L of the first neighbour's message against the developer's (mean)",
    "same_function": "the first neighbour is in the same function",
    "no_neighbour": "the index had no neighbour for the site",
}


def measure_case(case: corpus.LogCase, indexes: Indexes) -> dict:
    """The measures of one case (0/1 or a number), or the case's error."""
    from logsmith.planning.neighbours import neighbours_of
    from logsmith.syntax.document import ParsedDocument
    from logsmith.syntax.site import site_at

    path, source = corpus.case_source(case)
    masked = corpus.mask(source, case)
    built = indexes.for_case(case)
    document = ParsedDocument(masked.source)
    site = site_at(document, masked.line, masked.character)
    found = neighbours_of(built.index, site, document, str(path))
    row = {"case": case.id, "project": case.project, "statements": built.index.counts.statements}
    if not found:
        return {**row, "no_neighbour": 1}
    expected = metrics.parse_statement(masked.expected)
    level = metrics.normalise_level(case.level)
    levels = [n.statement.level for n in found]
    first = found[0].statement
    words = set(expected.message)
    first_words = metrics.parse_statement(first.text).message
    return {
        **row,
        "no_neighbour": 0,
        "first_level": int(levels[0] == level),
        "majority_level": int(Counter(levels).most_common(1)[0][0] == level),
        "any_level": int(level in levels),
        "first_value": int(bool(set(expected.variables) & set(first.values))),
        "any_value": int(any(set(expected.variables) & set(n.statement.values) for n in found)),
        "first_word": int(bool(words & set(first_words))),
        "first_rouge_l": metrics.rouge_l(first_words, expected.message),
        "same_function": int("same function" in found[0].why),
        "first": first.text,
    }


def summarise(rows: list[dict]) -> dict:
    with_neighbours = [r for r in rows if not r.get("no_neighbour")]
    summary = {"cases": len(rows), "with_neighbours": len(with_neighbours)}
    for key in MEASURES:
        pool = rows if key == "no_neighbour" else with_neighbours
        values = [r[key] for r in pool if key in r]
        summary[key] = sum(values) / len(values) if values else None
    return summary


def markdown(split: str, summary: dict, by_project: dict, described: dict) -> str:
    lines = [f"# Retrieval: the project index's neighbours, {split} split", "",
             f"{summary['cases']} cases ({summary['with_neighbours']} with a neighbour), each with its "
             "project as the workspace and its own statement masked (leave-one-out); the neighbours "
             "as the plan asks for them. Machine: "
             f"{described.get('nproc')} CPUs ({described.get('cpu_model')}).", "",
             "| measure | all | " + " | ".join(by_project) + " |",
             "|---|---:|" + "---:|" * len(by_project)]
    for key, label in MEASURES.items():
        cells = [summary.get(key)] + [by_project[p].get(key) for p in by_project]
        shown = [("-" if v is None else (f"{v:.2f}" if key == "first_rouge_l" else f"{100 * v:.0f} %"))
                 for v in cells]
        lines.append(f"| {label} | " + " | ".join(shown) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.retrieval", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=corpus.BENCHMARK_SPLITS, default="dev")
    parser.add_argument("--limit", type=int, default=None, help="first N cases of the split's fixed order")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default eval/reports/<date>)")
    args = parser.parse_args(argv)
    cases = ordered_cases(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), args.split))
    if args.limit is not None:
        cases = cases[: args.limit]
    indexes, rows = Indexes(), []
    for number, case in enumerate(cases, 1):
        try:
            rows.append(measure_case(case, indexes))
        except corpus.CorpusError as exc:
            print(f"skipping {case.id}: {exc}", file=sys.stderr)
        if number % 50 == 0:
            print(f"[{number}/{len(cases)}]", file=sys.stderr)
    summary = summarise(rows)
    by_project = {p: summarise([r for r in rows if r["project"] == p]) for p in sorted({r["project"] for r in rows})}
    described = machine.describe()
    out = args.out or REPORTS_DIR / datetime.date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    stem = f"retrieval-{args.split}"
    (out / f"{stem}.json").write_text(json.dumps({"split": args.split, "summary": summary, "by_project": by_project,
                                                  "machine": described, "rows": rows}, indent=1) + "\n",
                                      encoding="utf-8")
    text = markdown(args.split, summary, by_project, described)
    (out / f"{stem}.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
