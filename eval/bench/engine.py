"""Engine benchmark: `logsmith.suggest` on real corpus sites against the baselines.

For each case (the developer's statement masked out, cursor on the blank indented line) it asks
logsmith cold (first request on that file) then warm (after the stable part of its prompt was
evaluated, as the server does while the user pauses on the line), then the template
engine alone; each of the three also with the project index (`--project-index`, the default:
`logsmith_cold_index`, `logsmith_warm_index`, `template_index`), the workspace being the case's
project tree (eval.bench.workspace: one index per project and run, the cache off; the masked
text stands for the case's file in it, so the developer's statement is never a neighbour); then logsmith's prompt without the output grammar (eval.bench.unconstrained), then
the same model the way llama.vim asks (eval.bench.llama_vim), cold then warm; it scores every top
suggestion with eval.metrics (against the developer's statement, and whether it is valid and safe at the site)
and writes one JSON row per case, then the report. `--no-baseline` skips the
llama.vim way (7-10 s a case here), `--no-unconstrained` the model without its grammar (2 s),
`--no-project-index` the engines with the index. With LOGSMITH_NO_MODEL=1 every logsmith engine
is the template (no model is loaded): a quick check of the plan and the index.

    .venv/bin/python -m eval.bench.engine --split dev --limit 200

`--executor dask|ray [--address ADDR] [--jobs N]` runs the cases on a cluster, one task per project
(its cases in order, with the project's index built once on the worker, the model loaded once per
worker), logsmith's own engines only (with --no-baseline --no-unconstrained); the rows are those of
a local run, written as each project comes back.

Rows go to eval/reports/<date>/engine-cases.jsonl (engine-heldout-... for the held-out split,
...-typed-... for the `logger.` variant); a run that stops can be started again and skips the
cases already done (--fresh starts over). The report goes to engine.json / engine.md beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import logsmith
from eval import metrics
from eval.bench import llama_vim, machine, workspace
from eval.bench.unconstrained import UnconstrainedModel
from eval.checks import scope
from eval.corpus import build as corpus
from eval.corpus import sources
from eval.report import engine as engine_report

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"
ORDER_SEED = "logsmith-bench-1"
LOGSMITH_ENGINES = ("cold", "template")
"""logsmith's ways of asking besides the warm one (the first answer at a new site, the template
alone), which `--warm-only` skips."""
VARIANTS = {
    "blank": "on the blank indented line where the statement was",
    "typed": "after the typed logger and dot (`logger.`)",
}


def ordered_cases(cases: list[corpus.LogCase], seed: str = ORDER_SEED) -> list[corpus.LogCase]:
    """Projects taken in turn, each project's cases in a fixed shuffled order: any prefix of the
    list spreads over every project, and two consecutive cases never share a file's KV cache."""
    by_project = defaultdict(list)
    for case in cases:
        by_project[case.project].append(case)
    queues = []
    for project in sorted(by_project):
        queue = sorted(by_project[project], key=lambda case: (case.file, case.line))
        random.Random(f"{seed}:{project}").shuffle(queue)
        queues.append(queue)
    ordered = []
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def report_stem(split: str, variant: str) -> str:
    return "engine" + ("" if split == "dev" else f"-{split}") + ("" if variant == "blank" else f"-{variant}")


def ask_logsmith(masked: corpus.MaskedCase, path: Path, settings: logsmith.Settings, project=None) -> dict:
    """The top suggestion of one `logsmith.suggest` call (`suggest_stages`, which also gives what
    the model answered) and its wall time; an exception is recorded. `project`: the workspace's
    ProjectIndex (the masked text stands for `path` in it)."""
    from logsmith.pipeline import suggest_stages

    started = time.perf_counter()
    try:
        stages = suggest_stages(masked.source, masked.line, masked.character, path=str(path),
                                settings=settings, project=project)
    except Exception as exc:  # a bug in the engine must not stop the benchmark; it is counted
        return {"statement": None, "latency_ms": (time.perf_counter() - started) * 1000,
                "error": f"{type(exc).__name__}: {exc}"}
    elapsed = (time.perf_counter() - started) * 1000
    found = stages.suggestions
    if not found:
        return {"statement": None, "latency_ms": elapsed, "error": None, "source": None}
    top = found[0]
    return {"statement": top.statement, "latency_ms": elapsed, "error": None, "source": top.source,
            "level": top.level, "site_kind": top.site_kind, "notes": list(top.notes),
            "additional_edits": [edit.new_text for edit in top.additional_edits], "suggestions": len(found),
            **({"neighbours": list(top.neighbours)} if project is not None else {}),
            **model_answer(stages)}


