"""Small readings of tree-sitter nodes that every language's reader makes: a node's source text,
its nearest enclosing node of some types, and whether a parent's field holds a given node."""

from __future__ import annotations

import tree_sitter


def text(node: tree_sitter.Node | None) -> str:
    """The source text of `node` ('' for None), undecodable bytes replaced."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def enclosing(node: tree_sitter.Node | None, types) -> tree_sitter.Node | None:
    """The nearest proper ancestor of `node` whose type is in `types` (None when there is none)."""
    node = node.parent if node is not None else None
    while node is not None:
        if node.type in types:
            return node
        node = node.parent
    return None


def same_node(node: tree_sitter.Node | None, other: tree_sitter.Node) -> bool:
    """Whether `node` (a field of some parent, None when absent) is `other` itself."""
    return node is not None and node.id == other.id
