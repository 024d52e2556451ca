"""Log-worthy sites of a whole file for batch mode: places that should log and do not.

Each rule is a tree-sitter query, `grammars/python/rules/<rule>.scm`, that selects a shape (an
except handler, a guard with a return, a retry loop, an I/O call); the checks a query cannot express
(does the block report already, is this a failure value, is the function a predicate) live here. Two
shared queries find the calls that already report (`_reporting_calls`) and `# logsmith: ignore`
comments (`_ignore_comments`). One parse and one pass of all the queries compiled together, no
model: this runs over whole repositories.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

import tree_sitter

from logsmith.syntax.cursor_line import leading_indent
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.languages import GRAMMARS, PYTHON, captures, query
from logsmith.syntax.tree_text import text as _text


@dataclass(frozen=True)
class Rule:
    """A batch-mode rule: its id (the query's file name), a title and why it asks for a log."""

    id: str
    title: str
    description: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        # In priority order: when two rules want a statement before the same line, the first wins.
        Rule(
            "retry_loop",
            "Retry without logging",
            "A loop catches an error and tries again without logging it: failed attempts, "
            "and the time they cost, are invisible until the last one fails.",
        ),
        Rule(
            "except_converted",
            "Exception converted without logging",
            "An except block raises a different exception; the original error and its context "
            "survive only as a chained cause, if the new exception is ever logged at all.",
        ),
        Rule(
            "except_swallowed",
            "Exception swallowed without logging",
            "An except block lets the program go on (pass, return, continue, a fallback value) and "
            "leaves no trace of the error.",
        ),
        Rule(
            "error_return",
            "Error return without logging",
            "A function gives up early with a failure value (None, False, -1) after a failed "
            "check; the caller learns that something failed, never what.",
        ),
        Rule(
            "io_call",
            "I/O without any logging",
            "A function reads or writes files, runs a process, or talks to the network or a "
            "database, and logs nothing at all.",
        ),
    )
}
PRIORITY = {rule_id: rank for rank, rule_id in enumerate(RULES)}


@dataclass(frozen=True)
class Finding:
    """A place that should log: insert a statement before `line`, indented with `indent`."""

    rule: str
    line: int
    """0-based line the statement goes before; the first statement of the block that should log."""
    indent: str
    """The whitespace that starts that line."""
    start_line: int
    """0-based first line of the flagged construct
    (the except clause, the guard, the loop, the I/O statement)."""
    start_character: int
    end_line: int
    end_character: int
    message: str
    """Why this place should log, for people."""
    function: str | None = None
    """Name of the enclosing function, if any."""


SCOPES = ("function_definition", "class_definition", "lambda")
# Query files run together in one pass over the tree
# (the ignore comments run only when the text has some).
COMBINED_QUERIES = ("_reporting_calls", *RULES)
# Exceptions that are control flow, not failures: a handler that catches only these is an idiom.
CONTROL_FLOW = frozenset(
    {
        "StopIteration",
        "StopAsyncIteration",
        "GeneratorExit",
        "ImportError",
        "ModuleNotFoundError",
        "KeyError",
        "IndexError",
        "LookupError",
        "AttributeError",
        "NameError",
        "NotImplementedError",
        "CancelledError",
    }
)
# Dunder methods that are not protocol hooks: converting an exception there is an ordinary choice.
NOT_PROTOCOL = frozenset(
    {
        "__init__",
        "__new__",
        "__call__",
        "__enter__",
        "__exit__",
        "__aenter__",
        "__aexit__",
        "__del__",
        "__post_init__",
        "__init_subclass__",
        "__set_name__",
    }
)
PREDICATE_NAME = re.compile(
    r"^_*(is|has|can|should|must|was|were|are|check|validate|matches)(_|[A-Z]|$)|^__\w+__$"
)
# Words in a loop's header or a name that say it tries again (Python's and Java's rules).
RETRY_WORDS = re.compile(r"retr|attempt|tries|backoff|tried", re.IGNORECASE)
# `logsmith: ignore` (every rule) or `logsmith: ignore[rule, ...]` in a comment, in every language.
IGNORE = re.compile(r"logsmith:\s*ignore(?:\[(?P<rules>[^\]]*)\])?")
FAILURE_VALUES = frozenset({"None", "False", "-1"})
# Calls that only read an exception (turn it into text, test its type) rather than pass it on.
READERS = frozenset(
    {
        "str",
        "repr",
        "format",
        "type",
        "isinstance",
        "issubclass",
        "getattr",
        "hasattr",
        "len",
        "print",
        "id",
    }
)


