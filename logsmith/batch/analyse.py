"""One file, start to end: read it, parse once in its language, find the sites with that
language's reader, ask the engine for each statement (with the project index of the file's project,
`logsmith.batch.project`, for Python), and keep the first: with the project's statements it followed
placed in the files as read, and with the model's statement in a note when another engine's was
ranked above it. A file that does not parse, or that no one wrote by hand (generated, minified), is
skipped with the reason.

This is the unit of work of `--jobs N`: it runs in the main process or in a pool worker, and each
process loads the model once (on its first file) and keeps it for the rest of the run, and likewise
opens each project index once.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import multiprocessing.util
import re
import time
from dataclasses import dataclass
from pathlib import Path

from logsmith.batch.changes import parse_problem
from logsmith.batch.generated import machine_written
from logsmith.batch.project import open_index
from logsmith.batch.results import ADAPTED_NOTE, OUTRANKED_NOTE, FileResult, Followed, Proposal
from logsmith.batch.source_file import UnreadableSource, header_lines, read_source
from logsmith.by_language import find_sites, suggest_insertion
from logsmith.settings import Settings
from logsmith.suggestion import Suggestion, TextEdit
from logsmith.syntax.batch_rules import Finding
from logsmith.syntax.document import ParsedDocument
from logsmith.workspace.files import display_path

MODEL_LOAD_TIMEOUT_S = 300.0
NEIGHBOUR_ENTRY = re.compile(r"(?P<path>.+?):(?P<line>\d+): (?P<statement>.*)", re.S)
"""A suggestion's neighbour, `path:line: statement` (path relative to the project root, line
1-based)."""
_loaded_models: set = set()
_model_loads = 0


@dataclass(frozen=True)
class Task:
    """One file to analyse with its project's settings and rules, picklable for the process pool."""

    path: str
    display: str
    root: str
    settings: Settings
    rules: tuple[str, ...]
    model_threads: int | None = None
    """Threads for this process's model worker (cores / jobs with --jobs N);
    None: the engine's default."""
    language: str = "python"
    """The language the file is read in."""


def ensure_model(settings: Settings, threads: int | None = None) -> None:
    """Load the model of `settings` in this process and wait until it answers (once per process).
    `threads`: llama.cpp threads for it; N processes each using every core would fight over them.

    Raises logsmith.model.registry.ModelError (missing / corrupt model) or TimeoutError."""
    if not settings.use_model:
        return
    key = (settings.model,)
    if key in _loaded_models:
        return
    from logsmith.engines import model_engine
    from logsmith.model.backend import names_server

    if threads is not None and not names_server(settings):
        from logsmith.model import registry
        from logsmith.model.client import get_worker

        # creates this process's worker with them
        get_worker(registry.resolve(settings), n_threads=threads)

    global _model_loads
    model_engine.preload(settings, timeout=MODEL_LOAD_TIMEOUT_S)
    _loaded_models.add(key)
    _model_loads += 1
    if multiprocessing.parent_process() is not None:
        # A pool worker ends without running atexit handlers: stop its model worker explicitly.
        from logsmith.model.client import shutdown_workers

        multiprocessing.util.Finalize(None, shutdown_workers, exitpriority=10)


def models_loaded() -> int:
    """How many times this process has loaded a model (`ensure_model`): at most once per model."""
    return _model_loads


def _below_header(suggestion: Suggestion, header: int) -> Suggestion:
    """Setup lines (`import logging`, the logger) inserted above a `#!` line or a coding cookie
    would break the script or change the file's encoding: insert them right below instead."""
    if not header or not any(e.start_line < header for e in suggestion.additional_edits):
        return suggestion
    moved = tuple(
        TextEdit(header, 0, header, 0, e.new_text)
        if e.start_line < header
        and (e.start_line, e.start_character) == (e.end_line, e.end_character)
        else e
        for e in suggestion.additional_edits
    )
    return dataclasses.replace(suggestion, additional_edits=moved)


def _placed(entry: str, task: Task, own: str | None, base: Path) -> Followed | None:
    """A neighbour entry (its path relative to `base`) as a `Followed` (its path as outputs show
    it), or None if malformed."""
    match = NEIGHBOUR_ENTRY.fullmatch(entry)
    if match is None:
        return None
    path, line, statement = match["path"], int(match["line"]) - 1, match["statement"]
    if path == own:
        return Followed(task.display, line, statement)
    return Followed(display_path(base / path), line, statement)


