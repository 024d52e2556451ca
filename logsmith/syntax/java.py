"""Reading Java for the shared engine (`logsmith.idioms.contract.SiteReader`): the site at a
cursor, the file's log statements, the names a statement reads, whether a statement parses in
place, and batch mode's sites.

The cursor's line is read as if it held a plain statement (`PROBE`), so a half-typed
`LOG.warn("` does not disturb the tree. Scopes live in `java_scopes`, log statements in
`java_calls`, batch rules in `java_rules`, how the method uses its names in `java_usages`.
"""

from __future__ import annotations

import re

import tree_sitter

from logsmith.syntax.batch_rules import Finding
from logsmith.syntax.cursor_line import CursorLine, cursor_line
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.java_calls import log_argument_ranges, logged_calls
from logsmith.syntax.java_readable import (
    changed_captures,
    enum_initialising,
    enum_statics,
    foreign_members,
    forward_fields,
    static_hidden,
    unassigned_locals,
)
from logsmith.syntax.java_rules import find_sites
from logsmith.syntax.java_scopes import (
    BLOCKS,
    enclosing_method,
    file_names,
    file_types,
    function_info,
    numeric_names_at,
    place_of,
    reachable,
    visible_bindings,
)
from logsmith.syntax.java_usages import BINDING_PARENTS, method_usages
from logsmith.syntax.languages import parser
from logsmith.syntax.site import LogSite, Typed, parse_typed, unplaced_site
from logsmith.syntax.statement_fit import added_problems, error_nodes
from logsmith.syntax.tree_text import text

__all__ = [
    "Finding",
    "ends_program",
    "find_sites",
    "logged_calls",
    "module_names_of",
    "names_read",
    "site_at",
    "statement_problems",
]

PROBE = "logsmithProbe();"
"""What the cursor's line is read as, whatever is typed on it."""
TYPED_CALL = re.compile(
    r"""^(?P<logger>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*?)
        \.(?P<level>[A-Za-z_]\w*)
        \((?P<leading>\s*(?:[\w$.]+\s*,\s*)+)
        (?P<quote>")(?P<message>[^"\\]*)$""",
    re.VERBOSE,
)
"""A call typed up to its message after leading arguments: `Log.d(TAG, "`,
`LOG.log(Level.WARNING, "Fail`."""
CONSTRUCTOR_NOTE = "nothing can go before a constructor's this(...) or super(...) call"
WRAPPER = "class LogsmithProbe {\nvoid logsmithProbe() {\n%s\n}\n}\n"


def typed_at(before: str) -> Typed:
    """What is on the cursor's line before it, Java's calls with a tag or a level included."""
    typed = parse_typed(before)
    if typed.opened_call or typed.is_empty:
        return typed
    found = TYPED_CALL.match(before.strip())
    if found is None:
        return typed
    level = found["level"]
    constant = re.search(r"\bLevel\.([A-Z]+)\s*,", found["leading"])
    if level in ("log", "logp") and constant is not None:
        level = constant[1]  # `LOG.log(Level.WARNING, "`: the level is the constant's
    return Typed(
        text=before.strip(),
        logger=found["logger"],
        level_prefix=level,
        opened_call=True,
        quote=found["quote"],
        message=found["message"],
    )


def _statement_at(root: tree_sitter.Node, point: tuple[int, int]) -> tree_sitter.Node | None:
    """The statement that starts at `point` (the probe), when it sits in a block."""
    node = root.named_descendant_for_point_range(point, (point[0], point[1] + 4))
    while node is not None:
        parent = node.parent
        if node.start_point[0] == point[0] and parent is not None and parent.type in BLOCKS:
            return node
        node = node.parent
    return None


def module_names_of(document: ParsedDocument) -> frozenset[str]:
    """The file's fields, enum constants, type names and imported simple names (cached per
    text)."""
    cache = document.cache
    if cache.module_names is None:
        cache.module_names = file_names(document.tree.root_node)
    return cache.module_names