@functools.cache
def _combined_query() -> tuple[tree_sitter.Query, tuple[str, ...]]:
    """Every rule query and the reporting calls compiled as one query, and for each pattern the
    file it comes from: one pass over the tree instead of one per file (5x faster on real code)."""
    owners: list[str] = []
    texts: list[str] = []
    for name in COMBINED_QUERIES:
        owners += [name] * query(f"rules/{name}").pattern_count
        texts.append((GRAMMARS / "rules" / f"{name}.scm").read_text(encoding="utf-8"))
    return tree_sitter.Query(PYTHON, "\n".join(texts)), tuple(owners)


def _statements(block) -> list:
    return [child for child in block.named_children if child.type != "comment"]


class _FileScan:
    """Facts shared by every rule for one file, computed once."""

    def __init__(self, document: ParsedDocument):
        self.document = document
        self.root = document.tree.root_node
        combined, owners = _combined_query()
        self.matches: dict[str, list[dict]] = {name: [] for name in COMBINED_QUERIES}
        for index, found in tree_sitter.QueryCursor(combined).matches(self.root):
            self.matches[owners[index]].append(found)
        self._report_starts = sorted(
            m["report"][0].start_byte for m in self.matches["_reporting_calls"]
        )
        self.ignored: dict[int, frozenset[str] | None] = {}
        comments = (
            captures("rules/_ignore_comments", self.root).get("ignore", [])
            if "logsmith" in document.text
            else []
        )
        for comment in comments:
            directive = IGNORE.search(_text(comment))
            if directive is None:
                continue
            names = None
            if directive["rules"] is not None:
                names = (
                    frozenset(n.strip() for n in directive["rules"].split(",") if n.strip()) or None
                )
            row = comment.start_point[0]
            before = self.ignored.get(row, frozenset())
            self.ignored[row] = None if names is None or before is None else before | names
        self._returns_values: dict[int, bool] = {}

    # --- shared facts -------------------------------------------------------------------------

    def reports_within(self, node) -> bool:
        """True when a reporting call (a log, a print to stderr, a warning) starts inside `node`."""
        at = bisect.bisect_left(self._report_starts, node.start_byte)
        return at < len(self._report_starts) and self._report_starts[at] < node.end_byte

    def insertion_point(self, statement, header) -> tuple[int, str] | None:
        """(line, indent) to insert a statement before `statement`, or None when it shares its line
        with something else (`except E: pass`, `a = 1; return`) or follows a backslash
        continuation."""
        row = statement.start_point[0]
        if row <= header.start_point[0]:
            return None
        line = self.document.line(row)
        indent = leading_indent(line)
        if len(indent.encode("utf-8")) != statement.start_point[1]:
            return None
        if row > 0 and self.document.line(row - 1).endswith("\\"):
            return None
        return row, indent

    def silenced(self, rule: str, lines, node) -> bool:
        """A `# logsmith: ignore` on one of `lines` or on the header of an enclosing function or
        class."""
        if not self.ignored:
            return False
        rows = set(lines)
        scope = node
        while scope is not None:
            if scope.type in ("function_definition", "class_definition"):
                body = scope.child_by_field_name("body")
                start = (
                    scope.parent.start_point[0]
                    if scope.parent is not None and scope.parent.type == "decorated_definition"
                    else scope.start_point[0]
                )
                end = max(start, body.start_point[0] - 1) if body is not None else start
                rows.update(range(start, end + 1))
            scope = scope.parent
        for row in rows:
            if row in self.ignored:
                names = self.ignored[row]
                if names is None or rule in names:
                    return True
        return False

    def returns_values(self, function) -> bool:
        """True when `function` has a `return <value>` whose value is not None
        (nested scopes aside)."""
        key = function.id
        if key not in self._returns_values:
            found = False
            stack = list(function.child_by_field_name("body").named_children)
            while stack and not found:
                node = stack.pop()
                if node.type == "return_statement":
                    found = bool(node.named_children) and _text(node.named_children[0]) != "None"
                elif node.type not in SCOPES:
                    stack.extend(node.named_children)
            self._returns_values[key] = found
        return self._returns_values[key]

    def finding(self, rule: str, anchor, at: tuple[int, str], message: str, function) -> Finding:
        return Finding(
            rule=rule,
            line=at[0],
            indent=at[1],
            start_line=anchor.start_point[0],
            start_character=self.document.character(anchor.start_point),
            end_line=anchor.end_point[0],
            end_character=self.document.character(anchor.end_point),
            message=message,
            function=_text(function.child_by_field_name("name")) if function is not None else None,
        )


