"""The log statements of a Go file: the standard `log` and `log/slog`, zap (plain and sugared),
logrus (with containerd's `log.G(ctx)`), hashicorp's hclog and klog, each read into a
`LoggedCall` (library, logger, level, message, values, error)."""

from __future__ import annotations

import re

import tree_sitter

from logsmith.idioms.contract import LoggedCall
from logsmith.syntax.document import ParsedDocument, per_text
from logsmith.syntax.go_scopes import (
    ERROR_NAME,
    FUNCTIONS,
    READ_ERRORS,
    function_info,
    imports,
    placement,
)
from logsmith.syntax.languages import captures
from logsmith.syntax.tree_text import enclosing, text

# Import paths -> library.
LIBRARY_PATHS = (
    ("go.uber.org/zap", "zap"),
    ("log/slog", "slog"),
    ("golang.org/x/exp/slog", "slog"),
    ("github.com/sirupsen/logrus", "logrus"),
    ("github.com/Sirupsen/logrus", "logrus"),
    ("github.com/containerd/log", "logrus"),
    ("github.com/containerd/containerd/log", "logrus"),
    ("github.com/hashicorp/go-hclog", "hclog"),
    ("k8s.io/klog", "klog"),
    ("github.com/golang/glog", "klog"),
    ("github.com/coreos/pkg/capnslog", "capnslog"),
)
# Method name (without its f/w/ln/S/Context suffix) -> level.
LEVEL_WORDS = {
    "Trace": "trace",
    "Debug": "debug",
    "Info": "info",
    "Print": "info",
    "Notice": "info",
    "Warn": "warning",
    "Warning": "warning",
    "Error": "error",
    "DPanic": "critical",
    "Panic": "critical",
    "Fatal": "critical",
}
METHOD = re.compile(
    r"^(Trace|Debug|Info|Notice|Print|Warning|Warn|Error|DPanic|Panic|Fatal)(f|w|ln|S|Context)?$"
)
# printf verbs: %v, %+v, %s, %d, %-10s, %.2f, %w, %q, %%
VERB = re.compile(r"%[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[a-zA-Z%]")
# Methods that add fields to a logrus entry or a zap/slog/hclog logger without logging.
CHAIN_LINKS = ("WithError", "WithField", "WithFields", "WithContext", "WithTime", "With", "Named")
# A receiver that names a logger: log, logger, s.logger, lg, sugar, l.
LOGGER_NAME = re.compile(r"(?i)(log|^lg$|^l$|sugar)")
ZAP_FIELD = re.compile(r"^(zap|zapcore)\.\w+$")
SLOG_ATTR = re.compile(r"^slog\.(Any|String|Int|Int64|Uint64|Float64|Bool|Time|Duration|Group)$")


MAJOR_VERSION = re.compile(r"/v\d+$")


@per_text
def libraries(document: ParsedDocument) -> dict[str, str]:
    """Local package name -> library for the file's logging imports (`log` for the standard
    `log`, `zap`, `slog`, ...)."""
    found = {}
    for name, path in imports(document).items():
        if path == "log":
            found[name] = "log"
            continue
        unversioned = MAJOR_VERSION.sub("", path)
        for prefix, library in LIBRARY_PATHS:
            if path == prefix or unversioned == prefix and unversioned != path:
                found[name] = library
                break
    return found


def _chain(
    node: tree_sitter.Node,
) -> tuple[tree_sitter.Node, list[tuple[str, tree_sitter.Node | None]]]:
    """Split a receiver into its root and the calls on it: `log.G(ctx).WithError(err)` ->
    (`log`, [(G, args), (WithError, args)]); a call's arguments are None when missing."""
    links: list[tuple[str, tree_sitter.Node | None]] = []
    while True:
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            operand = function.child_by_field_name("operand") if function is not None else None
            if (
                function is not None
                and function.type == "selector_expression"
                and operand is not None
            ):
                links.append(
                    (
                        text(function.child_by_field_name("field")),
                        node.child_by_field_name("arguments"),
                    )
                )
                node = operand
                continue
        if node.type == "parenthesized_expression" and node.named_children:
            node = node.named_children[0]
            continue
        break
    return node, list(reversed(links))


