"""Fetch a corpus project's sources with pip and keep them in a cache folder outside the repo.

An archive is downloaded once into `<cache>/archives/` (an sdist, or the wheel when the
project publishes no sdist) and unpacked once into `<cache>/trees/<project>-<version>/`; later
runs reuse both. Nothing here is committed: the corpus definition names the projects and
versions, and this module brings their files back on any machine that reaches PyPI.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

CACHE_ENV = "LOGSMITH_EVAL_SOURCES"


def default_cache() -> Path:
    """$LOGSMITH_EVAL_SOURCES, else ~/.cache/logsmith/eval-sources."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "logsmith" / "eval-sources")


class SourceError(RuntimeError):
    """A project's sources could not be downloaded or read; the message says which and why."""


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _find_archive(folder: Path, project: str, version: str) -> Path | None:
    """The downloaded archive of `project==version` in `folder`, if there is one."""
    if not folder.is_dir():
        return None
    wanted = f"{_normalised(project)}_{_normalised(version)}"
    for path in sorted(folder.iterdir()):
        stem = path.name
        for suffix in (".tar.gz", ".zip", ".tgz", ".tar.bz2"):
            if stem.endswith(suffix):
                if _normalised(stem[: -len(suffix)]) == wanted:
                    return path
        if stem.endswith(".whl"):
            name, wheel_version = stem.split("-")[:2]
            if f"{_normalised(name)}_{_normalised(wheel_version)}" == wanted:
                return path
    return None


def _pip_download(project: str, version: str, folder: Path, binary: bool) -> subprocess.CompletedProcess:
    kind = ["--only-binary", ":all:"] if binary else ["--no-binary", ":all:"]
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--no-deps", *kind, "-d", str(folder), f"{project}=={version}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


def fetch_archive(project: str, version: str, cache: Path | None = None) -> Path:
    """The sdist (or wheel) of `project==version`, downloaded with pip on first use."""
    folder = Path(cache or default_cache()) / "archives"
    found = _find_archive(folder, project, version)
    if found:
        return found
    folder.mkdir(parents=True, exist_ok=True)
    errors = []
    for binary in (False, True):
        result = _pip_download(project, version, folder, binary)
        found = _find_archive(folder, project, version)
        if result.returncode == 0 and found:
            return found
        errors.append(result.stderr.strip().splitlines()[-1:] or ["(no message)"])
    raise SourceError(f"pip could not download {project}=={version}: {errors}")


def _safe_members(names: list[str]) -> None:
    for name in names:
        parts = Path(name).parts
        if name.startswith("/") or ".." in parts:
            raise SourceError(f"archive member with an unsafe path: {name!r}")


def extract(archive: Path, into: Path) -> None:
    """Unpack a zip (or wheel) or tar archive into `into`: regular files and folders only, none
    outside `into`."""
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as bundle:
            _safe_members(bundle.namelist())
            bundle.extractall(into)
    else:
        with tarfile.open(archive) as bundle:
            members = [m for m in bundle.getmembers() if m.isfile() or m.isdir()]
            _safe_members([m.name for m in members])
            bundle.extractall(into, members=members, filter="data")


def unpack(archive: Path, project: str, version: str, cache: Path | None = None) -> Path:
    """The folder holding the archive's files; file paths in the corpus are relative to it.

    Unpacking holds a lock file beside the tree, so two processes on a cold cache (two benchmarks
    at once) do not unpack the same project over each other; the marker written last says the
    tree is complete."""
    tree = Path(cache or default_cache()) / "trees" / f"{project}-{version}"
    marker = tree / ".unpacked"
    if marker.exists():
        return tree
    tree.parent.mkdir(parents=True, exist_ok=True)
    with open(tree.parent / f".{tree.name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():  # another process unpacked it meanwhile
            return tree
        if tree.exists():  # left half-unpacked by an interrupted run
            shutil.rmtree(tree)
        tree.mkdir(parents=True)
        extract(archive, tree)
        marker.write_text(archive.name + "\n", encoding="utf-8")
    return tree


def project_tree(project: str, version: str, cache: Path | None = None) -> Path:
    """Download if needed, unpack if needed, and return the project's folder."""
    return unpack(fetch_archive(project, version, cache), project, version, cache)


def read_source(tree: Path, file: str) -> str:
    """The text of `file` (a path inside the archive), with `\\r\\n` line ends made `\\n`."""
    path = Path(tree) / file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path} is not UTF-8: {exc}") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def python_files(tree: Path) -> list[str]:
    """Every `.py` file of the tree, as paths relative to it, sorted."""
    tree = Path(tree)
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*.py") if p.is_file())