def _enclosing_function(node):
    node = node.parent
    while node is not None and node.type != "function_definition":
        node = node.parent
    return node


def _contains(node, types: tuple[str, ...]) -> bool:
    """True when a descendant of `node` (outside nested functions and classes) has one of
    `types`."""
    stack = list(node.named_children)
    while stack:
        child = stack.pop()
        if child.type in types:
            return True
        if child.type not in SCOPES:
            stack.extend(child.named_children)
    return False


def _caught(handler) -> tuple[list[str], str | None]:
    """(exception type names as written, alias) of an except clause;
    no types for a bare `except:`."""
    value = handler.child_by_field_name("value")
    alias = None
    if value is None:
        return [], None
    if value.type == "as_pattern":
        target = value.child_by_field_name("alias")
        alias = _text(target) if target is not None else None
        value = next((c for c in value.named_children if c.type != "as_pattern_target"), None)
        if value is None:
            return [], alias
    if value.type == "parenthesized_expression" and value.named_children:
        value = value.named_children[0]
    items = value.named_children if value.type == "tuple" else [value]
    return [_text(item) for item in items if item.type != "comment"], alias


def _only_control_flow(types: list[str]) -> bool:
    return bool(types) and all(name.rsplit(".", 1)[-1] in CONTROL_FLOW for name in types)


def _describe_types(types: list[str]) -> str:
    if not types:
        return "except:"
    return f"except {', '.join(types)}" if len(types) == 1 else f"except ({', '.join(types)})"


def _passes_on(body, alias: str) -> bool:
    """True when the handler hands the exception object itself to someone: `errors.append(exc)`,
    `future.set_exception(exc)`, `self.error = exc`, `return exc`, `yield exc`. Reading it
    (`exc.errno`, `str(exc)`, an f-string) does not count: the error is still dropped."""
    stack = list(body.named_children)
    while stack:
        node = stack.pop()
        if node.type == "identifier" and _text(node) == alias:
            parent = node.parent
            if parent.type in (
                "return_statement",
                "yield",
                "assignment",
                "keyword_argument",
                "list",
                "tuple",
                "set",
                "pair",
            ):
                if parent.type != "assignment" or parent.child_by_field_name("right") == node:
                    return True
            if parent.type == "argument_list":
                function = (
                    parent.parent.child_by_field_name("function")
                    if parent.parent is not None
                    else None
                )
                if function is None or _text(function) not in READERS:
                    return True
        elif node.type not in SCOPES:
            stack.extend(node.named_children)
    return False


# --- rules ----------------------------------------------------------------------------------------


def _except_swallowed(scan: _FileScan) -> list[Finding]:
    found = []
    for match in scan.matches["except_swallowed"]:
        handler, body = match["handler"][0], match["body"][0]
        statements = _statements(body)
        if not statements or _contains(body, ("raise_statement",)) or scan.reports_within(handler):
            continue
        types, alias = _caught(handler)
        if _only_control_flow(types) or (alias and _passes_on(body, alias)):
            continue
        at = scan.insertion_point(statements[0], handler)
        if at is None or scan.silenced(
            "except_swallowed", (handler.start_point[0], at[0]), handler
        ):
            continue
        last = statements[-1].type
        how = {
            "pass_statement": "passes",
            "return_statement": "returns",
            "continue_statement": "continues the loop",
            "break_statement": "leaves the loop",
        }.get(last, "goes on")
        message = f"`{_describe_types(types)}` {how} without logging the error"
        found.append(
            scan.finding("except_swallowed", handler, at, message, _enclosing_function(handler))
        )
    return found


