"""What a JavaScript or TypeScript tree says around a statement: its function, the names bound
before it, the error handler it sits in, the loops around it and its place in its block.

Shared by the reader (`logsmith.syntax.javascript`), the log statements of a file
(`javascript_calls`) and batch mode's rules (`javascript_rules`). Queries come from
`grammars/javascript/` or `grammars/typescript/` by the document's language.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

from logsmith.syntax.languages import captures, matches
from logsmith.syntax.tree_text import enclosing, text

FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    }
)
CLASSES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default"})
DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration"})
ENDS_BLOCK = frozenset(
    {"return_statement", "throw_statement", "break_statement", "continue_statement"}
)
ANONYMOUS = "anonymous"


def pattern_names(pattern: tree_sitter.Node | None, language: str) -> list[str]:
    """The names a parameter list, a declarator's name or a catch parameter binds, in order."""
    if pattern is None:
        return []
    if pattern.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [text(pattern)]
    found = captures("bindings", pattern, language).get("binding", [])
    return list(dict.fromkeys(text(node) for node in found))


def parameters(function: tree_sitter.Node, language: str) -> list[str]:
    """The parameters of a function-like node, destructured ones included."""
    single = function.child_by_field_name("parameter")  # x => ...
    if single is not None:
        return pattern_names(single, language)
    return pattern_names(function.child_by_field_name("parameters"), language)


def function_name(function: tree_sitter.Node) -> str | None:
    """The name a function is known by: its own, its variable's, its key's or its field's."""
    own = function.child_by_field_name("name")
    if own is not None:
        return text(own)
    parent = function.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        return text(parent.child_by_field_name("name"))
    if parent.type == "pair":
        return text(parent.child_by_field_name("key")).strip("'\"")
    if parent.type in ("field_definition", "public_field_definition"):
        field = parent.child_by_field_name("property") or parent.child_by_field_name("name")
        return text(field)
    if parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        if left is not None and left.type == "member_expression":
            return text(left.child_by_field_name("property"))
        return text(left)
    return None


def callee_name(function: tree_sitter.Node) -> str | None:
    """`readFile` for a callback passed to `fs.readFile(path, (err, data) => ...)`."""
    arguments = function.parent
    if arguments is None or arguments.type != "arguments":
        return None
    call = arguments.parent
    if call is None or call.type != "call_expression":
        return None
    callee = call.child_by_field_name("function")
    if callee is not None and callee.type == "member_expression":
        callee = callee.child_by_field_name("property")
    return text(callee) if callee is not None and callee.type.endswith("identifier") else None


def named_function(node: tree_sitter.Node | None) -> str | None:
    """The name of the nearest named function around `node` (itself included)."""
    while node is not None:
        if node.type in FUNCTIONS:
            name = function_name(node)
            if name:
                return name
        node = node.parent
    return None


def foreign_this(node: tree_sitter.Node) -> bool:
    """Whether `this` at `node` is something other than an instance of the class around it:
    - in a plain function passed as a callback (`readFile(p, function (err) { ... })`) or
      written inside a class's method, where the caller decides what it is, most often
      undefined;
    - in a static method, a static field or a static block, where it is the class;
    - in a method of an object literal, where it is the object;
    - in a derived class's constructor before `super(...)` has been called, where reading it
      throws.
    Arrow functions keep the `this` around them."""
    current = node.parent
    while current is not None:
        if current.type == "class_static_block":
            return True
        if current.type in ("field_definition", "public_field_definition"):
            return _is_static(current)
        if current.type in FUNCTIONS and current.type != "arrow_function":
            if current.type != "method_definition":
                # a plain function: its caller decides; in a class's code, which is strict, a
                # plain call leaves it undefined (a prototype's method outside a class keeps it)
                passed = current.parent is not None and current.parent.type == "arguments"
                return passed or enclosing(current, CLASSES) is not None
            if current.parent is None or current.parent.type != "class_body":
                return True
            return _is_static(current) or _before_super(current, node)
        current = current.parent
    return False


def _is_static(member: tree_sitter.Node) -> bool:
    return any(child.type == "static" for child in member.children)


def _before_super(method: tree_sitter.Node, node: tree_sitter.Node) -> bool:
    """Whether `node` is in a derived class's constructor `method` and no `super(...)` call of
    that constructor ends before it."""
    if text(method.child_by_field_name("name")) != "constructor":
        return False
    owner = enclosing(method, CLASSES)
    if owner is None or not any(child.type == "class_heritage" for child in owner.children):
        return False
    body = method.child_by_field_name("body")
    return body is not None and not any(
        call.end_byte <= node.start_byte for call in _super_calls(body)
    )


