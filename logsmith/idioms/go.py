"""Go's logging libraries: which logger a file uses, and how a statement is written in the
standard `log` and `log/slog`, zap (plain and sugared), logrus and hclog."""

from __future__ import annotations

import re
from collections import Counter

from logsmith.idioms.contract import LoggedCall, LoggerChoice, StatementSpec
from logsmith.suggestion import TextEdit
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.go import module_names, names_read
from logsmith.syntax.go_calls import libraries
from logsmith.syntax.go_scopes import imports, parameter_type
from logsmith.syntax.languages import matches
from logsmith.syntax.site import LogSite
from logsmith.syntax.tree_text import text

PREDECLARED = frozenset(
    "nil true false iota append cap clear close complex copy delete imag len make max min new "
    "panic print println real recover any bool byte comparable complex64 complex128 error "
    "float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 "
    "uintptr".split()
)
# Contract level -> method word per library.
METHOD_WORDS = {
    "slog": {
        "trace": "Debug",
        "debug": "Debug",
        "info": "Info",
        "warning": "Warn",
        "error": "Error",
        "critical": "Error",
    },
    "hclog": {
        "trace": "Trace",
        "debug": "Debug",
        "info": "Info",
        "warning": "Warn",
        "error": "Error",
        "critical": "Error",
    },
    "zap": {
        "trace": "Debug",
        "debug": "Debug",
        "info": "Info",
        "warning": "Warn",
        "error": "Error",
        "critical": "Error",
    },
    "logrus": {
        "trace": "Trace",
        "debug": "Debug",
        "info": "Info",
        "warning": "Warn",
        "error": "Error",
        "critical": "Error",
    },
    "klog": {
        "trace": "Info",
        "debug": "Info",
        "info": "Info",
        "warning": "Warning",
        "error": "Error",
        "critical": "Error",
    },
}
IMPORT_PATHS = {
    "log": "log",
    "slog": "log/slog",
    "zap": "go.uber.org/zap",
    "logrus": "github.com/sirupsen/logrus",
    "hclog": "github.com/hashicorp/go-hclog",
}
STANDARD_NOTE = "no logger in this file or project: the standard log package"
SLOG_NOTE = "no logger in this file or project: log/slog, which the file imports"
# (library, type name) -> the library of a field or variable of that type.
LOGGER_TYPES = {
    ("zap", "Logger"): "zap",
    ("zap", "SugaredLogger"): "zap-sugar",
    ("slog", "Logger"): "slog",
    ("hclog", "Logger"): "hclog",
    ("hclog", "InterceptLogger"): "hclog",
    ("logrus", "Logger"): "logrus",
    ("logrus", "Entry"): "logrus",
    ("logrus", "FieldLogger"): "logrus",
    ("log", "Logger"): "log",
}
# Library -> functions that make a logger (`var logger = zap.L()`).
LOGGER_FACTORIES = {
    "zap": ("L", "NewExample", "NewNop", "Must", "New"),
    "slog": ("Default", "New", "With"),
    "logrus": ("New", "WithField", "WithFields", "StandardLogger"),
    "hclog": ("New", "Default", "L", "NewInterceptLogger"),
    "log": ("New", "Default"),
}
# Library -> its package-level logger, usable wherever the package is imported.
PACKAGE_LOGGERS = {
    "zap": "zap.L()",
    "zap-sugar": "zap.S()",
    "slog": "slog",
    "logrus": "logrus",
    "log": "log",
    "klog": "klog",
    "hclog": "hclog.Default()",
}


def always_bound(document: ParsedDocument) -> frozenset[str]:
    """Imported packages' local names, package-level names and Go's predeclared identifiers."""
    return module_names(document) | PREDECLARED


def _usable(logger: str, site: LogSite, bound: frozenset[str], packages: set[str]) -> bool:
    """Whether every name the logger expression reads is bound at the site, and the package it
    calls (`packages`: the file's imported names) is not shadowed there by a local or parameter
    (`func run(log string)` hides the `log` package; `dcontext.GetLogger(context)` may pass a
    parameter `context` that hides the package of that name)."""
    root = re.split(r"[.(\[]", logger.strip(), maxsplit=1)[0]
    shadowed = root in packages and root in site.names
    return names_read(logger) <= set(site.names) | bound and not shadowed


