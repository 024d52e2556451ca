"""Fetch a non-Python corpus project's sources with its registry's own client, once.

`debian:NAME=VERSION` is downloaded with `apt-get download` and unpacked with `dpkg-deb -x`;
`npm:NAME@VERSION` with `npm pack` and unpacked with tar. Archives land in the same cache as the
Python sdists (`eval.corpus.sources.default_cache()`), under `archives/debian/` and `archives/npm/`;
each is unpacked once into `trees/<registry>-<name>-<version>/` (with a nested archive, such as
OpenJDK's `src.zip`, unpacked beside itself). Nothing here is committed.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from eval.corpus import sources

REGISTRIES = ("debian", "npm")
_SOURCE = re.compile(r"^(?P<registry>debian|npm):(?P<name>@?[^@=\s]+)[=@](?P<version>[^\s@=]+)$")


@dataclass(frozen=True)
class PackageSource:
    """One pinned package of a registry: `debian:golang-etcd-server-dev=3.4.23-4`,
    `npm:@node-red/runtime@5.0.7`."""

    registry: str
    name: str
    version: str

    @classmethod
    def parse(cls, text: str) -> PackageSource:
        found = _SOURCE.match(text.strip())
        if not found:
            raise sources.SourceError(
                f"not a pinned source: {text!r} (expected debian:NAME=VERSION or npm:NAME@VERSION)"
            )
        return cls(found["registry"], found["name"], found["version"])

    @property
    def slug(self) -> str:
        """A file-name-safe `registry-name-version`."""
        name = re.sub(r"[^A-Za-z0-9._+-]+", "-", self.name.lstrip("@"))
        version = re.sub(r"[^A-Za-z0-9._+-]+", "-", self.version)
        return f"{self.registry}-{name}-{version}"


def _run(command: list[str], folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900)


def _download(package: PackageSource, folder: Path) -> Path:
    """Download into an empty scratch folder, then keep the one file it produced."""
    scratch = folder / f".{package.slug}.download"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        if package.registry == "debian":
            result = _run(["apt-get", "download", f"{package.name}={package.version}"], scratch)
        else:
            result = _run(["npm", "pack", "--silent", f"{package.name}@{package.version}"], scratch)
        produced = sorted(scratch.iterdir())
        if result.returncode != 0 or len(produced) != 1:
            said = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise sources.SourceError(
                f"could not download {package.registry}:{package.name} {package.version}: {said}"
            )
        suffix = ".deb" if package.registry == "debian" else ".tgz"
        target = folder / f"{package.slug}{suffix}"
        produced[0].replace(target)
        return target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def fetch_archive(package: PackageSource, cache: Path | None = None) -> Path:
    """The package's archive, downloaded on first use."""
    folder = Path(cache or sources.default_cache()) / "archives" / package.registry
    for suffix in (".deb", ".tgz"):
        found = folder / f"{package.slug}{suffix}"
        if found.exists():
            return found
    folder.mkdir(parents=True, exist_ok=True)
    return _download(package, folder)


def _extract(archive: Path, into: Path) -> None:
    if archive.name.endswith(".deb"):
        result = subprocess.run(
            ["dpkg-deb", "-x", str(archive), str(into)], capture_output=True, text=True, timeout=900
        )
        if result.returncode != 0:
            raise sources.SourceError(
                f"dpkg-deb could not unpack {archive}: {result.stderr.strip()}"
            )
    else:
        sources.extract(archive, into)


def nested_folder(nested: str) -> str:
    """Where a nested archive is unpacked: beside itself, without its suffix."""
    return re.sub(r"\.(zip|tar\.gz|tgz)$", "", nested)


def unpack(
    archive: Path, package: PackageSource, nested: str | None = None, cache: Path | None = None
) -> Path:
    """The folder holding the package's files (and the nested archive's, when named), unpacked
    once under a lock; the marker written last says the tree is complete."""
    tree = Path(cache or sources.default_cache()) / "trees" / package.slug
    marker = tree / ".unpacked"
    if marker.exists():
        return tree
    tree.parent.mkdir(parents=True, exist_ok=True)
    with open(tree.parent / f".{tree.name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return tree
        if tree.exists():
            shutil.rmtree(tree)
        tree.mkdir(parents=True)
        _extract(archive, tree)
        if nested:
            inner = tree / nested
            if not inner.is_file():
                raise sources.SourceError(f"{package.slug} holds no {nested}")
            target = tree / nested_folder(nested)
            target.mkdir(parents=True, exist_ok=True)
            _extract(inner, target)
        marker.write_text(archive.name + "\n", encoding="utf-8")
    return tree


def project_tree(source: str, nested: str | None = None, cache: Path | None = None) -> Path:
    """Download if needed, unpack if needed, and return the package's folder."""
    package = PackageSource.parse(source)
    return unpack(fetch_archive(package, cache), package, nested, cache)


def source_files(tree: Path, include: tuple[str, ...], suffixes: tuple[str, ...]) -> list[str]:
    """The regular files (not links) under the `include` folders of `tree` whose names end with one
    of `suffixes`, as paths relative to `tree`, sorted."""
    tree = Path(tree)
    found = set()
    for folder in include:
        root = tree / folder
        if not root.is_dir():
            raise sources.SourceError(f"{tree.name} has no folder {folder}")
        for path in root.rglob("*"):
            if path.name.endswith(suffixes) and path.is_file() and not path.is_symlink():
                found.add(path.relative_to(tree).as_posix())
    return sorted(found)
