"""Remote backend benchmark: the same requests through the embedded worker and through llama.cpp's
llama-server on this machine, paired case by case in one run.

For each corpus case (the developer's statement masked, cursor on its line) it builds logsmith's
prompt and grammar for the site (`model_engine.context_for` + `prompt.opening`, `prompt.grammar`,
the engine's token limit) and asks each backend twice: first as the first request on that file
("cold": only what the previous case left in the cache is reused), then the same request again
("cached": the prompt is in the backend's cache, as after the server's warm-up while the user
pauses). The order of the two backends alternates from case to case, so neither always runs on a
machine the other has just warmed. Nothing is cut short: the deadline is generous, the figures are
wall-clock times of `complete()` as the engine calls it (the HTTP round trip included for the
server), p50 / p95 by nearest rank, and the paired ratio server / embedded per case (median, and
the middle 90 % of the ratios).

    .venv/bin/python -m eval.bench.remote --split dev --limit 40

It starts llama-server itself (the binary of `make llama-server`, `LOGSMITH_LLAMA_SERVER` or
`make print-llama-server`; 2 slots, `--swa-full`; one server per `--threads` count, 2 by
default) on a free loopback port, unless `--url` names a running server. The report goes to eval/reports/<date>/remote.md and remote.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.bench import machine
from eval.bench.engine import ordered_cases
from eval.bench.inference_server import InferenceServer, llama_server
from eval.corpus import build as corpus
from logsmith.engines import model_engine
from logsmith.engines import prompt as prompts
from logsmith.model import endpoint, registry
from logsmith.model.remote import RemoteModel
from logsmith.pipeline import facts_of, site_at, style_for
from logsmith.planning.plan import make_plan
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument

ROOT = Path(__file__).resolve().parents[2]
REPORTS_DIR = ROOT / "eval" / "reports"
DEADLINE_S = 120.0


def request_of(masked: corpus.MaskedCase, path: Path, settings: Settings) -> dict:
    """logsmith's prompt, grammar and token limit at the case's site (what the engine sends)."""
    document = ParsedDocument(masked.source)
    facts = facts_of(document)
    site = site_at(masked.source, masked.line, masked.character, document=document)
    plan = make_plan(site, facts, style_for(facts, str(path), settings))
    max_tokens = model_engine.MAX_TOKENS + (
        model_engine.ARGUMENT_TOKENS if prompts.writes_arguments(plan) else 0)
    return {"prompt": model_engine.context_for(document, site, facts) + prompts.opening(site, plan),
            "grammar": prompts.grammar(site, plan), "max_tokens": max_tokens, "stop": ("\n",)}


def ask(backend, request: dict) -> dict:
    started = time.perf_counter()
    try:
        done = backend.complete(request["prompt"], grammar=request["grammar"],
                                max_tokens=request["max_tokens"], stop=request["stop"],
                                deadline_s=DEADLINE_S)
    except Exception as exc:  # counted, never fatal
        return {"error": f"{type(exc).__name__}: {exc}",
                "ms": (time.perf_counter() - started) * 1000}
    return {"ms": done.seconds * 1000, "text": done.text, "prompt_tokens": done.prompt_tokens,
            "cached_tokens": done.reused_tokens, "written": done.tokens,
            "stopped_by": done.stopped_by, "error": None}


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(rows: list[dict], names: list[str]) -> dict:
    found: dict = {}
    for phase in ("cold", "cached"):
        for name in names:
            good = [row[name][phase] for row in rows if row[name][phase]["error"] is None]
            ms = [r["ms"] for r in good]
            found[f"{name} {phase}"] = {
                "n": len(good), "errors": len(rows) - len(good),
                "p50_ms": round(percentile(ms, 0.5)) if ms else None,
                "p95_ms": round(percentile(ms, 0.95)) if ms else None,
                "median_prompt_tokens": statistics.median(r["prompt_tokens"] for r in good) if good else None,
                "median_cached_tokens": statistics.median(r["cached_tokens"] for r in good) if good else None,
            }
            if name == "embedded":
                continue
            pairs = [(row[name][phase], row["embedded"][phase]) for row in rows
                     if row[name][phase]["error"] is None and row["embedded"][phase]["error"] is None]
            ratios = [server["ms"] / embedded["ms"] for server, embedded in pairs if embedded["ms"] > 0]
            found[f"{name} {phase} ratio"] = {
                "n": len(ratios),
                "median": round(statistics.median(ratios), 2) if ratios else None,
                "p5": round(percentile(ratios, 0.05), 2) if ratios else None,
                "p95": round(percentile(ratios, 0.95), 2) if ratios else None,
                "same_text": round(sum(a["text"] == b["text"] for a, b in pairs) / len(pairs), 3)
                if pairs else None,
            }
    return found


def report(summary: dict, run: dict, names: list[str]) -> str:
    m = run["machine"]
    lines = [
        f"# Remote backend benchmark: {run['split']} split, {run['cases']} cases",
        "",
        f"- model: `{run['model']}` in every backend: the embedded worker (llama-cpp-python "
        f"{m['llama_cpp_python']}, n_ctx 2048, up to 2 threads, fewer while the cores are busy) and "
        f"llama-server on loopback ({run['server']}; `-np 2 -c 8192 --swa-full`, `-t` as named)",
        f"- machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['ram_gib']} GiB RAM; load average at start "
        f"{run['load_start']}, at the end {run['load_end']}; median 1-minute load after a case "
        f"{run['load_median']}, max {run['load_max']} ({m['nproc']} CPUs: above {m['nproc']} other work slowed "
        "every figure)",
        f"- run: started {run['started']}, {run['seconds']:.0f} s; logsmith's code: commit {run['commit']}",
        "- each case: logsmith's prompt and grammar at the site, asked cold (first request on the file) then "
        "cached (the same request again) of every backend, the backends' order rotating from case to case; "
        "wall time of `complete()` (for a server: the HTTP round trip included), nearest-rank percentiles",
        "",
        "| backend | request | n | errors | p50 ms | p95 ms | prompt tokens (median) | cached tokens (median) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in ("cold", "cached"):
        for name in names:
            x = summary[f"{name} {phase}"]
            lines.append(f"| {name} | {phase} | {x['n']} | {x['errors']} | {x['p50_ms']} | {x['p95_ms']} | "
                         f"{x['median_prompt_tokens']} | {x['median_cached_tokens']} |")
    lines += ["", "Paired with the embedded worker, case by case (the server's time / the embedded worker's; "
              "below 1: the server is faster; same text: both wrote the same continuation):", "",
              "| backend | request | pairs | median ratio | 5th to 95th percentile | same text |",
              "|---|---|---:|---:|---:|---:|"]
    for phase in ("cold", "cached"):
        for name in names[1:]:
            r = summary[f"{name} {phase} ratio"]
            same = f"{r['same_text'] * 100:.0f} %" if r["same_text"] is not None else "n/a"
            lines.append(f"| {name} | {phase} | {r['n']} | {r['median']} | {r['p5']} to {r['p95']} | {same} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.remote", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=corpus.BENCHMARK_SPLITS, default="dev")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--url", default=None, help="a running llama-server to measure (default: start them)")
    parser.add_argument("--threads", type=int, nargs="+", default=[2],
                        help="start one llama-server per thread count given (default: 2)")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default eval/reports/<date>)")
    args = parser.parse_args(argv)

    settings = Settings()
    choice = registry.resolve(settings)
    cases = ordered_cases(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), args.split))
    cases = cases[: args.limit]
    out = args.out or REPORTS_DIR / datetime.date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now().isoformat(timespec="seconds")
    clock = time.perf_counter()
    load_start = machine.load_average()
    servers: list[InferenceServer] = []
    urls = {"llama-server": args.url} if args.url else {}
    try:
        for threads in [] if args.url else args.threads:
            server = llama_server(choice.path, Path(tempfile.gettempdir()), threads=threads).start()
            urls[f"llama-server -t {threads}"] = server.url
            servers.append(server)
        backends: dict = {"embedded": model_engine.preload(Settings(model=str(choice.path)), timeout=300)}
        if backends["embedded"].state != "ready":
            raise SystemExit(f"the embedded model did not load: {backends['embedded'].last_error}")
        for name, url in urls.items():
            server = backends[name] = RemoteModel(endpoint.parse(url))
            server.start()
            if not server.wait_ready(60):
                raise SystemExit(f"{name} at {url}: {server.last_error}")
        names = list(backends)
        rows, loads = [], []
        for number, case in enumerate(cases):
            path, source = corpus.case_source(case)
            request = request_of(corpus.mask(source, case), path, settings)
            shift = number % len(names)
            order = names[shift:] + names[:shift]
            row: dict = {"case": case.id, **{name: {} for name in names}}
            for phase in ("cold", "cached"):
                for name in order:
                    row[name][phase] = ask(backends[name], request)
            rows.append(row)
            loads.append((machine.load_average() or [0.0])[0])
            print(f"{number + 1}/{len(cases)} {case.id}: "
                  + ", ".join(f"{n} {row[n]['cold']['ms']:.0f}/{row[n]['cached']['ms']:.0f} ms" for n in names),
                  file=sys.stderr)
    finally:
        for server in servers:
            server.stop()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "logsmith"], capture_output=True,
                           text=True).stdout.strip()
    run = {"split": args.split, "cases": len(rows), "model": choice.model_id,
           "server": args.url or "started by the benchmark",
           "machine": machine.describe(), "started": started, "seconds": time.perf_counter() - clock,
           "load_start": load_start, "load_end": machine.load_average(),
           "load_median": round(statistics.median(loads), 2) if loads else None,
           "load_max": max(loads) if loads else None,
           "commit": commit + (" with uncommitted changes to logsmith/" if dirty else "")}
    summary = summarise(rows, names)
    (out / "remote.json").write_text(json.dumps({"run": run, "summary": summary, "rows": rows}, indent=1) + "\n",
                                     encoding="utf-8")
    (out / "remote.md").write_text(report(summary, run, names), encoding="utf-8")
    print(report(summary, run, names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
