"""Latency of the language server as an editor sees it.

Starts the real `logsmith serve` over stdio with the real default model and does what an editor
does while a developer works through a file: opens a real file of the corpus, pauses, and at each
of a few neighbouring sites, top to bottom, clears the developer's log statement (leaving the empty, indented
line), pauses, asks for an inline completion there (the user invoked it), types the logger and the
dot and asks for completion, then puts the statement back. Each latency is the client's wall time
from request to answer. Prints and writes p50/p95 per request kind, overall and for the first site
of a file (cold model cache) versus later ones, with the machine description.

    .venv/bin/python -m eval.bench.server                 # 10 files x 3 sites
    .venv/bin/python -m eval.bench.server --files 4 --sites-per-file 2 --out /tmp/bench
    .venv/bin/python -m eval.bench.server --language go   # Go files of eval/corpus/languages.toml

Targets on these 2-core machines: p50 <= 400 ms and p95 <= 1000 ms with the real model.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from eval.bench import machine
from eval.bench.editor_client import Editor, server_command, utf16_length
from eval.corpus import build as corpus
from eval.corpus import build_languages as language_corpus
from logsmith.audit.report import percentile

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"
DEFAULT_PAUSE_S = 1.0
TARGET_P50_MS, TARGET_P95_MS = 400.0, 1000.0
WITHOUT_MODEL = (None, "template", "neighbour")
"""Sources that are not the model: nothing, the template, a statement of the file or project."""
ORDER_SEED = "logsmith-bench-server-1"


LANGUAGES = ("python", "java", "go", "javascript", "typescript")


@dataclass(frozen=True)
class CorpusOf:
    """How to read the cases of one language: its cases, a case's file, the logger it calls."""

    language: str

    def cases(self, split: str) -> list:
        if self.language == "python":
            return corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), split)
        projects = language_corpus.load_projects()
        return [case for case in language_corpus.cases_for(language_corpus.load_cases(), projects, split)
                if case.language == self.language]

    def source(self, case) -> tuple[Path, str]:
        if self.language == "python":
            return corpus.case_source(case)
        projects = {spec.name: spec for spec in language_corpus.load_projects()}
        return language_corpus.case_source(case, projects)

    def receiver(self, case) -> str:
        return corpus.receiver_of(case.statement) if self.language == "python" else case.logger


def pick_files(files: int, sites_per_file: int, split: str,
               language: str = "python") -> list[list[corpus.LogCase]]:
    """`files` files of one split (fixed shuffled order), each with `sites_per_file` neighbouring
    one-line statements, in line order."""
    cases = CorpusOf(language).cases(split)
    by_file: dict[tuple[str, str], list[corpus.LogCase]] = {}
    for case in cases:
        if case.line == case.end_line:
            by_file.setdefault((case.project, case.file), []).append(case)
    eligible = [sorted(group, key=lambda c: c.line) for group in by_file.values() if len(group) >= sites_per_file]
    eligible.sort(key=lambda group: (group[0].project, group[0].file))
    random.Random(ORDER_SEED).shuffle(eligible)
    chosen, rng = [], random.Random(ORDER_SEED)
    for group in eligible[:files]:
        first = rng.randrange(len(group) - sites_per_file + 1)
        chosen.append(group[first:first + sites_per_file])  # neighbours: a developer works in one region
    return chosen