def model_answer(stages) -> dict:
    """What the model answered on the way (its cost, and the evidence the routing confidence reads:
    `logsmith.engines.routing.Evidence`); nothing when it was not asked."""
    from logsmith.engines import routing

    written, plan = stages.written, stages.plan
    outcome = written.model if written is not None else None
    if outcome is None or plan is None:
        return {}
    completion = outcome.completion
    by_source = {candidate.source: candidate.statement for candidate in written.candidates}
    evidence = routing.evidence_of(completion.token_logprobs if completion else (), outcome.statement,
                                   stages.site, plan, template_statement=by_source.get("template"),
                                   neighbour_statement=by_source.get("neighbour"))
    answered = {} if completion is None else {
        "model": {"text": completion.text, "tokens": completion.tokens,
                  "prompt_tokens": completion.prompt_tokens,
                  "evaluated_tokens": completion.evaluated_tokens,
                  "seconds": completion.worker_seconds, "stopped_by": completion.stopped_by}}
    return {**answered, "routing": dataclasses.asdict(evidence)}


def own_site_neighbour(result: dict, case: corpus.LogCase, relative: str) -> bool:
    """Whether a suggestion followed the developer's own statement at the masked site (the disk copy
    of the case's file, `relative` to the workspace root, still holds it): what must never happen."""
    mark = f"{relative}:{case.line + 1}: "
    return any(text.startswith(mark) and text[len(mark):] == case.statement for text in result.get("neighbours", ()))


FORGET_PROMPT = "# a prompt that shares nothing with any site\n"


def forget(settings: logsmith.Settings) -> None:
    """Evaluate a prompt unrelated to any case, so the model's cache holds nothing of the next site:
    both cold requests of a case (without and with the index) then meet the same cache."""
    if not settings.use_model:
        return
    from logsmith.engines import model_engine

    model_engine.warm(FORGET_PROMPT, settings, budget_s=30)


def warm_up(masked: corpus.MaskedCase, settings: logsmith.Settings) -> float:
    """What an editor does while the user pauses on the line (the server warms on every change):
    the model evaluates the stable part of the prompt. Not counted in the warm request's latency;
    returns its wall time (what reading the site costs a model that has not read it)."""
    if not settings.use_model:
        return 0.0
    from logsmith.engines import model_engine
    from logsmith.pipeline import facts_of, site_at
    from logsmith.syntax.document import ParsedDocument

    document = ParsedDocument(masked.source)
    site = site_at(masked.source, masked.line, masked.character, document=document)
    started = time.perf_counter()
    model_engine.warm(model_engine.context_for(document, site, facts_of(document)), settings, budget_s=60)
    return time.perf_counter() - started


def ask_baseline(model: llama_vim.BaselineModel, masked: corpus.MaskedCase) -> dict:
    typed = masked.source.split("\n")[masked.line][: masked.character].strip()
    prompt = model.prompt(masked.source, masked.line, masked.character)
    started = time.perf_counter()
    try:
        completion = model.complete(prompt)
    except Exception as exc:  # a crashed or stuck worker is counted, and restarted by the next call
        return {"statement": None, "latency_ms": (time.perf_counter() - started) * 1000,
                "error": f"{type(exc).__name__}: {exc}"}
    return {"statement": llama_vim.statement_from(completion.text, typed),
            "latency_ms": completion.seconds * 1000,
            "error": None, "output": completion.text, "prompt_tokens": completion.prompt_tokens,
            "reused_tokens": completion.reused_tokens, "truncated_tokens": completion.truncated_tokens,
            "stopped_by": completion.stopped_by}


def ask_unconstrained(model: UnconstrainedModel, masked: corpus.MaskedCase, path: Path) -> dict:
    started = time.perf_counter()
    try:
        return model.ask(masked.source, masked.line, masked.character, path)
    except Exception as exc:  # a crashed or stuck worker is counted, and restarted by the next call
        return {"statement": None, "latency_ms": (time.perf_counter() - started) * 1000,
                "error": f"{type(exc).__name__}: {exc}"}


