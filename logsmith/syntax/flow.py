"""What the code before a statement guarantees at it: the names bound on every path that reaches
it, the names that hold numbers there, and whether the statement can run at all.

A log statement may only name a value that is bound whenever the statement runs. Python decides
at compile time which names are local to a function; reading a local that no path has bound yet
raises `UnboundLocalError`, and a wrong guess is worst where a log statement is most wanted: in an
error handler. The rules, over one scope's syntax tree (a function, or the module):

- Parameters, imports, `def`/`class` names, `global`/`nonlocal` declarations and assignment targets
  bind a name once their statement completes; a walrus binds where it is always evaluated (not in
  a lambda, a comprehension, the right side of `and`/`or` or a conditional expression's branches).
  `x: int` without a value binds nothing; `del x` unbinds.
- `if`/`elif`/`else` and `match`: a name is bound after the statement when every branch that
  completes binds it (a branch ending in `return`, `raise`, `continue` or `break` does not count);
  a missing `else` (or a `match` without a catch-all case) is a branch that binds nothing.
- Loops can run zero times: a `for` or `while` body binds nothing for the code after the loop, and
  inside the body only what the body binds before the statement counts (an earlier iteration's
  value is not there in the first). A `for` target is bound inside its body.
- `try`: a handler, and `finally`, may start anywhere in the `try` body, so they see only what was
  bound before the `try`; `else` sees what the whole body bound. After the statement a name is bound
  when the body (with `else`) and every handler that completes bind it, or `finally` does. A
  handler's `as` name is bound inside it and deleted when it ends.
- `with` binds its `as` targets for its body and after it.

Nested functions and classes are other scopes: their insides bind nothing here. A statement after
`return`, `raise`, `continue` or `break` in its block (or in a block around it) never runs.
This module reads tree-sitter nodes handed to it; it imports no parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from logsmith.syntax.fallthrough import reachable_within
from logsmith.syntax.tree_text import text as _text

if TYPE_CHECKING:
    from tree_sitter import Node

SCOPES = ("function_definition", "class_definition", "lambda")
JUMPS = ("return_statement", "raise_statement", "continue_statement", "break_statement")
_COMPREHENSIONS = (
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
)
_PATTERNS = (
    "pattern_list",
    "tuple_pattern",
    "list_pattern",
    "tuple",
    "list",
    "parenthesized_expression",
    "list_splat_pattern",
    "expression_list",
)
# Calls whose result is a number, whatever their arguments (not abs, sum or round: a timedelta or a
# Decimal comes back from those, and `%d` fails on a timedelta).
NUMERIC_CALLS = frozenset(
    {
        "len",
        "int",
        "float",
        "ord",
        "hash",
        "id",
        "time.time",
        "time.monotonic",
        "time.perf_counter",
        "time.process_time",
        "time.time_ns",
        "time.monotonic_ns",
        "time.perf_counter_ns",
        "os.getpid",
        "os.cpu_count",
        "math.floor",
        "math.ceil",
        "math.sqrt",
    }
)
NUMERIC_METHODS = frozenset({"count", "index", "find", "rfind", "total_seconds", "bit_length"})
NUMERIC_TYPES = frozenset({"int", "float"})
ARITHMETIC = frozenset({"+", "-", "*", "/", "//", "%", "**"})
SUPPRESSING = frozenset({"suppress", "raises", "assertRaises", "ignored"})


def _statements(block) -> list:
    return (
        [child for child in block.named_children if child.type != "comment"]
        if block is not None
        else []
    )


def _contains(node, target) -> bool:
    return (
        node.start_byte <= target.start_byte
        and target.end_byte <= node.end_byte
        and (node.start_byte, node.end_byte) != (-1, -1)
    )


def target_names(node) -> list[str]:
    """The names an assignment target binds: `x`, `a, (b, *c)`;
    attributes and subscripts bind none."""
    if node is None:
        return []
    if node.type == "identifier":
        return [_text(node)]
    if node.type in _PATTERNS:
        return [name for child in node.named_children for name in target_names(child)]
    return []


def walrus_names(node) -> list[str]:
    """Names a walrus inside `node` always binds when `node` is evaluated."""
    if node is None or node.type in SCOPES or node.type in _COMPREHENSIONS:
        return []
    if node.type == "named_expression":
        name = node.child_by_field_name("name")
        return ([_text(name)] if name is not None else []) + walrus_names(
            node.child_by_field_name("value")
        )
    if node.type == "boolean_operator":
        return walrus_names(node.child_by_field_name("left"))
    if node.type == "conditional_expression":
        parts = node.named_children
        return walrus_names(parts[1]) if len(parts) > 1 else []  # only the condition always runs
    return [name for child in node.named_children for name in walrus_names(child)]


def _assignment_names(node) -> list[str]:
    """Names an assignment (possibly chained, `a = b = 1`) binds; `x: int` alone binds none."""
    right = node.child_by_field_name("right")
    if right is None:
        return []
    names = target_names(node.child_by_field_name("left"))
    if right.type in ("assignment", "augmented_assignment"):
        return names + _assignment_names(right)
    return names + walrus_names(right)


def _import_names(node) -> list[str]:
    names = []
    for child in node.children_by_field_name("name"):
        if child.type == "aliased_import":
            alias = child.child_by_field_name("alias")
            names.append(_text(alias))
        elif child.type == "dotted_name" and child.named_children:
            names.append(
                _text(child.named_children[0])
                if node.type == "import_statement"
                else _text(child.named_children[-1])
            )
    return names


def _with_targets(node) -> list[str]:
    names = []
    for clause in (c for c in node.named_children if c.type == "with_clause"):
        for item in clause.named_children:
            value = item.child_by_field_name("value") if item.type == "with_item" else item
            if value is not None and value.type == "as_pattern":
                alias = value.child_by_field_name("alias")
                names += walrus_names(value.named_children[0]) if value.named_children else []
                if alias is not None:
                    names += [n for child in alias.named_children for n in target_names(child)]
            else:
                names += walrus_names(value)
    return names


def _case_names(clause) -> list[str]:
    """Capture names of one `case` pattern (`case [x, y]`, `case Point(x=px)`,
    `case str() as s`)."""
    names = []
    stack = [c for c in clause.named_children if c.type == "case_pattern"]
    while stack:
        node = stack.pop()
        if node.type == "class_pattern":
            stack.extend(node.named_children[1:])  # the first is the class's name
            continue
        if node.type == "dotted_name":
            if (
                len(node.named_children) == 1
                and _text(node) != "_"
                and node.parent is not None
                and node.parent.type == "case_pattern"
            ):
                names.append(_text(node))
            continue
        if node.type == "keyword_pattern":
            stack.extend(node.named_children[1:])
            continue
        if (
            node.type == "identifier"
            and node.parent is not None
            and node.parent.type in ("as_pattern", "case_pattern", "splat_pattern")
        ):
            names.append(_text(node))
            continue
        stack.extend(node.named_children)
    return names


def _is_catch_all(clause) -> bool:
    patterns = [c for c in clause.named_children if c.type == "case_pattern"]
    guard = clause.child_by_field_name("guard")
    if guard is not None or len(patterns) != 1:
        return False
    inner = patterns[0].named_children
    return not inner or (
        len(inner) == 1 and inner[0].type == "dotted_name" and len(inner[0].named_children) == 1
    )


def always_jumps(statement) -> bool:
    """Whether `statement` never completes normally: it is a return, raise, continue or break, or
    an `if` whose every branch (an `else` included) ends in one."""
    if statement.type in JUMPS:
        return True
    if statement.type == "if_statement":
        branches = [statement.child_by_field_name("consequence")]
        alternatives = statement.children_by_field_name("alternative")
        if not alternatives or alternatives[-1].type != "else_clause":
            return False
        for alternative in alternatives:
            branches.append(
                alternative.child_by_field_name("consequence")
                or alternative.child_by_field_name("body")
            )
        return all(block_jumps(branch) for branch in branches)
    return False


def block_jumps(block) -> bool:
    return any(always_jumps(statement) for statement in _statements(block))


class _Walk:
    """One pass over a scope: `after(statement, bound)` is what is bound once the statement
    completes; `into(statement, bound, target)` what is bound at `target` inside it."""

    def __init__(self, target):
        self.target = target

    def block(self, block, bound: frozenset[str]) -> frozenset[str] | None:
        """Names bound at the target when it is in `block`; None when it is not."""
        for statement in _statements(block):
            if _contains(statement, self.target):
                if (
                    statement.start_byte == self.target.start_byte
                    and statement.end_byte == self.target.end_byte
                ):
                    return bound
                return self.into(statement, bound)
            bound = self.after(statement, bound)
        return None

    def block_after(self, block, bound: frozenset[str]) -> frozenset[str] | None:
        """Names bound when `block` completes; None when it never does."""
        for statement in _statements(block):
            if always_jumps(statement):
                return None
            bound = self.after(statement, bound)
        return bound

    def after(self, statement, bound: frozenset[str]) -> frozenset[str]:
        kind = statement.type
        if kind == "expression_statement":
            names: list[str] = []
            for child in statement.named_children:
                if child.type == "assignment":
                    names += _assignment_names(child)
                elif child.type == "augmented_assignment":
                    names += walrus_names(child.child_by_field_name("right"))
                else:
                    names += walrus_names(child)
            return bound | frozenset(names)
        if kind in ("import_statement", "import_from_statement", "future_import_statement"):
            return bound | frozenset(_import_names(statement))
        if kind in ("function_definition", "class_definition"):
            name = statement.child_by_field_name("name")
            return bound | frozenset([_text(name)] if name is not None else [])
        if kind == "decorated_definition":
            definition = statement.child_by_field_name("definition")
            return self.after(definition, bound) if definition is not None else bound
        if kind in ("global_statement", "nonlocal_statement"):
            return bound | frozenset(
                _text(n) for n in statement.named_children if n.type == "identifier"
            )
        if kind == "delete_statement":
            return bound - frozenset(
                target_names(statement.named_children[0]) if statement.named_children else []
            )
        if kind in ("assert_statement", "return_statement", "raise_statement"):
            return bound | frozenset(
                n for child in statement.named_children for n in walrus_names(child)
            )
        if kind == "if_statement":
            return self._if_after(statement, bound)
        if kind in ("for_statement", "while_statement"):
            header = statement.child_by_field_name("right") or statement.child_by_field_name(
                "condition"
            )
            bound = (bound | frozenset(walrus_names(header))) - deleted_names(
                statement.child_by_field_name("body")
            )
            alternative = statement.child_by_field_name("alternative")
            if alternative is not None and not _breaks(statement.child_by_field_name("body")):
                after_else = self.block_after(alternative.child_by_field_name("body"), bound)
                return after_else if after_else is not None else bound
            return bound
        if kind == "try_statement":
            return self._try_after(statement, bound)
        if kind == "with_statement":
            inner = bound | frozenset(_with_targets(statement))
            body = statement.child_by_field_name("body")
            if _suppresses(statement):  # the body may have stopped anywhere
                return inner - deleted_names(body)
            after_body = self.block_after(body, inner)
            return after_body if after_body is not None else inner
        if kind == "match_statement":
            return self._match_after(statement, bound)
        return bound

    def _if_after(self, statement, bound: frozenset[str]) -> frozenset[str]:
        bound = bound | frozenset(walrus_names(statement.child_by_field_name("condition")))
        outcomes = [self.block_after(statement.child_by_field_name("consequence"), bound)]
        has_else = False
        for alternative in statement.children_by_field_name("alternative"):
            if alternative.type == "elif_clause":
                bound = bound | frozenset(
                    walrus_names(alternative.child_by_field_name("condition"))
                )
                outcomes.append(
                    self.block_after(alternative.child_by_field_name("consequence"), bound)
                )
            else:
                has_else = True
                outcomes.append(self.block_after(alternative.child_by_field_name("body"), bound))
        if not has_else:
            outcomes.append(bound)
        return _meet(outcomes, bound)

    def _try_after(self, statement, bound: frozenset[str]) -> frozenset[str]:
        body_block = statement.child_by_field_name("body")
        body = self.block_after(body_block, bound)
        handler_start = bound - deleted_names(body_block)
        outcomes: list[frozenset[str] | None] = []
        finally_block = None
        for part in statement.named_children:
            if part.type == "else_clause" and body is not None:
                body = self.block_after(part.child_by_field_name("body"), body)
            elif part.type == "except_clause":
                alias = _handler_name(part)
                start = handler_start | frozenset([alias] if alias else [])
                handled = self.block_after(_handler_block(part), start)
                if handled is not None:
                    outcomes.append(handled - frozenset([alias] if alias else []))
            elif part.type == "finally_clause":
                finally_block = next((c for c in part.named_children if c.type == "block"), None)
        outcomes.insert(0, body)
        result = _meet(outcomes, handler_start)
        if finally_block is not None:  # it runs last, on whatever path completed
            after_finally = self.block_after(finally_block, result)
            if after_finally is not None:
                result = after_finally
        return result

    def _match_after(self, statement, bound: frozenset[str]) -> frozenset[str]:
        bound = bound | frozenset(walrus_names(statement.child_by_field_name("subject")))
        body = statement.child_by_field_name("body")
        clauses = [
            c for c in (body.named_children if body is not None else []) if c.type == "case_clause"
        ]
        outcomes = [
            self.block_after(
                c.child_by_field_name("consequence"), bound | frozenset(_case_names(c))
            )
            for c in clauses
        ]
        if not any(_is_catch_all(c) for c in clauses):
            outcomes.append(bound)
        return _meet(outcomes, bound)

    def into(self, statement, bound: frozenset[str]) -> frozenset[str]:
        """Names bound at the target, which lies inside `statement` (a compound statement)."""
        kind = statement.type
        if kind == "decorated_definition":
            definition = statement.child_by_field_name("definition")
            return self.into(definition, bound) if definition is not None else bound
        if kind in SCOPES:
            return bound  # another scope: what this one bound before its definition
        if kind == "if_statement":
            bound = bound | frozenset(walrus_names(statement.child_by_field_name("condition")))
            found = self.block(statement.child_by_field_name("consequence"), bound)
            for alternative in statement.children_by_field_name("alternative"):
                if found is not None:
                    break
                if alternative.type == "elif_clause":
                    bound = bound | frozenset(
                        walrus_names(alternative.child_by_field_name("condition"))
                    )
                    found = self.block(alternative.child_by_field_name("consequence"), bound)
                else:
                    found = self.block(alternative.child_by_field_name("body"), bound)
            return found if found is not None else bound
        if kind in ("for_statement", "while_statement"):
            header = statement.child_by_field_name("right") or statement.child_by_field_name(
                "condition"
            )
            body = statement.child_by_field_name("body")
            # an earlier iteration may have deleted what was bound before the loop
            bound = (bound | frozenset(walrus_names(header))) - deleted_names(body)
            if body is not None and _contains(body, self.target):
                loop = (
                    target_names(statement.child_by_field_name("left"))
                    if kind == "for_statement"
                    else []
                )
                found = self.block(body, bound | frozenset(loop))
            else:
                alternative = statement.child_by_field_name("alternative")
                found = (
                    self.block(alternative.child_by_field_name("body"), bound)
                    if alternative is not None
                    else None
                )
            return found if found is not None else bound
        if kind == "try_statement":
            return self._into_try(statement, bound)
        if kind == "with_statement":
            found = self.block(
                statement.child_by_field_name("body"), bound | frozenset(_with_targets(statement))
            )
            return found if found is not None else bound
        if kind == "match_statement":
            bound = bound | frozenset(walrus_names(statement.child_by_field_name("subject")))
            body = statement.child_by_field_name("body")
            for clause in body.named_children if body is not None else []:
                if clause.type == "case_clause" and _contains(clause, self.target):
                    found = self.block(
                        clause.child_by_field_name("consequence"),
                        bound | frozenset(_case_names(clause)),
                    )
                    return found if found is not None else bound
            return bound
        return bound

    def _into_try(self, statement, bound: frozenset[str]) -> frozenset[str]:
        body = statement.child_by_field_name("body")
        if _contains(body, self.target):
            found = self.block(body, bound)
            return found if found is not None else bound
        parts = statement.named_children
        if any(_contains(p, self.target) for p in parts if p.type == "finally_clause"):
            # finally may follow the body, an else or a handler stopped anywhere
            bound = bound - deleted_names(
                body, *(p for p in parts if p.type in ("except_clause", "else_clause"))
            )
        elif any(_contains(p, self.target) for p in parts if p.type == "except_clause"):
            bound = bound - deleted_names(body)  # the body may have deleted it before it raised
        for part in statement.named_children:
            if not _contains(part, self.target):
                continue
            if part.type == "except_clause":
                alias = _handler_name(part)
                found = self.block(
                    _handler_block(part), bound | frozenset([alias] if alias else [])
                )
            elif part.type == "else_clause":
                after_body = self.block_after(body, bound)
                found = self.block(
                    part.child_by_field_name("body"),
                    after_body if after_body is not None else bound,
                )
            elif part.type == "finally_clause":
                found = self.block(
                    next((c for c in part.named_children if c.type == "block"), None), bound
                )
            else:
                found = None
            return found if found is not None else bound
        return bound


def _meet(outcomes: Iterable[frozenset[str] | None], fallback: frozenset[str]) -> frozenset[str]:
    """Names bound on every path that completes (a path that never completes binds everything)."""
    completing = [o for o in outcomes if o is not None]
    if not completing:
        return fallback
    result = completing[0]
    for outcome in completing[1:]:
        result = result & outcome
    return result


def deleted_names(*blocks) -> frozenset[str]:
    """Names a `del` anywhere in `blocks` (outside nested scopes) unbinds."""
    found: set[str] = set()
    stack = [statement for block in blocks for statement in _statements(block)]
    while stack:
        node = stack.pop()
        if node.type == "delete_statement" and node.named_children:
            found.update(target_names(node.named_children[0]))
        elif node.type not in SCOPES:
            stack.extend(node.named_children)
    return frozenset(found)


def _suppresses(statement) -> bool:
    """Whether a `with` statement's context manager may swallow an exception raised in its body
    (`contextlib.suppress`, `pytest.raises`, `assertRaises`): the code after it then runs even when
    the body stopped half way."""
    for clause in (c for c in statement.named_children if c.type == "with_clause"):
        for item in clause.named_children:
            value = item.child_by_field_name("value") if item.type == "with_item" else item
            if value is not None and value.type == "as_pattern" and value.named_children:
                value = value.named_children[0]
            if value is not None and value.type == "call":
                function = value.child_by_field_name("function")
                name = _text(function).rsplit(".", 1)[-1] if function is not None else ""
                if name in SUPPRESSING or name.startswith("assertRaises"):
                    return True
    return False


def _breaks(block) -> bool:
    """Whether a loop body can `break` out of its own loop."""
    stack = list(_statements(block))
    while stack:
        node = stack.pop()
        if node.type == "break_statement":
            return True
        if node.type not in SCOPES and node.type not in ("for_statement", "while_statement"):
            stack.extend(node.named_children)
        elif node.type in ("for_statement", "while_statement"):
            alternative = node.child_by_field_name("alternative")  # a break in its else leaves ours
            if alternative is not None:
                stack.extend(alternative.named_children)
    return False


def _handler_name(clause) -> str | None:
    for child in clause.named_children:
        if child.type == "as_pattern":
            alias = child.child_by_field_name("alias")
            if alias is not None:
                names = [n for c in alias.named_children for n in target_names(c)]
                return names[0] if names else None
    return None


def _handler_block(clause):
    return next((c for c in clause.named_children if c.type == "block"), None)


def scope_body(scope):
    """The block whose statements run in `scope` (a function or class node; the module node
    itself)."""
    if scope.type == "module":
        return scope
    return scope.child_by_field_name("body")


def parameter_names(function) -> list[str]:
    parameters = function.child_by_field_name("parameters")
    names = []
    for node in parameters.named_children if parameters is not None else []:
        if node.type == "identifier":
            names.append(_text(node))
        elif node.type in ("typed_parameter", "list_splat_pattern", "dictionary_splat_pattern"):
            inner = next((c for c in node.named_children if c.type == "identifier"), None)
            # typed *args: (typed_parameter (list_splat_pattern x))
            if inner is None and node.named_children:
                inner = next(
                    (c for c in node.named_children[0].named_children if c.type == "identifier"),
                    None,
                )
            if inner is not None:
                names.append(_text(inner))
        elif node.type in ("default_parameter", "typed_default_parameter"):
            name = node.child_by_field_name("name")
            if name is not None:
                names.append(_text(name))
    return names


def bound_at(scope, target) -> frozenset[str]:
    """Names of `scope` (a function, or the module) bound on every path from its start to `target`
    (a node inside it). A function's parameters are bound from its start."""
    start = (
        frozenset(parameter_names(scope))
        if scope.type in ("function_definition", "lambda")
        else frozenset()
    )
    found = _Walk(target).block(scope_body(scope), start)
    return found if found is not None else start


