"""The project index: every log statement of a workspace's Python files and the site it sits at,
built in the background, kept on disk by content hash, following edits, and asked for the logged
sites most like a new one.

Open documents win over the disk: a file open in the editor is read from its current text, never
from the disk copy (`neighbours` takes the document asked about; `open_document` registers the
others). Files are those batch mode would read (`.gitignore`, `exclude`, no test files); binary,
huge, unreadable, undecodable and unparsable files are skipped and counted.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import LogSite
from logsmith.workspace import store
from logsmith.workspace.files import discover
from logsmith.workspace.retrieval import (
    Lexicon,
    Neighbour,
    RetrievalWeights,
    SiteQuery,
    nearest,
)
from logsmith.workspace.statements import (
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    LoggedStatement,
    context_words,
    statements_in,
)

Progress = Callable[[int, int], None]
"""Called with (files done, files in all) while the index is built."""


@dataclass
class IndexCounts:
    """What a build read, reused and left out."""

    files: int = 0
    statements: int = 0
    reused: int = 0
    """Files whose statements came from the cache (same content hash)."""
    skipped: Counter = field(default_factory=Counter)
    """Reason -> files left out."""
    seconds: float = 0.0
    cache_note: str = ""

    def describe(self) -> str:
        text = f"{self.statements} log statements in {self.files} files"
        if self.skipped:
            text += (
                " (skipped: "
                + ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()))
                + ")"
            )
        return text


@dataclass(frozen=True)
class FileRecord:
    """One indexed file: the hash of the content read and its statements."""

    sha256: str
    statements: tuple[LoggedStatement, ...]


def _skip_reason(data: bytes, settings: Settings) -> str | None:
    if len(data) > settings.max_file_bytes:
        return "huge"
    if b"\0" in data[:8192]:
        return "binary"
    return None


def read_file(path: Path, relative: str, settings: Settings) -> FileRecord | str:
    """The record of one file on disk, or why it is left out."""
    try:
        data = path.read_bytes()
    except OSError:
        return "unreadable"
    reason = _skip_reason(data, settings)
    if reason is not None:
        return reason
    return record_of(data, relative)


def record_of(data: bytes, relative: str) -> FileRecord | str:
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    document = ParsedDocument(text)
    if document.tree.root_node.has_error:
        return "unparsable"
    return FileRecord(digest, statements_in(document, relative))


def query_for(site: LogSite, document: ParsedDocument, path: str | None) -> SiteQuery:
    """What retrieval knows of `site`: its place and the words of the code around it, read as the
    index reads a written statement's (only those lines are read, not the whole text)."""
    floor = site.function.start_line if site.function is not None else 0
    start = max(floor, site.line - CONTEXT_BEFORE)
    end = min(document.line_count, site.line + 1 + CONTEXT_AFTER)
    window = [document.line(n) for n in range(start, end)]
    return SiteQuery(
        path=path,
        function=site.function.name if site.function is not None else None,
        class_name=site.function.class_name if site.function is not None else None,
        kind=site.kind,
        in_except=site.in_except,
        exception_types=site.exception_types,
        context=context_words(window, site.line - start, site.line - start, 0),
    )