def run_case(case: corpus.LogCase, variant: str, settings: logsmith.Settings,
             model: llama_vim.BaselineModel | None,
             unconstrained: UnconstrainedModel | None = None,
             indexes: workspace.Indexes | None = None,
             engines: frozenset[str] = frozenset(LOGSMITH_ENGINES)) -> dict:
    """Every engine on one case, scored; with `indexes`, logsmith's engines also with the index of
    the case's project. `engines`: which of logsmith's ways of asking run besides the warm one
    (always asked)."""
    path, source = corpus.case_source(case)
    masked = corpus.mask_typed(source, case) if variant == "typed" else corpus.mask(source, case)
    built = indexes.for_case(case) if indexes is not None else None
    project = built.index if built is not None else None
    template_settings = settings.replace(use_model=False)
    results = {}
    if "cold" in engines:
        if project is not None:
            forget(settings)
        results["logsmith_cold"] = ask_logsmith(masked, path, settings)
        if project is not None:
            forget(settings)
            results["logsmith_cold_index"] = ask_logsmith(masked, path, settings, project)
    warm_up_s = warm_up(masked, settings)
    results["logsmith_warm"] = ask_logsmith(masked, path, settings)
    if project is not None:
        results["logsmith_warm_index"] = ask_logsmith(masked, path, settings, project)
    if "template" in engines:
        results["template"] = ask_logsmith(masked, path, template_settings)
        if project is not None:
            results["template_index"] = ask_logsmith(masked, path, template_settings, project)
        relative = Path(path).absolute().relative_to(built.root).as_posix()
        for result in results.values():
            if "neighbours" in result:
                result["own_site_neighbour"] = own_site_neighbour(result, case, relative)
    if unconstrained is not None:
        results["unconstrained"] = ask_unconstrained(unconstrained, masked, path)
    if model is not None:
        results["baseline_cold"] = ask_baseline(model, masked)
        results["baseline_warm"] = ask_baseline(model, masked)
    for result in results.values():
        added = scope.names_setup_binds(masked.source, result.get("additional_edits", []))
        score = metrics.score_case(result["statement"], masked.expected, masked.source, masked.line, frozenset(added))
        result["score"] = dataclasses.asdict(score)
    row = {
        "case": {"id": case.id, "project": case.project, "kind": case.kind, "level": case.level,
                 "file": case.file, "line": case.line, "function": case.function},
        "expected": masked.expected,
        "results": results,
        "warm_up_s": warm_up_s,
    }
    if built is not None:
        row["index"] = built.figures()
    return row


@dataclasses.dataclass(frozen=True)
class ProjectCases:
    """One project's cases, the unit of work of a run on a cluster."""

    project: str
    cases: tuple[corpus.LogCase, ...]
    variant: str
    settings: logsmith.Settings
    project_index: bool


def timed_case(case: corpus.LogCase, variant: str, settings: logsmith.Settings,
               model: llama_vim.BaselineModel | None, unconstrained: UnconstrainedModel | None,
               indexes: workspace.Indexes | None,
               engines: frozenset[str] = frozenset(LOGSMITH_ENGINES)) -> dict:
    """`run_case` with the time it took and the machine's load; a case whose source cannot be had
    gives `{"skipped": id, "error": why}`."""
    started = time.perf_counter()
    try:
        row = run_case(case, variant, settings, model, unconstrained, indexes, engines)
    except (corpus.CorpusError, sources.SourceError) as exc:
        return {"skipped": case.id, "error": str(exc)}
    row["elapsed_s"] = time.perf_counter() - started
    row["load_average"] = machine.load_average()
    return row


def run_project_cases(job: ProjectCases) -> list[dict]:
    """On a cluster's worker: a project's cases in order, with one index of the project."""
    indexes = workspace.Indexes() if job.project_index else None
    return [timed_case(case, job.variant, job.settings, None, None, indexes) for case in job.cases]


def by_project(cases: list[corpus.LogCase], variant: str, settings: logsmith.Settings,
               project_index: bool) -> list[ProjectCases]:
    grouped: dict[str, list[corpus.LogCase]] = defaultdict(list)
    for case in cases:
        grouped[case.project].append(case)
    return [ProjectCases(project, tuple(group), variant, settings, project_index)
            for project, group in grouped.items()]


def preload_quietly(settings: logsmith.Settings) -> None:
    """A cluster worker's preparation: load the model (what failed shows in its rows)."""
    if settings.use_model:
        _preload(settings)


