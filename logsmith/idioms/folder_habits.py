"""How the files beside a file log: the log statements of the other files of its language in its
folder (a Go package, a Java package, a JavaScript module's folder).

Each file is read and parsed once per version (its size and modification time): a batch run over
a folder of n files reads each of them once, not n times. A new file, or a file with no statement
yet, takes its logger, level habits and message case from them; nothing here is written anywhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from logsmith.idioms.contract import LoggedCall
from logsmith.idioms.project_neighbour import with_context

MAX_FILES = 40
MAX_BYTES = 512_000
CACHED_FILES = 4096
"""Files whose statements are kept in memory (least recently used go first)."""
_cache: OrderedDict[tuple[str, str, int, int], tuple[LoggedCall, ...]] = OrderedDict()
_lock = threading.Lock()


def _siblings(folder: Path, language: str, own: Path) -> list[tuple[Path, int, int]]:
    """Up to MAX_FILES other files of `language` in `folder`, with their modification time and
    size; symlinks, oversized and unreadable files left out."""
    from logsmith.syntax.languages import language_of_path

    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry == own or language_of_path(entry) != language:
            continue
        try:
            if entry.is_symlink():
                continue
            stat = entry.stat()
        except OSError:
            continue
        if stat.st_size <= MAX_BYTES and entry.is_file():
            found.append((entry, stat.st_mtime_ns, stat.st_size))
        if len(found) >= MAX_FILES:
            break
    return found


def calls_of_file(path: Path, mtime_ns: int, size: int, language: str) -> tuple[LoggedCall, ...]:
    """The log statements of the file at `path` in `language`, read and parsed once per version
    (its modification time and size); none for a file that cannot be read."""
    from logsmith.idioms.registry import reader_for
    from logsmith.syntax.document import ParsedDocument

    key = (str(path), language, mtime_ns, size)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        calls: tuple[LoggedCall, ...] = ()
    else:
        found = reader_for(language).logged_calls(ParsedDocument(text, language))
        calls = with_context(found, text.splitlines())
    with _lock:
        _cache[key] = calls
        while len(_cache) > CACHED_FILES:
            _cache.popitem(last=False)
    return calls


def folder_calls(path: str, language: str) -> tuple[LoggedCall, ...]:
    """The log statements of up to MAX_FILES other files of `language` in `path`'s folder
    (unreadable and oversized files skipped), each file read once per version."""
    own = Path(path)
    found: list[LoggedCall] = []
    for sibling, mtime_ns, size in _siblings(own.parent, language, own):
        found.extend(calls_of_file(sibling, mtime_ns, size, language))
    return tuple(found)
