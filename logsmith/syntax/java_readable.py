"""Names in scope at a Java statement that the compiler still refuses there: a local variable
declared without a value and not definitely assigned on every path to the statement ("might not
have been initialized"), and the instance fields and methods of an enclosing class, with `this`
and `super`, where a static method, initializer or nested type stands between them and the
statement ("cannot be referenced from a static context"), a local that a lambda or an inner
class holding the statement captures though it is not effectively final, the fields and methods
of the file's other types, which no type around the statement declares or inherits ("cannot find
symbol"), a field read by its simple name in an initializer of its class above its own
declaration ("illegal forward reference"), and an enum's static fields in its constructors and
instance initializers ("illegal reference to static field from initializer").

Definite assignment is read conservatively, statement by statement: an assignment counts when it
always runs before the statement (not in a loop body, a branch that may be skipped, the right of
`&&` / `||`, or a lambda), or when every branch of an `if` / `try` that falls through assigns.
"""

from __future__ import annotations

from collections import Counter

import tree_sitter

from logsmith.syntax.java_scopes import (
    BLOCKS,
    JUMPS,
    METHODS,
    OBJECT_METHODS,
    TYPES,
    FileTypes,
    outermost,
)
from logsmith.syntax.tree_text import text

INITIALISERS = frozenset({"field_declaration", "static_initializer", "block"})

IMPLICITLY_STATIC = (
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
    "annotation_type_declaration",
)
"""Nested types that are static without saying so."""
BODIES = (*METHODS, "static_initializer", "block", "lambda_expression")
"""What holds a statement's locals: the outermost of these around it."""
SHORT_CIRCUIT = ("&&", "||")
NOT_RUN_HERE = ("lambda_expression", "class_body", "method_reference")


def _is_static(node: tree_sitter.Node) -> bool:
    modifiers = next((c for c in node.named_children if c.type == "modifiers"), None)
    return modifiers is not None and any(c.type == "static" for c in modifiers.children)


# --- static contexts ------------------------------------------------------------------------------


def _instance_members(declaration: tree_sitter.Node) -> set[str]:
    """The instance fields and methods a type declares: non-static fields and methods of a class
    or enum, a record's components (an interface's fields are static; its default methods need
    an instance, but nothing static inside an interface calls them unqualified)."""
    if declaration.type in ("interface_declaration", "annotation_type_declaration"):
        return set()
    names: set[str] = set()
    if declaration.type == "record_declaration":
        parameters = declaration.child_by_field_name("parameters")
        for parameter in parameters.named_children if parameters is not None else []:
            if parameter.type == "formal_parameter":
                names.add(text(parameter.child_by_field_name("name")))
    body = declaration.child_by_field_name("body")
    members = body.named_children if body is not None else []
    extra = next((c for c in members if c.type == "enum_body_declarations"), None)
    if extra is not None:
        members = [*members, *extra.named_children]
    for member in members:
        if member.type == "field_declaration" and not _is_static(member):
            for declarator in member.named_children:
                if declarator.type == "variable_declarator":
                    names.add(text(declarator.child_by_field_name("name")))
        elif member.type == "method_declaration" and not _is_static(member):
            names.add(text(member.child_by_field_name("name")))
    names.discard("")
    return names


def static_hidden(statement: tree_sitter.Node) -> frozenset[str]:
    """The instance fields and methods of enclosing types that a static context between them and
    `statement` hides, and `this` and `super` when the statement's own code runs without an
    instance."""
    hidden: set[str] = set()
    static = False
    instance_known = False
    node = statement.parent
    while node is not None:
        if node.type in ("method_declaration", "field_declaration") and _is_static(node):
            static = True
        elif node.type == "static_initializer":
            static = True
        elif (
            node.type == "class_body"
            and node.parent is not None
            and (node.parent.type == "object_creation_expression")
        ):
            instance_known = True  # an anonymous class: `this` is its own instance
        elif node.type in TYPES:
            if static:
                hidden |= _instance_members(node)
            if not instance_known and static:
                hidden |= {"this", "super"}
            instance_known = True
            if _is_static(node) or (
                node.type in IMPLICITLY_STATIC
                and node.parent is not None
                and node.parent.type != "program"
            ):
                static = True
        node = node.parent
    return frozenset(hidden)


# --- members of other types -----------------------------------------------------------------------

SUPERTYPES = ("superclass", "super_interfaces", "extends_interfaces")


