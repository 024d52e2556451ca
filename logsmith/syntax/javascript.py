"""Reading JavaScript, TypeScript and TSX for the shared engine: the site at a cursor, the names a
statement reads and whether a statement parses in place (the `SiteReader` of
`logsmith.idioms.contract`). The file's log statements come from `javascript_calls`, batch mode's
sites from `javascript_rules`; the tree facts all three share live in `javascript_tree`.
"""

from __future__ import annotations

import re

import tree_sitter

from logsmith.syntax.cursor_line import CursorLine, cursor_line
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.javascript_calls import logged_calls
from logsmith.syntax.javascript_rules import find_sites
from logsmith.syntax.javascript_tree import (
    ANONYMOUS,
    FUNCTIONS,
    callee_name,
    class_name,
    foreign_this,
    function_name,
    instance_attributes,
    later_module_names,
    local_names,
    module_names,
    named_function,
    parameters,
    placement,
    statement_of,
    unassigned_locals,
)
from logsmith.syntax.languages import captures, parser
from logsmith.syntax.site import FunctionInfo, LogSite, Typed, unplaced_site
from logsmith.syntax.site import parse_typed as read_typed
from logsmith.syntax.statement_fit import added_problems, error_nodes
from logsmith.syntax.tree_text import enclosing, text

__all__ = [
    "ends_program",
    "find_sites",
    "logged_calls",
    "module_names_of",
    "names_read",
    "site_at",
    "statement_problems",
]

PROBE = "__logsmith_probe__;"
"""What the cursor's line is read as, whatever is typed on it."""
TYPED = re.compile(
    r"""^(?P<logger>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*?)?
        (?:\.(?P<level>[A-Za-z_$]*)
            (?:\((?P<open>\s*(?P<quote>["'`])?(?P<message>[^"'`\\]*))?)?
        )?$""",
    re.VERBOSE,
)
"""What the user may have typed: a logger, a dot, a level, an opening call and message."""


def parse_typed(before: str) -> Typed:
    """What is on the cursor's line before the cursor: `console.log("Fail`, `logger.`, `log`; a
    template literal's backquote formats values itself."""
    return read_typed(before, TYPED, lambda found: found["quote"] == "`")


def module_names_of(document: ParsedDocument) -> frozenset[str]:
    """The file's top-level names (imports, requires, declarations, classes), once per text."""
    cache = document.cache
    if cache.module_names is None:
        cache.module_names = module_names(document.tree.root_node, document.language)
    return cache.module_names


def _probe_statement(root: tree_sitter.Node, row: int, column: int) -> tree_sitter.Node | None:
    node = root.named_descendant_for_point_range((row, column), (row, column + 1))
    while node is not None and node.type != "expression_statement":
        node = node.parent
    if node is None or node.start_point != (row, column) or text(node) != PROBE:
        return None
    return node


def _function_info(function: tree_sitter.Node, language: str) -> FunctionInfo:
    body = function.child_by_field_name("body")
    return FunctionInfo(
        name=function_name(function)
        or named_function(function.parent)
        or callee_name(function)
        or ANONYMOUS,
        parameters=tuple(parameters(function, language)),
        class_name=class_name(function),
        is_async=any(child.type == "async" for child in function.children),
        start_line=function.start_point[0],
        body_start_line=body.start_point[0] if body is not None else function.start_point[0],
    )


def site_at(document: ParsedDocument, line: int, character: int) -> LogSite:
    """The site at a cursor. The cursor's line is read as a plain statement, so that a half-typed
    `console.log("` does not disturb the tree; a file that does not parse gives a best-effort
    site with `syntax_error` set."""
    cursor = cursor_line(document, line, character)
    line, character, indent, after = cursor.line, cursor.character, cursor.indent, cursor.after
    typed = parse_typed(cursor.before)
    modules = module_names_of(document)
    probed = document.with_line(line, indent + PROBE)
    root = probed.tree.root_node
    statement = _probe_statement(root, line, len(indent.encode("utf-8")))
    language = document.language
    if statement is None:
        return _best_effort(
            root, (line, len(indent.encode("utf-8"))), language, modules, typed, cursor
        )
    place = placement(statement, language)
    function = _function_info(place.function, language) if place.function else None
    handler = place.handler
    next_node = place.next
    value = (
        next_node.named_children[0] if next_node is not None and next_node.named_children else None
    )
    recovers = None
    if handler is not None and handler.body is not None:
        recovers = _recovers(handler.body, statement)
    notes: tuple[str, ...] = ()
    # a TypeScript local some path leaves unassigned; at the top of the file, what it declares below
    unreadable = unassigned_locals(statement) if language != "javascript" else frozenset()
    if place.function is None and enclosing(statement, FUNCTIONS) is None:
        notes = ("at the top of the module",)
        unreadable |= later_module_names(statement, language)
    borrowed_this = foreign_this(statement)
    return LogSite(
        line=line,
        character=character,
        indent=indent,
        typed=typed,
        kind=place.kind,
        function=function,
        names=tuple(n for n in local_names(statement, language) if n not in unreadable),
        module_names=modules,
        loop_variables=place.loop_variables,
        exception_name=handler.error if handler is not None else None,
        exception_types=_exception_types(handler.node, language) if handler else (),
        in_except=handler is not None,
        reraises=recovers == "throw",
        recovers=None if recovers == "throw" else recovers,
        before=place.before,
        next_statement=text(next_node).split("\n", 1)[0] if next_node is not None else "",
        previous_statement=text(place.previous).split("\n", 1)[0] if place.previous else "",
        return_value=text(value) if place.before == "return" and value is not None else None,
        raise_value=text(value) if place.before == "raise" and value is not None else None,
        self_attributes=() if borrowed_this else instance_attributes(place.function, language),
        after_cursor=after,
        syntax_error=root.has_error,
        notes=notes,
        reachable=place.reachable,
        unbound_names=unreadable | ({"this"} if borrowed_this else set()),
    )


