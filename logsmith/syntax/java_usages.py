"""How a Java method uses its names and field chains around the cursor: the facts the variable
chooser (`logsmith.planning.variables`) ranks, as `logsmith.syntax.usages.Usage` (the same roles
as Python's: bound, read, called, receiver, argument, root, previous, next, header,
outer_header, log, later).

One query (`grammars/java/usages.scm`) over a window of the method. `this.host` is reported as
`host`, the field it names.
"""

from __future__ import annotations

import re

from logsmith.syntax.languages import query
from logsmith.syntax.tree_text import same_node as _same
from logsmith.syntax.tree_text import text as _text
from logsmith.syntax.usages import Usage, UsageNotes, window_captures

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
"""Parent type -> the field whose identifier the parent binds (a variable, a parameter)."""
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
    found = window_captures(body, statement, following, query("usages", "java"))
    notes = UsageNotes(statement, previous, following, log_arguments, _headers(statement, method))
    note = notes.note

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
        if (
            parent is not None
            and kind == "method_invocation"
            and _same(parent.child_by_field_name("object"), node)
        ):
            note(text, node, "receiver")
        elif (
            parent is not None
            and kind == "assignment_expression"
            and _same(parent.child_by_field_name("left"), node)
        ):
            note(text, node, "bound")
        else:
            note(text, node, "argument" if kind == "argument_list" else "read")
    return notes.usages()