def site_at(document: ParsedDocument, line: int, character: int) -> LogSite:
    """The site at (line, character); never raises, a best effort on text that does not parse."""
    cursor = cursor_line(document, line, character)
    typed = typed_at(cursor.before)
    try:
        return _site(document, cursor, typed)
    except RecursionError:
        return unplaced_site(cursor, typed)


def _before_constructor_call(document: ParsedDocument, statement, line: int) -> bool:
    """Whether the cursor's statement would come before a constructor's `this(...)` or
    `super(...)` (which must come first: the probe there does not parse as one)."""
    if statement.parent is None or statement.parent.type != "constructor_body":
        return False
    for number in range(line + 1, min(line + 20, document.line_count)):
        code = document.line(number).strip()
        if code and not code.startswith(("//", "/*", "*")):
            return bool(re.match(r"^(this|super)\s*\(", code))
    return False


def _enum_statics_hidden(statement) -> frozenset[str]:
    """The static fields of the enum whose constructor or instance initializer holds
    `statement`: none may be read there."""
    enum = enum_initialising(statement)
    return enum_statics(enum) if enum is not None else frozenset()


def _site(document: ParsedDocument, cursor: CursorLine, typed: Typed) -> LogSite:
    line, character, indent, after = cursor.line, cursor.character, cursor.indent, cursor.after
    probe = document.with_line(line, indent + PROBE)
    root = probe.tree.root_node
    module_names = module_names_of(document)
    statement = _statement_at(root, probe.point(line, len(indent)))
    syntax_error = root.has_error and document.has_error
    if statement is None:
        near = root.named_descendant_for_point_range(
            probe.point(line, len(indent)), probe.point(line, len(indent))
        )
        method = enclosing_method(near) if near is not None else None
        return unplaced_site(
            cursor,
            typed,
            function=function_info(method) if method is not None else None,
            module_names=module_names,
            syntax_error=syntax_error,
        )
    method = enclosing_method(statement)
    place = place_of(statement, method)
    previous, following = place.previous, place.next
    before_constructor_call = _before_constructor_call(document, statement, line)
    kind = "other" if before_constructor_call else place.kind
    return_value = raise_value = None
    if following is not None and following.named_children:
        value = text(following.named_children[0])
        if following.type == "return_statement":
            return_value = value
        elif following.type == "throw_statement":
            raise_value = value
    bindings = visible_bindings(statement)
    unreadable = unassigned_locals(statement, bindings) | changed_captures(statement, bindings)
    names = tuple(dict.fromkeys(text(b) for b in bindings if text(b) not in unreadable))
    return LogSite(
        line=line,
        character=character,
        indent=indent,
        typed=typed,
        kind=kind,
        function=function_info(method) if method is not None else None,
        names=names,
        module_names=module_names,
        loop_variables=place.loop_variables,
        exception_name=place.exception_name,
        exception_types=place.exception_types,
        in_except=place.in_except,
        reraises=following is not None and following.type == "throw_statement",
        before=place.before,
        next_statement=text(following).split("\n", 1)[0] if following is not None else "",
        previous_statement=text(previous).split("\n", 1)[0] if previous is not None else "",
        return_value=return_value,
        raise_value=raise_value,
        usages=method_usages(method, statement, previous, following, log_argument_ranges(method))
        if method is not None
        else (),
        after_cursor=after,
        syntax_error=syntax_error,
        unbound_names=unreadable
        | (
            (
                static_hidden(statement)
                | foreign_members(statement, file_types(document))
                | forward_fields(statement)
                | _enum_statics_hidden(statement)
            )
            - set(names)
        ),
        numeric_names=numeric_names_at(statement),
        reachable=reachable(statement) and not before_constructor_call,
        notes=(CONSTRUCTOR_NOTE,) if before_constructor_call else (),
    )


# --- statements -----------------------------------------------------------------------------------

