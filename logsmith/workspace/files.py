"""Which files `logsmith suggest PATH...` reads: the source files under the paths (Python by
default; batch mode asks for every language logsmith reads), minus what is ignored.

Inside a git work tree the list comes from `git ls-files --cached --others --exclude-standard`
(git's own `.gitignore` logic); elsewhere `.gitignore` files are read with the same syntax. Then the
`[tool.logsmith] exclude` globs of the project root apply (`.gitignore` syntax, relative to the
root), and folders that are never source are skipped (.git, __pycache__, node_modules, virtualenvs:
any folder holding `pyvenv.cfg`). A file named on the command line is always read. Symlinked folders
are not followed; a symlinked file whose target lies outside the root is skipped.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from logsmith.settings import Settings, from_environment, from_pyproject
from logsmith.syntax.languages import SPECS, language_of_path
from logsmith.workspace.ignore_patterns import PatternSet, compile_patterns, excluded, is_ignored

NEVER_SOURCE = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        "site-packages",
    }
)
PYTHON_SUFFIXES = (".py",)
TEST_FOLDERS = frozenset({"tests", "test", "testing", "__tests__", "testdata"})
"""Folders of tests in every language (`src/test/` for Java, `__tests__/` for JavaScript,
`testdata/` for Go)."""
TEST_FILE = re.compile(
    r"^(test_.*|.*_test|conftest)\.py$"  # Python
    r"|^.*_test\.go$"  # Go
    r"|^.*(Test|Tests|[a-z0-9]IT)\.java$"  # Java: JUnit's and Failsafe's naming
    r"|^.*\.(test|spec)\.(js|mjs|cjs|jsx|ts|mts|cts|tsx)$"  # JavaScript and TypeScript
)
"""Test files by name, per language."""


def suffixes_of(languages: tuple[str, ...]) -> tuple[str, ...]:
    """The file suffixes of `languages` (names of `logsmith.syntax.languages.SPECS`)."""
    return tuple(suffix for language in languages for suffix in SPECS[language].suffixes)


@dataclass(frozen=True)
class Project:
    """The folder whose pyproject.toml configures a set of files, with its settings."""

    root: Path
    settings: Settings
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """A file to analyse."""

    path: Path
    """Absolute path, symlinks not resolved."""
    display: str
    """Path shown in every output: relative to the current folder when inside it, else absolute."""
    project: Project
    language: str = "python"
    """The language the file is read in (by its suffix; a file named on the command line with
    another suffix is read as Python)."""


@dataclass
class Discovery:
    """The files to analyse for the command-line paths, and what was left out."""

    targets: list[Target] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(display path, reason) of files left out for a reason worth telling."""
    projects: dict[Path, Project] = field(default_factory=dict)
    test_files: int = 0
    """Test files left out (see `is_test_file`)."""
    not_regular: int = 0
    """Files under a folder left out because they are no regular file (a dangling symlink, a FIFO,
    a symlink loop); files named on the command line are in `skipped` instead."""


