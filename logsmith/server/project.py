"""The workspace folder's project index, kept for the server (see `logsmith.workspace.index`).

Built on a thread of its own after `initialized`, reported with `$/progress` and in the status. No
request waits for it: until it is ready, suggestions read the one file as before, a rebuild leaves
the previous index serving until the new one is ready, and the build holds back while the server
works on a request (`BuildFlag`). A build that fails (or raises) leaves the state `failed`, its
reason in the status, and suggestions as without an index. It reads Python files only, and
follows the editor for the files the build reads (test files, ignored files, virtualenvs and the
like are left out here too):
- an open document is indexed from its text, not the disk's: a moment after it opens or changes,
  a suggestion thread copies the server's tree of it (under the document's lock, so the index
  never reads a tree a request is editing) and registers the copy; closing it returns the file to
  its disk version;
- a saved file, and the files the client's watcher reports created, changed or deleted (watched
  with a dynamic registration for `**/*.py` when the client offers one), are read again from disk
  on the index's thread, debounced; a burst of more than BURST files (a branch switch) rebuilds
  the index in one pass instead, which reuses the records of unchanged files;
- the cache on disk is written by each build and, after refreshes, at most every SAVE_AFTER_S and
  when the server stops, never per keystroke.
`projectIndex: false` or `[tool.logsmith] project_index = false` turns it off, at start or at run
time (the index is dropped; turning it on builds it again). A workspace folder that is the home
folder or a file system root is not indexed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from lsprotocol import types

from logsmith.server.documents import OpenDocument, Snapshot, path_of
from logsmith.server.status import WorkProgress
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument
from logsmith.workspace.files import NEVER_SOURCE, PYTHON_SUFFIXES, is_test_file
from logsmith.workspace.ignore_patterns import (
    PatternSet,
    compile_patterns,
    excluded,
    is_ignored,
)
from logsmith.workspace.index import ProjectIndex

log = logging.getLogger(__name__)

OPEN_DELAY_S = 0.5
"""Quiet time after a change to an open document before the index reads its new text."""
REFRESH_DELAY_S = 0.5
"""Quiet time after the last file event before the files are read again (a burst is one batch)."""
REFRESH_LONGEST_WAIT_S = 5.0
"""Events that never stop are still read this long after the first of them."""
BURST = 50
"""More files than this in one batch: the index is rebuilt in one pass instead."""
SAVE_AFTER_S = 30.0
"""After refreshes, the cache is written at most this often (and when the server stops)."""
STATUS_EVERY_S = 1.0
"""While building, the status is sent at most this often."""
STOP_WAIT_S = 3.0
"""How long stopping the server waits for the index's thread (a cache write in progress)."""
PAUSE_STEP_S = 0.002
PAUSE_LONGEST_S = 0.05
"""The build holds back while the server works on a request, up to this long at a time..."""
RUN_AT_LEAST_S = 0.2
"""...and then reads files for at least this long before it holds back again (a request that
waits for the model holds no interpreter lock, so the build need not wait for all of it)."""
WATCH_ID = "logsmith-watch-python-files"
WATCH_GLOB = "**/*.py"


def unsuitable(root: Path) -> str | None:
    """Why `root` is not indexed, or None: a folder that is not there, the home folder or a file
    system root (everything below them is not one project)."""
    try:
        resolved = root.resolve()
    except (OSError, RuntimeError) as exc:
        return f"the workspace folder cannot be read ({exc})"
    if not resolved.is_dir():
        return f"the workspace folder {root} is not a folder"
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        return f"the workspace folder {root} is the home folder or a file system root"
    return None


def _inside_never_source(root: Path, relative: str) -> bool:
    """In a folder the index never reads: .git, __pycache__, site-packages, ... or a virtualenv."""
    folders = relative.split("/")[:-1]
    if any(part in NEVER_SOURCE for part in folders):
        return True
    folder = root
    for part in folders:
        folder = folder / part
        if (folder / "pyvenv.cfg").is_file():
            return True
    return False


def candidate(root: Path, path: Path, settings: Settings) -> str | None:
    """The path relative to `root` when the index could read `path` by its name and place alone
    (a Python file under the root, not in a never-source folder or a virtualenv, not a test file,
    not excluded); else None. Ignore files are checked by `ignored`."""
    try:
        relative = path.absolute().relative_to(root).as_posix()
    except ValueError:
        return None
    if not relative.endswith(PYTHON_SUFFIXES) or is_test_file(relative):
        return None
    if _inside_never_source(root, relative):
        return None
    if settings.exclude and excluded(PatternSet(compile_patterns(settings.exclude)), relative):
        return None
    return relative


