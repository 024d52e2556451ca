"""Java scopes and places: what a statement inside a method can read (locals, parameters, the
class's fields, imports), the method around it, the kind of site it is and whether it runs.

Queries: `grammars/java/bindings.scm` (names a method binds, with their scope) and
`grammars/java/members.scm` (fields, types and imports of the file).
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

from logsmith.syntax.document import ParsedDocument, per_text
from logsmith.syntax.fallthrough import reachable_within
from logsmith.syntax.languages import captures
from logsmith.syntax.site import FunctionInfo
from logsmith.syntax.tree_text import enclosing, text

METHODS = ("method_declaration", "constructor_declaration", "compact_constructor_declaration")
TYPES = (
    "class_declaration",
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
    "annotation_type_declaration",
)
OBJECT_METHODS = frozenset({"getClass", "hashCode", "toString", "equals"})
"""Methods every class has: a call without a receiver may name them."""
LOOPS = ("for_statement", "enhanced_for_statement", "while_statement", "do_statement")
BLOCKS = ("block", "constructor_body", "switch_block_statement_group", "program")
"""Nodes whose children are statements."""
JUMPS = ("return_statement", "throw_statement", "break_statement", "continue_statement")
TRY = ("try_statement", "try_with_resources_statement")


def indent_unit(source: str) -> str:
    """One step of the file's indentation: a tab, or its smallest indentation in spaces (2, 3, 4
    or 8; else 4)."""
    lines = source.split("\n", 400)[:400]
    if any(line.startswith("\t") for line in lines):
        return "\t"
    sizes = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    smallest = min((size for size in sizes if size > 0), default=4)
    return " " * (smallest if smallest in (2, 3, 4, 8) else 4)


def outermost(node: tree_sitter.Node, types) -> tree_sitter.Node | None:
    found = None
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.type in types:
            found = ancestor
        ancestor = ancestor.parent
    return found


def statements_of(block: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The statements of a block-like node, comments and switch labels left out."""
    return [
        child
        for child in block.named_children
        if child.type not in ("line_comment", "block_comment", "switch_label")
    ]


def neighbours(
    statement: tree_sitter.Node,
) -> tuple[tree_sitter.Node | None, tree_sitter.Node | None]:
    """(previous, next) statement of `statement` in its block."""
    block = statement.parent
    if block is None:
        return None, None
    siblings = statements_of(block)
    for index, sibling in enumerate(siblings):
        if sibling.id == statement.id:
            previous = siblings[index - 1] if index > 0 else None
            following = siblings[index + 1] if index + 1 < len(siblings) else None
            return previous, following
    return None, None


# --- the method -----------------------------------------------------------------------------------


def parameters_of(method: tree_sitter.Node) -> tuple[str, ...]:
    names = []
    parameters = method.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else []:
        if parameter.type == "formal_parameter":
            names.append(text(parameter.child_by_field_name("name")))
        elif parameter.type == "spread_parameter":
            for child in parameter.named_children:
                if child.type == "variable_declarator":
                    names.append(text(child.child_by_field_name("name")))
    return tuple(name for name in names if name)


def type_name(node: tree_sitter.Node | None) -> str | None:
    """The name of a type declaration, or of the class an anonymous class extends."""
    if node is None:
        return None
    if node.type == "object_creation_expression":
        return text(node.child_by_field_name("type")).split("<", 1)[0]
    return text(node.child_by_field_name("name")) or None


def function_info(method: tree_sitter.Node) -> FunctionInfo:
    """The method or constructor `method` as the planners know a function."""
    owner = enclosing(method, TYPES)
    body = method.child_by_field_name("body")
    modifiers = next((c for c in method.named_children if c.type == "modifiers"), None)
    annotations = tuple(
        text(c).lstrip("@")
        for c in (modifiers.named_children if modifiers is not None else [])
        if c.type in ("marker_annotation", "annotation")
    )
    return FunctionInfo(
        name=text(method.child_by_field_name("name")),
        parameters=parameters_of(method),
        class_name=type_name(owner),
        is_async=False,
        start_line=method.start_point[0],
        body_start_line=body.start_point[0] if body is not None else method.start_point[0],
        decorators=annotations,
    )


