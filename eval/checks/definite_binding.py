"""Which names are bound on every path that reaches a statement of a Python file: the binding half of
the "safe" metric (`eval.metrics.safety_problem`).

Written for the benchmark on Python's `ast`, apart from logsmith's own analysis, so that the metric
checks logsmith rather than repeating it. A name read by a statement is bound there when:

- it is local to the statement's scope (the innermost function, class body or the module: a
  parameter, or a name the scope binds anywhere) and every path from the scope's start to the
  statement binds it (below); a local read before that raises `UnboundLocalError`, even where a
  global or builtin has its name;
- or it is not local there (or is declared `global` / `nonlocal`) and is local to an enclosing
  function, wherever that function binds it (a closure runs later), or is bound anywhere at module
  level (a function runs after its module), or is a builtin or a module dunder. Class bodies are
  not seen from the functions inside them. A `from x import *` binds names nobody can list: after
  one, every name counts as bound.

Paths, statement by statement (the state is the set of the scope's names bound so far):

- assignments (chained and unpacking), augmented and annotated assignments with a value, imports
  (`import a.b` binds `a`), `def` / `class`, `with ... as` bind their names when they complete;
  a walrus binds where it is always evaluated (not on the right of `and` / `or`, in a branch of a
  conditional expression, a later comparison of a chain, a comprehension's body or a lambda);
  `x: int` alone binds nothing; `del x` unbinds.
- `return`, `raise`, `break` and `continue` end a path; code that no path reaches is unreachable.
- `if` and `match`: after them, what every branch that completes binds; a missing `else`, or a
  `match` without a case that always matches, is a branch that binds nothing. Case patterns bind
  their captures inside their case.
- `for` and `while`: the body may run zero times (a `while True:` loop is left only by `break`).
  Inside it, a name is bound when it is bound at the start of every iteration (before the loop,
  and at the end of the body or a `continue`, to a fixed point) or earlier in the same iteration;
  a `for` target is bound inside the body. After the loop: what holds when the loop runs out
  (then its `else`) and at every `break`.
- `try`: a handler may start at any point of the body, so it sees what every point of the body
  holds (what was bound before the `try`, less what the body deletes) plus its own `as` name,
  which is unbound when the handler ends; `else` follows the body; `finally` sees what every point
  of the body, its handlers and `else` holds. After the statement: what the body with its `else`
  and every handler that completes all bind, then `finally` runs on that (a `del` there unbinds).
- `with`: a context manager that may swallow the body's exceptions (`suppress(...)`) makes the
  code after the statement see only what every point of the body holds.

The analysis reads whole statements: an exception raised halfway through one leaves the state it
started in.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from functools import cached_property

MODULE_DUNDERS = frozenset({"__name__", "__file__", "__doc__", "__spec__", "__package__", "__loader__",
                            "__builtins__", "__cached__"})
BUILTINS = frozenset(dir(builtins))
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
SUPPRESSING = frozenset({"suppress"})
"""Context managers (called by this name, or as `contextlib.suppress`) that swallow exceptions."""


def _meet(states) -> frozenset[str] | None:
    """Names bound on every arriving path; None when no path arrives."""
    arriving = [state for state in states if state is not None]
    if not arriving:
        return None
    result = arriving[0]
    for state in arriving[1:]:
        result = result & state
    return result


def _plus(state, names) -> frozenset[str] | None:
    return None if state is None else state | frozenset(names)


def _minus(state, names) -> frozenset[str] | None:
    return None if state is None else state - frozenset(names)


def target_names(node: ast.AST) -> list[str]:
    """Names an assignment target binds: `x`, `a, (b, *c)`; attributes and subscripts bind none."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [name for element in node.elts for name in target_names(element)]
    if isinstance(node, ast.Starred):
        return target_names(node.value)
    return []


