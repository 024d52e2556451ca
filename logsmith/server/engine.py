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

    def warm_prompt(self, document: ParsedDocument, line: int, character: int) -> str | None:
        """The model's context for the site at (line, character): the part of its prompt that stays the
        same while the user types there. None outside functions (nothing to warm for)."""
        from logsmith.engines import prompt
        from logsmith.pipeline import site_at

        site = site_at(document.text, line, character, document=document)
        return prompt.context(document, site) if site.function is not None else None

    def warm(self, context: str, *, settings: Settings, cancel: threading.Event, budget_s: float) -> None:
        """Evaluate `context` into the model's KV cache, so a request there soon after only pays for its
        last tokens. Stops when `cancel` is set; never raises.

        `model_engine.warm` cannot be cancelled yet, and an uncancellable warm-up would make the next
        real request wait; until it can, this makes the same worker call with a cancel event.
        """
        try:
            from logsmith.engines import model_engine

            worker = model_engine.worker_for(settings)
            if worker.state == "ready" and not cancel.is_set():
                worker.warm(context, deadline_s=budget_s, cancel=cancel)
        except Exception as exc:  # warming is an optimisation; a real failure shows on the next request
            import logging

            logging.getLogger(__name__).debug("warming the model stopped: %s", exc)

    def unlogged_exceptions(self, document: ParsedDocument):
        """Except blocks that neither log nor re-raise (swallowed, converted, retried), as batch-mode findings."""
        from logsmith.syntax.sites import find_sites

        return find_sites(document, rules=["except_swallowed", "except_converted", "retry_loop"])