def enclosing_method(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The method or constructor whose body holds `node` (through lambdas, not through a class)."""
    current = node.parent
    while current is not None:
        if current.type in METHODS:
            return current
        if current.type in ("class_body", "interface_body", "enum_body", "program"):
            return None
        current = current.parent
    return None


# --- names ----------------------------------------------------------------------------------------


def _scope_of(kind: str, name: tree_sitter.Node) -> tree_sitter.Node | None:
    """The node a binding is visible in."""
    if kind == "local":
        declaration = enclosing(name, ("local_variable_declaration",))
        if declaration is not None and declaration.parent is not None:
            if declaration.parent.type == "for_statement":
                return declaration.parent
            if declaration.parent.type == "switch_block_statement_group":
                return declaration.parent.parent
            return declaration.parent
        return None
    if kind == "parameter":
        return enclosing(name, (*METHODS, "lambda_expression"))
    if kind == "catch":
        clause = enclosing(name, ("catch_clause",))
        return clause.child_by_field_name("body") if clause is not None else None
    if kind == "resource":
        statement = enclosing(name, ("try_with_resources_statement",))
        return statement.child_by_field_name("body") if statement is not None else None
    if kind == "loop":
        return enclosing(name, ("enhanced_for_statement",))
    return None


def pattern_spans(name: tree_sitter.Node) -> list[tuple[int, int]]:
    """The bytes where the pattern variable `name` (`o instanceof Foo f`) is bound, as javac
    reads it: an `if`'s branch that runs only when the pattern matched (through `!`, `&&` and
    `||`), a `while`'s body, and the rest of the block after an `if (!(o instanceof Foo f))` whose
    branch never falls through. Elsewhere (a ternary, the right of `&&`) no statement sees it."""
    node = enclosing(name, ("instanceof_expression",))
    matched = True  # the pattern matched when `node` is true
    while node is not None and node.parent is not None:
        parent = node.parent
        if parent.type == "parenthesized_expression":
            node = parent
            continue
        if (
            parent.type == "unary_expression"
            and text(parent.child_by_field_name("operator")) == "!"
        ):
            matched, node = not matched, parent
            continue
        if parent.type == "binary_expression":
            operator = text(parent.child_by_field_name("operator"))
            if (operator == "&&" and matched) or (operator == "||" and not matched):
                node = parent
                continue
            return []
        if parent.type in ("if_statement", "while_statement"):
            if parent.child_by_field_name("condition") != node:
                return []
            branch = parent.child_by_field_name(
                "consequence" if parent.type == "if_statement" else "body"
            )
            if matched:
                return [(branch.start_byte, branch.end_byte)] if branch is not None else []
            spans = []
            other = parent.child_by_field_name("alternative")
            if parent.type == "if_statement" and other is not None:
                spans.append((other.start_byte, other.end_byte))
            block = parent.parent
            if (
                branch is not None
                and always_jumps(branch)
                and block is not None
                and (block.type in BLOCKS)
            ):
                spans.append((parent.end_byte, block.end_byte))
            return spans
        return []
    return []


def visible_bindings(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The binding names visible at `node`, nearest first: locals, parameters, catch and loop
    variables bound before it whose scope holds it, in its method, lambdas and enclosing methods
    (a local or anonymous class sees them)."""
    top = outermost(node, (*METHODS, "static_initializer", "block", "lambda_expression"))
    if top is None:
        top = node.parent if node.parent is not None and node.parent.type == "program" else None
    if top is None:
        return []
    found: list[tree_sitter.Node] = []
    for key, nodes in captures("bindings", top, "java").items():
        if not key.startswith("binding."):
            continue
        kind = key.split(".", 1)[1]
        for name in nodes:
            if name.start_byte >= node.start_byte:
                continue
            if kind == "pattern":
                spans = pattern_spans(name)
            else:
                scope = _scope_of(kind, name)
                spans = [(scope.start_byte, scope.end_byte)] if scope is not None else []
            if any(start <= node.start_byte < end for start, end in spans):
                found.append(name)
    found.sort(key=lambda name: name.start_byte, reverse=True)
    return found


