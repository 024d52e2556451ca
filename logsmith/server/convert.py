"""Engine values to LSP values: edits with the client's column units, item detail and
documentation (why this statement, and the project's logged sites it followed), the accept
command."""

from __future__ import annotations

from lsprotocol import types

from logsmith.server.positions import from_code_points
from logsmith.suggestion import Suggestion, TextEdit

ACCEPT_COMMAND = "logsmith.accept"
NEIGHBOURS_SHOWN = 3
"""The project's logged sites named with a suggestion that followed them."""


def lines_of(document, edits) -> dict[int, str]:
    """The lines the edits touch, copied while the parsed document is held
    (it changes afterwards)."""
    wanted: set[int] = set()
    for edit in edits:
        wanted.update((edit.start_line, edit.end_line))
    return {number: document.line(number) for number in wanted}


def suggestion_lines(document, suggestions: list[Suggestion]) -> dict[int, str]:
    edits = [edit for s in suggestions for edit in (s.edit, *s.additional_edits)]
    return lines_of(document, edits)


def lsp_range(lines: dict[int, str], edit: TextEdit, encoding: str) -> types.Range:
    start = from_code_points(lines.get(edit.start_line, ""), edit.start_character, encoding)
    end = from_code_points(lines.get(edit.end_line, ""), edit.end_character, encoding)
    return types.Range(types.Position(edit.start_line, start), types.Position(edit.end_line, end))


def lsp_edit(lines: dict[int, str], edit: TextEdit, encoding: str) -> types.TextEdit:
    return types.TextEdit(range=lsp_range(lines, edit, encoding), new_text=edit.new_text)


def accept_command(suggestion_id: str) -> types.Command:
    return types.Command(
        title="Record that the log statement was accepted",
        command=ACCEPT_COMMAND,
        arguments=[suggestion_id],
    )


def place(neighbour: str) -> str:
    """`path:line` of a neighbour given as `path:line: statement`."""
    return neighbour.split(": ", 1)[0]


def detail(suggestion: Suggestion) -> str:
    """One line: the level, what wrote it, and the first of the project's sites it followed."""
    text = f"{suggestion.level} · {suggestion.source}"
    if suggestion.route == "remote":
        text += " (remote)"
    if suggestion.neighbours:
        text += f" · like {place(suggestion.neighbours[0])}"
        if len(suggestion.neighbours) > 1:
            text += f" and {len(suggestion.neighbours) - 1} more"
    return text


def explanation(suggestion: Suggestion) -> str:
    """Why this statement: the engine's reason, the project's logged sites it followed, where it
    came from, and anything the user should know."""
    parts = [
        suggestion.reason or f"A {suggestion.level} statement for this {suggestion.site_kind} site."
    ]
    if suggestion.neighbours:
        shown = suggestion.neighbours[:NEIGHBOURS_SHOWN]
        parts.append("Logged like this in this project:\n" + "\n".join(f"- {n}" for n in shown))
    written_by = {
        "template": "the template engine",
        "neighbour": "adapting a statement of this project",
    }.get(suggestion.source, f"the {suggestion.route} model {suggestion.source}")
    parts.append(f"Written by {written_by} in {suggestion.latency_ms:.0f} ms.")
    if suggestion.route_reason and suggestion.route in ("local", "remote"):
        parts.append(f"Route: {suggestion.route_reason}.")
    parts += [f"Note: {note}" for note in suggestion.notes]
    return "\n\n".join(parts)


def documentation(
    suggestion: Suggestion, formats: list | None, language: str | None = "python"
) -> types.MarkupContent | str:
    """The explanation, with the statement in a code block of the document's language when the
    client reads Markdown."""
    text = explanation(suggestion)
    if formats and types.MarkupKind.Markdown in formats:
        return types.MarkupContent(
            kind=types.MarkupKind.Markdown,
            value=f"```{language or 'python'}\n{suggestion.statement}\n```\n\n{text}",
        )
    if formats and types.MarkupKind.PlainText in formats:
        return types.MarkupContent(kind=types.MarkupKind.PlainText, value=text)
    return text
