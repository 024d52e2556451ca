"""Batch mode for Java: catch blocks that should log and do not.

Rules (`logsmith.syntax.batch_rules.RULES` ids), each a query of `grammars/java/rules/`:
`retry_loop` (a loop whose catch goes on to try again), `except_converted` (a catch that throws a
new exception), `except_swallowed` (a catch that goes on as if nothing happened). A catch block
already reports when it logs (any statement `java_calls` reads), prints a stack trace or writes
to `System.err`. A statement always goes before the first statement of the catch block, or before
the closing brace of an empty one; a block that opens and closes on one line gets no finding (no
line to insert). `// logsmith: ignore[rule]` on the catch line, the insertion line or the
method's first line silences a finding.
"""

from __future__ import annotations

import bisect
import re

import tree_sitter

from logsmith.syntax.batch_rules import PRIORITY, RULES, Finding, unknown_rules
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.java_calls import FileLogging, read_call
from logsmith.syntax.java_scopes import (
    catch_facts,
    enclosing_method,
    indent_unit,
    statements_of,
    text,
)
from logsmith.syntax.languages import captures, matches

JAVA_RULES = ("retry_loop", "except_converted", "except_swallowed")
CONTROL_FLOW = frozenset(
    {
        "NumberFormatException",
        "ClassNotFoundException",
        "NoSuchMethodException",
        "NoSuchFieldException",
        "CloneNotSupportedException",
        "InterruptedException",
        "NoClassDefFoundError",
        "UnsupportedEncodingException",
    }
)
"""Exceptions that are control flow or feature detection: a catch of only these is an idiom."""
IGNORED_NAME = re.compile(r"^(_|ignored?|expected|unused|ignore\w*)$")
GIVES_UP = ("throw_statement", "return_statement", "break_statement")
RETRY_WORDS = re.compile(r"retr|attempt|tries|backoff|tried", re.IGNORECASE)
IGNORE = re.compile(r"logsmith:\s*ignore(?:\[(?P<rules>[^\]]*)\])?")
REPORTERS = re.compile(r"\.printStackTrace\(|System\.err\.print|\.report\w*\(")


class _Scan:
    """One file: its catch blocks' reports and its ignore comments."""

    def __init__(self, document: ParsedDocument):
        self.document = document
        self.root = document.tree.root_node
        self.logging = FileLogging(self.root)
        self.reporting = sorted(
            call.start_byte
            for call in self.logging.calls
            if read_call(call, self.logging) is not None
        )
        self.ignores: dict[int, set[str] | None] = {}
        if "logsmith" in document.text:
            for comment in captures("rules/_ignore_comments", self.root, "java").get("ignore", []):
                found = IGNORE.search(text(comment))
                rules = (
                    {r.strip() for r in found["rules"].split(",")}
                    if found and found["rules"]
                    else None
                )
                self.ignores[comment.start_point[0]] = rules

    def reports_within(self, node: tree_sitter.Node) -> bool:
        at = bisect.bisect_left(self.reporting, node.start_byte)
        if at < len(self.reporting) and self.reporting[at] < node.end_byte:
            return True
        return bool(REPORTERS.search(text(node)))

    def silenced(self, rule: str, lines: tuple[int, ...], node: tree_sitter.Node) -> bool:
        method = enclosing_method(node)
        candidates = list(lines) + ([method.start_point[0]] if method is not None else [])
        for line in candidates:
            if line in self.ignores:
                rules = self.ignores[line]
                if rules is None or rule in rules:
                    return True
        return False

    def insertion(
        self, handler: tree_sitter.Node, body: tree_sitter.Node
    ) -> tuple[int, str] | None:
        """(line, indent) where a statement goes in a catch block, or None when it cannot go on a
        line of its own."""
        statements = statements_of(body)
        if statements:
            first = statements[0]
            row = first.start_point[0]
            line = self.document.line(row)
            if row == body.start_point[0] or line[: first.start_point[1]].strip():
                return None
            return row, line[: len(line) - len(line.lstrip(" \t"))]
        close_row = body.end_point[0]
        if close_row == body.start_point[0]:
            return None
        closing = self.document.line(close_row)
        if closing[: body.end_point[1] - 1].strip():
            return None
        outer = closing[: len(closing) - len(closing.lstrip(" \t"))]
        return close_row, outer + indent_unit(self.document.text)

    def finding(self, rule, construct, at, message) -> Finding:
        method = enclosing_method(construct)
        return Finding(
            rule=rule,
            line=at[0],
            indent=at[1],
            start_line=construct.start_point[0],
            start_character=construct.start_point[1],
            end_line=construct.end_point[0],
            end_character=construct.end_point[1],
            message=message,
            function=text(method.child_by_field_name("name")) if method is not None else None,
        )


def _contains(node: tree_sitter.Node, types) -> bool:
    """Whether a descendant of `node` outside nested classes and lambdas has one of `types`."""
    stack = list(node.named_children)
    while stack:
        child = stack.pop()
        if child.type in types:
            return True
        if child.type not in ("class_body", "lambda_expression"):
            stack.extend(child.named_children)
    return False


