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
from logsmith.syntax.go_scopes import imports
from logsmith.syntax.site import LogSite

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


def always_bound(document: ParsedDocument) -> frozenset[str]:
    """Imported packages' local names, package-level names and Go's predeclared identifiers."""
    return module_names(document) | PREDECLARED


def _usable(logger: str, site: LogSite, bound: frozenset[str]) -> bool:
    """Whether every name the logger expression reads is bound at the site."""
    return names_read(logger) <= set(site.names) | bound


def logger_for(
    document: ParsedDocument,
    site: LogSite,
    calls: tuple[LoggedCall, ...],
    project_calls: tuple[LoggedCall, ...] = (),
) -> LoggerChoice:
    """The logger the file uses (the call nearest to the site first, in its function before
    elsewhere), else the project's habit, else `slog` when the file imports it, else `log`."""
    bound = always_bound(document)
    function = site.function.name if site.function is not None else None
    usable = [call for call in calls if _usable(call.logger, site, bound)]
    if usable:
        nearest = min(usable, key=lambda c: (c.function != function, abs(c.start_line - site.line)))
        return LoggerChoice(nearest.library, _base_logger(nearest), True)
    if calls:
        nearest = min(calls, key=lambda c: abs(c.start_line - site.line))
        if nearest.library in ("log", "slog", "logrus", "klog") or nearest.logger in (
            "zap.L()",
            "zap.S()",
        ):
            return _with_import(document, nearest.library, _base_logger(nearest))
    if project_calls:
        habits = Counter((c.library, _base_logger(c)) for c in project_calls)
        (library, logger), _ = habits.most_common(1)[0]
        if _usable(logger, site, bound):
            return LoggerChoice(library, logger, True)
        package_logger = {
            "zap": "zap.L()",
            "zap-sugar": "zap.S()",
            "slog": "slog",
            "logrus": "logrus",
            "log": "log",
            "klog": "klog",
        }.get(library)
        if package_logger is not None:
            return _with_import(document, library, package_logger)
    if "slog" in libraries(document).values():
        return _with_import(document, "slog", "slog")
    return _with_import(document, "log", "log", STANDARD_NOTE)


def _base_logger(call: LoggedCall) -> str:
    return call.logger


def _with_import(document, library: str, expression: str, note=None) -> LoggerChoice:
    """A package-level logger (`log`, `slog`, `zap.L()`), with the import it needs."""
    package = "zap" if library in ("zap", "zap-sugar") else library
    known = imports(document)
    path = IMPORT_PATHS.get(package, package)
    if library == "klog" or known.get(package) == path or any(p == path for p in known.values()):
        local = next((name for name, p in known.items() if p == path), package)
        return LoggerChoice(library, expression.replace(package, local, 1), True, note=note)
    return LoggerChoice(
        library, expression, False, setup=(_import_edit(document, path),), note=note
    )


def _import_edit(document: ParsedDocument, path: str) -> TextEdit:
    """Add `import "path"`: into the first `import (...)` block, else after the package clause."""
    root = document.tree.root_node
    for child in root.named_children:
        if child.type == "import_declaration":
            lists = [c for c in child.named_children if c.type == "import_spec_list"]
            if lists:
                close = lists[0].children[-1]
                row = close.start_point[0]
                if row > lists[0].start_point[0]:
                    return TextEdit(row, 0, row, 0, f'\t"{path}"\n')
            row = child.end_point[0] + 1
            return TextEdit(row, 0, row, 0, f'import "{path}"\n')
    for child in root.named_children:
        if child.type == "package_clause":
            row = child.end_point[0]
            end = len(document.line(row))
            return TextEdit(row, end, row, end, f'\n\nimport "{path}"')
    return TextEdit(0, 0, 0, 0, f'import "{path}"\n')


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


def render(spec: StatementSpec) -> str:
    """The statement in the library's style, one line, without `;`."""
    library, logger = spec.logger.library, spec.logger.expression
    message = _message(spec)
    values = _logged(spec)
    error = spec.error
    if library in ("slog", "hclog"):
        method = METHOD_WORDS[library][spec.level]
        pairs = "".join(f', "{key_of(v)}", {v}' for v in values)
        if error:
            pairs += f', "error", {error}'
        return f'{logger}.{method}("{message}"{pairs})'
    if library == "zap":
        method = METHOD_WORDS["zap"][spec.level]
        fields = "".join(f', zap.Any("{key_of(v)}", {v})' for v in values)
        if error:
            fields += f", zap.Error({error})"
        return f'{logger}.{method}("{message}"{fields})'
    if library == "zap-sugar":
        method = METHOD_WORDS["zap"][spec.level] + "w"
        pairs = "".join(f', "{key_of(v)}", {v}' for v in values)
        if error:
            pairs += f', "error", {error}'
        return f'{logger}.{method}("{message}"{pairs})'
    if library == "logrus":
        method = METHOD_WORDS["logrus"][spec.level]
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
    return _render_log(logger, message, values, error)


def _render_log(logger: str, message: str, values, error) -> str:
    """`log.Printf("failed to connect to %v: %v", host, err)`: a verb per value after the
    message, the error last after a colon."""
    shown = list(values) + ([error] if error else [])
    if not shown:
        return f'{logger}.Println("{message}")'
    text = (
        " ".join([message] + ["%v"] * len(values)) if message else ", ".join(["%v"] * len(values))
    )
    if error:
        text = f"{text}: %v" if text else "%v"
    return f'{logger}.Printf("{text}", {", ".join(shown)})'


def opening(spec: StatementSpec) -> tuple[str, str]:
    """The rendered statement up to and including the quote that opens its message, and `"`."""
    marker = "\x00message\x00"
    rendered = render(StatementSpec(spec.logger, spec.level, marker, spec.values, spec.error))
    return rendered[: rendered.index(marker)], '"'
