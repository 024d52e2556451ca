"""The log statements of a JavaScript or TypeScript file, as its developers wrote them: console,
winston, pino, loglevel-style loggers (`logger.warn("msg", e)`), debug instances and Node-RED's
`RED.log`. Levels are normalised to `logsmith.idioms.contract.LEVELS`.

Which library a logger belongs to comes from the file's imports and requires when they say
(`import winston from "winston"`, `const logger = pino()`), else from the call's shape: an object
before the message is pino's, an object after it winston's, anything else loglevel-style.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import tree_sitter

from logsmith.idioms.contract import LoggedCall
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.javascript_tree import (
    DECLARATIONS,
    callback_handler,
    class_name,
    import_names,
    named_function,
    placement,
    statement_of,
)
from logsmith.syntax.languages import matches
from logsmith.syntax.tree_text import text

CONSOLE_METHODS = frozenset({"log", "info", "warn", "error", "debug", "trace"})
LEVEL_OF_METHOD = {
    "log": "info",
    "info": "info",
    "warn": "warning",
    "warning": "warning",
    "error": "error",
    "debug": "debug",
    "trace": "trace",
    "fatal": "critical",
    "critical": "critical",
    "silly": "trace",
    "verbose": "debug",
    "http": "debug",
}
LOGGER_NAME = re.compile(
    r"^(?:log|logger|_log|_logger|LOG|LOGGER|Log|Logger|logging|winston|pino|loglevel)$"
    r"|[a-z0-9_](?:Logger|Log)$|_(?:log|logger)$"
)
"""A name that is a logger: `logger`, `log`, `this.logger`, `prefixedLogger`, `audit_log`."""
LOGGER_FACTORIES = frozenset({"child", "getChild", "getLogger", "withPrefix", "scope"})
"""Methods of a logger that give another logger: `log.child({ id }).info(...)`."""
LIBRARY_MODULES = {"winston": "winston", "pino": "pino", "loglevel": "loglevel", "debug": "debug"}
WINSTON_LEVELS = frozenset({"error", "warn", "info", "http", "verbose", "debug", "silly"})
PLACEHOLDER = re.compile(r"%[sdifjoOc]")
ERROR_NAME = re.compile(r"^(?:e|err|error|ex|exc|exception|\w*Error|\w*Err)$")
TEXTUAL = frozenset({"string", "template_string"})
UNESCAPED = frozenset({"'", '"', "`", "\\", "$"})
"""Escaped characters a message means literally; other escapes (`\\n`) read as a space."""


@dataclass(frozen=True)
class JavaScriptLoggedCall(LoggedCall):
    """A log statement, with the statement that brings its logger into the file."""

    importing: str | None = None
    """One line that imports or requires the logger in this file (`import { logger } from
    "../logger";`, `const debug = require("debug")("app");`); None when the file makes the
    logger itself or it is a global (`console`)."""


def imports_by_name(root: tree_sitter.Node) -> dict[str, str]:
    """Top-level name -> one line that imports or requires just that name, as the file does."""
    found: dict[str, str] = {}
    for statement in root.named_children:
        if statement.type == "import_statement":
            found.update(_import_lines(statement))
        if statement.type not in DECLARATIONS:
            continue
        keyword = statement.children[0].type if statement.children else "const"
        for declarator in statement.named_children:
            name = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if name is None or value is None or name.type != "identifier":
                continue
            written = text(value)
            if _module_of_value(value) is not None and "\n" not in written:
                found[text(name)] = f"{keyword} {text(name)} = {written};"
    return found


def _import_lines(statement: tree_sitter.Node) -> dict[str, str]:
    source = statement.child_by_field_name("source")
    if source is None or any(child.type == "type" for child in statement.children):
        return {}
    where, lines = text(source), {}
    for clause in statement.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                lines[text(part)] = f"import {text(part)} from {where};"
            elif part.type == "namespace_import":
                for namespace in part.named_children:
                    lines[text(namespace)] = f"import * as {text(namespace)} from {where};"
            elif part.type == "named_imports":
                for specifier in part.named_children:
                    if specifier.type != "import_specifier":
                        continue
                    name = text(specifier.child_by_field_name("name"))
                    alias = specifier.child_by_field_name("alias")
                    bound = text(alias) if alias is not None else name
                    written = f"{name} as {bound}" if alias is not None else name
                    lines[bound] = f"import {{ {written} }} from {where};"
    return lines


def _module_of_value(value: tree_sitter.Node | None) -> str | None:
    """`require("winston")` -> winston; `require("debug")("app")` -> debug."""
    while value is not None and value.type in ("call_expression", "await_expression"):
        function = value.child_by_field_name("function")
        if function is not None and text(function) == "require":
            arguments = value.child_by_field_name("arguments")
            first = arguments.named_children[0] if arguments and arguments.named_children else None
            return _string_value(first) if first is not None else None
        if function is not None:
            value = function
        else:
            value = value.named_children[0] if value.named_children else None
    return None


def _string_value(node: tree_sitter.Node) -> str | None:
    if node.type != "string":
        return None
    return text(node)[1:-1]


def _library_of_module(specifier: str | None) -> str | None:
    if specifier is None:
        return None
    return LIBRARY_MODULES.get(specifier.split("/", 1)[0])


def _root_name(node: tree_sitter.Node | None) -> str | None:
    """`logger` of `logger.child({}).info`, `winston` of `winston.createLogger(...)`."""
    while node is not None:
        if node.type == "identifier":
            return text(node)
        if node.type == "this":
            return "this"
        if node.type == "member_expression":
            node = node.child_by_field_name("object")
        elif node.type in ("call_expression", "await_expression", "parenthesized_expression"):
            function = node.child_by_field_name("function")
            if function is not None:
                node = function
            else:
                node = node.named_children[0] if node.named_children else None
        else:
            return None
    return None


def known_loggers(root: tree_sitter.Node) -> tuple[dict[str, str], frozenset[str]]:
    """(top-level name -> library it belongs to, the names of debug instances)."""
    libraries: dict[str, str] = {}
    debug_names: set[str] = set()
    for statement in root.named_children:
        if statement.type == "export_statement":
            statement = statement.child_by_field_name("declaration") or statement
        if statement.type == "import_statement":
            source = statement.child_by_field_name("source")
            library = _library_of_module(_string_value(source) if source is not None else None)
            if library is not None:
                for name in import_names(statement):
                    libraries[name] = library
        if statement.type not in DECLARATIONS:
            continue
        for declarator in statement.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = text(declarator.child_by_field_name("name"))
            value = declarator.child_by_field_name("value")
            if value is None:
                continue
            module = _library_of_module(_module_of_value(value))
            if module == "debug" and value.type == "call_expression":
                function = value.child_by_field_name("function")
                if function is not None and function.type == "call_expression":
                    debug_names.add(name)  # require("debug")("app:x")
                    continue
            root_name = _root_name(value)
            if root_name in debug_names or (
                root_name is not None and libraries.get(root_name) == "debug"
            ):
                if value.type == "call_expression":
                    debug_names.add(name)  # createDebug("app:x"), debug.extend("x")
                    continue
            library = module or libraries.get(root_name or "")
            if library is not None:
                libraries[name] = library
    return libraries, frozenset(debug_names)


def is_logger(receiver: tree_sitter.Node) -> bool:
    """A receiver that is a logger: `logger`, `this.log`, `this.#log`, `log.child({...})`,
    `RED.log`."""
    if receiver.type == "identifier":
        return bool(LOGGER_NAME.search(text(receiver)))
    if receiver.type == "member_expression":
        prop = text(receiver.child_by_field_name("property"))
        return bool(LOGGER_NAME.search(prop.removeprefix("#")))  # `this.#logger`: a private field
    if receiver.type == "call_expression":
        function = receiver.child_by_field_name("function")
        if function is not None and function.type == "member_expression":
            method = text(function.child_by_field_name("property"))
            inner = function.child_by_field_name("object")
            return method in LOGGER_FACTORIES and inner is not None and is_logger(inner)
        return function is not None and text(function) in ("getLogger", "pino")
    return False


def _arguments(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [child for child in node.named_children if child.type != "comment"]


def _textual(node: tree_sitter.Node) -> bool:
    if node.type in TEXTUAL:
        return True
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        return any(_textual(side) for side in node.named_children)
    return False


def _message_parts(node: tree_sitter.Node) -> tuple[list[str], list[str]]:
    """(the literal pieces of a message, the expressions spliced in)."""
    if node.type in TEXTUAL:
        pieces, values = [], []
        for child in node.named_children:
            if child.type == "template_substitution":
                values += [text(inner) for inner in child.named_children]
                pieces.append(" ")
            elif child.type == "escape_sequence":
                written = text(child)
                pieces.append(written[1:] if written[1:] in UNESCAPED else " ")
            else:
                pieces.append(text(child))
        return pieces, values
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        pieces, values = [], []
        for side in (node.child_by_field_name("left"), node.child_by_field_name("right")):
            if side is not None and _textual(side):
                more_pieces, more_values = _message_parts(side)
                pieces += more_pieces
                values += more_values
            elif side is not None:
                pieces.append(" ")
                values.append(text(side))
        return pieces, values
    return [], [text(node)]


def _clean(message: str) -> str:
    return " ".join(PLACEHOLDER.sub(" ", message.replace("%%", "%")).split())


def _values_of(node: tree_sitter.Node) -> list[str]:
    """`{ err, id: user.id }` -> err, user.id; any other argument -> itself."""
    if node.type != "object":
        return [text(node)]
    values = []
    for member in node.named_children:
        if member.type == "pair":
            values.append(text(member.child_by_field_name("value")))
        elif member.type in ("shorthand_property_identifier", "spread_element"):
            values.append(text(member))
    return values


def _call_parts(
    arguments: list[tree_sitter.Node],
) -> tuple[str | None, list[str]]:
    """(message, values) of a log call's arguments: the first literal text is the message."""
    message: str | None = None
    values: list[str] = []
    for argument in arguments:
        if message is None and _textual(argument):
            pieces, spliced = _message_parts(argument)
            message = _clean("".join(pieces))
            values += spliced
        else:
            values += _values_of(argument)
    return message, values


