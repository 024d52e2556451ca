"""The adoption report's figures: aggregates the adoption benchmark's per-case rows, per split,
engine and breakdown, decides the verdict, and renders the Markdown (the HTML page is
`eval.report.html`, the files of a run folder `eval.report.files`).

Rows are what `eval.bench.adoption` writes to `suite-cases.jsonl`, one JSON object per case:
`{"split", "case": {id, project, kind, level, ...}, "expected", "results": {engine: {"statement",
"latency_ms", "error", "score": {...CaseScore}, "cpu_s"?, "source"?}}, "server": {"cpu_s", ...}}`.
Sessions are what `suite-run.json` holds about each run of the suite (memory, CPU, the server's
audit store). Everything here is a pure function of those, so a report can be recomputed at any
time (`python -m eval.report.files eval/reports/<date>/suite-cases.jsonl`) and a test can check it
against the rows.
"""

from __future__ import annotations

from eval import metrics
from eval.report.rows import (
    PAIRED_METRICS,
    breakdown,
    case_scores,
    difference,
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
    "logsmith_inline": "logsmith, inline on the empty line",
    "logsmith_completion": "logsmith, completion after `logger.`",
    "logsmith_inline_index": "logsmith with the project index, inline",
    "logsmith_completion_index": "logsmith with the project index, completion",
    "template": "template engine alone",
    "template_index": "template engine with the project index",
    "unconstrained": "model without the output constraint",
    "llamavim_cold": "llama.vim way (first ask)",
    "llamavim_warm": "llama.vim way, asked again (warm)",
}
SHORT = {
    "logsmith_inline": "logsmith inline",
    "logsmith_completion": "logsmith completion",
    "logsmith_inline_index": "inline + index",
    "logsmith_completion_index": "completion + index",
    "template": "template alone",
    "template_index": "template + index",
    "unconstrained": "unconstrained model",
    "llamavim_cold": "llama.vim way",
    "llamavim_warm": "llama.vim warm",
}
SERVER_ENGINES = ("logsmith_inline", "logsmith_completion", "logsmith_inline_index", "logsmith_completion_index")
INDEX_PAIRS = (("logsmith_inline_index", "logsmith_inline"), ("logsmith_completion_index", "logsmith_completion"),
               ("template_index", "template"))
"""(with the project index, without it): the same engine on the same cases."""
HEADLINE = "logsmith_inline"
"""The logsmith figure the verdict uses: asked on the empty line, like every baseline."""
BASELINES = ("template", "unconstrained", "llamavim_cold")
"""The baselines the verdict compares with. The llama.vim way counts once, by its first (cold) answer:
asked again (warm) it writes the same statement faster, so the warm row only adds its latency."""
BREAKDOWN_ENGINES = ("logsmith_inline", "logsmith_completion", "logsmith_inline_index", "template", "unconstrained",
                     "llamavim_cold")
SIZE_ENGINES = ("logsmith_inline", "logsmith_inline_index", "logsmith_completion", "logsmith_completion_index",
                "template", "template_index")
SPLIT_ORDER = ("heldout", "dev")
SPLIT_TITLES = {"heldout": "held-out split (never tuned on)", "dev": "dev split (tuned on)"}
MiB = 1024 * 1024


def expected_level(row: dict) -> str:
    """The developer's level, normalised (warn = warning, fatal = critical); exception kept apart."""
    return metrics.normalise_level(row["case"].get("level")) or "unknown"


def _sum(values) -> float:
    return float(sum(values))


def server_of(engine: str) -> str:
    """The row key of the server figures an engine's answers came from."""
    return "server_index" if engine.endswith("_index") else "server"