def _same_binding(call: LoggedCall, document: ParsedDocument, site: LogSite) -> bool:
    """Whether the local name `call`'s logger starts from means at the site what it meant there:
    a package-level name always does; a local or parameter only in the same function, as the
    receiver of a method of the same type (`s.lg` of `*Server` is not `s.lg` of `*Client`), or
    as a parameter the site's function declares with a logger type of the call's library
    (`lg *zap.Logger`)."""
    root = re.split(r"[.(\[]", call.logger.strip(), maxsplit=1)[0]
    function = site.function
    if root not in site.names or function is None:
        return True
    if call.owner == function.class_name and (
        call.function == function.name or root == function.receiver
    ):
        return True
    written = parameter_type(document, site.line, root) if root == call.logger else None
    return written is not None and _library_of_type(written, libraries(document)) == call.library


def logger_for(
    document: ParsedDocument,
    site: LogSite,
    calls: tuple[LoggedCall, ...],
    project_calls: tuple[LoggedCall, ...] = (),
) -> LoggerChoice:
    """The logger of the file's statements (in the site's function first, then the nearest),
    else a logger the file declares (a field of the method's receiver, a package-level
    variable), else the project's habit, else the package-level logger of a logging library the
    file imports (`zap.L()`, `slog`), else the standard `log`."""
    bound = always_bound(document)
    packages = set(imports(document))
    function = site.function.name if site.function is not None else None
    usable = []
    for call in calls:
        expression = (
            call.logger
            if _usable(call.logger, site, bound, packages) and _same_binding(call, document, site)
            else _package_entry(call)
        )
        if expression is not None and _usable(expression, site, bound, packages):
            usable.append((call, expression))
    if usable:
        call, expression = min(
            usable,
            key=lambda pair: (pair[0].function != function, abs(pair[0].start_line - site.line)),
        )
        return _defined(document, call.library, expression)
    declared = declared_logger(document, site)
    if declared is not None:
        return _defined(document, declared[0], declared[1])
    if project_calls:
        habits = Counter((c.library, c.logger) for c in project_calls)
        (library, logger), _ = habits.most_common(1)[0]
        if _usable(logger, site, bound, packages):
            return _defined(document, library, logger)
        package_logger = PACKAGE_LOGGERS.get(library)
        if package_logger is not None:
            return _with_import(document, site, library, package_logger)
    imported = _imported_package_logger(document, site)
    if imported is not None:
        return imported
    return _with_import(document, site, "log", "log", STANDARD_NOTE)


def _imported_package_logger(document: ParsedDocument, site: LogSite) -> LoggerChoice | None:
    """The package-level logger of a logging library the file imports (`zap.L()`, `logrus`,
    containerd's `log.L`, `slog`), when the file has no logger of its own to call (and the
    package's name is not shadowed at the site)."""
    known = imports(document)
    found = libraries(document)
    for library in ("zap", "logrus", "hclog", "klog", "slog"):
        for name, imported in found.items():
            if imported != library or name in site.names:
                continue
            if library == "logrus" and "containerd" in known.get(name, ""):
                return LoggerChoice("logrus", f"{name}.L", True)
            expression = _renamed(PACKAGE_LOGGERS[library], library, name)
            note = SLOG_NOTE if library == "slog" else None
            return LoggerChoice(library, expression, True, note=note)
    return None


def _defined(document: ParsedDocument, library: str, expression: str) -> LoggerChoice:
    """A logger the site can call. A zap logger's statement also names the `zap` package for its
    fields (`zap.Error(err)`): the setup imports it when the file does not."""
    if library == "zap" and imports(document).get("zap") != IMPORT_PATHS["zap"]:
        return LoggerChoice(library, expression, True, (_import_edit(document, "go.uber.org/zap"),))
    return LoggerChoice(library, expression, True)


def _package_entry(call: LoggedCall) -> str | None:
    """containerd's `log.G(ctx)` where no context is at hand: its package-level `log.L`."""
    found = re.fullmatch(r"(\w+)\.G\(.*\)", call.logger)
    return f"{found[1]}.L" if found and call.library == "logrus" else None


def declared_logger(document: ParsedDocument, site: LogSite) -> tuple[str, str] | None:
    """(library, expression) of a logger the file declares and the site can reach: a field of
    the method's receiver type (`s.lg`), else a package-level variable (`logger`)."""
    known = libraries(document)
    function = site.function
    receiver_type = function.class_name if function is not None else None
    receiver = function.receiver if function is not None else None
    variables = []
    for found in matches("logger_declarations", document.tree.root_node, "go"):
        if "field.owner" in found and receiver is not None:
            if text(found["field.owner"][0]) != receiver_type:
                continue
            library = _library_of_type(text(found["field.type"][0]), known)
            if library is not None:
                return library, f"{receiver}.{text(found['field.name'][0])}"
        elif "variable.name" in found:
            kind = found.get("variable.type") or found.get("variable.value")
            if not kind:
                continue
            library = _library_of_type(text(kind[0]), known) or _library_of_value(
                text(kind[0]), known
            )
            if library is not None:
                variables.append((library, text(found["variable.name"][0])))
    return variables[0] if variables else None


