"""The engine calls the server makes, in one place: the pipeline by default, a queued fake in unit tests.

The server produces statements through `logsmith.pipeline` only; it never builds one itself.
"""

from __future__ import annotations

import threading

from logsmith.settings import Settings
from logsmith.suggestion import Suggestion
from logsmith.syntax.document import ParsedDocument


class PipelineEngine:
    """`logsmith.pipeline` and `logsmith.syntax.sites`, imported on first use (the CLI stays quick to start)."""

    def site_at(self, document: ParsedDocument, line: int, character: int):
        from logsmith.pipeline import site_at

        return site_at(document.text, line, character, document=document)

    def suggest(self, document: ParsedDocument, line: int, character: int, *, path: str | None,
                settings: Settings, cancel: threading.Event | None = None) -> list[Suggestion]:
        from logsmith.pipeline import suggest

        return suggest(document.text, line, character, path=path, settings=settings, document=document, cancel=cancel)

    def suggest_insertion(self, document: ParsedDocument, before_line: int, *, path: str | None,
                          settings: Settings) -> list[Suggestion]:
        from logsmith.pipeline import suggest_insertion

        return suggest_insertion(document.text, before_line, path=path, settings=settings, document=document)

    def unlogged_exceptions(self, document: ParsedDocument):
        """Except blocks that neither log nor re-raise (swallowed, converted, retried), as batch-mode findings."""
        from logsmith.syntax.sites import find_sites

        return find_sites(document, rules=["except_swallowed", "except_converted", "retry_loop"])
