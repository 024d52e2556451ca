"""Text put inside a quoted string literal by the statement renderers (Python's, Java's,
JavaScript's) and in GBNF grammars: backslashes and the closing quote escaped with a backslash,
the same rule in all of them."""

from __future__ import annotations


def escaped(text: str, quote: str = '"') -> str:
    """`text` with its backslashes doubled and each `quote` preceded by a backslash."""
    return text.replace("\\", "\\\\").replace(quote, "\\" + quote)