def _library_of_type(written: str, known: dict[str, str]) -> str | None:
    package, _, name = written.lstrip("*").partition(".")
    library = known.get(package)
    return LOGGER_TYPES.get((library, name)) if library is not None else None


def _library_of_value(written: str, known: dict[str, str]) -> str | None:
    found = re.match(r"(\w+)\.(\w+)\(", written)
    if found is None:
        return None
    library = known.get(found[1])
    if library is None:
        return None
    if library == "zap" and (".Sugar()" in written or found[2] == "S"):
        return "zap-sugar"
    return library if found[2] in LOGGER_FACTORIES.get(library, ()) else None


def _base_logger(call: LoggedCall) -> str:
    return call.logger


def _with_import(
    document: ParsedDocument, site: LogSite, library: str, expression: str, note=None
) -> LoggerChoice:
    """A package-level logger (`log`, `slog`, `zap.L()`), with the import it needs: under an
    alias (`stdlog`) when the package's name is taken in the file or at the site."""
    package = "zap" if library in ("zap", "zap-sugar") else library
    known = imports(document)
    path = IMPORT_PATHS.get(package, package)
    for name, imported in known.items():
        if name in site.names:
            continue
        if imported == path or (package == "klog" and imported.startswith("k8s.io/klog")):
            return LoggerChoice(library, _renamed(expression, package, name), True, note=note)
    taken = set(known) | module_names(document) | set(site.names)
    local = next(
        name
        for name in (package, "std" + package, *(f"std{package}{n}" for n in range(2, 100)))
        if name not in taken
    )
    edit = _import_edit(document, path if local == package else f'{local} "{path}"')
    return LoggerChoice(library, _renamed(expression, package, local), False, (edit,), note)


def _renamed(expression: str, package: str, local: str) -> str:
    return local + expression[len(package) :] if expression.startswith(package) else expression


def _import_edit(document: ParsedDocument, spec: str) -> TextEdit:
    """Add an import (`"log"` or `stdlog "log"`): into the first `import (...)` block, else
    after the last import, else after the package clause."""
    if not spec.endswith('"'):
        spec = f'"{spec}"'
    root = document.tree.root_node
    declarations = [c for c in root.named_children if c.type == "import_declaration"]
    for declaration in declarations:
        lists = [c for c in declaration.named_children if c.type == "import_spec_list"]
        if lists and lists[0].children and lists[0].children[-1].type == ")":
            close = lists[0].children[-1]
            if close.start_point[0] > lists[0].start_point[0]:
                row = close.start_point[0]
                return TextEdit(row, 0, row, 0, f"\t{spec}\n")
    anchor = declarations[-1] if declarations else None
    if anchor is None:
        anchor = next((c for c in root.named_children if c.type == "package_clause"), None)
    if anchor is None:
        return TextEdit(0, 0, 0, 0, f"import {spec}\n")
    row = anchor.end_point[0]
    end = len(document.line(row))
    separator = "\n" if declarations else "\n\n"
    return TextEdit(row, end, row, end, f"{separator}import {spec}")


def key_of(value: str) -> str:
    """The key a value is logged under: its last identifier's words, lower-case (`req.URL` ->
    `url`, `user.ID()` -> `id`, `requestID` -> `request_id`, `err` -> `error`)."""
    if value in ("err", "e"):
        return "error"
    words = re.findall(r"[A-Za-z_]\w*", value)
    last = words[-1] if words else "value"
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", last).lower()
    return snake.strip("_") or "value"


def _message(spec: StatementSpec) -> str:
    words = spec.message.strip().replace('"', "'").replace("\\", "")
    if words and words[0].isupper() and not (len(words) > 1 and words[1].isupper()):
        words = words[0].lower() + words[1:]
    return words


def _logged(spec: StatementSpec) -> tuple[str, ...]:
    return tuple(v for v in spec.values if v != spec.error)


