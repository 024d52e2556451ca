"""How the whole project logs: the levels its log statements use at each kind of site, over the
files of the language family (JavaScript with TypeScript) under the project's root, the nearest
folder above the file with a `package.json`, `go.mod`, `pom.xml`, `build.gradle` or `.git`.

Bounded (at most MAX_FILES files, dependency, build and test folders left out); each file is
parsed once per version through `folder_habits`' cache, and the project's files are walked and
counted again RELIST_AFTER_S after they were last. Without a root marker within MAX_LEVELS_UP
folders there is no project habit.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from logsmith.idioms.contract import LoggedCall
from logsmith.idioms.folder_habits import MAX_BYTES, calls_of_file

ROOT_MARKERS = ("package.json", "go.mod", "pom.xml", "build.gradle", "build.gradle.kts", ".git")
MAX_LEVELS_UP = 8
MAX_FILES = 300
MAX_FOLDERS = 2000
RELIST_AFTER_S = 60.0
SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        "vendor",
        "third_party",
        "dist",
        "build",
        "out",
        "target",
        "coverage",
        "test",
        "tests",
        "__tests__",
        "spec",
        "testdata",
        "examples",
        "docs",
    }
)
"""Dependencies, generated code, tests and examples: they do not show how the project logs."""

Levels = dict[str, Counter[str]]
"""Per site kind, how many statements log at each level."""


@dataclass(frozen=True)
class _ProjectRead:
    """One project's files as read at `read_at`: levels per site kind, and statements."""

    read_at: float
    total: Levels
    by_file: dict[Path, Levels]
    calls: tuple[tuple[Path, LoggedCall], ...] = ()


_read: dict[tuple[str, str], _ProjectRead] = {}
_roots: dict[Path, tuple[float, Path | None]] = {}
"""Per folder, when its project root was looked for and what was found."""
_lock = threading.Lock()


def project_root(path: Path) -> Path | None:
    """The nearest folder above `path` with a root marker, at most MAX_LEVELS_UP up (looked for
    again RELIST_AFTER_S after it last was, per folder)."""
    now = time.monotonic()
    with _lock:
        known = _roots.get(path.parent)
    if known is not None and now - known[0] < RELIST_AFTER_S:
        return known[1]
    root = _find_root(path)
    with _lock:
        if len(_roots) >= MAX_FOLDERS:
            _roots.clear()
        _roots[path.parent] = (now, root)
    return root


def _find_root(path: Path) -> Path | None:
    folder = path.parent
    for _ in range(MAX_LEVELS_UP):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
        if folder.parent == folder:
            return None
        folder = folder.parent
    return None


def _family(language: str) -> str:
    from logsmith.idioms.registry import MODULES

    return MODULES.get(language, language)


def _walk(root: Path, family: str) -> list[tuple[Path, int, int]]:
    """Up to MAX_FILES files of `family` under `root`, breadth first in name order, with their
    modification time and size; symlinks, oversized files and SKIPPED_FOLDERS left out."""
    from logsmith.syntax.languages import language_of_path

    found: list[tuple[Path, int, int]] = []
    folders, visited = [root], 0
    while folders and len(found) < MAX_FILES and visited < MAX_FOLDERS:
        folder = folders.pop(0)
        visited += 1
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    if not entry.name.startswith(".") and entry.name not in SKIPPED_FOLDERS:
                        folders.append(entry)
                    continue
                language = language_of_path(entry)
                if language is None or _family(language) != family:
                    continue
                stat = entry.stat()
            except OSError:
                continue
            if stat.st_size <= MAX_BYTES:
                found.append((entry, stat.st_mtime_ns, stat.st_size))
            if len(found) >= MAX_FILES:
                break
    return found


def _read_project(root: Path, family: str) -> _ProjectRead:
    from logsmith.syntax.languages import language_of_path

    total: Levels = {}
    by_file: dict[Path, Levels] = {}
    calls: list[tuple[Path, LoggedCall]] = []
    for file, mtime_ns, size in _walk(root, family):
        own: Levels = {}
        for call in calls_of_file(file, mtime_ns, size, language_of_path(file) or family):
            calls.append((file, call))
            if call.level is not None:
                own.setdefault(call.site_kind, Counter())[call.level] += 1
                total.setdefault(call.site_kind, Counter())[call.level] += 1
        if own:
            by_file[file] = own
    return _ProjectRead(time.monotonic(), total, by_file, tuple(calls))


def _project(own: Path, language: str) -> _ProjectRead | None:
    """What the project around `own` logs, read again RELIST_AFTER_S after it last was; None
    without a project root."""
    root = project_root(own)
    if root is None:
        return None
    key = (str(root), _family(language))
    with _lock:
        known = _read.get(key)
    if known is None or time.monotonic() - known.read_at >= RELIST_AFTER_S:
        known = _read_project(root, _family(language))
        with _lock:
            _read[key] = known
    return known


def project_calls(path: str, language: str) -> tuple[tuple[Path, LoggedCall], ...]:
    """The log statements of the project's files other than `path`, each with its file; empty
    without a project root."""
    own = Path(path)
    known = _project(own, language)
    if known is None:
        return ()
    return tuple((file, call) for file, call in known.calls if file != own)


def project_levels(path: str, language: str) -> Levels:
    """Per site kind, how many of the project's log statements (outside `path` itself) log at
    each level; empty without a project root."""
    own = Path(path)
    known = _project(own, language)
    if known is None:
        return {}
    mine = known.by_file.get(own, {})
    levels = {kind: counts - mine.get(kind, Counter()) for kind, counts in known.total.items()}
    return {kind: counts for kind, counts in levels.items() if counts}