def _progress(index: int, total: int, row: dict) -> str:
    results = row["results"]
    parts = [f"[{index}/{total}] {row['case']['id']}"]
    for engine in engine_report.ENGINES:
        if engine in results:
            parts.append(f"{engine}={results[engine]['latency_ms']:.0f}ms")
    parts.append(f"-> {results['logsmith_warm']['statement']!r}")
    return " ".join(parts)


def _existing_rows(path: Path, run_key: dict, fresh: bool) -> list[dict]:
    if fresh or not path.exists():
        return []
    rows = engine_report.load_rows(path)
    for row in rows:
        if {k: row["run"].get(k) for k in run_key} != run_key:
            raise SystemExit(f"{path} holds rows of another run ({row['run']}); use --fresh to start over "
                             f"or --out for another folder")
    return rows


def _preload(settings: logsmith.Settings) -> str:
    """Load logsmith's model before timing anything (as the server does at start-up)."""
    from logsmith.engines import model_engine

    started = time.perf_counter()
    try:
        worker = model_engine.preload(settings, timeout=300.0)
    except Exception as exc:  # reported; logsmith then answers from its template and the report shows it
        return f"logsmith's model did not load: {exc}"
    if worker.state != "ready":
        return f"logsmith's model is {worker.state}: {worker.last_error}"
    return f"logsmith's model loaded in {time.perf_counter() - started:.1f} s"


