"""The log site at a cursor: where it is (function, class, branch, loop), what is in scope,
what was typed."""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import tree_sitter

from logsmith.syntax.cursor_line import CursorLine, cursor_line, indent_at
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.flow import bound_at, local_names, numeric_names, reachable
from logsmith.syntax.languages import captures, matches
from logsmith.syntax.tree_text import enclosing as _enclosing
from logsmith.syntax.tree_text import same_node as _same_node
from logsmith.syntax.tree_text import text as _text
from logsmith.syntax.usages import Usage, function_usages
from logsmith.vocabulary import LOGGER_WORD

SCOPES = ("function_definition", "class_definition", "lambda")
# What every module can read without binding it (not the builtins module's own dunders, `__repr__`).
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("__"))
# What the user may have typed on the line: a logger expression, a dot, a level, an opening call.
TYPED = re.compile(
    r"""^(?P<logger>[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*?)?
        (?:\.(?P<level>[A-Za-z_]*)
            (?:\((?P<open>\s*(?P<prefix>[fF]?(?P<quote>["']))?(?P<message>[^"'\\]*))?)?
        )?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Typed:
    """What is already on the cursor's line before the cursor."""

    text: str = ""
    logger: str | None = None
    level_prefix: str | None = None
    opened_call: bool = False
    quote: str | None = None
    fstring: bool = False
    message: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class FunctionInfo:
    """The function around a site: name, parameters, class, decorators, where its body starts."""

    name: str
    parameters: tuple[str, ...]
    class_name: str | None
    is_async: bool
    start_line: int
    body_start_line: int
    decorators: tuple[str, ...] = ()
    docstring: str | None = None
    receiver: str | None = None
    """The name a Go method binds its receiver to (None when it is unnamed or `_`)."""


@dataclass(frozen=True)
class LogSite:
    """Everything the planners need to know about one place in a file."""

    line: int
    character: int
    indent: str
    typed: Typed
    kind: str
    """except, entry, return, raise, loop, finally, else or other."""
    function: FunctionInfo | None
    names: tuple[str, ...]
    """Names bound before the cursor in its scope, nearest first (parameters included)."""
    module_names: frozenset[str]
    loop_variables: tuple[str, ...] = ()
    exception_name: str | None = None
    exception_types: tuple[str, ...] = ()
    in_except: bool = False
    reraises: bool = False
    recovers: str | None = None
    """How an except block ends without re-raising: return, continue, break, pass, value or None."""
    before: str | None = None
    """`return` or `raise` when the next statement in the block is one."""
    next_statement: str = ""
    previous_statement: str = ""
    return_value: str | None = None
    raise_value: str | None = None
    self_attributes: tuple[str, ...] = ()
    initialised_attributes: frozenset[str] = frozenset()
    """`self.x` every instance has at the cursor: assigned by a statement of the class's own
    `__init__` itself (not one inside an if, loop or try), before the cursor in `__init__`."""
    usages: tuple[Usage, ...] = ()
    """How the function uses its names and attribute chains before the cursor
    (and in the rest of its block)."""
    after_cursor: str = ""
    syntax_error: bool = False
    notes: tuple[str, ...] = field(default=())
    unbound_names: frozenset[str] = frozenset()
    """Names local to the cursor's scope that some path to the cursor leaves unbound: never logged,
    even where a global or builtin has the same name."""
    numeric_names: frozenset[str] = frozenset()
    """Names that certainly hold a number at the cursor (`%d` may format them)."""
    function_values: frozenset[str] = frozenset()
    """Names that hold a function at the cursor (a Go `func` parameter or local): never logged."""
    reachable: bool = True
    """False after a return, raise, continue or break: a statement here would never run."""

    @property
    def in_function(self) -> bool:
        return self.function is not None

    @property
    def fits_log(self) -> bool:
        """A log statement belongs here without being asked for."""
        if not self.in_function or not self.typed.is_empty:
            return False
        return self.kind in ("except", "entry", "return", "raise")

    def in_scope(self, name: str) -> bool:
        """Whether `name` (or the root of a chain) is bound on every path that reaches the
        cursor."""
        root = name.split(".", 1)[0]
        if root in self.unbound_names:
            return False
        return root in self.names or root in self.module_names or root in BUILTIN_NAMES


def _python_formats(found: re.Match) -> bool:
    """Whether the opened string is an f-string."""
    return bool(found["prefix"] and found["prefix"][0] in "fF")


def unplaced_site(
    cursor: CursorLine,
    typed: Typed,
    function: FunctionInfo | None = None,
    names: tuple[str, ...] = (),
    module_names: frozenset[str] = frozenset(),
    syntax_error: bool = True,
) -> LogSite:
    """The site at a cursor whose statement could not be placed in the tree (the text around it
    does not parse, or reading it failed): kind `other`, with the function and names found."""
    return LogSite(
        cursor.line,
        cursor.character,
        cursor.indent,
        typed,
        "other",
        function,
        names,
        module_names,
        after_cursor=cursor.after,
        syntax_error=syntax_error,
    )


def parse_typed(
    text: str,
    pattern: re.Pattern = TYPED,
    formats: Callable[[re.Match], bool] = _python_formats,
) -> Typed:
    """What `text` (the cursor's line before it) holds, read with `pattern` (a language's
    `TYPED`: groups logger, level, open, quote, message); `formats` tells from the match whether
    the opened string formats values itself (Python's f-string)."""
    stripped = text.strip()
    if not stripped:
        return Typed()
    # spaces at the end of a message the user is typing are part of it; anywhere else they are not
    found = pattern.match(text.lstrip())
    if found and found["quote"]:
        stripped = text.lstrip()
    else:
        found = pattern.match(stripped)
    if not found:
        return Typed(text=stripped)
    if found["level"] is None and found["logger"] and "." not in stripped:
        return Typed(text=stripped, logger=found["logger"])
    return Typed(
        text=stripped,
        logger=found["logger"],
        level_prefix=found["level"],
        opened_call=found["open"] is not None,
        quote=found["quote"],
        fstring=formats(found),
        message=found["message"],
    )


def _statement_at(root, point: tuple[int, int]):
    """The statement node that starts at `point` (the placeholder we put there)."""
    row = point[0]
    node = root.named_descendant_for_point_range(point, (row, point[1] + 4))
    best = None
    while node is not None:
        if (
            node.start_point[0] == row
            and node.parent is not None
            and node.parent.type in ("block", "module")
        ):
            best = node
            break
        node = node.parent
    return best


def _function_info(func) -> FunctionInfo:
    params = tuple(
        _text(n)
        for n in captures("parameters", func.child_by_field_name("parameters")).get("parameter", [])
    )
    owner = _enclosing(func, SCOPES)
    decorated = (
        func.parent
        if func.parent is not None and func.parent.type == "decorated_definition"
        else None
    )
    decorators = tuple(
        _text(d).lstrip("@")
        for d in (decorated.named_children if decorated else [])
        if d.type == "decorator"
    )
    body = func.child_by_field_name("body")
    docstring = None
    first = body.named_children[0] if body is not None and body.named_children else None
    if (
        first is not None
        and first.type == "expression_statement"
        and first.named_children
        and first.named_children[0].type == "string"
    ):
        docstring = _text(first.named_children[0]).strip("\"' \n")
    return FunctionInfo(
        name=_text(func.child_by_field_name("name")),
        parameters=params,
        class_name=_text(owner.child_by_field_name("name"))
        if owner is not None and owner.type == "class_definition"
        else None,
        is_async=_text(func).startswith("async"),
        start_line=func.start_point[0],
        body_start_line=body.start_point[0] if body is not None else func.start_point[0],
        decorators=decorators,
        docstring=docstring,
    )


def _in_scope_of(node, scope) -> bool:
    """True when the nearest scope around `node` is `scope`."""
    owner = _enclosing(node, SCOPES)
    return (owner is None and scope is None) or (
        owner is not None and scope is not None and owner.id == scope.id
    )


def _bindings(scope, root, before_byte: int, cursor_node) -> list[str]:
    """Names bound in `scope` (a function or class node; None for the module) before `before_byte`,
    nearest first."""
    searched = scope.child_by_field_name("body") if scope is not None else root
    names: list[tuple[int, str]] = []
    for key, nodes in captures("bindings", searched).items():
        for node in nodes:
            if node.start_byte >= before_byte or not _in_scope_of(node, scope):
                continue
            target = node.parent
            clause = _enclosing(node, ("except_clause",))
            if (
                clause is not None
                and target is not None
                and target.type == "as_pattern_target"
                and _same_node(_enclosing(target, ("except_clause", "with_statement")), clause)
            ):
                # `except E as e`: e is deleted when the clause ends.
                if not (clause.start_byte <= cursor_node.start_byte < clause.end_byte):
                    continue
            names.append((node.start_byte, _text(node)))
    names.sort(reverse=True)
    return list(dict.fromkeys(name for _, name in names))


def _block_position(statement):
    """(previous sibling statement, next sibling statement) inside the statement's block."""
    prev_node = statement.prev_named_sibling
    while prev_node is not None and prev_node.type == "comment":
        prev_node = prev_node.prev_named_sibling
    next_node = statement.next_named_sibling
    while next_node is not None and next_node.type == "comment":
        next_node = next_node.next_named_sibling
    return prev_node, next_node


def _except_facts(clause, statement) -> tuple[str | None, tuple[str, ...], bool, str | None]:
    name: str | None = None
    types: list[str] = []
    for child in clause.named_children:
        if child.type == "block":
            continue
        if child.type == "as_pattern":
            alias = child.child_by_field_name("alias")
            if alias is not None:
                name = _text(alias)
            exprs = [c for c in child.named_children if c.type != "as_pattern_target"]
            for expr in exprs:
                types.extend(
                    _text(t) for t in (expr.named_children if expr.type == "tuple" else [expr])
                )
        elif child.type not in ("comment",):
            types.extend(
                _text(t) for t in (child.named_children if child.type == "tuple" else [child])
            )
    body = clause.child_by_field_name("body") or next(
        (c for c in clause.named_children if c.type == "block"), None
    )
    reraises = False
    recovers = None
    if body is not None:
        stack = list(body.named_children)
        while stack:
            node = stack.pop()
            if node.type == "raise_statement":
                reraises = True
            if node.type not in SCOPES:
                stack.extend(node.named_children)
        last = [c for c in body.named_children if c.type != "comment" and c.id != statement.id]
        if last and not reraises:
            kind = last[-1].type
            recovers = {
                "return_statement": "return",
                "continue_statement": "continue",
                "break_statement": "break",
                "pass_statement": "pass",
            }.get(kind, "value")
        elif not reraises:
            recovers = "pass"
    return name, tuple(types), reraises, recovers


def _self_attributes(func, class_node) -> tuple[str, ...]:
    """`self.x` attributes assigned anywhere in the class, e.g. self.host
    (the last assigned first)."""
    if class_node is None or func is None:
        return ()
    params = captures("parameters", func.child_by_field_name("parameters")).get("parameter", [])
    if not params or _text(params[0]) != "self":
        return ()
    attrs = [
        _text(node) for node in reversed(captures("attributes", class_node).get("attribute", []))
    ]
    return tuple(dict.fromkeys(attrs))


def _log_argument_ranges(func) -> list[tuple[int, int]]:
    """Byte ranges of the argument lists of the log calls in `func` (`logger.info(...)`,
    `self.log.error(...)`)."""
    ranges = []
    for found in matches("logging", func):
        receiver, arguments = found.get("call.receiver"), found.get("call.arguments")
        if receiver and arguments and LOGGER_WORD.search(_text(receiver[0]).rsplit(".", 1)[-1]):
            ranges.append((arguments[0].start_byte, arguments[0].end_byte))
    return ranges


def _module_names(root) -> frozenset[str]:
    """Names bound at module level. Function and class bodies bind nothing there (nor does a def's
    own name count, see `_enclosing`), so only the other top-level statements are searched."""
    names: set[str] = set()
    for child in root.named_children:
        if child.type in SCOPES:
            continue
        if child.type == "decorated_definition":  # only its decorators run at module level
            parts = [part for part in child.named_children if part.type == "decorator"]
        else:
            parts = [child]
        for part in parts:
            for nodes in captures("bindings", part).values():
                names.update(_text(node) for node in nodes if _enclosing(node, SCOPES) is None)
    names.update({"__name__", "__file__"})
    return frozenset(names)


def module_names_of(document: ParsedDocument) -> frozenset[str]:
    """Names bound at module level in `document`, worked out once per text."""
    cache = document.cache
    if cache.module_names is None:
        cache.module_names = _module_names(document.tree.root_node)
    return cache.module_names


def _initialised_attributes(function: FunctionInfo | None, class_node, statement) -> frozenset[str]:
    """The `self.x` that the class's `__init__` assigns by a statement of its own body (one inside
    an if, loop or try may not run), before `statement` when that is in `__init__`; none unless
    the cursor is in a method whose first parameter is `self`."""
    if function is None or function.class_name is None or function.parameters[:1] != ("self",):
        return frozenset()
    body = class_node.child_by_field_name("body") if class_node is not None else None
    init = next(
        (
            child
            for child in (body.named_children if body is not None else ())
            if child.type == "function_definition"
            and _text(child.child_by_field_name("name")) == "__init__"
        ),
        None,
    )
    init_body = init.child_by_field_name("body") if init is not None else None
    if init_body is None:
        return frozenset()
    found: set[str] = set()
    for line in init_body.named_children:
        if line.start_byte <= statement.start_byte < line.end_byte:
            break
        if line.type == "expression_statement":
            found.update(_text(node) for node in captures("attributes", line).get("attribute", []))
    return frozenset(found)


def _self_attributes_cached(document: ParsedDocument, func, class_node) -> tuple[str, ...]:
    key = (
        class_node.start_byte if class_node is not None else None,
        func.start_byte if func is not None else None,
    )
    found = document.cache.self_attributes.get(key)
    if found is None:
        found = document.cache.self_attributes[key] = _self_attributes(func, class_node)
    return found


PROBE = "pass"  # what the cursor's line is read as, whatever is typed on it


def parse_for_site(source: str, line: int, character: int) -> ParsedDocument:
    """`source` parsed for one request at (line, character): when that line is blank it is parsed
    with the site's probe already in place, so `site_at` needs no second parse."""
    return ParsedDocument.probed(
        source, line, lambda blank: indent_at(blank, min(max(character, 0), len(blank))) + PROBE
    )


@dataclass(frozen=True)
class Placement:
    """Where a statement sits in its function: the kind of site, the loops and the handler around
    it, and its neighbours in the block. The same for a blank line at the cursor and for a log
    statement already written (the project index reads its own with it)."""

    kind: str
    loop_variables: tuple[str, ...]
    exception_name: str | None
    exception_types: tuple[str, ...]
    in_except: bool
    reraises: bool
    recovers: str | None
    before: str | None
    previous: tree_sitter.Node | None
    """The previous statement's node in the block (comments skipped), or None."""
    next: tree_sitter.Node | None
    """The next statement's node in the block (comments skipped), or None."""


def placement(statement, func_node) -> Placement:
    """The placement of `statement` (a node whose parent is a block) inside `func_node` (or the
    module when None)."""
    loop_vars: list[str] = []
    kind = "other"
    exception_name: str | None = None
    exception_types: tuple[str, ...] = ()
    recovers: str | None = None
    reraises, in_except = False, False
    block = statement.parent
    owner = block.parent if block is not None else None
    node = statement
    while node is not None and (func_node is None or node.id != func_node.id):
        parent = node.parent
        if (
            parent is not None
            and parent.type in ("for_statement", "while_statement")
            and node.type == "block"
        ):
            if parent.type == "for_statement":
                left = parent.child_by_field_name("left")
                loop_vars += [
                    _text(n)
                    for n in ([left] if left.type == "identifier" else left.named_children)
                    if n.type == "identifier"
                ]
        if parent is not None and parent.type == "except_clause" and not in_except:
            in_except = True
            exception_name, exception_types, reraises, recovers = _except_facts(parent, statement)
        node = parent

    prev_node, next_node = _block_position(statement)
    before_kind = None
    if next_node is not None and next_node.type in ("return_statement", "raise_statement"):
        before_kind = "return" if next_node.type == "return_statement" else "raise"
    if owner is not None and owner.type == "except_clause":
        kind = "except"
    elif in_except and before_kind is None:
        kind = "except"
    elif owner is not None and owner.type == "finally_clause":
        kind = "finally"
    elif (
        func_node is not None
        and owner is not None
        and owner.id == func_node.id
        and (
            prev_node is None
            or (
                prev_node.type == "expression_statement"
                and prev_node.named_children
                and prev_node.named_children[0].type == "string"
                and prev_node.prev_named_sibling is None
            )
        )
    ):
        kind = "entry"
    elif before_kind is not None:
        kind = before_kind
    elif owner is not None and owner.type == "else_clause":
        kind = "else"
    elif loop_vars or (owner is not None and owner.type in ("for_statement", "while_statement")):
        kind = "loop"

    return Placement(
        kind,
        tuple(loop_vars),
        exception_name,
        tuple(exception_types),
        in_except,
        reraises,
        recovers,
        before_kind,
        prev_node,
        next_node,
    )


def site_at(document: ParsedDocument, line: int, character: int) -> LogSite:
    """Describe the site at (line, character). The cursor's line is analysed as if it held a plain
    statement, so that a half-typed `logger.` does not disturb the tree."""
    cursor = cursor_line(document, line, character)
    line, character, indent, after = cursor.line, cursor.character, cursor.indent, cursor.after
    typed = parse_typed(cursor.before)
    probe = document.with_line(line, indent + PROBE)
    root = probe.tree.root_node
    statement = _statement_at(root, probe.point(line, len(indent)))
    if statement is None:
        return unplaced_site(
            cursor, typed, module_names=module_names_of(document), syntax_error=root.has_error
        )

    func_node = _enclosing(statement, ("function_definition",))
    scope_node = _enclosing(statement, SCOPES)
    class_node = _enclosing(func_node, ("class_definition",)) if func_node is not None else None
    function = _function_info(func_node) if func_node is not None else None

    names: list[str] = []
    unbound: set[str] = set()
    numeric: frozenset[str] = frozenset()
    module_names = module_names_of(document)
    if (
        func_node is not None
        and function is not None
        and scope_node is not None
        and scope_node.id == func_node.id
    ):
        definite = bound_at(func_node, statement)
        names = [
            n for n in _bindings(func_node, root, statement.start_byte, statement) if n in definite
        ]
        names += [p for p in reversed(function.parameters) if p not in names]
        unbound = set(local_names(func_node) - definite)
        numeric = numeric_names(func_node, statement, definite)
    elif scope_node is None:
        # module level: a module name bound later, or only on some paths, is not bound here
        unbound = set(module_names - bound_at(root, statement) - {"__name__", "__file__"})
    outer = _enclosing(func_node, ("function_definition",)) if func_node is not None else None
    # closures see the enclosing functions' names bound before the inner def
    while outer is not None:
        definite = bound_at(outer, statement)
        extra = [
            n for n in _bindings(outer, root, statement.start_byte, statement) if n in definite
        ]
        extra += list(_function_info(outer).parameters)
        names += [n for n in extra if n not in names]
        unbound |= set(local_names(outer) - definite) - set(names)
        outer = _enclosing(outer, ("function_definition",))

    place = placement(statement, func_node)
    kind, prev_node, next_node = place.kind, place.previous, place.next
    return_value = raise_value = None
    if next_node is not None and next_node.type == "return_statement" and next_node.named_children:
        return_value = _text(next_node.named_children[0])
    if next_node is not None and next_node.type == "raise_statement" and next_node.named_children:
        raise_value = _text(next_node.named_children[0])

    return LogSite(
        line=line,
        character=character,
        indent=indent,
        typed=typed,
        kind=kind,
        function=function,
        names=tuple(names),
        module_names=module_names,
        loop_variables=place.loop_variables,
        exception_name=place.exception_name,
        exception_types=place.exception_types,
        in_except=place.in_except,
        reraises=place.reraises,
        recovers=place.recovers,
        before=place.before,
        next_statement=_text(next_node).split("\n", 1)[0] if next_node is not None else "",
        previous_statement=_text(prev_node).split("\n", 1)[0] if prev_node is not None else "",
        return_value=return_value,
        raise_value=raise_value,
        usages=function_usages(
            func_node, statement, prev_node, next_node, _log_argument_ranges(func_node)
        )
        if func_node is not None
        else (),
        self_attributes=_self_attributes_cached(document, func_node, class_node),
        initialised_attributes=_initialised_attributes(function, class_node, statement),
        after_cursor=after,
        syntax_error=probe.tree.root_node.has_error and document.has_error,
        unbound_names=frozenset(unbound),
        numeric_names=numeric,
        reachable=reachable(statement),
    )
