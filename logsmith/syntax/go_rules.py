"""Batch mode's sites in a Go file: error blocks that hand the error back (`error_return`), drop it
(`except_swallowed`), replace it with another (`except_converted`) or retry (`retry_loop`)
without logging. Queries in `grammars/go/rules/`;
the checks they cannot express live here. Generated files have no sites."""

from __future__ import annotations

import re

import tree_sitter

from logsmith.syntax.batch_rules import IGNORE, PRIORITY, Finding
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.go_scopes import (
    ERROR_NAME,
    FUNCTIONS,
    READ_ERRORS,
    function_info,
    statements_of,
)
from logsmith.syntax.languages import matches
from logsmith.syntax.tree_text import enclosing, text

GO_RULES = ("retry_loop", "except_converted", "except_swallowed", "error_return")
# A returned expression that makes a new error: ErrNotFound, io.EOF, errors.New(...),
# fmt.Errorf(...) without the checked error, status.Error(...), &PathError{...}.
NEW_ERROR = re.compile(
    r"^(&?(\w+\.)?Err\w*|\w+\.EOF|errors\.New\(|fmt\.Errorf\(|status\.Errorf?\(|&?(\w+\.)?\w*Error\{)"
)
GENERATED = re.compile(r"^// Code generated .* DO NOT EDIT\.$", re.MULTILINE)
# Calls that mean the block reports: a level method on a logger-like receiver, printing to stderr.
REPORTING = re.compile(
    r"(?i)\b\w*(log|logger|lg|sugar|klog|glog|slog|logrus)\w*(\(\w*\))?(\.\w+(\([^()]*\))?)*"
    r"\.(print|fatal|panic|trace|debug|info|warn|warning|error|dpanic|log)\w*\("
    r"|fmt\.Fprint\w*\(os\.Stderr|\bprintln\("
)
RETRY_WORDS = re.compile(r"(?i)attempt|retr|tries|backoff")
SLEEP = re.compile(r"(?i)\b(time\.Sleep|time\.After|sleep|backoff|Backoff|wait\.\w+)")
MESSAGES = {
    "retry_loop": "`{name}` is checked in a retry loop and the loop goes on without logging it",
    "except_converted": "`{name}` is replaced by another error and never logged",
    "except_swallowed": "`{name}` is dropped: the block goes on without it and logs nothing",
    "error_return": "`{name}` leaves the program from `main` or `init` and is never logged",
}


def _reports(block: tree_sitter.Node) -> bool:
    return bool(REPORTING.search(text(block)))


def _reads(block: tree_sitter.Node, name: str) -> bool:
    stack = [block]
    while stack:
        node = stack.pop()
        if node.type == "identifier" and text(node) == name:
            return True
        stack.extend(node.children)
    return False


def _ignored(document: ParsedDocument, rows: tuple[int, ...], rule: str) -> bool:
    for row in rows:
        found = IGNORE.search(document.line(row))
        if found and (
            not found["rules"] or rule in {part.strip() for part in found["rules"].split(",")}
        ):
            return True
    return False


def _finding(document, rule, construct, body, name) -> Finding | None:
    statements = statements_of(body)
    if not statements or statements[0].start_point[0] == body.start_point[0]:
        return None  # no line of its own for the statement
    first = statements[0]
    row = first.start_point[0]
    if _ignored(document, (construct.start_point[0], row), rule):
        return None
    function = enclosing(construct, FUNCTIONS)
    indent_line = document.line(row)
    return Finding(
        rule=rule,
        line=row,
        indent=indent_line[: len(indent_line) - len(indent_line.lstrip())],
        start_line=construct.start_point[0],
        start_character=document.character(construct.start_point),
        end_line=construct.end_point[0],
        end_character=document.character(construct.end_point),
        message=MESSAGES[rule].format(name=name),
        function=function_info(function).name if function is not None else None,
    )


