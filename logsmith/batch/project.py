"""The project index a batch run follows: one `logsmith.workspace.index.ProjectIndex` per project
root, so that proposals read like the statements the repository already has.

`open_index` gives this process's index of a root, building it on first use; a build reuses the
records kept on disk under `$LOGSMITH_CACHE/index` for files whose content has not changed, and
keeps the new ones there. The main process builds every project's index before any file is
analysed (`open_all`), so a run builds each once: pool workers started by fork inherit the built
indexes, and workers started otherwise open them again from the cache (reading and hashing the
files, not parsing them). No index is built for a project whose settings say
`project_index = false`, nor with `--no-project-index`, nor for a "project" that is only the folder
of a file given on the command line (no pyproject.toml or git work tree holds it: that folder may
be a home directory); a build that fails leaves the run without it, and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from logsmith.settings import Settings
from logsmith.workspace.files import Project, display_path
from logsmith.workspace.index import ProjectIndex

OFF_BY_FLAG = "--no-project-index"
OFF_BY_SETTING = "project_index = false in [tool.logsmith]"
OFF_NO_PROJECT = "no pyproject.toml or git work tree holds the files"

_opened: dict[str, ProjectIndex] = {}
"""This process's indexes, by project root (as `Task.root` names it)."""


def open_index(
    root: str,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    fresh: bool = False,
) -> ProjectIndex | None:
    """The index of the project at `root` in this process, built on first use (or again, with
    `fresh`: the files may have changed since); None when its settings turn it off. An index that
    could not be built is returned too (its `state` is "failed" and `error` says why): the
    pipeline does not read an index that is not ready."""
    if not settings.project_index:
        return None
    index = None if fresh else _opened.get(root)
    if index is None:
        index = ProjectIndex(Path(root), settings)
        try:
            index.build(progress)
        except Exception as exc:  # an index is a help: never the reason a run stops
            index.state, index.error = "failed", f"{type(exc).__name__}: {exc}"
        _opened[root] = index
    return index


@dataclass(frozen=True)
class IndexUse:
    """What a run knew of one project's own statements, for the summary and the review."""

    root: str
    """The project root as shown in outputs."""
    key: str = ""
    """The project root as `Task.root` names it."""
    ready: bool = False
    """Whether the index was built: the files of the project are analysed with it."""
    statements: int = 0
    files: int = 0
    text: str = ""
    """e.g. `212 log statements in 40 files, built in 0.3 s (38 files from the cache)`, or
    `off (--no-project-index)`."""


def describe(index: ProjectIndex | None, off: str) -> str:
    """What the summary says of one project's index; `off`: why there is none when `index` is
    None."""
    if index is None:
        return f"off ({off})"
    if index.state != "ready":
        return f"not used: it could not be built ({index.error or index.state})"
    counts = index.counts
    text = f"{counts.describe()}, built in {counts.seconds:.1f} s"
    if counts.reused:
        text += f" ({counts.reused} files from the cache)"
    elif counts.cache_note:
        text += f" ({counts.cache_note})"
    if not counts.statements:
        text += "; no statement to follow yet"
    return text


def is_project(root: Path, folders: set[Path]) -> bool:
    """Whether `root` is a project to index: it has a pyproject.toml or is a git work tree, or it
    is one of the `folders` given on the command line (read whole anyway)."""
    return (root / "pyproject.toml").is_file() or (root / ".git").exists() or root in folders


def open_all(
    projects: dict[Path, Project],
    off_by_flag: bool,
    progress: Callable[[str], Callable[[int, int], None] | None] | None = None,
    folders: set[Path] | None = None,
) -> list[IndexUse]:
    """Build the index of every project of the run in this process (before the pool starts), and
    say what each holds. `progress(root shown)` gives the callback a build reports to; `folders`:
    the folders given on the command line (absolute, normalised), see `is_project`."""
    uses = []
    for root, project in projects.items():
        shown = display_path(root)
        index = None
        wanted = is_project(root, folders or set())
        if not off_by_flag and project.settings.project_index and wanted:
            index = open_index(
                str(root), project.settings, progress(shown) if progress else None, fresh=True
            )
        off = (
            OFF_BY_FLAG
            if off_by_flag
            else OFF_BY_SETTING
            if not project.settings.project_index
            else OFF_NO_PROJECT
        )
        counts = index.counts if index is not None and index.state == "ready" else None
        uses.append(
            IndexUse(
                shown,
                str(root),
                counts is not None,
                counts.statements if counts else 0,
                counts.files if counts else 0,
                describe(index, off),
            )
        )
    return uses
