"""Batch mode's sites in JavaScript and TypeScript: catch blocks and `.catch`/`on('error')`
callbacks that go on silently (`except_swallowed`), that throw a new error
(`except_converted`), and retry loops that catch and try again (`retry_loop`), each without
logging.

A statement goes on a line of its own before the block's first statement, or before the
closing brace of an empty block. A block that opens and closes on one line
(`try { f() } catch (e) {}`) has no such line: it is not reported, since no inserted line
could land inside it.
"""

from __future__ import annotations

import re

import tree_sitter

from logsmith.syntax.batch_rules import IGNORE, RULES, Finding
from logsmith.syntax.cursor_line import leading_indent
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.javascript_calls import (
    CONSOLE_METHODS,
    LEVEL_OF_METHOD,
    is_logger,
    known_loggers,
)
from logsmith.syntax.javascript_tree import (
    FUNCTIONS,
    LOOPS,
    Handler,
    callback_handler,
    catch_handler,
    named_function,
)
from logsmith.syntax.languages import matches
from logsmith.syntax.tree_text import text

APPLICABLE = ("retry_loop", "except_converted", "except_swallowed")
RETRY_WORDS = re.compile(r"attempt|retr(?:y|ies)|tries|backoff", re.IGNORECASE)
WAITS = re.compile(r"\b(?:sleep|delay|wait|setTimeout|backoff)\w*\s*\(", re.IGNORECASE)


def _walk(node: tree_sitter.Node, into_functions: bool = False):
    """`node`'s descendants, not entering nested functions unless asked."""
    stack = list(node.named_children)
    while stack:
        current = stack.pop()
        yield current
        if into_functions or current.type not in FUNCTIONS:
            stack.extend(current.named_children)


def _reports(body: tree_sitter.Node, debug_names: frozenset[str]) -> bool:
    """Whether the block logs: console, a logger, a debug instance, `process.stderr.write`."""
    for node in _walk(body, into_functions=True):
        if node.type != "call_expression":
            continue
        function = node.child_by_field_name("function")
        if function is None:
            continue
        if function.type == "identifier":
            if text(function) in debug_names:
                return True
            continue
        if function.type != "member_expression":
            continue
        receiver = function.child_by_field_name("object")
        method = text(function.child_by_field_name("property"))
        if receiver is None:
            continue
        if text(receiver) == "console" and method in CONSOLE_METHODS:
            return True
        if text(receiver) == "process.stderr" and method == "write":
            return True
        if method in LEVEL_OF_METHOD and is_logger(receiver):
            return True
    return False


def _throws(body: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [node for node in _walk(body) if node.type == "throw_statement"]


def _uses(body: tree_sitter.Node, name: str | None) -> bool:
    if name is None:
        return False
    return any(
        node.type in ("identifier", "shorthand_property_identifier") and text(node) == name
        for node in _walk(body, into_functions=True)
    )


def _indent_unit(document: ParsedDocument) -> str:
    for number in range(min(document.line_count, 400)):
        line = document.line(number)
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return (
                line[: len(line) - len(stripped)]
                if line[0] == "\t"
                else " " * min(len(line) - len(stripped), 4)
            )
    return "  "


def insertion_point(document: ParsedDocument, body: tree_sitter.Node) -> tuple[int, str] | None:
    """(line, indent) for a statement at the start of `body`, or None when no line of its own
    can go inside it."""
    statements = [child for child in body.named_children if child.type != "comment"]
    opening = body.start_point[0]
    if statements:
        first = statements[0].start_point[0]
        if first == opening:
            return None
        return first, leading_indent(document.line(first))
    closing = body.end_point[0]
    if closing == opening:
        return None
    return closing, leading_indent(document.line(closing)) + _indent_unit(document)


def _silenced(document: ParsedDocument, rule: str, lines) -> bool:
    for number in lines:
        found = IGNORE.search(document.line(number))
        if found is None:
            continue
        if found["rules"] is None or rule in {r.strip() for r in found["rules"].split(",")}:
            return True
    return False


def _handlers(document: ParsedDocument) -> list[Handler]:
    handlers: dict[int, Handler] = {}
    for match in matches("handlers", document.tree.root_node, document.language):
        if "handler.guard" in match:
            continue
        node = match["handler"][0]
        if node.type == "catch_clause":
            handlers[node.id] = catch_handler(node, document.language)
        else:
            found = callback_handler(match["handler.callback"][0], document.language)
            if found is not None and found.body is not None:
                handlers[node.id] = found
    return sorted(handlers.values(), key=lambda handler: handler.node.start_byte)


def _looks_like_retry(loop: tree_sitter.Node, handler: Handler) -> bool:
    body = loop.child_by_field_name("body")
    header = text(loop)[: body.start_byte - loop.start_byte] if body is not None else text(loop)
    if RETRY_WORDS.search(header) or WAITS.search(text(loop)):
        return True
    return (
        loop.type in ("while_statement", "do_statement")
        and handler.body is not None
        and any(node.type == "continue_statement" for node in _walk(handler.body))
    )


def _retry_loop_of(handler: Handler) -> tree_sitter.Node | None:
    """The loop whose body holds the handler's try statement directly."""
    if handler.form != "catch":
        return None
    attempt = handler.node.parent
    block = attempt.parent if attempt is not None else None
    if block is None or block.type != "statement_block":
        return None
    loop = block.parent
    if loop is None or loop.type not in LOOPS:
        return None
    return loop if _looks_like_retry(loop, handler) else None


def _describe(handler: Handler) -> str:
    if handler.form == "catch":
        return f"`catch ({handler.error})`" if handler.error else "`catch`"
    return "the error callback"


def find_sites(document: ParsedDocument, rules=None) -> list[Finding]:
    """Places that should log and do not, in line order, one per line."""
    selected = [rule for rule in (rules or APPLICABLE) if rule in APPLICABLE and rule in RULES]
    if not selected or "catch" not in document.text:
        return []
    _, debug_names = known_loggers(document.tree.root_node)
    by_line: dict[int, Finding] = {}
    for handler in _handlers(document):
        body = handler.body
        if body is None or _reports(body, debug_names):
            continue
        throws = _throws(body)
        rethrows = any(
            handler.error is not None
            and [text(child) for child in node.named_children if child.type != "comment"]
            == [handler.error]
            for node in throws
        )
        found: tuple[str, str] | None = None
        loop = _retry_loop_of(handler)
        direct_throw = any(child.type == "throw_statement" for child in body.named_children)
        if "retry_loop" in selected and loop is not None and not direct_throw:
            found = ("retry_loop", "a retry loop catches an error and tries again without logging")
        elif "except_converted" in selected and throws and not rethrows:
            thrown = text(throws[0]).split("\n", 1)[0]
            found = (
                "except_converted",
                f"{_describe(handler)} throws another error (`{thrown}`) without logging the "
                "original",
            )
        elif "except_swallowed" in selected and not throws and not _uses(body, handler.error):
            found = (
                "except_swallowed",
                f"{_describe(handler)} goes on without logging, rethrowing or passing the error on",
            )
        if found is None:
            continue
        at = insertion_point(document, body)
        start = handler.node.start_point
        if at is None or _silenced(document, found[0], {start[0], at[0]}):
            continue
        by_line.setdefault(
            at[0],
            Finding(
                rule=found[0],
                line=at[0],
                indent=at[1],
                start_line=start[0],
                start_character=document.character(start),
                end_line=handler.node.end_point[0],
                end_character=document.character(handler.node.end_point),
                message=found[1],
                function=named_function(handler.node),
            ),
        )
    return sorted(by_line.values(), key=lambda finding: finding.line)