def engine_summary(engine: str, results: list[dict], server_cpu_s: list[float]) -> dict:
    """Quality (eval.metrics.summarise), latency, answers, model share and cost of one engine."""
    summary = metrics.summarise(case_scores(results))
    latencies = [r["latency_ms"] for r in results if r.get("latency_ms") is not None and not r.get("error")]
    summary["latency_ms"] = metrics.latency_summary(latencies)
    summary["errors"] = sum(1 for r in results if r.get("error"))
    summary["answered"] = sum(1 for r in results if r.get("statement")) / len(results) if results else None
    acceptable = sum(1 for r in results if r["score"]["acceptable"])
    summary["acceptable_count"] = acceptable
    if engine in SERVER_ENGINES:
        summary.update(source_shares([r for r in results if r.get("statement")]))
        cpu = server_cpu_s
    else:
        cpu = [r["cpu_s"] for r in results if r.get("cpu_s") is not None]
    wall_s = _sum(latencies) / 1000
    summary["cost"] = {
        "wall_s": wall_s,
        "cpu_s": _sum(cpu) if cpu else None,
        "wall_s_per_acceptable": wall_s / acceptable if acceptable else None,
        "cpu_s_per_acceptable": _sum(cpu) / acceptable if cpu and acceptable else None,
    }
    summary["latencies_ms"] = latencies
    return summary


def engines_of(rows: list[dict]) -> dict:
    """Per engine (in ENGINES order, those present), the summary over `rows`."""
    found = {}
    for engine in ENGINES:
        results = [row["results"][engine] for row in rows if engine in row.get("results", {})]
        if results:
            server = server_of(engine)
            server_cpu = [row[server]["cpu_s"] for row in rows if (row.get(server) or {}).get("cpu_s") is not None]
            found[engine] = engine_summary(engine, results, server_cpu)
    return found


def index_pairs(rows: list[dict]) -> dict:
    """Each engine with the project index against itself without, on the same cases
    (`eval.report.rows.paired`)."""
    found = {}
    for indexed, plain in INDEX_PAIRS:
        entry = paired(rows, indexed, plain)
        if entry is not None:
            found[indexed] = {"without": plain, **entry}
    return found


def _statements_in_index(row: dict) -> int | None:
    return (row.get("index") or {}).get("statements")


def by_project_size(rows: list[dict]) -> dict:
    """The rows grouped by how many log statements their project's index holds, smallest first,
    each group naming its projects and their counts."""
    table = breakdown(rows, SIZE_ENGINES, lambda row: size_bin(_statements_in_index(row)))
    ordered = {}
    for name in sorted(table, key=size_order):
        projects = {row["case"]["project"]: _statements_in_index(row) for row in rows
                    if size_bin(_statements_in_index(row)) == name}
        ordered[name] = {**table[name], "projects": dict(sorted(projects.items()))}
    return ordered


def _gap_interval(rows: list[dict], baseline: str, metric: str) -> list[float] | None:
    """The 95 % bootstrap interval of logsmith's lead over `baseline` on `metric`, case by case."""
    differences = [float(row["results"][HEADLINE]["score"][metric]) - float(row["results"][baseline]["score"][metric])
                   for row in rows if HEADLINE in row["results"] and baseline in row["results"]]
    interval = metrics.paired_interval(differences)
    return None if interval is None else list(interval)


def verdict(engines: dict, rows: list[dict]) -> dict:
    """How the headline logsmith figure compares with every baseline on acceptable rate and ROUGE-L
    (each lead with its 95 % interval over the same `rows`), and whether every logsmith statement
    is valid Python, and safe (None for rows scored before the safe metric)."""
    head = engines.get(HEADLINE)
    if head is None:
        return {"engine": HEADLINE, "available": False}
    comparisons = {}
    for baseline in BASELINES:
        other = engines.get(baseline)
        if other is None:
            continue
        comparisons[baseline] = {
            "acceptable_gap": head["acceptable"] - other["acceptable"],
            "rouge_l_gap": head["rouge_l"] - other["rouge_l"],
            "acceptable_gap_interval": _gap_interval(rows, baseline, "acceptable"),
            "rouge_l_gap_interval": _gap_interval(rows, baseline, "rouge_l"),
        }
    ahead = bool(comparisons) and all(c["acceptable_gap"] > 0 and c["rouge_l_gap"] > 0 for c in comparisons.values())
    return {
        "engine": HEADLINE,
        "available": True,
        "ahead_of_every_baseline": ahead,
        "valid_python_all": head["parses"] == 1.0,
        "safe_all": None if head.get("safe") is None else head["safe"] == 1.0,
        "comparisons": comparisons,
    }