def display_path(path: Path, cwd: Path | None = None) -> str:
    cwd = cwd or Path.cwd()
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def find_root(path: Path) -> Path:
    """The nearest folder at or above `path` with a pyproject.toml, else the nearest git work tree
    root, else `path` itself (its folder for a file)."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _project(root: Path, discovery: Discovery, overrides: dict) -> Project:
    if root not in discovery.projects:
        settings, messages = from_pyproject(root)
        settings = from_environment(settings)
        if overrides:
            settings = settings.replace(**overrides)
        discovery.projects[root] = Project(root, settings, tuple(messages))
    return discovery.projects[root]


def _git_files(folder: Path) -> list[str] | None:
    """Files under `folder` that git does not ignore, relative to `folder`; None outside git."""
    try:
        done = subprocess.run(
            [
                "git",
                "-C",
                str(folder),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return [name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


@functools.lru_cache(maxsize=64)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


@functools.lru_cache(maxsize=4096)
def _is_virtualenv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def _read_ignore_file(folder: Path, relative: str) -> PatternSet | None:
    ignore_file = folder / ".gitignore"
    if not ignore_file.is_file():
        return None
    try:
        lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return PatternSet(compile_patterns(lines), relative)


def _plain_files(root: Path, folder: Path, suffixes: tuple[str, ...]) -> list[str]:
    """Files ending in `suffixes` under `folder`, honouring the `.gitignore` files from `root` down,
    relative to `folder` (no git)."""
    start = folder.relative_to(root).as_posix() if folder != root else ""
    sets: list[PatternSet] = []
    # below the root, above the folder; nearest first
    between = [p for p in folder.parents if root in p.parents]
    for ancestor in [root, *reversed(between)] if folder != root else []:
        patterns = _read_ignore_file(
            ancestor, ancestor.relative_to(root).as_posix() if ancestor != root else ""
        )
        if patterns is not None:
            sets.append(patterns)
    found: list[str] = []
    stack: list[tuple[Path, str, list[PatternSet]]] = [(folder, start, sets)]
    while stack:
        here, relative, sets = stack.pop()
        own = _read_ignore_file(here, relative)
        if own is not None:
            sets = [*sets, own]
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = f"{relative}/{entry.name}" if relative else entry.name
            if entry.is_dir(follow_symlinks=False):
                if (
                    entry.name in NEVER_SOURCE
                    or is_ignored(sets, name, True)
                    or _is_virtualenv(Path(entry.path))
                ):
                    continue
                stack.append((Path(entry.path), name, sets))
            elif entry.name.endswith(suffixes) and not is_ignored(sets, name, False):
                found.append(name[len(start) + 1 :] if start else name)
    return found


def _under_never_source(relative: str) -> bool:
    return any(part in NEVER_SOURCE for part in relative.split("/")[:-1])


def is_test_file(relative: str) -> bool:
    """Code that does not run in production, where a log statement is noise: `tests/`, `test/`,
    `testing/`, `__tests__/` or `testdata/` folders (`src/test/` in Java), `test_*.py`, `*_test.py`,
    `conftest.py`, `*_test.go`, `*Test.java` (`*Tests`, `*IT`), `*.test.ts`, `*.spec.js` and the
    like."""
    parts = relative.split("/")
    return bool(TEST_FILE.match(parts[-1])) or any(part in TEST_FOLDERS for part in parts[:-1])


def discover(
    paths: list[str],
    overrides: dict | None = None,
    cwd: Path | None = None,
    include_tests: bool = False,
    languages: tuple[str, ...] = ("python",),
) -> Discovery:
    """Targets for the command-line `paths`, each with its project's settings (`overrides` on top,
    e.g. rules from --rules). Under a folder, the files of `languages` are read (batch mode asks
    for all of `SPECS`); test files are left out unless `include_tests`, or unless the folder
    itself is a test folder. Raises FileNotFoundError for a path that does not exist."""
    cwd = cwd or Path.cwd()
    suffixes = suffixes_of(languages)
    discovery = Discovery()
    seen: set[Path] = set()
    overrides = overrides or {}

    def add(path: Path, project: Project, explicit: bool) -> None:
        display = display_path(path, cwd)
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
            if explicit:
                discovery.skipped.append((display, "skipped: symlink loop"))
            else:
                discovery.not_regular += 1
            return
        if path.is_symlink() and not real.is_relative_to(_resolved(project.root)):
            discovery.skipped.append(
                (display, "skipped: symlink to a file outside the project root")
            )
            return
        if not real.is_file():
            if explicit:
                discovery.skipped.append((display, "skipped: not a regular file"))
            else:
                discovery.not_regular += 1
            return
        if real in seen:
            return
        seen.add(real)
        discovery.targets.append(Target(path, display, project, language_of_path(path) or "python"))

    for given in paths:
        path = (cwd / given).absolute() if not os.path.isabs(given) else Path(given)
        path = Path(os.path.normpath(path))
        if not path.exists() and not path.is_symlink():
            raise FileNotFoundError(f"{given}: no such file or folder")
        root = find_root(path)
        project = _project(root, discovery, overrides)
        if not path.is_dir():
            add(path, project, explicit=True)
            continue
        excludes = PatternSet(compile_patterns(project.settings.exclude))
        listed = _git_files(path)
        if listed is None:
            listed = _plain_files(root, path, suffixes)
        else:
            listed = [
                name for name in listed if name.endswith(suffixes) and not _under_never_source(name)
            ]
        prefix = path.relative_to(root).as_posix() if path != root else ""
        skip_tests = not include_tests and not any(
            part in TEST_FOLDERS for part in prefix.split("/")
        )
        for name in sorted(listed):
            relative = f"{prefix}/{name}" if prefix else name
            if project.settings.exclude and excluded(excludes, relative):
                continue
            if skip_tests and is_test_file(name):
                discovery.test_files += 1
                continue
            candidate = path / name
            folders = name.split("/")[:-1]
            if any(
                _is_virtualenv(path.joinpath(*folders[:depth]))
                for depth in range(1, len(folders) + 1)
            ):
                continue
            add(candidate, project, explicit=False)
    return discovery
