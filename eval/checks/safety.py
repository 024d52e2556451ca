"""Adds the "safe" metric to rows stored before it existed: engine benchmark rows
(`engine*-cases.jsonl`) or adoption benchmark rows (`suite-cases.jsonl`).

Each row's case is read again from the corpus and masked as the benchmark masked it (the
developer's statement must come back the same, or the row is refused); every result's statement is
then checked with `eval.metrics.safety_problem`, with the names its additional edits bind counted
as bound as the benchmark counts them (for the adoption report's inline answers: the template
answer's edits). The other scores are left as they were stored. The new rows go to `--out`;
recompute the report from them with `eval.report.engine` or `eval.report.files`.

    python -m eval.checks.safety eval/reports/<date>/engine-heldout-cases.jsonl --out safe.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval import metrics
from eval.checks import scope
from eval.corpus import build as corpus
from eval.report.rows import load_rows


def add_safety(rows: list[dict], cases: dict[str, corpus.LogCase] | None = None) -> list[dict]:
    """The rows with `safe` and `safety_problem` in every result's score (changed in place)."""
    cases = cases if cases is not None else {case.id: case for case in corpus.load_cases()}
    for row in rows:
        case = cases.get(row["case"]["id"])
        if case is None:
            raise corpus.CorpusError(f"{row['case']['id']}: not in the corpus")
        _, source = corpus.case_source(case)
        typed = (row.get("run") or {}).get("variant") == "typed"
        masked = corpus.mask_typed(source, case) if typed else corpus.mask(source, case)
        if masked.expected != row["expected"]:
            raise corpus.CorpusError(f"{case.id}: the corpus no longer gives the statement this row expected")
        results = row["results"]
        setup = (results.get("template") or {}).get("additional_edits") or []
        for engine, result in results.items():
            texts = list(result.get("additional_edits") or [])
            # an inline item's setup edits come on acceptance (eval.bench.adoption)
            if engine == "logsmith_inline":
                texts += list(setup)
            statement = result.get("statement")
            problem = metrics.safety_problem(masked.source, masked.line, statement,
                                             frozenset(scope.names_setup_binds(masked.source, texts)))
            suggested = bool(statement and statement.strip())
            result["score"]["safe"] = (problem is None) if suggested else None
            result["score"]["safety_problem"] = problem if suggested else None
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.checks.safety",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=Path, help="an engine*-cases.jsonl or suite-cases.jsonl")
    parser.add_argument("--out", type=Path, required=True, help="where the rows with the safe metric go")
    args = parser.parse_args(argv)
    if args.out.resolve() == args.rows.resolve():
        print("--out must be another file: the stored rows are kept as they were", file=sys.stderr)
        return 2
    rows = add_safety(load_rows(args.rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as sink:
        sink.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    engines = list(dict.fromkeys(engine for row in rows for engine in row["results"]))
    for engine in engines:
        judged = [row["results"][engine]["score"]["safe"] for row in rows
                  if engine in row["results"] and row["results"][engine]["score"]["safe"] is not None]
        print(f"{engine}: {sum(judged)} of {len(judged)} suggestions safe")
    return 0


if __name__ == "__main__":
    sys.exit(main())
