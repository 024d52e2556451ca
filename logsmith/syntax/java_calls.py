"""The log statements of a Java file: SLF4J, Log4j (1 and 2), commons-logging, Logback through
SLF4J, java.util.logging, System.Logger, Flogger and Android's (or Cordova's) `Log`, and a
project's own logging class (`custom`), each read as a `LoggedCall` with its level normalised to
`LEVELS`.

Query: `grammars/java/logging.scm` (the candidate calls, logger definitions, imports).
"""

from __future__ import annotations

import re
from collections import Counter

import tree_sitter

from logsmith.idioms.contract import LoggedCall
from logsmith.syntax.document import ParsedDocument, per_text
from logsmith.syntax.java_scopes import (
    BLOCKS,
    TYPES,
    catch_facts,
    enclosing_method,
    imports_of,
    place_of,
    type_name,
)
from logsmith.syntax.languages import captures
from logsmith.syntax.tree_text import enclosing, text

LEVEL_METHODS = {
    "trace": "trace",
    "debug": "debug",
    "info": "info",
    "warn": "warning",
    "error": "error",
    "fatal": "critical",
}
"""SLF4J, Log4j, commons-logging (and java.util.logging's `info`)."""
JUL_METHODS = {
    "severe": "error",
    "warning": "warning",
    "info": "info",
    "config": "info",
    "fine": "debug",
    "finer": "debug",
    "finest": "trace",
}
ANDROID_METHODS = {
    "v": "trace",
    "d": "debug",
    "i": "info",
    "w": "warning",
    "e": "error",
    "wtf": "critical",
}
LEVEL_CONSTANTS = {
    "SEVERE": "error",
    "WARNING": "warning",
    "WARN": "warning",
    "INFO": "info",
    "CONFIG": "info",
    "FINE": "debug",
    "FINER": "debug",
    "DEBUG": "debug",
    "FINEST": "trace",
    "TRACE": "trace",
    "ERROR": "error",
    "FATAL": "critical",
}
"""`Level.X` of java.util.logging, System.Logger and Log4j 2."""
LIBRARY_OF_PACKAGE = (
    ("org.slf4j.", "slf4j"),
    ("org.apache.logging.log4j.", "log4j2"),
    ("org.apache.log4j.", "log4j"),
    ("org.apache.commons.logging.", "commons-logging"),
    ("java.util.logging.", "jul"),
    ("java.lang.System.Logger", "system-logger"),
    ("android.util.Log", "android"),
    ("org.apache.cordova.LOG", "android"),
    ("org.jboss.logging.", "jboss"),
    ("com.google.common.flogger.", "flogger"),
    ("ch.qos.logback.", "slf4j"),
    ("lombok.extern.slf4j.", "slf4j"),
    ("lombok.extern.log4j.Log4j2", "log4j2"),
    ("lombok.extern.java.Log", "jul"),
    ("lombok.extern.apachecommons.", "commons-logging"),
)
LOGGER_NAME = re.compile(r"^(?i:[sm]?_?(?:\w*_)?(?:log|logger|logging))$|^\w*(?:Log|Logger)$")
THROWABLE_NAME = re.compile(
    r"^(e|ex|exc|exception|t|th|thr|throwable|tr|err|error|cause|ioe|npe|re|se|e\d)$"
    r"|(Exception|Error|Throwable)$"
)
PLACEHOLDER = re.compile(r"\{\d*\}|%(?:\d+\$)?[-#+ 0,(]*\d*(?:\.\d+)?[a-zA-Z%]")
FACTORY_LIBRARY = {
    "LoggerFactory": "slf4j",
    "LogManager": "log4j2",
    "LogFactory": "commons-logging",
    "Logger": "jul",
    "System": "system-logger",
}


def library_of_imports(paths: list[str]) -> list[str]:
    """The logging libraries a file imports, in the order of its imports."""
    found = []
    for path in paths:
        for prefix, library in LIBRARY_OF_PACKAGE:
            if (path + ".").startswith(prefix) or path.startswith(prefix):
                if library not in found:
                    found.append(library)
                break
    return found


ESCAPES = {"n": " ", "t": " ", "r": " ", "b": "", "f": "", "s": " "}


def _unescaped(sequence: str) -> str:
    """The character an escape sequence stands for (a line break or tab reads as a space)."""
    body = sequence[1:]
    if body in ESCAPES:
        return ESCAPES[body]
    if body.startswith("u") and len(body) >= 5:
        try:
            return chr(int(body[-4:], 16))
        except ValueError:
            return ""
    return body if len(body) == 1 and not body.isdigit() else ""


