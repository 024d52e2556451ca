"""The engine benchmark's report: aggregates per-case rows into figures, renders them as Markdown.

The rows are what `eval.bench.engine` writes to `engine-cases.jsonl`, one JSON object per case:
`{"run": {...}, "case": {...}, "expected": str, "results": {engine: {"statement", "latency_ms",
"score": {...CaseScore}, ...}}}`. A report can be recomputed from them at any time:

    python -m eval.report.engine eval/reports/<date>/engine-cases.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval import metrics
from eval.report.rows import (
    breakdown,
    case_scores,
    load_rows,
    ms,
    number,
    safe_share,
    share,
    unsafe,
    unsafe_lines,
)

ENGINES = {
    "logsmith_cold": "logsmith, cold",
    "logsmith_warm": "logsmith, warm",
    "template": "template only",
    "unconstrained": "logsmith's prompt, no grammar",
    "baseline_cold": "baseline (llama.vim way), cold",
    "baseline_warm": "baseline (llama.vim way), warm",
}
BREAKDOWN_ENGINES = ("logsmith_warm", "template", "unconstrained", "baseline_warm")


def _engine_summary(engine: str, results: list[dict]) -> dict:
    summary = metrics.summarise(case_scores(results))
    summary["latency_ms"] = metrics.latency_summary(
        [r["latency_ms"] for r in results if r.get("latency_ms") is not None and not r.get("error")])
    summary["errors"] = sum(1 for r in results if r.get("error"))
    if engine.startswith("logsmith"):
        used = [r.get("source") not in (None, "template") for r in results]
        summary["model_share"] = sum(used) / len(used) if used else None
    return summary


def summarise(rows: list[dict], run: dict, machine: dict) -> dict:
    """The report as a JSON-able dict: run, machine, per-engine figures, the suggestions that are
    not safe, breakdowns."""
    engines = {}
    for engine in ENGINES:
        results = [row["results"][engine] for row in rows if engine in row.get("results", {})]
        if results:
            engines[engine] = _engine_summary(engine, results)
    loads = [row["load_average"][0] for row in rows if row.get("load_average")]
    return {
        "run": run,
        "machine": machine,
        "load_during_cases": {"p50": metrics.percentile(loads, 50), "max": max(loads, default=None)},
        "n": len(rows),
        "engines": engines,
        "unsafe": unsafe(rows, tuple(ENGINES)),
        "by_site_kind": breakdown(rows, BREAKDOWN_ENGINES, lambda row: row["case"]["kind"]),
        "by_project": breakdown(rows, BREAKDOWN_ENGINES, lambda row: row["case"]["project"]),
    }


def _unsafe_section(report: dict) -> list[str]:
    if not any(entry.get("safe") is not None for entry in report["engines"].values()):
        return []
    return ["", "## Suggestions that are not safe", "",
            *unsafe_lines(report.get("unsafe") or {}, ENGINES, ("logsmith_cold", "logsmith_warm", "template"))]


def render_markdown(report: dict) -> str:
    run, machine = report["run"], report["machine"]
    lines = [
        f"# Engine benchmark: {run.get('split')} split, {report['n']} cases",
        "",
        f"- model: `{run.get('model_id')}` (sha256 {str(run.get('model_sha256'))[:12]}...), "
        f"cursor: {run.get('variant_description', run.get('variant'))}"
        + (f", the model's budget: {run['latency_budget_ms']} ms a request" if run.get("latency_budget_ms") else ""),
        f"- machine: {machine.get('nproc')} CPUs ({machine.get('cpu_model')}), {machine.get('ram_gib')} GiB RAM, "
        f"load average at start {machine.get('load_average')}, at the end {machine.get('load_average_end')}; Python {machine.get('python')}, "
        f"llama-cpp-python {machine.get('llama_cpp_python')}, logsmith {machine.get('logsmith')}",
        f"- 1-minute load average after each case: median {report.get('load_during_cases', {}).get('p50')}, "
        f"max {report.get('load_during_cases', {}).get('max')} (2 CPUs: above 2 means other work slowed every figure)",
        f"- baseline prompt: {run.get('baseline') or 'not run'} (the llama.vim way: no tree-sitter, greedy, "
        f"stop at newline, 48 tokens at most)",
        f"- logsmith's prompt, no grammar: {'run' if run.get('unconstrained') else 'not run'} "
        "(eval/bench/unconstrained.py: the same site, plan and prompt, greedy, stop at newline, "
        "48 tokens at most, no deadline)",
        f"- run: started {run.get('started')}, {run.get('elapsed_s', 0):.0f} s for the cases reported here"
        + (f"; logsmith's code: {run['code']}" if run.get("code") else ""),
        *([f"- baseline rows: {run['baseline_run']}"] if run.get("baseline_run") else []),
        "- latency: wall time of one request, nearest-rank percentiles; quality: the top suggestion "
        "against the developer's statement (definitions in eval/README.md)",
        "",
        "| engine | p50 ms | p95 ms | p99 ms | level | level (exception = error) | level distance "
        "| var P | var R | var F1 | BLEU-4 | ROUGE-L | parses | names in scope | safe | acceptable | model used | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for engine, label in ENGINES.items():
        entry = report["engines"].get(engine)
        if entry is None:
            continue
        latency = entry["latency_ms"]
        lines.append(
            f"| {label} | {ms(latency['p50'])} | {ms(latency['p95'])} | {ms(latency['p99'])} "
            f"| {share(entry['level_accuracy'])} | {share(entry['level_accuracy_exception_is_error'])} "
            f"| {number(entry['level_distance'])} | {number(entry['variable_precision'])} "
            f"| {number(entry['variable_recall'])} | {number(entry['variable_f1'])} | {number(entry['bleu4'])} "
            f"| {number(entry['rouge_l'])} | {share(entry['parses'])} | {share(entry['in_scope'])} "
            f"| {safe_share(entry)} | {share(entry['acceptable'])} | {share(entry.get('model_share'))} "
            f"| {entry['errors']} |")
    lines += _unsafe_section(report)
    for title, key in (("site kind", "by_site_kind"), ("project", "by_project")):
        lines += ["", f"## By {title}", "",
                  "Each cell: acceptable / level (exception = error) / variable F1 / ROUGE-L.", "",
                  f"| {title} | n | " + " | ".join(ENGINES[e] for e in BREAKDOWN_ENGINES) + " |",
                  "|---|---:|" + "---|" * len(BREAKDOWN_ENGINES)]
        for name, entry in report[key].items():
            cells = []
            for engine in BREAKDOWN_ENGINES:
                figures = entry.get(engine)
                cells.append("n/a" if figures is None else
                             f"{share(figures['acceptable'])} / {share(figures['level_accuracy_exception_is_error'])}"
                             f" / {number(figures['variable_f1'])} / {number(figures['rouge_l'])}")
            lines.append(f"| {name} | {entry['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write(report: dict, json_path: Path, markdown_path: Path) -> str:
    markdown = render_markdown(report)
    Path(json_path).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    Path(markdown_path).write_text(markdown, encoding="utf-8")
    return markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.report.engine",
                                     description="Recompute an engine report from its per-case rows.")
    parser.add_argument("cases", type=Path,
                        help="an engine-cases.jsonl written by eval.bench.engine")
    args = parser.parse_args(argv)
    rows = load_rows(args.cases)
    if not rows:
        print(f"{args.cases}: no rows", file=sys.stderr)
        return 1
    stem = args.cases.name.removesuffix("-cases.jsonl")
    json_path = args.cases.with_name(f"{stem}.json")
    machine = {}
    if json_path.exists():
        machine = json.loads(json_path.read_text(encoding="utf-8")).get("machine", {})
    run = dict(rows[0]["run"])
    run["elapsed_s"] = sum(row.get("elapsed_s", 0) for row in rows)
    print(write(summarise(rows, run, machine), json_path, args.cases.with_name(f"{stem}.md")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
