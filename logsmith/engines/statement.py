"""Writing a log call from a plan and a message, and checking a finished statement."""

from __future__ import annotations

import ast
import re

from logsmith.idioms.literals import escaped
from logsmith.planning.plan import Plan
from logsmith.syntax.flow import NUMERIC_CALLS, NUMERIC_METHODS
from logsmith.syntax.site import LogSite
from logsmith.vocabulary import LOGGER_METHODS

# Builtins that make text or a type of any value without raising: `str(err)`, `type(err).__name__`.
TEXT_OF = re.compile(
    r"(?P<call>str|repr|type)\((?P<value>[A-Za-z_]\w*(?:\.\w+)*)\)(?P<rest>\.__name__)?"
)


def _escape(text: str, quote: str) -> str:
    return escaped(text, quote).replace("\n", " ")


def labels(names: tuple[str, ...]) -> list[str]:
    """A short label per argument: its last part (`self._state` -> `_state`), or the whole chain
    with underscores when two arguments share a last part
    (`job.name`, `self.name` -> `job_name`, `self_name`); `str(err)` is labelled as `err`."""
    chains = [found["value"] if (found := TEXT_OF.fullmatch(n)) else n for n in names]
    last = [n.split(".")[-1] for n in chains]
    return [part if last.count(part) == 1 else n.replace(".", "_") for n, part in zip(chains, last)]


def render(plan: Plan, message: str) -> str:
    """The statement for `plan` with `message` (plain words, no placeholders) and the plan's
    arguments."""
    q = plan.quote
    message = _escape(message.strip(), q)
    names, exception = plan.variables, plan.exception
    fmt = plan.message_format
    call = f"{plan.logger}.{plan.level}"
    if fmt == "event":
        # `event` is structlog's message argument; keys never repeat
        # (a repeated keyword does not parse)
        keys = [label if label != "event" else "event_value" for label in labels(names)]
        pairs = [f"{key}={n}" for key, n in zip(keys, names)]
        if exception:
            pairs.append(f"{'error' if 'error' not in keys else 'error_text'}=str({exception})")
        return f"{call}({q}{message}{q}{''.join(', ' + p for p in pairs)})"

    def slot(name: str) -> str:
        return {"fstring": "{" + name + "}", "format": "{}", "brace": "{}"}.get(fmt, "%s")

    text = message
    if len(names) == 1:
        text += " " + slot(names[0])
    elif names:
        text += ": " + ", ".join(f"{label}={slot(n)}" for label, n in zip(labels(names), names))
    if exception:
        text += ": " + slot(exception)
    arguments = list(names) + ([exception] if exception else [])
    return written_call(call, q, fmt, text, arguments)


def written_call(
    call: str, quote: str, fmt: str, text: str, arguments: list[str], tail: str = ""
) -> str:
    """`call(...)` with the message `text` (escaped, its slots written for `fmt`) and its
    `arguments` as `fmt` passes them, then `tail` (keyword arguments, each after a comma)."""
    q = quote
    if not arguments:  # nothing to interpolate: a plain string, never `"...".format()` or `f"..."`
        return f"{call}({q}{text}{q}{tail})"
    if fmt == "fstring":
        return f"{call}(f{q}{text}{q}{tail})"
    if fmt == "format":
        return f"{call}({q}{text}{q}.format({', '.join(arguments)}){tail})"
    return f"{call}({q}{text}{q}{''.join(', ' + a for a in arguments)}{tail})"


def chain(node: ast.AST) -> str | None:
    """`a.b.c` for a name or an attribute chain rooted at a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = chain(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def one_call(statement: str) -> ast.Call | None:
    """The call when `statement` parses as exactly one call expression, else None."""
    try:
        tree = ast.parse(statement)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    value = tree.body[0].value
    return value if isinstance(value, ast.Call) else None


def checked_call(statement: str) -> ast.Call:
    """The call of a statement that passed `check`: one call of a method on the logger."""
    expression = ast.parse(statement).body[0]
    assert isinstance(expression, ast.Expr) and isinstance(expression.value, ast.Call)
    return expression.value


def used_names(call: ast.Call) -> list[str]:
    """Names and dotted attributes the call's arguments use, outside string literals."""
    found: list[str] = []

    def visit(node):
        text = chain(node)
        if text is not None:
            found.append(text)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    for argument in [*call.args, *(k.value for k in call.keywords)]:
        visit(argument)
    return list(dict.fromkeys(found))


