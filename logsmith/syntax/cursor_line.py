"""The cursor's line as each language's `site_at` first reads it: the line and character kept
inside the document, the text before and after the cursor, and the indentation a statement put
there takes."""

from __future__ import annotations

from dataclasses import dataclass

from logsmith.syntax.document import ParsedDocument


@dataclass(frozen=True)
class CursorLine:
    """A cursor kept inside its document, and its line split at the cursor."""

    line: int
    character: int
    before: str
    """The line's text before the cursor."""
    after: str
    """The line's text from the cursor on."""
    indent: str
    """The indentation of a statement at the cursor (`indent_at`)."""


def leading_indent(line: str) -> str:
    """The spaces and tabs `line` starts with."""
    return line[: len(line) - len(line.lstrip(" \t"))]


def indent_at(current: str, character: int) -> str:
    """The indentation of a statement at `character` of the line `current`: the line's own, or
    the blank text before the cursor when the cursor stands inside that indentation."""
    indent = leading_indent(current)
    if len(indent) > character and not current[:character].strip():
        return current[:character]
    return indent


def clamp_line(document: ParsedDocument, line: int) -> int:
    """`line`, kept between the document's first line and its last."""
    return min(max(line, 0), max(document.line_count - 1, 0))


def cursor_line(document: ParsedDocument, line: int, character: int) -> CursorLine:
    """The cursor at (line, character), both kept inside the document, with its line split."""
    line = clamp_line(document, line)
    current = document.line(line)
    character = min(max(character, 0), len(current))
    return CursorLine(
        line=line,
        character=character,
        before=current[:character],
        after=current[character:],
        indent=indent_at(current, character),
    )
