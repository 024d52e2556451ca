"""`logsmith suggest PATH...`: its arguments and the run from walking the files to the outputs."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from logsmith.batch.analyse import Task
from logsmith.batch.apply import apply_changes
from logsmith.batch.burst import escalate
from logsmith.batch.changes import plan_change
from logsmith.batch.cluster.outcome import ENGINES
from logsmith.batch.formats.diff import write_diff
from logsmith.batch.formats.jsonl import write_json_lines
from logsmith.batch.formats.review import review_document
from logsmith.batch.formats.sarif import write_sarif
from logsmith.batch.formats.text import write_text
from logsmith.batch.progress import Progress, indexing
from logsmith.batch.project import open_all
from logsmith.batch.runner import LOCAL, collect, run_on_cluster, run_tasks
from logsmith.batch.summary import BATCH_BUDGET_MS, Summary
from logsmith.syntax.batch_rules import RULES, unknown_rules
from logsmith.syntax.languages import SPECS
from logsmith.workspace.files import discover

EPILOG = (
    """\
rules (switch off with --rules or [tool.logsmith] rules = [...]; silence one place with
`# logsmith: ignore` or `# logsmith: ignore[rule]` on its line or on the function's def line; a
`// logsmith: ignore` comment in Java, Go, JavaScript and TypeScript):
"""
    + "\n".join(f"  {rule.id:<17} {rule.title}" for rule in RULES.values())
    + """

languages: the files of every language logsmith reads (Python, Java, Go, JavaScript, TypeScript)
unless --languages says which; test files of each (*_test.go, *Test.java, *.test.ts, *.spec.js,
__tests__/, src/test/, ...) are left out, and so are generated (`Code generated ... DO NOT EDIT.`)
and minified files. The project index below reads Python files only.

--apply safety: only the walked files are written, never a file reached through a symlink that leads
out of the project root; a file is written only if its bytes are still those that were read, and
only if the result parses in its language (tree-sitter finds no error; Python's compile() takes
it); writes are atomic (temporary file + rename) and keep encoding, BOM, line
endings and indentation. In a git work tree a file with uncommitted changes (or untracked) is \
refused
unless --force; files outside git, and forced ones, are first copied to $LOGSMITH_HOME/backups/.

proposals follow the project's own statements: the log statements of each project (the folder with
pyproject.toml, else the git work tree, holding the paths) are indexed first, kept in
$LOGSMITH_CACHE/index and reused for files that have not changed, and each proposal is planned,
and often worded, after the project's sites most like its own; the review lists them.
--no-project-index, or [tool.logsmith] project_index = false, reads each file on its own.

