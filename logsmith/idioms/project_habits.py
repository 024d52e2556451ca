"""How the whole project logs: the levels its log statements use at each kind of site, over the
files of the language family (JavaScript with TypeScript) under the project's root, the nearest
folder above the file with a `package.json`, `go.mod`, `pom.xml`, `build.gradle` or `.git`.

Bounded (at most MAX_FILES files, dependency, build and test folders left out) and read once per
file version through `folder_habits`' cache; the list of files is walked again after
RELIST_AFTER_S. Without a root marker within MAX_LEVELS_UP folders there is no project habit.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

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

_listed: dict[tuple[str, str], tuple[float, tuple[tuple[Path, int, int], ...]]] = {}
_lock = threading.Lock()


def project_root(path: Path) -> Path | None:
    """The nearest folder above `path` with a root marker, at most MAX_LEVELS_UP up."""
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


def _walk(root: Path, family: str) -> tuple[tuple[Path, int, int], ...]:
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
    return tuple(found)


def _files(root: Path, family: str) -> tuple[tuple[Path, int, int], ...]:
    key = (str(root), family)
    now = time.monotonic()
    with _lock:
        listed = _listed.get(key)
    if listed is not None and now - listed[0] < RELIST_AFTER_S:
        return listed[1]
    files = _walk(root, family)
    with _lock:
        _listed[key] = (now, files)
    return files


def project_levels(path: str, language: str) -> dict[str, Counter[str]]:
    """Per site kind, how many of the project's log statements (outside `path` itself) log at
    each level; empty without a project root."""
    from logsmith.syntax.languages import language_of_path

    own = Path(path)
    root = project_root(own)
    if root is None:
        return {}
    levels: dict[str, Counter[str]] = {}
    for file, mtime_ns, size in _files(root, _family(language)):
        if file == own:
            continue
        for call in calls_of_file(file, mtime_ns, size, language_of_path(file) or language):
            if call.level is not None:
                levels.setdefault(call.site_kind, Counter())[call.level] += 1
    return levels