def _except_converted(scan: _FileScan) -> list[Finding]:
    found, seen = [], set()
    for match in scan.matches["except_converted"]:
        handler, body, raise_node, raised = (
            match["handler"][0],
            match["body"][0],
            match["raise"][0],
            match["raised"][0],
        )
        if handler.id in seen:
            continue
        seen.add(handler.id)
        types, alias = _caught(handler)
        raised_text = _text(raised)
        if alias and (raised_text == alias or raised_text.startswith(f"{alias}.with_traceback")):
            continue  # re-raises the caught exception itself
        if _only_control_flow(types) or scan.reports_within(handler):
            continue
        function = _enclosing_function(handler)
        name = _text(function.child_by_field_name("name")) if function is not None else ""
        if re.match(r"^__\w+__$", name) and name not in NOT_PROTOCOL:
            continue  # a protocol hook: KeyError -> AttributeError in __getattr__ is the protocol
        at = scan.insertion_point(_statements(body)[0], handler)
        if at is None or scan.silenced(
            "except_converted", (handler.start_point[0], at[0], raise_node.start_point[0]), handler
        ):
            continue
        new = raised_text.split("(", 1)[0]
        message = (
            f"`{_describe_types(types)}` raises {new} instead, without logging the original error"
        )
        found.append(scan.finding("except_converted", handler, at, message, function))
    return found


def _is_failure_check(condition, parameters: frozenset[str]) -> bool:
    """`not x`, `x is None`, `x == False`, `code != 0`, `n < 0`, `n == -1`, or an and/or of those,
    on something other than a bare parameter (checking an input is validation, not a failure)."""
    node = condition
    while node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    if node.type == "boolean_operator":
        return any(
            _is_failure_check(side, parameters)
            for side in (node.child_by_field_name("left"), node.child_by_field_name("right"))
            if side is not None
        )
    if node.type == "not_operator":
        subject = node.child_by_field_name("argument")
        return subject is not None and not (
            subject.type == "identifier" and _text(subject) in parameters
        )
    if node.type == "comparison_operator":
        operands = node.named_children
        operators = [_text(c) for c in node.children if not c.is_named]
        if len(operands) != 2 or len(operators) != 1:
            return False
        subject, other = operands
        if subject.type == "identifier" and _text(subject) in parameters:
            return False
        operator, other_text = operators[0], _text(other)
        if operator in ("is", "==") and other_text in ("None", "False", "-1"):
            return True
        if operator == "!=" and other_text not in ("None",):
            return True
        return operator == "<" and other_text == "0"
    return False


def _error_return(scan: _FileScan) -> list[Finding]:
    found = []
    parameters_of: dict[int, frozenset[str]] = {}
    for match in scan.matches["error_return"]:
        guard, check, body, return_node = (
            match["guard"][0],
            match["check"][0],
            match["body"][0],
            match["return"][0],
        )
        statements = _statements(body)
        if statements[-1].id != return_node.id or scan.reports_within(body):
            continue
        function = _enclosing_function(guard)
        if function is None:
            continue
        name = _text(function.child_by_field_name("name"))
        if PREDICATE_NAME.search(name):
            continue
        value = _text(return_node.named_children[0]) if return_node.named_children else None
        if value is None:
            if not scan.returns_values(function):
                continue
        elif value not in FAILURE_VALUES:
            continue
        if function.id not in parameters_of:
            parameters = captures("parameters", function.child_by_field_name("parameters")).get(
                "parameter", []
            )
            parameters_of[function.id] = frozenset(_text(p) for p in parameters)
        if not _is_failure_check(check, parameters_of[function.id]):
            continue
        at = scan.insertion_point(statements[0], guard)
        if at is None or scan.silenced(
            "error_return", (guard.start_point[0], at[0], return_node.start_point[0]), guard
        ):
            continue
        gives = f"return {value}" if value is not None else "return"
        condition = " ".join(_text(check).split())
        if len(condition) > 60:
            condition = condition[:57] + "..."
        message = f"`{name}` gives up with `{gives}` when `{condition}` and does not log why"
        found.append(scan.finding("error_return", guard, at, message, function))
    return found