def _gitignore_sets(root: Path, relative: str) -> list[PatternSet]:
    sets = []
    folder, base = root, ""
    for part in ["", *relative.split("/")[:-1]]:
        if part:
            folder = folder / part
            base = f"{base}/{part}" if base else part
        ignore_file = folder / ".gitignore"
        try:
            lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        sets.append(PatternSet(compile_patterns(lines), base))
    return sets


def ignored(root: Path, relatives: list[str]) -> set[str]:
    """Which of `relatives` the `.gitignore` files from the root down leave out (read here, for a
    few files, rather than asking git: a file git tracks although a pattern matches it is left
    out until the next build reads it)."""
    found = set()
    for relative in relatives:
        sets = _gitignore_sets(root, relative)
        parts = relative.split("/")
        folders = ["/".join(parts[: n + 1]) for n in range(len(parts) - 1)]
        if any(is_ignored(sets, folder, True) for folder in folders) or is_ignored(
            sets, relative, False
        ):
            found.add(relative)
    return found


class BuildFlag(threading.Event):
    """The build's cancel flag, which the build asks before each file. While the server works on a
    request it also holds the build back (sleeping, so the request's thread has the interpreter's
    lock, which the build's parsing would otherwise share with it), for at most PAUSE_LONGEST_S at
    a time, then lets it read for RUN_AT_LEAST_S."""

    def __init__(self, busy: Callable[[], bool]):
        super().__init__()
        self._busy = busy
        self._run_until = 0.0

    def is_set(self) -> bool:
        if not super().is_set() and self._busy() and time.monotonic() >= self._run_until:
            give_up = time.monotonic() + PAUSE_LONGEST_S
            while self._busy() and not super().is_set():
                if time.monotonic() >= give_up:
                    self._run_until = time.monotonic() + RUN_AT_LEAST_S
                    break
                time.sleep(PAUSE_STEP_S)
        return super().is_set()


def frozen_copy(parsed: ParsedDocument, snapshot: Snapshot) -> ParsedDocument:
    """A copy of the server's tree that no later edit touches (an incremental re-parse of the same
    text from a copy of its tree, cheap); call with the document's lock held."""
    first = parsed.line(0)
    copy = parsed.with_line(0, first)
    if copy is parsed or copy.text != snapshot.text:
        copy = ParsedDocument(snapshot.text, parsed.language)
    return copy


