"""Writing a log call from a plan and a message, and checking a finished statement."""

from __future__ import annotations

import ast
import builtins
import re

from logsmith.plan import Plan
from logsmith.syntax.site import LogSite

LOGGER_METHODS = {
    "logging": {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"},
    "loguru": {"trace", "debug", "info", "success", "warning", "error", "exception", "critical", "log"},
    "structlog": {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "msg", "log"},
}


def _escape(text: str, quote: str) -> str:
    return text.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", " ")


def labels(names: tuple[str, ...]) -> list[str]:
    """A short label per argument: its last part (`self._state` -> `_state`), or the whole chain with
    underscores when two arguments share a last part (`job.name`, `self.name` -> `job_name`, `self_name`)."""
    last = [n.split(".")[-1] for n in names]
    return [part if last.count(part) == 1 else n.replace(".", "_") for n, part in zip(names, last)]


def render(plan: Plan, message: str) -> str:
    """The statement for `plan` with `message` (plain words, no placeholders) and the plan's arguments."""
    q = plan.quote
    message = _escape(message.strip(), q)
    names, exception = plan.variables, plan.exception
    fmt = plan.message_format
    call = f"{plan.logger}.{plan.level}"
    if fmt == "event":
        # `event` is structlog's message argument; keys never repeat (a repeated keyword does not parse)
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
    if fmt == "fstring":
        return f"{call}(f{q}{text}{q})"
    if fmt == "format":
        return f"{call}({q}{text}{q}.format({', '.join(arguments)}))"
    return f"{call}({q}{text}{q}{''.join(', ' + a for a in arguments)})"


def chain(node: ast.AST) -> str | None:
    """`a.b.c` for a name or an attribute chain rooted at a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = chain(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


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
    """The statement does not parse, or is not one call on the planned logger, or uses unknown names."""


def check(statement: str, plan: Plan, site: LogSite) -> list[str]:
    """Validate a finished statement; returns the names it uses. Raises InvalidStatement with the reason."""
    try:
        tree = ast.parse(statement)
    except SyntaxError as exc:
        raise InvalidStatement(f"does not parse: {exc.msg}") from None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr) or not isinstance(tree.body[0].value, ast.Call):
        raise InvalidStatement("is not a single call")
    call = tree.body[0].value
    if not isinstance(call.func, ast.Attribute) or ast.unparse(call.func.value) != plan.logger:
        raise InvalidStatement(f"does not call {plan.logger}")
    if call.func.attr not in LOGGER_METHODS.get(plan.framework, LOGGER_METHODS["logging"]):
        raise InvalidStatement(f"{plan.framework} loggers have no method {call.func.attr}")
    names = used_names(call)
    unknown = [n for n in names if not (site.in_scope(n) or n.split(".")[0] in ("self", "cls") and n.split(".")[0] in site.names)]
    unknown = [n for n in unknown if not hasattr(builtins, n.split(".")[0])]
    if unknown:
        raise InvalidStatement(f"uses names not in scope: {', '.join(unknown)}")
    if plan.message_format in ("percent",) and call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        placeholders = len(re.findall(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifgxXeEcou]", call.args[0].value))
        if placeholders != len(call.args) - 1:
            raise InvalidStatement(f"{placeholders} placeholders for {len(call.args) - 1} arguments")
    return names