def _passes_on(body: tree_sitter.Node, name: str | None) -> bool:
    """Whether the block hands the caught exception on: as an argument (`callback.onError(e)`,
    `future.completeExceptionally(e)`, even `result.error(e.getMessage())`), in a returned value,
    or stored (`this.failure = e`)."""
    if not name:
        return False
    stack = list(body.named_children)
    while stack:
        node = stack.pop()
        if node.type == "identifier" and text(node) == name:
            holder = node.parent
            while holder is not None and holder.id != body.id:
                if holder.type in ("argument_list", "return_statement", "assignment_expression"):
                    return True
                if holder.type in ("if_statement", "expression_statement"):
                    break
                holder = holder.parent
        stack.extend(node.named_children)
    return False


def _description(types: tuple[str, ...], name: str | None) -> str:
    return f"catch ({' | '.join(types)} {name or ''})".replace(" )", ")")


def _idiom(types: tuple[str, ...], name: str | None, body: tree_sitter.Node) -> bool:
    """A catch that is an idiom, not a failure: only control-flow exceptions, or a name that says
    the exception is ignored on purpose."""
    if name and IGNORED_NAME.match(name):
        return True
    short = [t.rsplit(".", 1)[-1] for t in types]
    if short and all(t in CONTROL_FLOW for t in short):
        if short != ["InterruptedException"] or ".interrupt()" in text(body):
            return True
    return False


def _swallowed(scan: _Scan) -> list[Finding]:
    found = []
    for match in matches("rules/except_swallowed", scan.root, "java"):
        handler, body = match["handler"][0], match["body"][0]
        name, types = catch_facts(handler)
        if _contains(body, ("throw_statement",)) or scan.reports_within(body):
            continue
        if _idiom(types, name, body) or _passes_on(body, name):
            continue
        at = scan.insertion(handler, body)
        lines = (handler.start_point[0], at[0]) if at is not None else ()
        if at is None or scan.silenced("except_swallowed", lines, handler):
            continue
        statements = statements_of(body)
        last = statements[-1].type if statements else None
        how = {
            None: "is empty: the exception leaves no trace",
            "return_statement": "returns",
            "continue_statement": "continues the loop",
            "break_statement": "leaves the loop",
        }.get(last, "goes on")
        message = f"`{_description(types, name)}` {how}" + (
            "" if not statements else " without logging the exception"
        )
        found.append(scan.finding("except_swallowed", handler, at, message))
    return found


def _converted(scan: _Scan) -> list[Finding]:
    found, seen = [], set()
    for match in matches("rules/except_converted", scan.root, "java"):
        handler, body, raised = match["handler"][0], match["body"][0], match["raised"][0]
        if handler.id in seen:
            continue
        seen.add(handler.id)
        name, types = catch_facts(handler)
        if _idiom(types, name, body) or scan.reports_within(body):
            continue
        at = scan.insertion(handler, body)
        if at is None or scan.silenced(
            "except_converted", (handler.start_point[0], at[0], raised.start_point[0]), handler
        ):
            continue
        new = text(raised.child_by_field_name("type"))
        message = (
            f"`{_description(types, name)}` throws {new} instead, without logging the original "
            "exception"
        )
        found.append(scan.finding("except_converted", handler, at, message))
    return found


def _retry(scan: _Scan) -> list[Finding]:
    found, seen = [], set()
    sleeps = []
    loops = []
    for match in matches("rules/retry_loop", scan.root, "java"):
        if "sleep" in match:
            sleeps.append(match["sleep"][0].start_byte)
        else:
            loops.append(match)
    for match in loops:
        loop, handler, body = match["loop"][0], match["handler"][0], match["body"][0]
        if handler.id in seen:
            continue
        seen.add(handler.id)
        statements = statements_of(body)
        if statements and statements[-1].type in GIVES_UP:
            continue
        name, types = catch_facts(handler)
        if _idiom(types, name, body) or scan.reports_within(body):
            continue
        sleeps_inside = any(loop.start_byte <= s < loop.end_byte for s in sleeps)
        header = text(loop)[: max(0, loop.child_by_field_name("body").start_byte - loop.start_byte)]
        if loop.type == "do_statement":
            header = text(loop.child_by_field_name("condition"))
        continues = loop.type != "enhanced_for_statement" and _contains(
            body, ("continue_statement",)
        )
        if not (sleeps_inside or RETRY_WORDS.search(header) or continues):
            continue
        at = scan.insertion(handler, body)
        if at is None or scan.silenced(
            "retry_loop", (loop.start_point[0], handler.start_point[0], at[0]), handler
        ):
            continue
        message = (
            f"the loop retries after `{_description(types, name)}` without logging the failed "
            "attempt"
        )
        found.append(scan.finding("retry_loop", handler, at, message))
    return found


CHECKS = {"retry_loop": _retry, "except_converted": _converted, "except_swallowed": _swallowed}


def find_sites(document: ParsedDocument, rules=None) -> list[Finding]:
    """Places in a Java file that should log and do not, in line order, one per line. `rules`
    selects rule ids (None: all that apply to Java); raises ValueError on an unknown id."""
    selected = list(JAVA_RULES) if not rules else list(dict.fromkeys(rules))
    wrong = unknown_rules(selected)
    if wrong:
        raise ValueError(f"unknown rule(s): {', '.join(wrong)}; rules are {', '.join(RULES)}")
    try:
        scan = _Scan(document)
        by_line: dict[int, Finding] = {}
        for rule_id in sorted(selected, key=PRIORITY.__getitem__):
            if rule_id not in CHECKS:
                continue
            for finding in CHECKS[rule_id](scan):
                by_line.setdefault(finding.line, finding)
    except RecursionError:
        return []
    return sorted(by_line.values(), key=lambda f: f.line)
