"""`--diff`: a unified diff that `git apply` accepts.

Paths are `a/<path>` and `b/<path>`, relative to the root of the git work tree that holds the file
(run `git apply` anywhere in it), or to the current folder outside git. The diff is made of the
file's own bytes (encoding, BOM and line endings as they are), so it applies byte for byte; a last
line without a newline gets git's `\\ No newline at end of file` marker.
"""

from __future__ import annotations

import difflib
import functools
import os
import subprocess
from pathlib import Path

from logsmith.batch.changes import FileChange

NO_NEWLINE = b"\\ No newline at end of file\n"


@functools.lru_cache(maxsize=256)
def _git_top(folder: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", folder, "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def patch_path(path: str, cwd: str | None = None) -> str:
    """The path a patch names: relative to the git work tree root, else to `cwd`."""
    absolute = os.path.abspath(path)
    top = _git_top(os.path.dirname(absolute))
    if top is not None:
        real_top = os.path.realpath(top)
        real_dir = os.path.realpath(os.path.dirname(absolute))
        relative_dir = os.path.relpath(real_dir, real_top)
        if not relative_dir.startswith(".."):
            return Path(relative_dir, os.path.basename(absolute)).as_posix().removeprefix("./")
    return Path(os.path.relpath(absolute, cwd or os.getcwd())).as_posix()


def file_diff(change: FileChange, cwd: str | None = None) -> bytes:
    if not change.ok or change.new_bytes is None or change.result.source is None:
        return b""
    old = change.result.source.raw
    name = patch_path(change.result.path, cwd).encode("utf-8", "surrogateescape")
    lines = difflib.diff_bytes(
        difflib.unified_diff,
        old.splitlines(keepends=True),
        change.new_bytes.splitlines(keepends=True),
        b"a/" + name,
        b"b/" + name,
        n=3,
    )
    out = []
    for line in lines:
        if line.endswith(b"\n"):
            out.append(line)
        else:
            out.append(line + b"\n" + NO_NEWLINE)
    return b"".join(out)


def write_diff(changes: list[FileChange], out_bytes, cwd: str | None = None) -> None:
    for change in changes:
        patch = file_diff(change, cwd)
        if patch:
            out_bytes.write(patch)
