"""The instant engine of a project index: the statement a developer wrote at the project's site
most like this one, adapted to it. Its words are kept; each of its values is bound again to a
value valid at the cursor (the same name, the handled exception, an attribute of `self` that
`__init__` sets, a value with the same last name; inside `str()`, `repr()` or `type()`) or left
out with its slot; the plan's values it does not log are added after its words when it
logs values itself, or when most of the best neighbours do; the plan's logger, level and format
are used. A neighbour that logs the instance itself (`self`, `cls`) keeps it at a method of its
own: a project habit the ranker, which never proposes them, cannot learn. It needs no model, so the
first answer at a new site is already in the project's words; it is checked like every candidate.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from logsmith.engines.statement import TEXT_OF, _escape, labels, render, written_call
from logsmith.planning.fitted import ProjectHabits
from logsmith.planning.neighbours import HABITS
from logsmith.planning.plan import Plan
from logsmith.syntax.site import LogSite
from logsmith.workspace.retrieval import Neighbour

# Text left dangling where a value was taken out: "for ", ": ", "(", "='", " due to ", " size="...
DANGLING_END = re.compile(
    r"(?:[\s:=,/(\[{'\"`-]+|\s*[\w.]+=|\s+(?:due to|because of|for|with|via|using|from|of|into|in"
    r"|on|at|by|to|after|as)\b)+$",
    re.IGNORECASE,
)
DANGLING_START = re.compile(r"^[\s)\]}'\"`,.]+(?=\S)")
EMPTY_PAIRS = re.compile(r"\(\s*\)|\[\s*\]|\{\s*\}|''|\"\"|``")
# Text after a value taken out that only closed it: "]", ")", "' ".
CLOSING_ONLY = re.compile(r"[\s)\]}'\"`,]+")
OPENING = {")": "(", "]": "[", "}": "{"}
INSTANCE = frozenset({"self", "cls"})
WORD = re.compile(r"[A-Za-z]{2}")


def rebound(value: str, neighbour: Neighbour, site: LogSite, plan: Plan) -> str | None:
    """The value valid at the cursor that stands for the neighbour's `value`, or None."""
    offered = set(plan.candidates)
    if site.exception_name and value == neighbour.statement.exception_name:
        return site.exception_name
    if value in INSTANCE:
        return value if site.in_scope(value) else None
    if value in offered or (value in site.initialised_attributes and site.in_scope("self")):
        return value
    text_of = TEXT_OF.fullmatch(value)
    if text_of:
        shadowed = text_of["call"] in site.names or text_of["call"] in site.module_names
        inner = None if shadowed else rebound(text_of["value"], neighbour, site, plan)
        return f"{text_of['call']}({inner}){text_of['rest'] or ''}" if inner else None
    last = value.rsplit(".", 1)[-1]
    if not last.isidentifier():
        return None
    same_name = [c for c in plan.candidates if c.rsplit(".", 1)[-1] == last]
    return same_name[0] if same_name else None


