"""JavaScript and TypeScript's logging libraries (the `LanguageIdioms` of
`logsmith.idioms.contract`): which logger a file uses, and how console, winston, pino,
loglevel-style loggers, debug and Node-RED's `RED.log` write a statement, in the file's quote
and semicolon habits.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass

from logsmith.idioms.contract import LoggedCall, LoggerChoice, StatementSpec
from logsmith.idioms.literals import escaped
from logsmith.suggestion import TextEdit
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.javascript import module_names_of
from logsmith.syntax.javascript_calls import (
    LEVEL_OF_METHOD,
    LOGGER_NAME,
    JavaScriptLoggedCall,
    known_loggers,
)
from logsmith.syntax.site import LogSite
from logsmith.syntax.tree_text import text as node_text

GLOBALS = frozenset(
    {
        "console",
        "JSON",
        "Math",
        "Object",
        "Array",
        "Promise",
        "Error",
        "TypeError",
        "RangeError",
        "SyntaxError",
        "String",
        "Number",
        "Boolean",
        "Symbol",
        "BigInt",
        "Date",
        "RegExp",
        "Map",
        "Set",
        "WeakMap",
        "WeakSet",
        "Reflect",
        "Proxy",
        "Intl",
        "Buffer",
        "process",
        "globalThis",
        "global",
        "require",
        "module",
        "exports",
        "__dirname",
        "__filename",
        "setTimeout",
        "clearTimeout",
        "setInterval",
        "clearInterval",
        "setImmediate",
        "queueMicrotask",
        "structuredClone",
        "fetch",
        "URL",
        "URLSearchParams",
        "TextEncoder",
        "TextDecoder",
        "AbortController",
        "encodeURIComponent",
        "decodeURIComponent",
        "parseInt",
        "parseFloat",
        "isNaN",
        "isFinite",
        "undefined",
        "NaN",
        "Infinity",
        "window",
        "document",
        "navigator",
        "location",
        "localStorage",
        "sessionStorage",
        "performance",
        "crypto",
        "this",
    }
)
"""Names every JavaScript file may read: the language's and Node's globals, the browser's."""
METHODS = {
    "console": {
        "trace": "debug",
        "debug": "debug",
        "info": "info",
        "warning": "warn",
        "error": "error",
        "critical": "error",
    },
    "winston": {
        "trace": "debug",
        "debug": "debug",
        "info": "info",
        "warning": "warn",
        "error": "error",
        "critical": "error",
    },
    "pino": {
        "trace": "trace",
        "debug": "debug",
        "info": "info",
        "warning": "warn",
        "error": "error",
        "critical": "fatal",
    },
    "loglevel": {
        "trace": "trace",
        "debug": "debug",
        "info": "info",
        "warning": "warn",
        "error": "error",
        "critical": "error",
    },
    "node-red": {
        "trace": "trace",
        "debug": "debug",
        "info": "info",
        "warning": "warn",
        "error": "error",
        "critical": "fatal",
    },
}
"""Library -> normalised level -> the method that logs at it."""
LIBRARY_MODULES = frozenset({"winston", "pino", "loglevel"})
"""Loggers that are their module's default export: a project habit of `winston.info(...)`
brings `import winston from "winston"` along."""
NO_LOGGER = "no logger in this file or project: console"
FACTORY_CALL = re.compile(r"\.(?:child|getChild|withPrefix|scope)\(.*\)$", re.DOTALL)
KEY_OF_GETTER = re.compile(r"^get([A-Z]\w*)\(\)$")


@dataclass(frozen=True)
class JavaScriptLoggerChoice(LoggerChoice):
    """A logger choice with the file's writing habits."""

    quote: str = '"'
    """The quote of the file's messages (`"` or `'`)."""
    semicolon: bool = True
    """Whether the file ends its statements with `;`."""
    template: bool = False
    """Whether the file's messages splice values in template literals (`${host}`)."""
    methods: tuple[tuple[str, str], ...] = ()
    """(normalised level, method) as this code calls its logger at that level (`proc-log` has
    `verbose` and `silly`, no `debug` or `trace`): these win over the library's usual methods."""


def _root(expression: str) -> str:
    return re.split(r"[.(\[?]", expression, maxsplit=1)[0]


