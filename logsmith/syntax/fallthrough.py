"""Whether control can reach a statement: no statement before it, in its block or in a block
around it up to its scope, always jumps away (return, raise or throw, break, continue). Each
language says which nodes are blocks, where the search stops and which statements always jump."""

from __future__ import annotations

from collections.abc import Callable, Collection

import tree_sitter


def reachable_within(
    statement: tree_sitter.Node,
    scopes: Collection[str],
    blocks: Collection[str],
    always_jumps: Callable[[tree_sitter.Node], bool],
) -> bool:
    """False when an earlier sibling of `statement`, or of a node around it that sits in one of
    `blocks`, `always_jumps`; the search ends at the first node whose type is in `scopes`."""
    node: tree_sitter.Node | None = statement
    while node is not None and node.type not in scopes:
        parent = node.parent
        if parent is not None and parent.type in blocks:
            sibling = node.prev_named_sibling
            while sibling is not None:
                if always_jumps(sibling):
                    return False
                sibling = sibling.prev_named_sibling
        node = parent
    return True
