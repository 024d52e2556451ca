"""Batch-mode benchmark: throughput of `logsmith suggest` on a real project, and how well its sites
match where the project's developers log in except handlers.

    .venv/bin/python -m eval.bench.batch                      # gunicorn 27.0.1, the default
    .venv/bin/python -m eval.bench.batch --project pip==26.3 --model-sites 0
    .venv/bin/python -m eval.bench.batch --tree ~/src/some-repo       # any languages: files/s only

1. Throughput, `--no-model`: files per second of the real command over the whole project (wall
   time of the process, start-up included), with --jobs 1 and --jobs 2, best and median of a few runs.
2. Throughput with the model: sites per second over a sample of files holding about --model-sites
   sites, with --jobs 1 and --jobs 2 (wall time, model loading included), and the per-statement
   latency the command reports.
3. Recall / precision against the developers: a copy of the project has every log statement inside
   an except handler masked (blanked; `pass` where the block would be empty; line numbers unchanged).
   Batch mode then runs on the copy (`--no-model`: where it proposes does not depend on the model).
   Recall = masked handlers that get a proposal inside them / masked handlers.
   Precision = proposals that land inside a masked handler / proposals (all rules, and the three
   except-handler rules alone; only except-handler logs are masked, so the first is a lower bound).

The project's runs read its Python files only (`--languages python`), so the figures stay those of a
Python project whatever else the sdist ships. `--tree FOLDER` measures only the `--no-model`
throughput over a local folder of any languages logsmith reads (files per language, files/s with
--jobs 1 and 2), printed, not written to the reports.

The sdist is fetched with `pip download` once (eval.corpus.sources, cached in
~/.cache/logsmith/eval-sources). The Markdown report goes to stdout and to
eval/reports/<date>/batch-<project>.md, numbers to .json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from eval.bench import machine
from eval.corpus.sources import project_tree
from logsmith.suggestion import INSTANT_SOURCES

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"
DEFAULT_PROJECT = "gunicorn==27.0.1"
EXCEPT_RULES = ("retry_loop", "except_converted", "except_swallowed")
LEVEL_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
SAMPLE_SEED = "logsmith-batch-bench-1"


# --- running the real command -------------------------------------------------------------------


@dataclass
class CommandRun:
    seconds: float
    records: list[dict]
    stderr: str


def run_suggest(args: list[str], cwd: Path, timeout: float = 3600) -> CommandRun:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "logsmith.cli", "suggest", *args], cwd=cwd, capture_output=True,
                          timeout=timeout)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"logsmith suggest {' '.join(args)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines() if line.strip()]
    return CommandRun(seconds, records, done.stderr.decode("utf-8", "replace"))


def walked_files(stderr: str) -> int:
    """Files analysed + skipped, from the end-of-run summary."""
    line = next(line for line in stderr.splitlines() if "files analysed" in line)
    words = line.replace(",", "").split()
    return int(words[words.index("files") - 1]) + int(words[words.index("skipped") - 1])


# --- masking the developers' except-handler logs ------------------------------------------------


@dataclass
class MaskedHandler:
    file: str
    start_line: int
    """0-based line of the `except`."""
    end_line: int
    kind: str
    """What the handler does once its logs are gone: swallows, converts, re-raises."""


@dataclass
class Masking:
    handlers: list[MaskedHandler] = field(default_factory=list)
    statements: int = 0
    handlers_seen: int = 0
    handlers_with_logs: int = 0
    not_maskable: int = 0


def _enclosing_handler(node):
    node = node.parent
    while node is not None:
        if node.type == "except_clause":
            return node
        if node.type in ("function_definition", "class_definition", "lambda"):
            return None
        node = node.parent
    return None


def _is_log_call(call) -> bool:
    function = call.child_by_field_name("function")
    if function is None or function.type != "attribute":
        return False
    method = function.child_by_field_name("attribute")
    return method is not None and method.text.decode() in LEVEL_METHODS


def _handler_kind(handler) -> str:
    raises = []
    stack = list(handler.named_children)
    while stack:
        node = stack.pop()
        if node.type == "raise_statement":
            raises.append(node)
        elif node.type not in ("function_definition", "class_definition", "lambda"):
            stack.extend(node.named_children)
    if not raises:
        return "swallows"
    return "converts" if any(r.named_children for r in raises) else "re-raises"


def mask_file(text: str, name: str, masking: Masking) -> str:
    """`text` with the log statements of its except handlers blanked; the handlers go to `masking`."""
    from logsmith.syntax.document import ParsedDocument
    from logsmith.syntax.languages import captures, matches
    from logsmith.syntax.batch_rules import syntax_error_line

    document = ParsedDocument(text)
    root = document.tree.root_node
    if syntax_error_line(document) is not None:
        return text
    handlers = {m["handler"][0].id: m["handler"][0] for m in matches("rules/except_swallowed", root)}
    masking.handlers_seen += len(handlers)
    by_handler: dict[int, list] = {}
    for call in captures("rules/_reporting_calls", root).get("report", []):
        handler = _enclosing_handler(call)
        if handler is not None and _is_log_call(call):
            by_handler.setdefault(handler.id, []).append(call)
    masking.handlers_with_logs += len(by_handler)
    lines = text.split("\n")
    masked = []
    for handler_id, calls in by_handler.items():
        statements = []
        for call in calls:
            statement = call.parent
            alone = (statement.type == "expression_statement" and statement.named_child_count == 1
                     and statement.parent is not None and statement.parent.type == "block")
            if alone:
                start_row, end_row = statement.start_point[0], statement.end_point[0]
                prefix = lines[start_row][: statement.start_point[1]]
                after = statement.next_named_sibling
                alone = not prefix.strip() and not (after is not None and after.start_point[0] == end_row and after.type != "comment")
            if not alone:
                break
            statements.append(statement)
        else:
            handler = handlers[handler_id]
            masked.append((handler, statements))
            continue
        masking.not_maskable += 1
    blanked = {s.id for _, statements in masked for s in statements}
    for handler, statements in masked:
        for statement in statements:
            for row in range(statement.start_point[0], statement.end_point[0] + 1):
                lines[row] = ""
        masking.statements += len(statements)
        masking.handlers.append(MaskedHandler(name, handler.start_point[0], handler.end_point[0], "?"))
    # A block left without statements gets `pass` where its first blanked statement was.
    blocks = {}
    for _, statements in masked:
        for statement in statements:
            blocks.setdefault(statement.parent.id, statement.parent)
    for block in blocks.values():
        remaining = [c for c in block.named_children if c.type != "comment" and c.id not in blanked]
        if not remaining:
            first = min((c for c in block.named_children if c.id in blanked), key=lambda c: c.start_point[0])
            lines[first.start_point[0]] = " " * first.start_point[1] + "pass"
    result = "\n".join(lines)
    if masked and syntax_error_line(ParsedDocument(result)) is not None:
        raise RuntimeError(f"{name}: masking broke the file; this is a bug of the benchmark")
    # What each masked handler does once its logs are gone (re-parse: the masked text is what batch mode sees).
    if masked:
        masked_root = ParsedDocument(result).tree.root_node
        by_line = {m["handler"][0].start_point[0]: m["handler"][0] for m in matches("rules/except_swallowed", masked_root)}
        for entry in masking.handlers[-len(masked):]:
            entry.kind = _handler_kind(by_line[entry.start_line]) if entry.start_line in by_line else "?"
    return result


def mask_tree(source: Path, target: Path) -> Masking:
    masking = Masking()
    shutil.copytree(source, target)
    for path in sorted(target.rglob("*.py")):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        masked = mask_file(text, path.relative_to(target).as_posix(), masking)
        if masked != text:
            path.write_text(masked, encoding="utf-8")
    return masking


def files_read(tree: Path, include_tests: bool) -> set[str]:
    """The files `logsmith suggest .` reads in `tree`, as it names them."""
    from logsmith.workspace.files import discover

    return {target.display for target in discover(["."], cwd=tree, include_tests=include_tests).targets}


def score(masking: Masking, records: list[dict], read: set[str]) -> dict:
    """Recall over the masked handlers of the files batch mode read, precision over its proposals
    (all, and the except-handler rules)."""
    by_file: dict[str, list[MaskedHandler]] = {}
    handlers = [h for h in masking.handlers if h.file in read]
    for handler in handlers:
        by_file.setdefault(handler.file, []).append(handler)
    recovered: set[int] = set()
    hits = Counter()
    totals = Counter()
    for record in records:
        line = record["range"]["start"]["line"]
        inside = [h for h in by_file.get(record["file"], []) if h.start_line < line <= h.end_line]
        group = "except rules" if record["rule"] in EXCEPT_RULES else "other rules"
        totals["all"] += 1
        totals[group] += 1
        totals[record["rule"]] += 1
        if inside:
            innermost = max(inside, key=lambda h: h.start_line)
            recovered.add(id(innermost))
            hits["all"] += 1
            hits[group] += 1
            hits[record["rule"]] += 1
    kinds = Counter(h.kind for h in handlers)
    recovered_kinds = Counter(h.kind for h in handlers if id(h) in recovered)
    return {
        "files_read": len(read),
        "masked_handlers": len(handlers),
        "recovered_handlers": len(recovered),
        "recall": len(recovered) / len(handlers) if handlers else None,
        "recall_by_kind": {kind: {"masked": kinds[kind], "recovered": recovered_kinds[kind]} for kind in sorted(kinds)},
        "proposals": dict(totals),
        "proposals_at_developer_logs": dict(hits),
        "precision_all": hits["all"] / totals["all"] if totals["all"] else None,
        "precision_except_rules": hits["except rules"] / totals["except rules"] if totals["except rules"] else None,
    }


# --- throughput ---------------------------------------------------------------------------------


def sample_files(records: list[dict], wanted_sites: int) -> list[str]:
    """Files, in a fixed shuffled order, until they hold at least `wanted_sites` sites."""
    per_file = Counter(r["file"] for r in records)
    files = sorted(per_file)
    random.Random(SAMPLE_SEED).shuffle(files)
    chosen, sites = [], 0
    for name in files:
        if sites >= wanted_sites:
            break
        if per_file[name] > max(4, wanted_sites // 4):
            continue  # keep the sample spread over several files
        chosen.append(name)
        sites += per_file[name]
    return sorted(chosen)


def no_model_throughput(tree: Path, jobs: int, repeats: int, languages: str | None = "python") -> dict:
    """Files per second of `logsmith suggest --no-model` over `tree`; `languages`: its --languages
    (None: every language)."""
    only = ["--languages", languages] if languages else []
    runs = [run_suggest(["--no-model", "--include-tests", "--json", "--jobs", str(jobs), *only, "."], cwd=tree)
            for _ in range(repeats)]
    files = walked_files(runs[0].stderr)
    seconds = [r.seconds for r in runs]
    return {
        "jobs": jobs, "files": files, "sites": len(runs[0].records), "runs": repeats,
        "best_s": min(seconds), "median_s": statistics.median(seconds),
        "files_per_s_best": files / min(seconds), "files_per_s_median": files / statistics.median(seconds),
    }


def model_throughput(tree: Path, files: list[str], jobs: int, budget_ms: int) -> dict:
    run = run_suggest(["--json", "-q", "--include-tests", "--jobs", str(jobs), "--budget-ms", str(budget_ms), *files], cwd=tree)
    latencies = sorted(r["latency_ms"] for r in run.records)
    by_model = sum(1 for r in run.records if r["source"] not in INSTANT_SOURCES)
    return {
        "jobs": jobs, "files": len(files), "sites": len(run.records), "seconds": run.seconds,
        "sites_per_s": len(run.records) / run.seconds if run.seconds else 0.0,
        "by_model": by_model,
        "latency_p50_ms": statistics.median(latencies) if latencies else None,
        "latency_p95_ms": latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
    }


# --- report -------------------------------------------------------------------------------------


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def markdown(result: dict) -> str:
    m = result["machine"]
    out = [
        f"# Batch mode benchmark: {result['project']}",
        "",
        f"{result['date']}. Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Python {m['python']}, "
        f"llama-cpp-python {m['llama_cpp_python']}; load average {m['load_average']} at the start, "
        f"{result['load_after']} at the end (the machine is shared: other work runs on the same cores).",
        f"Project: {result['python_files']} Python files in the sdist.",
        "",
        "## Throughput",
        "",
        "| run | jobs | files | sites | time (s) | rate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["no_model"]:
        out.append(f"| --no-model, whole project (best of {row['runs']}) | {row['jobs']} | {row['files']} | {row['sites']} | "
                   f"{row['best_s']:.2f} | **{row['files_per_s_best']:.0f} files/s** (median {row['files_per_s_median']:.0f}) |")
    for row in result["model"]:
        out.append(f"| model, {row['files']}-file sample (load included) | {row['jobs']} | {row['files']} | {row['sites']} | "
                   f"{row['seconds']:.1f} | **{row['sites_per_s']:.2f} sites/s** (p50 {row['latency_p50_ms']:.0f} ms, "
                   f"p95 {row['latency_p95_ms']:.0f} ms per statement; {row['by_model']} by the model) |")
    out += [
        "",
        "Rates are of the whole `logsmith suggest --include-tests` process over every Python file of the sdist "
        "(interpreter start-up, walk, parse, rules, statements, output).",
        "",
        "## Recall and precision against the developers' except-handler logs",
        "",
        f"{result['handlers_seen']} except handlers; {result['handlers_with_logs']} hold a log statement; "
        f"{result['masked_handlers']} were masked ({result['masked_statements']} statements blanked; {result['not_maskable']} "
        "left alone because a log call was not a statement of its own). Batch mode ran with `--no-model` on the masked copy "
        "(where it proposes does not depend on the model), once as it runs by default (test files left out) and once "
        "with `--include-tests`. Recall counts the masked handlers of the files it read.",
        "",
        "| measure | default | --include-tests |",
        "|---|---:|---:|",
    ]
    d, t = result["recall_precision"]["default"], result["recall_precision"]["include_tests"]

    def both(key, hit_key=None, total_key=None):
        cells = []
        for s in (d, t):
            if hit_key is None:
                cells.append(f"**{_pct(s[key])}** ({s['recovered_handlers']} / {s['masked_handlers']})")
            else:
                cells.append(f"**{_pct(s[key])}** ({s['proposals_at_developer_logs'].get(hit_key, 0)} / {s['proposals'].get(total_key, 0)})")
        return " | ".join(cells)

    out += [
        f"| files read | {d['files_read']} | {t['files_read']} |",
        f"| recall: masked handlers that get a proposal inside them | {both('recall')} |",
        f"| precision, except-handler rules: their proposals that land where a developer logged | {both('precision_except_rules', 'except rules', 'except rules')} |",
        f"| precision, all rules (a lower bound: only except-handler logs were masked) | {both('precision_all', 'all', 'all')} |",
        "",
        "| masked handler, once its log is gone (default run) | masked | recovered | recall |",
        "|---|---:|---:|---:|",
    ]
    for kind, counts in d["recall_by_kind"].items():
        share = counts["recovered"] / counts["masked"] if counts["masked"] else None
        out.append(f"| {kind} | {counts['masked']} | {counts['recovered']} | {_pct(share)} |")
    out += ["", "| rule (default run) | proposals on the masked copy | at a developer's log | share |", "|---|---:|---:|---:|"]
    for rule in ("retry_loop", "except_converted", "except_swallowed", "error_return", "io_call"):
        total = d["proposals"].get(rule, 0)
        hit = d["proposals_at_developer_logs"].get(rule, 0)
        out.append(f"| {rule} | {total} | {hit} | {_pct(hit / total if total else None)} |")
    out += [
        "",
        "A handler that re-raises (`raise` alone) is not flagged by design: logging there and again where the "
        "exception is finally handled logs one failure twice.",
    ]
    return "\n".join(out) + "\n"


def tree_throughput(tree: Path, repeats: int) -> int:
    """`--tree`: the --no-model throughput over a copy of a local folder, every language read."""
    from logsmith.syntax.languages import language_of_path

    with tempfile.TemporaryDirectory(prefix="logsmith-bench-tree-") as scratch:
        work = Path(scratch) / tree.resolve().name
        shutil.copytree(tree, work, symlinks=True, ignore=shutil.ignore_patterns(".git", "node_modules"))
        languages = Counter(language_of_path(p) for p in work.rglob("*") if p.is_file())
        languages.pop(None, None)
        print(f"{tree}: {dict(sorted(languages.items()))} files by language", file=sys.stderr)
        runs = [no_model_throughput(work, jobs, repeats, languages=None) for jobs in (1, 2)]
    print("| jobs | files walked | sites | best s | files/s (best) | files/s (median) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        print(f"| {run['jobs']} | {run['files']} | {run['sites']} | {run['best_s']:.2f} | "
              f"{run['files_per_s_best']:.0f} | {run['files_per_s_median']:.0f} |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.batch",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default=DEFAULT_PROJECT, help="NAME==VERSION of an sdist on PyPI (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per --no-model measurement (default %(default)s)")
    parser.add_argument("--model-sites", type=int, default=24, help="sites in the model sample; 0 skips the model runs")
    parser.add_argument("--budget-ms", type=int, default=10_000, help="per-statement model budget (default %(default)s)")
    parser.add_argument("--output", type=Path, help="Markdown report path (default eval/reports/<date>/batch-<project>.md)")
    parser.add_argument("--tree", type=Path, help="a local folder of any languages: only the --no-model throughput "
                        "over it, printed")
    args = parser.parse_args(argv)
    if args.tree is not None:
        return tree_throughput(args.tree, args.repeats)
    name, _, version = args.project.partition("==")
    if not version:
        parser.error("--project must be NAME==VERSION")

    load_before = machine.describe()
    tree = project_tree(name, version)
    tops = [p for p in tree.iterdir() if p.is_dir()]
    source = tops[0] if len(tops) == 1 else tree
    with tempfile.TemporaryDirectory(prefix="logsmith-bench-batch-") as scratch:
        work = Path(scratch) / source.name
        shutil.copytree(source, work)
        python_files = sum(1 for p in work.rglob("*.py") if p.is_file())
        print(f"{args.project}: {python_files} Python files", file=sys.stderr)

        no_model = [no_model_throughput(work, jobs, args.repeats) for jobs in (1, 2)]
        print(f"--no-model: {[round(r['files_per_s_best']) for r in no_model]} files/s (jobs 1, 2)", file=sys.stderr)

        model = []
        if args.model_sites > 0:
            listing = run_suggest(["--no-model", "--json", "-q", "--include-tests", "--languages", "python", "."],
                                  cwd=work)
            files = sample_files(listing.records, args.model_sites)
            for jobs in (1, 2):
                model.append(model_throughput(work, files, jobs, args.budget_ms))
                print(f"model, jobs {jobs}: {model[-1]['sites_per_s']:.2f} sites/s", file=sys.stderr)

        masked_tree = Path(scratch) / "masked"
        masking = mask_tree(source, masked_tree)
        scores = {}
        for key, extra in (("default", []), ("include_tests", ["--include-tests"])):
            masked_run = run_suggest(["--no-model", "--json", "-q", "--languages", "python", *extra, "."],
                                     cwd=masked_tree)
            scores[key] = score(masking, masked_run.records, files_read(masked_tree, bool(extra)))

    date = datetime.date.today().isoformat()
    result = {
        "project": args.project, "date": date, "python_files": python_files, "machine": load_before,
        "load_after": machine.describe()["load_average"], "no_model": no_model, "model": model,
        "recall_precision": scores, "handlers_seen": masking.handlers_seen,
        "handlers_with_logs": masking.handlers_with_logs, "not_maskable": masking.not_maskable,
        "masked_handlers": len(masking.handlers), "masked_statements": masking.statements,
    }
    report = markdown(result)
    output = args.output or REPORTS_DIR / date / f"batch-{name}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    output.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(report)
    print(f"report: {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