SKIPPED_PARENTS = {"method_invocation": "name", "field_access": "field", **BINDING_PARENTS}
"""Identifiers in these fields name something rather than read it."""


def _wrapped(statement: str) -> tree_sitter.Tree:
    return parser("java").parse((WRAPPER % statement).encode("utf-8", "surrogatepass"))


def _wrapped_body(tree: tree_sitter.Tree) -> tree_sitter.Node | None:
    """The method body `WRAPPER` put the statement in (its line is the third)."""
    body = tree.root_node.named_descendant_for_point_range((2, 0), (2, 0))
    while body is not None and body.type != "block":
        body = body.parent
    return body


def names_read(statement: str) -> frozenset[str]:
    """The root names `statement` reads: `user` of `user.getId()`, `LOG` of `LOG.warn(...)`,
    `this` and `super`, and the method a call without a receiver names (`getName` of
    `getName()`); never a method's name after a dot, a field after a dot or a string's
    contents."""
    try:
        tree = _wrapped(statement)
    except (ValueError, RecursionError):
        return frozenset()
    body = _wrapped_body(tree)
    if body is None:
        return frozenset()
    bound: set[str] = set()
    read: list[str] = []
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "identifier":
            parent = node.parent
            field = SKIPPED_PARENTS.get(parent.type) if parent is not None else None
            named = (
                parent is not None
                and field is not None
                and parent.child_by_field_name(field) == node
            )
            if (
                parent is not None
                and parent.type in ("lambda_expression", "inferred_parameters")
                and parent.child_by_field_name("body") != node
            ):
                bound.add(text(node))
            elif parent is not None and parent.type in (
                "break_statement",
                "continue_statement",
                "labeled_statement",
            ):
                pass
            elif (
                parent is not None
                and parent.type == "method_reference"
                and node.prev_sibling is not None
            ):
                pass
            elif parent is not None and named:
                unqualified = parent.child_by_field_name("object") is None
                if parent.type == "method_invocation" and unqualified:
                    read.append(text(node))  # `getName()`: a method of this class, or none
                elif parent.type != "method_invocation" and parent.type != "field_access":
                    bound.add(text(node))
            else:
                read.append(text(node))
        elif node.type in ("this", "super"):
            read.append(node.type)
        elif node.type in ("string_literal", "character_literal", "line_comment", "block_comment"):
            continue
        stack.extend(node.children)
    return frozenset(name for name in read if name not in bound)


def _problems(root: tree_sitter.Node) -> list[tuple]:
    """ERROR and MISSING nodes of a tree (those inside an ERROR too): (kind, what, row)."""
    return [
        ("missing", node.type, node.start_point[0])
        if node.is_missing
        else ("error", text(node)[:40], node.start_point[0])
        for node in error_nodes(root, inside_errors=True)
    ]


def _describe(problem: tuple, where: str | None = None) -> str:
    kind, what, row = problem
    where = where or f"line {row + 1}"
    if kind == "missing":
        return f"{where}: missing `{what}`"
    return f"{where}: does not parse near `{' '.join(what.split())}`"


def statement_problems(document: ParsedDocument, line: int, statement: str) -> list[str]:
    """Why `statement`, put on line `line` (replacing it, indented like it), would not parse in the
    file; empty when it parses."""
    if "\n" in statement.strip():
        return ["the statement spans several lines"]
    try:
        alone = _wrapped(statement.strip())
        problems = [_describe(p, "the statement") for p in _problems(alone.root_node)]
        if problems:
            return problems
        body = _wrapped_body(alone)
        if body is None or len([c for c in body.named_children if "comment" not in c.type]) != 1:
            return ["not exactly one statement"]
        return added_problems(
            document, line, statement, lambda root: ((p, _describe(p)) for p in _problems(root))
        )
    except (ValueError, RecursionError) as error:
        return [f"cannot parse: {error}"]


def ends_program(statement: str) -> bool:
    """Whether a log statement also ends the program: no Java logging call does."""
    return False
