"""The log statements of one file as the project index keeps them: where each sits (kind of site,
function, class, handled exception, the words of the code around it) and what it logs (logger,
level, message parts, values).

A statement's message is kept as parts, text and value slots in the order the developer wrote
them, whatever the format (`%s`, `{}`, an f-string), so that it can be written again at another
site in another format (`logsmith.engines.neighbour`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.file_facts import file_facts, is_logger_call
from logsmith.syntax.languages import captures
from logsmith.syntax.site import placement
from logsmith.vocabulary import identifier_words, normalise_level

CONTEXT_BEFORE = 6
"""Lines before a statement (or the cursor) whose words describe its site."""
CONTEXT_AFTER = 2
"""Lines after it."""
# Words too common in Python to tell two sites apart.
COMMON_WORDS = frozenset(
    """self cls none true false and or not in is if else elif for while try except finally
    return raise with as def class import from pass break continue lambda yield await async
    del global nonlocal assert print len str int the a an of to""".split()
)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A %-format conversion: `%s`, `%(name)s`, `%-10.3f`; `%%` is a literal percent sign.
PERCENT_SLOT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")
BRACE_SLOT = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


@dataclass(frozen=True)
class LoggedStatement:
    """One log statement of the project and its site."""

    path: str
    """The file, as the index names it (relative to the workspace root)."""
    line: int
    end_line: int
    receiver: str
    level: str
    """Normalised: `warn` is `warning`, `fatal` is `critical`."""
    parts: tuple[tuple[str, str], ...]
    """The message: ("text", words) and ("value", expression) in order."""
    extra_values: tuple[str, ...]
    """Values logged after the message without a slot in it (structlog keys, a lone `exc_info`)."""
    keywords: tuple[str, ...]
    """Keyword arguments kept as written: `exc_info=True`, `stack_info=True`."""
    kind: str
    in_except: bool
    exception_name: str | None
    exception_types: tuple[str, ...]
    ending: str | None
    """How the handler around it ends: reraise, return, continue, break, pass, value or None."""
    function: str | None
    class_name: str | None
    context: tuple[str, ...]
    """Words of the code around the statement (`CONTEXT_BEFORE` lines before, `CONTEXT_AFTER`
    after, never before its function), for lexical retrieval."""
    text: str

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for kind, v in self.parts if kind == "value") + self.extra_values

    @property
    def message_words(self) -> str:
        return " ".join(text for kind, text in self.parts if kind == "text").strip()


def words_of(text: str) -> list[str]:
    """Lower-case identifiers of `text` and their words (`load_config` -> load_config, load,
    config), without Python's keywords and the commonest names."""
    found = []
    for identifier in IDENTIFIER.findall(text):
        lowered = identifier.lower()
        if lowered in COMMON_WORDS or len(lowered) < 2:
            continue
        found.append(lowered)
        pieces = identifier_words(identifier)
        if len(pieces) > 1:
            found.extend(p for p in pieces if p not in COMMON_WORDS and len(p) > 1)
    return found


def context_words(lines: list[str], first: int, last: int, floor: int) -> tuple[str, ...]:
    """The words of the lines around lines `first`..`last` (the statement itself left out), never
    above line `floor` (the enclosing function's first line)."""
    start = max(floor, first - CONTEXT_BEFORE)
    around = lines[start:first] + lines[last + 1 : last + 1 + CONTEXT_AFTER]
    return tuple(words_of("\n".join(around)))


def _unparse(node: ast.AST) -> str:
    return ast.unparse(node)


def _split_format(text: str, pattern: re.Pattern, values: list[str]) -> list[tuple[str, str]]:
    """`text` split at its slots, each slot taking the next of `values` (a slot without a value is
    kept as text)."""
    parts: list[tuple[str, str]] = []
    at, taken = 0, 0
    for found in pattern.finditer(text):
        slot = found.group(0)
        if slot in ("%%", "{{", "}}"):
            continue
        if found.start() > at:
            parts.append(("text", text[at : found.start()]))
        if taken < len(values):
            parts.append(("value", values[taken]))
            taken += 1
        else:
            parts.append(("text", slot))
        at = found.end()
    if at < len(text):
        parts.append(("text", text[at:]))
    return [(k, _unescape(t) if k == "text" else t) for k, t in parts]


def _unescape(text: str) -> str:
    return text.replace("%%", "%").replace("{{", "{").replace("}}", "}")