def _shape(method: str) -> str:
    """What a method's arguments are: a format and its values (`Printf`, `Fatalf`), key-value
    pairs (`Infow`), or a message and what follows it (`Error`, `Println`, `Fatal`)."""
    if method.endswith("f"):
        return "format"
    if method.endswith("w") and method[:-1] in ("Debug", "Info", "Warn", "Error", "Fatal", "Panic"):
        return "pairs"
    return "plain"


def _method(spec: StatementSpec, chosen: str) -> str:
    """The method the user typed (`Fatalf` for `Printf`), where it takes the same arguments as
    the one chosen; else the one chosen."""
    typed = spec.typed_method
    if typed and re.fullmatch(r"[A-Z]\w*", typed) and _shape(typed) == _shape(chosen):
        return typed
    return chosen


def render(spec: StatementSpec) -> str:
    """The statement in the library's style, one line, without `;`; with the method the user
    typed where it fits (`log.Fatalf(`)."""
    library, logger = spec.logger.library, spec.logger.expression
    message = _message(spec)
    values = _logged(spec)
    error = spec.error
    if library in ("slog", "hclog"):
        method = _method(spec, METHOD_WORDS[library][spec.level])
        pairs = "".join(f', "{key_of(v)}", {v}' for v in values)
        if error:
            pairs += f', "error", {error}'
        return f'{logger}.{method}("{message}"{pairs})'
    if library == "zap":
        method = _method(spec, METHOD_WORDS["zap"][spec.level])
        fields = "".join(f', zap.Any("{key_of(v)}", {v})' for v in values)
        if error:
            fields += f", zap.Error({error})"
        return f'{logger}.{method}("{message}"{fields})'
    if library == "zap-sugar":
        method = _method(spec, METHOD_WORDS["zap"][spec.level] + "w")
        pairs = "".join(f', "{key_of(v)}", {v}' for v in values)
        if error:
            pairs += f', "error", {error}'
        return f'{logger}.{method}("{message}"{pairs})'
    if library == "logrus":
        method = _method(spec, METHOD_WORDS["logrus"][spec.level])
        chain = logger + (f".WithError({error})" if error else "")
        chain += "".join(f'.WithField("{key_of(v)}", {v})' for v in values)
        return f'{chain}.{method}("{message}")'
    if library == "klog":
        method = METHOD_WORDS["klog"][spec.level] + "S"
        if method == "ErrorS":
            pairs = "".join(f', "{key_of(v)}", {v}' for v in values)
            return f'{logger}.ErrorS({error or "nil"}, "{message}"{pairs})'
        if method == "WarningS":
            method = "InfoS"
        pairs = "".join(f', "{key_of(v)}", {v}' for v in values)
        if error:
            pairs += f', "error", {error}'
        return f'{logger}.{method}("{message}"{pairs})'
    return _render_log(spec, logger, message, values, error)


def _render_log(spec: StatementSpec, logger: str, message: str, values, error) -> str:
    """`log.Printf("failed to connect to %v: %v", host, err)`: a verb per value after the
    message, the error last after a colon."""
    shown = list(values) + ([error] if error else [])
    message = message.replace("%", "%%") if shown else message
    typed = spec.typed_method
    if not shown:
        if typed and _shape(typed) == "format":  # `log.Fatalf("` typed: a format of its own
            return f'{logger}.{_method(spec, "Printf")}("{message.replace("%", "%%")}")'
        return f'{logger}.{_method(spec, "Println")}("{message}")'
    if typed and _shape(typed) == "plain" and _method(spec, "Println") == typed:
        return f"{logger}.{typed}({_operands(typed, message.replace('%%', '%'), shown)})"
    text = (
        " ".join([message] + ["%v"] * len(values)) if message else ", ".join(["%v"] * len(values))
    )
    if error:
        text = f"{text}: %v" if text else "%v"
    return f'{logger}.{_method(spec, "Printf")}("{text}", {", ".join(shown)})'


def _operands(method: str, message: str, shown: list[str]) -> str:
    """The message and values as a `Print`-like method takes them: `Println` and its kin put a
    space between operands, `Print` and its kin only between two that are not strings."""
    if method.endswith("ln"):
        return ", ".join([f'"{message}:"' if message else '""', *shown])
    spaced = [part for value in shown for part in ('" "', value)][1:]
    return ", ".join([f'"{message}: "' if message else '""', *spaced])


def opening(spec: StatementSpec) -> tuple[str, str]:
    """The rendered statement up to and including the quote that opens its message, and `"`."""
    marker = "\x00message\x00"
    rendered = render(StatementSpec(spec.logger, spec.level, marker, spec.values, spec.error))
    return rendered[: rendered.index(marker)], '"'
