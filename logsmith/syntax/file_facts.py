"""Logging facts of one file, as tree-sitter sees them: loggers defined, log calls made, imports."""

from __future__ import annotations

from dataclasses import dataclass

from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.languages import matches
from logsmith.vocabulary import LOGGER_WORD

FACTORIES = {
    "logging.getLogger": "logging",
    "getLogger": "logging",
    "logging.get_logger": "logging",
    "structlog.get_logger": "structlog",
    "structlog.getLogger": "structlog",
    "structlog.stdlib.get_logger": "structlog",
    "get_logger": "logging",
    "get_task_logger": "logging",
}


@dataclass(frozen=True)
class LogCall:
    """One log call of the file: its receiver, level, arguments and where it is."""

    receiver: str
    level: str
    arguments: str
    line: int
    first_argument: str | None
    """Kind of the message argument: fstring, percent, format, plain, event (structlog), other."""
    quote: str | None
    in_except: bool
    in_class: str | None
    text: str


@dataclass(frozen=True)
class LoggerDefinition:
    """A logger the file defines: its name, framework and where."""

    name: str
    """`logger`, or `self.log` for an attribute."""
    framework: str
    line: int
    class_name: str | None
    module_level: bool


@dataclass(frozen=True)
class TopImport:
    """An import statement at the top level of the file."""

    start_line: int
    end_line: int
    module: str
    """The module it names first (`os.path` for `import os.path, sys`; `.` for a relative one)."""
    plain: bool
    """`import x` rather than `from x import y`."""
    binds: tuple[str, ...] = ()
    """The modules a plain import binds: `logging` for `import logging.handlers`, `log` for
    `import logging as log`; none for a `from` import."""


@dataclass(frozen=True)
class FileFacts:
    """The logging facts of one file: log calls, logger definitions, imports, where imports go."""

    calls: tuple[LogCall, ...]
    definitions: tuple[LoggerDefinition, ...]
    imports: frozenset[str]
    """Modules imported (`logging`, `structlog`, `loguru`)."""
    loguru_logger: str | None
    """The local name of loguru's logger, when imported."""
    last_import_line: int
    """0-based line after which a new import goes (-1: top of file, after a docstring)."""
    docstring_end_line: int
    """0-based last line of the module docstring, or -1."""
    header_end_line: int = -1
    """0-based last line of the comments that open the file (#!, coding cookie, licence), or -1."""
    top_imports: tuple[TopImport, ...] = ()
    """The top-level imports in order, `from __future__` ones left out."""
    class_bases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(class, the simple names of its bases) for the file's classes that derive from others."""

    def lineage(self, class_name: str) -> frozenset[str]:
        """`class_name` and the classes of the file it derives from, at any depth."""
        bases = dict(self.class_bases)
        found = {class_name}
        waiting = [class_name]
        while waiting:
            for base in bases.get(waiting.pop(), ()):
                if base not in found:
                    found.add(base)
                    waiting.append(base)
        return frozenset(found)

    @property
    def bound_modules(self) -> frozenset[str]:
        """The module names the file's top-level `import` statements bind (`TopImport.binds`)."""
        return frozenset(name for found in self.top_imports for name in found.binds)

    @property
    def import_line(self) -> int:
        """Where a new import goes: after the last import,
        else after the docstring and header comments."""
        if self.last_import_line >= 0:
            return self.last_import_line + 1
        return max(self.docstring_end_line, self.header_end_line) + 1


def is_logger_call(call: LogCall, facts: FileFacts) -> bool:
    """Whether `call` is made on a logger: one the file defines, `logging`, loguru's, or a
    receiver named like a logger."""
    defined = {d.name for d in facts.definitions} | {
        d.name.split(".")[-1] for d in facts.definitions
    }
    receiver = call.receiver
    return (
        receiver in defined
        or receiver == "logging"
        or receiver == facts.loguru_logger
        or bool(LOGGER_WORD.search(receiver.split(".")[-1]))
    )


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _enclosing(node, types):
    node = node.parent
    while node is not None and node.type not in types:
        node = node.parent
    return node


def _message_kind(arguments) -> tuple[str | None, str | None]:
    args = [a for a in arguments.named_children if a.type != "comment"]
    if not args:
        return None, None
    first = args[0]
    if first.type == "string":
        raw = _text(first)
        prefix = raw[: len(raw) - len(raw.lstrip("rbuRBUfF"))]
        quote = raw[len(prefix)] if len(raw) > len(prefix) else None
        if "f" in prefix.lower():
            return "fstring", quote
        if len(args) > 1 and args[1].type != "keyword_argument" and "%" in raw:
            return "percent", quote
        if "%" in raw and len(args) > 1:
            return "percent", quote
        if (
            len(args) > 1
            and all(a.type == "keyword_argument" for a in args[1:])
            and not any(
                _text(a).startswith(("exc_info", "extra", "stack_info", "stacklevel"))
                for a in args[1:]
            )
        ):
            return "event", quote
        return "plain", quote
    if first.type == "call":
        fn = first.child_by_field_name("function")
        if fn is not None and _text(fn).endswith(".format"):
            inner = fn.child_by_field_name("object")
            raw = _text(inner) if inner is not None else ""
            return "format", (raw[:1] if raw[:1] in "\"'" else None)
    if first.type == "binary_operator" and "%" in _text(first):
        return "percent-eager", None
    return "other", None


