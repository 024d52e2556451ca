"""textDocument/inlineCompletion (LSP 3.18): the best statement as ghost text.

Triggered automatically only where a statement fits (first line of an except block, top of a
function, before a return or raise) or where a logger is being typed; when the user invokes it,
on any empty or partly typed line inside a function body. Registered with `InlineCompletionOptions`,
without which pygls does not advertise the capability. The `import logging` / module logger a
statement may need cannot ride on an inline item: `logsmith.accept` applies them after insertion.
"""

from __future__ import annotations

from lsprotocol import types

from logsmith.server.convert import accept_command, lsp_range
from logsmith.server.triggers import inline_wanted


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(ls, params: types.InlineCompletionParams):
        return await complete_inline(ls, params)


async def complete_inline(
    ls, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    uri = params.text_document.uri
    document = ls.document_for(uri, "inlineCompletion")
    if document is None:
        return None
    ls.offers.close_open(uri, "inline", "next_request")
    if not ls.config.current.inline:
        ls.requests.finish(ls.requests.begin(uri, "inline"))  # still supersedes older inline work
        return None
    line = params.position.line
    if document.line(line) is None:
        return None
    column = document.column(line, params.position.character, ls.position_encoding)
    language = document.language
    invoked = (
        params.context is not None
        and params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked
    )
    answer = await ls.suggest_at(
        document,
        line,
        column,
        channel="inline",
        wanted=lambda site: inline_wanted(site, invoked, language),
    )
    if answer is None:
        return None
    items = []
    for offered in answer.offered:
        edit = offered.suggestion.edit
        items.append(
            types.InlineCompletionItem(
                insert_text=edit.new_text,
                range=lsp_range(answer.lines, edit, ls.position_encoding),
                command=accept_command(offered.id),
            )
        )
    return types.InlineCompletionList(items=items)
