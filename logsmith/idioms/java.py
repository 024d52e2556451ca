"""Java's logging libraries (`logsmith.idioms.contract.LanguageIdioms`): which logger a file uses,
how to declare one it lacks, and how each library's statement is written.

Libraries: `slf4j` and `log4j2` (`{}` placeholders, the throwable last), `flogger`
(`logger.atWarning().withCause(e).log("... %s", x)`), `log4j` and
`commons-logging` (concatenation, the throwable last), `jul` (java.util.logging:
`LOG.warning("..." + x)`, `LOG.log(Level.SEVERE, "...", e)` with a throwable), `system-logger`
(`LOG.log(Level.ERROR, "...", e)`) and `android` (`Log.e(TAG, "..." + x, e)`, Cordova's `LOG` the
same way).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import tree_sitter

from logsmith.idioms.contract import LoggedCall, LoggerChoice, StatementSpec
from logsmith.idioms.literals import escaped
from logsmith.suggestion import TextEdit
from logsmith.syntax.cursor_line import leading_indent
from logsmith.syntax.document import ParsedDocument, per_text
from logsmith.syntax.java import module_names_of
from logsmith.syntax.java_calls import (
    FileLogging,
    file_logging,
    library_of_imports,
    logger_receivers,
    tags,
)
from logsmith.syntax.java_readable import enum_initialising
from logsmith.syntax.java_scopes import (
    OBJECT_METHODS,
    TYPES,
    file_methods,
    imports_of,
    indent_unit,
)
from logsmith.syntax.languages import captures
from logsmith.syntax.site import LogSite
from logsmith.syntax.tree_text import text

JAVA_LANG = frozenset(
    {
        "String",
        "Integer",
        "Long",
        "Short",
        "Byte",
        "Boolean",
        "Character",
        "Double",
        "Float",
        "Number",
        "Math",
        "StrictMath",
        "System",
        "Thread",
        "Object",
        "Class",
        "Exception",
        "RuntimeException",
        "Error",
        "Throwable",
        "Arrays",
        "StringBuilder",
        "Runtime",
        "Objects",
        "Enum",
        "Void",
        "Iterable",
        "Process",
        "ProcessBuilder",
        "ClassLoader",
        "IllegalArgumentException",
        "IllegalStateException",
        "NullPointerException",
        "UnsupportedOperationException",
        "InterruptedException",
        "Record",
        "CharSequence",
        "this",
        "super",
    }
)
"""`java.lang` (and `this`): readable in every file without an import."""
NO_LOGGER_NOTE = "no logger in this file or project: java.util.logging, the standard library's"
IMPORTS = {
    "slf4j": ("org.slf4j.Logger", "org.slf4j.LoggerFactory"),
    "log4j2": ("org.apache.logging.log4j.LogManager", "org.apache.logging.log4j.Logger"),
    "log4j": ("org.apache.log4j.Logger",),
    "commons-logging": ("org.apache.commons.logging.Log", "org.apache.commons.logging.LogFactory"),
    "jul": ("java.util.logging.Logger",),
    "system-logger": (),
    "android": ("android.util.Log",),
}
JUL_ONLY = frozenset({"severe", "warning", "config", "fine", "finer", "finest"})
BRACES = frozenset({"slf4j", "log4j2"})
"""Libraries whose messages take `{}` placeholders; the others concatenate."""
METHODS = {
    "slf4j": {"critical": "error", "warning": "warn"},
    "log4j2": {"critical": "fatal", "warning": "warn"},
    "log4j": {"critical": "fatal", "warning": "warn"},
    "commons-logging": {"critical": "fatal", "warning": "warn"},
    "jul": {
        "trace": "finest",
        "debug": "fine",
        "info": "info",
        "warning": "warning",
        "error": "severe",
        "critical": "severe",
    },
    "custom": {"critical": "error", "warning": "warn"},
    "system-logger": {
        "trace": "TRACE",
        "debug": "DEBUG",
        "info": "INFO",
        "warning": "WARNING",
        "error": "ERROR",
        "critical": "ERROR",
    },
    "flogger": {
        "trace": "atFinest",
        "debug": "atFine",
        "info": "atInfo",
        "warning": "atWarning",
        "error": "atSevere",
        "critical": "atSevere",
    },
    "android": {
        "trace": "v",
        "debug": "d",
        "info": "i",
        "warning": "w",
        "error": "e",
        "critical": "wtf",
    },
}
SIMPLE_VALUE = re.compile(r"^[\w$.]+(\(\))?$|^[\w$.]+\([\w$.]*\)$")


@dataclass(frozen=True)
class JavaLoggerChoice(LoggerChoice):
    """A Java logger, with what its statements need besides the logger: Android's tag, and how
    the file names `Level` (java.util.logging, System.Logger)."""

    tag: str = "TAG"
    level_class: str = "Level"
    methods: tuple[tuple[str, str], ...] = ()
    """(level, method) pairs the file's own statements on this logger use (`warning` ->
    `warn`), which win over the library's usual names."""


