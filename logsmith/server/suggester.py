"""Every call the server makes into the pipeline, in one place: read a site, suggest at it, suggest
for a new line, warm the model's cache, find unlogged handlers, in the document's language.

The server produces statements through `logsmith.pipeline` only; it never builds one itself. Every
suggestion is asked with the workspace's project index (`project`, the server's keeper of it), which
the pipeline follows once the index is ready (Python files only).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from logsmith.settings import Settings
from logsmith.suggestion import Suggestion
from logsmith.syntax.document import ParsedDocument
from logsmith.workspace.index import ProjectIndex


class Suggester:
    """`logsmith.pipeline` and `logsmith.syntax.batch_rules` (through `logsmith.by_language` for a
    document in any language), imported on first use (the CLI stays quick to start)."""

    def __init__(self, project: Callable[[], ProjectIndex | None] = lambda: None):
        self.project = project
        """Returns the project index to suggest with (None: the file alone); Python only."""

    def site_at(self, document: ParsedDocument, line: int, character: int):
        from logsmith.by_language import site_at

        return site_at(document, line, character)

    def suggest(
        self,
        document: ParsedDocument,
        site,
        *,
        path: str | None,
        settings: Settings,
        cancel: threading.Event | None = None,
    ) -> list[Suggestion]:
        """Suggestions at `site`, the site this server already read at the cursor
        (read once per request)."""
        from logsmith.by_language import suggest

        return suggest(
            document,
            site.line,
            site.character,
            path=path,
            settings=settings,
            site=site,
            cancel=cancel,
            project=self.project(),
        )

    def suggest_insertion(
        self, document: ParsedDocument, before_line: int, *, path: str | None, settings: Settings
    ) -> list[Suggestion]:
        from logsmith.by_language import suggest_insertion

        return suggest_insertion(
            document, before_line, path=path, settings=settings, project=self.project()
        )

    def warm_prompt(self, document: ParsedDocument, line: int, character: int) -> str | None:
        """The model's context for the site at (line, character): the part of its prompt that stays
        the same while the user types there. None outside functions (nothing to warm for)."""
        from logsmith.by_language import site_at
        from logsmith.engines import model_engine
        from logsmith.idioms import stages
        from logsmith.pipeline import facts_of

        site = site_at(document, line, character)
        if site.function is None:
            return None
        if document.language != "python":
            return stages.context(document, site)
        return model_engine.context_for(document, site, facts_of(document))

    def warm_file_prompt(self, document: ParsedDocument) -> str:
        """The start every model prompt in this document shares
        (its log statements and first lines)."""
        from logsmith.engines import model_engine
        from logsmith.idioms import stages
        from logsmith.pipeline import facts_of

        if document.language != "python":
            return stages.file_prefix(document)
        return model_engine.file_prefix_for(document, facts_of(document))

    def warm(
        self, context: str, *, settings: Settings, cancel: threading.Event, budget_s: float
    ) -> None:
        """Evaluate `context` into the model's KV cache; stops when `cancel` is set;
        never raises."""
        from logsmith.engines import model_engine

        model_engine.warm(context, settings, cancel=cancel, budget_s=budget_s)

    def unlogged_exceptions(self, document: ParsedDocument):
        """Except (catch) blocks that neither log nor re-raise (swallowed, converted, retried),
        and Go's `if err != nil` returns, as batch-mode findings."""
        from logsmith.by_language import find_sites

        rules = ["except_swallowed", "except_converted", "retry_loop"]
        if document.language == "go":
            rules.append("error_return")
        return find_sites(document, rules=rules)
