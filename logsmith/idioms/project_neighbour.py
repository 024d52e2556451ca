"""The project's statement at the site most like this one, for its words: developers of one
project word the same situation the same way ("Unable to create resume object", "failed to
receive watch request"), and those words beat any made from identifiers.

Candidates are the log statements at sites of the same kind in the file (outside the site's own
function, which `file_neighbour` serves) and in the project's other files. Each is scored by the
words it shares with the site: the function's name, the exception caught, the identifiers of the
lines around the site against those of the statement, its values and the lines around it; a word
counts by how rare it is among the candidates (inverse document frequency), twice when both
functions' names hold it, and a statement of the same file or folder gains a little. The best one
at or above MIN_SCORE lends its message's words; the plan's logger, level and values write the
statement, so nothing it read needs to be bound here.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from logsmith.idioms.contract import LoggedCall
from logsmith.syntax.site import LogSite

MIN_SCORE = 4.0
"""The score a statement needs to lend its words (the best of 0-15 on the dev split, Go, Java and
JavaScript together, by the template's ROUGE-L)."""
SAME_FILE_BONUS = 1.0
SAME_FOLDER_BONUS = 0.5
IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
SUBWORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
COMMON = frozenset(
    {
        "the", "and", "for", "not", "new", "get", "set", "this", "self", "null", "nil", "err",
        "error", "return", "throw", "var", "let", "const", "func", "string", "final", "true",
        "false", "log", "logger", "tag", "ctx", "with", "from", "into", "that", "was", "has",
    }
)  # fmt: skip
"""Words too common in code to say two sites are alike."""
EMPTY_PAIRS = re.compile(r"""(["'`])\s*\1|\(\s*[,\s]*\)|\[\s*[,\s]*\]|\{\s*[,\s]*\}""")
EMPTY_LABELS = re.compile(r"[\w.-]+=(?=[\s,;)\]}]|$)")
"""`streamId=` of `(streamId=${id}, ...)` once the value is taken out."""
ORPHAN_POSSESSIVE = re.compile(r"(?:(?<=\s)|^)'s\s+")
"""The `'s ` whose owner was a value taken out."""
CONTEXT_BEFORE = 3
CONTEXT_AFTER = 2
"""The lines before and after a site, or a statement, whose identifiers describe it."""


def with_context(calls: Iterable[LoggedCall], lines: list[str]) -> tuple[LoggedCall, ...]:
    """`calls` with the lines around each (CONTEXT_BEFORE before it, CONTEXT_AFTER after)."""
    return tuple(
        dataclasses.replace(call, context=window(lines, call.start_line, call.end_line))
        for call in calls
    )


def window(lines: list[str], start: int, end: int) -> str:
    """The lines around lines `start` to `end` of `lines`, those themselves left out."""
    before = lines[max(0, start - CONTEXT_BEFORE) : start]
    return "\n".join(before + lines[end + 1 : end + 1 + CONTEXT_AFTER])


@dataclass(frozen=True)
class Lent:
    """A statement of the project whose words a new one borrows."""

    call: LoggedCall
    path: Path | None
    """Its file (None: the file being edited)."""
    score: float
    words: str
    """Its message, tidied: what the new statement says."""


def words_of(text: str) -> set[str]:
    """The lower-case sub-words of the identifiers in `text` (`getBuildConfig` -> get, build,
    config), without COMMON words and those shorter than three letters."""
    found = set()
    for identifier in IDENTIFIER.findall(text):
        for part in SUBWORD.findall(identifier.replace("$", "")):
            word = part.lower()
            if len(word) >= 3 and word not in COMMON:
                found.add(word)
    return found


@functools.lru_cache(maxsize=16384)
def _call_words(call: LoggedCall) -> tuple[frozenset[str], frozenset[str]]:
    """(the words of its function's name, every word of it: the function, its values and its
    message)."""
    function = frozenset(words_of(call.function or ""))
    text = f"{call.message or ''} {' '.join(call.values)} {call.context}"
    return function, function | frozenset(words_of(text))


def _site_words(site: LogSite, around: str) -> tuple[set[str], set[str]]:
    """(the words of the site's function name, every word that describes the site: those and
    the words of `around`, its caught exception and its class)."""
    function = words_of(site.function.name) if site.function else set()
    around = f"{around}\n{' '.join(site.exception_types)}"
    owner = site.function.class_name or "" if site.function else ""
    return function, function | words_of(around) | words_of(owner)


def tidy_message(message: str | None) -> str | None:
    """The message without the marks its values left (`( , )`, `" "`, a `key=` whose value is
    gone, the comma after it, the space inside a bracket, a `'s` without its owner), its trailing
    separator and doubled spaces; None when fewer than two words are left."""
    if not message:
        return None
    text = re.sub(r"\s+,", " ", EMPTY_LABELS.sub("", message))
    text = " ".join(EMPTY_PAIRS.sub(" ", text).split())
    # `(%s reader)` -> `( reader)` -> `(reader)`; `%s's hash` -> `'s hash` -> `hash`
    text = ORPHAN_POSSESSIVE.sub("", re.sub(r"([(\[])\s+|\s+([)\]])", r"\1\2", text))
    text = text.strip(" \t:=,;(-")
    if sum(1 for word in text.split() if re.search(r"[A-Za-z]{2}", word)) < 2:
        return None
    return text


def most_alike(
    site: LogSite,
    in_file: Iterable[LoggedCall],
    in_project: Iterable[tuple[Path, LoggedCall]],
    own: Path | None,
    around: str,
) -> Lent | None:
    """The statement of `in_file` (outside the site's function) or `in_project` at a site of the
    same kind that shares the most telling words with `site`, when it scores at least MIN_SCORE
    and its message has words to lend; None otherwise, or when the user has started typing the
    message (their words lead)."""
    if site.typed.quote or site.typed.message:
        return None
    own_function = site.function.name if site.function else None
    pool: list[tuple[Path | None, LoggedCall]] = [
        (None, call)
        for call in in_file
        if call.site_kind == site.kind
        and call.function != own_function
        and not call.start_line <= site.line <= call.end_line
    ]
    pool += [(path, call) for path, call in in_project if call.site_kind == site.kind]
    if not pool:
        return None
    function, described = _site_words(site, around)
    if not described:
        return None
    frequency: Counter[str] = Counter()
    for _path, call in pool:
        frequency.update(_call_words(call)[1] & described)
    size = len(pool)
    best: Lent | None = None
    for path, call in pool:
        call_function, every = _call_words(call)
        shared = every & described
        if not shared:
            continue
        score = sum(
            math.log(1 + size / frequency[word])
            * (2 if word in function and word in call_function else 1)
            for word in shared
        )
        if path is None:
            score += SAME_FILE_BONUS
        elif own is not None and path.parent == own.parent:
            score += SAME_FOLDER_BONUS
        if score < MIN_SCORE or (best is not None and score <= best.score):
            continue
        words = tidy_message(call.message)
        if words is not None:
            best = Lent(call, path, score, words)
    return best
