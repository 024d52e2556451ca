"""Scopes of a Go file: its imports and package-level names, the functions around a node, the
names bound at a point, the `if err != nil` blocks and where a node sits in its block."""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from logsmith.syntax.document import ParsedDocument, per_text
from logsmith.syntax.languages import captures
from logsmith.syntax.site import FunctionInfo
from logsmith.syntax.tree_text import enclosing, text

FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")
# What holds statements: a block's statement list, or a case clause's.
STATEMENT_HOLDERS = (
    "statement_list",
    "expression_case",
    "default_case",
    "type_case",
    "communication_case",
)
# A name that holds an error: err, e, readErr, rerr, ErrTimeout, lastError (not stderr).
ERROR_NAME = re.compile(r"^(?!stderr$)(err|e|error|\w*Err|\w*err|\w*Error)$")
# What reading a broken tree may raise: the readers give a best effort instead.
READ_ERRORS = (ValueError, RecursionError, AttributeError, IndexError, TypeError, UnicodeError)
# Statements after which nothing in the same block runs.
ENDS_FLOW = ("return_statement", "break_statement", "continue_statement", "goto_statement")


@per_text
def imports(document: ParsedDocument) -> dict[str, str]:
    """Local package name -> import path (`zap` -> `go.uber.org/zap`, `lg` for an alias); blank
    and dot imports are left out."""
    found: dict[str, str] = {}
    root = document.tree.root_node
    for spec in captures("imports", root, "go").get("import.path", []):
        path = text(spec).strip('"`')
        alias = spec.parent.child_by_field_name("name") if spec.parent is not None else None
        if alias is not None:
            if text(alias) in ("_", "."):
                continue
            found[text(alias)] = path
        elif path:
            found[package_of(path)] = path
    return found


def package_of(path: str) -> str:
    """The name a package is used by: the last element of its path, without a major-version
    element (`k8s.io/klog/v2` -> `klog`) or a `go-` prefix (`go-hclog` -> `hclog`)."""
    parts = [part for part in path.split("/") if part]
    if not parts:
        return ""
    last = parts[-1]
    if re.fullmatch(r"v\d+", last) and len(parts) > 1:
        last = parts[-2]
    last = last.removeprefix("go-").removesuffix(".go")
    return re.sub(r"\W", "_", last)


@per_text
def package_names(document: ParsedDocument) -> frozenset[str]:
    """Package-level vars, consts, funcs and types of the file."""
    nodes = captures("package_names", document.tree.root_node, "go").get("package.name", [])
    return frozenset(text(node) for node in nodes)


