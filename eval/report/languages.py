"""The report of the benchmark in other languages (`eval.bench.languages`): per language and split,
each engine's metrics, the leads with their 95 % paired bootstrap intervals, and the targets.

Targets: logsmith's level >= 55 % and >= the llama.vim way's + 20 points; its ROUGE-L >= 1.5x the
llama.vim way's; 100 % of its suggestions valid; the template alone at p95 <= 20 ms (on the file
open as the editor keeps it, and with the text parsed within the request).

    python -m eval.report.languages eval/reports/<date>/languages    # rewrite report.md / .json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from eval import metrics

ENGINES = (
    ("logsmith", "logsmith, warm"),
    ("logsmith_cold", "logsmith, cold"),
    ("template", "template only"),
    ("template_again", "template only, the file open (as in the editor)"),
    ("baseline", "llama.vim way"),
)
LEADS = (
    ("logsmith", "baseline", "level"),
    ("logsmith", "baseline", "rouge_l"),
    ("logsmith", "baseline", "acceptable"),
    ("logsmith", "template", "rouge_l"),
    ("logsmith", "template", "acceptable"),
)
LEVEL_TARGET, LEVEL_LEAD_TARGET, ROUGE_RATIO_TARGET, TEMPLATE_P95_TARGET_MS = 0.55, 0.20, 1.5, 20.0


def load_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def engine_figures(rows: list[dict], name: str) -> dict | None:
    """One engine's metrics over the rows that asked it."""
    results = [row["results"][name] for row in rows if name in row["results"]]
    if not results:
        return None
    scores = [result["score"] for result in results]
    suggested = [result for result in results if result.get("statement")]
    latencies = [result["latency_ms"] for result in results]
    return {
        "n": len(results),
        "suggested": len(suggested),
        "level": _mean([float(s["level"]) for s in scores]),
        "variable_f1": _mean([s["variable_f1"] for s in scores]),
        "rouge_l": _mean([s["rouge_l"] for s in scores]),
        "bleu4": _mean([s["bleu4"] for s in scores]),
        "parses": _mean([float(s["parses"]) for s in scores]),
        "in_scope": _mean([float(s["in_scope"]) for s in scores]),
        "valid": _mean([float(s["valid"]) for s in scores]),
        "valid_of_suggested": _mean([float(r["score"]["valid"]) for r in suggested]),
        "reader_parses": _mean([float(bool(s.get("reader_parses"))) for s in scores]),
        "acceptable": _mean([float(s["acceptable"]) for s in scores]),
        "log_call": _mean([float(s["is_log_call"]) for s in scores]),
        "p50_ms": metrics.percentile(latencies, 50),
        "p95_ms": metrics.percentile(latencies, 95),
        "model_used": _mean(
            [float(r.get("source") not in (None, "template", "neighbour")) for r in results]
        )
        if name.startswith("logsmith")
        else None,
        "neighbour_used": _mean([float(r.get("source") == "neighbour") for r in results])
        if name.startswith(("logsmith", "template"))
        else None,
        "errors": sum(1 for r in results if r.get("error")),
    }


def _value(result: dict, metric: str) -> float:
    return float(result["score"][metric])


def lead(rows: list[dict], engine: str, other: str, metric: str) -> dict | None:
    """Mean per-case difference `engine` - `other` on `metric` and its 95 % paired interval."""
    pairs = [
        (row["results"][engine], row["results"][other])
        for row in rows
        if engine in row["results"] and other in row["results"]
    ]
    if not pairs:
        return None
    differences = [_value(a, metric) - _value(b, metric) for a, b in pairs]
    low, high = metrics.paired_interval(differences)
    return {
        "engine": engine,
        "other": other,
        "metric": metric,
        "n": len(pairs),
        "difference": sum(differences) / len(differences),
        "low": low,
        "high": high,
    }


def targets(figures: dict) -> dict:
    """Each target: met (True / False) or None when a figure it needs is missing."""
    own, base, template = figures.get("logsmith"), figures.get("baseline"), figures.get("template")
    met = {}
    met["level >= 55 %"] = None if own is None else own["level"] >= LEVEL_TARGET
    met["level >= llama.vim way + 20 points"] = (
        None if own is None or base is None else own["level"] >= base["level"] + LEVEL_LEAD_TARGET
    )
    met["ROUGE-L >= 1.5x the llama.vim way"] = (
        None
        if own is None or base is None
        else own["rouge_l"] >= ROUGE_RATIO_TARGET * base["rouge_l"]
    )
    met["100 % valid"] = None if own is None else own["valid_of_suggested"] == 1.0
    opened = figures.get("template_again")
    met["template p95 <= 20 ms, the file open as in the editor"] = (
        None if opened is None else opened["p95_ms"] <= TEMPLATE_P95_TARGET_MS
    )
    met["template p95 <= 20 ms, the text parsed within the request"] = (
        None if template is None else template["p95_ms"] <= TEMPLATE_P95_TARGET_MS
    )
    return met