def _is_private(node: tree_sitter.Node) -> bool:
    modifiers = next((c for c in node.named_children if c.type == "modifiers"), None)
    return modifiers is not None and any(c.type == "private" for c in modifiers.children)


def _members(declaration: tree_sitter.Node, private: bool = True) -> set[str]:
    """Every field, constant, method, enum constant and record component a type declares itself
    (its nested types' members are theirs); without the private ones when not `private` (what a
    subtype inherits)."""
    names: set[str] = set()
    parameters = declaration.child_by_field_name("parameters")
    if declaration.type == "record_declaration" and parameters is not None:
        names.update(
            text(p.child_by_field_name("name"))
            for p in parameters.named_children
            if p.type == "formal_parameter"
        )
    body = _body(declaration)
    members = list(body.named_children) if body is not None else []
    extra = next((c for c in members if c.type == "enum_body_declarations"), None)
    if extra is not None:
        members += extra.named_children
    for member in members:
        if not private and _is_private(member):
            continue
        if member.type in ("field_declaration", "constant_declaration"):
            names.update(
                text(d.child_by_field_name("name"))
                for d in member.named_children
                if d.type == "variable_declarator"
            )
        elif member.type in ("method_declaration", "enum_constant"):
            names.add(text(member.child_by_field_name("name")))
    names.discard("")
    return names


def _body(declaration: tree_sitter.Node) -> tree_sitter.Node | None:
    """A type's body, or an anonymous class's."""
    body = declaration.child_by_field_name("body")
    if body is None and declaration.type == "object_creation_expression":
        body = next((c for c in declaration.named_children if c.type == "class_body"), None)
    return body


def _supertype_names(declaration: tree_sitter.Node) -> list[str]:
    """The simple names of the types a declaration (or an anonymous class's `new T()`) extends or
    implements: `B` of `extends B<T>`, `C` of `extends p.C`."""
    if declaration.type == "object_creation_expression":
        written = [declaration.child_by_field_name("type")]
    else:
        written = []
        for part in declaration.named_children:
            if part.type in SUPERTYPES:
                for child in part.named_children:
                    written += child.named_children if child.type == "type_list" else [child]
    names = []
    for node in written:
        while node is not None and node.type in ("generic_type", "scoped_type_identifier"):
            identifiers = [c for c in node.named_children if c.type == "type_identifier"]
            node = identifiers[-1] if identifiers else None
        if node is not None and node.type == "type_identifier":
            names.append(text(node))
    return names


def _member_holding(
    statement: tree_sitter.Node,
) -> tuple[tree_sitter.Node, tree_sitter.Node] | None:
    """(the member, the class's or enum's body) holding `statement` with no method or other type
    between them (a field, an initializer block, a constructor; a lambda may stand between), or
    None."""
    node = statement.parent
    while node is not None and node.parent is not None:
        if node.parent.type in ("class_body", "enum_body_declarations"):
            return node, node.parent
        if node.type in ("method_declaration", "class_body", "interface_body", "enum_body"):
            return None
        node = node.parent
    return None


def forward_fields(statement: tree_sitter.Node) -> frozenset[str]:
    """The fields that `statement`, in a field's initializer or an initializer block of a class
    (a lambda there included), may not read by their simple name: the class's fields of the same
    kind (static in a static initializer, instance ones in an instance initializer) declared
    below it, which are not initialised yet. In a method or constructor, none."""
    held = _member_holding(statement)
    if held is None or held[1].type != "class_body" or held[0].type not in INITIALISERS:
        return frozenset()
    member, body = held
    static = member.type == "static_initializer" or (
        member.type == "field_declaration" and _is_static(member)
    )
    return frozenset(
        text(declarator.child_by_field_name("name"))
        for field in body.named_children
        if field.type == "field_declaration"
        and field.start_byte > statement.start_byte
        and _is_static(field) == static
        for declarator in field.children_by_field_name("declarator")
    )