async def run_file(editor: Editor, cases: list[corpus.LogCase], pause_s: float,
                   language: str = "python") -> list[dict]:
    """Open a file and, top to bottom, at each site: clear the developer's statement (leaving the
    empty, indented line), pause, ask inline; type the logger and the dot, ask completion; put the
    statement back. The file stays open, as when a developer works through it."""
    reading = CorpusOf(language)
    path, source = reading.source(cases[0])
    uri = path.as_uri()
    editor.open(uri, source, language)
    await asyncio.sleep(pause_s)  # reading the file
    rows = []
    for position, case in enumerate(cases):
        line = case.line
        original = source.split("\n")[line]
        indent = original[: case.column]
        column = utf16_length(indent)
        editor.replace_line(uri, line, utf16_length(original), indent)
        await asyncio.sleep(pause_s)  # the user pauses on the empty line
        row = {"case": case.id, "kind": case.kind, "expected": case.statement, "site_in_file": position}
        editor.statuses.clear()
        row["inline_ms"], inline = await editor.inline(uri, line, column)
        row["inline_items"] = len(inline.items) if inline else 0
        row["inline_source"] = editor.last_status("inline", "source") if inline else None
        row["inline_notes"] = list(editor.last_status("inline", "notes") or []) if inline else []
        row["inline_text"] = inline.items[0].insert_text if inline and inline.items else None
        receiver = reading.receiver(case)
        editor.type(uri, line, column, receiver)
        await asyncio.sleep(0.05)  # a keystroke later, the dot
        editor.type(uri, line, column + utf16_length(receiver), ".")
        row["completion_ms"], completion = await editor.complete(uri, line, column + utf16_length(receiver) + 1)
        items = completion.items if completion else []
        row["completion_items"] = len(items)
        row["completion_source"] = items[0].detail.split(" · ")[1] if items else None
        row["completion_top"] = items[0].label if items else None
        row["completion_notes"] = list(editor.last_status("completion", "notes") or []) if items else []
        editor.replace_line(uri, line, column + utf16_length(receiver) + 1, original)  # the developer's line again
        rows.append(row)
    editor.close(uri)
    return rows


def summarize(rows: list[dict]) -> dict:
    """p50/p95 per request kind, answer counts and model share (pure; rows as run_site returns them)."""
    result = {}
    for kind in ("completion", "inline"):
        for subset, chosen in (("first site of a file", [r for r in rows if r.get("site_in_file") == 0]),
                               ("later sites", [r for r in rows if r.get("site_in_file", 0) > 0])):
            latencies = [row[f"{kind}_ms"] for row in chosen]
            result[f"{kind}, {subset}"] = {
                "requests": len(chosen),
                "answered": sum(1 for row in chosen if row[f"{kind}_items"]),
                "p50_ms": percentile(latencies, 50),
                "p95_ms": percentile(latencies, 95),
                "max_ms": max(latencies) if latencies else None,
                "answered_by_model": sum(1 for row in chosen
                                         if row[f"{kind}_items"] and row[f"{kind}_source"] not in WITHOUT_MODEL),
                "answered_by_neighbour": sum(1 for row in chosen
                                             if row[f"{kind}_items"] and row[f"{kind}_source"] == "neighbour"),
                "meets_targets": None,
            }
    for kind in ("completion", "inline"):
        latencies = [row[f"{kind}_ms"] for row in rows]
        answered = [row for row in rows if row[f"{kind}_items"]]
        result[kind] = {
            "requests": len(rows),
            "answered": len(answered),
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "max_ms": max(latencies) if latencies else None,
            "answered_by_model": sum(1 for row in answered if row[f"{kind}_source"] not in WITHOUT_MODEL),
            "answered_by_neighbour": sum(1 for row in answered if row[f"{kind}_source"] == "neighbour"),
            "meets_targets": bool(latencies) and percentile(latencies, 50) <= TARGET_P50_MS
            and percentile(latencies, 95) <= TARGET_P95_MS,
        }
    return result


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# logsmith server latency",
        "",
        f"{report['sites']} sites in {report['files']} {report.get('language', 'python')} files of the "
        f"{report['split']} split, visited top to bottom "
        f"with each file kept open; at each site one inline and one completion request, after a "
        f"{report['pause_s']} s pause on the emptied line; model {report['model']}. "
        f"Targets: p50 <= {TARGET_P50_MS:.0f} ms, p95 <= {TARGET_P95_MS:.0f} ms.",
        "",
        f"Machine: {m.get('nproc')} CPUs ({m.get('cpu_model')}), {m.get('ram_gib')} GiB, load {m.get('load_average')}, "
        f"Python {m.get('python')}, llama-cpp-python {m.get('llama_cpp_python')}.",
        "",
        "| request | answered | by the model | by a neighbour | p50 | p95 | max | meets targets |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, s in report["summary"].items():
        if not s["requests"]:
            continue
        verdict = "" if s["meets_targets"] is None else ("yes" if s["meets_targets"] else "no")
        by_neighbour = s.get("answered_by_neighbour", "-")
        lines.append(f"| {kind} | {s['answered']}/{s['requests']} | {s['answered_by_model']} | {by_neighbour} | "
                     f"{s['p50_ms']:.0f} ms | "
                     f"{s['p95_ms']:.0f} ms | {s['max_ms']:.0f} ms | {verdict} |")
    return "\n".join(lines) + "\n"


