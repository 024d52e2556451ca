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
    PAIRED_METRICS,
    breakdown,
    case_scores,
    difference,
    load_rows,
    ms,
    number,
    paired,
    safe_share,
    share,
    size_bin,
    size_order,
    source_shares,
    unsafe,
    unsafe_lines,
)

ENGINES = {
    "logsmith_cold": "logsmith, cold",
    "logsmith_cold_index": "logsmith, cold, with the project index",
    "logsmith_warm": "logsmith, warm",
    "logsmith_warm_index": "logsmith, warm, with the project index",
    "template": "template only",
    "template_index": "template only, with the project index",
    "unconstrained": "logsmith's prompt, no grammar",
    "baseline_cold": "baseline (llama.vim way), cold",
    "baseline_warm": "baseline (llama.vim way), warm",
}
BREAKDOWN_ENGINES = ("logsmith_warm", "logsmith_warm_index", "template", "template_index", "unconstrained",
                     "baseline_warm")
INDEX_PAIRS = (("logsmith_cold_index", "logsmith_cold"), ("logsmith_warm_index", "logsmith_warm"),
               ("template_index", "template"))
"""(with the project index, without it): the same engine on the same cases."""
LISTED_UNSAFE = ("logsmith_cold", "logsmith_cold_index", "logsmith_warm", "logsmith_warm_index", "template",
                 "template_index")
"""Engines whose suggestions that are not safe the report lists one by one (the others: counted by reason)."""
SIZE_ENGINES = ("logsmith_cold", "logsmith_cold_index", "logsmith_warm", "logsmith_warm_index", "template",
                "template_index")


def _is_logsmith(engine: str) -> bool:
    return engine.startswith(("logsmith", "template"))


def _engine_summary(engine: str, results: list[dict]) -> dict:
    summary = metrics.summarise(case_scores(results))
    summary["latency_ms"] = metrics.latency_summary(
        [r["latency_ms"] for r in results if r.get("latency_ms") is not None and not r.get("error")])
    summary["errors"] = sum(1 for r in results if r.get("error"))
    if _is_logsmith(engine):
        summary.update(source_shares(results))
        if engine.startswith("template"):  # the template alone: no model by construction
            del summary["model_share"]
    return summary


def _statements_in_index(row: dict) -> int | None:
    return (row.get("index") or {}).get("statements")


def index_figures(rows: list[dict]) -> dict:
    """Per project, the index its cases were asked with (files, statements, build time)."""
    found = {}
    for row in rows:
        if row.get("index") and row["case"]["project"] not in found:
            found[row["case"]["project"]] = row["index"]
    return dict(sorted(found.items()))


def by_project_size(rows: list[dict]) -> dict:
    """The rows grouped by how many log statements their project's index holds, smallest first;
    each group also names its projects with their statement counts."""
    table = breakdown(rows, SIZE_ENGINES, lambda row: size_bin(_statements_in_index(row)))
    ordered = {}
    for name in sorted(table, key=size_order):
        projects = {row["case"]["project"]: _statements_in_index(row) for row in rows
                    if size_bin(_statements_in_index(row)) == name}
        ordered[name] = {**table[name], "projects": dict(sorted(projects.items()))}
    return ordered


def index_comparison(rows: list[dict], engines: dict) -> dict:
    """Each engine with the project index against itself without, on the same cases; and the
    first answer's (cold) ROUGE-L with the index over without."""
    pairs = {}
    for indexed, plain in INDEX_PAIRS:
        found = paired(rows, indexed, plain)
        if found is not None:
            pairs[indexed] = {"without": plain, **found}
    cold, cold_index = engines.get("logsmith_cold"), engines.get("logsmith_cold_index")
    ratio = None
    if cold and cold_index and cold["rouge_l"]:
        ratio = cold_index["rouge_l"] / cold["rouge_l"]
    leaks = sum(1 for row in rows for result in row.get("results", {}).values() if result.get("own_site_neighbour"))
    return {"pairs": pairs, "cold_rouge_l_ratio": ratio, "own_site_neighbours": leaks}


def summarise(rows: list[dict], run: dict, machine: dict) -> dict:
    """The report as a JSON-able dict: run, machine, per-engine figures, the suggestions that are
    not safe, the project index's effect, breakdowns."""
    engines = {}
    for engine in ENGINES:
        results = [row["results"][engine] for row in rows if engine in row.get("results", {})]
        if results:
            engines[engine] = _engine_summary(engine, results)
    loads = [row["load_average"][0] for row in rows if row.get("load_average")]
    report = {
        "run": run,
        "machine": machine,
        "load_during_cases": {"p50": metrics.percentile(loads, 50), "max": max(loads, default=None)},
        "n": len(rows),
        "engines": engines,
        "unsafe": unsafe(rows, tuple(ENGINES)),
        "by_site_kind": breakdown(rows, BREAKDOWN_ENGINES, lambda row: row["case"]["kind"]),
        "by_project": breakdown(rows, BREAKDOWN_ENGINES, lambda row: row["case"]["project"]),
    }
    if any(indexed in engines for indexed, _ in INDEX_PAIRS):
        report["project_index"] = index_comparison(rows, engines)
        report["project_index"]["projects"] = index_figures(rows)
        report["by_project_size"] = by_project_size(rows)
    return report