def _top_import(node) -> TopImport:
    if node.type != "import_statement":
        named = node.child_by_field_name("module_name")
        module = _text(named) if named is not None and named.type == "dotted_name" else "."
        return TopImport(node.start_point[0], node.end_point[0], module, False)
    modules, binds = [], []
    for named in node.children_by_field_name("name"):
        alias = named.child_by_field_name("alias") if named.type == "aliased_import" else None
        dotted = named.child_by_field_name("name") if named.type == "aliased_import" else named
        modules.append(_text(dotted))
        binds.append(_text(alias) if alias is not None else _text(dotted).split(".")[0])
    return TopImport(node.start_point[0], node.end_point[0], modules[0], True, tuple(binds))


def file_facts(document: ParsedDocument) -> FileFacts:
    """Scan the whole file once; the result is cached by callers per document version."""
    root = document.tree.root_node
    imports: set[str] = set()
    loguru_logger = None
    last_import_line = -1
    docstring_end = -1
    top = [c for c in root.named_children if c.type != "comment"]
    if (
        top
        and top[0].type == "expression_statement"
        and top[0].named_children
        and top[0].named_children[0].type == "string"
    ):
        docstring_end = top[0].end_point[0]
    top_imports: list[TopImport] = []
    for child in root.named_children:
        if child.type in ("import_statement", "import_from_statement", "future_import_statement"):
            last_import_line = child.end_point[0]
        if child.type in ("import_statement", "import_from_statement"):
            top_imports.append(_top_import(child))
    header_end = -1
    for child in root.children:
        if child.type != "comment" or child.start_point[0] != header_end + 1:
            break
        header_end = child.end_point[0]
    definitions: list[LoggerDefinition] = []
    calls: list[LogCall] = []
    for found in matches("logging", root):
        if "import.module" in found:
            module = _text(found["import.module"][0]).split(".")[0]
            imports.add(module)
        elif "import.from" in found:
            module = _text(found["import.from"][0]).split(".")[0]
            imports.add(module)
            if module == "loguru" and _text(found["import.name"][0]) == "logger":
                loguru_logger = (
                    _text(found["import.alias"][0]) if "import.alias" in found else "logger"
                )
        elif "definition" in found:
            factory = _text(found["definition.factory"][0])
            framework = FACTORIES.get(factory)
            if framework is None:
                continue
            node = found["definition"][0]
            cls = _enclosing(node, ("class_definition",))
            func = _enclosing(node, ("function_definition",))
            if "definition.attribute" in found:
                owner = _text(found["definition.owner"][0])
                name = f"{owner}.{_text(found['definition.attribute'][0])}"
            else:
                name = _text(found["definition.name"][0])
                if cls is not None and func is None:
                    name = f"self.{name}"  # a class attribute logger is used as self.<name>
            definitions.append(
                LoggerDefinition(
                    name=name,
                    framework=framework,
                    line=node.start_point[0],
                    class_name=_text(cls.child_by_field_name("name")) if cls is not None else None,
                    module_level=cls is None and func is None,
                )
            )
        elif "call" in found:
            node = found["call"][0]
            kind, quote = _message_kind(found["call.arguments"][0])
            cls = _enclosing(node, ("class_definition",))
            calls.append(
                LogCall(
                    receiver=_text(found["call.receiver"][0]),
                    level=_text(found["call.level"][0]),
                    arguments=_text(found["call.arguments"][0]),
                    line=node.start_point[0],
                    first_argument=kind,
                    quote=quote,
                    in_except=_enclosing(node, ("except_clause",)) is not None,
                    in_class=_text(cls.child_by_field_name("name")) if cls is not None else None,
                    text=_text(node),
                )
            )
    class_bases = []
    for found in matches("classes", root):
        bases = found["class.bases"][0].named_children
        names = (
            _text(b).rsplit(".", 1)[-1] for b in bases if b.type in ("identifier", "attribute")
        )
        class_bases.append((_text(found["class.name"][0]), tuple(names)))
    return FileFacts(
        calls=tuple(calls),
        definitions=tuple(definitions),
        imports=frozenset(imports),
        loguru_logger=loguru_logger,
        last_import_line=last_import_line,
        docstring_end_line=docstring_end,
        header_end_line=header_end,
        top_imports=tuple(top_imports),
        class_bases=tuple(class_bases),
    )