def walrus_names(node: ast.AST | None) -> list[str]:
    """Names the walruses of an expression bind whenever the whole expression is evaluated."""
    if node is None or isinstance(node, ast.Lambda):
        return []
    if isinstance(node, ast.NamedExpr):
        return target_names(node.target) + walrus_names(node.value)
    if isinstance(node, ast.BoolOp):
        return walrus_names(node.values[0])
    if isinstance(node, ast.IfExp):
        return walrus_names(node.test)
    if isinstance(node, ast.Compare):
        return walrus_names(node.left) + walrus_names(node.comparators[0])
    if isinstance(node, COMPREHENSIONS):
        return walrus_names(node.generators[0].iter)  # the first iterable is evaluated outside
    return [name for child in ast.iter_child_nodes(node) for name in walrus_names(child)]


def pattern_names(pattern: ast.AST) -> list[str]:
    """Capture names of a `case` pattern."""
    names = []
    for node in ast.walk(pattern):
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.append(node.rest)
    return names


def _always_matches(case: ast.match_case) -> bool:
    pattern = case.pattern
    while isinstance(pattern, ast.MatchAs) and pattern.pattern is not None:
        pattern = pattern.pattern
    return case.guard is None and isinstance(pattern, ast.MatchAs) and pattern.pattern is None


def _always_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value)


def _suppresses(item: ast.withitem) -> bool:
    call = item.context_expr
    if not isinstance(call, ast.Call):
        return False
    function = call.func
    name = function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else None
    return name in SUPPRESSING


def _import_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    return [alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "*"]


class _Paths:
    """One walk over a scope's statements, recording the state at the target statement."""

    def __init__(self, target: ast.stmt):
        self.target = target
        self.at_target: list[frozenset[str] | None] = []
        self.loops: list[tuple[list, list]] = []  # (break states, continue states) of each open loop
        self.observers: list[list] = []  # the states seen at every point, for each open try / with

    def note(self, state) -> None:
        for seen in self.observers:
            seen.append(state)

    def block(self, statements: list[ast.stmt], state):
        for statement in statements:
            state = self.statement(statement, state)
        return state

    def statement(self, node: ast.stmt, state):
        self.note(state)
        if node is self.target:
            self.at_target.append(state)
        if isinstance(node, ast.Expr):
            return _plus(state, walrus_names(node.value))
        if isinstance(node, ast.Assign):
            return _plus(state, walrus_names(node.value) + [n for t in node.targets for n in target_names(t)])
        if isinstance(node, ast.AugAssign):
            return _plus(state, walrus_names(node.value) + target_names(node.target))
        if isinstance(node, ast.AnnAssign):
            if node.value is None:
                return state
            return _plus(state, walrus_names(node.value) + target_names(node.target))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return _plus(state, _import_names(node))
        if isinstance(node, (*FUNCTIONS, ast.ClassDef)):
            return _plus(state, [node.name])
        if isinstance(node, ast.Delete):
            return _minus(state, [n for t in node.targets for n in target_names(t)])
        if isinstance(node, (ast.Return, ast.Raise)):
            return None
        if isinstance(node, ast.Break):
            if self.loops:
                self.loops[-1][0].append(state)
            return None
        if isinstance(node, ast.Continue):
            if self.loops:
                self.loops[-1][1].append(state)
            return None
        if isinstance(node, ast.If):
            state = _plus(state, walrus_names(node.test))
            return _meet([self.block(node.body, state), self.block(node.orelse, state)])
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return self.loop(node, state)
        if isinstance(node, (ast.Try, ast.TryStar)):
            return self.try_statement(node, state)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return self.with_statement(node, state)
        if isinstance(node, ast.Match):
            return self.match(node, state)
        return state  # pass, global, nonlocal, assert

    def loop(self, node, state):
        if isinstance(node, ast.While):
            bound, test = [], walrus_names(node.test)
        else:
            state = _plus(state, walrus_names(node.iter))
            bound, test = target_names(node.target), []
        head = state  # what holds at the start of every iteration
        while True:
            self.note(head)
            self.loops.append(([], []))
            end = self.block(node.body, _plus(head, bound + test))
            breaks, continues = self.loops.pop()
            following = _meet([head, end, *continues])
            if following == head:
                break
            head = following
        if isinstance(node, ast.While) and _always_true(node.test):
            return _meet(breaks)  # `while True:` is left only by a break
        leaving = _plus(head, test)
        return _meet([self.block(node.orelse, leaving), *breaks])

    def try_statement(self, node, state):
        self.observers.append([state])  # every point of body, handlers and else: what finally sees
        self.observers.append([state])  # every point of the body: what a handler sees
        after_body = self.block(node.body, state)
        handler_start = _meet(self.observers.pop())
        outcomes = [self.block(node.orelse, after_body)]
        for handler in node.handlers:
            own = [handler.name] if handler.name else []
            outcomes.append(_minus(self.block(handler.body, _plus(handler_start, own)), own))
        anywhere = self.observers.pop()
        after = _meet(outcomes)
        if not node.finalbody:
            return after
        self.block(node.finalbody, _meet([*anywhere, after]))  # where finally may start, for the target
        return self.block(node.finalbody, after)

    def with_statement(self, node, state):
        for item in node.items:
            names = walrus_names(item.context_expr)
            if item.optional_vars is not None:
                names += target_names(item.optional_vars)
            state = _plus(state, names)
        if not any(_suppresses(item) for item in node.items):
            return self.block(node.body, state)
        self.observers.append([state])
        after = self.block(node.body, state)
        return _meet([*self.observers.pop(), after])

    def match(self, node: ast.Match, state):
        state = _plus(state, walrus_names(node.subject))
        outcomes = []
        for case in node.cases:
            start = _plus(state, pattern_names(case.pattern))
            if case.guard is not None:
                start = _plus(start, walrus_names(case.guard))
            outcomes.append(self.block(case.body, start))
        if not any(_always_matches(case) for case in node.cases):
            outcomes.append(state)
        return _meet(outcomes)