def _shape(method: str, arguments: list[tree_sitter.Node]) -> str | None:
    """The library a call's shape says: an object then the message is pino's, the message then
    an object (or a level name first, `logger.log("warn", ...)`) winston's; else None."""
    first = arguments[0] if arguments else None
    if first is None:
        return None
    if first.type == "object" and len(arguments) > 1 and _textual(arguments[1]):
        return "pino"
    if method == "log" and _string_value(first) in WINSTON_LEVELS:
        return "winston"
    if _textual(first) and any(argument.type == "object" for argument in arguments[1:]):
        return "winston"
    return None


def _library_votes(candidates) -> dict[str, str]:
    """Per logger root, the library the file's calls on it agree on (most calls' shape)."""
    votes: dict[str, Counter] = {}
    for _, receiver, method, arguments in candidates:
        shape = _shape(method, arguments)
        if shape is not None:
            votes.setdefault(_root_key(receiver), Counter())[shape] += 1
    return {root: counter.most_common(1)[0][0] for root, counter in votes.items()}


def _root_key(receiver: tree_sitter.Node) -> str:
    """`this.logger` and `logger.child({...})` -> the logger they start from."""
    root = _root_name(receiver) or text(receiver)
    if root == "this" and receiver.type == "member_expression":
        return "this." + text(receiver.child_by_field_name("property"))
    return root


