"""Apply a file's text edits (0-based lines, code-point columns) to its text, all at once.

Positions refer to the text before any edit. Lines are split on `\\n` only, the way tree-sitter and
the engine count them, so a `\\r` before it stays part of its line and `\\r\\n` files keep their
endings.
"""

from __future__ import annotations

from dataclasses import dataclass

from logsmith.suggestion import TextEdit


class EditConflict(ValueError):
    """Two edits overlap, or an edit points outside the text."""


@dataclass(frozen=True)
class _Placed:
    start: int
    end: int
    text: str
    order: int


def _line_starts(text: str) -> list[int]:
    starts, at = [0], text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _offset(text: str, starts: list[int], line: int, character: int) -> int:
    if not 0 <= line < len(starts):
        if line == len(starts) and character == 0 and text.endswith("\n"):
            return len(text)
        raise EditConflict(f"line {line + 1} is past the end of the file ({len(starts)} lines)")
    end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
    if end > starts[line] and text[end - 1] == "\r":
        end -= 1
    if not 0 <= character <= end - starts[line]:
        raise EditConflict(f"column {character} is outside line {line + 1}")
    return starts[line] + character


def with_newline(new_text: str, newline: str) -> str:
    """`new_text` with its line breaks written as `newline`."""
    plain = new_text.replace("\r\n", "\n")
    return plain.replace("\n", newline) if newline != "\n" else plain


def apply_edits(text: str, edits: list[TextEdit], newline: str = "\n") -> str:
    """`text` with every edit applied. Insertions at the same position keep the order of `edits`.
    Identical edits count once. Raises EditConflict when two edits overlap."""
    starts = _line_starts(text)
    placed: list[_Placed] = []
    seen = set()
    for order, edit in enumerate(edits):
        key = (
            edit.start_line,
            edit.start_character,
            edit.end_line,
            edit.end_character,
            edit.new_text,
        )
        if key in seen:
            continue
        seen.add(key)
        start = _offset(text, starts, edit.start_line, edit.start_character)
        end = _offset(text, starts, edit.end_line, edit.end_character)
        if end < start:
            raise EditConflict(f"edit at line {edit.start_line + 1} ends before it starts")
        placed.append(_Placed(start, end, with_newline(edit.new_text, newline), order))
    placed.sort(key=lambda p: (p.start, p.end, p.order))
    pieces, at = [], 0
    for item in placed:
        if item.start < at:
            raise EditConflict(f"two edits overlap at character offset {item.start}")
        pieces.append(text[at : item.start])
        pieces.append(item.text)
        at = item.end
    pieces.append(text[at:])
    return "".join(pieces)