def _best_effort(root, point, language, modules, typed, cursor: CursorLine) -> LogSite:
    """The site where the probe did not become a statement of its own (the text around it does
    not parse): the function and names around that place, kind `other`."""
    node = root.named_descendant_for_point_range(point, point)
    statement = statement_of(node) if node is not None else None
    function = enclosing(statement, FUNCTIONS) if statement is not None else None
    return unplaced_site(
        cursor,
        typed,
        function=_function_info(function, language) if function is not None else None,
        names=tuple(local_names(statement, language)) if statement is not None else (),
        module_names=modules,
    )


def _exception_types(node: tree_sitter.Node, language: str) -> tuple[str, ...]:
    """TypeScript's `catch (e: Error)` names a type; JavaScript's catch names none."""
    if node.type != "catch_clause":
        return ()
    annotation = node.child_by_field_name("type")
    if annotation is None:
        return ()
    written = text(annotation).lstrip(":").strip()
    return () if written in ("unknown", "any") else (written,)


def _recovers(body: tree_sitter.Node, statement: tree_sitter.Node) -> str | None:
    """How a handler's block ends without the probe: throw, return, continue, break, pass or
    value."""
    rest = [c for c in body.named_children if c.type != "comment" and c.id != statement.id]
    for node in rest:
        if node.type == "throw_statement":
            return "throw"
    if not rest:
        return "pass"
    return {
        "return_statement": "return",
        "continue_statement": "continue",
        "break_statement": "break",
    }.get(rest[-1].type, "value")


def names_read(statement: str) -> frozenset[str]:
    """Root names a statement reads (`user` of `user.id`, `err` of `{ err }`), not property
    names, object keys or the names that functions inside it bind."""
    tree = parser("typescript").parse(statement.encode("utf-8", "surrogatepass"))
    root = tree.root_node
    found = captures("reads", root, "typescript").get("read", [])
    bound: set[str] = set()
    for node in _descendants(root):
        if node.type in FUNCTIONS:
            bound.update(parameters(node, "typescript"))
    names = set()
    for node in found:
        parent = node.parent
        if parent is not None and parent.type == "variable_declarator":
            if parent.child_by_field_name("name") == node:
                bound.add(text(node))
                continue
        names.add(text(node))
    return frozenset(names - bound - {"undefined"})


def _descendants(node: tree_sitter.Node):
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.named_children)


def _problems(root: tree_sitter.Node) -> list[tuple[tuple, str]]:
    """ERROR and MISSING nodes of a tree by where they are, with a description, in that order."""
    found: dict[tuple, str] = {}
    for node in error_nodes(root):
        if node.is_missing:
            key: tuple = ("missing", node.type, node.start_point)
            found[key] = f"line {node.start_point[0] + 1}: missing `{node.type}`"
        else:
            key = ("error", node.start_point, node.end_point)
            snippet = text(node).split("\n", 1)[0][:40]
            found[key] = f"line {node.start_point[0] + 1}: syntax error at `{snippet}`"
    return sorted(found.items())


def statement_problems(document: ParsedDocument, line: int, statement: str) -> list[str]:
    """Why `statement` on line `line` (replacing that line's text, indented as it) would not
    parse with the document's grammar: the ERROR and MISSING nodes the file with that line left
    blank does not have. Empty when it parses."""
    if "\n" in statement.strip():
        return ["the statement spans more than one line"]
    return added_problems(document, line, statement, _problems)


def ends_program(statement: str) -> bool:
    """Whether a log statement also ends the program: no JavaScript logging call does."""
    return False