NUMERIC_TYPES = frozenset(
    {
        "int",
        "long",
        "short",
        "byte",
        "float",
        "double",
        "Integer",
        "Long",
        "Short",
        "Byte",
        "Float",
        "Double",
    }
)


def numeric_names_at(node: tree_sitter.Node) -> frozenset[str]:
    """The visible names whose declared type is a number (the nearest binding of each name)."""
    numeric, seen = set(), set()
    for name in visible_bindings(node):
        written = text(name)
        if written in seen:
            continue
        seen.add(written)
        holder = name.parent
        if holder is not None and holder.type == "variable_declarator":
            holder = holder.parent
        declared = holder.child_by_field_name("type") if holder is not None else None
        if declared is not None and text(declared) in NUMERIC_TYPES:
            numeric.add(written)
    return frozenset(numeric)


def import_name(declaration: tree_sitter.Node) -> tuple[str, str | None, bool]:
    """(the imported path, its simple name or None for `.*`, whether static)."""
    path = next(
        (c for c in declaration.named_children if c.type in ("scoped_identifier", "identifier")),
        None,
    )
    wildcard = any(c.type == "asterisk" for c in declaration.named_children)
    is_static = any(c.type == "static" for c in declaration.children)
    written = text(path)
    if wildcard:
        return written, None, is_static
    return written, written.rsplit(".", 1)[-1] or None, is_static


def imports_of(root: tree_sitter.Node) -> list[tuple[str, str | None, bool]]:
    return [import_name(node) for node in root.named_children if node.type == "import_declaration"]


def file_names(root: tree_sitter.Node) -> frozenset[str]:
    """Fields of every class in the file, enum constants, record components, the file's type names
    and imported simple names."""
    names: set[str] = set()
    for key, nodes in captures("members", root, "java").items():
        if key == "import":
            for declaration in nodes:
                name = import_name(declaration)[1]
                if name:
                    names.add(name)
        elif key != "method":
            names.update(text(node) for node in nodes)
    return frozenset(names)


@dataclass(frozen=True)
class FileTypes:
    """The types a file declares and what they hold, read once per text."""

    declared_at: dict[str, tuple[tuple[int, int], ...]]
    """A type's simple name -> where each declaration of that name starts (row, column)."""
    members: frozenset[str]
    """Every field, constant, enum constant, record component and method the file declares."""


@per_text
def file_types(document: ParsedDocument) -> FileTypes:
    """The file's `FileTypes` (its answer is shared: callers must not change it)."""
    found = captures("members", document.tree.root_node, "java")
    declared_at: dict[str, list[tuple[int, int]]] = {}
    for name in found.get("type", []):
        if name.parent is not None:
            declared_at.setdefault(text(name), []).append(name.parent.start_point)
    members = {text(n) for n in (*found.get("field", []), *found.get("method", []))}
    return FileTypes(
        {name: tuple(points) for name, points in declared_at.items()}, frozenset(members)
    )


def file_methods(root: tree_sitter.Node) -> frozenset[str]:
    """The names of the methods the file's classes declare."""
    return frozenset(text(node) for node in captures("members", root, "java").get("method", []))