def enum_initialising(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The enum whose constructor, instance initializer or instance field's initializer holds
    `node` (a lambda there included), or None."""
    held = _member_holding(node)
    if held is None or held[1].type != "enum_body_declarations":
        return None
    member, body = held
    instance = member.type in ("constructor_declaration", "block") or (
        member.type == "field_declaration" and not _is_static(member)
    )
    enum = body.parent.parent if body.parent is not None else None
    return enum if instance else None


def enum_statics(enum: tree_sitter.Node) -> frozenset[str]:
    """The static fields of `enum` that its constructors and instance initializers may not read
    ("illegal reference to static field from initializer"): all but constants, a `static final`
    field whose value is a literal."""
    body = enum.child_by_field_name("body")
    children = body.named_children if body is not None else []
    members = next((c for c in children if c.type == "enum_body_declarations"), None)
    if members is None:
        return frozenset()
    names = set()
    for field in members.named_children:
        if field.type != "field_declaration" or not _is_static(field):
            continue
        modifiers = next((c for c in field.named_children if c.type == "modifiers"), None)
        final = modifiers is not None and any(c.type == "final" for c in modifiers.children)
        for declarator in field.children_by_field_name("declarator"):
            value = declarator.child_by_field_name("value")
            literal = value is not None and (
                value.type.endswith("_literal") or value.type in ("true", "false")
            )
            if not (final and literal):
                names.add(text(declarator.child_by_field_name("name")))
    return frozenset(names)


def foreign_members(statement: tree_sitter.Node, types: FileTypes) -> frozenset[str]:
    """The fields and methods that the file's types declare (`types`, read from the file's text
    once) but that no type around `statement` declares or inherits (not a private one) from a
    type of the file: a sibling class's `logger`, unqualified, "cannot find symbol" here."""
    root = statement
    while root.parent is not None:
        root = root.parent
    around = [
        (node, True)
        for node in _ancestors(statement)
        if node.type in TYPES
        or (node.type == "object_creation_expression" and _body(node) is not None)
    ]
    seen: set[tuple[int, bool]] = set()
    visible: set[str] = set()
    while around:
        node, own = around.pop()
        if (node.id, own) in seen:
            continue
        seen.add((node.id, own))
        visible |= _members(node, private=own)
        for name in _supertype_names(node):
            for point in types.declared_at.get(name, ()):
                supertype = _declaration_at(root, point)
                if supertype is not None:
                    around.append((supertype, False))
    return frozenset(types.members - visible - OBJECT_METHODS)


def _declaration_at(root: tree_sitter.Node, point: tuple[int, int]) -> tree_sitter.Node | None:
    """The type declaration that starts at `point` of `root`'s tree."""
    node: tree_sitter.Node | None = root.descendant_for_point_range(point, point)
    while node is not None and node.start_point == point and node.type not in TYPES:
        node = node.parent
    return node if node is not None and node.type in TYPES and node.start_point == point else None


