"""The Python parser and the compiled queries from `grammars/python/*.scm`,
each compiled once per process."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import tree_sitter
import tree_sitter_python

GRAMMARS = Path(__file__).resolve().parents[2] / "grammars" / "python"
PYTHON = tree_sitter.Language(tree_sitter_python.language())
_local = threading.local()


def parser() -> tree_sitter.Parser:
    """A parser for Python; one per thread, since a parser is not safe to share between threads."""
    if not hasattr(_local, "parser"):
        _local.parser = tree_sitter.Parser(PYTHON)
    return _local.parser


@functools.cache
def query(name: str) -> tree_sitter.Query:
    """The query in `grammars/python/<name>.scm`, compiled on first use."""
    path = GRAMMARS / f"{name}.scm"
    return tree_sitter.Query(PYTHON, path.read_text(encoding="utf-8"))


def document_order(node: tree_sitter.Node) -> tuple[int, int, str]:
    """Sort key: where a node starts, then the wider of two nodes that start together. tree-sitter
    lists captures in an order that can differ from run to run, and suggestions must not."""
    return node.start_byte, -node.end_byte, node.type


def captures(name: str, node: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    """Run query `name` over `node`; capture name -> nodes in document order."""
    found = tree_sitter.QueryCursor(query(name)).captures(node)
    return {key: sorted(nodes, key=document_order) for key, nodes in found.items()}


def matches(name: str, node: tree_sitter.Node) -> list[dict[str, list[tree_sitter.Node]]]:
    """Run query `name` over `node`; one capture dict per match, in document order."""
    return [found for _, found in tree_sitter.QueryCursor(query(name)).matches(node)]