class ProjectIndex:
    """The log statements of one workspace folder. Thread-safe: built on one thread, asked on
    others; each change builds a new snapshot that replaces the old at once."""

    def __init__(self, root: Path, settings: Settings | None = None, cache: bool = True):
        self.root = Path(root).absolute()
        self.settings = settings or Settings()
        self.cache = cache
        self.state = "empty"
        """empty, building, ready or failed."""
        self.counts = IndexCounts()
        self.error: str | None = None
        self._files: dict[str, FileRecord] = {}
        self._lexicon = Lexicon(())
        self._open: dict[str, ParsedDocument] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ building

    def relative(self, path: str | Path | None) -> str | None:
        """`path` relative to the root, or None when it lies outside."""
        if path is None:
            return None
        try:
            return Path(path).absolute().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def build(
        self, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> IndexCounts:
        """Read every file of the workspace (reusing cached records of unchanged content), then
        make them the index. Never raises for a file; an unusable cache is rebuilt."""
        started = time.perf_counter()
        self.state = "building"
        counts = IndexCounts()
        cached, counts.cache_note = (
            store.load(self.root) if self.cache else ({}, "the cache is off")
        )
        try:
            discovery = discover(
                [str(self.root)],
                overrides={"exclude": self.settings.exclude} if self.settings.exclude else None,
            )
        except OSError as exc:
            self.state, self.error = "failed", f"cannot list {self.root}: {exc}"
            return counts
        for _display, reason in discovery.skipped:
            counts.skipped["symlinks" if "symlink" in reason else "not regular files"] += 1
        if discovery.not_regular:
            counts.skipped["not regular files"] += discovery.not_regular
        records: dict[str, FileRecord] = {}
        total = len(discovery.targets)
        for done, target in enumerate(discovery.targets, 1):
            if cancel is not None and cancel.is_set():
                self.state = "empty"
                return counts
            if progress is not None and (done % 50 == 0 or done == total):
                progress(done, total)
            relative = self.relative(target.path) or target.display
            try:
                data = target.path.read_bytes()
            except OSError:
                counts.skipped["unreadable"] += 1
                continue
            skip = _skip_reason(data, self.settings)
            if skip is not None:
                counts.skipped[skip] += 1
                continue
            digest = hashlib.sha256(data).hexdigest()
            previous = cached.get(relative)
            if previous is not None and previous.sha256 == digest:
                records[relative] = previous
                counts.reused += 1
            else:
                found = record_of(data, relative)
                if isinstance(found, str):
                    counts.skipped[found] += 1
                    continue
                records[relative] = found
        counts.files = len(records)
        counts.statements = sum(len(r.statements) for r in records.values())
        with self._lock:
            self._files = records
            self._lexicon = Lexicon(s for r in records.values() for s in r.statements)
        if self.cache and (counts.reused != len(records) or len(cached) != len(records)):
            counts.cache_note = store.save(self.root, records) or counts.cache_note
        counts.seconds = time.perf_counter() - started
        self.counts, self.state = counts, "ready"
        return counts

    def refresh(self, *paths: str | Path) -> None:
        """Read files again from disk (saved, created, changed or deleted outside the editor); the
        index is remade once for all of them."""
        found: dict[str, FileRecord | str] = {}
        for path in paths:
            relative = self.relative(path)
            if relative is not None:
                found[relative] = (
                    read_file(Path(path), relative, self.settings)
                    if Path(path).is_file()
                    else "deleted"
                )
        if not found:
            return
        with self._lock:
            files = dict(self._files)
            for relative, record in found.items():
                if isinstance(record, FileRecord):
                    files[relative] = record
                else:
                    files.pop(relative, None)
            self._files = files
            self._lexicon = Lexicon(s for r in files.values() for s in r.statements)
        self.counts.files = len(self._files)
        self.counts.statements = len(self._lexicon)

    def save(self) -> str | None:
        """Write the cache now (after edits); the reason when it cannot be written."""
        return store.save(self.root, dict(self._files)) if self.cache else None

    # ------------------------------------------------------------------ open documents

    def open_document(self, path: str | Path, document: ParsedDocument) -> None:
        """The editor has `path` open with `document`: its text wins over the disk."""
        relative = self.relative(path)
        if relative is not None:
            with self._lock:
                self._open[relative] = document

    def close_document(self, path: str | Path) -> None:
        relative = self.relative(path)
        if relative is not None:
            with self._lock:
                self._open.pop(relative, None)

    # ------------------------------------------------------------------ asking

    @property
    def statement_count(self) -> int:
        return len(self._lexicon)

    def neighbours(
        self,
        site: LogSite,
        document: ParsedDocument,
        path: str | Path | None,
        weights: RetrievalWeights,
        limit: int,
    ) -> list[Neighbour]:
        """The logged sites of the project most like `site` of `document` (the text of `path` as
        it is now, which replaces the file's indexed statements), best first. The statement at
        the site's own line is never its own neighbour."""
        relative = self.relative(path)
        with self._lock:
            lexicon, opened = self._lexicon, dict(self._open)
        if relative is not None:
            opened[relative] = document
        elif path is not None:
            relative = str(path)
            opened[relative] = document
        own: list[LoggedStatement] = []
        for name, text in opened.items():
            for statement in open_statements(text, name):
                if name == relative and statement.line <= site.line <= statement.end_line:
                    continue
                own.append(statement)
        query = query_for(site, document, relative)
        return nearest(query, lexicon, weights, limit, own, frozenset(opened))


def open_statements(document: ParsedDocument, path: str) -> tuple[LoggedStatement, ...]:
    """The statements of an open document's current text, worked out once per text."""
    cache = document.cache
    found = cache.logged_statements
    if found is None or found[0] != path:
        found = (path, statements_in(document, path))
        cache.logged_statements = found
    return found[1]
