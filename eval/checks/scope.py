"""Which names are bound at a point of a Python file: the "names in scope" check of the metrics.

A name is bound at a statement when it is a parameter of an enclosing function, is bound
(assigned, `for`/`with`/`except ... as` target, imported, `def`/`class`, `global`/`nonlocal`,
match capture) earlier in the text of the innermost function or anywhere in an outer function
(closures run later), is bound anywhere at module level, or is a builtin. Class bodies are not enclosing scopes for their methods. A module or function
with `from x import *` binds names nobody can list: every name then counts as bound.
Pure: works on source text with `ast`, imports nothing else.
"""

from __future__ import annotations

import ast
import builtins
import textwrap

_MODULE_NAMES = {"__name__", "__file__", "__doc__", "__spec__", "__package__", "__loader__",
                 "__builtins__", "__path__", "__annotations__", "__dict__"}
_BUILTINS = set(dir(builtins))
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
               ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

EVERYTHING = None
"""Returned instead of a set when a star import makes the bound names unknowable."""


def _before(node: ast.AST, position: tuple[int, int] | None) -> bool:
    if position is None:
        return True
    return (node.lineno, node.col_offset) < position


def _bindings(body: list[ast.stmt], position: tuple[int, int] | None) -> set[str] | None:
    """Names bound by `body` before `position` (anywhere if None), not looking into inner scopes."""
    names: set[str] = set()
    star = False
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, _NEW_SCOPES):
            if isinstance(node, (*_FUNCTIONS, ast.ClassDef)) and _before(node, position):
                names.add(node.name)
                for decorator in node.decorator_list:
                    stack.append(decorator)
            continue
        if hasattr(node, "lineno") and not _before(node, position):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    star = True
                else:
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return EVERYTHING if star else names


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return {argument.arg for argument in every}


def _enclosing_functions(module: ast.Module, line: int) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions whose body holds 1-based `line`, outermost first (they nest, so line order is enough)."""
    chain = [node for node in ast.walk(module)
             if isinstance(node, _FUNCTIONS) and node.body[0].lineno <= line <= node.end_lineno]
    return sorted(chain, key=lambda node: (node.lineno, node.col_offset))


def bound_names(source: str, line: int, column: int) -> set[str] | None:
    """Names bound at 0-based (`line`, `column`) of `source`; EVERYTHING (None) after a star import.

    Raises SyntaxError when `source` does not parse.
    """
    module = ast.parse(source)
    position = (line + 1, column)
    names = set(_BUILTINS) | _MODULE_NAMES
    module_names = _bindings(module.body, None)
    if module_names is EVERYTHING:
        return EVERYTHING
    names |= module_names
    chain = _enclosing_functions(module, line + 1)
    for function in chain:
        # A closure runs after its outer function has bound everything: only the innermost
        # function's bindings must come before the statement.
        local = _bindings(function.body, position if function is chain[-1] else None)
        if local is EVERYTHING:
            return EVERYTHING
        names |= local | _parameters(function)
    return names


def unbound(source: str, line: int, column: int, used: set[str]) -> set[str]:
    """The names of `used` that are not bound at (`line`, `column`); raises SyntaxError if `source` does not parse."""
    bound = bound_names(source, line, column)
    if bound is EVERYTHING:
        return set()
    return set(used) - bound


def names_bound_by(code: str) -> set[str]:
    """Names a snippet binds at module level, e.g. `logger` for the `logger = logging.getLogger(...)`
    a suggestion adds to a file that has no logger; empty when the snippet does not parse."""
    try:
        module = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return set()
    return _bindings(module.body, None) or set()


def _parsed_with_blank_lines_filled(source: str) -> ast.Module | None:
    """`source` parsed; where a masked blank line left a block empty, with `pass` on each
    indented blank line."""
    for text in (source, "\n".join(line + "pass" if line and not line.strip() else line
                                    for line in source.split("\n"))):
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError):
            continue
    return None


def names_setup_binds(source: str, texts) -> set[str]:
    """Names a suggestion's additional edits (`texts`) bind at module level in `source`, counted only
    when every name they read is bound there: by the file's own top-level statements, by the edits,
    or a builtin. An edit that reads an unbound name (`logging` in a file that has only `from
    logging import Handler`) raises when the module loads, so it binds nothing."""
    texts = list(texts)
    added = set().union(*(names_bound_by(text) for text in texts)) if texts else set()
    if not added:
        return added
    module = _parsed_with_blank_lines_filled(source)
    if module is None:
        return added  # the file itself does not parse: nothing to judge the edits against
    own = _bindings(module.body, None)
    if own is EVERYTHING:
        return added
    available = own | added | _MODULE_NAMES | _BUILTINS
    for text in texts:
        try:
            tree = ast.parse(textwrap.dedent(text))
        except (SyntaxError, ValueError):
            return set()
        read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if read - available:
            return set()
    return added
