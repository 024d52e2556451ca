"""The languages logsmith reads: each one's tree-sitter parser, file suffixes, editor language ids
and the queries of `grammars/<language>/*.scm`, each compiled once per process.

Python's functions keep their short form (`parser()`, `query(name)`); the other languages pass
their name (`parser("go")`, `query("logging", "java")`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tree_sitter

GRAMMARS_ROOT = Path(__file__).resolve().parents[2] / "grammars"
GRAMMARS = GRAMMARS_ROOT / "python"
_local = threading.local()


def _python():
    import tree_sitter_python

    return tree_sitter_python.language()


def _java():
    import tree_sitter_java

    return tree_sitter_java.language()


def _go():
    import tree_sitter_go

    return tree_sitter_go.language()


def _javascript():
    import tree_sitter_javascript

    return tree_sitter_javascript.language()


def _typescript():
    import tree_sitter_typescript

    return tree_sitter_typescript.language_typescript()


def _tsx():
    import tree_sitter_typescript

    return tree_sitter_typescript.language_tsx()


@dataclass(frozen=True)
class LanguageSpec:
    """One language: its name, the suffixes of its files, the editors' language ids, the folder
    of its queries, how to load its tree-sitter grammar, and the folder a query its own folder
    lacks is read from (one whose patterns compile under both grammars)."""

    name: str
    suffixes: tuple[str, ...]
    editor_ids: tuple[str, ...]
    grammar_folder: str
    load: Callable[[], object]
    fallback_folder: str | None = None


SPECS: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec("python", (".py",), ("python",), "python", _python),
        LanguageSpec("java", (".java",), ("java",), "java", _java),
        LanguageSpec("go", (".go",), ("go",), "go", _go),
        LanguageSpec(
            "javascript",
            (".js", ".mjs", ".cjs", ".jsx"),
            ("javascript", "javascriptreact"),
            "javascript",
            _javascript,
        ),
        LanguageSpec(
            "typescript",
            (".ts", ".mts", ".cts"),
            ("typescript",),
            "typescript",
            _typescript,
            fallback_folder="javascript",
        ),
        LanguageSpec(
            "tsx", (".tsx",), ("typescriptreact",), "typescript", _tsx, fallback_folder="javascript"
        ),
    )
}
"""Every language logsmith reads, by name. `tsx` is TypeScript with JSX: its own parser, the
TypeScript queries and logging module. TypeScript and TSX read JavaScript's query where theirs
would be the same text."""
SOURCE_SUFFIXES = tuple(suffix for spec in SPECS.values() for suffix in spec.suffixes)


def language_of_path(path: str | Path | None) -> str | None:
    """The language of a file by its suffix, or None for a file logsmith does not read."""
    if path is None:
        return None
    name = str(path).lower()
    for spec in SPECS.values():
        if name.endswith(spec.suffixes):
            return spec.name
    return None


def language_of_editor_id(language_id: str | None) -> str | None:
    """The language of an editor's `languageId` (`typescriptreact` -> `tsx`), or None."""
    for spec in SPECS.values():
        if language_id in spec.editor_ids:
            return spec.name
    return None


EDITOR_IDS = tuple(language_id for spec in SPECS.values() for language_id in spec.editor_ids)


@functools.cache
def grammar(language: str = "python") -> tree_sitter.Language:
    """The tree-sitter grammar of `language`, loaded on first use."""
    return tree_sitter.Language(SPECS[language].load())


PYTHON = grammar("python")


def parser(language: str = "python") -> tree_sitter.Parser:
    """A parser for `language`; one per thread and language, since a parser is not safe to share
    between threads."""
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    found = parsers.get(language)
    if found is None:
        found = parsers[language] = tree_sitter.Parser(grammar(language))
    return found


@functools.cache
def query(name: str, language: str = "python") -> tree_sitter.Query:
    """The query in `grammars/<language's folder>/<name>.scm` (else in the language's fallback
    folder), compiled on first use."""
    spec = SPECS[language]
    path = GRAMMARS_ROOT / spec.grammar_folder / f"{name}.scm"
    if not path.exists() and spec.fallback_folder is not None:
        path = GRAMMARS_ROOT / spec.fallback_folder / f"{name}.scm"
    return tree_sitter.Query(grammar(language), path.read_text(encoding="utf-8"))


def document_order(node: tree_sitter.Node) -> tuple[int, int, str]:
    """Sort key: where a node starts, then the wider of two nodes that start together. tree-sitter
    lists captures in an order that can differ from run to run, and suggestions must not."""
    return node.start_byte, -node.end_byte, node.type


def captures(
    name: str, node: tree_sitter.Node, language: str = "python"
) -> dict[str, list[tree_sitter.Node]]:
    """Run query `name` over `node`; capture name -> nodes in document order."""
    found = tree_sitter.QueryCursor(query(name, language)).captures(node)
    return {key: sorted(nodes, key=document_order) for key, nodes in found.items()}


def matches(
    name: str, node: tree_sitter.Node, language: str = "python"
) -> list[dict[str, list[tree_sitter.Node]]]:
    """Run query `name` over `node`; one capture dict per match, in document order."""
    return [found for _, found in tree_sitter.QueryCursor(query(name, language)).matches(node)]