def _joined(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Text parts merged and tidied where a value was taken out."""
    merged: list[tuple[str, str]] = []
    for kind, text in parts:
        if kind == "text" and merged and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + text)
        else:
            merged.append((kind, text))
    return merged


def _still_closing(text: str, written: str) -> str:
    """The brackets of `text` that close one still open in `written`."""
    kept = ""
    for mark in text:
        opening = OPENING.get(mark)
        if opening and written.count(opening) > written.count(mark) + kept.count(mark):
            kept += mark
    return kept


def _has_words(parts: Iterable[tuple[str, str]]) -> bool:
    """Whether the text of `parts` has a word (two letters in a row)."""
    return bool(WORD.search(" ".join(text for kind, text in parts if kind == "text")))


def _logs_values(neighbour: Neighbour) -> bool:
    return any(kind == "value" for kind, _ in neighbour.statement.parts)


def _added(
    parts: list[tuple[str, str]], names: list[str], exception: str | None, had_values: bool
) -> list[tuple[str, str]]:
    """`parts` with `names` (each labelled, or a lone one after words with no values) and then
    `exception` appended after the words."""
    added = list(parts)

    def separator(text: str) -> None:
        end = added[-1][1].rstrip() if added and added[-1][0] == "text" else ""
        if end.endswith((":", ".")):
            added[-1] = ("text", end)
            text = " " + text.lstrip(": ")
        added.append(("text", text))

    for number, (label, name) in enumerate(zip(labels(tuple(names)), names)):
        if not had_values and len(names) == 1:
            separator(" ")
        elif not had_values and number == 0:
            separator(f": {label}=")
        else:
            added.append(("text", f" {label}="))
        added.append(("value", name))
    if exception:
        separator(": ")
        added.append(("value", exception))
    return added


def adapted_parts(
    neighbour: Neighbour, site: LogSite, plan: Plan, habits: ProjectHabits = HABITS
) -> tuple[list[tuple[str, str]], list[str]]:
    """The neighbour's message parts with its values bound again at the site; a slot with no
    counterpart takes one of the plan's values not used yet, else is taken out with the text that
    only introduced it. The plan's values still unused are added after the words when the neighbour
    logs values, or when at least `habits.values_from_neighbours` of the plan's neighbours do.
    Returns the parts and the names used."""
    parts: list[tuple[str, str]] = []
    used: list[str] = []
    values = [text for kind, text in neighbour.statement.parts if kind == "value"]
    bound = [rebound(v, neighbour, site, plan) for v in values]
    spare = [v for v in plan.arguments if v not in bound]
    at = 0
    for kind, text in neighbour.statement.parts:
        if kind == "text":
            parts.append(("text", text))
            continue
        value = bound[at]
        at += 1
        if value is None and spare:
            value = spare.pop(0)
        if value is None or value in used:
            if parts and parts[-1][0] == "text":
                parts[-1] = ("text", DANGLING_END.sub("", parts[-1][1]))
            parts.append(("drop", ""))
            continue
        parts.append(("value", value))
        used.append(value)
    tidy: list[tuple[str, str]] = []
    for index, (kind, text) in enumerate(parts):
        if kind == "drop":
            continue
        if kind == "text" and index and parts[index - 1][0] == "drop":
            if CLOSING_ONLY.fullmatch(text):
                text = _still_closing(text, "".join(t for k, t in tidy if k == "text"))
                text = text or (" " if tidy and index < len(parts) - 1 else "")
            else:
                text = DANGLING_START.sub(" ", text) if tidy else DANGLING_START.sub("", text)
        tidy.append((kind, EMPTY_PAIRS.sub("", text) if kind == "text" else text))
    unused = [v for v in plan.arguments if v not in used]
    others = sum(1 for n in plan.neighbours if _logs_values(n))
    if unused and (values or others >= habits.values_from_neighbours):
        exception = plan.exception if plan.exception in unused else None
        names = [v for v in unused if v != exception]
        tidy = _added(tidy, names, exception, bool(values))
        used += names + ([exception] if exception else [])
    merged = _joined(tidy)
    if merged and merged[-1][0] == "text":
        merged[-1] = ("text", merged[-1][1].rstrip())
    return merged, used


def _slot(value: str, message_format: str) -> str:
    return {"fstring": "{" + value + "}", "format": "{}"}.get(message_format, "%s")


def statement_from(
    neighbour: Neighbour, site: LogSite, plan: Plan, habits: ProjectHabits = HABITS
) -> str | None:
    """The neighbour's statement written at `site` with `plan`'s logger, level and format, or None
    when its message has no words of its own (`"%s"`) or none is left."""
    if not _has_words(neighbour.statement.parts):
        return None
    parts, used = adapted_parts(neighbour, site, plan, habits)
    words = " ".join(text for kind, text in parts if kind == "text").strip()
    if not WORD.search(words):
        return None
    q, fmt = plan.quote, plan.message_format
    if fmt == "event":
        return render(dataclasses.replace(plan, variables=tuple(used), exception=None), words)
    text = ""
    for kind, piece in parts:
        if kind == "value":
            text += _slot(piece, fmt)
            continue
        piece = _escape(piece, q)
        if used and fmt == "percent":
            piece = piece.replace("%", "%%")
        elif used and fmt in ("fstring", "format"):
            piece = piece.replace("{", "{{").replace("}", "}}")
        text += piece
    keywords = [k for k in neighbour.statement.keywords if site.in_except or "exc_info" not in k]
    tail = "".join(", " + k for k in keywords) if plan.framework == "logging" else ""
    return written_call(f"{plan.logger}.{plan.level}", q, fmt, text, used, tail)


def chosen(plan: Plan, min_score: float) -> Neighbour | None:
    """The neighbour to adapt: the best of those that use the planned level among the first three,
    else the best; none when even the best is less like the site than `min_score`."""
    if not plan.neighbours or plan.neighbours[0].score < min_score:
        return None
    for neighbour in plan.neighbours[:3]:
        if neighbour.statement.level == plan.level:
            return neighbour
    return plan.neighbours[0]