def _on_cluster(args, todo: list[corpus.LogCase], settings: logsmith.Settings, record):
    """Run `todo` on the cluster, `record`ing each row as its project comes back: (the cases left
    to run here, what to say of the cluster). A cluster that cannot be reached leaves them all."""
    import functools

    from logsmith.batch.cluster import ClusterUnavailable, run_items

    jobs = by_project(todo, args.variant, settings, args.project_index)
    try:
        outcomes, report = run_items(
            args.executor, args.address, jobs, run_project_cases,
            functools.partial(preload_quietly, settings), args.jobs,
            [f"project {job.project} ({len(job.cases)} cases)" for job in jobs],
            lambda outcome: [record(row) for row in outcome.value])
    except ClusterUnavailable as exc:
        return todo, f"{args.executor}: {exc}; running here instead"
    lost = [case for outcome in outcomes if outcome.lost for case in jobs[outcome.item].cases]
    said = "; ".join(report.lines())
    if lost:
        said += f"; {len(lost)} cases of lost projects run here"
    return lost, said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.engine",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=corpus.BENCHMARK_SPLITS, default="dev")
    parser.add_argument("--limit", type=int, default=None, help="first N cases of the split's fixed order")
    parser.add_argument("--variant", choices=tuple(VARIANTS), default="blank")
    parser.add_argument("--model", default=None, help="registry name or GGUF path (default: logsmith's default)")
    parser.add_argument("--budget-ms", type=int, default=logsmith.Settings.latency_budget_ms, metavar="MS",
                        help="longest a request waits for the model (default: the setting's %(default)s ms)")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default eval/reports/<date>)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the llama.vim-style baseline")
    parser.add_argument("--no-unconstrained", action="store_true", help="skip logsmith's prompt without the grammar")
    parser.add_argument("--prefix-lines", type=int, default=llama_vim.PREFIX_LINES,
                        help="lines before the cursor in the baseline's prompt (llama.vim: 256)")
    parser.add_argument("--suffix-lines", type=int, default=llama_vim.SUFFIX_LINES,
                        help="lines after the cursor in a FIM baseline prompt (llama.vim: 64)")
    parser.add_argument("--project-index", action=argparse.BooleanOptionalAction, default=True,
                        help="also ask logsmith's engines with the index of the case's project (default: on)")
    parser.add_argument("--warm-only", action="store_true",
                        help="ask logsmith only after a pause (skip the cold first answer and the template alone)")
    parser.add_argument("--fresh", action="store_true", help="discard rows of an earlier run in the same folder")
    parser.add_argument("--executor", choices=("local", "dask", "ray"), default=None,
                        help="run the cases here (default) or on a Dask or Ray cluster, one task per project "
                             "(with --address alone: dask)")
    parser.add_argument("--address", default=None,
                        help="the cluster (Dask scheduler or Ray head node); default: start a local one")
    parser.add_argument("--jobs", type=int, default=2, help="workers of a local cluster (default 2)")
    args = parser.parse_args(argv)
    args.executor = args.executor or ("dask" if args.address else "local")
    distributed = args.executor != "local"
    if distributed and not (args.no_baseline and args.no_unconstrained):
        parser.error("on a cluster only logsmith's engines run: add --no-baseline --no-unconstrained")
    if args.address and not distributed:
        parser.error("--address needs a cluster: --executor dask or ray")

    from logsmith.model import registry
    from logsmith.model.backend import names_server
    from logsmith.model.client import shutdown_workers
    from logsmith.settings import from_environment

    settings = from_environment(logsmith.Settings(model=args.model, latency_budget_ms=args.budget_ms))
    if names_server(settings):  # a server's model: named by its URL, its file is not here
        if not (args.no_baseline and args.no_unconstrained):
            parser.error("a server's model runs only logsmith's engines: add --no-baseline --no-unconstrained")
        choice, model_id, model_sha256 = None, str(settings.model), None
    else:
        try:
            choice = registry.resolve(settings)
        except registry.ModelError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        model_id, model_sha256 = choice.model_id, choice.sha256
    projects = corpus.load_projects()
    cases = ordered_cases(corpus.cases_for_split(corpus.load_cases(), projects, args.split))
    if args.limit is not None:
        cases = cases[: args.limit]
    out = args.out or REPORTS_DIR / datetime.date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    stem = report_stem(args.split, args.variant)
    rows_path = out / f"{stem}-cases.jsonl"
    run_key = {"split": args.split, "variant": args.variant, "model_sha256": model_sha256,
               "latency_budget_ms": args.budget_ms,
               "baseline": None if args.no_baseline else f"{args.prefix_lines} lines before, {args.suffix_lines} after",
               "unconstrained": not args.no_unconstrained, "project_index": args.project_index,
               "use_model": settings.use_model,
               **({"warm_only": True} if args.warm_only else {})}
    rows = _existing_rows(rows_path, run_key, args.fresh)
    if args.fresh and rows_path.exists():
        rows_path.unlink()
    done = {row["case"]["id"] for row in rows}
    run = {**run_key, "model_id": model_id, "variant_description": VARIANTS[args.variant],
           "started": datetime.datetime.now().isoformat(timespec="seconds"), "limit": args.limit}
    described = machine.describe()
    todo = [case for case in cases if case.id not in done]
    print(f"{len(cases)} cases ({len(cases) - len(todo)} already done) -> {rows_path}", file=sys.stderr)

    model = unconstrained = None
    indexes = workspace.Indexes() if args.project_index else None
    try:
        if todo and not distributed:
            if settings.use_model:
                print(_preload(settings), file=sys.stderr)
            else:
                print("LOGSMITH_NO_MODEL=1: logsmith answers from its template only", file=sys.stderr)
            if not args.no_unconstrained:
                try:
                    unconstrained = UnconstrainedModel(settings)
                except RuntimeError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
            if not args.no_baseline:
                try:
                    model = llama_vim.BaselineModel(choice, prefix_lines=args.prefix_lines,
                                                   suffix_lines=args.suffix_lines)
                except RuntimeError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
        with open(rows_path, "a", encoding="utf-8") as sink:
            def record(row: dict) -> None:
                if "skipped" in row:
                    print(f"skipping {row['skipped']}: {row['error']}", file=sys.stderr)
                    return
                row["run"] = run
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                sink.flush()
                rows.append(row)
                print(_progress(len(rows) - before, len(todo), row), file=sys.stderr)

            before = len(rows)
            here = todo
            if distributed and todo:
                here, said = _on_cluster(args, todo, settings, record)
                print(said, file=sys.stderr)
                if here and settings.use_model:
                    print(_preload(settings), file=sys.stderr)
            for case in here:
                record(timed_case(case, args.variant, settings, model, unconstrained, indexes,
                                  frozenset() if args.warm_only else frozenset(LOGSMITH_ENGINES)))
    except KeyboardInterrupt:
        print("interrupted: reporting the cases done so far", file=sys.stderr)
    finally:
        if model is not None:
            model.close()
        shutdown_workers()

    wanted = {case.id for case in cases}
    rows = [row for row in rows if row["case"]["id"] in wanted]
    if not rows:
        print("no cases were run", file=sys.stderr)
        return 1
    run["elapsed_s"] = sum(row.get("elapsed_s", 0.0) for row in rows)
    described["load_average_end"] = machine.load_average()
    report = engine_report.summarise(rows, run, described)
    print(engine_report.write(report, out / f"{stem}.json", out / f"{stem}.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
