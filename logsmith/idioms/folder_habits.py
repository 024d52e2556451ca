"""How the files beside a file log: the log statements of the other files of its language in its
folder (a Go package, a Java package, a JavaScript module's folder), read once per folder state.

A new file, or a file with no statement yet, takes its logger, level habits and message case from
them; nothing here is written anywhere.
"""

from __future__ import annotations

import threading
from pathlib import Path

from logsmith.idioms.contract import LoggedCall

MAX_FILES = 40
MAX_BYTES = 512_000
_cache: dict[tuple[str, str], tuple[tuple, tuple[LoggedCall, ...]]] = {}
_lock = threading.Lock()


def _siblings(folder: Path, language: str, own: Path) -> list[Path]:
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
            if entry.is_file() and not entry.is_symlink() and entry.stat().st_size <= MAX_BYTES:
                found.append(entry)
        except OSError:
            continue
        if len(found) >= MAX_FILES:
            break
    return found


def folder_calls(path: str, language: str) -> tuple[LoggedCall, ...]:
    """The log statements of up to MAX_FILES other files of `language` in `path`'s folder
    (unreadable and oversized files skipped); cached until a file there changes."""
    from logsmith.idioms.registry import reader_for
    from logsmith.syntax.document import ParsedDocument

    own = Path(path)
    folder = own.parent
    files = _siblings(folder, language, own)
    try:
        state = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    except OSError:
        state = ()
    key = (str(own), language)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == state:
        return cached[1]
    reader = reader_for(language)
    calls: list[LoggedCall] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        calls.extend(reader.logged_calls(ParsedDocument(text, language)))
    result = tuple(calls)
    with _lock:
        _cache[key] = (state, result)
    return result
