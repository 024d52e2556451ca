"""A Python file as read from disk: its bytes, encoding, BOM and line endings,
and how to write it back.

The engine sees `analysis_text` (the text with `\\r\\n` made `\\n`; line and column numbers are the
same as in the file). Edits are applied to the text as it is in the file, so every line that is not
edited keeps its bytes, and new lines get the file's own line ending and encoding.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

BINARY_PROBE = 8192
LONE_CR = re.compile(r"\r(?!\n)")
CODING_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


class UnreadableSource(Exception):
    """The file cannot be analysed (too large, binary, undecodable); the message says why."""


@dataclass(frozen=True)
class SourceText:
    """A file's bytes and decoded text, with what writing it back the same way needs."""

    raw: bytes
    """The bytes read."""
    encoding: str
    """The codec that decodes `raw`: `utf-8`, `utf-8-sig` (a BOM),
    or a PEP 263 coding cookie's codec."""
    text: str
    """The decoded text, line endings as in the file, without the BOM."""
    newline: str
    """`\\r\\n` when most lines end so, else `\\n`: the ending that new lines get."""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def analysis_text(self) -> str:
        return self.text.replace("\r\n", "\n") if "\r" in self.text else self.text

    def encode(self, text: str) -> bytes:
        """`text` (same line endings convention as `self.text`) in the file's encoding,
        BOM included.

        Raises UnicodeEncodeError when `text` has a character the file's encoding cannot hold."""
        return text.encode(self.encoding)


def header_lines(text: str) -> int:
    """How many first lines must stay first: a `#!` line and a PEP 263 coding cookie (which only
    counts on line 1 or 2). New lines such as `import logging` go below them."""
    lines = text.split("\n", 2)[:2]
    count = 0
    for number, line in enumerate(lines):
        if (number == 0 and line.startswith("#!")) or CODING_COOKIE.match(line):
            count = number + 1
        elif number == 0:
            break
    return count


def decode_source(raw: bytes, max_bytes: int | None = None) -> SourceText:
    """Decode `raw` the way Python does (BOM, coding cookie, else UTF-8);
    raises UnreadableSource."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise UnreadableSource(
            f"skipped: {len(raw):,} bytes is over max_file_bytes ({max_bytes:,})"
        )
    if b"\0" in raw[:BINARY_PROBE]:
        raise UnreadableSource("skipped: binary file (NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        raise UnreadableSource(f"skipped: {exc.msg if hasattr(exc, 'msg') else exc}") from None
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableSource(
            f"skipped: not valid {encoding} ({exc.reason if hasattr(exc, 'reason') else exc})"
        ) from None
    if "\r" in text and LONE_CR.search(text):
        raise UnreadableSource("skipped: old Mac line endings (a lone \\r) are not supported")
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
    return SourceText(raw=raw, encoding=encoding, text=text, newline=newline)


def read_source(path: str | os.PathLike, max_bytes: int | None = None) -> SourceText:
    """Read and decode a file; raises UnreadableSource (with the reason) or OSError."""
    path = Path(path)
    if max_bytes is not None:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableSource(
                f"skipped: {size:,} bytes is over max_file_bytes ({max_bytes:,})"
            )
    return decode_source(path.read_bytes(), max_bytes)
