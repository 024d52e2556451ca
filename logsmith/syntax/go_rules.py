"""Batch mode's sites in a Go file: error blocks that hand the error back (`error_return`), drop it
(`except_swallowed`) or retry (`retry_loop`) without logging. Queries in `grammars/go/rules/`;
the checks they cannot express live here. Generated files have no sites."""

from __future__ import annotations

import re

import tree_sitter

from logsmith.syntax.batch_rules import PRIORITY, RULES, Finding
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.go_scopes import (
    ERROR_NAME,
    FUNCTIONS,
    enclosing,
    function_info,
    statements_of,
    text,
)
from logsmith.syntax.languages import matches

GO_RULES = ("retry_loop", "except_swallowed", "error_return")
GENERATED = re.compile(r"^// Code generated .* DO NOT EDIT\.$", re.MULTILINE)
IGNORE = re.compile(r"logsmith:\s*ignore(?:\[(?P<rules>[^\]]*)\])?")
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
    "except_swallowed": "`{name}` is dropped: the block goes on without it and logs nothing",
    "error_return": "`{name}` is returned to the caller without a log of where it happened",
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
        start_character=construct.start_point[1],
        end_line=construct.end_point[0],
        end_character=construct.end_point[1],
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
        yield _finding(document, "retry_loop", found["check"], body, name)


def _swallowed(document, root):
    for found in _matches("rules/except_swallowed", root):
        body, name = found["body"], text(found["name"])
        if not ERROR_NAME.match(name) or _reports(body) or _reads(body, name):
            continue
        statements = statements_of(body)
        if (
            statements
            and statements[-1].type == "expression_statement"
            and "panic(" in text(statements[-1])
        ):
            continue
        yield _finding(document, "except_swallowed", found["check"], body, name)


def _error_returns(document, root):
    for found in _matches("rules/error_return", root):
        body, name, returned = found["body"], text(found["name"]), found["return"]
        if not ERROR_NAME.match(name) or _reports(body):
            continue
        statements = statements_of(body)
        if not statements or statements[-1].id != returned.id or not _reads(returned, name):
            continue
        yield _finding(document, "error_return", found["check"], body, name)


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
        scans = {
            "retry_loop": _retry_loops,
            "except_swallowed": _swallowed,
            "error_return": _error_returns,
        }
        by_line: dict[int, Finding] = {}
        for rule in sorted(wanted, key=PRIORITY.get):
            for finding in scans[rule](document, root):
                if finding is not None and finding.rule in RULES:
                    by_line.setdefault(finding.line, finding)
        return sorted(by_line.values(), key=lambda f: f.line)
    except (ValueError, RecursionError, AttributeError):
        return []