def _mapping(node: ast.AST) -> dict[str, str]:
    """`{"key": value, ...}` with string keys as key -> the value's text; else empty."""
    if not isinstance(node, ast.Dict):
        return {}
    return {
        key.value: _unparse(value)
        for key, value in zip(node.keys, node.values)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def _split_named(text: str, mapping: dict[str, str]) -> list[tuple[str, str]]:
    """A message of named conversions (`%(item)s`) split at them: a name of `mapping` becomes its
    value, any other conversion is left out (it cannot be written again without its mapping)."""
    parts: list[tuple[str, str]] = []
    at = 0
    for found in PERCENT_SLOT.finditer(text):
        slot = found.group(0)
        if slot == "%%":
            continue
        if found.start() > at:
            parts.append(("text", _unescape(text[at : found.start()])))
        name = slot[2 : slot.index(")")] if slot.startswith("%(") else None
        if name is not None and name in mapping:
            parts.append(("value", mapping[name]))
        at = found.end()
    if at < len(text):
        parts.append(("text", _unescape(text[at:])))
    return parts


def _format_values(node: ast.Call) -> list[str] | None:
    """The arguments of `"...".format(a, b)` in order, or None when a keyword is used."""
    if node.keywords:
        return None
    return [_unparse(a) for a in node.args]


def message_parts(call: ast.Call) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(message parts, values outside the message, keywords kept) of a log call."""
    args = list(call.args)
    keywords = [
        f"{k.arg}={_unparse(k.value)}"
        for k in call.keywords
        if k.arg in ("exc_info", "stack_info") and isinstance(k.value, ast.Constant)
    ]
    extra = [
        _unparse(k.value)
        for k in call.keywords
        if k.arg not in (None, "exc_info", "stack_info", "stacklevel", "extra")
    ]
    if not args:
        return [], extra, keywords
    first, rest = args[0], [_unparse(a) for a in args[1:]]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and "%(" in first.value:
        mapping = _mapping(args[1]) if len(args) == 2 else {}
        return _split_named(first.value, mapping), extra, keywords
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        slots = sum(1 for m in PERCENT_SLOT.finditer(first.value) if m.group(0) != "%%")
        if rest and slots:
            split = _split_format(first.value, PERCENT_SLOT, rest[:slots])
            return split, rest[slots:] + extra, keywords
        return [("text", first.value)], rest + extra, keywords
    if isinstance(first, ast.JoinedStr):
        parts: list[tuple[str, str]] = []
        for piece in first.values:
            if isinstance(piece, ast.Constant):
                parts.append(("text", str(piece.value)))
            elif isinstance(piece, ast.FormattedValue):
                parts.append(("value", _unparse(piece.value)))
        return parts, rest + extra, keywords
    if (
        isinstance(first, ast.Call)
        and isinstance(first.func, ast.Attribute)
        and first.func.attr == "format"
        and isinstance(first.func.value, ast.Constant)
        and isinstance(first.func.value.value, str)
    ):
        values = _format_values(first)
        if values is not None:
            return _split_format(first.func.value.value, BRACE_SLOT, values), rest + extra, keywords
    if (
        isinstance(first, ast.BinOp)
        and isinstance(first.op, ast.Mod)
        and isinstance(first.left, ast.Constant)
        and isinstance(first.left.value, str)
    ):
        right = first.right
        values = (
            [_unparse(e) for e in right.elts] if isinstance(right, ast.Tuple) else [_unparse(right)]
        )
        return _split_format(first.left.value, PERCENT_SLOT, values), rest + extra, keywords
    return [("value", _unparse(first))], rest + extra, keywords


def _parsed_call(text: str) -> ast.Call | None:
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        return None
    return tree.body if isinstance(tree.body, ast.Call) else None


def _name(node) -> str | None:
    name = node.child_by_field_name("name") if node is not None else None
    return name.text.decode("utf-8", "replace") if name is not None else None


def _enclosing(node, kind: str):
    node = node.parent
    while node is not None and node.type != kind:
        node = node.parent
    return node


def statements_in(document: ParsedDocument, path: str) -> tuple[LoggedStatement, ...]:
    """Every log statement of `document` that stands as a statement of its own (not the value of
    an expression), in order."""
    facts = file_facts(document)
    logger_lines = {call.line for call in facts.calls if is_logger_call(call, facts)}
    if not logger_lines:
        return ()
    lines = document.text.split("\n")
    found = []
    for call_node in captures("logging", document.tree.root_node).get("call", []):
        if call_node.start_point[0] not in logger_lines:
            continue
        statement = call_node.parent
        if statement is None or statement.type != "expression_statement":
            continue
        if statement.parent is None or statement.parent.type not in ("block", "module"):
            continue
        text = (call_node.text or b"").decode("utf-8", "replace")
        call = _parsed_call(text)
        if call is None or not isinstance(call.func, ast.Attribute):
            continue
        func_node = _enclosing(statement, "function_definition")
        class_node = _enclosing(func_node or statement, "class_definition")
        place = placement(statement, func_node)
        parts, extra, keywords = message_parts(call)
        first, last = statement.start_point[0], statement.end_point[0]
        floor = func_node.start_point[0] if func_node is not None else 0
        found.append(
            LoggedStatement(
                path=path,
                line=first,
                end_line=last,
                receiver=_unparse(call.func.value),
                level=normalise_level(call.func.attr),
                parts=tuple(parts),
                extra_values=tuple(extra),
                keywords=tuple(keywords),
                kind=place.kind,
                in_except=place.in_except,
                exception_name=place.exception_name,
                exception_types=place.exception_types,
                ending="reraise" if place.reraises else place.recovers,
                function=_name(func_node),
                class_name=_name(class_node),
                context=context_words(lines, first, last, floor),
                text=text,
            )
        )
    return tuple(found)