def _root_name(node: tree_sitter.Node) -> str:
    """`log` of `log.G(ctx)` or `log.Default`; '' when the tree has no such name."""
    current: tree_sitter.Node | None = node
    while current is not None and current.type == "selector_expression":
        current = current.child_by_field_name("operand")
    while current is not None and current.type == "call_expression":
        current = current.child_by_field_name("function")
        while current is not None and current.type == "selector_expression":
            current = current.child_by_field_name("operand")
    return text(current)


def _arguments(arguments: tree_sitter.Node | None) -> list[tree_sitter.Node]:
    if arguments is None:
        return []
    return [child for child in arguments.named_children if child.type != "comment"]


def _is_string(node: tree_sitter.Node) -> bool:
    return node.type in ("interpreted_string_literal", "raw_string_literal")


def _literal(node: tree_sitter.Node) -> str:
    raw = text(node)
    return raw[1:-1] if len(raw) >= 2 else raw


def clean_message(literal: str) -> str:
    """A format string's words without its verbs: `failed to dial %s: %v` -> `failed to dial:`."""
    words = (
        VERB.sub(lambda verb: "%" if verb[0] == "%%" else "", literal)
        .replace("\\n", " ")
        .replace("\\t", " ")
    )
    words = re.sub(r"\(\s*\)|\[\s*\]|''|\"\"|\\\"\\\"", "", words)
    words = re.sub(r"\s+([:,;.])", r"\1", words)
    return re.sub(r"\s+", " ", words).strip()


def _library(names: tuple[str, str], links, method, suffix, arguments, known) -> str | None:
    """The library of a call on a receiver whose root and last names are `names`, or None when
    it is not a log call."""
    receiver_root, receiver_last = names
    link_names = [name for name, _ in links]
    library = known.get(receiver_root)
    if library == "log" and any(
        name in ("G", "L", "WithError", "WithField", "WithFields") for name in link_names
    ):
        library = "logrus"
    if library is None and receiver_root in ("logrus", "klog", "slog", "capnslog"):
        library = receiver_root
    if library is None and receiver_last == "plog" or receiver_root == "plog":
        library = "capnslog"
    if library is None and any(
        name in ("WithError", "WithField", "WithFields") for name in link_names
    ):
        library = "logrus" if "logrus" in known.values() or not known else None
    if library is None:
        if not any(
            LOGGER_NAME.search(name) for name in (receiver_root, receiver_last, *link_names)
        ):
            return None
        library = _library_by_shape(method, suffix, arguments, set(known.values()), link_names)
    if library == "zap" and (
        suffix in ("w", "f", "ln") or "S" in link_names or "Sugar" in link_names
    ):
        library = "zap-sugar"
    if library == "log" and method not in ("Print", "Fatal", "Panic"):
        return None
    if library == "klog" and suffix in ("w", "Context"):
        return None
    return library


def _last_name(node: tree_sitter.Node) -> str:
    """The last identifier of a receiver: `lg` of `clus.lg`, `Logger` of `s.Logger()`."""
    while node.type in ("call_expression", "parenthesized_expression"):
        inner = node.child_by_field_name("function") or (
            node.named_children[0] if node.named_children else None
        )
        if inner is None:
            break
        node = inner
    if node.type == "selector_expression":
        return text(node.child_by_field_name("field"))
    return text(node)


