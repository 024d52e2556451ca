"""The adoption benchmark: each corpus case through the real language server, driven the way an
editor drives it, and through the three baselines, in one run.

For each case (the held-out and dev splits interleaved, each in its fixed order; run project by
project):

1. **template engine alone**: `logsmith.suggest(..., Settings(use_model=False))` on the masked file,
   without and with the index of the case's project (`template`, `template_index`).
2. **logsmith, through `logsmith serve`**: the workspace folder (rootUri) is the case's project tree
   (eval.bench.workspace), so the cases run project by project, and each project gets two servers
   (default settings, the default model, started and loaded first): one with `projectIndex: false`
   in its initializationOptions (`logsmith_inline`, `logsmith_completion`) and one that indexes
   the project itself (`logsmith_inline_index`, `logsmith_completion_index`; skipped with
   `--no-project-index`). Before the first case of a project the runner waits for the indexing
   server's `$/progress` end (a progress that names the index), at most `--index-timeout`
   seconds; a server that reports no index progress within INDEX_GRACE_S is noted and used as it
   is. Each server has its own model worker, so neither finds the other's site in its cache. In
   each server the editor opens the file as it was before the developer wrote
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
`suite-run.json` (every server started: its memory, model load and index wait; the audit stores of
both kinds of server); `eval.report.files` turns them into report.json / report.md / report.html.

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
from eval.bench import llama_vim, machine, process_stats, workspace
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
INDEX_TIMEOUT_S = 300.0
"""Longest wait for a server's project index before the first case of a project."""
INDEX_GRACE_S = 10.0
"""A server that has not begun reporting its index this long after its model was ready is taken
not to report one."""
SERVER_KINDS = ("plain", "index")
"""The servers of a project: without the project index, with it."""


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
    project_index: bool = True
    """Also run every case through a server that indexes the project (and the template with it)."""
    index_timeout_s: float = INDEX_TIMEOUT_S
    baselines: bool = True
    """Also ask the model without the grammar and the llama.vim way (the slower half of a case)."""


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


def by_project(chosen: list[tuple[str, corpus.LogCase]]) -> list[tuple[str, corpus.LogCase]]:
    """The same (split, case) pairs, each project's together (its servers start once), projects in
    the order they first appear and each project's cases in their order."""
    groups: dict[tuple[str, str], list] = {}
    for split, case in chosen:
        groups.setdefault((case.project, case.version), []).append((split, case))
    return [pair for group in groups.values() for pair in group]


def score(result: dict, masked: corpus.MaskedCase, setup_texts=()) -> dict:
    """Adds the metrics of `result["statement"]` against the developer's statement; names bound by the
    edits that come with it (`additional_edits`, or `setup_texts`) count as bound."""
    texts = list(result.get("additional_edits") or ()) + list(setup_texts)
    added = scope.names_setup_binds(masked.source, texts)
    found = metrics.score_case(result.get("statement"), masked.expected, masked.source, masked.line, frozenset(added))
    result["score"] = dataclasses.asdict(found)
    return result


def _failure(started: float, exc: BaseException) -> dict:
    return {"statement": None, "latency_ms": (time.perf_counter() - started) * 1000,
            "error": f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__}