async def bench(args) -> dict:
    files = pick_files(args.files, args.sites_per_file, args.split, args.language)
    command = server_command(args.log_level, args.log_file)
    scratch = None if args.home else tempfile.TemporaryDirectory(prefix="logsmith-bench-")
    home = Path(args.home) if args.home else Path(scratch.name)
    env = {k: v for k, v in os.environ.items() if k != "LOGSMITH_NO_MODEL"}
    env["LOGSMITH_HOME"] = str(home)
    editor = Editor(command, env)
    await editor.start(home)
    try:
        await asyncio.wait_for(editor.ready.wait(), 300)
        rows = []
        for cases in files:
            for row in await run_file(editor, cases, args.pause, args.language):
                rows.append(row)
                print(f"[{len(rows)}/{len(files) * args.sites_per_file}] {row['case']}: inline {row['inline_ms']:.0f} ms "
                      f"({row['inline_source']}), completion {row['completion_ms']:.0f} ms ({row['completion_source']})",
                      file=sys.stderr)
    finally:
        await editor.stop()
        if scratch is not None:
            scratch.cleanup()
    model = next((getattr(s, "modelId", None) for s in editor.statuses if getattr(s, "modelId", None)), None)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "split": args.split,
        "language": args.language,
        "files": len(files),
        "sites": len(rows),
        "pause_s": args.pause,
        "model": model,
        "machine": machine.describe(),
        "summary": summarize(rows),
        "rows": rows,
    }


def report_stem(pause_s: float, language: str = "python") -> str:
    """`server-latency` for the default 1 s pause, `server-latency-pause2` for 2 s: runs with other
    pauses on the same day keep their own reports; another language adds its name
    (`server-latency-go`)."""
    return ("server-latency" + ("" if language == "python" else f"-{language}")
            + ("" if pause_s == DEFAULT_PAUSE_S else f"-pause{pause_s:g}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.server",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10, help="number of files (default 10)")
    parser.add_argument("--sites-per-file", type=int, default=3, help="sites visited in each file (default 3)")
    parser.add_argument("--split", choices=corpus.BENCHMARK_SPLITS, default="dev")
    parser.add_argument("--language", choices=LANGUAGES, default="python",
                        help="the files' language (default python; the others come from eval/corpus/languages.toml)")
    parser.add_argument("--pause", type=float, default=DEFAULT_PAUSE_S,
                        help="seconds spent reading a file and pausing on each empty line before asking "
                             f"(default {DEFAULT_PAUSE_S:g}; another pause writes its report as server-latency-pause<P>)")
    parser.add_argument("--home", help="LOGSMITH_HOME for the server, kept afterwards (default: a temporary folder)")
    parser.add_argument("--out", type=Path, help="report folder (default eval/reports/<date>)")
    parser.add_argument("--log-file", type=Path, help="write the server's log here")
    parser.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING"))
    args = parser.parse_args(argv)
    report = asyncio.run(bench(args))
    out = args.out or REPORTS_DIR / datetime.date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    stem = report_stem(args.pause, args.language)
    (out / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text = markdown(report)
    (out / f"{stem}.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