# --- the file -------------------------------------------------------------------------------------


def _type_declarations(root: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [node for node in root.named_children if node.type in TYPES]


def _top_type(root: tree_sitter.Node, line: int) -> tree_sitter.Node | None:
    types = _type_declarations(root)
    for node in types:
        if node.start_point[0] <= line <= node.end_point[0]:
            return node
    return types[0] if types else None


def _enclosing_type(root: tree_sitter.Node, line: int) -> tree_sitter.Node | None:
    """The innermost type declaration holding `line`."""
    node = root.named_descendant_for_point_range((line, 0), (line, 0))
    while node is not None:
        if node.type in TYPES and node.start_point[0] <= line:
            return node
        node = node.parent
    return _top_type(root, line)


def _import_edits(document: ParsedDocument, paths: tuple[str, ...]) -> tuple[TextEdit, ...]:
    """Edits importing `paths` after the file's imports (or its package declaration)."""
    root = document.tree.root_node
    imported = imports_of(root)
    present = {path for path, _, _ in imported}
    wildcards = {path for path, name, _ in imported if name is None}
    missing = [
        path for path in paths if path not in present and path.rsplit(".", 1)[0] not in wildcards
    ]
    if not missing:
        return ()
    lines = "".join(f"import {path};\n" for path in missing)
    declarations = [n for n in root.named_children if n.type == "import_declaration"]
    package = next((n for n in root.named_children if n.type == "package_declaration"), None)
    if declarations:
        row = declarations[-1].end_point[0] + 1
        return (TextEdit(row, 0, row, 0, lines),)
    if package is not None:
        row = package.end_point[0] + 1
        return (TextEdit(row, 0, row, 0, "\n" + lines),)
    return (TextEdit(0, 0, 0, 0, lines + "\n"),)


def _conflicts(document: ParsedDocument, paths: tuple[str, ...]) -> set[str]:
    """Simple names of `paths` the file already imports from elsewhere (or declares, as a type at
    any depth)."""
    root = document.tree.root_node
    taken = {name: path for path, name, _ in imports_of(root) if name}
    declared = {text(node) for node in captures("members", root, "java").get("type", [])}
    clashing = set()
    for path in paths:
        simple = path.rsplit(".", 1)[-1]
        if (simple in taken and taken[simple] != path) or simple in declared:
            clashing.add(path)
    return clashing


def _member_edit(
    document: ParsedDocument, owner: tree_sitter.Node, declaration: str
) -> TextEdit | None:
    """An edit making `declaration` the first member of the type `owner`, indented like its
    members."""
    body = owner.child_by_field_name("body")
    if body is None or not body.children:
        return None
    members = [c for c in body.named_children if "comment" not in c.type]
    if members:
        first = members[0]
        line = document.line(first.start_point[0])
        indent = leading_indent(line)
    else:
        line = document.line(owner.start_point[0])
        indent = leading_indent(line) + indent_unit(document.text)
    if owner.type == "interface_declaration" or owner.type == "annotation_type_declaration":
        declaration = declaration.replace("private static final ", "")
    anchor = body.children[0]  # `{`
    new_text = f"\n{indent}{declaration}"
    if owner.type == "enum_declaration":
        rest = next((c for c in body.named_children if c.type == "enum_body_declarations"), None)
        if rest is not None:
            anchor = rest.children[0]  # `;`
        else:
            constants = [c for c in body.named_children if c.type == "enum_constant"]
            commas = [c for c in body.children if c.type == ","]
            if constants:
                anchor = constants[-1]
                if commas and commas[-1].start_byte > anchor.start_byte:
                    anchor = commas[-1]
                new_text = f";\n{indent}{declaration}"
            else:
                new_text = f"\n{indent};{declaration}"
    row, byte_column = anchor.end_point
    column = len(
        document.line(row).encode("utf-8", "surrogatepass")[:byte_column].decode("utf-8", "replace")
    )
    return TextEdit(row, column, row, column, new_text)


# --- the choice -----------------------------------------------------------------------------------


def _level_class(document: ParsedDocument, library: str) -> tuple[str, tuple[str, ...]]:
    """How a statement names `Level` in this file, and the import that lets it say `Level`."""
    paths = {path for path, _, _ in imports_of(document.tree.root_node)}
    if library == "jul":
        if "java.util.logging.Level" in paths or "java.util.logging" in {
            p for p, name, _ in imports_of(document.tree.root_node) if name is None
        }:
            return "Level", ()
        return "Level", ("java.util.logging.Level",)
    if library == "system-logger":
        if "java.lang.System.Logger.Level" in paths:
            return "Level", ()
        return "System.Logger.Level", ()
    return "Level", ()


def _defined_logger(document: ParsedDocument, site: LogSite, facts: FileLogging):
    """(name, factory owner) of the logger field the site's class (else the file) declares and
    the site can read (not an instance logger from a static method)."""
    if not facts.loggers:
        return None
    root = document.tree.root_node
    owner = _enclosing_type(root, site.line)
    found = []
    for key, nodes in _definitions(root).items():
        for node in nodes:
            found.append((node, key))
    best = None
    for node, name in found:
        if name in site.unbound_names:
            continue
        holder: tree_sitter.Node | None = node
        while holder is not None and holder.type not in TYPES:
            holder = holder.parent
        if owner is not None and holder is not None and holder.id == owner.id:
            return name, facts.loggers.get(name, "")
        if best is None:
            best = name
    if best is None and "log" in facts.loggers and "log" not in site.unbound_names:
        best = "log"
    return (best, facts.loggers.get(best, "")) if best else None


def _definitions(root: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    named: dict[str, list[tree_sitter.Node]] = {}
    for node in captures("logging", root, "java").get("definition", []):
        if node.parent is not None and node.parent.type == "field_declaration":
            named.setdefault(text(node.child_by_field_name("name")), []).append(node)
    return named


DECLARABLE = frozenset(
    {"slf4j", "log4j2", "log4j", "commons-logging", "jul", "system-logger", "android"}
)
"""The libraries whose logger `_setup` can import and declare in a file that has none (not a
project's own logging class, Flogger or Lombok's)."""


LOGGER_NAMES = ("LOG", "LOGGER", "logger", "log")
"""Names a declared logger takes, in this order, when the one wanted is taken."""


def _free_name(document: ParsedDocument, site: LogSite, wanted: str) -> str:
    """`wanted`, or the first of `LOGGER_NAMES` (else `wanted` with a digit) that no field, type,
    import or name bound at the site already holds."""
    taken = set(module_names_of(document)) | set(site.names) | site.unbound_names
    for name in (wanted, *LOGGER_NAMES):
        if name not in taken:
            return name
    return next(f"{wanted}{n}" for n in range(2, 100) if f"{wanted}{n}" not in taken)


def _setup(
    document: ParsedDocument, site: LogSite, library: str, expression: str, has_tag: bool = False
) -> tuple[tuple[TextEdit, ...], str]:
    """Edits importing and declaring a `library` logger in the site's top-level class (for
    Android, its tag unless it `has_tag`), and the expression statements should call: named
    `expression` unless that name is taken (`_free_name`)."""
    root = document.tree.root_node
    if library != "android":
        expression = _free_name(document, site, expression)
    owner = _top_type(root, site.line)
    class_name = text(owner.child_by_field_name("name")) if owner is not None else None
    imports = IMPORTS.get(library, ())
    if library == "android" and expression == "LOG":
        package = next((n for n in root.named_children if n.type == "package_declaration"), None)
        in_cordova = package is not None and text(package.named_children[0]) == "org.apache.cordova"
        imports = () if in_cordova else ("org.apache.cordova.LOG",)
    clashing = _conflicts(document, imports)

    def name(path: str) -> str:
        return path if path in clashing else path.rsplit(".", 1)[-1]

    edits = list(_import_edits(document, tuple(p for p in imports if p not in clashing)))
    if library == "android":
        if has_tag:
            return tuple(edits), expression
        declaration = f'private static final String TAG = "{class_name or "App"}";'
    else:
        owner_literal = f"{class_name}.class" if class_name else None
        factory = {
            "slf4j": (name("org.slf4j.Logger"), f"{name('org.slf4j.LoggerFactory')}.getLogger"),
            "log4j2": (
                name("org.apache.logging.log4j.Logger"),
                f"{name('org.apache.logging.log4j.LogManager')}.getLogger",
            ),
            "log4j": (
                name("org.apache.log4j.Logger"),
                f"{name('org.apache.log4j.Logger')}.getLogger",
            ),
            "commons-logging": (
                name("org.apache.commons.logging.Log"),
                f"{name('org.apache.commons.logging.LogFactory')}.getLog",
            ),
            "jul": (
                name("java.util.logging.Logger"),
                f"{name('java.util.logging.Logger')}.getLogger",
            ),
            "system-logger": ("System.Logger", "System.getLogger"),
        }[library]
        if library in ("jul", "system-logger"):
            argument = f"{class_name}.class.getName()" if class_name else '"app"'
        else:
            argument = owner_literal or '"app"'
        if owner is None or _initialising_enum(owner, site):
            # no type to declare it in, or an enum whose own constructor may not read it
            return tuple(edits), f"{factory[1]}({argument})"
        declaration = f"private static final {factory[0]} {expression} = {factory[1]}({argument});"
    if owner is not None:
        member = _member_edit(document, owner, declaration)
        if member is not None:
            edits.append(member)
    return tuple(edits), expression


def _initialising_enum(owner: tree_sitter.Node, site: LogSite) -> bool:
    """Whether `site` is in a constructor or an instance initializer of the enum `owner`."""
    node = owner.named_descendant_for_point_range(
        (site.line, len(site.indent)), (site.line, len(site.indent))
    )
    enum = enum_initialising(node) if node is not None else None
    return enum is not None and enum.id == owner.id


def _usable_here(
    document: ParsedDocument, site: LogSite, calls: tuple[LoggedCall, ...]
) -> tuple[LoggedCall, ...]:
    """The calls whose logger the site can call too: not a local variable or parameter of
    another method (`Logger l = ...` there), nor an instance field from a static context, nor
    (`this.logger` too) a field of another class."""
    locals_ = {
        text(node)
        for key, nodes in captures("bindings", document.tree.root_node, "java").items()
        for node in nodes
        if key.startswith("binding.")
    }
    usable = []
    for call in calls:
        names = re.split(r"[.(]", call.logger)
        root = names[0]
        field = names[1] if root == "this" and len(names) > 1 else root
        local_elsewhere = root in locals_ and root not in site.names
        if not local_elsewhere and not {root, field} & site.unbound_names:
            usable.append(call)
    return tuple(usable)


def _most_common(calls: tuple[LoggedCall, ...]) -> tuple[str, str] | None:
    counted = Counter((call.library, call.logger) for call in calls)
    return counted.most_common(1)[0][0] if counted else None


def logger_for(
    document: ParsedDocument,
    site: LogSite,
    calls: tuple[LoggedCall, ...],
    project_calls: tuple[LoggedCall, ...] = (),
) -> LoggerChoice:
    """The logger the file declares (the site's class first) or calls, else the project's habit,
    else SLF4J when the file imports it, else java.util.logging with a note."""
    root = document.tree.root_node
    facts = file_logging(document)
    needs_level = site.in_except
    defined = _defined_logger(document, site, facts)
    file_tags = tags(document, module_names_of(document))
    if defined is not None:
        name, owner = defined
        library = facts.library(name, "info", None)
        same = _most_common(tuple(c for c in calls if c.logger.rsplit(".", 1)[-1] == name))
        if same is not None:
            library = same[0]
        return _choice(document, library, name, True, (), None, file_tags, needs_level, calls)
    habit = _most_common(_usable_here(document, site, calls))
    if habit is not None:
        library, expression = habit
        setup: tuple[TextEdit, ...] = ()
        if library == "android" and not file_tags:
            setup, _ = _setup(document, site, library, expression)
        return _choice(
            document, library, expression, True, setup, None, file_tags, needs_level, calls
        )
    habit = _most_common(project_calls)
    if habit is not None and habit[0] in DECLARABLE:
        library, expression = habit
        expression = expression.rsplit(".", 1)[-1] if library != "android" else expression
        if not re.match(r"^[A-Za-z_$][\w$]*$", expression):
            expression = "LOG"
        setup, expression = _setup(document, site, library, expression, bool(file_tags))
        return _choice(document, library, expression, False, setup, None, file_tags, needs_level)
    imported = library_of_imports([path for path, _, _ in imports_of(root)])
    library = "slf4j" if "slf4j" in imported else "jul"
    setup, expression = _setup(document, site, library, "LOG")
    note = None if library == "slf4j" else NO_LOGGER_NOTE
    return _choice(document, library, expression, False, setup, note, file_tags, needs_level)


def _methods_used(calls: tuple[LoggedCall, ...], expression: str) -> tuple[tuple[str, str], ...]:
    """The method the file's statements on `expression` call at each level, the most used."""
    used: dict[str, Counter] = {}
    prefix = expression + "."
    for call in calls:
        if call.logger != expression or call.level is None or not call.text.startswith(prefix):
            continue
        method = call.text[len(prefix) :].split("(", 1)[0].strip()
        if re.fullmatch(r"[A-Za-z]\w*", method) and method not in ("log", "logp"):
            used.setdefault(call.level, Counter())[method] += 1
    return tuple(sorted((level, counts.most_common(1)[0][0]) for level, counts in used.items()))


def _choice(
    document: ParsedDocument,
    library: str,
    expression: str,
    defined: bool,
    setup: tuple[TextEdit, ...],
    note: str | None,
    file_tags: list[str],
    needs_level: bool,
    calls: tuple[LoggedCall, ...] = (),
) -> JavaLoggerChoice:
    level_class, level_import = _level_class(document, library)
    if needs_level and level_import:
        setup = _merge_imports(document, setup, level_import)
    return JavaLoggerChoice(
        methods=_methods_used(calls, expression),
        library=library,
        expression=expression,
        defined=defined,
        setup=setup,
        note=note,
        tag=file_tags[0] if file_tags else "TAG",
        level_class=level_class,
    )


def _merge_imports(
    document: ParsedDocument, setup: tuple[TextEdit, ...], paths: tuple[str, ...]
) -> tuple[TextEdit, ...]:
    """`setup` with `paths` imported too (in the same import edit when there is one)."""
    extra = _import_edits(document, paths)
    if not extra:
        return setup
    added = extra[0]
    for index, edit in enumerate(setup):
        if (edit.start_line, edit.start_character) == (added.start_line, added.start_character):
            merged = TextEdit(
                edit.start_line,
                edit.start_character,
                edit.end_line,
                edit.end_character,
                _join_imports(edit.new_text, added.new_text),
            )
            return (*setup[:index], merged, *setup[index + 1 :])
    return (added, *setup)


def _join_imports(first: str, second: str) -> str:
    lines = second.strip("\n") + "\n"
    if first.endswith("\n\n"):
        return first[:-1] + lines + "\n"
    return first + lines


# --- statements -----------------------------------------------------------------------------------


def _escape(message: str) -> str:
    return " ".join(escaped(message).split())


def _labels(values: tuple[str, ...]) -> list[str]:
    """A short label per value: its last part (`user.getId()` -> `id`), or the whole
    expression in word characters when two share a last part or it is not a plain chain."""

    def last(value: str) -> str:
        chain = re.sub(r"\(\)$", "", value)
        if not re.match(r"^[\w$.]+$", chain):
            return re.sub(r"\W+", "_", value).strip("_") or "value"
        part = chain.rsplit(".", 1)[-1]
        getter = re.match(r"^(?:get|is)([A-Z]\w*)$", part)
        return getter[1][0].lower() + getter[1][1:] if getter else part

    parts = [last(value) for value in values]
    return [
        part if parts.count(part) == 1 else re.sub(r"\W+", "_", value).strip("_")
        for value, part in zip(values, parts)
    ]


def _operand(value: str) -> str:
    return value if SIMPLE_VALUE.match(value) else f"({value})"


def _braced(message: str, values: tuple[str, ...], slot: str = "{}") -> str:
    """The message with a placeholder per value: `message {}`, `message: a={}, b={}`."""
    if len(values) == 1:
        return f"{message} {slot}"
    if values:
        return f"{message}: " + ", ".join(f"{label}={slot}" for label in _labels(values))
    return message


def _concatenated(message: str, values: tuple[str, ...]) -> str:
    """`"message " + value` or `"message: a=" + a + ", b=" + b`."""
    if len(values) == 1:
        return f'"{message} " + {_operand(values[0])}'
    if not values:
        return f'"{message}"'
    parts = []
    for index, (label, value) in enumerate(zip(_labels(values), values)):
        lead = f"{message}: " if index == 0 else ", "
        parts.append(f'"{lead}{label}=" + {_operand(value)}')
    return " + ".join(parts)


def _parts(spec: StatementSpec) -> tuple[str, str, str]:
    """(the call up to the message, the message expression, what follows it) of `spec`."""
    logger = spec.logger
    library = logger.library if logger.library in METHODS else "slf4j"
    message = _escape(spec.message)
    values = tuple(v for v in spec.values if v != spec.error)
    error = f", {spec.error}" if spec.error else ""
    used = dict(getattr(logger, "methods", ()))
    names = METHODS[library]
    if library == "custom" and set(used.values()) & JUL_ONLY:
        names = METHODS["jul"]  # the project's class speaks java.util.logging's names
    method = names.get(spec.level, spec.level)
    if library not in ("flogger", "system-logger") and not (library == "jul" and spec.error):
        method = used.get(spec.level, method)
    level_class = getattr(logger, "level_class", "Level")
    if library == "flogger":
        cause = f".withCause({spec.error})" if spec.error else ""
        text_ = _braced(message.replace("%", "%%"), values, "%s")
        tail = "".join(f", {v}" for v in values)
        return f"{logger.expression}.{method}(){cause}.log(", f'"{text_}"', tail + ");"
    if library in BRACES:
        text_ = _braced(message.replace("{}", "{ }"), values)
        tail = "".join(f", {v}" for v in values) + error
        return f"{logger.expression}.{method}(", f'"{text_}"', tail + ");"
    expression = _concatenated(message, values)
    if library == "android":
        tag = getattr(logger, "tag", "TAG")
        if method == "wtf" and logger.expression != "Log":
            method = "e"
        return f"{logger.expression}.{method}({tag}, ", expression, error + ");"
    if library == "system-logger":
        return f"{logger.expression}.log({level_class}.{method}, ", expression, error + ");"
    if library == "jul" and spec.error:
        call = f"{logger.expression}.log({level_class}.{method.upper()}, "
        return call, expression, error + ");"
    return f"{logger.expression}.{method}(", expression, error + ");"


def render(spec: StatementSpec) -> str:
    """The whole statement in the library's style, one line, with its `;`."""
    start, message, tail = _parts(spec)
    return start + message + tail


def opening(spec: StatementSpec) -> tuple[str, str]:
    """(the statement up to and including its message's opening quote, `"`)."""
    start, _, _ = _parts(spec)
    return start + '"', '"'


@per_text
def always_bound(document: ParsedDocument) -> frozenset[str]:
    """Names a statement may read anywhere in the file: imported simple names, java.lang's
    classes, the file's fields, types and methods (and `Object`'s), `this`, the loggers its
    statements call, and `Level` where java.util.logging or System.Logger statements name it."""
    names = set(JAVA_LANG) | set(module_names_of(document)) | OBJECT_METHODS
    names |= file_methods(document.tree.root_node)
    facts = file_logging(document)
    names.update(facts.loggers)
    libraries = set(facts.imported)
    for receiver in logger_receivers(facts):
        names.add(re.split(r"[.(]", text(receiver), maxsplit=1)[0])
        if text(receiver) in ("Log", "LOG"):
            libraries.add("android")
    if not libraries or libraries & {"jul", "system-logger"}:
        names.add("Level")  # imported by the logger's setup where a statement needs it
    if not facts.loggers and not libraries:
        names.update(("LOG", "TAG"))  # what `logger_for`'s setup declares in a file without any
    return frozenset(name for name in names if name)