def local_names(scope) -> frozenset[str]:
    """Every name `scope` binds somewhere (parameters included): Python makes each of them local to
    it for the whole function, so before it is bound, reading it fails even if a global has its
    name. Names declared `global` or `nonlocal` are not local."""
    names: set[str] = set(parameter_names(scope)) if scope.type == "function_definition" else set()
    declared: set[str] = set()
    stack = list(_statements(scope_body(scope)))
    walk = _Walk(scope)
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in ("global_statement", "nonlocal_statement"):
            declared.update(_text(n) for n in node.named_children if n.type == "identifier")
            continue
        if kind in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            if name is not None:
                names.add(_text(name))
            continue
        if kind == "lambda" or kind in _COMPREHENSIONS:
            continue
        if kind in ("expression_statement", "import_statement", "import_from_statement"):
            names.update(walk.after(node, frozenset()))
        elif kind == "named_expression":
            name = node.child_by_field_name("name")
            if name is not None:
                names.add(_text(name))
        elif kind == "augmented_assignment":
            names.update(target_names(node.child_by_field_name("left")))
        elif kind == "for_statement":
            names.update(target_names(node.child_by_field_name("left")))
        elif kind == "with_statement":
            names.update(_with_targets(node))
        elif kind == "except_clause":
            alias = _handler_name(node)
            if alias:
                names.add(alias)
        elif kind == "delete_statement" and node.named_children:
            names.update(target_names(node.named_children[0]))
        elif kind == "case_clause":
            names.update(_case_names(node))
        stack.extend(node.named_children)
    return frozenset(names - declared)


