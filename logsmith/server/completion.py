"""textDocument/completion: whole log statements after `logger.`, a partial level,
or the word `log`.

Each item's textEdit replaces what is typed on the line with the statement; additionalTextEdits add
a missing import or module logger; `detail` names the level, the source and the first of the
project's logged sites the statement followed; `documentation` says why, naming up to three of
them; `command` records the acceptance. Anywhere else the answer is an empty list, at once.
"""

from __future__ import annotations

from lsprotocol import types

from logsmith.server.convert import accept_command, detail, documentation, lsp_edit
from logsmith.server.triggers import completion_wanted, may_be_typing_log

TRIGGER_CHARACTERS = ["."]
"""The dot after a logger: `logger.`, `LOG.`, `log.`, `slog.`, `console.`, `this.logger.` (the
same in every language logsmith reads; a word such as `log` completes as the editor asks)."""
NOTHING = types.CompletionList(is_incomplete=False, items=[])


def register(server) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=False),
    )
    async def completion(ls, params: types.CompletionParams):
        return await complete(ls, params)


async def complete(ls, params: types.CompletionParams) -> types.CompletionList:
    uri = params.text_document.uri
    document = ls.document_for(uri, "completion")
    if document is None:
        return NOTHING
    ls.offers.close_open(uri, "completion", "next_request")
    line = params.position.line
    text = document.line(line)
    if text is None:
        return NOTHING
    column = document.column(line, params.position.character, ls.position_encoding)
    if not may_be_typing_log(text[:column]):
        return NOTHING
    language = document.language
    answer = await ls.suggest_at(
        document,
        line,
        column,
        channel="completion",
        wanted=lambda site: completion_wanted(site, language),
    )
    if answer is None:
        return NOTHING
    capabilities = ls.client_capabilities.text_document
    item_capabilities = (
        capabilities.completion.completion_item
        if capabilities and capabilities.completion
        else None
    )
    formats = getattr(item_capabilities, "documentation_format", None)
    preselect = bool(getattr(item_capabilities, "preselect_support", False))
    typed = text[:column].strip()
    items = []
    for offered in answer.offered:
        suggestion = offered.suggestion
        statement = suggestion.edit.new_text
        items.append(
            types.CompletionItem(
                label=suggestion.statement,
                kind=types.CompletionItemKind.Snippet,
                detail=detail(suggestion),
                documentation=documentation(suggestion, formats, document.language),
                # Clients filter on the text from the edit's start to the cursor:
                # the statement must start with it.
                filter_text=statement if statement.startswith(typed) else f"{typed} {statement}",
                sort_text=f"{offered.rank:04d}",
                preselect=True if preselect and offered.rank == 0 else None,
                insert_text_format=types.InsertTextFormat.PlainText,
                text_edit=lsp_edit(answer.lines, suggestion.edit, ls.position_encoding),
                additional_text_edits=[
                    lsp_edit(answer.lines, e, ls.position_encoding)
                    for e in suggestion.additional_edits
                ]
                or None,
                command=accept_command(offered.id),
            )
        )
    # The model was short of time: the client asks again on the next keystroke, when it may answer.
    pending = bool(answer.offered) and answer.offered[0].suggestion.model_pending
    return types.CompletionList(is_incomplete=pending, items=items)