def _sessions_summary(sessions: list[dict]) -> dict:
    """Memory, CPU and audit-store figures over the suite's sessions (the latest audit summary wins)."""
    peaks = [s["server"]["peak_rss_bytes"] for s in sessions if (s.get("server") or {}).get("peak_rss_bytes")]
    worker_peaks = {}
    for session in sessions:
        for name in ("unconstrained_worker", "llamavim_worker"):
            value = (session.get(name) or {}).get("peak_rss_bytes")
            if value:
                worker_peaks[name] = max(worker_peaks.get(name, 0), value)
    hwm = [s["server"].get("high_water_bytes") for s in sessions if (s.get("server") or {}).get("high_water_bytes")]
    audits = [s["audit"] for s in sessions if s.get("audit")]
    index_peaks = [s["server_index"]["peak_rss_bytes"] for s in sessions
                   if (s.get("server_index") or {}).get("peak_rss_bytes")]
    index_audits = [s["audit_index"] for s in sessions if s.get("audit_index")]
    waits = [server["index"] for s in sessions for server in s.get("servers", []) if server.get("index")]
    return {
        "server_index_peak_rss_bytes": max(index_peaks) if index_peaks else None,
        "audit_index": index_audits[-1] if index_audits else None,
        "index_waits": waits,
        "server_peak_rss_bytes": max(peaks) if peaks else None,
        "server_high_water_bytes": max(hwm) if hwm else None,
        "worker_peak_rss_bytes": worker_peaks,
        "model_load_s": next((s.get("model_load_s") for s in reversed(sessions) if s.get("model_load_s")), None),
        "audit": audits[-1] if audits else None,
        "elapsed_s": _sum(s.get("elapsed_s") or 0 for s in sessions),
        "sessions": len(sessions),
    }


def trend_point(report: dict) -> dict:
    """What a later report quotes of this one: per split, the case count and the headline figures."""
    point = {"date": report.get("run", {}).get("date"), "splits": {}}
    for split, figures in report.get("splits", {}).items():
        head = figures.get("engines", {}).get(HEADLINE)
        if head is not None:
            point["splits"][split] = {"n": figures["n"], "acceptable": head["acceptable"], "rouge_l": head["rouge_l"],
                                      "p50_ms": head["latency_ms"]["p50"]}
    return point


def summarise(rows: list[dict], sessions: list[dict] | None = None, run: dict | None = None,
              machine: dict | None = None, previous: dict | None = None) -> dict:
    """The whole report as a JSON-able dict; `previous` is the trend point of the run before (or None)."""
    sessions = sessions or []
    splits = {}
    for split in SPLIT_ORDER:
        chosen = [row for row in rows if row.get("split") == split]
        if chosen:
            engines = engines_of(chosen)
            splits[split] = {"n": len(chosen), "engines": engines, "verdict": verdict(engines, chosen),
                             "projects": sorted({row["case"]["project"] for row in chosen})}
            pairs = index_pairs(chosen)
            if pairs:
                splits[split]["project_index"] = pairs
    loads = [row["load_average"][0] for row in rows if row.get("load_average")]
    extra = {}
    if any(indexed in row.get("results", {}) for row in rows for indexed, _ in INDEX_PAIRS):
        extra = {"project_index": index_pairs(rows), "by_project_size": by_project_size(rows),
                 "own_site_neighbours": sum(1 for row in rows for result in row["results"].values()
                                            if result.get("own_site_neighbour"))}
    return {
        "run": run or {},
        "machine": machine or {},
        "n": len(rows),
        "splits": splits,
        "all": {"n": len(rows), "engines": engines_of(rows)},
        "unsafe": unsafe(rows, tuple(ENGINES)),
        "by_site_kind": breakdown(rows, BREAKDOWN_ENGINES, lambda row: row["case"]["kind"]),
        "by_level": breakdown(rows, BREAKDOWN_ENGINES, expected_level),
        "by_project": breakdown(rows, BREAKDOWN_ENGINES, lambda row: f"{row['case']['project']} ({row.get('split')})"),
        "resources": _sessions_summary(sessions),
        "load_during_cases": {"p50": metrics.percentile(loads, 50), "max": max(loads, default=None)},
        "case_seconds": metrics.latency_summary([row["elapsed_s"] for row in rows if row.get("elapsed_s")]),
        "previous": previous,
        **extra,
    }


