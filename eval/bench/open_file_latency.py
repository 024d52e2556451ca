"""The template's latency on the open file, each case's best of several answers, for Java, Go and
JavaScript / TypeScript: steadier than the languages benchmark's one answer per case, and so the
figure to compare two versions of the code by (run it in each checkout, alternating, on a quiet
machine). The file is parsed once, as an editor keeps it open; the first answer, which fills the
file's caches, is not counted.

    python -m eval.bench.open_file_latency --split heldout --limit 70 --runs 5 --out /tmp/new.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import logsmith
from eval.bench import machine
from eval.bench.languages import ask_logsmith
from eval.corpus import build_languages as corpus
from logsmith.syntax.document import ParsedDocument


def best_times(language: str, split: str, limit: int, runs: int) -> list[float]:
    """Each case's fastest of `runs` template answers on the open file, in ms, sorted."""
    projects = corpus.load_projects()
    by_name = {project.name: project for project in projects}
    cases = corpus.ordered(corpus.cases_for(corpus.load_cases(), projects, split, language))
    settings = logsmith.Settings(use_model=False)
    times = []
    for case in cases[:limit]:
        path, source = corpus.case_source(case, by_name)
        masked = corpus.mask(source, case)
        opened = ParsedDocument(masked.source, case.language)
        ask_logsmith(masked, path, case.language, settings, opened)
        answers = []
        for _ in range(runs):
            started = time.perf_counter()
            ask_logsmith(masked, path, case.language, settings, opened)
            answers.append((time.perf_counter() - started) * 1000)
        times.append(min(answers))
    return sorted(times)


def summary(times: list[float]) -> dict:
    return {
        "cases": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 2),
        "max_ms": round(times[-1], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eval.bench.open_file_latency", description=__doc__)
    parser.add_argument("--split", default="heldout", choices=("dev", "heldout"))
    parser.add_argument("--limit", type=int, default=70, help="first N cases of each language")
    parser.add_argument("--runs", type=int, default=5, help="answers per case; the best counts")
    parser.add_argument("--language", action="append", choices=corpus.LANGUAGES, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    found = {"machine": machine.describe(), "split": args.split, "runs": args.runs}
    for language in args.language or ["java", "go", "javascript"]:
        found[language] = summary(best_times(language, args.split, args.limit, args.runs))
        print(language, found[language], file=sys.stderr)
    if args.out is not None:
        args.out.write_text(json.dumps(found, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
