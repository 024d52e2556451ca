"""Giving a finished log call another set of arguments while keeping its message's words.

The model writes the message and picks its arguments among the candidates; the ranker weighs the
same candidates from the code. `reconcile` asks both (`logsmith.planning.variables.reconciled`);
when they together choose another set, `with_arguments` rewrites the call: an argument that stays
keeps its place; one that goes takes its placeholder with it, and the words that only labelled it
(`id=`, quotes or brackets around it, a dangling `to`); a new one is appended at the end with its
name as a label (`host=%s`: a reader sees what the added value is), never put in another's place.
The other words of the message stay as the model wrote them.
"""

from __future__ import annotations

import ast
import re

from logsmith.engines.prompt import PLACEHOLDERS, writes_arguments
from logsmith.engines.statement import (
    InvalidStatement,
    chain,
    check,
    checked_call,
    labels,
    one_call,
    used_names,
)
from logsmith.planning.plan import Plan
from logsmith.planning.variables import SECOND_OPINION, reconciled
from logsmith.syntax.site import LogSite

SEPARATORS = " :,;-=("
PERCENT_SLOTS = re.compile(r"%[srd]|\{\}")
FSTRING_SLOTS = re.compile(r"\{([^{}]*)\}")
DANGLING = re.compile(
    r"(\s+(?:to|from|for|in|of|at|on|with|by|as|the|a|an|is|was|into))+$", re.IGNORECASE
)
# A placeholder's wrapping: `'%s'`, `(%s)`, `[%s]`, `<%s>`, and a `name=` label in front of it.
WRAPPED = r"(?:\w+=)?(?:'{slot}'|\"{slot}\"|\({slot}\)|\[{slot}\]|<{slot}>|{slot})"


def _segment(line: bytes, node: ast.expr | ast.keyword) -> str:
    return line[node.col_offset : node.end_col_offset].decode("utf-8")


def _assign(current: list[str], wanted: tuple[str, ...]) -> tuple[list[str | None], list[str]]:
    """For each current argument, whether it stays (None: it and its slot go; so does a value's
    second slot), and what to append. A new value never takes another's slot: the words around a
    slot describe the value that was there."""
    placed = [
        name if name in wanted and name not in current[:index] else None
        for index, name in enumerate(current)
    ]
    return placed, [name for name in wanted if name not in current]


def _drop_slot(text: str, marker: str) -> str:
    """`text` without `marker` (a placeholder that loses its argument) and the label or wrapping
    that belonged to it; a separator left dangling before it goes too."""
    found = re.search(WRAPPED.format(slot=re.escape(marker)), text)
    assert found is not None  # the marker alone is one of the shapes, and it is in `text`
    before, after = text[: found.start()].rstrip(), text[found.end() :].lstrip()
    if not after:  # the value ended the message: so do the words that led to it
        return DANGLING.sub("", before.rstrip(SEPARATORS)).rstrip(SEPARATORS)
    if after[0] in ",;:.)":
        return before.rstrip(SEPARATORS) + after
    return f"{before} {after}".strip()


def _append(text: str, slots: list[str]) -> str:
    """`text` with `slots` added at its end: after a colon,
    or a comma when it already ends with a value."""
    if not slots:
        return text
    stripped = text.rstrip()
    joined = ", ".join(slots)
    if re.search(rf"({PLACEHOLDERS.pattern})\W*$", stripped):
        return f"{stripped}, {joined}"
    return f"{stripped.rstrip(SEPARATORS + '.')}: {joined}"