def _library_by_shape(method, suffix, arguments, imported: set[str], link_names) -> str | None:
    """The library of a call on a logger variable, from the file's imports and the call's
    arguments."""
    texts = [text(a) for a in arguments]
    has_zap_fields = any(ZAP_FIELD.match(t.split("(")[0]) for t in texts if "(" in t)
    if "zap" in imported and (has_zap_fields or suffix == "w" or "Sugar" in link_names):
        return "zap"
    for library in ("hclog", "slog", "logrus", "zap", "klog"):
        if library in imported:
            return library
    if suffix == "w":
        return "zap"
    if has_zap_fields:
        return "zap"
    if method == "Print" or suffix in ("f", "ln"):
        return "log"
    if (
        len(arguments) > 1
        and len(arguments) % 2 == 1
        and all(_is_string(a) for a in arguments[1::2])
    ):
        return "hclog" if method == "Trace" else "slog"
    return "log" if method in ("Print", "Fatal", "Panic") else "slog"


def _values_and_error(library, suffix, arguments, links):
    """(message node, values, error) of a log call's arguments and of its chain's fields."""
    values: list[str] = []
    error = None
    message = None
    args = list(arguments)
    if suffix == "Context" and args:
        args = args[1:]
    if library == "klog" and suffix == "S" and args:
        error = text(args[0]) if text(args[0]) != "nil" else None
        if error:
            values.append(error)
        args = args[1:]
    for name, link_args in links:
        link_values = _arguments(link_args)
        if name == "WithError" and link_values:
            error = error or text(link_values[0])
            values.append(text(link_values[0]))
        elif name == "WithField" and len(link_values) >= 2:
            values.append(text(link_values[1]))
        elif name == "WithFields" and link_values:
            values += _keyed_values(link_values[0])
        elif name == "With":
            found, found_error = _pairs(library, link_values)
            values += found
            error = error or found_error
    if args and _is_string(args[0]):
        message, args = args[0], args[1:]
    elif (
        args and suffix not in ("f", "w", "S") and library in ("log", "logrus", "klog", "zap-sugar")
    ):
        literals = [a for a in args if _is_string(a)]
        message = literals[0] if literals else None
        args = [a for a in args if not _is_string(a)]
    elif args and library in ("slog", "hclog", "zap"):
        args = args[1:]
    if (
        library in ("slog", "hclog", "zap")
        or (library == "zap-sugar" and suffix == "w")
        or (library == "klog" and suffix == "S")
    ):
        found, found_error = _pairs(library, args)
    else:
        found = [text(a) for a in args if not _is_string(a)]
        found_error = next((v for v in found if ERROR_NAME.match(v)), None)
    values += found
    error = error or found_error
    return message, values, error


def _keyed_values(literal: tree_sitter.Node) -> list[str]:
    """The values of `logrus.Fields{"k": v}`."""
    body = literal.child_by_field_name("body") if literal.type == "composite_literal" else None
    if body is None:
        return [text(literal)]
    found = []
    for element in body.named_children:
        if element.type == "keyed_element":
            value = element.child_by_field_name("value")
            if value is not None:
                found.append(text(value.named_children[0] if value.named_children else value))
    return found


def _pairs(library: str, args) -> tuple[list[str], str | None]:
    """Values and the error of key-value pairs, zap fields and slog attributes."""
    values: list[str] = []
    error = None
    index = 0
    while index < len(args):
        node = args[index]
        function = node.child_by_field_name("function") if node.type == "call_expression" else None
        called = text(function)
        inner = _arguments(node.child_by_field_name("arguments")) if function is not None else []
        if function is not None and (ZAP_FIELD.match(called) or SLOG_ATTR.match(called)):
            if called.endswith((".Error", ".NamedError")) and inner:
                error = error or text(inner[-1])
            if inner:
                values.append(text(inner[-1]))
            index += 1
            continue
        if _is_string(node) and index + 1 < len(args):
            key, value = _literal(node), text(args[index + 1])
            values.append(value)
            if key in ("error", "err") or ERROR_NAME.match(value):
                error = error or value
            index += 2
            continue
        values.append(text(node))
        if ERROR_NAME.match(text(node)):
            error = error or text(node)
        index += 1
    return values, error


