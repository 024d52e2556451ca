"""A document (Python unless told another language) and its tree-sitter tree, updated
incrementally as the text changes."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from logsmith.syntax.languages import parser

if TYPE_CHECKING:
    from logsmith.syntax.file_facts import FileFacts

T = TypeVar("T")
NEWLINE = re.compile("\n")


@dataclass(frozen=True)
class Position:
    """A place in a text: 0-based line and code-point column."""

    line: int
    character: int


@dataclass
class TextCache:
    """What is worked out once per text version of a document, by whoever needs it first; a new
    text starts an empty cache (`ParsedDocument.cache`)."""

    file_facts: FileFacts | None = None
    module_names: frozenset[str] | None = None
    secret_values: frozenset[str] | None = None
    prompt_examples: tuple[str, ...] | None = None
    language_calls: tuple | None = None
    """The log statements of a document in a language other than Python
    (`logsmith.idioms.stages.calls_of`)."""
    logged_statements: tuple[str, tuple] | None = None
    """(path, the project index's statements of this text)."""
    self_attributes: dict[tuple[int | None, int | None], tuple[str, ...]] = field(
        default_factory=dict
    )
    """Per (class start byte, method start byte)."""
    by_function: dict[str, object] = field(default_factory=dict)
    """What functions of the document alone answered (`per_text`), by function."""


def per_text(function: Callable[[ParsedDocument], T]) -> Callable[[ParsedDocument], T]:
    """`function` of a document alone, worked out once per text version of the document (its
    answer is shared: callers must not change it)."""
    key = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def once_per_text(document: ParsedDocument) -> T:
        memo = document.cache.by_function
        if key not in memo:
            memo[key] = function(document)
        return cast(T, memo[key])  # what `function` answered for this text

    return once_per_text


class ParsedDocument:
    """Text plus tree. Positions are (0-based line, code-point column);
    tree-sitter works in bytes."""

    language = "python"
    """The document's language (a name of `logsmith.syntax.languages.SPECS`)."""

    def __init__(self, text: str, language: str = "python"):
        self.language = language
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.text = text
        self._refresh_index()
        self.tree = parser(self.language).parse(self._bytes)
        self._probe: tuple[int, str] | None = None

    @classmethod
    def probed(cls, text: str, number: int, rewrite: Callable[[str], str]) -> ParsedDocument:
        """`text`, parsed once as if its blank line `number` read `rewrite(line)`
        (a site's probe statement).

        For a one-off request: the tree serves both as the document's and as the probe's
        (`with_line(number, content)` returns the document itself), so the request parses once, not
        twice. A statement on a blank line leaves every line number and every other node's text as
        they were; `has_error` still answers for the text itself."""
        document = cls.__new__(cls)
        document.text, document._probe = text, None
        document._refresh_index()
        if not 0 <= number < len(document._line_starts) or document.line(number).strip():
            document.tree = parser().parse(document._bytes)
            return document
        blank = document.line(number)
        content = rewrite(blank)
        start = document.byte_offset(document._line_starts[number])
        end = start + len(blank.encode("utf-8", "surrogatepass"))
        probe_bytes = (
            document._bytes[:start]
            + content.encode("utf-8", "surrogatepass")
            + document._bytes[end:]
        )
        document.tree, document._probe = parser().parse(probe_bytes), (number, content)
        return document

    @property
    def has_error(self) -> bool:
        """Whether the text itself has syntax errors (parsed again only for a probed document whose
        tree has one)."""
        if self._probe is not None and self.tree.root_node.has_error:
            return parser(self.language).parse(self._bytes).root_node.has_error
        return self.tree.root_node.has_error

    @property
    def source_bytes(self) -> bytes:
        return self._bytes

    @property
    def cache(self) -> TextCache:
        """The cache for this text version (emptied when the text changes)."""
        if getattr(self, "_cache_text", None) is not self.text:
            self._cache_text, self._cache = self.text, TextCache()
        return self._cache

    def _refresh_index(self) -> None:
        self._bytes = self.text.encode("utf-8", "surrogatepass")
        self._ascii = len(self._bytes) == len(self.text)
        self._line_starts = [0, *(found.end() for found in NEWLINE.finditer(self.text))]

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line(self, number: int) -> str:
        """Line `number` without its line ending; '' past the end."""
        if not 0 <= number < len(self._line_starts):
            return ""
        start = self._line_starts[number]
        end = (
            self._line_starts[number + 1] - 1
            if number + 1 < len(self._line_starts)
            else len(self.text)
        )
        return self.text[start:end].rstrip("\r")

    def offset(self, line: int, character: int) -> int:
        """Code-point offset of a position, clamped into the document."""
        line = min(max(line, 0), len(self._line_starts) - 1)
        start = self._line_starts[line]
        end = (
            self._line_starts[line + 1] - 1 if line + 1 < len(self._line_starts) else len(self.text)
        )
        return min(start + max(character, 0), end)

    def byte_offset(self, offset: int) -> int:
        return offset if self._ascii else len(self.text[:offset].encode("utf-8", "surrogatepass"))

    def point(self, line: int, character: int) -> tuple[int, int]:
        """tree-sitter point (row, byte column) of a position."""
        offset = self.offset(line, character)
        line_start = self._line_starts[min(max(line, 0), len(self._line_starts) - 1)]
        return (
            min(max(line, 0), len(self._line_starts) - 1),
            self.byte_offset(offset) - self.byte_offset(line_start),
        )

    def character(self, point: tuple[int, int]) -> int:
        """Code-point column of a tree-sitter point (row, byte column), the inverse of `point`.
        A column inside a character counts that character."""
        row, column = point
        if self._ascii:
            return column
        encoded = self.line(row).encode("utf-8", "surrogatepass")[:column]
        return sum(1 for byte in encoded if byte & 0xC0 != 0x80)  # bytes that start a character

    def apply_change(
        self,
        start_line: int,
        start_character: int,
        end_line: int,
        end_character: int,
        new_text: str,
    ) -> None:
        """Replace a range with `new_text`, editing the old tree so the reparse is incremental."""
        start = self.offset(start_line, start_character)
        end = max(start, self.offset(end_line, end_character))
        if self._probe is not None:  # the tree is not the text's: parse the new text afresh
            self.set_text(self.text[:start] + new_text + self.text[end:])
            return
        start_byte, old_end_byte = self.byte_offset(start), self.byte_offset(end)
        start_point = self.point(start_line, start_character)
        old_end_point = self.point(end_line, end_character)
        self.text = self.text[:start] + new_text + self.text[end:]
        self._refresh_index()
        new_end = start + len(new_text)
        new_end_byte = self.byte_offset(new_end)
        new_end_line = self.text.count("\n", 0, new_end)
        new_end_col = new_end_byte - self.byte_offset(self._line_starts[new_end_line])
        self.tree.edit(
            start_byte=start_byte,
            old_end_byte=old_end_byte,
            new_end_byte=new_end_byte,
            start_point=start_point,
            old_end_point=old_end_point,
            new_end_point=(new_end_line, new_end_col),
        )
        self.tree = parser(self.language).parse(self._bytes, self.tree)

    def with_line(self, number: int, content: str) -> ParsedDocument:
        """A copy whose line `number` is replaced by `content`, parsed incrementally from this tree
        (this document itself when it was parsed with that line already: see `probed`)."""
        if self._probe == (number, content):
            return self
        copy = ParsedDocument.__new__(ParsedDocument)
        copy.language = self.language
        copy.text, copy._bytes, copy._ascii, copy._line_starts = (
            self.text,
            self._bytes,
            self._ascii,
            self._line_starts,
        )
        copy._probe = self._probe
        copy.tree = self.tree.copy()
        old = self.line(number)
        copy.apply_change(number, 0, number, len(old), content)
        return copy