def with_arguments(statement: str, wanted: tuple[str, ...]) -> str | None:
    """`statement` (one line, a call whose first argument is its message) logging exactly `wanted`,
    or None when its shape is not one this can rewrite
    (a value logged alone, `.format`, escapes)."""
    call = one_call(statement)
    if call is None:
        return None
    if not call.args or "\n" in statement:
        return None
    line = statement.encode("utf-8")
    first = call.args[0]
    literal = _segment(line, first)
    fstring = isinstance(first, ast.JoinedStr)
    if not (
        fstring or (isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str))
    ):
        return None
    opener = literal[:2] if fstring else literal[:1]
    if (
        literal[len(opener) : len(opener) + 2] == opener[-1] * 2
        or "\\" in literal
        or literal[-1] != opener[-1]
    ):
        return None  # triple quotes, escapes or a string prefix: not a shape the model writes
    text = literal[len(opener) : -1]
    if isinstance(first, ast.JoinedStr):
        current = [match.group(1) for match in FSTRING_SLOTS.finditer(text)]
        values = [
            chain(part.value) for part in first.values if isinstance(part, ast.FormattedValue)
        ]
        if len(call.args) != 1 or values != current:
            return None  # `{{`, conversions, format specs or expressions in the braces
    else:
        current = [chain(node) for node in call.args[1:]]
        if None in current or len(PERCENT_SLOTS.findall(text)) != len(current):
            return None
    if sorted(current) == sorted(wanted):
        return statement
    placed, to_add = _assign(current, wanted)
    if fstring:
        pieces = FSTRING_SLOTS.split(text)  # words, name, words, name, ..., words
        for index, new in enumerate(placed):
            pieces[2 * index + 1] = "\0" if new is None else "{" + new + "}"
        text = "".join(pieces)
        while "\0" in text:
            text = _drop_slot(text, "\0")
        text = _append(
            text, [f"{label}={{{name}}}" for label, name in zip(labels(tuple(to_add)), to_add)]
        )
        arguments = ""
    else:
        slots = PERCENT_SLOTS.findall(text)
        parts = PERCENT_SLOTS.split(text)
        for index, new in enumerate(placed):
            parts[index] += "\0" if new is None else slots[index]
        text = "".join(parts)
        while "\0" in text:
            text = _drop_slot(text, "\0")
        slot = "{}" if "{}" in slots else "%s"
        text = _append(text, [f"{label}={slot}" for label in labels(tuple(to_add))])
        arguments = "".join(f", {name}" for name in [n for n in placed if n is not None] + to_add)
    words = PLACEHOLDERS.sub(" ", text).split()
    if len(re.sub(r"\W", "", "".join(words))) < 3 or (
        len(words) < 2 and not to_add and not any(placed)
    ):
        return None  # too little would be left: a bare word says less than the model's statement
    if fstring and not FSTRING_SLOTS.search(text):
        opener = opener[1:]  # no value left to format: a plain string, not `f"..."`
    keywords = "".join(", " + _segment(line, keyword) for keyword in call.keywords)
    head = line[: call.args[0].col_offset].decode("utf-8")
    return f"{head}{opener}{text}{opener[-1]}{arguments}{keywords})"


def reconcile(statement: str, site: LogSite, plan: Plan) -> tuple[str, str | None]:
    """The model's `statement` with the arguments the model and the ranker choose together, and a
    note saying what changed (None when nothing did). Unchanged when the user typed part of the
    message, the model did not write the arguments, or the rewrite would not pass the checks every
    statement passes. A handled exception that an error-level statement names stays."""
    if site.typed.message or not writes_arguments(plan):
        return statement, None
    keep = (plan.exception,) if plan.exception and plan.level != "exception" else ()
    # the model engine checked `statement`: it is one call, whose names are read here
    by_model = tuple(
        name for name in used_names(checked_call(statement)) if name in plan.candidates
    )
    wanted = reconciled(
        plan.candidates, plan.likelihoods, by_model, site.exception_name, keep, SECOND_OPINION
    )
    rewritten = with_arguments(statement, wanted)
    if rewritten is None or rewritten == statement:
        return statement, None
    try:
        check(rewritten, plan, site)
    except InvalidStatement:
        return statement, None
    added = [name for name in wanted if name not in by_model]
    dropped = [name for name in by_model if name not in wanted]
    changes = ([f"added {', '.join(added)}"] if added else []) + (
        [f"left out {', '.join(dropped)}"] if dropped else []
    )
    return (
        rewritten,
        f"values weighed with the ranker: {'; '.join(changes)} (the model chose "
        f"{', '.join(by_model)})",
    )