def _usable(call: LoggedCall, site: LogSite, bound: frozenset[str]) -> str | None:
    """The expression a new statement at `site` calls to reach `call`'s logger, or None."""
    expression = FACTORY_CALL.sub("", call.logger)
    root = _root(expression)
    if root == "this":
        # another class's `this.logger` is not this one's: the site's class must be the call's
        # or set the attribute itself
        owner = site.function.class_name if site.function is not None else None
        attribute = ".".join(re.split(r"[.(\[]", expression)[:2])
        same = owner is not None and (call.owner == owner or attribute in site.self_attributes)
        return expression if same and "this" not in site.unbound_names else None
    if root in site.unbound_names:
        return None
    if root in site.names or root in site.module_names or root in bound:
        return expression
    return None


def _habits(document: ParsedDocument, calls: tuple[LoggedCall, ...]) -> dict:
    quotes: Counter[str] = Counter()
    endings: Counter[bool] = Counter()
    templates = 0
    for call in calls:
        opened = re.search(r"[\"'`]", call.text)
        if opened:
            quotes[opened.group(0)] += 1
            templates += opened.group(0) == "`" and "${" in call.text
        endings[document.line(call.end_line).rstrip().endswith(";")] += 1
    if not quotes:
        quotes.update({'"': document.text.count('"'), "'": document.text.count("'")})
    quote = "'" if quotes["'"] > quotes['"'] else '"'
    if endings:
        semicolon = endings[True] >= endings[False]
    else:
        semicolon = ";\n" in document.text or document.line_count < 5
    return {"quote": quote, "semicolon": semicolon, "template": templates * 2 > len(calls)}


def logger_for(
    document: ParsedDocument,
    site: LogSite,
    calls: tuple[LoggedCall, ...],
    project_calls: tuple[LoggedCall, ...] = (),
) -> LoggerChoice:
    """The logger of the file's statements nearest the site (another library before console),
    else a logger the file imports or declares, else the project's habit, else console with a
    note; with the methods the file and its folder call it by at each level."""
    choice = _chosen_logger(document, site, calls, project_calls)
    if choice.expression == "console" and "console" in site.names:
        # a local or parameter named `console` hides the global one here
        choice = dataclasses.replace(choice, expression="globalThis.console")
    methods = _methods_used(choice, (*calls, *project_calls))
    return dataclasses.replace(choice, methods=methods) if methods else choice


def _methods_used(
    choice: JavaScriptLoggerChoice, calls: tuple[LoggedCall, ...]
) -> tuple[tuple[str, str], ...]:
    """(level, method) of the statements calling `choice`'s logger by a method named for the level
    they log at, the most used per level."""
    seen: Counter[tuple[str, str]] = Counter()
    for call in calls:
        if call.level is None or FACTORY_CALL.sub("", call.logger) != choice.expression:
            continue
        called = re.match(re.escape(call.logger) + r"\s*\.\s*(\w+)\s*\(", call.text)
        # only a method named for its level: node-red's `Log.log({ level: Log.DEBUG, ... })` reads
        # as debug, but `Log.log("...")` would not log a string at debug
        if called and LEVEL_OF_METHOD.get(called.group(1)) == call.level:
            seen[call.level, called.group(1)] += 1
    chosen: dict[str, str] = {}
    for (level, method), _ in seen.most_common():
        chosen.setdefault(level, method)
    return tuple(sorted(chosen.items()))


def _chosen_logger(
    document: ParsedDocument,
    site: LogSite,
    calls: tuple[LoggedCall, ...],
    project_calls: tuple[LoggedCall, ...],
) -> JavaScriptLoggerChoice:
    habits = _habits(document, calls)
    bound = always_bound(document)
    function = site.function.name if site.function is not None else None
    ranked = sorted(
        calls,
        key=lambda call: (
            call.library == "console",
            call.function != function,
            abs(call.start_line - site.line),
        ),
    )
    for call in ranked:
        expression = _usable(call, site, bound)
        if expression is not None:
            return JavaScriptLoggerChoice(call.library, expression, True, **habits)
    declared = _module_logger(document, calls, site.unbound_names)
    if declared is not None:
        return JavaScriptLoggerChoice(*declared, True, **habits)
    from_folder = _folder_logger(document, project_calls, habits)
    if from_folder is not None:
        return from_folder
    unusable = next((call for call in ranked if call.library != "console"), None)
    if unusable is not None:
        expression = FACTORY_CALL.sub("", unusable.logger)
        note = f"the file's logger `{expression}` {_why_not(unusable, site)}: console"
        return JavaScriptLoggerChoice("console", "console", True, (), note, **habits)
    if any(call.library == "console" for call in project_calls):
        return JavaScriptLoggerChoice("console", "console", True, **habits)
    return JavaScriptLoggerChoice("console", "console", True, (), NO_LOGGER, **habits)