def _share_or_dash(entry: dict, key: str) -> str:
    return "-" if key not in entry else share(entry[key])


def _present(table: dict, engines: tuple[str, ...]) -> list[str]:
    """The engines of `engines` that answered in some group of a breakdown."""
    return [e for e in engines if any(e in entry for entry in table.values())]


def _breakdown_table(title: str, table: dict, engines: list[str]) -> list[str]:
    lines = [f"| {title} | n | " + " | ".join(ENGINES[e] for e in engines) + " |",
             "|---|---:|" + "---|" * len(engines)]
    for name, entry in table.items():
        cells = []
        for engine in engines:
            figures = entry.get(engine)
            cells.append("n/a" if figures is None else
                         f"{share(figures['acceptable'])} / {share(figures['level_accuracy_exception_is_error'])}"
                         f" / {number(figures['variable_f1'])} / {number(figures['rouge_l'])}")
        lines.append(f"| {name} | {entry['n']} | " + " | ".join(cells) + " |")
    return lines


def _index_section(report: dict) -> list[str]:
    """With the project index against without: paired differences, the first answer's ROUGE-L
    ratio, the breakdown by project size and the indexes used."""
    found = report["project_index"]
    lines = ["", "## With the project index against without", "",
             "The same engine on the same cases, asked with the project's index (the masked file's own "
             "statements replaced by the masked text: the developer's statement is never a neighbour) and "
             "without. Each cell: the mean difference (with minus without) and its 95 % paired bootstrap "
             "interval; an interval that spans zero could go either way on another sample of this size.", "",
             "| engine | n | " + " | ".join(label for _, label, _ in PAIRED_METRICS) + " |",
             "|---|---:|" + "---:|" * len(PAIRED_METRICS)]
    for indexed, entry in found["pairs"].items():
        lines.append(f"| {ENGINES[entry['without']]} | {entry['n']} | "
                     + " | ".join(difference(entry[key], in_points) for key, _, in_points in PAIRED_METRICS) + " |")
    ratio = found.get("cold_rouge_l_ratio")
    lines += ["", "First answer at a new site (cold) ROUGE-L, with the index over without: "
              + ("n/a" if ratio is None else f"{ratio:.2f}") + ". Suggestions that followed their own site's "
              f"statement (must be 0): {found.get('own_site_neighbours', 0)}."]
    sizes = report.get("by_project_size") or {}
    if sizes:
        engines = _present(sizes, SIZE_ENGINES)
        lines += ["", "### By project size (log statements in the project's index)", "",
                  "Each cell: acceptable / level (exception = error) / variable F1 / ROUGE-L.", ""]
        lines += _breakdown_table("statements", sizes, engines)
        lines += ["", "Projects per size: " + "; ".join(
            f"{name}: " + ", ".join(f"{project} ({count})" for project, count in entry["projects"].items())
            for name, entry in sizes.items()) + "."]
    projects = found.get("projects") or {}
    if projects:
        lines += ["", "Indexes (built once per project, cache off): " + "; ".join(
            f"{project} {figures.get('statements')} statements in {figures.get('files')} files, "
            f"{1000 * (figures.get('build_s') or 0):,.0f} ms" for project, figures in projects.items()) + "."]
    return lines


def _unsafe_section(report: dict) -> list[str]:
    if not any(entry.get("safe") is not None for entry in report["engines"].values()):
        return []
    return ["", "## Suggestions that are not safe", "",
            *unsafe_lines(report.get("unsafe") or {}, ENGINES, LISTED_UNSAFE)]


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
        *(["- logsmith's model: off (LOGSMITH_NO_MODEL=1): every logsmith engine answered from the template"]
          if run.get("use_model") is False else []),
        *([f"- project index: {'with and without (the `_index` rows)' if run['project_index'] else 'not used'}"]
          if "project_index" in run else []),
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
        "| var P | var R | var F1 | BLEU-4 | ROUGE-L | parses | names in scope | safe | acceptable | model used "
        "| neighbour | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
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
            f"| {safe_share(entry)} | {share(entry['acceptable'])} | {_share_or_dash(entry, 'model_share')} "
            f"| {_share_or_dash(entry, 'neighbour_share')} | {entry['errors']} |")
    if "project_index" in report:
        lines += _index_section(report)
    lines += _unsafe_section(report)
    for title, key in (("site kind", "by_site_kind"), ("project", "by_project")):
        engines = _present(report[key], BREAKDOWN_ENGINES)
        lines += ["", f"## By {title}", "",
                  "Each cell: acceptable / level (exception = error) / variable F1 / ROUGE-L.", ""]
        lines += _breakdown_table(title, report[key], engines)
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
