"""The pipeline's entry points for a document in any language logsmith reads, for the consumers
(server, batch): Python keeps its own path (`logsmith.pipeline`, `logsmith.syntax.batch_rules`);
the other languages go to their reader (`logsmith.idioms.registry.reader_for`) and to the shared
engine through `logsmith.pipeline.suggest(..., language=...)`.

Only Python has a project index: for the other languages, `project` is not passed on.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from logsmith.idioms.registry import reader_for
from logsmith.settings import Settings
from logsmith.suggestion import Suggestion, TextEdit
from logsmith.syntax.document import ParsedDocument

if TYPE_CHECKING:
    from logsmith.syntax.batch_rules import Finding
    from logsmith.syntax.site import LogSite
    from logsmith.workspace.index import ProjectIndex

PYTHON = "python"


def document_for(source: str, language: str, document: ParsedDocument | None) -> ParsedDocument:
    """The caller's document when it holds `source` in `language`, else `source` parsed."""
    if document is not None and document.text == source and document.language == language:
        return document
    return ParsedDocument(source, language)


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
    """`logsmith.pipeline.suggest` for the document's language."""
    from logsmith.pipeline import suggest as pipeline_suggest

    arguments = dict(
        path=path, settings=settings, document=document, site=site, cancel=cancel
    )
    if document.language == PYTHON:
        return pipeline_suggest(document.text, line, character, project=project, **arguments)
    return pipeline_suggest(
        document.text, line, character, language=document.language, **arguments
    )


def suggest_insertion(
    document: ParsedDocument,
    before_line: int,
    *,
    path: str | None,
    settings: Settings,
    project: ProjectIndex | None = None,
) -> list[Suggestion]:
    """Statements for a new line inserted before `before_line`, indented like that line; each
    suggestion's `edit` inserts the whole line at (before_line, 0), its setup edits are in the
    document's coordinates. Python: `logsmith.pipeline.suggest_insertion`. Other languages: the
    shared engine asked on a blank line put there (`insertion_probe`), its edits moved back."""
    if document.language == PYTHON:
        from logsmith.pipeline import suggest_insertion as python_insertion

        return python_insertion(
            document.text,
            before_line,
            path=path,
            settings=settings,
            document=document,
            project=project,
        )
    probe, before_line, indent, newline = insertion_probe(document, before_line)
    found = suggest(probe, before_line, len(indent), path=path, settings=settings)
    return [as_insertion(item, before_line, indent, newline) for item in found]


def insertion_probe(
    document: ParsedDocument, before_line: int
) -> tuple[ParsedDocument, int, str, str]:
    """(`document` with a blank line indented like line `before_line` put before it, that line's
    number clamped into the document, the indentation, the document's line ending)."""
    before_line = min(max(before_line, 0), document.line_count - 1)
    anchor = document.line(before_line)
    indent = anchor[: len(anchor) - len(anchor.lstrip(" \t"))]
    newline = "\r\n" if "\r\n" in document.text[:10_000] else "\n"
    return document.with_line(before_line, indent + newline + anchor), before_line, indent, newline


def as_insertion(suggestion: Suggestion, before_line: int, indent: str, newline: str) -> Suggestion:
    """A suggestion made on the probe's blank line, as an insertion into the document without it:
    the statement's edit inserts a whole line; setup edits below the blank line move up one."""

    def back(edit: TextEdit) -> TextEdit:
        if edit.start_line <= before_line:
            return edit
        return dataclasses.replace(edit, start_line=edit.start_line - 1, end_line=edit.end_line - 1)

    return dataclasses.replace(
        suggestion,
        edit=TextEdit(before_line, 0, before_line, 0, indent + suggestion.statement + newline),
        additional_edits=tuple(back(edit) for edit in suggestion.additional_edits),
    )