the model gets --budget-ms per statement (default """
    + str(BATCH_BUDGET_MS)
    + """ ms; the latency_budget_ms setting is the
editor's and does not apply here). A statement it does not write is a statement of the project
adapted at the site, or the template engine's; the summary and the review say how many and why,
and how much more time would help when time was short.

--executor dask|ray: the files of each project go in shards to the cluster's workers, which read
them from their own disks: the paths must be the same on every worker (a shared file system, or the
same checkout at the same place). Each worker loads the model once. The results come back here,
where the outputs are written and --apply writes the files as above. A shard whose worker fails or
is lost is tried once more, then reported (exit status 3). A cluster that cannot be started or
reached (bad --address, dask or ray not installed: pip install 'logsmith[cluster]') leaves the run
to --jobs local processes, and the summary says so.

--escalate-to URL (or [tool.logsmith] escalate_to) names a stronger model: after the pass over
every file, the statements the local model was least sure of (--escalate-percent of them, the
least sure first) are asked of it together, within the daily remote-token budget
(remote_tokens_per_day); a statement it writes that passes the checks replaces the local one
(source: its model, route remote), else the local one stays, and the summary says how many and
the tokens spent. The URL is sent code only under the same rule as --model.

exit status: 0 done; 1 with --check when there are suggestions, or when --apply left a file \
unwritten;
2 bad arguments (unknown rule, missing path, model not installed); 3 files lost on the cluster;
141 standard output was closed before everything was written (e.g. `| head`): the run stops
there, quietly.
"""
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to analyse")
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--diff", action="store_true", help="print a unified diff that `git apply` accepts"
    )
    output.add_argument(
        "--json", action="store_true", help="print JSON Lines, one suggestion per line"
    )
    output.add_argument("--sarif", action="store_true", help="print a SARIF 2.1.0 log")
    parser.add_argument(
        "--apply", action="store_true", help="write the suggestions into the files (see below)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="with --apply: also write files with uncommitted changes (backed up first)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when there are suggestions (for CI)"
    )
    parser.add_argument(
        "--review",
        metavar="FILE.md",
        type=Path,
        help="write a review document (Markdown) to FILE.md",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help="analyse files in N processes, each loading the model once (default 1; with "
        "--executor dask|ray and no --address: a local cluster of N workers, default 2)",
    )
    parser.add_argument(
        "--executor",
        choices=(LOCAL, *ENGINES),
        default=None,
        help="where the files are analysed: here (the default), or on a Dask or Ray cluster "
        f"(with --address alone: {ENGINES[0]})",
    )
    parser.add_argument(
        "--address",
        metavar="ADDR",
        help="the cluster to use (Dask: the scheduler, "
        "tcp://HOST:8786; Ray: the head node, HOST:6379); default: start a local one",
    )
    parser.add_argument(
        "--no-model", action="store_true", help="template statements only: fast, no model loaded"
    )
    parser.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help="model to use (a `logsmith model list` name or a GGUF path)",
    )
    parser.add_argument(
        "--escalate-to",
        metavar="URL",
        help="after the pass, ask this stronger model (an inference server's URL) again where the "
        "local model was least sure (see below)",
    )
    parser.add_argument(
        "--escalate-percent",
        type=int,
        metavar="N",
        help="with --escalate-to: the share (percent, 0 to 100) of the local model's statements "
        "asked again, the least sure first (default: [tool.logsmith] escalate_percent, else 20)",
    )
    parser.add_argument(
        "--no-project-index",
        action="store_true",
        help="do not index the project's log statements: each file is read on its own",
    )
    parser.add_argument(
        "--rules",
        metavar="A,B",
        help="run only these rules (default: [tool.logsmith] rules, else all)",
    )
    parser.add_argument(
        "--budget-ms",
        type=int,
        default=BATCH_BUDGET_MS,
        metavar="MS",
        help=f"longest time the model may spend on one statement (default {BATCH_BUDGET_MS})",
    )
    parser.add_argument(
        "--languages",
        metavar="A,B",
        help=f"read only the files of these languages ({', '.join(SPECS)}; "
        "typescript includes tsx); default: all",
    )
    parser.add_argument(
        "--include-tests",
        action="store_true",
        help="also read test files (tests/, test/, testing/, __tests__/, test_*.py, *_test.py, "
        "conftest.py, *_test.go, *Test.java, *.test.ts, *.spec.js, ...), left out by default",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar and no summary on stderr"
    )


def _rules_from(args) -> tuple[str, ...] | None:
    if args.rules is None:
        return None
    return tuple(name.strip() for name in args.rules.split(",") if name.strip())


def _languages_from(value: str | None) -> tuple[str, ...] | str:
    """The languages `--languages` names (`typescript` includes TSX), every language logsmith
    reads without it; or what is wrong with it."""
    if value is None:
        return tuple(SPECS)
    named = [name.strip().lower() for name in value.split(",") if name.strip()]
    wrong = [name for name in named if name not in SPECS]
    if wrong or not named:
        return (
            f"unknown language(s) {', '.join(wrong) or '(none given)'}; "
            f"languages are {', '.join(SPECS)}"
        )
    if "typescript" in named:
        named.append("tsx")
    return tuple(dict.fromkeys(named))


def _overrides(args, cli_rules) -> dict:
    changes = {"latency_budget_ms": args.budget_ms}
    if args.no_model:
        changes["use_model"] = False
    if args.model:
        changes["model"] = args.model
    if cli_rules is not None:
        changes["rules"] = cli_rules
    if args.no_project_index:
        changes["project_index"] = False
    if args.escalate_to:
        changes["escalate_to"] = args.escalate_to
    if args.escalate_percent is not None:
        changes["escalate_percent"] = args.escalate_percent
    return changes


def _model_of(settings) -> tuple[str, str | None]:
    """What the review calls the configured engine, and the model's id (None: template only)."""
    if not settings.use_model:
        return "template only (--no-model)", None
    from logsmith.model import backend, endpoint, registry, server_trust

    try:
        if backend.names_server(settings):
            server = endpoint.parse(settings.model or os.environ[registry.MODEL_ENV])
            server_trust.check(server)
            return (
                f"the inference server at {server}, {settings.latency_budget_ms} ms a statement "
                "(the template engine where it cannot answer)",
                server.base,
            )
        choice = registry.resolve(settings)
    except registry.ModelError as exc:
        raise SystemExit(
            f"logsmith suggest: the model cannot be used: {exc}\n"
            "(use --no-model for template-only suggestions)"
        ) from None
    return (
        f"{choice.model_id}, {settings.latency_budget_ms} ms a statement (the template engine "
        "where it cannot answer)",
        choice.model_id,
    )


def run(args) -> int:
    from logsmith import __version__

    started = time.perf_counter()
    err = sys.stderr
    executor = args.executor or (ENGINES[0] if args.address else LOCAL)
    distributed = executor != LOCAL
    jobs = args.jobs if args.jobs is not None else (2 if distributed else 1)
    if jobs < 1:
        err.write("logsmith suggest: --jobs must be at least 1\n")
        return 2
    if args.address and not distributed:
        err.write("logsmith suggest: --address needs a cluster: --executor dask or ray\n")
        return 2
    if args.budget_ms < 1:
        err.write("logsmith suggest: --budget-ms must be positive\n")
        return 2
    if args.escalate_percent is not None and not 0 <= args.escalate_percent <= 100:
        err.write("logsmith suggest: --escalate-percent must be from 0 to 100\n")
        return 2
    for named in (args.model, args.escalate_to):
        if named:
            from logsmith.model import server_trust

            server_trust.allow_from_command_line(named)  # named by the user: allowed
    languages = _languages_from(args.languages)
    if isinstance(languages, str):
        err.write(f"logsmith suggest: {languages}\n")
        return 2
    cli_rules = _rules_from(args)
    if cli_rules is not None:
        wrong = unknown_rules(cli_rules)
        if wrong or not cli_rules:
            err.write(
                f"logsmith suggest: unknown rule(s) {', '.join(wrong) or '(none given)'}; "
                f"rules are {', '.join(RULES)}\n"
            )
            return 2
    try:
        found = discover(
            args.paths,
            _overrides(args, cli_rules),
            include_tests=args.include_tests,
            languages=languages,
        )
    except FileNotFoundError as exc:
        err.write(f"logsmith suggest: {exc}\n")
        return 2
    for project in found.projects.values():
        for message in project.messages:
            err.write(f"logsmith suggest: {message}\n")
        wrong = unknown_rules(project.settings.rules)
        if wrong:
            err.write(
                f"logsmith suggest: {project.root}/pyproject.toml: "
                f"unknown rule(s) {', '.join(wrong)} in [tool.logsmith] rules; "
                f"rules are {', '.join(RULES)}\n"
            )
            return 2
    try:
        model_label, model_id = (
            _model_of(next(iter(found.projects.values())).settings)
            if found.projects
            else ("none", None)
        )
    except SystemExit as exc:
        err.write(f"{exc}\n")
        return 2

    show = None if not args.quiet else False
    # before the pool: workers started by fork inherit the indexes built here
    folders = {Path(os.path.normpath(Path(p).absolute())) for p in args.paths if Path(p).is_dir()}
    indexes = open_all(found.projects, args.no_project_index, indexing(err, show), folders)
    indexed = {use.key for use in indexes if use.ready}
    # N processes (local ones, or a local cluster's) each using every core would fight over them
    threads = (
        max(1, len(os.sched_getaffinity(0)) // jobs) if jobs > 1 and not args.address else None
    )
    tasks = [
        Task(
            str(t.path),
            t.display,
            str(t.project.root),
            # the stronger model is asked after the pass, in one burst
            t.project.settings.replace(escalate_to=None)
            if str(t.project.root) in indexed
            else t.project.settings.replace(project_index=False, escalate_to=None),
            t.project.settings.rules,
            threads,
            t.language,
        )
        for t in found.targets
    ]
    progress = Progress(len(tasks), err, enabled=show)
    cluster = None
    try:
        if distributed:
            cluster = run_on_cluster(tasks, executor, args.address, jobs, progress)
            results = cluster.results
        else:
            results = collect(run_tasks(tasks, jobs), progress)
    finally:
        progress.close()
    results, burst = escalate(
        results,
        {
            str(p.root): p.settings
            if str(p.root) in indexed
            else p.settings.replace(project_index=False)
            for p in found.projects.values()
        },
        args.budget_ms,
    )

    cwd = os.getcwd()
    needs_changes = args.diff or args.apply or args.review
    changes = {}
    if needs_changes:
        for result in results:
            change = plan_change(result)
            if change is not None:
                changes[result.path] = change

    out = sys.stdout
    if args.diff:
        out.flush()
        write_diff(list(changes.values()), out.buffer, cwd)
        out.buffer.flush()
    elif args.json:
        write_json_lines(results, out)
    elif args.sarif:
        write_sarif(results, out, __version__, cwd)
    else:
        write_text(results, out)
    out.flush()

    summary = Summary.of(
        results,
        found.skipped,
        time.perf_counter() - started,
        model=model_id,
        budget_ms=args.budget_ms,
        jobs=jobs,
    )
    summary.cluster = cluster.lines if cluster is not None else []
    summary.test_files = found.test_files
    summary.burst = burst
    summary.indexes = indexes
    status = 0
    if args.apply:
        for outcome in apply_changes(list(changes.values()), force=args.force):
            if outcome.written:
                summary.written += 1
            else:
                summary.not_written.append((outcome.display, outcome.reason))
        if summary.not_written:
            status = 1
    if args.review:
        document = review_document(
            results, changes, summary, paths=args.paths, model=model_label, version=__version__
        )
        try:
            args.review.parent.mkdir(parents=True, exist_ok=True)
            args.review.write_text(document, encoding="utf-8")
        except OSError as exc:
            err.write(f"logsmith suggest: cannot write {args.review}: {exc.strerror or exc}\n")
            status = 1
    summary.seconds = time.perf_counter() - started
    if not args.quiet:
        err.write(summary.text() + "\n")
        if args.review:
            err.write(f"  review written to {args.review}\n")
    if args.check and summary.suggestions:
        status = 1
    if cluster is not None and cluster.lost:
        status = 3
    return status