class InvalidStatement(ValueError):
    """The statement does not parse, or is not one call on the planned logger,
    or uses unknown names."""


# A %-conversion as logging's `msg % args` reads it; group 1 is the conversion type.
PERCENT = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)
NUMERIC_CONVERSIONS = frozenset("diouxXeEfFgGc")
# A str.format / f-string replacement field's spec whose type needs a number (`{:d}`, `{:.2f}`).
NUMERIC_SPEC = re.compile(r"[bcdoxXneEfFgG%]$")
FIELD = re.compile(r"\{\{|\}\}|\{([^{}!:]*)(![rsa])?(?::([^{}]*))?\}")


def is_number(node: ast.AST, site: LogSite) -> bool:
    """Whether the argument `node` certainly holds a number at `site`."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.Name):
        return node.id in site.numeric_names
    if isinstance(node, ast.UnaryOp):
        return is_number(node.operand, site)
    if isinstance(node, ast.BinOp):
        return is_number(node.left, site) and is_number(node.right, site)
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        return name in NUMERIC_CALLS or (
            isinstance(node.func, ast.Attribute) and node.func.attr in NUMERIC_METHODS
        )
    return False


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _fields(text: str) -> list[tuple[str, str | None]] | None:
    """The replacement fields of a `str.format` text as (name, spec);
    None when one is named or numbered."""
    found = []
    for match in FIELD.finditer(text):
        if match.group(0) in ("{{", "}}"):
            continue
        if match.group(1):
            return None
        found.append((match.group(1), match.group(3)))
    return found


def format_problem(call: ast.Call, site: LogSite, message_format: str) -> str | None:
    """Why the call's message and arguments would not format at run time, or None: a placeholder
    count other than the argument count, or a numeric conversion (`%d`, `{:d}`, `{x:.2f}`) for a
    value that may not be a number."""
    if not call.args:
        return None
    first, values = call.args[0], call.args[1:]
    text = _string(first)
    if text is not None and message_format != "brace":
        conversions = [m.group(1) for m in PERCENT.finditer(text) if m.group(1) != "%"]
        if values and len(conversions) != len(values):
            return f"{len(conversions)} placeholders for {len(values)} arguments"
        if not values and re.search(r"(?<!%)%[sdr]", text):
            return "placeholders without arguments"
        for conversion, value in zip(conversions, values):
            if conversion in NUMERIC_CONVERSIONS and not is_number(value, site):
                return f"%{conversion} for {ast.unparse(value)}, which may not be a number"
        return None
    if text is not None:  # loguru-style `{}` placeholders
        fields = _fields(text)
        if fields is not None and values and len(fields) != len(values):
            return f"{len(fields)} placeholders for {len(values)} arguments"
        return None
    if isinstance(first, ast.JoinedStr):
        for part in first.values:
            if isinstance(part, ast.FormattedValue) and part.format_spec is not None:
                spec = "".join(
                    _string(piece) or "" for piece in getattr(part.format_spec, "values", [])
                )
                if NUMERIC_SPEC.search(spec) and not is_number(part.value, site):
                    return (
                        f"format spec :{spec} for {ast.unparse(part.value)}, "
                        "which may not be a number"
                    )
        return None
    if (
        isinstance(first, ast.Call)
        and isinstance(first.func, ast.Attribute)
        and first.func.attr == "format"
    ):
        fields = _fields(_string(first.func.value) or "")
        if fields is None or first.keywords:
            return None
        if len(fields) != len(first.args):
            return f"{len(fields)} fields for {len(first.args)} format arguments"
        for (_, field_spec), value in zip(fields, first.args):
            if field_spec and NUMERIC_SPEC.search(field_spec) and not is_number(value, site):
                return (
                    f"format spec :{field_spec} for {ast.unparse(value)}, which may not be a number"
                )
    return None


def _source_segment(statement: str, node: ast.expr) -> str:
    line = statement.encode("utf-8")
    return line[node.col_offset : node.end_col_offset].decode("utf-8")


def with_safe_formats(statement: str, site: LogSite) -> str:
    """`statement` with each numeric conversion whose value may not be a number made a plain one:
    `%d` -> `%s`, `{:d}` -> `{}`, `{count:.2f}` -> `{count}`. A `%d` given a string stops logging
    the record ("a real number is required"); `%s` prints a number the same way."""
    call = one_call(statement)
    if call is None:
        return statement
    if not call.args or "\n" in statement:
        return statement
    first, values = call.args[0], call.args[1:]
    segment = _source_segment(statement, first)
    fixed = segment
    if _string(first) is not None and values:
        matches = [m for m in PERCENT.finditer(segment) if m.group(1) != "%"]
        if len(matches) == len(values):
            for match, value in reversed(list(zip(matches, values))):
                if match.group(1) in NUMERIC_CONVERSIONS and not is_number(value, site):
                    fixed = fixed[: match.start()] + "%s" + fixed[match.end() :]
    elif isinstance(first, ast.JoinedStr):
        for part in first.values:
            if (
                isinstance(part, ast.FormattedValue)
                and part.format_spec is not None
                and not is_number(part.value, site)
            ):
                spec = "".join(
                    _string(piece) or "" for piece in getattr(part.format_spec, "values", [])
                )
                if NUMERIC_SPEC.search(spec):
                    fixed = fixed.replace(
                        f"{_source_segment(statement, part.value)}:{spec}}}",
                        f"{_source_segment(statement, part.value)}}}",
                        1,
                    )
    elif (
        isinstance(first, ast.Call)
        and isinstance(first.func, ast.Attribute)
        and first.func.attr == "format"
    ):
        fields = _fields(_string(first.func.value) or "")
        if fields is not None and len(fields) == len(first.args):
            for (_, field_spec), value in zip(fields, first.args):
                if field_spec and NUMERIC_SPEC.search(field_spec) and not is_number(value, site):
                    fixed = fixed.replace("{:" + field_spec + "}", "{}", 1)
    if fixed == segment:
        return statement
    start = len(statement.encode("utf-8")[: first.col_offset].decode("utf-8"))
    return statement[:start] + fixed + statement[start + len(segment) :]


def check(statement: str, plan: Plan, site: LogSite) -> list[str]:
    """Validate a finished statement; returns the names it uses. Raises InvalidStatement with the
    reason: it does not parse, is not one call on the planned logger, names a value that is not
    bound on every path to the site, or its message and arguments would not format."""
    try:
        tree = ast.parse(statement)
    except SyntaxError as exc:
        raise InvalidStatement(f"does not parse: {exc.msg}") from None
    if (
        len(tree.body) != 1
        or not isinstance(tree.body[0], ast.Expr)
        or not isinstance(tree.body[0].value, ast.Call)
    ):
        raise InvalidStatement("is not a single call")
    call = tree.body[0].value
    if not isinstance(call.func, ast.Attribute) or ast.unparse(call.func.value) != plan.logger:
        raise InvalidStatement(f"does not call {plan.logger}")
    if call.func.attr not in LOGGER_METHODS.get(plan.framework, LOGGER_METHODS["logging"]):
        raise InvalidStatement(f"{plan.framework} loggers have no method {call.func.attr}")
    names = used_names(call)
    unknown = [n for n in names if not site.in_scope(n)]
    if unknown:
        raise InvalidStatement(f"uses names not bound on every path here: {', '.join(unknown)}")
    problem = format_problem(call, site, plan.message_format)
    if problem is not None:
        raise InvalidStatement(problem)
    return names