def _why_not(call: LoggedCall, site: LogSite) -> str:
    """Why the site cannot call `call`'s logger, in words for the suggestion's notes."""
    root = _root(FACTORY_CALL.sub("", call.logger))
    if root == "this" and "this" in site.unbound_names:
        return "cannot be reached here: `this` is not the instance"
    if root == "this":
        return "belongs to another class"
    if root in site.unbound_names:
        return "is not set yet where this statement runs"
    return "is not in scope here"


def _folder_logger(
    document: ParsedDocument, project_calls: tuple[LoggedCall, ...], habits: dict
) -> JavaScriptLoggerChoice | None:
    """The logger the files beside this one use (the engine passes their statements), with the
    import they use: a relative specifier (`"../logger"`) holds for every file of one folder.
    When it cannot be imported the same way: console, with a note; None when they use none."""
    others = [call for call in project_calls if call.library != "console"]
    if not others:
        return None
    taken = module_names_of(document)
    importable = Counter(
        (call.library, FACTORY_CALL.sub("", call.logger), call.importing)
        for call in others
        if isinstance(call, JavaScriptLoggedCall)
        and call.importing
        and _root(call.logger) not in ("this", *taken)
    ).most_common()
    for (library, expression, importing), _ in importable:
        edit = _setup_edit(document, importing)
        if edit is not None:
            note = f"imports the logger as the files beside this one do: {importing}"
            return JavaScriptLoggerChoice(library, expression, False, (edit,), note, **habits)
    (library, expression), _ = Counter(
        (call.library, FACTORY_CALL.sub("", call.logger)) for call in others
    ).most_common(1)[0]
    if expression in LIBRARY_MODULES and expression == library and expression not in taken:
        module = f'"{expression}"'
        line = f"import {expression} from {module};"
        edit = _setup_edit(document, line) or _setup_edit(
            document, f"const {expression} = require({module});"
        )
        if edit is not None:
            return JavaScriptLoggerChoice(library, expression, False, (edit,), None, **habits)
    note = (
        f"the project logs with `{expression}` ({library}), whose import cannot be worked out "
        "for this file: console"
    )
    return JavaScriptLoggerChoice("console", "console", True, (), note, **habits)


def _module_logger(
    document: ParsedDocument, calls: tuple[LoggedCall, ...], unbound: frozenset[str]
) -> tuple[str, str] | None:
    """(library, name) of a logger the file imports or declares at its top (`import { logger }
    from "./logger"`, `const debug = require("debug")("app")`), when no statement uses it yet
    and it is bound at the site."""
    libraries, debug_names = known_loggers(document.tree.root_node)
    debug_names = debug_names - unbound
    names = module_names_of(document) - unbound
    loggers = sorted(
        (name for name in names if LOGGER_NAME.search(name) and name not in debug_names),
        key=lambda name: (name not in ("logger", "log"), name),
    )
    if not loggers:
        return ("debug", sorted(debug_names)[0]) if debug_names else None
    name = loggers[0]
    used = Counter(call.library for call in calls if call.library not in ("console", "debug"))
    library = libraries.get(name) or (used.most_common(1)[0][0] if used else "loglevel")
    return library, name


def _setup_edit(document: ParsedDocument, line: str) -> TextEdit | None:
    """`line` (an import or a require) inserted after the file's last top-level import or
    require; None when its kind does not fit the file (an `import` in a CommonJS file that
    imports nothing, a `require` in a module that only imports)."""
    root = document.tree.root_node
    last = None
    imports = requires = False
    for statement in root.named_children:
        if statement.type == "import_statement":
            last, imports = statement, True
        elif statement.type in ("lexical_declaration", "variable_declaration") and (
            "require(" in node_text(statement)
        ):
            last, requires = statement, True
        elif statement.type == "hash_bang_line" or (
            statement.type == "expression_statement"
            and statement.named_children
            and statement.named_children[0].type == "string"
        ):
            last = statement if last is None else last  # #!/usr/bin/env node, "use strict"
        elif statement.type not in ("comment", "expression_statement"):
            break  # the header is over: comments, directives, imports and requires
    if line.startswith("import ") and requires and not imports:
        return None
    if not line.startswith("import ") and imports and not requires:
        return None
    at = last.end_point[0] + 1 if last is not None else 0
    return TextEdit(at, 0, at, 0, line + "\n")


