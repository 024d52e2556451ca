"""Whether a statement parses when put on a line of a file: the ERROR and MISSING nodes of a tree,
and the ones a statement adds to the file compared with the same line left blank. Each language
describes the problems in its own words; the comparison is the same for all."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator

import tree_sitter

from logsmith.syntax.cursor_line import clamp_line, leading_indent
from logsmith.syntax.document import ParsedDocument

Described = Iterable[tuple[Hashable, str]]
"""Problems of a tree as (what identifies one, its description)."""


def error_nodes(root: tree_sitter.Node, inside_errors: bool = False) -> Iterator[tree_sitter.Node]:
    """The ERROR and MISSING nodes of the tree under `root`, depth first from the last child;
    an ERROR node's own ERROR and MISSING nodes too when `inside_errors`."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            yield node
            if not inside_errors:
                continue
        if node.has_error:
            stack.extend(node.children)


def added_problems(
    document: ParsedDocument,
    line: int,
    statement: str,
    problems: Callable[[tree_sitter.Node], Described],
) -> list[str]:
    """The descriptions of the problems `statement` (stripped, indented like line `line`) adds
    when it replaces that line: `problems` of the file with it, less those of the file with the
    line blank (the file's own errors). Empty when the file with it parses."""
    line = clamp_line(document, line)
    indent = leading_indent(document.line(line))
    placed = document.with_line(line, indent + statement.strip())
    if not placed.tree.root_node.has_error:
        return []
    blank = {key for key, _ in problems(document.with_line(line, indent).tree.root_node)}
    return [description for key, description in problems(placed.tree.root_node) if key not in blank]
