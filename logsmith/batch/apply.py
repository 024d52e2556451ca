"""`--apply`: write the changes, and only when it is safe to.

A file is written only when all of these hold:
- its real path (symlinks resolved) lies inside the project root it was walked from, and it was one
  of the walked files (nothing else is ever opened for writing);
- its bytes on disk are still the bytes that were analysed (checked right before writing);
- the result parses (see changes.py) and its encoding can hold the new text;
- in a git work tree, git has no uncommitted change for it (modified, staged or untracked), unless
  `--force`.
Files outside git, and forced files, are first copied to `$LOGSMITH_HOME/backups/<time>/`. Each
write goes to a temporary file in the same folder, is flushed to disk, gets the old file's
permissions and then replaces the file in one `os.replace`, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from logsmith.batch.changes import FileChange


@dataclass(frozen=True)
class Written:
    """What `--apply` did with one file: whether it was written, why not, and its backup."""

    display: str
    written: bool
    reason: str = ""
    backup: str | None = None


def backup_root() -> Path:
    from logsmith.audit.store import logsmith_home

    return logsmith_home() / "backups" / time.strftime("%Y%m%d-%H%M%S")


def _git_state(paths: list[Path]) -> dict[Path, str | None]:
    """For each path: None outside a git work tree, '' when git has no change for it, else git's
    two-letter status (' M', 'A ', '??', ...)."""
    states: dict[Path, str | None] = {}
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    for folder, members in by_folder.items():
        try:
            top = subprocess.run(
                ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            top = None
        if top is None or top.returncode != 0:
            states.update({p: None for p in members})
            continue
        done = subprocess.run(
            [
                "git",
                "-C",
                str(folder),
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--ignored=no",
                "--",
                *[p.name for p in members],
            ],
            capture_output=True,
            timeout=60,
        )
        dirty = {}
        if done.returncode == 0:
            for entry in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
                if len(entry) > 3 and entry[2] == " ":
                    dirty[(Path(top.stdout.strip()) / entry[3:]).resolve()] = entry[:2]
        for path in members:
            states[path] = dirty.get(path.resolve(), "")
    return states


def _write_atomically(target: Path, data: bytes) -> None:
    mode = target.stat().st_mode
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".logsmith-tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def apply_changes(changes: list[FileChange], force: bool = False) -> list[Written]:
    outcomes: list[Written] = []
    candidates: list[tuple[FileChange, Path]] = []
    for change in changes:
        result = change.result
        if change.problem is not None:
            outcomes.append(Written(result.display, False, change.problem))
            continue
        real = Path(result.path).resolve()
        if not real.is_relative_to(Path(result.root).resolve()):
            outcomes.append(
                Written(
                    result.display,
                    False,
                    "not written: a symlink that leads out of the project root",
                )
            )
            continue
        candidates.append((change, real))
    states = _git_state([real for _, real in candidates])
    backups = None
    for change, real in candidates:
        result = change.result
        # a change that may be written has the file as read and the new bytes
        assert result.source is not None and change.new_bytes is not None
        state = states.get(real)
        if state and not force:
            outcomes.append(
                Written(
                    result.display,
                    False,
                    f"not written: uncommitted changes in git ({state.strip()}); "
                    "commit them or use --force",
                )
            )
            continue
        try:
            current = real.read_bytes()
        except OSError as exc:
            outcomes.append(
                Written(
                    result.display,
                    False,
                    f"not written: cannot read it again ({exc.strerror or exc})",
                )
            )
            continue
        if current != result.source.raw:
            outcomes.append(
                Written(result.display, False, "not written: the file changed since it was read")
            )
            continue
        backup = None
        try:
            if state is None or state:
                backups = backups or backup_root()
                relative = real.relative_to(Path(result.root).resolve())
                copy = backups / Path(result.root).name / relative
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(real, copy)
                backup = str(copy)
            _write_atomically(real, change.new_bytes)
        except OSError as exc:
            outcomes.append(
                Written(result.display, False, f"not written: {exc.strerror or exc}", backup)
            )
            continue
        outcomes.append(Written(result.display, True, "", backup))
    return outcomes
