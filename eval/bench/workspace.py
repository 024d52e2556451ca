"""The workspace a corpus case is asked in: its project's unpacked source tree, and logsmith's
project index of that tree, built once per project and run.

The workspace folder is the one that holds the package, as a developer's checkout would (the
sdist's top folder: `trees/scrapy-2.19.0/scrapy-2.19.0`), so a case's file lies inside it and
`logsmith.suggest(masked, ..., path=case_file, project=index)` replaces that file's indexed
statements with the masked text's: the developer's statement is never a neighbour of its own site.

Indexes are built with the cache off (`cache=False`), so every run reads the trees afresh and no
run depends on what another left on disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from eval.corpus import build as corpus
from eval.corpus import sources
from logsmith.settings import Settings
from logsmith.workspace.index import ProjectIndex


def workspace_root(tree: Path, file: str) -> Path:
    """The folder of `tree` that holds `file` (a path inside the archive) as a checkout would:
    the archive's top folder, or the tree itself when the archive has none."""
    top = Path(tree) / Path(file).parts[0]
    return top if top.is_dir() and len(Path(file).parts) > 1 else Path(tree)


def project_root(case: corpus.LogCase, cache: Path | None = None) -> Path:
    """The workspace folder of `case`'s project (its sources are fetched on first use)."""
    return workspace_root(sources.project_tree(case.project, case.version, cache), case.file)


@dataclass
class BuiltIndex:
    """A built project index and what building it took."""

    root: Path
    index: ProjectIndex
    seconds: float

    def figures(self) -> dict:
        """What a row records of the index its case was asked with."""
        counts = self.index.counts
        return {"root": self.root.name, "state": self.index.state, "files": counts.files,
                "statements": counts.statements, "skipped": dict(counts.skipped),
                "build_s": round(self.seconds, 3)}


class Indexes:
    """One ProjectIndex per workspace folder, built on first use (cache off) and kept for the run."""

    def __init__(self, settings: Settings | None = None, cache: Path | None = None):
        self.settings = settings or Settings()
        self.cache = cache
        self._built: dict[Path, BuiltIndex] = {}

    def for_root(self, root: Path) -> BuiltIndex:
        root = Path(root).absolute()
        built = self._built.get(root)
        if built is None:
            index = ProjectIndex(root, self.settings, cache=False)
            started = time.perf_counter()
            index.build()
            built = BuiltIndex(root, index, time.perf_counter() - started)
            self._built[root] = built
        return built

    def for_case(self, case: corpus.LogCase) -> BuiltIndex:
        return self.for_root(project_root(case, self.cache))