class ProjectKeeper:
    """The project index of the server's workspace folder and the thread that builds and refreshes
    it. Methods without a leading underscore are called on the event loop; `current` from any
    thread."""

    def __init__(self, server):
        self.server = server
        self.root: Path | None = None
        self.state = "none"
        """none (no workspace folder), starting (until `initialized`), off, building, ready or
        failed."""
        self.note = "no workspace folder"
        """Why it is off or failed."""
        self.cache_note = ""
        self.progress = (0, 0)
        """(files read, files in all) of the build under way."""
        self.index: ProjectIndex | None = None
        """The index requests use (once ready); a rebuild replaces it when the new one is ready."""
        self._building: ProjectIndex | None = None
        self._settings = Settings()
        self._key: tuple | None = None
        self._lock = threading.Condition()
        self._generation = 0
        self._build_wanted = False
        self._cancel: threading.Event = BuildFlag(server.busy)
        self._pending: dict[Path, float] = {}
        self._first_event = 0.0
        self._last_event = 0.0
        self._dirty = False
        self._saved_at = 0.0
        self._open: dict[str, tuple[str, ParsedDocument]] = {}
        """uri -> (path, frozen copy of its text) of the open documents the index reads."""
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._verdicts: dict[str, bool] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._watching = False
        self._status_sent = 0.0

    # ------------------------------------------------------------------ for requests

    def current(self) -> ProjectIndex | None:
        """The index to suggest with: the ready one, else None (suggestions read one file)."""
        index = self.index
        return index if index is not None and index.state == "ready" else None

    # ------------------------------------------------------------------ settings

    def use_root(self, root: Path | None) -> None:
        """The workspace folder (from `initialize`); the index starts with `configure`."""
        self.root = Path(root).absolute() if root is not None else None
        if self.root is not None:
            self.state, self.note = "starting", ""

    def configure(self, settings: Settings) -> None:
        """Start, keep, rebuild or drop the index for `settings` (at start and on every change)."""
        with self._lock:
            before = (self.state, self.note)
            self._settings = settings
            if self.root is None:
                self._drop("none", "no workspace folder")
            elif not settings.project_index:
                self._drop("off", "project_index is false")
            elif (reason := unsuitable(self.root)) is not None:
                self._drop("off", reason)
            else:
                key = (settings.exclude, settings.max_file_bytes)
                if self.state in ("none", "starting", "off") or key != self._key:
                    self._key = key
                    self._request_build()
            changed = (self.state, self.note) != before
            turned_on = before[0] == "off" and self.state == "building"
        if turned_on:  # the documents open meanwhile were not read for the index
            for document in self.server.documents:
                self.opened(document)
        if changed:
            self._status_changed()
        if self.state == "building" and not self._watching:
            self._watching = True
            asyncio.ensure_future(self._watch())

    async def _watch(self) -> None:
        """Ask the client to report changes to Python files, when it can be asked."""
        if not self.server.client_supports(
            "workspace.did_change_watched_files.dynamic_registration"
        ):
            log.info("the client cannot watch files for the server: only saves refresh the index")
            return
        registration = types.Registration(
            id=WATCH_ID,
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=WATCH_GLOB)]
            ),
        )
        try:
            await asyncio.wait_for(
                self.server.client_register_capability_async(
                    types.RegistrationParams(registrations=[registration])
                ),
                5,
            )
        except Exception as exc:  # refused or never answered: saves still refresh
            log.info("the client did not watch Python files for the server: %s", exc)

    def _drop(self, state: str, note: str) -> None:
        """Stop building, forget the index (with the lock held)."""
        self._generation += 1
        self._cancel.set()
        self._build_wanted = False
        self._pending.clear()
        self.index = self._building = None
        self._open.clear()
        self._key = None
        self._dirty = False
        self.state, self.note, self.progress = state, note, (0, 0)
        self._lock.notify_all()

    def _request_build(self) -> None:
        """Build a new index on the index's thread (with the lock held); the old one serves until
        the new one is ready."""
        self._generation += 1
        self._cancel.set()
        self._cancel = BuildFlag(self.server.busy)
        self._build_wanted = True
        self.state, self.note, self.progress = "building", "", (0, 0)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="logsmith-index", daemon=True)
            self._thread.start()
        self._lock.notify_all()

    # ------------------------------------------------------------------ open documents

    def opened(self, document: OpenDocument) -> None:
        self._schedule(document, 0.0)

    def changed(self, document: OpenDocument) -> None:
        self._schedule(document, OPEN_DELAY_S)

    def closed(self, document: OpenDocument) -> None:
        timer = self._timers.pop(document.uri, None)
        if timer is not None:
            timer.cancel()
        with self._lock:
            entry = self._open.pop(document.uri, None)
            if entry is not None:
                for index in (self.index, self._building):
                    if index is not None:
                        index.close_document(entry[0])

    def _schedule(self, document: OpenDocument, delay: float) -> None:
        if self.state in ("none", "off") or document.path is None or self.server.loop is None:
            return
        timer = self._timers.pop(document.uri, None)
        if timer is not None:
            timer.cancel()
        self._timers[document.uri] = self.server.loop.call_later(
            delay, self._register_soon, document
        )

    def _register_soon(self, document: OpenDocument) -> None:
        """On the event loop: take the document's text now, read it on a suggestion thread."""
        self._timers.pop(document.uri, None)
        if self.server.documents.get(document.uri) is not document:
            return  # closed meanwhile
        snapshot = document.snapshot()
        self.server.in_background(lambda: self._register(document, snapshot))

    def _register(self, document: OpenDocument, snapshot: Snapshot) -> None:
        """On a suggestion thread: register a copy of the document's tree at `snapshot`."""
        path = document.path
        assert path is not None  # only documents with a path are scheduled
        wanted = (
            document.language == "python"
            and self._reads(path)
            and document.length <= self._settings.max_file_bytes
        )
        copy = None
        if wanted:
            with document.lock:
                copy = frozen_copy(document.parsed(snapshot), snapshot)
        with self._lock:
            if self.server.documents.get(document.uri) is not document:
                return
            if copy is None:
                entry = self._open.pop(document.uri, None)
                if entry is not None:
                    for index in (self.index, self._building):
                        if index is not None:
                            index.close_document(entry[0])
                return
            self._open[document.uri] = (path, copy)
            for index in (self.index, self._building):
                if index is not None:
                    index.open_document(path, copy)

    def _reads(self, path: str) -> bool:
        """Whether the index reads this file (its verdict kept while the server runs)."""
        if path not in self._verdicts:
            root = self.root
            relative = candidate(root, Path(path), self._settings) if root is not None else None
            self._verdicts[path] = (
                relative is not None and root is not None and not ignored(root, [relative])
            )
        return self._verdicts[path]

    # ------------------------------------------------------------------ files on disk

    def saved(self, uri: str) -> None:
        path = path_of(uri)
        if path is not None:
            self.files_changed([Path(path)])

    def watched(self, changes: Iterable[types.FileEvent]) -> None:
        paths = []
        for change in changes:
            path = path_of(change.uri)
            if path is not None:
                paths.append(Path(path))
        self.files_changed(paths)

    def files_changed(self, paths: list[Path]) -> None:
        """Read these files again on the index's thread, once their events settle."""
        if not paths:
            return
        now = time.monotonic()
        with self._lock:
            if self.state in ("none", "starting", "off") or self.root is None:
                return
            if not self._pending:
                self._first_event = now
            self._last_event = now
            for path in paths:
                self._pending[path] = now
                self._verdicts.pop(str(path), None)
            self._lock.notify_all()

    # ------------------------------------------------------------------ the index's thread

    def _run(self) -> None:
        while True:
            with self._lock:
                task = self._next_task()
            if task is None:
                break
            try:
                task()
            except Exception:  # one failed refresh or save must not end the thread
                log.exception("the project index's work failed")
        self._save_if_dirty()

    def _next_task(self) -> Callable[[], None] | None:
        """The next thing to do (with the lock held), waiting until there is one; None to stop."""
        while True:
            if self._stopping:
                return None
            now = time.monotonic()
            if self._build_wanted:
                self._build_wanted = False
                self._pending.clear()  # the build reads every file from now on
                generation, cancel = self._generation, self._cancel
                settings = self._settings
                return lambda: self._build(generation, settings, cancel)
            waits = []
            if self._pending:
                due = min(
                    self._last_event + REFRESH_DELAY_S,
                    self._first_event + REFRESH_LONGEST_WAIT_S,
                )
                if due <= now:
                    paths, self._pending = list(self._pending), {}
                    return lambda: self._refresh(paths)
                waits.append(due - now)
            if self._dirty and self.index is not None:
                due = self._saved_at + SAVE_AFTER_S
                if due <= now:
                    return self._save_if_dirty
                waits.append(due - now)
            self._lock.wait(min(waits) if waits else None)

    def _build(self, generation: int, settings: Settings, cancel: threading.Event) -> None:
        root = self.root
        if root is None:
            return
        index = ProjectIndex(root, settings)
        with self._lock:
            if generation != self._generation:
                return
            self._building = index
            for path, copy in self._open.values():
                index.open_document(path, copy)
        progress = WorkProgress(self.server, "logsmith-index")
        self._on_loop(lambda: progress.begin("indexing log statements"))
        self._status_changed()
        error = None
        try:
            counts = index.build(
                progress=lambda done, total: self._progressed(generation, progress, done, total),
                cancel=cancel,
            )
            if index.state == "failed":
                error = index.error or "the index could not be built"
        except Exception as exc:  # a bug or an unexpected file must not leave it building forever
            log.exception("building the project index of %s failed", root)
            counts, error = None, f"{type(exc).__name__}: {exc}"
        with self._lock:
            current = generation == self._generation
            if current:
                self._building = None
                if error is None and index.state == "ready":
                    self.index, self.state, self.note = index, "ready", ""
                    self.cache_note = counts.cache_note if counts is not None else ""
                    self._dirty, self._saved_at = False, time.monotonic()
                else:
                    self.index, self.state = None, "failed"
                    self.note = error or "the build stopped"
        if not current:
            self._on_loop(lambda: progress.end("stopped"))
            return
        if self.state == "ready" and counts is not None:
            message = index.counts.describe()
            log.info(
                "project index of %s: %s in %.1f s (%d reused from the cache)%s",
                root,
                message,
                counts.seconds,
                counts.reused,
                f"; {counts.cache_note}" if counts.cache_note else "",
            )
        else:
            message = f"failed: {self.note}"
            log.warning("project index of %s %s", root, message)
        self._on_loop(lambda: progress.end(message))
        self._status_changed()

    def _progressed(self, generation: int, progress: WorkProgress, done: int, total: int) -> None:
        with self._lock:
            if generation != self._generation:
                return
            before = self.progress
            self.progress = (done, total)
        percentage = done * 100 // total if total else 0
        if not total or percentage != (before[0] * 100 // before[1] if before[1] else -1):
            message = f"indexing log statements, {done}/{total} files"
            self._on_loop(lambda: progress.report(message, percentage))
        now = time.monotonic()
        if now - self._status_sent >= STATUS_EVERY_S:
            self._status_changed()

    def _refresh(self, paths: list[Path]) -> None:
        with self._lock:
            index, root, settings = self.index, self.root, self._settings
        if index is None or root is None:
            return  # a build is due (it reads every file) or the index is off
        wanted: dict[str, Path] = {}
        for path in paths:
            relative = candidate(root, path, settings)
            if relative is not None:
                wanted[relative] = path
        if len(wanted) > BURST:
            log.info("%d files changed on disk: rebuilding the project index", len(wanted))
            with self._lock:
                if self.index is index:
                    self._request_build()
            self._status_changed()
            return
        present = [relative for relative, path in wanted.items() if path.is_file()]
        leave_out = ignored(root, present)
        chosen: list[Path] = []
        for relative, path in wanted.items():
            if relative in leave_out:
                continue
            if path.is_symlink():
                try:
                    if not path.resolve().is_relative_to(root.resolve()):
                        continue
                except (OSError, RuntimeError):
                    continue
            chosen.append(path)
        if not chosen:
            return
        index.refresh(*chosen)  # one new index for the whole batch
        read = len(chosen)
        with self._lock:
            if self.index is index:
                self._dirty = True
        log.debug("project index: %d files read again", read)
        self._status_changed()

    def _save_if_dirty(self) -> None:
        with self._lock:
            index = self.index if self._dirty else None
            self._dirty = False
            self._saved_at = time.monotonic()
        if index is not None:
            problem = index.save()
            if problem:
                log.warning("project index: %s", problem)

    # ------------------------------------------------------------------ stopping

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        with self._lock:
            self._stopping = True
            self._generation += 1
            self._cancel.set()
            self._lock.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_WAIT_S)

    # ------------------------------------------------------------------ status

    def status(self) -> dict:
        """The index as the status states it: state, counts or progress, and a sentence."""
        with self._lock:
            state, note, (done, total) = self.state, self.note, self.progress
            index, cache_note = self.index, self.cache_note
        serving = index if index is not None and index.state == "ready" else None
        found: dict = {"state": state}
        if state == "building":
            found.update(done=done, total=total)
            text = (
                f"indexing log statements, {done}/{total} files"
                if total
                else "indexing log statements, listing files"
            )
            if serving is not None:
                text += f" (until then: {serving.counts.describe()})"
        elif state == "ready" and serving is not None:
            counts = serving.counts
            found.update(
                statements=serving.statement_count,
                files=counts.files,
                skipped=dict(sorted(counts.skipped.items())),
            )
            text = f"ready, {counts.describe()}"
        elif state == "failed":
            found["reason"] = note
            text = f"failed: {note}"
        elif state == "starting":
            text = "starting"
        else:
            found["reason"] = note
            text = f"off: {note}"
        if cache_note and state == "ready":
            found["cacheNote"] = cache_note
        found["text"] = f"project index {text}"
        return found

    def _status_changed(self) -> None:
        self._status_sent = time.monotonic()
        self._on_loop(lambda: self.server.model.notify_state("index"))

    def _on_loop(self, call: Callable[[], None]) -> None:
        """Run `call` on the event loop (from any thread); dropped once the loop is gone."""
        loop = self.server.loop
        if loop is None or loop.is_closed():
            return
        try:
            if _running(loop):
                call()
            else:
                loop.call_soon_threadsafe(call)
        except RuntimeError:  # the loop closed meanwhile
            pass


def _running(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