# ------------------------------------------------------------------------------------------------
# Formatting shared by the Markdown and the HTML


def cases(count: int) -> str:
    return f"{count} case" + ("" if count == 1 else "s")


def seconds(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f} s" if value < 10 else f"{value:,.0f} s"


def mib(value) -> str:
    return "n/a" if value is None else f"{value / MiB:,.0f} MiB"


def points(value) -> str:
    """A difference of two shares, in percentage points with a sign."""
    return f"{100 * value:+.0f} pts"


KEY_COLUMNS = ("engine", "acceptable", "level", "var F1", "ROUGE-L", "BLEU-4", "valid Python", "names in scope",
               "safe", "p50 ms", "p95 ms", "p99 ms", "s per acceptable", "by the model", "by a neighbour")
LISTED_UNSAFE = ("logsmith_inline", "logsmith_completion", "logsmith_inline_index", "logsmith_completion_index",
                 "template", "template_index")
"""Engines whose suggestions that are not safe the report lists one by one (the others: counted by reason)."""


def key_row(engine: str, entry: dict) -> list[str]:
    """One row of the key table (the same cells in the Markdown and the HTML)."""
    latency, cost = entry["latency_ms"], entry["cost"]
    return [ENGINES[engine], share(entry["acceptable"]), share(entry["level_accuracy_exception_is_error"]),
            number(entry["variable_f1"]), number(entry["rouge_l"]), number(entry["bleu4"]), share(entry["parses"]),
            share(entry["in_scope"]), safe_share(entry), ms(latency["p50"]), ms(latency["p95"]), ms(latency["p99"]),
            seconds(cost["wall_s_per_acceptable"]), share(entry.get("model_share")) if engine in SERVER_ENGINES else "-",
            share(entry.get("neighbour_share")) if engine in SERVER_ENGINES else "-"]


def index_lines(report: dict) -> list[str]:
    """The section on the project index: per split, each engine with the index against without
    (paired differences with their 95 % intervals); by project size; the servers' index waits."""
    if not any(figures.get("project_index") for figures in report["splits"].values()):
        return []
    lines = ["## With the project index against without", "",
             "The same cases through a second server started in the same workspace folder (the case's "
             "project tree) that indexes the project (the first has `projectIndex: false`), and the "
             "template with the project's index. The file open in the editor stands for its disk copy "
             "in the index, so the developer's statement is never a neighbour. Each cell: the mean "
             "difference (with minus without) and its 95 % paired bootstrap interval.", ""]
    for split, figures in report["splits"].items():
        pairs = figures.get("project_index")
        if not pairs:
            continue
        lines += [f"{SPLIT_TITLES[split].capitalize()}:", ""]
        lines += _markdown_table(("engine", "n", *(label for _, label, _ in PAIRED_METRICS)), [
            [ENGINES[entry["without"]], str(entry["n"]),
             *(difference(entry[key], in_points) for key, _, in_points in PAIRED_METRICS)]
            for entry in pairs.values()])
        lines.append("")
    sizes = report.get("by_project_size") or {}
    if sizes:
        engines = [e for e in SIZE_ENGINES if any(e in entry for entry in sizes.values())]
        lines += ["By project size (log statements in the project's index), both splits; each cell: "
                  "acceptable / level right / ROUGE-L.", ""]
        lines += _markdown_table(("statements", "n", *(SHORT[e] for e in engines)), [
            [name, str(entry["n"]), *("n/a" if entry.get(e) is None else
                                      f"{share(entry[e]['acceptable'])} / "
                                      f"{share(entry[e]['level_accuracy_exception_is_error'])} / "
                                      f"{number(entry[e]['rouge_l'])}" for e in engines)]
            for name, entry in sizes.items()])
        lines += ["", "Projects: " + "; ".join(
            f"{name}: " + ", ".join(f"{project} ({count})" for project, count in entry["projects"].items())
            for name, entry in sizes.items()) + ".", ""]
    waits = report["resources"].get("index_waits") or []
    if waits:
        ready = [w for w in waits if w.get("state") == "ready"]
        text = f"The indexing servers reported their index ready {len(ready)} times of {len(waits)}"
        if ready:
            text += f" (at most {max(w['wait_s'] for w in ready):.1f} s after the model)"
        others = sorted({w.get("state") for w in waits} - {"ready"})
        if others:
            text += "; otherwise: " + ", ".join(others) + " (the cases then ran with whatever the server had)"
        lines += [text + ".", ""]
    return lines