def summarise(rows: list[dict]) -> dict:
    """The figures of one language and split."""
    figures = {name: engine_figures(rows, name) for name, _ in ENGINES}
    figures = {name: value for name, value in figures.items() if value is not None}
    loads = sorted(row["load_average"][0] for row in rows if row.get("load_average"))
    by_engines = defaultdict(list)
    for row in rows:
        for engines, load in row.get("load_averages", {}).items():
            if load:
                by_engines[engines].append(load[0])
    return {
        "n": len(rows),
        "projects": sorted({row["case"]["project"] for row in rows}),
        "file_languages": sorted({row["case"]["language"] for row in rows}),
        "expected_valid": _mean([float(row["expected_valid"]) for row in rows]),
        "engines": figures,
        "leads": [found for found in (lead(rows, *spec) for spec in LEADS) if found],
        "targets": targets(figures),
        "load_median": loads[len(loads) // 2] if loads else None,
        "load_max": loads[-1] if loads else None,
        "load_while_asking": {
            engines: {"median": sorted(values)[len(values) // 2], "max": max(values)}
            for engines, values in sorted(by_engines.items())
        },
        "invalid": [
            {
                "id": row["case"]["id"],
                "statement": row["results"]["logsmith"]["statement"],
                "unbound": row["results"]["logsmith"]["score"]["unbound"],
                "parses": row["results"]["logsmith"]["score"]["parses"],
            }
            for row in rows
            if "logsmith" in row["results"]
            and row["results"]["logsmith"].get("statement")
            and not row["results"]["logsmith"]["score"]["valid"]
        ],
    }


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _signed(value: float, metric: str) -> str:
    return f"{100 * value:+.1f} pts" if metric != "rouge_l" else f"{value:+.3f}"


def _loads(summary: dict) -> str:
    """The machine's 1-minute load after each case, by the engines asked then."""
    found = summary.get("load_while_asking") or {}
    if not found:
        return f"Load median {summary['load_median']}, max {summary['load_max']}"
    return "Load median (max) while asking " + "; ".join(
        f"{engines}: {load['median']} ({load['max']})" for engines, load in found.items()
    )


def markdown(summaries: dict[str, dict], described: dict | None) -> str:
    lines = ["# logsmith in Java, Go, JavaScript and TypeScript", ""]
    if described:
        lines += [
            f"Machine: {described.get('nproc')} CPUs ({described.get('cpu_model')}), "
            f"{described.get('ram_gib')} GiB, Python {described.get('python')}, "
            f"llama-cpp-python {described.get('llama_cpp_python')}; load at the start "
            f"{described.get('load_average')}, at the end {described.get('load_average_end')}.",
            "",
        ]
    lines += [
        "Each figure compares the top suggestion with the developer's statement at the same "
        "masked site (`eval/bench/language_scoring.py`); `valid` is the share of the "
        "suggestions made that parse at the site with every name they read bound there "
        "(`eval/checks/foreign_scope.py`, apart from logsmith's analysis). `developers' own "
        "statements valid` is that check on the real statements: what it wrongly refuses.",
        "",
    ]
    for key, summary in summaries.items():
        lines += [
            f"## {key}: {summary['n']} cases",
            "",
            f"Projects: {', '.join(summary['projects'])}; files read as "
            f"{', '.join(summary['file_languages'])}. {_loads(summary)}. Developers' own "
            "statements valid: "
            f"{_percent(summary['expected_valid'])}.",
            "",
            "| engine | p50 ms | p95 ms | level | var F1 | ROUGE-L | BLEU-4 | log call | parses "
            "| names in scope | valid (of suggested) | acceptable | model used "
            "| the function's own statement |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, title in ENGINES:
            f = summary["engines"].get(name)
            if f is None:
                continue
            cells = (
                _ms(f["p50_ms"]),
                _ms(f["p95_ms"]),
                _percent(f["level"]),
                _number(f["variable_f1"]),
                _number(f["rouge_l"], 3),
                _number(f["bleu4"]),
                _percent(f["log_call"]),
                _percent(f["parses"]),
                _percent(f["in_scope"]),
                f"{_percent(f['valid_of_suggested'])} ({f['suggested']})",
                _percent(f["acceptable"]),
                _percent(f["model_used"]),
                _percent(f.get("neighbour_used")),
            )
            lines.append(f"| {title} | " + " | ".join(cells) + " |")
        lines += ["", "Leads (per-case difference, 95 % paired bootstrap interval):", ""]
        for found in summary["leads"]:
            lines.append(
                f"- {found['engine']} - {found['other']}, {found['metric']}: "
                f"{_signed(found['difference'], found['metric'])} "
                f"({_signed(found['low'], found['metric'])} to "
                f"{_signed(found['high'], found['metric'])}), n = {found['n']}"
            )
        lines += [
            "",
            "Targets: "
            + "; ".join(
                f"{name}: {'met' if met else 'not met' if met is not None else 'not measured'}"
                for name, met in summary["targets"].items()
            ),
            "",
        ]
        if summary["invalid"]:
            lines += ["logsmith's suggestions that are not valid:", ""]
            lines += [
                f"- `{item['id']}`: `{item['statement']}` "
                + (
                    "(unbound: " + ", ".join(item["unbound"]) + ")"
                    if item["parses"]
                    else "(does not parse)"
                )
                for item in summary["invalid"]
            ]
            lines.append("")
    return "\n".join(lines)


def write_folder(folder: Path, described: dict | None = None) -> Path:
    """Summarise every `<language>-<split>-cases.jsonl` of `folder` into report.json / report.md;
    `described`: the machine (kept in machine.json; read from it when not given)."""
    folder = Path(folder)
    machine_file = folder / "machine.json"
    if described is not None:
        machine_file.write_text(json.dumps(described, indent=2) + "\n", encoding="utf-8")
    elif machine_file.exists():
        described = json.loads(machine_file.read_text(encoding="utf-8"))
    summaries = {}
    for path in sorted(folder.glob("*-cases.jsonl")):
        rows = load_rows(path)
        if rows:
            summaries[path.name[: -len("-cases.jsonl")]] = summarise(rows)
    (folder / "report.json").write_text(
        json.dumps({"machine": described, "summaries": summaries}, indent=2) + "\n",
        encoding="utf-8",
    )
    (folder / "report.md").write_text(markdown(summaries, described), encoding="utf-8")
    return folder / "report.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.report.languages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    print(write_folder(args.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