def _super_calls(node: tree_sitter.Node):
    """The `super(...)` calls under `node`, not those of a nested plain function or class."""
    for child in node.named_children:
        if (child.type in FUNCTIONS and child.type != "arrow_function") or child.type in CLASSES:
            continue
        callee = child.child_by_field_name("function") if child.type == "call_expression" else None
        if callee is not None and callee.type == "super":
            yield child
        yield from _super_calls(child)


def class_name(node: tree_sitter.Node | None) -> str | None:
    owner = enclosing(node, CLASSES)
    return text(owner.child_by_field_name("name")) or None if owner is not None else None


def instance_attributes(function: tree_sitter.Node | None, language: str) -> tuple[str, ...]:
    """`this.<name>` for the fields, parameter properties and `this.x = ...` assignments of the
    class whose method `function` is (the last written first); () outside a class."""
    owner = enclosing(function, CLASSES) if function is not None else None
    if owner is None:
        return ()
    found = captures("attributes", owner, language)
    written = [(node.start_byte, text(node)) for node in found.get("attribute", [])]
    written += [(node.start_byte, "this." + text(node)) for node in found.get("attribute.name", [])]
    written.sort(reverse=True)
    return tuple(dict.fromkeys(name for _, name in written))


def declared_names(statement: tree_sitter.Node, language: str) -> list[str]:
    """The names a statement of a block declares: `const`/`let`/`var`, functions, classes,
    imports (unwrapping `export`)."""
    if statement.type == "export_statement":
        inner = statement.child_by_field_name("declaration")
        return declared_names(inner, language) if inner is not None else []
    if statement.type == "ambient_declaration":  # TypeScript: declare const VERSION: string;
        return [
            name for part in statement.named_children for name in declared_names(part, language)
        ]
    if statement.type in DECLARATIONS:
        names: list[str] = []
        for declarator in statement.named_children:
            if declarator.type == "variable_declarator":
                names += pattern_names(declarator.child_by_field_name("name"), language)
        return names
    if statement.type in (
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
        "enum_declaration",
    ):
        return [text(statement.child_by_field_name("name"))]
    if statement.type == "import_statement":
        return import_names(statement)
    return []


def import_names(statement: tree_sitter.Node) -> list[str]:
    """`import x`, `import * as ns`, `import { a as b }`: x, ns, b."""
    names: list[str] = []
    for clause in statement.named_children:
        if clause.type == "import_require_clause":  # TypeScript: import x = require("x")
            names += [text(child) for child in clause.named_children if child.type == "identifier"]
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                names.append(text(part))
            elif part.type == "namespace_import":
                names += [text(child) for child in part.named_children]
            elif part.type == "named_imports":
                for specifier in part.named_children:
                    if specifier.type != "import_specifier":
                        continue
                    alias = specifier.child_by_field_name("alias")
                    names.append(text(alias or specifier.child_by_field_name("name")))
    return names


def module_names(root: tree_sitter.Node, language: str) -> frozenset[str]:
    """Names bound at the top of a file: imports, requires, declarations, functions, classes."""
    names: set[str] = set()
    for statement in root.named_children:
        names.update(declared_names(statement, language))
    names.discard("")
    return frozenset(names)


HOISTED = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "import_statement",
        "ambient_declaration",
    }
)
"""Top-level statements whose names exist before any statement of the file runs."""


def later_module_names(statement: tree_sitter.Node, language: str) -> frozenset[str]:
    """The names a file's top level declares below `statement`, which runs at the top level:
    a `const`, `let` or `class` read there throws (it is not initialised yet) and a `var` is
    still undefined. Functions, imports and `declare`d names are there from the start."""
    top = statement
    while top.parent is not None and top.parent.type != "program":
        top = top.parent
    if top.parent is None:
        return frozenset()
    names: set[str] = set()
    for later in top.parent.named_children:
        inner = (
            later.child_by_field_name("declaration") if later.type == "export_statement" else later
        )
        if later.start_byte > top.start_byte and inner is not None and inner.type not in HOISTED:
            names.update(declared_names(later, language))
    names.discard("")
    return frozenset(names)