def _retry_loops(document, root):
    for found in _matches("rules/retry_loop", root):
        loop, body, name = found["loop"], found["body"], text(found["name"])
        if not ERROR_NAME.match(name) or _reports(body):
            continue
        last = statements_of(body)[-1:] if statements_of(body) else []
        if last and last[0].type == "return_statement":
            continue
        header = text(loop)[: max(text(loop).find("{"), 0)]
        if not (SLEEP.search(text(loop)) or RETRY_WORDS.search(header)):
            continue
        yield "retry_loop", _finding(document, "retry_loop", found["check"], body, name)


def _unread(document, root, rule: str):
    """Error blocks matched by `rule`'s query that never read the error and do not report."""
    for found in _matches(f"rules/{rule}", root):
        body, name = found["body"], text(found["name"])
        if ERROR_NAME.match(name) and not _reports(body) and not _reads(body, name):
            yield found, body, name


def _swallowed(document, root):
    for found, body, name in _unread(document, root, "except_swallowed"):
        statements = statements_of(body)
        last = statements[-1] if statements else None
        if last is not None and last.type == "expression_statement" and "panic(" in text(last):
            continue
        if _returns_new_error(last):
            continue
        yield "except_swallowed", _finding(document, "except_swallowed", found["check"], body, name)


def _converted(document, root):
    for found, body, name in _unread(document, root, "except_converted"):
        statements = statements_of(body)
        if (
            statements
            and statements[-1].id == found["return"].id
            and _returns_new_error(statements[-1])
        ):
            yield (
                "except_converted",
                _finding(document, "except_converted", found["check"], body, name),
            )


def _returns_new_error(statement) -> bool:
    if statement is None or statement.type != "return_statement":
        return False
    values = statement.named_children[0].named_children if statement.named_children else []
    return any(NEW_ERROR.match(text(value)) for value in values)


# Functions whose returned error reaches no caller that could log it.
LAST_STOP = frozenset({"main", "init"})


def _last_stop(node) -> bool:
    """Whether the error returned here leaves the program's own code: from `main` or `init`.
    Elsewhere handing the error back (wrapped or not) is Go's idiom, and a log at every level
    would report one failure many times."""
    function = enclosing(node, ("function_declaration",))
    name = function.child_by_field_name("name") if function is not None else None
    return name is not None and text(name) in LAST_STOP


def _error_returns(document, root):
    for found in _matches("rules/error_return", root):
        body, name, returned = found["body"], text(found["name"]), found["return"]
        if not ERROR_NAME.match(name) or _reports(body) or not _last_stop(found["check"]):
            continue
        statements = statements_of(body)
        if not statements or statements[-1].id != returned.id or not _reads(returned, name):
            continue
        yield "error_return", _finding(document, "error_return", found["check"], body, name)


def _matches(name: str, root) -> list[dict[str, tree_sitter.Node]]:
    return [{key: nodes[0] for key, nodes in found.items()} for found in matches(name, root, "go")]


def is_generated(document: ParsedDocument) -> bool:
    return bool(GENERATED.search(document.text[:4000]))


def find_sites(document: ParsedDocument, rules=None) -> list[Finding]:
    """Places that should log and do not (see `SiteReader.find_sites`), one per line, the rule
    first in `RULES` winning."""
    wanted = [rule for rule in GO_RULES if rules is None or rule in rules]
    if not wanted or is_generated(document):
        return []
    try:
        root = document.tree.root_node
        found = [
            *_retry_loops(document, root),
            *_converted(document, root),
            *_swallowed(document, root),
            *_error_returns(document, root),
        ]
        by_line: dict[int, Finding] = {}
        for rule, finding in sorted(
            (pair for pair in found if pair[1] is not None and pair[0] in wanted),
            key=lambda pair: PRIORITY[pair[0]],
        ):
            by_line.setdefault(finding.line, finding)
        return sorted(by_line.values(), key=lambda f: f.line)
    except READ_ERRORS:
        return []
