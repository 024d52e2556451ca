"""Files no one writes by hand, which batch mode reads but never changes: generated code (the
`Code generated ... DO NOT EDIT.` line Go's tools write, and the same words in any language's
comment) and minified JavaScript (a `.min.` name, or lines far longer than people write)."""

from __future__ import annotations

import re

GENERATED = re.compile(r"^\s*(//|#|/\*+|\*)\s*Code generated .* DO NOT EDIT\.?", re.MULTILINE)
"""Go's convention (https://go.dev/s/generatedcode), matched in the file's first lines."""
HEADER_CHARACTERS = 4000
"""How much of a file's start is searched for the generated-code line."""
MINIFIED_SUFFIXES = (".min.js", ".min.mjs", ".min.cjs")
MINIFIED_LINE = 1000
"""A line this long in a JavaScript or TypeScript file: minified (or bundled) code."""
SCRIPT_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})


def machine_written(text: str, name: str, language: str) -> str | None:
    """Why the file is not code written by hand (the reason it is skipped), or None."""
    if GENERATED.search(text[:HEADER_CHARACTERS]):
        return "generated code (a `Code generated ... DO NOT EDIT.` line)"
    if language in SCRIPT_LANGUAGES:
        if name.lower().endswith(MINIFIED_SUFFIXES):
            return "minified code (a .min. file)"
        if any(len(line) >= MINIFIED_LINE for line in text.split("\n", 200)[:200]):
            return f"minified code (a line of {MINIFIED_LINE}+ characters)"
    return None