@dataclass(frozen=True)
class Handler:
    """An error handler around a statement: a catch clause, a `.catch`/`on('error')` callback
    or a Node callback's `if (err)` block."""

    node: tree_sitter.Node
    """The catch clause, the callback function or the if statement."""
    body: tree_sitter.Node | None
    """Its statement block (None for a callback with an expression body)."""
    error: str | None
    """The name of the caught error, when it has one."""
    form: str
    """`catch`, `callback` or `check`."""


def callback_handler(function: tree_sitter.Node, language: str) -> Handler | None:
    """`function` as a `.catch(...)` or `.on('error', ...)` callback, or None."""
    arguments = function.parent
    if arguments is None or arguments.type != "arguments":
        return None
    call = arguments.parent
    if call is None or call.type != "call_expression":
        return None
    for found in matches("handlers", call, language):
        callback = found.get("handler.callback")
        if callback and callback[0].id == function.id and found["handler"][0].id == call.id:
            params = parameters(function, language)
            body = function.child_by_field_name("body")
            return Handler(
                function,
                body if body is not None and body.type == "statement_block" else None,
                params[0] if params else None,
                "callback",
            )
    return None


def catch_handler(clause: tree_sitter.Node, language: str) -> Handler:
    names = pattern_names(clause.child_by_field_name("parameter"), language)
    return Handler(clause, clause.child_by_field_name("body"), names[0] if names else None, "catch")


def check_handler(statement: tree_sitter.Node, language: str) -> Handler | None:
    """`if (err) { ... }` where `err` is a parameter of the function around it."""
    condition = statement.child_by_field_name("condition")
    consequence = statement.child_by_field_name("consequence")
    if condition is None or consequence is None or consequence.type != "statement_block":
        return None
    inner = [child for child in condition.named_children if child.type != "comment"]
    if len(inner) != 1 or inner[0].type != "identifier":
        return None
    name = text(inner[0])
    function = enclosing(statement, FUNCTIONS)
    if function is None or name not in parameters(function, language):
        return None
    if not ("err" in name.lower() or name in ("e", "ex", "exc")):
        return None
    return Handler(statement, consequence, name, "check")


def handler_of_block(block: tree_sitter.Node, language: str) -> Handler | None:
    """The handler whose body is `block`, or None."""
    owner = block.parent
    if owner is None:
        return None
    if owner.type == "catch_clause":
        return catch_handler(owner, language)
    if owner.type in FUNCTIONS:
        return callback_handler(owner, language)
    if owner.type == "if_statement" and block.type == "statement_block":
        consequence = owner.child_by_field_name("consequence")
        if consequence is not None and consequence.id == block.id:
            return check_handler(owner, language)
    return None


def loop_variables(loop: tree_sitter.Node, language: str) -> list[str]:
    """The names a loop's header binds: `for (const [k, v] of m)`, `for (let i = 0; ...)`."""
    if loop.type == "for_in_statement":
        return pattern_names(loop.child_by_field_name("left"), language)
    if loop.type == "for_statement":
        initializer = loop.child_by_field_name("initializer")
        if initializer is not None and initializer.type in DECLARATIONS:
            return declared_names(initializer, language)
    return []


def block_neighbours(statement: tree_sitter.Node):
    """(previous statements, next statement) of `statement` in its block, comments skipped."""
    previous = []
    node = statement.prev_named_sibling
    while node is not None:
        if node.type != "comment":
            previous.append(node)
        node = node.prev_named_sibling
    following = statement.next_named_sibling
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    return previous, following


@dataclass(frozen=True)
class Placement:
    """Where a statement sits: its kind of site, the handler and loops around it, its
    neighbours."""

    kind: str
    function: tree_sitter.Node | None
    handler: Handler | None
    loop_variables: tuple[str, ...]
    before: str | None
    previous: tree_sitter.Node | None
    next: tree_sitter.Node | None
    reachable: bool


