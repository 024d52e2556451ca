"""The adoption benchmark: each corpus case through the real language server, driven the way an
editor drives it, and through the three baselines, in one run.

For each case (the held-out and dev splits interleaved, each in its fixed order):

1. **template engine alone**: `logsmith.suggest(..., Settings(use_model=False))` on the masked file.
2. **logsmith, through `logsmith serve`** (one server for the whole run, default settings, the default
   model, started and loaded first): the editor opens the file as it was before the developer wrote
   the statement (its lines removed), pauses, presses Enter at the end of the line above (an indented
   empty line appears), pauses, invokes inline completion there; then types the logger, and a
   keystroke later the dot, and takes the completion list. The top item of each answer is scored.
   A developer who accepts exactly the acceptable suggestions is simulated: the item's
   `logsmith.accept` command is run, so the server's audit store records it as `logsmith report` reads it.
   The server and its model worker are left to go idle before anything else runs.
3. **the model without the output constraint** (`eval.bench.unconstrained`): logsmith's prompt, no
   grammar.
4. **the llama.vim way** (`eval.bench.llama_vim`): FIM / prefix prompt of 256 lines before and 64
   after, asked cold, then warm (the same prompt again).

Resident memory of the server process plus its model worker is sampled from /proc all along; the
CPU time of the server tree is read per case. One JSON row per case goes to `suite-cases.jsonl`
(a stopped run resumes where it stopped; `--fresh` starts over), one record per session to
`suite-run.json`; `eval.report.files` turns them into report.json / report.md / report.html.

    .venv/bin/python -m eval.bench.adoption --limit 5 --out /tmp/suite
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import logsmith
from eval import metrics
from eval.bench import engine as bench_engine
from eval.bench import llama_vim, machine, process_stats
from eval.bench.editor_client import Editor, server_command, utf16_length
from eval.bench.unconstrained import UnconstrainedModel
from eval.checks import scope
from eval.corpus import build as corpus
from eval.corpus import sources
from eval.report import files as report_files
from eval.report.files import CASES_FILE, RUN_FILE
from eval.report.rows import load_rows

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"
REQUEST_TIMEOUT_S = 60.0
MODEL_LOAD_TIMEOUT_S = 300.0
IDLE_TIMEOUT_S = 6.0


@dataclass(frozen=True)
class Options:
    out: Path
    limit: int | None = None
    """Cases per split (None: all of them)."""
    splits: tuple[str, ...] = ("heldout", "dev")
    fresh: bool = False
    model: str | None = None
    pause_open_s: float = 1.0
    """Reading the file after opening it."""
    pause_line_s: float = 2.0
    """On the new empty line, before inline completion is invoked."""
    keystroke_s: float = 0.1
    """Between typing the logger and the dot."""
    prefix_lines: int = llama_vim.PREFIX_LINES
    suffix_lines: int = llama_vim.SUFFIX_LINES


def select_cases(limit: int | None, splits: tuple[str, ...]) -> list[tuple[str, corpus.LogCase]]:
    """(split, case) pairs: each split's first `limit` cases in the benchmark's fixed order, the splits
    interleaved so that a run stopped early still covers both."""
    projects = corpus.load_projects()
    cases = corpus.load_cases()
    queues = []
    for split in splits:
        ordered = bench_engine.ordered_cases(corpus.cases_for_split(cases, projects, split))
        queues.append([(split, case) for case in (ordered if limit is None else ordered[:limit])])
    chosen = []
    while any(queues):
        for queue in queues:
            if queue:
                chosen.append(queue.pop(0))
    return chosen


def score(result: dict, masked: corpus.MaskedCase, setup_texts=()) -> dict:
    """Adds the metrics of `result["statement"]` against the developer's statement; names bound by the
    edits that come with it (`additional_edits`, or `setup_texts`) count as bound."""
    texts = list(result.get("additional_edits") or ()) + list(setup_texts)
    added = set().union(*(scope.names_bound_by(text) for text in texts)) if texts else set()
    found = metrics.score_case(result.get("statement"), masked.expected, masked.source, masked.line, frozenset(added))
    result["score"] = dataclasses.asdict(found)
    return result


def _failure(started: float, exc: BaseException) -> dict:
    return {"statement": None, "latency_ms": (time.perf_counter() - started) * 1000,
            "error": f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__}


class ServerSession:
    """`logsmith serve` over stdio with the default model, watched from /proc, driven like an editor."""

    def __init__(self, options: Options, home: Path):
        self.options = options
        self.home = home
        env = {k: v for k, v in os.environ.items() if k != "LOGSMITH_NO_MODEL"}
        env["LOGSMITH_HOME"] = str(home)
        if options.model:
            env["LOGSMITH_MODEL"] = options.model
        self.editor = Editor(server_command("WARNING", home / "server.log"), env)
        self.tree: process_stats.ProcessTree | None = None
        self.watch: process_stats.MemoryWatch | None = None
        self.model_load_s: float | None = None

    async def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        await self.editor.start(self.home)
        self.tree = process_stats.ProcessTree(self.editor.pid)
        self.watch = process_stats.MemoryWatch(self.tree).start()
        try:
            await asyncio.wait_for(self.editor.ready.wait(), MODEL_LOAD_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise RuntimeError(f"the server's model was not ready after {MODEL_LOAD_TIMEOUT_S:.0f} s "
                               f"({self.editor.model_state or 'no progress reported'}; "
                               f"{'; '.join(self.editor.messages) or 'no message'})") from None
        self.model_load_s = time.perf_counter() - started

    def alive(self) -> bool:
        server = getattr(self.editor.client, "_server", None)
        return server is not None and server.returncode is None

    async def _request(self, ask) -> tuple[float, object, str | None]:
        started = time.perf_counter()
        try:
            elapsed, answer = await asyncio.wait_for(ask, REQUEST_TIMEOUT_S)
            return elapsed, answer, None
        except Exception as exc:  # counted as an error of this request; a dead server stops the run
            return (time.perf_counter() - started) * 1000, None, f"{type(exc).__name__}: {exc}"

    async def _accept_if_acceptable(self, result: dict, command) -> None:
        result["accepted"] = False
        if result["score"]["acceptable"] and command is not None:
            try:
                answer = await asyncio.wait_for(self.editor.run_command(command), REQUEST_TIMEOUT_S)
                result["accepted"] = bool(getattr(answer, "recorded", None) or
                                          (isinstance(answer, dict) and answer.get("recorded")))
            except Exception as exc:
                result["accept_error"] = f"{type(exc).__name__}: {exc}"

    async def run_case(self, case: corpus.LogCase, path: Path, source: str, masked: corpus.MaskedCase,
                       setup_texts: list[str]) -> tuple[dict, dict, dict]:
        """(inline result, completion result, server figures) for one case, as an editor session."""
        editor, options = self.editor, self.options
        lines = source.split("\n")
        before = lines[: case.line] + lines[case.end_line + 1:]  # the file before the statement was written
        indent = lines[case.line][: case.column]
        if "\n".join(before[: case.line] + [indent] + before[case.line:]) != masked.source:
            raise corpus.CorpusError(f"{case.id}: the editor session would not reach the masked file")
        uri = path.as_uri()
        cpu_before = self.tree.cpu_seconds()
        started = time.perf_counter()
        editor.open(uri, "\n".join(before))
        await asyncio.sleep(options.pause_open_s)
        above = before[case.line - 1]
        editor.type(uri, case.line - 1, utf16_length(above), "\n" + indent)  # Enter; the editor indents
        await asyncio.sleep(options.pause_line_s)
        column = utf16_length(indent)

        editor.statuses.clear()
        elapsed, answer, error = await self._request(editor.inline(uri, case.line, column))
        items = answer.items if answer is not None else []
        top = items[0] if items else None
        inline = {"statement": top.insert_text.strip() if top is not None else None, "latency_ms": elapsed,
                  "error": error, "items": len(items),
                  "source": editor.last_status("inline", "source") if top is not None else None,
                  "notes": list(editor.last_status("inline", "notes") or []) if top is not None else []}
        score(inline, masked, setup_texts)  # an inline item's setup edits come on acceptance: the plan's
        await self._accept_if_acceptable(inline, top.command if top is not None else None)

        receiver = corpus.receiver_of(case.statement)
        editor.type(uri, case.line, column, receiver)
        await asyncio.sleep(options.keystroke_s)
        editor.type(uri, case.line, column + utf16_length(receiver), ".")
        editor.statuses.clear()
        elapsed, answer, error = await self._request(
            editor.complete(uri, case.line, column + utf16_length(receiver) + 1))
        items = list(answer.items) if answer is not None else []
        items.sort(key=lambda item: item.sort_text or "")
        top = items[0] if items else None
        completion = {"statement": top.label if top is not None else None, "latency_ms": elapsed, "error": error,
                      "items": len(items), "source": top.detail.split(" · ")[-1] if top is not None else None,
                      "notes": list(editor.last_status("completion", "notes") or []) if top is not None else [],
                      "additional_edits": [edit.new_text for edit in (top.additional_text_edits or [])]
                      if top is not None else []}
        score(completion, masked)
        await self._accept_if_acceptable(completion, top.command if top is not None else None)
        editor.close(uri)
        waited = await asyncio.to_thread(self.tree.wait_idle, timeout_s=IDLE_TIMEOUT_S)
        cpu_after = self.tree.cpu_seconds()
        figures = {"cpu_s": cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None,
                   "rss_bytes": self.tree.rss_bytes(), "idle_wait_s": waited,
                   "session_s": time.perf_counter() - started}
        return inline, completion, figures

    async def stop(self) -> dict:
        """Stop the server; its memory figures and what its audit store recorded."""
        figures = {"peak_rss_bytes": None, "high_water_bytes": None, "processes": {}}
        if self.watch is not None:
            self.watch.sample()
            peaks = self.tree.peaks()
            self.watch.stop()
            figures["peak_rss_bytes"] = self.watch.peak_bytes
            figures["samples"] = self.watch.samples
            values = [p["peak_rss_bytes"] for p in peaks.values() if p["peak_rss_bytes"]]
            figures["high_water_bytes"] = sum(values) if values else None
            figures["processes"] = {str(pid): p for pid, p in peaks.items()}
            figures["cpu_s"] = self.tree.cpu_seconds()
        try:
            await self.editor.stop()
        except Exception as exc:  # the figures so far are still worth reporting
            print(f"the server did not stop cleanly: {exc}", file=sys.stderr)
        return figures


def audit_summary(home: Path) -> dict | None:
    """`logsmith report`'s figures over the server's audit store (None when there is none)."""
    from logsmith.audit.report import outcomes, summarize
    from logsmith.audit.store import STORE_FILE, StoreError, read_rows

    store = home / STORE_FILE
    if not store.exists():
        return None
    try:
        return summarize(outcomes(read_rows(store))).as_dict()
    except StoreError as exc:
        print(f"cannot read the server's audit store: {exc}", file=sys.stderr)
        return None


def _timed_call(call, pid) -> dict:
    """Run a baseline call; adds the CPU time its worker process used."""
    cpu_before = process_stats.cpu_seconds(pid) if pid else None
    started = time.perf_counter()
    try:
        result = call()
    except Exception as exc:  # a failed or stuck worker is counted, and restarted by the next call
        return _failure(started, exc)
    cpu_after = process_stats.cpu_seconds(pid) if pid else None
    result["cpu_s"] = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return result


class Baselines:
    """The in-process engines: template alone, the unconstrained model and the llama.vim way."""

    def __init__(self, options: Options, choice):
        self.template_settings = logsmith.Settings(model=options.model, use_model=False)
        self.unconstrained = UnconstrainedModel(logsmith.Settings(model=options.model))
        self.llamavim = llama_vim.BaselineModel(choice, prefix_lines=options.prefix_lines,
                                               suffix_lines=options.suffix_lines)

    def template(self, masked: corpus.MaskedCase, path: Path) -> dict:
        return bench_engine.ask_logsmith(masked, path, self.template_settings)

    def models(self, masked: corpus.MaskedCase, path: Path) -> dict:
        results = {"unconstrained": _timed_call(
            lambda: self.unconstrained.ask(masked.source, masked.line, masked.character, path), self.unconstrained.pid)}
        for engine in ("llamavim_cold", "llamavim_warm"):
            results[engine] = _timed_call(lambda: bench_engine.ask_baseline(self.llamavim, masked), self.llamavim.pid)
        for result in results.values():
            score(result, masked)
        return results

    def peaks(self) -> dict:
        found = {}
        for name, pid in (("unconstrained_worker", self.unconstrained.pid), ("llamavim_worker", self.llamavim.pid)):
            found[name] = {"pid": pid, "peak_rss_bytes": process_stats.peak_rss_bytes(pid) if pid else None}
        return found

    def close(self) -> None:
        self.llamavim.close()


async def run_one(server: ServerSession, models: Baselines, split: str, case: corpus.LogCase) -> dict:
    path, source = corpus.case_source(case)
    masked = corpus.mask(source, case)
    started = time.perf_counter()
    template = await asyncio.to_thread(models.template, masked, path)
    score(template, masked)
    inline, completion, figures = await server.run_case(case, path, source, masked,
                                                        template.get("additional_edits") or [])
    results = {"logsmith_inline": inline, "logsmith_completion": completion, "template": template}
    results.update(await asyncio.to_thread(models.models, masked, path))
    return {
        "split": split,
        "case": {"id": case.id, "project": case.project, "kind": case.kind, "level": case.level,
                 "file": case.file, "line": case.line, "function": case.function},
        "expected": masked.expected,
        "results": results,
        "server": figures,
        "elapsed_s": time.perf_counter() - started,
        "load_average": machine.load_average(),
    }


def _progress(index: int, total: int, row: dict) -> str:
    results = row["results"]
    parts = [f"[{index}/{total}] {row['split']} {row['case']['id']}"]
    for engine, result in results.items():
        mark = "A" if result.get("score", {}).get("acceptable") else "-"
        parts.append(f"{engine}={result['latency_ms']:.0f}ms{mark}")
    parts.append(f"-> {results['logsmith_inline'].get('statement')!r}")
    return " ".join(parts)


def run_key(options: Options, choice) -> dict:
    """What must not change between sessions that add rows to the same file."""
    return {"model_sha256": choice.sha256,
            "llamavim_prompt": f"{options.prefix_lines} lines before, {options.suffix_lines} after",
            "pause_open_s": options.pause_open_s, "pause_line_s": options.pause_line_s,
            "keystroke_s": options.keystroke_s}


def _existing_rows(path: Path, key: dict) -> list[dict]:
    if not path.exists():
        return []
    rows = load_rows(path)
    for row in rows:
        if {k: row.get("run", {}).get(k) for k in key} != key:
            raise SystemExit(f"{path} holds rows of another run ({row.get('run')}); use --fresh to start over "
                             f"or --out for another folder")
    return rows


def read_run_file(out: Path) -> dict:
    path = out / RUN_FILE
    if not path.exists():
        return {"sessions": []}
    return json.loads(path.read_text(encoding="utf-8"))


async def run(options: Options) -> int:
    """Run the cases not done yet; returns 0, or 2 when the run could not start."""
    from logsmith.model import registry
    from logsmith.model.client import shutdown_workers

    try:
        choice = registry.resolve(logsmith.Settings(model=options.model))
    except registry.ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    rows_path, home = out / CASES_FILE, out / "raw" / "server-home"
    if options.fresh:
        rows_path.unlink(missing_ok=True)
        (out / RUN_FILE).unlink(missing_ok=True)
        shutil.rmtree(home, ignore_errors=True)
    key = run_key(options, choice)
    rows = _existing_rows(rows_path, key)
    done = {(row["split"], row["case"]["id"]) for row in rows}
    chosen = select_cases(options.limit, options.splits)
    todo = [(split, case) for split, case in chosen if (split, case.id) not in done]
    print(f"{len(chosen)} cases ({len(chosen) - len(todo)} already done) -> {rows_path}", file=sys.stderr)
    record = read_run_file(out)
    record["run"] = {**key, "model_id": choice.model_id, "limit_per_split": options.limit,
                     "splits": list(options.splits), "latency_budget_ms": logsmith.Settings().latency_budget_ms,
                     "date": datetime.date.today().isoformat()}
    record["machine"] = machine.describe()
    if not todo:
        (out / RUN_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        return 0

    session = {"started": datetime.datetime.now().isoformat(timespec="seconds"), "cases": 0}
    began = time.perf_counter()
    server = ServerSession(options, home)
    engines = None
    try:
        # The corpus first (pip downloads on a fresh clone), so no download runs beside the models.
        for project, version in sorted({(case.project, case.version) for _, case in todo}):
            sources.project_tree(project, version)
        await server.start()
        session["model_load_s"] = server.model_load_s
        print(f"server ready in {server.model_load_s:.1f} s (pid {server.editor.pid})", file=sys.stderr)
        engines = await asyncio.to_thread(Baselines, options, choice)
        with open(rows_path, "a", encoding="utf-8") as sink:
            for index, (split, case) in enumerate(todo, 1):
                try:
                    row = await run_one(server, engines, split, case)
                except (corpus.CorpusError, sources.SourceError) as exc:
                    print(f"skipping {case.id}: {exc}", file=sys.stderr)
                    continue
                if not server.alive():
                    raise RuntimeError(f"the language server died during {case.id}; see {home / 'server.log'}")
                row["run"] = key
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                sink.flush()
                session["cases"] += 1
                print(_progress(index, len(todo), row), file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted: reporting the cases done so far", file=sys.stderr)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        session["error"] = str(exc)
    finally:
        session["server"] = await server.stop()
        if engines is not None:
            session.update(engines.peaks())
            engines.close()
        shutdown_workers()
        session["audit"] = audit_summary(home)
        session["elapsed_s"] = time.perf_counter() - began
        session["ended"] = datetime.datetime.now().isoformat(timespec="seconds")
        record["sessions"].append(session)
        (out / RUN_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 2 if session.get("error") and not session["cases"] else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=None, help="cases per split, first of the fixed order (default all)")
    parser.add_argument("--split", choices=corpus.BENCHMARK_SPLITS, action="append", dest="splits",
                        help="a split to run (repeat for both; default both)")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default eval/reports/<date>)")
    parser.add_argument("--fresh", action="store_true", help="discard the rows of an earlier run in the same folder")
    parser.add_argument("--model", default=None, help="registry name or GGUF path (default: logsmith's default)")
    parser.add_argument("--pause-open", type=float, default=Options.pause_open_s,
                        help=f"seconds spent reading a file after opening it (default {Options.pause_open_s})")
    parser.add_argument("--pause-line", type=float, default=Options.pause_line_s,
                        help=f"seconds on the new empty line before invoking inline completion "
                             f"(default {Options.pause_line_s})")
    parser.add_argument("--prefix-lines", type=int, default=llama_vim.PREFIX_LINES,
                        help="lines before the cursor in the llama.vim-style prompt (llama.vim: 256)")
    parser.add_argument("--suffix-lines", type=int, default=llama_vim.SUFFIX_LINES,
                        help="lines after the cursor in a FIM llama.vim-style prompt (llama.vim: 64)")


def options_from(args: argparse.Namespace) -> Options:
    return Options(out=args.out or REPORTS_DIR / datetime.date.today().isoformat(), limit=args.limit,
                   splits=tuple(args.splits or Options.splits), fresh=args.fresh, model=args.model,
                   pause_open_s=args.pause_open, pause_line_s=args.pause_line,
                   prefix_lines=args.prefix_lines, suffix_lines=args.suffix_lines)


def run_and_report(options: Options) -> int:
    """Run the suite, then write the report over the cases these options select (a folder may hold more)."""
    code = asyncio.run(run(options))
    rows_path = options.out / CASES_FILE
    if not rows_path.exists():
        return code or 1
    wanted = {(split, case.id) for split, case in select_cases(options.limit, options.splits)}
    rows = [row for row in load_rows(rows_path) if (row["split"], row["case"]["id"]) in wanted]
    if not rows:
        print("no cases were run", file=sys.stderr)
        return code or 1
    print(report_files.write_reports(options.out, rows))
    print(f"report: {options.out / 'report.html'} and report.md", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.adoption",
                                     description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run_and_report(options_from(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