def _entries_base(task: Task) -> Path:
    """What the suggestion's neighbour entries are relative to: the project index's root in
    Python, the file's project root in other languages (`idioms.project_habits`)."""
    if task.language == "python":
        return Path(task.root)
    from logsmith.idioms.project_habits import project_root

    return project_root(Path(task.path)) or Path(task.root)


def _with_followed(
    finding: Finding, suggestion: Suggestion, task: Task, own: str | None
) -> Proposal:
    """The proposal, with the statements its suggestion followed placed in the files as read (and
    its `adapted from` note saying the same place)."""
    base = _entries_base(task)
    followed = []
    for entry in suggestion.neighbours:
        placed = _placed(entry, task, own, base)
        if placed is not None:
            followed.append(placed)
    notes = []
    for note in suggestion.notes:
        placed = (
            _placed(note[len(ADAPTED_NOTE) :], task, own, base)
            if note.startswith(ADAPTED_NOTE)
            else None
        )
        notes.append(f"{ADAPTED_NOTE}{placed.place}: {placed.statement}" if placed else note)
    return Proposal(finding, dataclasses.replace(suggestion, notes=tuple(notes)), tuple(followed))


def proposal_for(
    finding: Finding, suggestion: Suggestion, task: Task, own: str | None, header: int
) -> Proposal:
    """The proposal of `suggestion` at `finding`, as outputs show it: setup lines kept below a
    file's header, the project's statements it followed placed in the files as read. `own`: the
    file's path in its project index; `header`: the file's header lines (`#!`, coding cookie)."""
    return _with_followed(finding, _below_header(suggestion, header), task, own)


def _outranked(suggestions: list[Suggestion]) -> Suggestion:
    """The first suggestion; when the model's statement was ranked after it, noted with it (the
    model did write one here, and the reviewer may prefer it)."""
    first = suggestions[0]
    if first.by_model:
        return first
    by_model = next((s for s in suggestions[1:] if s.by_model), None)
    if by_model is None:
        return first
    return dataclasses.replace(first, notes=(*first.notes, OUTRANKED_NOTE + by_model.statement))


def analyse(task: Task) -> FileResult:
    """Never raises: anything that goes wrong becomes `skipped` or a note of the result."""
    started = time.perf_counter()
    result = functools.partial(
        FileResult, path=task.path, display=task.display, root=task.root, language=task.language
    )
    try:
        source = read_source(task.path, task.settings.max_file_bytes)
    except UnreadableSource as exc:
        return result(skipped=str(exc), seconds=time.perf_counter() - started)
    except OSError as exc:
        return result(
            skipped=f"skipped: cannot read ({exc.strerror or exc})",
            seconds=time.perf_counter() - started,
        )
    text = source.analysis_text
    # tree-sitter reads Python 2 too; a file Python 3 cannot compile is not changed
    document = ParsedDocument(text, task.language)
    problem = parse_problem(document, task.display)
    if problem is not None:
        return result(
            source=source, skipped=f"skipped: {problem.text}", seconds=time.perf_counter() - started
        )
    by_machine = machine_written(text, task.display, task.language)
    if by_machine is not None:
        return result(
            source=source, skipped=f"skipped: {by_machine}", seconds=time.perf_counter() - started
        )
    try:
        findings = find_sites(document, task.rules or None)
    except Exception as exc:  # a reader's bug must not stop a run over a whole repository
        return result(
            source=source,
            skipped=f"skipped: the {task.language} reader failed ({type(exc).__name__}: {exc})",
            seconds=time.perf_counter() - started,
        )
    proposals, notes = [], []
    header = header_lines(text)
    if findings and task.settings.use_model:
        try:
            ensure_model(task.settings, task.model_threads)
        except Exception as exc:  # the engine falls back to the template; say why once per file
            notes.append(f"model not used: {exc}")
    index = open_index(task.root, task.settings) if findings and task.language == "python" else None
    own = index.relative(task.path) if index is not None else None
    for finding in findings:
        try:
            suggestions = suggest_insertion(
                document, finding.line, path=task.path, settings=task.settings, project=index
            )
        except Exception as exc:  # an engine bug must not stop a run over a whole repository
            notes.append(
                f"line {finding.line + 1}: the engine failed ({type(exc).__name__}: {exc})"
            )
            continue
        if suggestions:
            proposals.append(proposal_for(finding, _outranked(suggestions), task, own, header))
        else:
            notes.append(f"line {finding.line + 1}: no statement proposed for {finding.rule}")
    return result(
        source=source,
        proposals=tuple(proposals),
        sites=len(findings),
        notes=tuple(notes),
        seconds=time.perf_counter() - started,
    )
