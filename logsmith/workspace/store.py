"""The project index on disk: one JSON file per workspace folder under
`$LOGSMITH_CACHE/index/`, its records keyed by each file's content hash.

Only what is read back and checked is used: a file that is not JSON, of another format or
version, written for another folder, whose digest does not match its body, or holding a record
of the wrong shape is ignored whole (the index is then rebuilt and the file replaced). The folder
is created 0700 and the file 0600; a write goes to a temporary file renamed into place, so a
reader never sees half a file. Nothing here leaves the machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING

from logsmith.model.registry import cache_dir
from logsmith.workspace.statements import LoggedStatement

if TYPE_CHECKING:
    from logsmith.workspace.index import FileRecord

FORMAT = "logsmith-project-index"
VERSION = 1


def index_dir() -> Path:
    return cache_dir() / "index"


def index_path(root: Path) -> Path:
    """Where the index of the folder `root` is kept."""
    key = hashlib.sha256(str(Path(root).absolute()).encode("utf-8", "surrogateescape"))
    return index_dir() / f"{key.hexdigest()[:24]}.json"


_TUPLE_FIELDS = {"parts", "extra_values", "keywords", "exception_types", "context"}
_STATEMENT_FIELDS = {f.name: f.type for f in fields(LoggedStatement)}


def _statement(raw: object) -> LoggedStatement:
    """A statement read back, its every field checked; ValueError on anything else."""
    if not isinstance(raw, dict) or set(raw) != set(_STATEMENT_FIELDS):
        raise ValueError("a statement record has other fields")
    values = {}
    for name, value in raw.items():
        if name in _TUPLE_FIELDS:
            if not isinstance(value, list):
                raise ValueError(f"{name} is not a list")
            if name == "parts":
                if not all(
                    isinstance(p, list)
                    and len(p) == 2
                    and p[0] in ("text", "value")
                    and isinstance(p[1], str)
                    for p in value
                ):
                    raise ValueError("parts are malformed")
                value = tuple(tuple(p) for p in value)
            elif not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} holds a non-string")
            else:
                value = tuple(value)
        elif name in ("line", "end_line"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} is not a line number")
        elif name == "in_except":
            if not isinstance(value, bool):
                raise ValueError("in_except is not a boolean")
        elif value is not None and not isinstance(value, str):
            raise ValueError(f"{name} is not a string")
        elif value is None and "None" not in str(_STATEMENT_FIELDS[name]):
            raise ValueError(f"{name} is missing")
        values[name] = value
    return LoggedStatement(**values)


def load(root: Path) -> tuple[dict[str, FileRecord], str]:
    """The records kept for `root` and a note on the cache ("" when it was used as it was)."""
    from logsmith.workspace.index import FileRecord

    path = index_path(root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, "no index kept yet"
    except OSError as exc:
        return {}, f"the kept index could not be read ({exc.strerror}); rebuilt"
    try:
        outer = json.loads(raw)
        if not isinstance(outer, dict) or outer.get("format") != FORMAT:
            raise ValueError("not a logsmith project index")
        if outer.get("version") != VERSION:
            raise ValueError(f"version {outer.get('version')!r}, not {VERSION}")
        body = outer.get("body")
        if not isinstance(body, str):
            raise ValueError("no body")
        if hashlib.sha256(body.encode("utf-8")).hexdigest() != outer.get("digest"):
            raise ValueError("its digest does not match: the file is damaged")
        content = json.loads(body)
        if not isinstance(content, dict) or content.get("root") != str(Path(root).absolute()):
            raise ValueError("it was written for another folder")
        files = content.get("files")
        if not isinstance(files, dict):
            raise ValueError("no files")
        records = {}
        for relative, entry in files.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
                raise ValueError("a file record is malformed")
            statements = entry.get("statements")
            if not isinstance(statements, list):
                raise ValueError("a file record has no statements")
            records[relative] = FileRecord(
                entry["sha256"], tuple(_statement(s) for s in statements)
            )
    except (ValueError, TypeError, RecursionError) as exc:
        return {}, f"the kept index was not used ({exc}); rebuilt"
    return records, ""


def save(root: Path, records: dict[str, FileRecord]) -> str | None:
    """Write the records of `root`; the reason when they cannot be written (never raises)."""
    body = json.dumps(
        {
            "root": str(Path(root).absolute()),
            "files": {
                relative: {
                    "sha256": record.sha256,
                    "statements": [asdict(s) for s in record.statements],
                }
                for relative, record in sorted(records.items())
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    outer = json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "digest": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            "body": body,
        },
        ensure_ascii=False,
    )
    target = index_path(root)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(target.parent, 0o700)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".index-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as sink:
                sink.write(outer)
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        return f"the index could not be kept in {target.parent} ({exc.strerror})"
    return None