def reachable(statement) -> bool:
    """False when `statement` comes after a return, raise, continue or break (or an `if` all of
    whose branches end in one) in its block or in a block around it, up to its scope."""
    return reachable_within(statement, (*SCOPES, "module"), ("block", "module"), always_jumps)


def _is_numeric(node, numeric: set[str]) -> bool:
    """Whether the expression `node` certainly evaluates to a number,
    given the names known numeric."""
    if node is None:
        return False
    kind = node.type
    if kind in ("integer", "float"):
        return True
    if kind == "identifier":
        return _text(node) in numeric
    if kind == "parenthesized_expression" and node.named_children:
        return _is_numeric(node.named_children[0], numeric)
    if kind == "unary_operator":
        return _is_numeric(node.child_by_field_name("argument"), numeric)
    if kind == "binary_operator":
        operator = node.child_by_field_name("operator")
        return (
            operator is not None
            and _text(operator) in ARITHMETIC
            and _is_numeric(node.child_by_field_name("left"), numeric)
            and _is_numeric(node.child_by_field_name("right"), numeric)
        )
    if kind == "call":
        function = node.child_by_field_name("function")
        if function is None:
            return False
        name = _text(function)
        if name in NUMERIC_CALLS:
            return True
        return (
            function.type == "attribute"
            and _text(function.child_by_field_name("attribute")) in NUMERIC_METHODS
        )
    return False


