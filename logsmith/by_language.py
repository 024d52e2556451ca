"""The pipeline's entry points for a document in any language logsmith reads, for the consumers
(server, batch): Python keeps its own path (`logsmith.pipeline`, `logsmith.syntax.batch_rules`);
the other languages go to their reader (`logsmith.idioms.registry.reader_for`) and to the shared
engine through `logsmith.pipeline.suggest(..., language=...)`.

Only Python has a project index: for the other languages, `project` is not passed on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from logsmith.idioms.registry import reader_for
from logsmith.settings import Settings
from logsmith.suggestion import Suggestion
from logsmith.syntax.document import ParsedDocument

if TYPE_CHECKING:
    from logsmith.syntax.batch_rules import Finding
    from logsmith.syntax.site import LogSite
    from logsmith.workspace.index import ProjectIndex

PYTHON = "python"


def site_at(document: ParsedDocument, line: int, character: int) -> LogSite:
    """The log site at a position of `document`, read in its language."""
    if document.language == PYTHON:
        from logsmith.pipeline import site_at as python_site_at

        return python_site_at(document.text, line, character, document=document)
    return reader_for(document.language).site_at(document, line, character)


def find_sites(document: ParsedDocument, rules=None) -> list[Finding]:
    """Places in the document that should log and do not (batch mode's findings), found by the
    reader of its language; `rules` selects rule ids (None: all that apply)."""
    if document.language == PYTHON:
        from logsmith.syntax.batch_rules import find_sites as python_find_sites

        return python_find_sites(document, rules)
    return reader_for(document.language).find_sites(document, rules)


def suggest(
    document: ParsedDocument,
    line: int,
    character: int,
    *,
    path: str | None,
    settings: Settings,
    site: LogSite | None = None,
    cancel=None,
    project: ProjectIndex | None = None,
) -> list[Suggestion]:
    """`logsmith.pipeline.suggest` in the document's language (the project index for Python)."""
    from logsmith.pipeline import suggest as pipeline_suggest

    return pipeline_suggest(
        document.text,
        line,
        character,
        path=path,
        settings=settings,
        document=document,
        site=site,
        cancel=cancel,
        project=project if document.language == PYTHON else None,
        language=document.language,
    )


def suggest_insertion(
    document: ParsedDocument,
    before_line: int,
    *,
    path: str | None,
    settings: Settings,
    project: ProjectIndex | None = None,
) -> list[Suggestion]:
    """`logsmith.pipeline.suggest_insertion` in the document's language: statements for a new line
    inserted before `before_line`, each `edit` inserting the whole line at (before_line, 0)."""
    from logsmith.pipeline import suggest_insertion as pipeline_insertion

    return pipeline_insertion(
        document.text,
        before_line,
        path=path,
        settings=settings,
        document=document,
        project=project if document.language == PYTHON else None,
        language=document.language,
    )