def _retry_loop(scan: _FileScan) -> list[Finding]:
    found, seen = [], set()
    loop_matches, sleep_starts = [], []
    for match in scan.matches["retry_loop"]:
        if "sleep" in match:
            sleep_starts.append(match["sleep"][0].start_byte)
        else:
            loop_matches.append(match)
    sleep_starts.sort()
    for match in loop_matches:
        loop, handler, body = match["loop"][0], match["handler"][0], match["body"][0]
        if handler.id in seen:
            continue
        seen.add(handler.id)
        statements = _statements(body)
        if (
            not statements
            or statements[-1].type == "raise_statement"
            or scan.reports_within(handler)
        ):
            continue
        types, _ = _caught(handler)
        if _only_control_flow(types):
            continue
        at_sleep = bisect.bisect_left(sleep_starts, loop.start_byte)
        sleeps = at_sleep < len(sleep_starts) and sleep_starts[at_sleep] < loop.end_byte
        if loop.type == "for_statement":
            header = " ".join(
                _text(n)
                for n in (loop.child_by_field_name("left"), loop.child_by_field_name("right"))
                if n is not None
            )
        else:
            header = _text(loop.child_by_field_name("condition"))
        continues = loop.type == "while_statement" and _contains(body, ("continue_statement",))
        if not (sleeps or RETRY_WORDS.search(header) or continues):
            continue
        at = scan.insertion_point(statements[0], handler)
        if at is None or scan.silenced(
            "retry_loop", (loop.start_point[0], handler.start_point[0], at[0]), handler
        ):
            continue
        message = (
            f"the loop retries after `{_describe_types(types)}` without logging the failed attempt"
        )
        found.append(scan.finding("retry_loop", handler, at, message, _enclosing_function(handler)))
    return found


IO_KINDS = {
    "io.file": "file I/O",
    "io.process": "a subprocess",
    "io.network": "a network call",
    "io.database": "a database call",
}


def _io_call(scan: _FileScan) -> list[Finding]:
    calls: list[tuple[int, str, tree_sitter.Node]] = []
    for found in scan.matches["io_call"]:
        for capture, nodes in found.items():
            if capture in IO_KINDS:
                calls.extend((node.start_byte, capture, node) for node in nodes)
    calls.sort(key=lambda item: item[0])
    first_call: dict[int, tuple] = {}
    for _, capture, call in calls:
        function = _enclosing_function(call)
        if function is not None and function.id not in first_call:
            first_call[function.id] = (function, capture, call)
    findings: list[Finding] = []
    for function, capture, call in first_call.values():
        name = _text(function.child_by_field_name("name"))
        if name.startswith("test") or scan.reports_within(function):
            continue
        statement = call
        while statement.parent is not None and statement.parent.type != "block":
            statement = statement.parent
        block = statement.parent
        if block is None or block.start_byte < function.start_byte:
            continue
        at = scan.insertion_point(statement, block.parent)
        if at is None or scan.silenced(
            "io_call", (statement.start_point[0], call.start_point[0], at[0]), statement
        ):
            continue
        callee = _text(call.child_by_field_name("function"))
        message = f"`{name}` performs {IO_KINDS[capture]} (`{callee}`) and logs nothing"
        findings.append(scan.finding("io_call", statement, at, message, function))
    return findings


CHECKS = {
    "retry_loop": _retry_loop,
    "except_converted": _except_converted,
    "except_swallowed": _except_swallowed,
    "error_return": _error_return,
    "io_call": _io_call,
}


def unknown_rules(rules) -> list[str]:
    """The names in `rules` that are not rules, for a clear error message."""
    return [name for name in rules if name not in RULES]


def find_sites(source_or_document: str | ParsedDocument, rules=None) -> list[Finding]:
    """Places in a file that should log and do not, in line order; one finding per insertion line.

    `rules`: rule ids to run (default: all of `RULES`). Raises ValueError on an unknown rule id.
    """
    document = (
        source_or_document
        if isinstance(source_or_document, ParsedDocument)
        else ParsedDocument(source_or_document)
    )
    selected = list(RULES) if not rules else list(dict.fromkeys(rules))
    wrong = unknown_rules(selected)
    if wrong:
        raise ValueError(f"unknown rule(s): {', '.join(wrong)}; rules are {', '.join(RULES)}")
    scan = _FileScan(document)
    by_line: dict[int, Finding] = {}
    for rule_id in sorted(selected, key=PRIORITY.__getitem__):
        for finding in CHECKS[rule_id](scan):
            by_line.setdefault(finding.line, finding)
    return sorted(by_line.values(), key=lambda f: f.line)


def syntax_error_line(document: ParsedDocument) -> int | None:
    """0-based line of the first syntax error in the document, or None when it parses."""
    node = document.tree.root_node
    if not node.has_error:
        return None
    while True:
        for child in node.children:
            if child.is_error or child.is_missing:
                return child.start_point[0]
            if child.has_error:
                node = child
                break
        else:
            return node.start_point[0]
