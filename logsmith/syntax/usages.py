"""How the cursor's function uses its names and attribute chains up to the cursor: the facts the
variable chooser (`logsmith.planning.variables`) ranks.

One compiled query (`grammars/python/usages.scm`) over a window of the function (at most
`WINDOW_LINES` lines before the cursor, and the rest of the cursor's block after it, at most
`LATER_LINES` lines); each node's role comes from its parent, its place from byte ranges, so the
cost stays linear and small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from logsmith.syntax.languages import document_order, query
from logsmith.syntax.tree_text import same_node as _same
from logsmith.syntax.tree_text import text as _text

WINDOW_LINES = 150
LATER_LINES = 12
CHAIN = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_TARGET_PARENTS = ("pattern_list", "tuple_pattern", "list_pattern", "as_pattern_target")
_SKIPPED_PARENTS = (
    "keyword_argument",
    "dotted_name",
    "aliased_import",
    "function_definition",
    "class_definition",
    "parameters",
    "default_parameter",
    "typed_parameter",
    "typed_default_parameter",
    "global_statement",
    "nonlocal_statement",
    "list_splat_pattern",
    "dictionary_splat_pattern",
    "decorator",
    "type",
)


@dataclass(frozen=True)
class Usage:
    """One name or attribute chain as the function uses it before the cursor (and just after it)."""

    text: str
    """`item`, `self._sock`, `req.url`."""
    last_line: int
    """The last line before the cursor that uses or binds it;
    -1 when only the next statement does."""
    count: int
    """Uses and bindings before the cursor in the window."""
    roles: frozenset[str]
    """How: bound, read, called, receiver (of a method call), argument (of a call), formatted (in an
    f-string), root (of a chain);
    where: previous (the statement before the cursor), next (the one after), header (of the block
    holding the cursor), outer_header (of a block further out), log (an argument of another log
    call), later (a statement after the next one in the cursor's block, at most LATER_LINES on)."""


def _header_ranges(statement, function) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Byte ranges of the headers of the compound statements holding `statement`, the innermost's
    apart from the outer ones': an if/elif/while condition (for an else: the if's), a for's target
    and iterable, a with's items, an except clause's types."""
    inner: list[tuple[int, int]] = []
    outer: list[tuple[int, int]] = []
    node = statement.parent
    while node is not None and node.id != function.id:
        kind = node.type
        target = None
        if kind in ("if_statement", "elif_clause", "while_statement"):
            target = [node.child_by_field_name("condition")]
        elif (
            kind == "else_clause" and node.parent is not None and node.parent.type == "if_statement"
        ):
            target = [node.parent.child_by_field_name("condition")]
        elif kind == "for_statement":
            target = [node.child_by_field_name("left"), node.child_by_field_name("right")]
        elif kind == "with_statement":
            target = [c for c in node.named_children if c.type == "with_clause"]
        elif kind == "except_clause":
            target = [c for c in node.named_children if c.type != "block"]
        if target is not None:
            (outer if inner else inner).extend(
                (t.start_byte, t.end_byte) for t in target if t is not None
            )
        node = node.parent
    return inner, outer


def _inside(byte: int, ranges) -> bool:
    return any(start <= byte < end for start, end in ranges)


def window_captures(
    body: tree_sitter.Node,
    statement: tree_sitter.Node,
    following: tree_sitter.Node | None,
    usages_query: tree_sitter.Query,
) -> dict[str, list[tree_sitter.Node]]:
    """`usages_query`'s captures in `body`, in document order, over the window around
    `statement`: at most `WINDOW_LINES` lines before it, and after it the next statement and the
    rest of its block (at most `LATER_LINES` lines on)."""
    cursor_line = statement.start_point[0]
    first_line = max(body.start_point[0], cursor_line - WINDOW_LINES)
    block = statement.parent
    later_end = (
        block.end_point
        if block is not None and block.end_point[0] <= cursor_line + LATER_LINES
        else (cursor_line + LATER_LINES, 0)
    )
    end = max(following.end_point if following is not None else statement.end_point, later_end)
    cursor = tree_sitter.QueryCursor(usages_query)
    cursor.set_point_range((first_line, 0), end)
    return {
        name: sorted(nodes, key=document_order) for name, nodes in cursor.captures(body).items()
    }


class UsageNotes:
    """The usages noted so far around a cursor's statement: each name or chain's last line, count
    and roles, with the roles its place adds (previous, next, later, log, header, outer_header)."""

    def __init__(
        self,
        statement: tree_sitter.Node,
        previous: tree_sitter.Node | None,
        following: tree_sitter.Node | None,
        log_arguments: list[tuple[int, int]],
        headers: tuple[list[tuple[int, int]], list[tuple[int, int]]],
    ) -> None:
        self.cursor_byte, self.cursor_line = statement.start_byte, statement.start_point[0]
        block = statement.parent
        self.previous_range = (
            [(previous.start_byte, previous.end_byte)] if previous is not None else []
        )
        self.next_range = (
            [(following.start_byte, following.end_byte)] if following is not None else []
        )
        self.log_arguments = log_arguments
        self.headers, self.outer_headers = headers
        self.later_range = [
            (statement.end_byte, block.end_byte if block is not None else statement.end_byte)
        ]
        self.facts: dict[str, list] = {}

    def note(self, text: str, node: tree_sitter.Node, role: str) -> None:
        """Note one use of `text` at `node` in `role` (bound, read, called, ...)."""
        byte = node.start_byte
        after = byte >= self.cursor_byte
        if after and not (
            node.start_point[0] <= self.cursor_line + LATER_LINES
            and _inside(byte, self.later_range)
        ):
            return
        entry = self.facts.get(text)
        if entry is None:
            entry = self.facts[text] = [-1, 0, set()]
        roles = entry[2]
        if after:
            roles.add("next" if _inside(byte, self.next_range) else "later")
            if role == "called":
                roles.add(role)
            return
        entry[0] = max(entry[0], node.start_point[0])
        entry[1] += 1
        roles.add(role)
        if _inside(byte, self.previous_range):
            roles.add("previous")
        if _inside(byte, self.log_arguments):
            roles.add("log")
        if _inside(byte, self.headers):
            roles.add("header")
        elif _inside(byte, self.outer_headers):
            roles.add("outer_header")

    def usages(self) -> tuple[Usage, ...]:
        """What was noted, one `Usage` a name or chain."""
        return tuple(
            Usage(text, line, count, frozenset(roles))
            for text, (line, count, roles) in self.facts.items()
        )


def function_usages(
    function, statement, previous, following, log_arguments: list[tuple[int, int]]
) -> tuple[Usage, ...]:
    """Usages in `function` (a function_definition node) around `statement` (the cursor's statement;
    `previous` / `following` its sibling statements or None); `log_arguments`: byte ranges of
    the argument lists of the function's log calls."""
    body = function.child_by_field_name("body")
    if body is None:
        return ()
    found = window_captures(body, statement, following, query("usages"))
    nested = [(n.start_byte, n.end_byte) for n in found.get("scope", ()) if n.id != function.id]
    notes = UsageNotes(
        statement, previous, following, log_arguments, _header_ranges(statement, function)
    )
    note = notes.note

    for node in found.get("name", ()):
        if node.start_byte < body.start_byte or (nested and _inside(node.start_byte, nested)):
            continue
        parent = node.parent
        if parent is None:
            continue
        kind = parent.type
        if kind == "attribute":
            if _same(parent.child_by_field_name("object"), node):
                note(_text(node), node, "root")
                if (
                    parent.parent is not None
                    and parent.parent.type == "call"
                    and _same(parent.parent.child_by_field_name("function"), parent)
                ):
                    note(_text(node), node, "receiver")
            continue
        if kind in _SKIPPED_PARENTS:
            continue
        if kind == "call" and _same(parent.child_by_field_name("function"), node):
            note(_text(node), node, "called")
            continue
        if kind in _TARGET_PARENTS or (
            kind in ("assignment", "augmented_assignment", "for_statement", "named_expression")
            and _same(
                parent.child_by_field_name("left") or parent.child_by_field_name("name"), node
            )
        ):
            note(_text(node), node, "bound")
            if kind == "augmented_assignment":
                note(_text(node), node, "read")
            continue
        note(
            _text(node),
            node,
            {"argument_list": "argument", "interpolation": "formatted"}.get(kind, "read"),
        )

    for node in found.get("chain", ()):
        if node.start_byte < body.start_byte or (nested and _inside(node.start_byte, nested)):
            continue
        parent = node.parent
        if (
            parent is not None
            and parent.type == "attribute"
            and _same(parent.child_by_field_name("object"), node)
        ):
            continue  # an inner part of a longer chain
        called = (
            parent is not None
            and parent.type == "call"
            and _same(parent.child_by_field_name("function"), node)
        )
        if called:
            receiver = node.child_by_field_name("object")
            if receiver is not None and receiver.type == "attribute":
                text = _text(receiver)
                if CHAIN.fullmatch(text):
                    note(text, receiver, "receiver")
            continue
        text = _text(node)
        if not CHAIN.fullmatch(text):
            continue
        if (
            parent is not None
            and parent.type in ("assignment", "augmented_assignment")
            and _same(parent.child_by_field_name("left"), node)
        ):
            note(text, node, "bound")
        elif parent is not None and parent.type in _TARGET_PARENTS:
            note(text, node, "bound")
        else:
            note(
                text,
                node,
                {"argument_list": "argument", "interpolation": "formatted"}.get(
                    parent.type if parent is not None else "", "read"
                ),
            )
    return notes.usages()