def placement(statement: tree_sitter.Node, language: str) -> Placement:
    """The placement of `statement`, a node of a block (or a function's expression body)."""
    function = enclosing(statement, FUNCTIONS)
    handler: Handler | None = None
    loops: list[str] = []
    in_loop = False
    node: tree_sitter.Node | None = statement
    while node is not None and (function is None or node.id != function.id):
        parent = node.parent
        if parent is not None and parent.type in LOOPS and node.type != "parenthesized_expression":
            loop_body = parent.child_by_field_name("body")
            if loop_body is not None and loop_body.id == node.id:
                in_loop = True
                loops += loop_variables(parent, language)
        if handler is None and node.type == "statement_block":
            handler = handler_of_block(node, language)
        node = parent
    if handler is None and function is not None:
        handler = callback_handler(function, language)
    previous, following = block_neighbours(statement)
    before = None
    if following is not None and following.type == "return_statement":
        before = "return"
    elif following is not None and following.type == "throw_statement":
        before = "raise"
    block = statement.parent
    body = function.child_by_field_name("body") if function is not None else None
    direct_handler = (
        block is not None
        and handler is not None
        and handler.body is not None
        and handler.body.id == block.id
    )
    if direct_handler or (handler is not None and before is None):
        kind = "except"
    elif (
        body is not None
        and block is not None
        and body.id == block.id
        and all(_is_directive(node) for node in previous)
    ):
        kind = "entry"
    elif before is not None:
        kind = before
    elif in_loop:
        kind = "loop"
    else:
        kind = "other"
    reachable = not any(node.type in ENDS_BLOCK for node in previous)
    return Placement(
        kind,
        function,
        handler,
        tuple(dict.fromkeys(loops)),
        before,
        previous[0] if previous else None,
        following,
        reachable,
    )


def _is_directive(statement: tree_sitter.Node) -> bool:
    """`"use strict";` at the start of a function body."""
    return (
        statement.type == "expression_statement"
        and len(statement.named_children) == 1
        and statement.named_children[0].type == "string"
    )


def local_names(statement: tree_sitter.Node, language: str) -> list[str]:
    """Names bound before `statement` in the functions and blocks around it, nearest first:
    declarations of each enclosing block, then catch parameters, loop variables and the
    parameters of each enclosing function (the file's top-level names are not included)."""
    names: list[str] = []
    child, node = statement, statement.parent
    while node is not None and node.type != "program":
        if node.type in BLOCKS:
            for earlier in reversed(_earlier_statements(node, child)):
                names += reversed(declared_names(earlier, language))
        elif node.type == "catch_clause":
            names += pattern_names(node.child_by_field_name("parameter"), language)
        elif node.type in LOOPS:
            names += loop_variables(node, language)
        elif node.type in FUNCTIONS:
            names += reversed(parameters(node, language))
            own = node.child_by_field_name("name")
            if own is not None and node.type in ("function_expression", "function"):
                names.append(text(own))
        child, node = node, node.parent
    return list(dict.fromkeys(name for name in names if name))


def unassigned_locals(statement: tree_sitter.Node) -> frozenset[str]:
    """TypeScript: the locals declared without a value (`let size: number;`) that no statement
    before `statement`, in its block or a block around it within the function, assigns as a
    statement of its own (`size = 4;`). Under strict checks tsc refuses to read such a local
    ("used before being assigned"); an assignment inside a branch is read as none, so this errs
    towards unassigned. A declaration asserted with `!` is left alone."""
    unvalued: set[str] = set()
    assigned: set[str] = set()
    child, node = statement, statement.parent
    while node is not None and node.type != "program" and node.type not in FUNCTIONS:
        if node.type in BLOCKS:
            for earlier in _earlier_statements(node, child):
                if earlier.type in DECLARATIONS:
                    for declarator in earlier.named_children:
                        name = declarator.child_by_field_name("name")
                        if (
                            declarator.type == "variable_declarator"
                            and name is not None
                            and name.type == "identifier"
                            and declarator.child_by_field_name("value") is None
                            and not text(declarator).startswith(text(name) + "!")
                        ):
                            unvalued.add(text(name))
                elif earlier.type == "expression_statement" and earlier.named_children:
                    expression = earlier.named_children[0]
                    left = expression.child_by_field_name("left")
                    if (
                        expression.type == "assignment_expression"
                        and left is not None
                        and left.type == "identifier"
                    ):
                        assigned.add(text(left))
        child, node = node, node.parent
    return frozenset(unvalued - assigned)


def _earlier_statements(block: tree_sitter.Node, child: tree_sitter.Node) -> list:
    earlier = []
    for statement in block.named_children:
        if statement.start_byte >= child.start_byte:
            break
        earlier.append(statement)
    return earlier


def statement_of(node: tree_sitter.Node) -> tree_sitter.Node:
    """The statement holding `node`: the ancestor whose parent is a block, or the expression
    body of an arrow function."""
    while node.parent is not None:
        parent = node.parent
        if parent.type in BLOCKS or parent.type == "arrow_function":
            return node
        node = parent
    return node