def _ancestors(node: tree_sitter.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


# --- definite assignment --------------------------------------------------------------------------


def _assigns(node: tree_sitter.Node | None, name: str) -> bool:
    """Whether evaluating `node` always assigns `name` (`name = ...` outside a branch that may
    be skipped)."""
    if node is None or node.type in NOT_RUN_HERE:
        return False
    if node.type == "assignment_expression":
        left = node.child_by_field_name("left")
        operator = node.child_by_field_name("operator")
        if (
            left is not None
            and left.type == "identifier"
            and text(left) == name
            and operator is not None
            and operator.type == "="
        ):
            return True
        return _assigns(node.child_by_field_name("right"), name)
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is not None and operator.type in SHORT_CIRCUIT:
            return _assigns(node.child_by_field_name("left"), name)
    if node.type == "ternary_expression":
        return _assigns(node.child_by_field_name("condition"), name)
    return any(_assigns(child, name) for child in node.named_children)


def _assigned_after(statement: tree_sitter.Node | None, name: str) -> bool:
    """Whether `name` is definitely assigned when `statement` completes normally (vacuously when
    it never does)."""
    if statement is None:
        return False
    kind = statement.type
    if kind in JUMPS:
        return True
    if kind == "expression_statement":
        return _assigns(statement, name)
    if kind == "local_variable_declaration":
        return any(
            _assigns(d.child_by_field_name("value"), name)
            for d in statement.named_children
            if d.type == "variable_declarator"
        )
    if kind in ("block", "constructor_body"):
        return any(_assigned_after(child, name) for child in statement.named_children)
    if kind == "if_statement":
        if _assigns(statement.child_by_field_name("condition"), name):
            return True
        alternative = statement.child_by_field_name("alternative")
        if alternative is None:
            return False
        return _assigned_after(statement.child_by_field_name("consequence"), name) and (
            _assigned_after(alternative, name)
        )
    if kind in ("while_statement", "for_statement"):
        return _assigns(statement.child_by_field_name("condition"), name) or any(
            _assigns(child, name) for child in statement.children_by_field_name("init")
        )
    if kind == "do_statement":
        return _assigned_after(statement.child_by_field_name("body"), name)
    if kind in ("try_statement", "try_with_resources_statement"):
        final = next((c for c in statement.named_children if c.type == "finally_clause"), None)
        if final is not None and any(_assigned_after(c, name) for c in final.named_children):
            return True
        body = statement.child_by_field_name("body")
        catches = [
            c.child_by_field_name("body")
            for c in statement.named_children
            if c.type == "catch_clause"
        ]
        return _assigned_after(body, name) and all(
            _assigned_after(catch, name) for catch in catches
        )
    if kind in ("synchronized_statement", "labeled_statement"):
        return any(
            _assigned_after(child, name)
            for child in statement.named_children
            if child.type in BLOCKS or child.type.endswith("statement")
        )
    return False


def _assigned_before(statement: tree_sitter.Node, declaration: tree_sitter.Node, name: str) -> bool:
    """Whether every path from `declaration` to `statement` assigns `name`."""
    child, node = statement, statement.parent
    while node is not None:
        if node.type in BLOCKS:
            for sibling in node.named_children:
                if sibling.start_byte >= child.start_byte:
                    break
                if sibling.start_byte > declaration.start_byte and _assigned_after(sibling, name):
                    return True
            if node.start_byte <= declaration.start_byte < node.end_byte and (
                declaration.parent is not None and declaration.parent.id == node.id
            ):
                return False
        elif node.type in ("if_statement", "while_statement", "for_statement"):
            condition = node.child_by_field_name("condition")
            if condition is not None and child.id != condition.id and _assigns(condition, name):
                return True
            if node.type == "for_statement" and any(
                _assigns(init, name) for init in node.children_by_field_name("init")
            ):
                return True
        elif node.type in METHODS:
            return False
        child, node = node, node.parent
    return False


def unassigned_locals(
    statement: tree_sitter.Node, bindings: list[tree_sitter.Node]
) -> frozenset[str]:
    """The locals of `bindings` (the names visible at `statement`) that some path to it leaves
    unassigned: declared without a value and not assigned since, or declared in an earlier
    `case` of the same switch (whose initializer a jump to this case skips)."""
    found: set[str] = set()
    for binding in bindings:
        declarator = binding.parent
        declaration = declarator.parent if declarator is not None else None
        if (
            declarator is None
            or declarator.type != "variable_declarator"
            or declaration is None
            or declaration.type != "local_variable_declaration"
        ):
            continue
        group = declaration.parent
        skipped = (
            group is not None
            and group.type == "switch_block_statement_group"
            and not group.start_byte <= statement.start_byte < group.end_byte
        )
        unvalued = skipped or declarator.child_by_field_name("value") is None
        if unvalued and not _assigned_before(statement, declaration, text(binding)):
            found.add(text(binding))
    return frozenset(found)


# --- captured by a lambda or an inner class -------------------------------------------------------

CAPTURING = ("lambda_expression", "class_body")
"""Where a local of the code around can be read only when it is effectively final."""


def _writes(top: tree_sitter.Node) -> Counter[str]:
    """How often each simple name is assigned (`=`, `+=`, `++`, `--`) in `top`."""
    counted: Counter[str] = Counter()
    stack = [top]
    while stack:
        node = stack.pop()
        if node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                counted[text(left)] += 1
        elif node.type == "update_expression":
            counted.update(text(c) for c in node.named_children if c.type == "identifier")
        stack.extend(node.named_children)
    return counted


def changed_captures(
    statement: tree_sitter.Node, bindings: list[tree_sitter.Node]
) -> frozenset[str]:
    """The names of `bindings` (the locals and parameters visible at `statement`) that a lambda
    or a local or anonymous class holding `statement` captures although they are not effectively
    final (written again after their value, or twice): "local variables referenced from a lambda
    expression must be final or effectively final"."""
    inner = statement.parent
    while inner is not None and inner.type not in CAPTURING:
        inner = inner.parent
    if inner is None:
        return frozenset()
    captured = [b for b in bindings if not inner.start_byte <= b.start_byte < inner.end_byte]
    if not captured:
        return frozenset()
    writes = _writes(outermost(statement, BODIES) or statement)
    changed = set()
    for name in captured:
        holder = name.parent
        unvalued = (
            holder is not None
            and holder.type == "variable_declarator"
            and holder.child_by_field_name("value") is None
        )
        if writes[text(name)] > (1 if unvalued else 0):
            changed.add(text(name))
    return frozenset(changed)