def _library(receiver, method, arguments, libraries, votes) -> str:
    root = _root_name(receiver)
    if root == "RED" or text(receiver) == "RED.log":
        return "node-red"
    known = libraries.get(root or "")
    if known is not None and known != "debug":
        return known
    return _shape(method, arguments) or votes.get(_root_key(receiver), "loglevel")


def _site_kind(statement: tree_sitter.Node, language: str) -> tuple[str, str | None]:
    """(kind of site of a log statement, the error its handler caught)."""
    parent = statement.parent
    if parent is not None and parent.type == "arrow_function":
        handler = callback_handler(parent, language)
        return ("except", handler.error) if handler is not None else ("other", None)
    place = placement(statement, language)
    return place.kind, place.handler.error if place.handler is not None else None


def logged_calls(document: ParsedDocument) -> tuple[LoggedCall, ...]:
    """Every log statement of the file, in document order."""
    root = document.tree.root_node
    language = document.language
    libraries, debug_names = known_loggers(root)
    imports = imports_by_name(root)
    found: list[tuple[int, LoggedCall]] = []
    candidates = []
    for match in matches("calls", root, language):
        call = match["call"][0]
        arguments = _arguments(match["call.arguments"][0])
        if "call.function" in match:
            name = text(match["call.function"][0])
            if name in debug_names:
                found.append(
                    (
                        call.start_byte,
                        _logged_call(call, "debug", name, None, arguments, language, imports),
                    )
                )
            continue
        receiver, method = match["call.receiver"][0], text(match["call.method"][0])
        if text(receiver) == "console":
            if method in CONSOLE_METHODS:
                level = LEVEL_OF_METHOD[method]
                found.append(
                    (
                        call.start_byte,
                        _logged_call(
                            call, "console", "console", level, arguments, language, imports
                        ),
                    )
                )
        elif method in LEVEL_OF_METHOD and is_logger(receiver):
            candidates.append((call, receiver, method, arguments))
    votes = _library_votes(candidates)
    for call, receiver, method, arguments in candidates:
        library = _library(receiver, method, arguments, libraries, votes)
        level = LEVEL_OF_METHOD[method]
        named_level = _string_value(arguments[0]) if method == "log" and arguments else None
        if named_level is not None and named_level in LEVEL_OF_METHOD:
            level = LEVEL_OF_METHOD[named_level]  # logger.log("warn", ...)
            arguments = arguments[1:]
        elif method == "log" and library != "winston":
            level = "debug"  # loglevel's log is its debug
        logged = _logged_call(call, library, text(receiver), level, arguments, language, imports)
        found.append((call.start_byte, logged))
    found.sort(key=lambda pair: pair[0])
    return tuple(logged for _, logged in found)


def _logged_call(call, library, logger, level, arguments, language, imports) -> LoggedCall:
    statement = statement_of(call)
    if statement.type not in ("expression_statement",) or statement.start_byte > call.start_byte:
        statement = call
    kind, caught = _site_kind(statement_of(call), language)
    message, values = _call_parts(arguments)
    error = caught if caught is not None and caught in values else None
    if error is None:
        error = next((value for value in values if ERROR_NAME.match(value)), None)
    root = logger.split(".", 1)[0].split("(", 1)[0]
    return JavaScriptLoggedCall(
        start_line=statement.start_point[0],
        end_line=statement.end_point[0],
        text=text(statement),
        library=library,
        logger=logger,
        level=level,
        message=message,
        values=tuple(values),
        error=error,
        function=named_function(call),
        site_kind=kind,
        owner=class_name(call),
        importing=imports.get(root),
    )