def _literal(node: tree_sitter.Node) -> str | None:
    """The text of a string literal (escapes read), else None."""
    if node.type != "string_literal":
        return None
    return "".join(
        text(c) if c.type == "string_fragment" else _unescaped(text(c))
        for c in node.named_children
        if c.type in ("string_fragment", "escape_sequence", "multiline_string_fragment")
    )


def _concatenation(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The operands of a `+` chain, left to right."""
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is not None and right is not None:
            return _concatenation(left) + _concatenation(right)
    if node.type == "parenthesized_expression" and node.named_children:
        inner = node.named_children[0]
        if inner.type == "binary_expression":
            return _concatenation(inner)
    return [node]


def message_and_values(node: tree_sitter.Node) -> tuple[str | None, list[str]]:
    """(the literal words of a message expression with placeholders removed, the expressions it
    interpolates): `"Failed " + host` -> ("Failed", ["host"]); `String.format("x %s", a)` -> ("x",
    ["a"]); a variable -> (None, [variable])."""
    if node.type == "method_invocation" and text(node.child_by_field_name("name")) == "format":
        arguments = node.child_by_field_name("arguments")
        parts = [
            a
            for a in (arguments.named_children if arguments is not None else [])
            if a.type not in ("line_comment", "block_comment")
        ]
        if parts and parts[0].type == "string_literal":
            message, format_values = message_and_values(parts[0])
            return message, format_values + [text(p) for p in parts[1:]]
    operands = _concatenation(node)
    words: list[str] = []
    values: list[str] = []
    for operand in operands:
        literal = _literal(operand)
        if literal is not None:
            words.append(literal)
        elif operand.type == "character_literal":
            words.append(text(operand).strip("'"))
        else:
            values.append(text(operand))
    if not words:
        return None, values
    message = PLACEHOLDER.sub(" ", " ".join(words))
    message = " ".join(message.split())
    return message, values


def _is_logger_receiver(receiver: tree_sitter.Node, loggers: frozenset[str]) -> bool:
    written = text(receiver)
    if receiver.type == "method_invocation":
        name = text(receiver.child_by_field_name("name"))
        return name in ("getLogger", "getLog", "logger", "log", "getGlobal")
    last = written.rsplit(".", 1)[-1]
    return last in loggers or bool(LOGGER_NAME.search(last))


def _is_throwable(node: tree_sitter.Node, caught: set[str]) -> bool:
    written = text(node)
    if node.type == "identifier":
        return written in caught or bool(THROWABLE_NAME.search(written))
    if node.type == "object_creation_expression":
        return bool(THROWABLE_NAME.search(text(node.child_by_field_name("type"))))
    if node.type == "method_invocation":
        return text(node.child_by_field_name("name")) in ("getCause", "getTargetException")
    return False


def _caught_names(node: tree_sitter.Node) -> set[str]:
    names = set()
    clause = enclosing(node, ("catch_clause",))
    while clause is not None:
        name = catch_facts(clause)[0]
        if name:
            names.add(name)
        clause = enclosing(clause, ("catch_clause",))
    return names


class FileLogging:
    """What the file says about its logging: loggers it declares, libraries it imports."""

    def __init__(self, root: tree_sitter.Node):
        found = captures("logging", root, "java")
        self.loggers: dict[str, str] = {}
        """Logger variable -> the factory's owner (`LoggerFactory`, `Logger`, `LogManager`)."""
        for definition in found.get("definition", []):
            name = text(definition.child_by_field_name("name"))
            value = definition.child_by_field_name("value")
            owner = text(value.child_by_field_name("object")) if value is not None else ""
            self.loggers[name] = owner.rsplit(".", 1)[-1]
        self.lombok = bool(found.get("lombok.name"))
        if self.lombok:
            self.loggers.setdefault("log", "lombok")
        self.imported = library_of_imports([path for path, _, _ in imports_of(root)])
        self.calls = found.get("call", [])

    def library(self, receiver: str, method: str, level_argument: str | None) -> str:
        """The library a call on `receiver` belongs to: by the method (Android's or
        java.util.logging's own), the logger's factory, the file's imports; else `custom`."""
        if method in ANDROID_METHODS:
            return "android"
        if level_argument is not None and level_argument.startswith("System.Logger"):
            return "system-logger"
        owner = self.loggers.get(receiver.rsplit(".", 1)[-1])
        if method in ("severe", "warning", "config", "fine", "finer", "finest", "logp"):
            if owner == "System":
                return "system-logger"
            if owner == "Logger" or "jul" in self.imported or method == "logp":
                return "jul"
            return "custom"  # a class of the project's with java.util.logging's method names
        choices = [lib for lib in self.imported if lib != "android"]
        if owner in FACTORY_LIBRARY and owner != "Logger":
            wanted = FACTORY_LIBRARY[owner]
            if owner == "LogManager" and "log4j" in choices and "log4j2" not in choices:
                return "log4j"
            return wanted
        if owner == "Logger":
            for library in ("jul", "log4j", "jboss"):
                if library in choices:
                    return library
            return "jul"
        if choices:
            return choices[0]
        if method == "log":
            return "jul"
        return "custom"  # the project's own logging class, or one inherited: no import says


def _statement_of(call: tree_sitter.Node) -> tree_sitter.Node:
    node = call
    while node.parent is not None and node.parent.type not in (*BLOCKS, "class_body"):
        if node.type == "expression_statement":
            return node
        node = node.parent
    return node


FLUENT_LEVELS = {
    "atTrace": "trace",
    "atFinest": "trace",
    "atDebug": "debug",
    "atFine": "debug",
    "atFiner": "debug",
    "atInfo": "info",
    "atConfig": "info",
    "atWarn": "warning",
    "atWarning": "warning",
    "atError": "error",
    "atSevere": "error",
    "atFatal": "critical",
}
"""The fluent APIs' level steps: Flogger's `logger.atWarning()`, SLF4J 2's and Log4j 2's
`LOG.atInfo()`."""


def _fluent(receiver: tree_sitter.Node):
    """(the logger node, the level, the cause node or None, values added) of a fluent chain
    `logger.atWarning().withCause(e).log(...)`, else None."""
    cause: tree_sitter.Node | None = None
    added: list[str] = []
    node: tree_sitter.Node | None = receiver
    while node is not None and node.type == "method_invocation":
        name = text(node.child_by_field_name("name"))
        arguments = node.child_by_field_name("arguments")
        passed = arguments.named_children if arguments is not None else []
        if name in FLUENT_LEVELS:
            logger = node.child_by_field_name("object")
            return (logger, FLUENT_LEVELS[name], cause, added) if logger is not None else None
        if name in ("withCause", "setCause") and passed:
            cause = passed[0]
        elif name in ("addArgument", "addKeyValue") and passed:
            added.insert(0, text(passed[-1]))
        node = node.child_by_field_name("object")
    return None


def _read_fluent(call, fluent, arguments, facts: FileLogging) -> LoggedCall | None:
    logger_node, level, cause, added = fluent
    if not _is_logger_receiver(logger_node, frozenset(facts.loggers)):
        return None
    logger = text(logger_node)
    library = "flogger" if "flogger" in facts.imported else facts.library(logger, "info", None)
    message, values = message_and_values(arguments[0]) if arguments else (None, [])
    values += [text(a) for a in arguments[1:]] + added
    error = text(cause) if cause is not None else None
    if error is not None:
        values.append(error)
    return _logged(call, library, logger, level, message, values, error)


def read_call(call: tree_sitter.Node, facts: FileLogging) -> LoggedCall | None:
    """The log statement of a method invocation, or None when it does not log."""
    receiver = call.child_by_field_name("object")
    method = text(call.child_by_field_name("name"))
    arguments_node = call.child_by_field_name("arguments")
    if receiver is None or arguments_node is None:
        return None
    arguments = [
        a for a in arguments_node.named_children if a.type not in ("line_comment", "block_comment")
    ]
    fluent = _fluent(receiver) if method == "log" else None
    if fluent is not None:
        return _read_fluent(call, fluent, arguments, facts)
    if not arguments or not _is_logger_receiver(receiver, frozenset(facts.loggers)):
        return None
    logger = text(receiver)
    caught = _caught_names(call)
    level_argument = None
    if method in ("log", "logp"):
        first = text(arguments[0])
        if not re.match(r"^([\w.]*\.)?Level\.\w+$|^[A-Z]+$", first) and method == "log":
            return None
        level_argument = first
    library = facts.library(logger, method, level_argument)
    level: str | None  # None for a level constant the reader does not know
    if method in ANDROID_METHODS:
        if len(arguments) < 2:
            return None
        level = ANDROID_METHODS[method]
        rest = arguments[1:]
    elif method in ("log", "logp") and level_argument is not None:
        level = LEVEL_CONSTANTS.get(level_argument.rsplit(".", 1)[-1])
        rest = arguments[3:] if method == "logp" else arguments[1:]
    elif library in ("jul", "system-logger") and method in JUL_METHODS:
        level = JUL_METHODS[method]
        rest = arguments
    elif method in LEVEL_METHODS:
        level = LEVEL_METHODS[method]
        rest = arguments
    elif method in JUL_METHODS:
        level = JUL_METHODS[method]
        rest = arguments
    else:
        return None
    if not rest:
        return None
    message, values = message_and_values(rest[0])
    others = rest[1:]
    error = None
    literal = _literal(rest[0])
    braces = literal.count("{}") if literal is not None else None
    if others and (
        _is_throwable(others[-1], caught)
        or (library in ("slf4j", "log4j2") and braces is not None and braces < len(others))
    ):
        error = text(others[-1])
    elif not others and library in ("commons-logging", "log4j") and _is_throwable(rest[0], caught):
        error = text(rest[0])
    values += [text(a) for a in others]
    return _logged(call, library, logger, level, message, values, error)


def _logged(call, library, logger, level, message, values, error) -> LoggedCall:
    statement = _statement_of(call)
    method_node = enclosing_method(call)
    kind = "other"
    if statement.parent is not None and statement.parent.type in BLOCKS:
        kind = place_of(statement, method_node).kind
    return LoggedCall(
        start_line=statement.start_point[0],
        end_line=statement.end_point[0],
        text=text(statement),
        library=library,
        logger=logger,
        level=level,
        message=message,
        values=tuple(values),
        error=error,
        function=text(method_node.child_by_field_name("name")) if method_node is not None else None,
        site_kind=kind,
        owner=type_name(enclosing(method_node, TYPES)) if method_node is not None else None,
    )


@per_text
def file_logging(document: ParsedDocument) -> FileLogging:
    """The document's `FileLogging`, read once per text version."""
    return FileLogging(document.tree.root_node)


def logged_calls(document: ParsedDocument) -> tuple[LoggedCall, ...]:
    """Every log statement of the file, in document order."""
    try:
        facts = file_logging(document)
    except (ValueError, RecursionError):
        return ()
    found = []
    for call in facts.calls:
        try:
            logged = read_call(call, facts)
        except RecursionError:
            continue
        if logged is not None:
            found.append(logged)
    found.sort(key=lambda c: (c.start_line, c.text))
    return tuple(found)


def tags(document: ParsedDocument, fields: frozenset[str] = frozenset()) -> list[str]:
    """The Android tags a new statement can pass: the tag constants the file declares, then what
    its calls pass that reads the same anywhere in the file (a string literal, a field of
    `fields`, `Other.TAG`), most used first; never a method's parameter."""
    found = captures("logging", document.tree.root_node, "java")
    declared = [text(n) for n in found.get("tag.name", [])]
    used: Counter[str] = Counter()
    for call in found.get("call", []):
        if text(call.child_by_field_name("name")) in ANDROID_METHODS:
            arguments = call.child_by_field_name("arguments")
            if arguments is not None and arguments.named_children:
                first = arguments.named_children[0]
                written = text(first)
                if (
                    first.type == "string_literal"
                    or first.type == "field_access"
                    or (first.type == "identifier" and written in fields)
                ):
                    used[written] += 1
    return list(dict.fromkeys(declared + [name for name, _ in used.most_common()]))


def logger_receivers(facts: FileLogging) -> list[tree_sitter.Node]:
    """The receivers of the file's calls that look like loggers (`LOG`, `this.log`, `Log`), without
    reading each call as `read_call` does."""
    loggers = frozenset(facts.loggers)
    found = []
    for call in facts.calls:
        receiver = call.child_by_field_name("object")
        if receiver is not None and _is_logger_receiver(receiver, loggers):
            found.append(receiver)
    return found


def log_argument_ranges(node: tree_sitter.Node) -> list[tuple[int, int]]:
    """Byte ranges of the argument lists of the log calls inside `node` (a method)."""
    ranges = []
    for call in captures("logging", node, "java").get("call", []):
        receiver = call.child_by_field_name("object")
        arguments = call.child_by_field_name("arguments")
        if (
            receiver is not None
            and arguments is not None
            and _is_logger_receiver(receiver, frozenset())
        ):
            ranges.append((arguments.start_byte, arguments.end_byte))
    return ranges
