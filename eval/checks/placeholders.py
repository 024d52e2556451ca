"""Whether a statement's messages fit their values: the formatting half of the "safe" metric
(`eval.metrics.safety_problem`).

Written for the benchmark on Python's `ast`, apart from logsmith's own checks. Four kinds of
formatting are read, wherever they occur in the statement:

- a log call's message and its positional values (`logger.info("%s of %d", name, count)`;
  `.log(level, ...)` skips the level). The standard library and structlog format lazily with
  `%`: with values, the message must be a string literal (or literals joined with `+`) with one
  conversion per value (a `*` width or precision takes one more), or `%(key)s` conversions and
  one dict display holding every key; without values, the message is not formatted, so it must
  hold no conversion (a `%s` would be logged as is). In a file that imports loguru, messages are
  `str.format` templates instead (below), formatted only when values are given.
- `"..." % values`: the same count against a tuple display, a dict display or one other value.
- `"...".format(...)`: as many automatic fields as positional values (`{}`), or numbered fields
  that use each value, or named fields given as keywords; not both automatic and numbered.
- f-strings: only their format specs are checked.

A starred value, a `**` mapping or a message that is not a literal while values are given cannot
be checked and do not fit.

Conversions that need a number: `%d %i %u %e %E %f %F %g %G` take an int or a float, `%o %x %X`
and `%c` an int (`%c` also a one-character literal), a `*` an int. In format specs, `b c d o x X`
need an int, `e E f F g G n %` an int or a float, `s` a string (a literal, an f-string, a `str()`
call or a formatted string); a `!r` / `!s` / `!a` conversion makes the value a string first.
A value is a number when it is a numeric literal, a call of the builtins `len()` or `int()`
(ints) or `float()` (a float), arithmetic on numbers (`/` gives a float, `**` only with a
non-negative int literal as exponent), or a name whose every binding in its scope (anywhere in
it: a loop may bring a later one around) assigns such an expression, or a parameter annotated
`int` or `float` (an int may be passed for a float) that is rebound, if at all, only to numbers.
A name a function rebinds under `global` or `nonlocal` is not followed. Anything else may be a
string, a `None` or a `timedelta`, for which a numeric conversion fails.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Mapping, Sequence

from eval.checks.definite_binding import FUNCTIONS, Point, scope_facts

LEVEL_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal",
                           "trace", "success", "msg"})

INT, FLOAT, NUMBER, OTHER, UNKNOWN = "int", "float", "number", "other", "unknown"
"""Kinds of value: an int, a float, one of the two, anything else; UNKNOWN only while a name's
kind is being worked out."""

PERCENT_INT = frozenset("oxXc")
PERCENT_NUMBER = frozenset("diueEfFgG")
PERCENT_TYPES = frozenset("diouxXeEfFgGcrsa%")
BARE_PLACEHOLDER = re.compile(r"(?<!%)(?:%%)*%(?:\([^()]*\))?[diouxXeEfFgGcrsa]")
"""A conversion as a message without values would show it: `%s`, `%d`, `%(name)s` (not `100% done`)."""
SPEC_INT = frozenset("bcdoxX")
SPEC_NUMBER = frozenset("eEfFgGn%")


def join(first: str, second: str) -> str:
    """The kind of a name bound to a value of either kind."""
    if UNKNOWN in (first, second):
        return second if first == UNKNOWN else first
    if first == second:
        return first
    if OTHER in (first, second):
        return OTHER
    return NUMBER


def _is_number(kind: str) -> bool:
    return kind in (INT, FLOAT, NUMBER)


def _arithmetic(operator: ast.operator, left: str, right: str, right_node: ast.AST) -> str:
    if UNKNOWN in (left, right):
        return UNKNOWN
    if not (_is_number(left) and _is_number(right)):
        return OTHER
    if isinstance(operator, (ast.LShift, ast.RShift, ast.BitAnd, ast.BitOr, ast.BitXor)):
        return INT if left == right == INT else OTHER
    if isinstance(operator, ast.Div):
        return FLOAT
    if isinstance(operator, ast.Pow):  # a negative exponent makes a float, a fractional one may make a complex
        exponent = right_node.value if isinstance(right_node, ast.Constant) else None
        if isinstance(exponent, int) and exponent >= 0:
            return left
        return OTHER
    if isinstance(operator, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)):
        if FLOAT in (left, right):
            return FLOAT
        return INT if left == right == INT else NUMBER
    return OTHER  # matrix multiplication


class Kinds:
    """The kind of the values names hold at a statement (see the module), worked out per scope."""

    def __init__(self, point: Point):
        self.point = point
        self.by_scope: dict[int, dict[str, str]] = {}
        self.parents: dict[int, dict[int, ast.AST]] = {}

    def of_name(self, name: str, scope: ast.AST | None = None) -> str:
        """The kind of `name` read in `scope` (default: the statement's own scope)."""
        home = self._home(name, scope)
        if home is None:
            return OTHER  # a builtin or an unknown name
        return self._scope_kinds(home).get(name, OTHER)

    def _home(self, name: str, scope: ast.AST | None) -> ast.AST | None:
        if scope is None or scope is self.point.scopes[0]:
            return self.point.scope_of(name)
        chain = self.point.scopes[self.point.scopes.index(scope):]
        for index, candidate in enumerate(chain):
            if index and isinstance(candidate, ast.ClassDef):
                continue
            facts = self._facts(candidate)
            if name in facts.local:
                return candidate
            if name in facts.declared_global:
                return self.point.module
        return None

    def _facts(self, scope: ast.AST):
        return self.point.facts.get(id(scope)) or scope_facts(scope)

    def _scope_kinds(self, scope: ast.AST) -> dict[str, str]:
        """Every local name's kind in `scope`, to a fixed point from UNKNOWN (names bound only from
        one another, and never from a value, end as OTHER)."""
        if id(scope) in self.by_scope:
            return self.by_scope[id(scope)]
        facts = self._facts(scope)
        kinds = {name: UNKNOWN for name in facts.local}
        self.by_scope[id(scope)] = kinds
        while True:
            changed = False
            for name, binders in facts.binders.items():
                kind = UNKNOWN
                for binder in binders:
                    kind = join(kind, self._bound_kind(name, binder, scope))
                if kind != kinds[name]:
                    kinds[name], changed = kind, True
            if not changed:
                break
        for name in self._rebound_elsewhere(scope):
            kinds[name] = OTHER
        for name, kind in kinds.items():
            if kind == UNKNOWN:
                kinds[name] = OTHER
        return kinds

    @staticmethod
    def _rebound_elsewhere(scope: ast.AST) -> set[str]:
        """Names of `scope` that a function inside it binds after declaring them global (for the
        module) or nonlocal: values this analysis does not follow."""
        declaration = ast.Global if isinstance(scope, ast.Module) else ast.Nonlocal
        names: set[str] = set()
        for inner in ast.walk(scope):
            if inner is scope or not isinstance(inner, FUNCTIONS):
                continue
            declared = {n for node in ast.walk(inner) if isinstance(node, declaration) for n in node.names}
            names.update(node.id for node in ast.walk(inner)
                         if isinstance(node, ast.Name) and node.id in declared and isinstance(node.ctx, ast.Store))
        return names

    def _bound_kind(self, name: str, binder: ast.AST, scope: ast.AST) -> str:
        """The kind of value one binding gives `name`."""
        if binder is scope:  # a parameter
            return _annotation_kind(_parameter(scope, name))
        if isinstance(binder, ast.Name):
            return self._store_kind(binder, scope)
        return OTHER  # import, def, class, except ... as, match capture

    def _store_kind(self, target: ast.Name, scope: ast.AST) -> str:
        parent = self._parent(target, scope)
        if isinstance(target.ctx, ast.Del):
            return UNKNOWN  # `del` binds no value
        if isinstance(parent, ast.Assign) and target in parent.targets:
            return self.of_expression(parent.value, scope)
        if isinstance(parent, ast.AnnAssign) and parent.value is not None:
            return self.of_expression(parent.value, scope)
        if isinstance(parent, ast.AugAssign):
            return _arithmetic(parent.op, self.of_name(target.id, scope), self.of_expression(parent.value, scope),
                               parent.value)
        if isinstance(parent, ast.NamedExpr):
            return self.of_expression(parent.value, scope)
        return OTHER  # unpacking, a for or with target

    def _parent(self, node: ast.AST, scope: ast.AST) -> ast.AST | None:
        if id(scope) not in self.parents:
            self.parents[id(scope)] = {id(child): outer for outer in ast.walk(scope)
                                       for child in ast.iter_child_nodes(outer)}
        return self.parents[id(scope)].get(id(node))

    def of_expression(self, node: ast.AST, scope: ast.AST | None = None) -> str:
        """The kind of the value of expression `node`, read in `scope`."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int):  # bool included
                return INT
            return FLOAT if isinstance(node.value, float) else OTHER
        if isinstance(node, ast.Name):
            return self.of_name(node.id, scope)
        if isinstance(node, ast.UnaryOp):
            inner = self.of_expression(node.operand, scope)
            if isinstance(node.op, ast.Not):
                return INT
            if isinstance(node.op, ast.Invert):
                return inner if inner in (INT, UNKNOWN) else OTHER
            return inner if _is_number(inner) or inner == UNKNOWN else OTHER
        if isinstance(node, ast.BinOp):
            return _arithmetic(node.op, self.of_expression(node.left, scope), self.of_expression(node.right, scope),
                               node.right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and self._home(node.func.id, scope) is None:
            return {"len": INT, "int": INT, "float": FLOAT}.get(node.func.id, OTHER)  # the builtin, not a shadow
        return OTHER


def _parameter(function: ast.AST, name: str) -> ast.arg | None:
    if not isinstance(function, (*FUNCTIONS, ast.Lambda)):
        return None
    arguments = function.args
    for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        if argument.arg == name:
            return argument
    return None  # *args and **kwargs are a tuple and a dict


def _annotation_kind(argument: ast.arg | None) -> str:
    annotation = argument.annotation if argument is not None else None
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        text = annotation.value.strip()
    elif isinstance(annotation, ast.Name):
        text = annotation.id
    else:
        return OTHER
    return {"int": INT, "float": NUMBER}.get(text, OTHER)  # an int is accepted where a float is annotated


def _is_string(node: ast.AST) -> bool:
    """Whether the value of `node` is certainly a str."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _literal_text(node.left) is not None
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in ("str", "repr"):
            return True
        return (isinstance(node.func, ast.Attribute) and node.func.attr == "format"
                and _literal_text(node.func.value) is not None)
    return False


def _literal_text(node: ast.AST) -> str | None:
    """The text of a string literal, or of literals joined with `+`; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        return None if left is None or right is None else left + right
    return None


# ------------------------------------------------------------------------------------------------
# %-formatting


class Conversion:
    """One `%` conversion: its mapping key, how many `*` it has, and its type letter."""

    def __init__(self, key: str | None, stars: int, kind: str):
        self.key, self.stars, self.kind = key, stars, kind


def percent_conversions(text: str) -> list[Conversion] | None:
    """The `%` conversions of a message, in order; None when `%` would reject the text."""
    found: list[Conversion] = []
    index, length = 0, len(text)
    while True:
        index = text.find("%", index)
        if index < 0:
            return found
        index += 1
        key, stars = None, 0
        if index < length and text[index] == "(":
            depth, start = 1, index + 1
            index += 1
            while index < length and depth:
                depth += {"(": 1, ")": -1}.get(text[index], 0)
                index += 1
            if depth:
                return None
            key = text[start:index - 1]
        while index < length and text[index] in "#0- +":
            index += 1
        if index < length and text[index] == "*":
            stars, index = stars + 1, index + 1
        else:
            while index < length and text[index].isdigit():
                index += 1
        if index < length and text[index] == ".":
            index += 1
            if index < length and text[index] == "*":
                stars, index = stars + 1, index + 1
            else:
                while index < length and text[index].isdigit():
                    index += 1
        while index < length and text[index] in "hlL":
            index += 1
        if index >= length or text[index] not in PERCENT_TYPES:
            return None
        found.append(Conversion(key, stars, text[index]))
        index += 1


def _percent_fits(conversion: str, value: ast.AST, kinds: Kinds) -> bool:
    if conversion in PERCENT_NUMBER:
        return _is_number(kinds.of_expression(value))
    if conversion in PERCENT_INT:
        if conversion == "c" and isinstance(value, ast.Constant) and isinstance(value.value, str):
            return len(value.value) == 1
        return kinds.of_expression(value) == INT
    return True


def percent_problem(text: str, values: Sequence[ast.AST] | ast.Dict, kinds: Kinds) -> str | None:
    """Why `text % values` would fail or lose a value; `values` is a list of positional values or a
    dict display (a mapping for `%(key)s`)."""
    conversions = percent_conversions(text)
    if conversions is None:
        return f"{text!r} is not a valid %-format"
    keyed = [c for c in conversions if c.key is not None]
    if keyed:
        if len(keyed) != len(conversions) - sum(1 for c in conversions if c.kind == "%" and c.key is None):
            return "%(key) conversions mixed with positional ones"
        if not isinstance(values, ast.Dict) or any(k is None for k in values.keys):
            return "%(key) conversions without a dict display"
        given = {k.value: v for k, v in zip(values.keys, values.values)
                 if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        for conversion in keyed:
            if conversion.key not in given:
                return f"no value for %({conversion.key})"
            if not _percent_fits(conversion.kind, given[conversion.key], kinds):
                return f"%{conversion.kind} for {ast.unparse(given[conversion.key])}, which may not be a number"
        return None
    if isinstance(values, ast.Dict):
        values = [values]
    wanted = [c for c in conversions if c.kind != "%"]
    needed = sum(1 + c.stars for c in wanted) + sum(c.stars for c in conversions if c.kind == "%")
    if needed != len(values):
        return f"{needed} placeholders for {len(values)} values"
    position = 0
    for conversion in conversions:
        for _ in range(conversion.stars):
            if kinds.of_expression(values[position]) != INT:
                return f"* for {ast.unparse(values[position])}, which may not be an int"
            position += 1
        if conversion.kind == "%":
            continue
        value = values[position]
        position += 1
        if not _percent_fits(conversion.kind, value, kinds):
            return f"%{conversion.kind} for {ast.unparse(value)}, which may not be a number"
    return None


# ------------------------------------------------------------------------------------------------
# str.format and f-strings


STANDARD_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?\d*[,_]?(?:\.\d+)?[bcdeEfFgGnosxX%]?", re.DOTALL)
"""The format-spec mini-language of the builtin types; anything else (`%Y-%m-%d`) is some type's own."""


def _spec_type(spec: str) -> str | None:
    if not spec or not STANDARD_SPEC.fullmatch(spec):
        return None
    return spec[-1] if spec[-1] in SPEC_INT | SPEC_NUMBER | {"s"} else None


def spec_problem(spec: str, conversion: str | None, value: ast.AST, kinds: Kinds) -> str | None:
    """Why formatting `value` with `spec` (after `!conversion`) would fail."""
    kind = _spec_type(spec)
    if kind is None:
        return None
    described = ast.unparse(value) + (f"!{conversion}" if conversion else "")
    if kind == "s":
        return None if conversion or _is_string(value) else f":{spec} for {described}, which may not be a string"
    if conversion:
        return f":{spec} for {described}, a string"
    value_kind = kinds.of_expression(value)
    if kind in SPEC_INT and value_kind != INT:
        return f":{spec} for {described}, which may not be an int"
    if kind in SPEC_NUMBER and not _is_number(value_kind):
        return f":{spec} for {described}, which may not be a number"
    return None


def _fields(text: str) -> list[tuple[str, str, str | None]] | None:
    """The replacement fields of a format template as (name, spec, conversion), nested fields of a
    spec after their own; None when `str.format` would reject the template."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return None
    found = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        found.append((name, spec or "", conversion))
        if spec and "{" in spec:
            nested = _fields(spec)
            if nested is None:
                return None
            found += nested
    return found


def format_problem(text: str, values: Sequence[ast.AST], keywords: Mapping[str, ast.AST], kinds: Kinds) -> str | None:
    """Why `text.format(*values, **keywords)` would fail or lose a value."""
    fields = _fields(text)
    if fields is None:
        return f"{text!r} is not a valid format template"
    automatic = [f for f in fields if f[0] == ""]
    numbered = [f for f in fields if f[0] and f[0].split(".")[0].split("[")[0].isdigit()]
    if automatic and numbered:
        return "automatic and numbered fields mixed"
    if automatic and len(automatic) != len(values):
        return f"{len(automatic)} placeholders for {len(values)} values"
    if numbered:
        used = {int(f[0].split(".")[0].split("[")[0]) for f in numbered}
        if used != set(range(len(values))):
            return f"fields {sorted(used)} for {len(values)} values"
    if not automatic and not numbered and values:
        return f"0 placeholders for {len(values)} values"
    position = 0
    for name, spec, conversion in fields:
        root = name.split(".")[0].split("[")[0]
        if name == "":
            value, position = values[position], position + 1
        elif root.isdigit():
            value = values[int(root)]
        elif root in keywords:
            value = keywords[root]
        else:
            return f"no value for field {{{name}}}"
        if root != name:
            continue  # an attribute or item of the value: its kind is unknown, and so is the spec's fit
        problem = spec_problem(spec, conversion, value, kinds) if "{" not in spec else None
        if problem:
            return problem
    return None


def fstring_problem(node: ast.JoinedStr, kinds: Kinds) -> str | None:
    for part in node.values:
        if not isinstance(part, ast.FormattedValue) or part.format_spec is None:
            continue
        pieces = part.format_spec.values if isinstance(part.format_spec, ast.JoinedStr) else []
        if any(not isinstance(piece, ast.Constant) for piece in pieces):
            continue  # a spec built at run time
        spec = "".join(str(piece.value) for piece in pieces if isinstance(piece, ast.Constant))
        conversion = chr(part.conversion) if part.conversion and part.conversion > 0 else None
        problem = spec_problem(spec, conversion, part.value, kinds)
        if problem:
            return problem
    return None


# ------------------------------------------------------------------------------------------------
# A whole statement


def _uses_loguru(module: ast.Module) -> bool:
    for node in ast.walk(module):
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "loguru" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "loguru":
            return True
    return False


def _log_arguments(call: ast.Call) -> list[ast.expr] | None:
    """The positional arguments of a log call (the level of `.log(level, ...)` left out); None when
    the call is no log call."""
    function = call.func
    if not isinstance(function, ast.Attribute):
        return None
    if function.attr == "log":
        return call.args[1:] if call.args else []
    return list(call.args) if function.attr in LEVEL_METHODS else None


def _values(node: ast.AST) -> list[ast.AST] | ast.Dict:
    if isinstance(node, ast.Tuple):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return node
    return [node]


def _log_call_problem(call: ast.Call, arguments: Sequence[ast.AST], loguru: bool, kinds: Kinds) -> str | None:
    if any(isinstance(a, ast.Starred) for a in arguments):
        return "a starred value: the placeholders cannot be counted"
    if not arguments:
        return None
    message, values = arguments[0], arguments[1:]
    text = _literal_text(message)
    if loguru:
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        if any(k.arg is None for k in call.keywords):
            return "a ** mapping: the placeholders cannot be matched"
        if not values and not keywords:
            return None if text is None or not _fields(text) else "placeholders without values"
        if text is None:
            return "a message that is not a literal, with values"
        return format_problem(text, values, keywords, kinds)
    if not values:  # the message is logged as it is: a `%s` in it is a placeholder left empty
        return "placeholders without values" if text is not None and BARE_PLACEHOLDER.search(text) else None
    if text is None:
        return "a message that is not a literal, with values"
    if len(values) == 1 and isinstance(values[0], ast.Dict) and any(c.key for c in percent_conversions(text) or []):
        return percent_problem(text, values[0], kinds)
    return percent_problem(text, values, kinds)


def statement_problem(statement: ast.AST, point: Point, kinds: Kinds | None = None) -> str | None:
    """Why the messages of `statement` (parsed on its own) would not fit their values when it runs
    at `point`, or None."""
    kinds = kinds or Kinds(point)
    loguru = _uses_loguru(point.module)
    for node in ast.walk(statement):
        problem = None
        if isinstance(node, ast.Call):
            arguments = _log_arguments(node)
            if arguments is not None:
                problem = _log_call_problem(node, arguments, loguru, kinds)
            if problem is None and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
                text = _literal_text(node.func.value)
                if text is not None:
                    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
                        problem = "a starred value: the placeholders cannot be counted"
                    else:
                        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
                        problem = format_problem(text, node.args, keywords, kinds)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            text = _literal_text(node.left)
            if text is not None:
                values = _values(node.right)
                if isinstance(values, list) and any(isinstance(v, ast.Starred) for v in values):
                    problem = "a starred value: the placeholders cannot be counted"
                else:
                    problem = percent_problem(text, values, kinds)
        elif isinstance(node, ast.JoinedStr):
            problem = fstring_problem(node, kinds)
        if problem:
            return problem
    return None