def named_function(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """The function or method declaration around `node` (through function literals)."""
    return enclosing(node, ("function_declaration", "method_declaration"))


def parameter_names(function: tree_sitter.Node) -> list[str]:
    """Receiver, parameters and named results, in order."""
    names: list[str] = []
    for field in ("receiver", "parameters", "result"):
        part = function.child_by_field_name(field)
        if part is not None and part.type == "parameter_list":
            names += [text(n) for n in captures("bindings", part, "go").get("parameter", [])]
    return names


def parameter_type(document: ParsedDocument, line: int, name: str) -> str | None:
    """The type written for parameter (or receiver) `name` of the innermost function around
    `line` that declares one so named (`*zap.Logger` of `lg *zap.Logger`), or None."""
    node = document.tree.root_node.descendant_for_point_range((line, 0), (line, 0))
    function = enclosing(node, FUNCTIONS)
    while function is not None:
        for field in ("receiver", "parameters"):
            part = function.child_by_field_name(field)
            for declaration in part.named_children if part is not None else []:
                names = [text(n) for n in declaration.children_by_field_name("name")]
                written = declaration.child_by_field_name("type")
                if name in names and written is not None:
                    return text(written)
        function = enclosing(function, FUNCTIONS)
    return None


def function_values(function: tree_sitter.Node | None) -> frozenset[str]:
    """The names that hold a function in `function` and the functions around it: parameters of a
    `func` type, and locals declared with one or given a function literal. Logged, such a value
    prints an address, and vet refuses it in a format ("a func value, not called")."""
    found: set[str] = set()
    outermost = None
    current = function
    while current is not None:
        outermost = current
        part = current.child_by_field_name("parameters")
        for declaration in part.named_children if part is not None else []:
            written = declaration.child_by_field_name("type")
            if written is not None and written.type == "function_type":
                found.update(text(n) for n in declaration.children_by_field_name("name"))
        current = enclosing(current, FUNCTIONS)
    declarations = captures("bindings", outermost, "go") if outermost is not None else {}
    for node in dict.fromkeys(declarations.get("declaration", [])):
        if node.type == "var_spec":
            written = node.child_by_field_name("type")
            value = node.child_by_field_name("value")
            names = [text(n) for n in node.children_by_field_name("name")]
            if written is not None and written.type == "function_type":
                found.update(names)
            elif value is not None:
                found.update(_given_literals(names, value.named_children))
        elif node.type == "short_var_declaration":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None:
                names = [text(n) for n in left.named_children]
                found.update(_given_literals(names, right.named_children))
    return frozenset(found)


def _given_literals(names: list[str], values: list[tree_sitter.Node]) -> list[str]:
    return [name for name, value in zip(names, values) if value.type == "func_literal"]


def function_info(function: tree_sitter.Node) -> FunctionInfo:
    """FunctionInfo of a function, method or literal (a literal takes its declaring function's
    name, or `func`)."""
    named = function if function.type != "func_literal" else named_function(function)
    name = text(named.child_by_field_name("name")) if named is not None else "func"
    receiver_type = receiver_name = None
    owner = named if named is not None and named.type == "method_declaration" else None
    if owner is not None:
        receiver = owner.child_by_field_name("receiver")
        types = [n for n in _descendants(receiver) if n.type == "type_identifier"]
        receiver_type = text(types[0]) if types else None
        bound = captures("bindings", receiver, "go").get("parameter", []) if receiver else []
        receiver_name = text(bound[0]) if bound and text(bound[0]) != "_" else None
    body = function.child_by_field_name("body")
    return FunctionInfo(
        name=name,
        parameters=tuple(parameter_names(function)),
        class_name=receiver_type,
        is_async=function.parent is not None
        and function.parent.type == "call_expression"
        and function.parent.parent is not None
        and function.parent.parent.type == "go_statement",
        start_line=function.start_point[0],
        body_start_line=body.start_point[0] if body is not None else function.start_point[0],
        receiver=receiver_name,
    )


def _descendants(node: tree_sitter.Node | None):
    if node is None:
        return
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def binding_scope(binding: tree_sitter.Node, declaration: tree_sitter.Node):
    """The node a binding is visible in: the block or case around its statement, or the
    if/for/switch whose header binds it."""
    parent = declaration.parent
    if declaration.type == "range_clause":
        return parent
    if declaration.type in ("type_switch_statement",):
        return declaration
    if declaration.type == "receive_statement":
        return parent
    if declaration.type in ("var_spec", "const_spec"):
        while parent is not None and parent.type in (
            "var_spec_list",
            "var_declaration",
            "const_declaration",
        ):
            parent = parent.parent
    if parent is None:
        return None
    if parent.type == "for_clause":
        return parent.parent
    if parent.type in ("if_statement", "expression_switch_statement", "type_switch_statement"):
        return parent
    if parent.type == "statement_list":
        return parent.parent
    return parent


def names_at(
    root: tree_sitter.Node, function: tree_sitter.Node | None, at_byte: int
) -> tuple[str, ...]:
    """Names bound before `at_byte` and visible there, nearest first: locals, then the parameters
    of each function around it (closures see their outer function's names)."""
    found: list[tuple[int, str]] = []
    outermost = function
    while outermost is not None and enclosing(outermost, FUNCTIONS) is not None:
        outermost = enclosing(outermost, FUNCTIONS)
    if outermost is None:
        return ()
    body = outermost.child_by_field_name("body")
    groups = captures("bindings", body, "go") if body is not None else {}
    for binding, declaration in _pairs(groups):
        if declaration.end_byte > at_byte and declaration.type not in (
            "range_clause",
            "type_switch_statement",
        ):
            continue
        if binding.end_byte > at_byte:
            continue
        scope = binding_scope(binding, declaration)
        if scope is None or not scope.start_byte <= at_byte <= scope.end_byte:
            continue
        if declaration.type == "type_switch_statement" and at_byte < _first_case_byte(scope):
            continue
        if _inside_other_function(binding, root, at_byte):
            continue
        found.append((binding.start_byte, text(binding)))
    ordered = [name for _, name in sorted(found, reverse=True)]
    current = function
    while current is not None:
        ordered += reversed(parameter_names(current))
        current = enclosing(current, FUNCTIONS)
    seen: dict[str, None] = {}
    for name in ordered:
        if name != "_" and name not in seen:
            seen[name] = None
    return tuple(seen)


def _first_case_byte(switch: tree_sitter.Node) -> int:
    for child in switch.children:
        if child.type == "type_case" or child.type == "default_case":
            return child.start_byte
    return switch.end_byte


def _inside_other_function(binding, root, at_byte: int) -> bool:
    """Whether `binding` is inside a function literal that does not hold `at_byte`."""
    function = enclosing(binding, ("func_literal",))
    while function is not None:
        if not function.start_byte <= at_byte <= function.end_byte:
            return True
        function = enclosing(function, ("func_literal",))
    return False


DECLARATIONS = (
    "short_var_declaration",
    "var_spec",
    "const_spec",
    "range_clause",
    "receive_statement",
    "type_switch_statement",
)


def _pairs(groups) -> list[tuple[tree_sitter.Node, tree_sitter.Node]]:
    """(binding, its declaration) for every binding found by the bindings query."""
    pairs = []
    for binding in groups.get("binding", []):
        owner = enclosing(binding, DECLARATIONS)
        if owner is not None:
            pairs.append((binding, owner))
    return pairs


def error_check(block: tree_sitter.Node | None) -> str | None:
    """The error's name when `block` is the body of `if <error> != nil`, else None."""
    if block is None or block.type != "block":
        return None
    owner = block.parent
    if owner is None or owner.type != "if_statement":
        return None
    if owner.child_by_field_name("consequence") != block:
        return None
    condition = owner.child_by_field_name("condition")
    if condition is None or condition.type != "binary_expression":
        return None
    operator = condition.child_by_field_name("operator")
    if text(operator) != "!=":
        return None
    left, right = condition.child_by_field_name("left"), condition.child_by_field_name("right")
    for name, other in ((left, right), (right, left)):
        if (
            name is not None
            and other is not None
            and name.type == "identifier"
            and other.type == "nil"
            and ERROR_NAME.match(text(name))
        ):
            return text(name)
    return None


def statements_of(holder: tree_sitter.Node | None) -> list[tree_sitter.Node]:
    """The statements of a block, case clause or statement list (comments left out)."""
    if holder is not None and holder.type != "statement_list":
        lists = [c for c in holder.named_children if c.type == "statement_list"]
        holder = lists[0] if lists else None
    if holder is None:
        return []
    return [child for child in holder.named_children if child.type != "comment"]


def is_panic(statement: tree_sitter.Node | None) -> bool:
    """`panic(...)` as a statement."""
    if statement is None or statement.type != "expression_statement":
        return False
    call = statement.named_children[0] if statement.named_children else None
    return (
        call is not None
        and call.type == "call_expression"
        and text(call.child_by_field_name("function")) == "panic"
    )


def ends_flow(statement: tree_sitter.Node | None) -> bool:
    return statement is not None and (statement.type in ENDS_FLOW or is_panic(statement))


def loop_variables(node: tree_sitter.Node, function: tree_sitter.Node | None) -> list[str]:
    """Variables of every loop around `node` inside `function`, innermost first."""
    names: list[str] = []
    current = node.parent
    while current is not None and (function is None or current.id != function.id):
        if current.type == "for_statement":
            for child in current.named_children:
                if child.type == "range_clause":
                    left = child.child_by_field_name("left")
                    names += [
                        text(n)
                        for n in (left.named_children if left else [])
                        if n.type == "identifier" and text(n) != "_"
                    ]
                elif child.type == "for_clause":
                    init = child.child_by_field_name("initializer")
                    left = init.child_by_field_name("left") if init is not None else None
                    names += [
                        text(n)
                        for n in (left.named_children if left else [])
                        if n.type == "identifier"
                    ]
        current = current.parent
    return names


@dataclass(frozen=True)
class Placement:
    """Where a spot between two statements sits: its kind and the error block around it."""

    kind: str
    before: str | None
    exception_name: str | None
    in_except: bool
    loop_variables: tuple[str, ...]
    reraises: bool = False
    """The error block hands the error on: returns it (wrapped or not) or panics with it."""
    recovers: str | None = None
    """How an error block goes on without the error: return, continue, break, value or None."""


def placement(
    holder: tree_sitter.Node,
    previous: tree_sitter.Node | None,
    following: tree_sitter.Node | None,
    function: tree_sitter.Node | None,
) -> Placement:
    """The kind of the spot in `holder` (a block or case clause) between `previous` and
    `following` (either None at the block's ends)."""
    exception_name, in_except = None, False
    reraises, recovers = False, None
    current: tree_sitter.Node | None = holder
    while current is not None and (function is None or current.id != function.id):
        name = error_check(current)
        if name is not None:
            exception_name, in_except = name, True
            reraises, recovers = _ending(current, name)
            break
        current = current.parent
    before = None
    if following is not None and following.type == "return_statement":
        before = "return"
    elif is_panic(following):
        before = "raise"
    loops = tuple(loop_variables(holder, function)) if holder is not None else ()
    body = function.child_by_field_name("body") if function is not None else None
    if error_check(holder) is not None:
        kind = "except"
        if before is None:
            statements = statements_of(holder)
            if statements and statements[-1].type == "return_statement":
                before = "return"
    elif in_except and before is None:
        kind = "except"
    elif body is not None and holder is not None and holder.id == body.id and previous is None:
        kind = "entry"
    elif before is not None:
        kind = before
    elif loops or (
        holder is not None and holder.parent is not None and holder.parent.type == "for_statement"
    ):
        kind = "loop"
    else:
        kind = "other"
    return Placement(kind, before, exception_name, in_except, loops, reraises, recovers)


def _ending(block: tree_sitter.Node, name: str) -> tuple[bool, str | None]:
    """(whether the error block hands `name` on, how it goes on otherwise)."""
    statements = statements_of(block)
    last = statements[-1] if statements else None
    if last is None:
        return False, None
    reads = any(n.type == "identifier" and text(n) == name for n in _descendants(last))
    if last.type == "return_statement" or is_panic(last):
        return (True, None) if reads else (False, "return" if not is_panic(last) else None)
    if last.type in ("continue_statement", "break_statement"):
        return False, last.type.removesuffix("_statement")
    if last.type in ("assignment_statement", "short_var_declaration"):
        return False, "value"
    return False, None
