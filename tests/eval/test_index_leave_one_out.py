"""Leave-one-out with the project as the workspace: a masked case is asked with the index of its
whole project, and the developer's statement never reaches the suggestion through the index.

The project is pika's unpacked sdist when the eval sources are already cached (these tests never
download: without the cache they build a small project of their own). The masked text is passed
for the case's file inside the index root, so it replaces that file's indexed statements: the
masked statement is never among a suggestion's neighbours, nor among everything
`ProjectIndex.neighbours` returns for the masked document; a copy of the same statement in another
file of the project still is.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

import logsmith
from eval.bench import engine as bench_engine
from eval.bench import workspace
from eval.corpus import build as corpus
from eval.corpus import sources
from logsmith.planning.neighbours import HABITS
from logsmith.syntax.site import parse_for_site, site_at
from logsmith.workspace.index import ProjectIndex
from logsmith.workspace.retrieval import RetrievalWeights
from logsmith.workspace.statements import statements_in

PROJECT, VERSION = "pika", "1.4.4"
COPIED = 24
"""Cases whose file is also copied whole into the project, for the control."""
EVERYTHING = 100_000
"""A neighbour limit above any project's statement count: `neighbours` then returns every
statement retrieval scores above zero."""
SETTINGS = logsmith.Settings(use_model=False)

SYNTHETIC = {
    "pkg/__init__.py": "",
    "pkg/store.py": '''
        import logging

        logger = logging.getLogger(__name__)


        class Store:
            def __init__(self, path):
                self.path = path
                logger.debug("Opening store at %s", path)

            def save(self, key, value):
                try:
                    self._write(key, value)
                except OSError as exc:
                    logger.error("Cannot save %s to %s: %s", key, self.path, exc)
                    raise
                logger.info("Saved %s", key)

            def load(self, key):
                if key not in self.keys():
                    logger.warning("No such key %s in %s", key, self.path)
                    return None
                logger.debug("Loading %s", key)
                return self._read(key)
        ''',
    "pkg/client.py": '''
        import logging

        log = logging.getLogger(__name__)


        def connect(host, port, retries):
            for attempt in range(retries):
                try:
                    return open_connection(host, port)
                except ConnectionError as exc:
                    log.warning("Connection to %s:%d failed (attempt %d): %s", host, port, attempt, exc)
            log.error("Giving up on %s:%d", host, port)
            return None


        def close(connection):
            log.info("Closing %s", connection)
            connection.close()
        ''',
}


def _cached_tree(project: str, version: str) -> Path | None:
    """The unpacked sdist when the eval sources already hold it (never downloaded here)."""
    tree = sources.default_cache() / "trees" / f"{project}-{version}"
    return tree if (tree / ".unpacked").exists() else None


def _synthetic_tree(folder: Path) -> Path:
    tree = folder / "trees" / "synthetic-0"
    for name, text in SYNTHETIC.items():
        path = tree / "synthetic-0" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return tree


def _cases(tree: Path, project: str, version: str) -> list[corpus.LogCase]:
    if project == PROJECT:
        found = [case for case in corpus.load_cases() if case.project == PROJECT and case.version == VERSION]
        assert found, "the corpus has no pika cases"
        return found
    cases = []
    for file in sources.python_files(tree):
        cases.extend(corpus.collect_cases(sources.read_source(tree, file), project, version, file))
    return cases


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, list[corpus.LogCase]]:
    """(the unpacked tree, its cases): pika from the cache, else the small project above."""
    tree = _cached_tree(PROJECT, VERSION)
    if tree is not None:
        return tree, _cases(tree, PROJECT, VERSION)
    tree = _synthetic_tree(tmp_path_factory.mktemp("synthetic"))
    return tree, _cases(tree, "synthetic", "0")


def _masked(tree: Path, case: corpus.LogCase) -> tuple[Path, corpus.MaskedCase]:
    path = tree / case.file
    return path, corpus.mask(sources.read_source(tree, case.file), case)


def _everything(index: ProjectIndex, masked: corpus.MaskedCase, path: Path):
    """Every statement the index offers for the masked site, as (path, line, text)."""
    document = parse_for_site(masked.source, masked.line, masked.character)
    site = site_at(document, masked.line, masked.character)
    return [(n.statement.path, n.statement.line, n.statement.text)
            for n in index.neighbours(site, document, path, RetrievalWeights(**HABITS.retrieval), EVERYTHING)]


def _own_mark(index: ProjectIndex, path: Path, case: corpus.LogCase) -> str:
    return f"{index.relative(path)}:{case.line + 1}: {case.statement}"


def test_the_workspace_is_the_folder_holding_the_package(project):
    tree, cases = project
    root = workspace.workspace_root(tree, cases[0].file)
    assert root == tree / Path(cases[0].file).parts[0]
    assert (root / Path(cases[0].file).relative_to(root.name)).is_file()
    assert workspace.workspace_root(tree, "module.py") == tree  # an archive without a top folder


def test_the_masked_statement_never_reaches_the_index(project):
    tree, cases = project
    root = workspace.workspace_root(tree, cases[0].file)
    index = ProjectIndex(root, cache=False)
    index.build()
    assert index.state == "ready" and index.statement_count > 0
    on_disk = {(s.path, s.line, s.text) for r in index._files.values() for s in r.statements}
    followed = 0
    for case in cases:
        path, masked = _masked(tree, case)
        relative = index.relative(path)
        # the index read the developer's statement from the disk copy of the file ...
        assert (relative, case.line, case.statement) in on_disk, case.id
        # ... yet the masked document stands for that file: its statements are the masked text's
        masked_own = {(relative, s.line, s.text)
                      for s in statements_in(parse_for_site(masked.source, 0, 0), relative)}
        offered = _everything(index, masked, path)
        assert offered, case.id
        for found in offered:
            if found[0] == relative:
                assert found in masked_own, (case.id, found)
        assert (relative, case.line, case.statement) not in offered, case.id
        (top, *_) = logsmith.suggest(masked.source, masked.line, masked.character, path=str(path),
                                     settings=SETTINGS, project=index)
        assert top.neighbours, case.id
        assert _own_mark(index, path, case) not in top.neighbours, case.id
        assert not bench_engine.own_site_neighbour({"neighbours": list(top.neighbours)}, case, relative)
        followed += any(n.startswith(f"{relative}:") for n in top.neighbours)
    assert followed > len(cases) / 2  # the masked file's other statements are still neighbours


def test_a_copy_of_the_statement_elsewhere_can_still_be_a_neighbour(project, tmp_path):
    tree, cases = project
    copy = tmp_path / tree.name
    shutil.copytree(tree, copy)
    chosen = cases[:: max(1, len(cases) // COPIED)][:COPIED]
    copied = {}
    for case in chosen:
        original = Path(case.file)
        target = original.with_name(f"copied_{original.stem}.py")
        if not (copy / target).exists():
            shutil.copyfile(copy / original, copy / target)
        copied[case.id] = target
    root = workspace.workspace_root(copy, chosen[0].file)
    index = ProjectIndex(root, cache=False)
    index.build()
    in_top = 0
    for case in chosen:
        path, masked = _masked(copy, case)
        relative = index.relative(path)
        copy_relative = index.relative(copy / copied[case.id])
        offered = _everything(index, masked, path)
        assert (copy_relative, case.line, case.statement) in offered, case.id
        assert (relative, case.line, case.statement) not in offered, case.id
        (top, *_) = logsmith.suggest(masked.source, masked.line, masked.character, path=str(path),
                                     settings=SETTINGS, project=index)
        assert _own_mark(index, path, case) not in top.neighbours, case.id
        in_top += f"{copy_relative}:{case.line + 1}: {case.statement}" in top.neighbours
    # the copy shares the site's words, class and kind: it is among the few neighbours followed
    assert in_top >= len(chosen) * 0.8, (in_top, len(chosen))


def test_the_index_holds_the_disk_statement_when_the_masked_text_is_not_its_file(project):
    """What the leave-one-out relies on: asked for a path outside the root (or none), the index
    would offer the developer's statement from the disk copy; the case's own path removes it."""
    tree, cases = project
    root = workspace.workspace_root(tree, cases[0].file)
    index = ProjectIndex(root, cache=False)
    index.build()
    case = next(c for c in cases if c.kind == "except") if any(c.kind == "except" for c in cases) else cases[0]
    path, masked = _masked(tree, case)
    relative = index.relative(path)
    outside = _everything(index, masked, Path("/nowhere") / Path(case.file).name)
    assert (relative, case.line, case.statement) in outside
    assert (relative, case.line, case.statement) not in _everything(index, masked, path)