def _level(library: str, word: str, links) -> str | None:
    if library == "klog" and any(name == "V" for name, _ in links):
        return "debug"
    return LEVEL_WORDS.get(word)


def _logger_text(receiver: tree_sitter.Node, links) -> str:
    """The logger as written, without the fields the call chains onto it."""
    node: tree_sitter.Node | None = receiver
    kept = len(links)
    while kept and links[kept - 1][0] in CHAIN_LINKS:
        kept -= 1
    for _ in range(len(links) - kept):
        function = node.child_by_field_name("function") if node is not None else None
        node = function.child_by_field_name("operand") if function is not None else None
    return text(node)


def _statement_of(call: tree_sitter.Node) -> tree_sitter.Node:
    node = call
    while node.parent is not None and node.parent.type not in ("statement_list", "source_file"):
        if node.parent.type in FUNCTIONS or node.parent.type == "block":
            break
        node = node.parent
    return node


def _sibling(statement: tree_sitter.Node, forward: bool) -> tree_sitter.Node | None:
    """The statement before or after `statement` in its list, comments skipped."""
    node = statement.next_named_sibling if forward else statement.prev_named_sibling
    while node is not None and node.type == "comment":
        node = node.next_named_sibling if forward else node.prev_named_sibling
    return node


def _site_kind(statement: tree_sitter.Node, function) -> str:
    holder = statement.parent
    if holder is None or function is None or holder.type != "statement_list":
        return "other"
    holder = holder.parent if holder.parent is not None else holder
    previous, following = _sibling(statement, False), _sibling(statement, True)
    return placement(holder, previous, following, function).kind


def logged_calls(document: ParsedDocument) -> tuple[LoggedCall, ...]:
    """Every log statement of the file, in document order (see `LoggedCall`)."""
    try:
        root = document.tree.root_node
        known = libraries(document)
        found = []
        for call in captures("logging", root, "go").get("call", []):
            logged = _read_call(call, known)
            if logged is not None:
                found.append(logged)
        return tuple(sorted(found, key=lambda c: (c.start_line, c.text)))
    except READ_ERRORS:
        return ()


def _read_call(call: tree_sitter.Node, known: dict[str, str]) -> LoggedCall | None:
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return None
    parent = call.parent
    if parent is not None and parent.type == "selector_expression":
        return None  # a link of a longer chain: the chain's last call is the log call
    method = text(function.child_by_field_name("field"))
    matched = METHOD.match(method)
    if matched is None:
        return None
    word, suffix = matched.group(1), matched.group(2) or ""
    receiver = function.child_by_field_name("operand")
    if receiver is None:
        return None
    root, links = _chain(receiver)
    arguments = _arguments(call.child_by_field_name("arguments"))
    root_name = _root_name(root) if root.type != "identifier" else text(root)
    names = (root_name, _last_name(receiver))
    library = _library(names, links, word, suffix, arguments, known)
    if library is None or (library == "zap" and not links and known.get(root_name) == "zap"):
        return None  # zap.Error(err), zap.String(...): a field, not a log call
    if library in ("slog", "hclog", "zap") and suffix in ("f", "ln", "w"):
        return None
    message_node, values, error = _values_and_error(library, suffix, arguments, links)
    statement = _statement_of(call)
    function_node = enclosing(call, FUNCTIONS)
    around = function_info(function_node) if function_node is not None else None
    return LoggedCall(
        start_line=statement.start_point[0],
        end_line=statement.end_point[0],
        text=text(statement),
        library=library,
        logger=_logger_text(receiver, links),
        level=_level(library, word, links),
        message=clean_message(_literal(message_node)) if message_node is not None else None,
        values=tuple(values),
        error=error,
        function=around.name if around is not None else None,
        site_kind=_site_kind(statement, function_node),
        owner=around.class_name if around is not None else None,
    )