def _scope_nodes(scope: ast.AST):
    """Every node of a scope's own code (not the inside of nested scopes), the nested scopes' own
    nodes included so that their names count."""
    stack: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(getattr(scope, "body", []))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (*FUNCTIONS, ast.ClassDef)):
            stack.extend(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                stack.extend(node.bases)
                stack.extend(keyword.value for keyword in node.keywords)
            else:
                stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
            continue
        if isinstance(node, COMPREHENSIONS):
            stack.append(node.generators[0].iter)
            stack.extend(inner for inner in ast.walk(node) if isinstance(inner, ast.NamedExpr))
            continue
        stack.extend(ast.iter_child_nodes(node))


def parameters(scope: ast.AST) -> list[str]:
    if not isinstance(scope, (*FUNCTIONS, ast.Lambda)):
        return []
    arguments = scope.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return [argument.arg for argument in every]


@dataclass
class ScopeFacts:
    """What one scope binds anywhere, and what it declares another scope's."""

    node: ast.AST
    local: frozenset[str]
    declared_global: frozenset[str]
    declared_nonlocal: frozenset[str]
    star_import: bool
    binders: dict[str, list[ast.AST]] = field(default_factory=dict)
    """Per local name, the nodes that bind it (the scope node itself for a parameter)."""


def scope_facts(scope: ast.AST) -> ScopeFacts:
    """Names local to `scope` (Python's rule: bound anywhere in it, `del` included), less those
    declared global or nonlocal, with the nodes that bind each."""
    binders: dict[str, list[ast.AST]] = {}
    globals_, nonlocals = set(), set()
    star = False

    def add(names, node):
        for name in names:
            binders.setdefault(name, []).append(node)

    add(parameters(scope), scope)
    for node in _scope_nodes(scope):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            add([node.id], node)
        elif isinstance(node, (*FUNCTIONS, ast.ClassDef)):
            add([node.name], node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            add(_import_names(node), node)
            star = star or any(alias.name == "*" for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            add([node.name], node)
        elif isinstance(node, ast.Global):
            globals_.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            nonlocals.update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            add([node.name], node)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            add([node.rest], node)
    declared = globals_ | nonlocals
    local = frozenset(binders) - declared
    return ScopeFacts(scope, local, frozenset(globals_), frozenset(nonlocals), star,
                      {name: nodes for name, nodes in binders.items() if name in local})


class NoStatement(LookupError):
    """No statement starts at the given point."""


def _parents(module: ast.Module) -> dict[ast.AST, ast.AST]:
    found = {}
    for node in ast.walk(module):
        for child in ast.iter_child_nodes(node):
            found[child] = node
    return found


def statement_at(module: ast.Module, line: int, column: int) -> ast.stmt:
    """The statement that starts at 0-based (`line`, `column`)."""
    for node in ast.walk(module):
        if isinstance(node, ast.stmt) and node.lineno == line + 1 and node.col_offset == column:
            return node
    raise NoStatement(f"no statement starts at line {line + 1}, column {column}")


@dataclass
class Point:
    """A statement of a module, and what is bound where it starts."""

    module: ast.Module
    statement: ast.stmt
    scopes: list[ast.AST]
    """The statement's scope first (a function, a class body or the module), then each enclosing one."""
    state: frozenset[str] | None
    """The names local to the statement's scope that every path to it binds; None: no path reaches it."""
    facts: dict[int, ScopeFacts]
    """Per scope (by id), what it binds."""

    @property
    def reachable(self) -> bool:
        return self.state is not None

    def scope_of(self, name: str) -> ast.AST | None:
        """The scope whose variable `name` is at the statement, None for a builtin or an unknown name."""
        inner = self.scopes[0]
        facts = self.facts[id(inner)]
        if name in facts.local:
            return inner
        if name in facts.declared_global:
            return self.module
        for scope in self.scopes[1:]:
            if isinstance(scope, ast.ClassDef):
                continue  # a class body is not seen from the functions inside it
            outer = self.facts[id(scope)]
            if name in outer.local:
                return scope
            if name in outer.declared_global:
                return self.module
        return None

    def star_import(self) -> bool:
        return any(self.facts[id(scope)].star_import for scope in self.scopes
                   if scope is self.scopes[0] or not isinstance(scope, ast.ClassDef))

    def is_bound(self, name: str) -> bool:
        """Whether reading `name` at the statement finds a value on every path (see the module)."""
        if self.star_import():
            return True
        scope = self.scope_of(name)
        if scope is self.scopes[0]:
            return self.state is None or name in self.state
        if scope is not None:
            return True  # an enclosing function's variable, or a module global
        return name in BUILTINS or name in MODULE_DUNDERS or name in self._module_globals

    @cached_property
    def _module_globals(self) -> frozenset[str]:
        """Names a function declares `global` and binds: they are module globals too."""
        names: set[str] = set()
        for node in ast.walk(self.module):
            if isinstance(node, FUNCTIONS):
                declared = scope_facts(node).declared_global
                names.update(inner.id for inner in _scope_nodes(node) if isinstance(inner, ast.Name)
                             and inner.id in declared and isinstance(inner.ctx, ast.Store))
        return frozenset(names)


def point_at(source: str, line: int, column: int) -> Point:
    """What is bound at the statement starting at 0-based (`line`, `column`) of `source`.

    Raises SyntaxError when `source` does not parse, NoStatement when no statement starts there.
    """
    module = ast.parse(source)
    statement = statement_at(module, line, column)
    parents = _parents(module)
    scopes: list[ast.AST] = []
    node = parents.get(statement)
    while node is not None:
        if isinstance(node, (*FUNCTIONS, ast.ClassDef, ast.Module)):
            scopes.append(node)
        node = parents.get(node)
    facts = {id(scope): scope_facts(scope) for scope in scopes}
    inner = scopes[0]
    assert isinstance(inner, (*FUNCTIONS, ast.ClassDef, ast.Module))
    walk = _Paths(statement)
    walk.block(inner.body, frozenset(parameters(inner)))
    state = _meet(walk.at_target) if walk.at_target else None
    return Point(module, statement, scopes, state, facts)


def unbound(source: str, line: int, column: int, used) -> set[str]:
    """The names of `used` not bound on every path to the statement at (`line`, `column`)."""
    point = point_at(source, line, column)
    return {name for name in used if not point.is_bound(name)}