# --- the place ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a statement sits: the kind of site, the loops and the catch around it, its
    neighbours."""

    kind: str
    loop_variables: tuple[str, ...]
    exception_name: str | None
    exception_types: tuple[str, ...]
    in_except: bool
    before: str | None
    previous: tree_sitter.Node | None
    next: tree_sitter.Node | None


def catch_facts(clause: tree_sitter.Node) -> tuple[str | None, tuple[str, ...]]:
    """(the caught exception's name, its types) of a catch clause."""
    parameter = next((c for c in clause.named_children if c.type == "catch_formal_parameter"), None)
    if parameter is None:
        return None, ()
    name = text(parameter.child_by_field_name("name")) or None
    catch_type = next((c for c in parameter.named_children if c.type == "catch_type"), None)
    types = tuple(
        text(c) for c in (catch_type.named_children if catch_type is not None else []) if c.is_named
    )
    return name, types


def place_of(statement: tree_sitter.Node, method: tree_sitter.Node | None) -> Place:
    """The place of `statement` (a child of a block-like node) inside `method` (None: outside)."""
    loop_variables: list[str] = []
    in_loop = in_except = False
    exception_name: str | None = None
    exception_types: tuple[str, ...] = ()
    node = statement
    while node is not None and (method is None or node.id != method.id):
        parent = node.parent
        if parent is None or parent.type in ("class_body", "lambda_expression"):
            break
        if parent.type in LOOPS and node.type not in ("parenthesized_expression",):
            in_loop = True
            if parent.type == "enhanced_for_statement":
                loop_variables.append(text(parent.child_by_field_name("name")))
            elif parent.type == "for_statement":
                for init in [c for c in parent.children_by_field_name("init")]:
                    for declarator in init.named_children:
                        if declarator.type == "variable_declarator":
                            loop_variables.append(text(declarator.child_by_field_name("name")))
        if parent.type == "catch_clause" and not in_except:
            in_except = True
            exception_name, exception_types = catch_facts(parent)
        node = parent

    previous, following = neighbours(statement)
    before = None
    if following is not None and following.type in ("return_statement", "throw_statement"):
        before = "return" if following.type == "return_statement" else "raise"
    block = statement.parent
    owner = block.parent if block is not None else None
    body = method.child_by_field_name("body") if method is not None else None
    if owner is not None and owner.type == "catch_clause":
        kind = "except"
    elif in_except and before is None:
        kind = "except"
    elif (
        body is not None
        and block is not None
        and block.id == body.id
        and (previous is None or previous.type == "explicit_constructor_invocation")
        and (following is None or following.type != "explicit_constructor_invocation")
    ):
        kind = "entry"
    elif before is not None:
        kind = before
    elif in_loop:
        kind = "loop"
    else:
        kind = "other"
    return Place(
        kind,
        tuple(name for name in loop_variables if name),
        exception_name,
        exception_types,
        in_except,
        before,
        previous,
        following,
    )


def always_jumps(node: tree_sitter.Node) -> bool:
    """Whether control never falls through `node`: a return, throw, break or continue, a block
    ending in one, an if whose branches all jump, a try whose block and catches all jump."""
    if node.type in JUMPS:
        return True
    if node.type == "block":
        statements = statements_of(node)
        return bool(statements) and always_jumps(statements[-1])
    if node.type == "if_statement":
        consequence = node.child_by_field_name("consequence")
        alternative = node.child_by_field_name("alternative")
        return (
            consequence is not None
            and alternative is not None
            and always_jumps(consequence)
            and always_jumps(alternative)
        )
    if node.type in TRY:
        if any(c.type == "finally_clause" for c in node.named_children):
            return False
        body = node.child_by_field_name("body")
        catch_bodies = [
            c.child_by_field_name("body") for c in node.named_children if c.type == "catch_clause"
        ]
        return (
            body is not None
            and always_jumps(body)
            and all(catch is not None and always_jumps(catch) for catch in catch_bodies)
        )
    return False


def reachable(statement: tree_sitter.Node) -> bool:
    """False when a statement before `statement` in its block, or in a block around it up to its
    method or lambda, never falls through."""
    return reachable_within(
        statement, (*METHODS, "lambda_expression", "class_body"), BLOCKS, always_jumps
    )
