"""Columns between the client's position encoding (UTF-16 by default, UTF-8 or UTF-32 when
negotiated) and the code points the engine counts."""

from __future__ import annotations

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def _units(char: str, encoding: str) -> int:
    code = ord(char)
    if encoding == UTF16:
        return 2 if code > 0xFFFF else 1
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 1


def to_code_points(line: str, column: int, encoding: str) -> int:
    """The code-point column of a client column on `line`, clamped to the line's length.

    A column that falls inside a character (half a surrogate pair, a byte inside a UTF-8 sequence)
    moves to the start of that character.
    """
    if column <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(column, len(line))
    seen = 0
    for index, char in enumerate(line):
        seen += _units(char, encoding)
        if seen > column:
            return index
    return len(line)


def from_code_points(line: str, column: int, encoding: str) -> int:
    """The client column of a code-point column on `line`
    (columns past the end count as if present)."""
    column = max(column, 0)
    if encoding == UTF32 or line.isascii():
        return column
    head = line[:column]
    return sum(_units(char, encoding) for char in head) + max(0, column - len(line))