def _escape(message: str, quote: str) -> str:
    written = escaped(message, quote).replace("\n", "\\n").replace("\r", "\\r")
    if quote == "`":
        written = written.replace("${", "\\${")
    return written


def _key(value: str) -> str:
    """The key a value goes under in a winston or pino object: `host`, `id` of `user.id`."""
    last = re.split(r"[.?]+", value)[-1]
    getter = KEY_OF_GETTER.match(last)
    if getter:
        last = getter.group(1)[0].lower() + getter.group(1)[1:]
    return last if re.fullmatch(r"[A-Za-z_$][\w$]*", last) else "value"


def _object(values: tuple[str, ...], error: str | None, error_first: bool) -> str:
    entries: list[tuple[str, str]] = [(_key(value), value) for value in values]
    if error is not None:
        entries.insert(0, ("err", error)) if error_first else entries.append(("err", error))
    used: Counter[str] = Counter()
    written = []
    for key, value in entries:
        used[key] += 1
        if used[key] > 1:
            key = f"{key}{used[key]}"
        written.append(value if key == value else f"{key}: {value}")
    return "{ " + ", ".join(written) + " }"


def _pieces(spec: StatementSpec) -> tuple[str, str, str, str]:
    """(text before the message's opening quote, the quote, the message as written, text after
    its closing quote)."""
    choice = spec.logger
    quote = getattr(choice, "quote", '"')
    end = ";" if getattr(choice, "semicolon", True) else ""
    library, logger = choice.library, choice.expression
    values, error, message = spec.values, spec.error, spec.message
    if library == "debug":
        words = message[:1].lower() + message[1:] if message[1:2].islower() else message
        marks = " %o" * len(values) + (" %O" if error else "")
        args = "".join(f", {value}" for value in (*values, *([error] if error else [])))
        return f"{logger}(", quote, _escape(words, quote) + marks, f"{quote}{args}){end}"
    method = dict(getattr(choice, "methods", ())).get(spec.level) or METHODS.get(
        library, METHODS["console"]
    ).get(spec.level, "info")
    call = f"{logger}.{method}("
    if library == "winston":
        extra = f", {_object(values, error, False)}" if values or error else ""
        return call, quote, _escape(message, quote), f"{quote}{extra}){end}"
    if library == "pino":
        if not values and not error:
            return call, quote, _escape(message, quote), f"{quote}){end}"
        return (
            f"{call}{_object(values, error, True)}, ",
            quote,
            _escape(message, quote),
            (f"{quote}){end}"),
        )
    if library == "console":
        args = "".join(f", {value}" for value in (*values, *([error] if error else [])))
        return call, quote, _escape(message, quote), f"{quote}{args}){end}"
    spliced = (*values, *([error] if error and library == "node-red" else []))
    passed = f", {error}" if error and library != "node-red" else ""
    if getattr(choice, "template", False) and spliced:
        substitutions = "".join(f" ${{{value}}}" for value in spliced)
        return call, "`", _escape(message, "`") + substitutions, f"`{passed}){end}"
    if not spliced:
        return call, quote, _escape(message, quote), f"{quote}{passed}){end}"
    joined = ' + " " + '.replace('"', quote).join(spliced)
    return call, quote, _escape(message, quote) + " ", f"{quote} + {joined}{passed}){end}"


def render(spec: StatementSpec) -> str:
    """The whole statement, one line, without indentation."""
    before, quote, message, after = _pieces(spec)
    return before + quote + message + after


def opening(spec: StatementSpec) -> tuple[str, str]:
    """(the statement up to and including its message's opening quote, the closing quote)."""
    before, quote, _, _ = _pieces(spec)
    return before + quote, quote


def always_bound(document: ParsedDocument) -> frozenset[str]:
    """Globals, the file's imports and top-level names, and `this`."""
    return GLOBALS | module_names_of(document)