class ServerSession:
    """`logsmith serve` over stdio with the default model, watched from /proc, driven like an editor."""

    def __init__(self, options: Options, home: Path, root: Path | None = None, kind: str = "plain"):
        self.options = options
        self.home = home
        self.root = root
        """The workspace folder the server is started in (rootUri); the home folder when None."""
        self.kind = kind
        """`plain` (projectIndex off) or `index` (the server indexes its workspace folder)."""
        env = {k: v for k, v in os.environ.items() if k != "LOGSMITH_NO_MODEL"}
        env["LOGSMITH_HOME"] = str(home)
        if options.model:
            env["LOGSMITH_MODEL"] = options.model
        self.editor = Editor(server_command("WARNING", home / "server.log"), env)
        self.tree: process_stats.ProcessTree | None = None
        self.watch: process_stats.MemoryWatch | None = None
        self.model_load_s: float | None = None
        self.index: dict | None = None
        """How the wait for the server's project index ended (index servers only)."""

    async def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        await self.editor.start(self.root or self.home, {"projectIndex": self.kind == "index"})
        self.tree = process_stats.ProcessTree(self.editor.pid)
        self.watch = process_stats.MemoryWatch(self.tree).start()
        try:
            await asyncio.wait_for(self.editor.ready.wait(), MODEL_LOAD_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise RuntimeError(f"the server's model was not ready after {MODEL_LOAD_TIMEOUT_S:.0f} s "
                               f"({self.editor.model_state or 'no progress reported'}; "
                               f"{'; '.join(self.editor.messages) or 'no message'})") from None
        self.model_load_s = time.perf_counter() - started
        if self.kind == "index":
            self.index = await self.editor.wait_for_index(self.options.index_timeout_s, INDEX_GRACE_S)
            if self.index["state"] != "ready":
                print(f"the server's project index of {self.root}: {self.index['state']} after "
                      f"{self.index['wait_s']:.0f} s ({self.index['message'] or 'no message'}); going on",
                      file=sys.stderr)

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
                      "items": len(items), "source": top.detail.split(" · ")[1] if top is not None else None,
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


def merged_figures(records: list[dict]) -> dict:
    """The memory and CPU figures of several servers of one kind, one after the other: the highest
    peak, every process, the summed CPU time."""
    def highest(key):
        values = [r[key] for r in records if r.get(key)]
        return max(values) if values else None

    cpu = [r["cpu_s"] for r in records if r.get("cpu_s") is not None]
    return {"peak_rss_bytes": highest("peak_rss_bytes"), "high_water_bytes": highest("high_water_bytes"),
            "processes": {pid: p for r in records for pid, p in (r.get("processes") or {}).items()},
            "samples": sum(r.get("samples") or 0 for r in records), "cpu_s": sum(cpu) if cpu else None,
            "servers": len(records)}


class ProjectServers:
    """The language servers of the project being run, started in its workspace folder: `plain`
    (projectIndex off) and, unless the options say otherwise, `index`. A new project stops them
    and starts its own; each kind keeps one home (its audit store) for the whole run."""

    def __init__(self, options: Options, out: Path):
        self.options = options
        self.kinds = SERVER_KINDS if options.project_index else ("plain",)
        self.homes = {kind: out / "raw" / ("server-home" if kind == "plain" else f"server-home-{kind}")
                      for kind in SERVER_KINDS}
        self.root: Path | None = None
        self.sessions: dict[str, ServerSession] = {}
        self.records: list[dict] = []
        """One per server started: kind, workspace, model load, index wait, memory and CPU."""

    async def use(self, root: Path) -> dict[str, ServerSession]:
        """The servers of the workspace folder `root`, started (and waited for) on first use."""
        if root == self.root and self.sessions:
            return self.sessions
        await self.stop()
        self.root = root
        for kind in self.kinds:
            session = ServerSession(self.options, self.homes[kind], root, kind)
            self.sessions[kind] = session  # stopped by stop() even when its start fails
            await session.start()
            print(f"{kind} server ready in {session.model_load_s:.1f} s (pid {session.editor.pid}, workspace "
                  f"{root.name})" + (f", index {session.index['state']} after {session.index['wait_s']:.1f} s"
                                     if session.index else ""), file=sys.stderr)
        return self.sessions

    def alive(self) -> bool:
        return all(session.alive() for session in self.sessions.values())

    async def stop(self) -> None:
        for kind, session in self.sessions.items():
            figures = await session.stop()
            self.records.append({"kind": kind, "workspace": self.root.name if self.root else None,
                                 "model_load_s": session.model_load_s, "index": session.index, **figures})
        self.sessions = {}

    def summary(self) -> dict:
        """What the session record keeps: per kind, the merged figures; the first model load; the
        index waits; every server started."""
        found = {"servers": [{k: v for k, v in r.items() if k not in ("processes", "samples")}
                             for r in self.records]}
        for kind in SERVER_KINDS:
            records = [r for r in self.records if r["kind"] == kind]
            if records:
                found["server" if kind == "plain" else f"server_{kind}"] = merged_figures(records)
        loads = [r["model_load_s"] for r in self.records if r.get("model_load_s")]
        found["model_load_s"] = loads[0] if loads else None
        return found


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
    """The in-process engines: template alone, the unconstrained model and the llama.vim way (the
    two models only with `options.baselines`)."""

    def __init__(self, options: Options, choice):
        self.template_settings = logsmith.Settings(model=options.model, use_model=False)
        self.unconstrained = self.llamavim = None
        if options.baselines:
            self.unconstrained = UnconstrainedModel(logsmith.Settings(model=options.model))
            self.llamavim = llama_vim.BaselineModel(choice, prefix_lines=options.prefix_lines,
                                                   suffix_lines=options.suffix_lines)

    def template(self, masked: corpus.MaskedCase, path: Path, project=None) -> dict:
        return bench_engine.ask_logsmith(masked, path, self.template_settings, project)

    def models(self, masked: corpus.MaskedCase, path: Path) -> dict:
        if self.unconstrained is None or self.llamavim is None:
            return {}
        results = {"unconstrained": _timed_call(
            lambda: self.unconstrained.ask(masked.source, masked.line, masked.character, path), self.unconstrained.pid)}
        for engine in ("llamavim_cold", "llamavim_warm"):
            results[engine] = _timed_call(lambda: bench_engine.ask_baseline(self.llamavim, masked), self.llamavim.pid)
        for result in results.values():
            score(result, masked)
        return results

    def peaks(self) -> dict:
        found = {}
        if self.unconstrained is None or self.llamavim is None:
            return found
        for name, pid in (("unconstrained_worker", self.unconstrained.pid), ("llamavim_worker", self.llamavim.pid)):
            found[name] = {"pid": pid, "peak_rss_bytes": process_stats.peak_rss_bytes(pid) if pid else None}
        return found

    def close(self) -> None:
        if self.llamavim is not None:
            self.llamavim.close()


async def run_one(servers: ProjectServers, models: Baselines, split: str, case: corpus.LogCase,
                  indexes: workspace.Indexes | None = None) -> dict:
    path, source = corpus.case_source(case)
    masked = corpus.mask(source, case)
    started = time.perf_counter()
    sessions = await servers.use(workspace.project_root(case))
    template = await asyncio.to_thread(models.template, masked, path)
    score(template, masked)
    results = {"template": template}
    row = {"split": split,
           "case": {"id": case.id, "project": case.project, "kind": case.kind, "level": case.level,
                    "file": case.file, "line": case.line, "function": case.function},
           "expected": masked.expected}
    if indexes is not None:
        built = await asyncio.to_thread(indexes.for_case, case)
        indexed = score(await asyncio.to_thread(models.template, masked, path, built.index), masked)
        indexed["own_site_neighbour"] = bench_engine.own_site_neighbour(
            indexed, case, Path(path).absolute().relative_to(built.root).as_posix())
        results["template_index"] = indexed
        row["index"] = built.figures()
    for kind, session in sessions.items():
        suffix = "" if kind == "plain" else f"_{kind}"
        inline, completion, figures = await session.run_case(case, path, source, masked,
                                                             template.get("additional_edits") or [])
        results[f"logsmith_inline{suffix}"] = inline
        results[f"logsmith_completion{suffix}"] = completion
        row[f"server{suffix}"] = figures
    results.update(await asyncio.to_thread(models.models, masked, path))
    order = [e for e in ("logsmith_inline", "logsmith_completion", "logsmith_inline_index",
                         "logsmith_completion_index", "template", "template_index") if e in results]
    row["results"] = {**{e: results[e] for e in order}, **{e: r for e, r in results.items() if e not in order}}
    row["elapsed_s"] = time.perf_counter() - started
    row["load_average"] = machine.load_average()
    return row


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
            "keystroke_s": options.keystroke_s, "project_index": options.project_index,
            **({} if options.baselines else {"baselines": False})}


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
    rows_path = out / CASES_FILE
    if options.fresh:
        rows_path.unlink(missing_ok=True)
        (out / RUN_FILE).unlink(missing_ok=True)
        for kind in SERVER_KINDS:
            shutil.rmtree(ProjectServers(options, out).homes[kind], ignore_errors=True)
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
    servers = ProjectServers(options, out)
    indexes = workspace.Indexes() if options.project_index else None
    engines = None
    try:
        # The corpus first (pip downloads on a fresh clone), so no download runs beside the models.
        for project, version in sorted({(case.project, case.version) for _, case in todo}):
            sources.project_tree(project, version)
        engines = await asyncio.to_thread(Baselines, options, choice)
        with open(rows_path, "a", encoding="utf-8") as sink:
            for index, (split, case) in enumerate(by_project(todo), 1):
                try:
                    row = await run_one(servers, engines, split, case, indexes)
                except (corpus.CorpusError, sources.SourceError) as exc:
                    print(f"skipping {case.id}: {exc}", file=sys.stderr)
                    continue
                if not servers.alive():
                    raise RuntimeError(f"a language server died during {case.id}; see "
                                       f"{out / 'raw'}/server-home*/server.log")
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
        await servers.stop()
        session.update(servers.summary())
        if engines is not None:
            session.update(engines.peaks())
            engines.close()
        shutdown_workers()
        session["audit"] = audit_summary(servers.homes["plain"])
        if options.project_index:
            session["audit_index"] = audit_summary(servers.homes["index"])
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
    parser.add_argument("--project-index", action=argparse.BooleanOptionalAction, default=True,
                        help="also run every case through a server that indexes the project (default: on)")
    parser.add_argument("--index-timeout", type=float, default=INDEX_TIMEOUT_S,
                        help=f"longest wait in seconds for a server's project index (default {INDEX_TIMEOUT_S:.0f})")
    parser.add_argument("--no-baselines", dest="baselines", action="store_false",
                        help="skip the model without the grammar and the llama.vim way (about half of each case)")
    parser.add_argument("--prefix-lines", type=int, default=llama_vim.PREFIX_LINES,
                        help="lines before the cursor in the llama.vim-style prompt (llama.vim: 256)")
    parser.add_argument("--suffix-lines", type=int, default=llama_vim.SUFFIX_LINES,
                        help="lines after the cursor in a FIM llama.vim-style prompt (llama.vim: 64)")


def options_from(args: argparse.Namespace) -> Options:
    return Options(out=args.out or REPORTS_DIR / datetime.date.today().isoformat(), limit=args.limit,
                   splits=tuple(args.splits or Options.splits), fresh=args.fresh, model=args.model,
                   pause_open_s=args.pause_open, pause_line_s=args.pause_line,
                   prefix_lines=args.prefix_lines, suffix_lines=args.suffix_lines,
                   project_index=args.project_index, index_timeout_s=args.index_timeout,
                   baselines=args.baselines)


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