def _interval(bounds, in_points: bool) -> str:
    """`; 95 % interval -1 to +8 pts` for a lead's bootstrap interval; empty when there is none."""
    if not bounds:
        return ""
    if in_points:
        return f"; 95 % interval {100 * bounds[0]:+.0f} to {points(bounds[1])}"
    return f"; 95 % interval {bounds[0]:+.2f} to {bounds[1]:+.2f}"


def _spans_zero(bounds) -> bool:
    return bool(bounds) and bounds[0] < 0 < bounds[1]


def verdict_sentences(report: dict) -> list[str]:
    """The top of the report: one sentence per split, the held-out split first."""
    sentences = []
    for split, figures in report["splits"].items():
        decided = figures["verdict"]
        engines = figures["engines"]
        head = engines.get(HEADLINE)
        if head is None:
            sentences.append(f"{SPLIT_TITLES[split]}: logsmith was not run.")
            continue
        best = max((b for b in decided["comparisons"]), key=lambda b: engines[b]["acceptable"], default=None)
        text = (f"**{SPLIT_TITLES[split].capitalize()}, {cases(figures['n'])}:** logsmith's suggestion on the empty "
                f"line is acceptable in {share(head['acceptable'])} of cases "
                f"(level right {share(head['level_accuracy_exception_is_error'])}, ROUGE-L {number(head['rouge_l'])}, "
                f"valid Python {share(head['parses'])}), p50 {ms(head['latency_ms']['p50'])} ms, "
                f"p95 {ms(head['latency_ms']['p95'])} ms. ")
        if best is not None:
            gap = decided["comparisons"][best]
            text += (f"Best baseline: {ENGINES[best]} at {share(engines[best]['acceptable'])} acceptable "
                     f"({points(gap['acceptable_gap'])} for logsmith{_interval(gap['acceptable_gap_interval'], True)}), "
                     f"ROUGE-L {number(engines[best]['rouge_l'])} "
                     f"({gap['rouge_l_gap']:+.2f}{_interval(gap['rouge_l_gap_interval'], False)}). ")
        if decided["ahead_of_every_baseline"]:
            text += "logsmith is **ahead of every baseline** on acceptable rate and ROUGE-L"
        else:
            behind = [f"{SHORT[b]} (acceptable {points(c['acceptable_gap'])}, ROUGE-L {c['rouge_l_gap']:+.2f})"
                      for b, c in decided["comparisons"].items() if c["acceptable_gap"] <= 0 or c["rouge_l_gap"] <= 0]
            text += "logsmith is **not ahead** of every baseline: it does not lead " + "; ".join(behind)
        valid, safe = decided["valid_python_all"], decided.get("safe_all")
        text += "; " + ("every statement it offered is valid Python" if valid
                        else "**not every statement it offered is valid Python**")
        if safe:
            text += (" and safe" if valid else "; every one is safe") + " (its values bound on every path, its placeholders fitting)."
        elif safe is False:
            text += f"; **safe: {safe_share(head)} suggestions** (listed below)."
        else:
            text += "."
        if best is not None and any(_spans_zero(gap[key]) for key in ("acceptable_gap_interval", "rouge_l_gap_interval")):
            text += (f" A difference whose 95 % interval spans zero could go either way on another "
                     f"{cases(figures['n'])} like these.")
        sentences.append(text)
    return sentences