def numeric_names(scope, target, bound: frozenset[str]) -> frozenset[str]:
    """Names among `bound` that hold a number at `target`: every binding of the name in `scope`
    (after the target too: a loop comes back) gives a number (a numeric literal, `len()`, `int()`,
    `float()`, arithmetic on numbers, a `range()` loop, `enumerate()`'s index), or it is a parameter
    annotated `int` or `float` that nothing rebinds. Anything else may be a string,
    whose `%d` would fail to format."""
    verdict: dict[str, bool] = {}
    if scope.type == "function_definition":
        parameters = scope.child_by_field_name("parameters")
        for node in parameters.named_children if parameters is not None else []:
            if node.type in ("typed_parameter", "typed_default_parameter"):
                annotation = node.child_by_field_name("type")
                name = node.child_by_field_name("name") or next(
                    (c for c in node.named_children if c.type == "identifier"), None
                )
                if name is not None and annotation is not None:
                    verdict[_text(name)] = _text(annotation) in NUMERIC_TYPES
    stack = list(_statements(scope_body(scope)))
    found: list[tuple[int, str, Node]] = []
    while stack:
        node = stack.pop()
        if node.type in SCOPES or node.type in _COMPREHENSIONS:
            continue
        if node.type in ("assignment", "augmented_assignment", "for_statement", "named_expression"):
            found.append((node.start_byte, node.type, node))
        stack.extend(node.named_children)

    def settle(name: str, is_number: bool) -> None:  # a number only if every binding gives one
        verdict[name] = verdict.get(name, True) and is_number

    for _, kind, node in sorted(found, key=lambda item: item[0]):
        numeric = {name for name, is_number in verdict.items() if is_number}
        if kind == "assignment":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if right is None:
                continue
            if left is not None and left.type == "identifier":
                settle(_text(left), _is_numeric(right, numeric))
            else:
                for name in target_names(left):
                    settle(name, False)
        elif kind == "augmented_assignment":
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                name = _text(left)
                settle(
                    name,
                    name in verdict and _is_numeric(node.child_by_field_name("right"), numeric),
                )
        elif kind == "named_expression":
            name = node.child_by_field_name("name")
            if name is not None:
                settle(_text(name), _is_numeric(node.child_by_field_name("value"), numeric))
        else:  # for_statement
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            names = target_names(left)
            called = (
                right.child_by_field_name("function")
                if right is not None and right.type == "call"
                else None
            )
            callee = _text(called) if called is not None else ""
            single = left is not None and left.type == "identifier"  # no names when None
            for position, name in enumerate(names):
                settle(
                    name,
                    (callee == "range" and single)
                    or (callee == "enumerate" and position == 0 and not single),
                )
    return frozenset(name for name, is_number in verdict.items() if is_number and name in bound)
