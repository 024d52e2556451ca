"""How a Java method uses its names and field chains around the cursor: the facts the variable
chooser (`logsmith.planning.variables`) ranks, as `logsmith.syntax.usages.Usage` (the same roles
as Python's: bound, read, called, receiver, argument, root, previous, next, header,
outer_header, log, later).

One query (`grammars/java/usages.scm`) over a window of the method. `this.host` is reported as
`host`, the field it names.
"""

from __future__ import annotations

import re

import tree_sitter

from logsmith.syntax.languages import document_order, query
from logsmith.syntax.usages import LATER_LINES, WINDOW_LINES, Usage

CHAIN = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+")
SKIPPED_PARENTS = frozenset(
    {
        "scoped_identifier",
        "import_declaration",
        "package_declaration",
        "labeled_statement",
        "break_statement",
        "continue_statement",
        "method_declaration",
        "constructor_declaration",
        "class_declaration",
        "marker_annotation",
        "annotation",
        "element_value_pair",
    }
)
BINDING_PARENTS = {
    "variable_declarator": "name",
    "formal_parameter": "name",
    "catch_formal_parameter": "name",
    "enhanced_for_statement": "name",
    "resource": "name",
    "instanceof_expression": "name",
}
HEADERS = {
    "if_statement": ("condition",),
    "while_statement": ("condition",),
    "do_statement": ("condition",),
    "for_statement": ("init", "condition", "update"),
    "enhanced_for_statement": ("value",),
    "switch_expression": ("condition",),
    "synchronized_statement": (),
    "try_with_resources_statement": ("resources",),
}


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8", "replace")


def _same(node: tree_sitter.Node | None, other: tree_sitter.Node) -> bool:
    return node is not None and node.id == other.id


def _inside(byte: int, ranges) -> bool:
    return any(start <= byte < end for start, end in ranges)


def _field_name(text: str) -> str:
    return text[5:] if text.startswith("this.") else text


def _headers(statement, method) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Byte ranges of the headers of the statements holding `statement`, the innermost's apart
    from the outer ones' (a catch clause's parameter counts as its header)."""
    inner: list[tuple[int, int]] = []
    outer: list[tuple[int, int]] = []
    node = statement.parent
    while node is not None and node.id != method.id:
        targets = None
        if node.type in HEADERS:
            targets = [
                child
                for field in HEADERS[node.type]
                for child in node.children_by_field_name(field)
            ]
        elif node.type == "catch_clause":
            targets = [c for c in node.named_children if c.type == "catch_formal_parameter"]
        if targets is not None:
            (outer if inner else inner).extend((t.start_byte, t.end_byte) for t in targets)
        node = node.parent
    return inner, outer


def method_usages(
    method, statement, previous, following, log_arguments: list[tuple[int, int]]
) -> tuple[Usage, ...]:
    """Usages in `method` (a method or constructor node) around `statement` (the cursor's;
    `previous` / `following` its neighbours or None); `log_arguments`: byte ranges of the
    argument lists of the method's log calls."""
    body = method.child_by_field_name("body")
    if body is None:
        return ()
    cursor_byte, cursor_line = statement.start_byte, statement.start_point[0]
    first_line = max(body.start_point[0], cursor_line - WINDOW_LINES)
    block = statement.parent
    later_end = (
        block.end_point
        if block is not None and block.end_point[0] <= cursor_line + LATER_LINES
        else (cursor_line + LATER_LINES, 0)
    )
    end = max(following.end_point if following is not None else statement.end_point, later_end)
    cursor = tree_sitter.QueryCursor(query("usages", "java"))
    cursor.set_point_range((first_line, 0), end)
    found = {
        name: sorted(nodes, key=document_order) for name, nodes in cursor.captures(body).items()
    }
    previous_range = [(previous.start_byte, previous.end_byte)] if previous is not None else []
    next_range = [(following.start_byte, following.end_byte)] if following is not None else []
    headers, outer_headers = _headers(statement, method)
    later_range = [
        (statement.end_byte, block.end_byte if block is not None else statement.end_byte)
    ]
    facts: dict[str, list] = {}

    def note(text: str, node, role: str) -> None:
        byte = node.start_byte
        after = byte >= cursor_byte
        if after and not (
            node.start_point[0] <= cursor_line + LATER_LINES and _inside(byte, later_range)
        ):
            return
        entry = facts.setdefault(text, [-1, 0, set()])
        roles = entry[2]
        if after:
            roles.add("next" if _inside(byte, next_range) else "later")
            if role == "called":
                roles.add(role)
            return
        entry[0] = max(entry[0], node.start_point[0])
        entry[1] += 1
        roles.add(role)
        if _inside(byte, previous_range):
            roles.add("previous")
        if _inside(byte, log_arguments):
            roles.add("log")
        if _inside(byte, headers):
            roles.add("header")
        elif _inside(byte, outer_headers):
            roles.add("outer_header")

    for node in found.get("name", ()):
        parent = node.parent
        if parent is None or node.start_byte < body.start_byte or parent.type in SKIPPED_PARENTS:
            continue
        kind = parent.type
        if kind == "field_access":
            if _same(parent.child_by_field_name("object"), node):
                note(_text(node), node, "root")
            continue
        if kind == "method_invocation":
            if _same(parent.child_by_field_name("object"), node):
                note(_text(node), node, "root")
                note(_text(node), node, "receiver")
            elif _same(parent.child_by_field_name("name"), node) and (
                parent.child_by_field_name("object") is None
            ):
                note(_text(node), node, "called")
            continue
        field = BINDING_PARENTS.get(kind)
        if field is not None and _same(parent.child_by_field_name(field), node):
            note(_text(node), node, "bound")
            continue
        if kind == "assignment_expression" and _same(parent.child_by_field_name("left"), node):
            note(_text(node), node, "bound")
            if _text(parent.child_by_field_name("operator")) != "=":
                note(_text(node), node, "read")
            continue
        note(_text(node), node, "argument" if kind == "argument_list" else "read")

    for node in found.get("chain", ()):
        parent = node.parent
        if node.start_byte < body.start_byte or (
            parent is not None
            and parent.type == "field_access"
            and _same(parent.child_by_field_name("object"), node)
        ):
            continue  # an inner part of a longer chain
        text = _text(node)
        if not CHAIN.fullmatch(text):
            continue
        text = _field_name(text)
        kind = parent.type if parent is not None else ""
        if kind == "method_invocation" and _same(parent.child_by_field_name("object"), node):
            note(text, node, "receiver")
        elif kind == "assignment_expression" and _same(parent.child_by_field_name("left"), node):
            note(text, node, "bound")
        else:
            note(text, node, "argument" if kind == "argument_list" else "read")
    return tuple(
        Usage(text, line, count, frozenset(roles)) for text, (line, count, roles) in facts.items()
    )
