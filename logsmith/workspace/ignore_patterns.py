"""`.gitignore`-style patterns, used for `.gitignore` files outside git and for
`[tool.logsmith] exclude`.

Supported: `#` comments, blank lines, `!` negation (the last matching pattern wins), a trailing `/`
(directories only), a `/` at the start or in the middle (anchored to the pattern file's folder; else
the pattern matches a name at any depth), `*`, `?`, `[...]` and `**`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    """One `.gitignore`-style pattern, compiled to a regular expression over relative paths."""

    regex: re.Pattern
    negated: bool
    directory_only: bool
    text: str


def _translate(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[":
            close = glob.find("]", i + 2)
            if close < 0:
                out.append(re.escape("["))
                i += 1
            else:
                body = glob[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = close + 1
        elif glob[i] == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def compile_pattern(line: str) -> Pattern | None:
    """One pattern line; None for blanks and comments."""
    text = line.rstrip("\n").rstrip("\r")
    if not text.endswith("\\ "):
        text = text.rstrip(" ")
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    directory_only = text.endswith("/")
    text = text.rstrip("/")
    if not text:
        return None
    anchored = "/" in text
    body = _translate(text.lstrip("/"))
    regex = re.compile(("" if anchored else "(?:.*/)?") + body + r"\Z")
    return Pattern(regex, negated, directory_only, line.strip())


def compile_patterns(lines) -> list[Pattern]:
    return [p for p in (compile_pattern(line) for line in lines) if p is not None]


class PatternSet:
    """Patterns that apply below `base` (a folder path relative to the walk root, '' for the
    root)."""

    def __init__(self, patterns: list[Pattern], base: str = ""):
        self.patterns = patterns
        self.base = base.strip("/")

    def decision(self, relative: str, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by `!`) or None (no pattern matched) for a path
        relative to the walk root."""
        if self.base:
            if not relative.startswith(self.base + "/"):
                return None
            relative = relative[len(self.base) + 1 :]
        verdict = None
        for pattern in self.patterns:
            if pattern.directory_only and not is_dir:
                continue
            if pattern.regex.match(relative):
                verdict = not pattern.negated
        return verdict


def is_ignored(sets: list[PatternSet], relative: str, is_dir: bool) -> bool:
    """The verdict of the deepest pattern set that has one (git's precedence)."""
    verdict = False
    for pattern_set in sets:
        decision = pattern_set.decision(relative, is_dir)
        if decision is not None:
            verdict = decision
    return verdict


def excluded(patterns: PatternSet, relative: str) -> bool:
    """True when `relative` (a file path relative to the root) or one of its folders matches."""
    parts = relative.split("/")
    for depth in range(1, len(parts)):
        if patterns.decision("/".join(parts[:depth]), True):
            return True
    return bool(patterns.decision(relative, False))
