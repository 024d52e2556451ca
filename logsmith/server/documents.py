"""Open documents: the text as the client sees it, and the engine's parsed tree,
updated incrementally.

The event loop applies every change to a list of lines at once (cheap, converts the client's
columns to code points) and queues the change. The parsed document (`ParsedDocument`, the
tree-sitter tree) is only touched by the suggestion threads, under the document's lock: before a
request is served, the queued changes up to that request's snapshot are replayed onto the tree,
so nothing is re-parsed from scratch and the event loop never waits for a parse or for the model.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from logsmith.server.positions import to_code_points
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.languages import language_of_editor_id, language_of_path

log = logging.getLogger(__name__)

PENDING_LIMIT = 5000
"""Queued changes kept for the tree; past this the tree is rebuilt from the text when next
needed."""


def split_lines(text: str) -> list[str]:
    """Lines with their '\\n' kept; the last entry has none
    (it is '' when the text ends with a newline)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + [parts[-1]]


def language_of(language_id: str | None, uri: str) -> str | None:
    """The language logsmith reads a document in: the editor's `languageId`, else the URI's suffix;
    None for a document in a language logsmith does not read."""
    return language_of_editor_id(language_id) or language_of_path(uri.split("?", 1)[0])


def path_of(uri: str) -> str | None:
    """The file system path of a file: URI, None for other schemes (untitled:, ...)."""
    if not uri.startswith("file:"):
        return None
    from pygls.uris import to_fs_path

    try:
        return to_fs_path(uri)
    except Exception:  # a malformed URI is not a reason to fail a request
        return None


@dataclass(frozen=True)
class Snapshot:
    """The text of a document at one moment; `seq` counts the changes applied so far."""

    seq: int
    text: str
    version: int | None


@dataclass(frozen=True)
class Change:
    """One edit of a document in code-point columns (all of it when `full`), queued for the tree."""

    seq: int
    start_line: int
    start_character: int
    end_line: int
    end_character: int
    text: str
    full: bool = False


class OpenDocument:
    """A document open in the client: its lines as the client sees them, its language (None when
    logsmith does not read it) and its parsed tree."""

    def __init__(
        self, uri: str, text: str, version: int | None = None, language_id: str | None = None
    ):
        self.uri = uri
        self.path = path_of(uri)
        self.language_id = language_id
        self.language = language_of(language_id, uri)
        self.version = version
        self.lock = threading.Lock()
        """Held by a suggestion thread while it uses the parsed document."""
        self._lines = split_lines(text)
        self.length = len(text)
        self.seq = 0
        self._snapshot: Snapshot | None = None
        self._pending: deque[Change] = deque()
        self._parsed: ParsedDocument | None = None
        self._parsed_seq = -1

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else self.uri

    # ---- event loop side

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def line(self, number: int) -> str | None:
        """Line `number` without its line ending; None when there is no such line."""
        if not 0 <= number < len(self._lines):
            return None
        text = self._lines[number]
        if text.endswith("\n"):
            text = text[:-1]
        return text[:-1] if text.endswith("\r") else text

    def column(self, line: int, client_column: int, encoding: str) -> int:
        """Code-point column of a client column on `line`, clamped to the line
        (0 past the last line)."""
        text = self.line(line)
        return 0 if text is None else to_code_points(text, client_column, encoding)

    def snapshot(self) -> Snapshot:
        if self._snapshot is None or self._snapshot.seq != self.seq:
            self._snapshot = Snapshot(self.seq, "".join(self._lines), self.version)
        return self._snapshot

    def replace_all(self, text: str, version: int | None = None) -> None:
        self._lines = split_lines(text)
        self.length = len(text)
        self.version = version
        self._queue(Change(self.seq + 1, 0, 0, 0, 0, text, full=True))

    def apply_change(
        self,
        start: tuple[int, int],
        end: tuple[int, int],
        text: str,
        encoding: str,
        version: int | None = None,
    ) -> None:
        """Apply an LSP range change given in client units; out-of-range positions are clamped."""
        last = len(self._lines) - 1
        (start_line, start_col), (end_line, end_col) = sorted([start, end])
        start_line, start_col = self._clamp(start_line, start_col, encoding)
        end_line, end_col = self._clamp(end_line, end_col, encoding)
        if (end_line, end_col) < (start_line, start_col):
            end_line, end_col = start_line, start_col
        head = self._lines[start_line][:start_col]
        tail = self._lines[end_line][end_col:]
        replacement = split_lines(head + text + tail)
        # `tail` ends with the line's newline: the line after it is still in the list
        if end_line < last:
            replacement.pop()
        removed = sum(len(part) for part in self._lines[start_line : end_line + 1])
        self._lines[start_line : end_line + 1] = replacement
        self.length += sum(len(part) for part in replacement) - removed
        self.version = version
        self._queue(Change(self.seq + 1, start_line, start_col, end_line, end_col, text))

    def _clamp(self, line: int, client_column: int, encoding: str) -> tuple[int, int]:
        if line < 0:
            return 0, 0
        if line >= len(self._lines):
            last = len(self._lines) - 1
            return last, len(self.line(last) or "")
        return line, self.column(line, client_column, encoding)

    def _queue(self, change: Change) -> None:
        self.seq = change.seq
        self._pending.append(change)
        if len(self._pending) > PENDING_LIMIT and self.lock.acquire(blocking=False):
            try:  # nobody asked for the tree for a long while: drop it and rebuild on demand
                self._pending.clear()
                self._parsed, self._parsed_seq = None, -1
            finally:
                self.lock.release()

    # ---- suggestion thread side (hold `lock`)

    def parsed(self, snapshot: Snapshot) -> ParsedDocument:
        """The parsed document at `snapshot`, brought up to date by replaying queued changes.

        Call with `lock` held. A snapshot older than the tree (a request that waited while a newer
        one ran) gets a parse of its own and leaves the shared tree alone.
        """
        if self._parsed is not None and self._parsed_seq > snapshot.seq:
            return ParsedDocument(snapshot.text, self.language or "python")
        if self._parsed is None:
            self._parsed = ParsedDocument(snapshot.text, self.language or "python")
            self._parsed_seq = snapshot.seq
        while self._pending and self._pending[0].seq <= snapshot.seq:
            change = self._pending.popleft()
            if change.seq <= self._parsed_seq:
                continue
            if change.full:
                self._parsed.set_text(change.text)
            else:
                self._parsed.apply_change(
                    change.start_line,
                    change.start_character,
                    change.end_line,
                    change.end_character,
                    change.text,
                )
            self._parsed_seq = change.seq
        if self._parsed.text != snapshot.text:  # never expected; the text is the truth
            log.warning(
                "parsed tree of %s drifted from the text at change %d; re-parsing",
                self.uri,
                snapshot.seq,
            )
            self._parsed.set_text(snapshot.text)
        self._parsed_seq = snapshot.seq
        return self._parsed


class DocumentStore:
    """The documents the client has opened, by URI."""

    def __init__(self):
        self._documents: dict[str, OpenDocument] = {}

    def open(
        self, uri: str, text: str, version: int | None = None, language_id: str | None = None
    ) -> OpenDocument:
        document = self._documents[uri] = OpenDocument(uri, text, version, language_id)
        return document

    def get(self, uri: str) -> OpenDocument | None:
        return self._documents.get(uri)

    def close(self, uri: str) -> OpenDocument | None:
        return self._documents.pop(uri, None)

    def __len__(self) -> int:
        return len(self._documents)

    def __iter__(self):
        return iter(list(self._documents.values()))