def trend_sentence(report: dict) -> str | None:
    """The headline figures against the previous run's, split by split."""
    previous = report.get("previous") or {}
    parts = []
    for split, figures in report["splits"].items():
        before = previous.get("splits", {}).get(split)
        head = figures["engines"].get(HEADLINE)
        if before is None or head is None:
            continue
        parts.append(f"{split} acceptable {share(before['acceptable'])} -> {share(head['acceptable'])} "
                     f"({points(head['acceptable'] - before['acceptable'])}), ROUGE-L {number(before['rouge_l'])} -> "
                     f"{number(head['rouge_l'])}, p50 {ms(before['p50_ms'])} -> {ms(head['latency_ms']['p50'])} ms "
                     f"({before['n']} -> {figures['n']} cases)")
    if not parts:
        return None
    return f"Trend since the previous report ({previous.get('date')}): " + "; ".join(parts) + "."


def _markdown_table(columns, rows) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|---|" + "---:|" * (len(columns) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(report: dict) -> str:
    run, machine, resources = report["run"], report["machine"], report["resources"]
    lines = [f"# logsmith adoption report, {run.get('date', '')}".rstrip(", "), ""]
    lines += [sentence + "\n" for sentence in verdict_sentences(report)]
    trend = trend_sentence(report)
    if trend:
        lines += [trend, ""]
    lines.append(f"Peak memory of the language server with its model worker: "
                 f"{mib(resources['server_peak_rss_bytes'])} (resident, sampled every 0.5 s). "
                 f"Model: `{run.get('model_id')}`. Run: {cases(report['n'])} in {seconds(resources['elapsed_s'])} "
                 f"on {machine.get('nproc')} CPUs.")
    lines.append("")
    for split, figures in report["splits"].items():
        lines += [f"## Key figures, {SPLIT_TITLES[split]}: {cases(figures['n'])}", ""]
        lines += _markdown_table(KEY_COLUMNS, [key_row(engine, entry) for engine, entry in figures["engines"].items()])
        lines.append("")
    lines += index_lines(report)
    lines += [
        "How to read this: *acceptable* = level right (exception = error), variable F1 >= 0.5 and ROUGE-L >= 0.3 "
        "against the statement the developer wrote at that site; the quality columns score the top suggestion; "
        "latency is the wall time of one request as the editor (or the caller) waits for it; *s per acceptable* "
        "is the total request time divided by the acceptable statements (the model's cost). logsmith is asked by "
        "a real editor session over LSP; the baselines are asked on the same empty line. See eval/README.md.",
        "",
        "## Model cost", "",
    ]
    cost_rows = []
    for engine, entry in report["all"]["engines"].items():
        cost = entry["cost"]
        cost_rows.append([ENGINES[engine], str(entry["acceptable_count"]), seconds(cost["wall_s"]),
                          seconds(cost["wall_s_per_acceptable"]), seconds(cost["cpu_s"]),
                          seconds(cost["cpu_s_per_acceptable"])])
    lines += _markdown_table(("engine (both splits)", "acceptable statements", "request time", "per acceptable",
                              "CPU time", "CPU per acceptable"), cost_rows)
    lines += ["", "CPU time of logsmith rows: the server and its model worker over whole cases (both requests "
              "and the warm-ups the server runs while the user pauses); of the model baselines: their worker "
              "process during the request.", ""]
    workers = resources["worker_peak_rss_bytes"]
    lines += [f"Memory: server + model worker peak {mib(resources['server_peak_rss_bytes'])} sampled "
              f"(sum of each process's own high-water mark: {mib(resources['server_high_water_bytes'])}); "
              f"for comparison the baselines' worker processes peaked at "
              f"{mib(workers.get('unconstrained_worker'))} (unconstrained, context 2048) and "
              f"{mib(workers.get('llamavim_worker'))} (llama.vim way, context 8192)."
              + (f" The server with the project index peaked at {mib(resources['server_index_peak_rss_bytes'])}."
                 if resources.get("server_index_peak_rss_bytes") else ""), ""]
    audit = resources.get("audit")
    if audit:
        overall = audit["overall"]
        lines += ["## What the server's audit store recorded", "",
                  f"The runner behaves like a developer who accepts a suggestion exactly when it is acceptable "
                  f"(the offline criterion) and runs the item's `logsmith.accept` command, as an editor does. "
                  f"The server's own store (`logsmith report`) then shows {overall['shown']} suggestions shown, "
                  f"{overall['accepted']} accepted: an online acceptance rate of "
                  f"{share(overall['acceptance_rate'])} (accepted / shown; every item of a completion list "
                  f"counts as shown, so this is below the offline acceptable rate). Server latency p50 "
                  f"{ms(audit['latency_ms']['p50'])} ms, p95 {ms(audit['latency_ms']['p95'])} ms over "
                  f"{audit['offers']} offers; model time per accepted statement "
                  f"{ms(audit['model_ms_per_accepted'])} ms.", ""]
    indexed = resources.get("audit_index")
    if indexed:
        overall = indexed["overall"]
        lines += [f"The store of the server with the project index: {overall['shown']} shown, "
                  f"{overall['accepted']} accepted ({share(overall['acceptance_rate'])}), p50 "
                  f"{ms(indexed['latency_ms']['p50'])} ms over {indexed['offers']} offers.", ""]
    if any(entry.get("safe") is not None for entry in report["all"]["engines"].values()):
        lines += ["## Suggestions that are not safe, both splits", "",
                  *unsafe_lines(report.get("unsafe") or {}, ENGINES, LISTED_UNSAFE), ""]
    for title, key in (("site kind", "by_site_kind"), ("level (as the developer wrote it)", "by_level"),
                       ("project", "by_project")):
        lines += [f"## Acceptable rate by {title}, both splits", "",
                  "Each cell: acceptable / level right / ROUGE-L.", ""]
        engines = [e for e in BREAKDOWN_ENGINES if any(e in entry for entry in report[key].values())]
        rows = []
        for name, entry in report[key].items():
            cells = [name, str(entry["n"])]
            for engine in engines:
                figures = entry.get(engine)
                cells.append("n/a" if figures is None else f"{share(figures['acceptable'])} / "
                             f"{share(figures['level_accuracy_exception_is_error'])} / {number(figures['rouge_l'])}")
            rows.append(cells)
        lines += _markdown_table([title.split(" (")[0], "n", *(SHORT[e] for e in engines)], rows)
        lines.append("")
    load = report["load_during_cases"]
    lines += [
        "## The run", "",
        f"- cases: {', '.join(split + ' ' + str(f['n']) for split, f in report['splits'].items())}, "
        f"taken from each project in turn (eval/corpus/cases.jsonl, fixed order); held-out projects: "
        f"{', '.join(report['splits'].get('heldout', {}).get('projects', [])) or 'none'}",
        f"- editor session: open the file without the statement, pause {run.get('pause_open_s')} s, press Enter "
        f"(an indented empty line), pause {run.get('pause_line_s')} s, invoke inline completion; type the logger, "
        f"then `.` after {run.get('keystroke_s')} s and take the completion list; the server runs with its "
        f"default settings (latency budget {run.get('latency_budget_ms')} ms)",
        f"- llama.vim way: {run.get('llamavim_prompt')}; greedy, stop at newline, 48 tokens at most; cold = first "
        f"ask, warm = the same prompt again (in the KV cache)",
        f"- machine: {machine.get('nproc')} CPUs ({machine.get('cpu_model')}), {machine.get('ram_gib')} GiB; "
        f"Python {machine.get('python')}, llama-cpp-python {machine.get('llama_cpp_python')}; 1-minute load "
        f"after each case: median {load['p50']}, max {load['max']} (the run itself keeps about 2 busy; more "
        f"means other work shared the machine and slowed every figure)",
        f"- time per case: p50 {seconds((report['case_seconds']['p50'] or 0))}, total "
        f"{seconds(resources['elapsed_s'])} over {resources['sessions']} session(s); model load "
        f"{seconds(resources['model_load_s'])}",
    ]
    return "\n".join(lines) + "\n"


def without_latency_lists(report: dict) -> dict:
    """The report without the raw latency lists (kept for the charts, left out of report.json)."""
    def strip(engines: dict) -> dict:
        return {engine: {k: v for k, v in entry.items() if k != "latencies_ms"} for engine, entry in engines.items()}

    copy = dict(report)
    copy["splits"] = {split: {**figures, "engines": strip(figures["engines"])} for split, figures in report["splits"].items()}
    copy["all"] = {**report["all"], "engines": strip(report["all"]["engines"])}
    return copy

