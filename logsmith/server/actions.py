"""textDocument/codeAction: "Log this exception", "Add log statement here",
"Add entry log to this function".

Listing actions is cheap (the site and, for files under the size limit, the unlogged except blocks);
the statement itself is written when the client resolves the action (codeAction/resolve), or at
once for clients that cannot resolve edits. The edit inserts a whole line (plus a missing import or
logger); the action's command records the acceptance.
"""

from __future__ import annotations

import re

from lsprotocol import types

from logsmith.server.convert import accept_command, lsp_edit

EXCEPTION, HERE, ENTRY = "exception", "here", "entry"
TITLES = {
    EXCEPTION: "Log this exception",
    HERE: "Add log statement here",
    ENTRY: "Add entry log to this function",
}
KINDS = {
    EXCEPTION: types.CodeActionKind.QuickFix,
    HERE: types.CodeActionKind.RefactorRewrite,
    ENTRY: types.CodeActionKind.RefactorRewrite,
}
LOG_CALL = re.compile(
    r"^\s*[\w.$]+\.(debug|info|warning|warn|error|exception|critical|fatal|log|trace|severe"
    r"|printf|println|print)\(",
    re.IGNORECASE,
)
"""A line that already logs (in any language logsmith reads): no entry statement is offered."""
BLANK_LINES_SEARCHED = 50


def register(server) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite],
            resolve_provider=True,
        ),
    )
    async def code_action(ls, params: types.CodeActionParams):
        return await list_actions(ls, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls, action: types.CodeAction):
        return await resolve(ls, action)


def entry_line(parsed, function) -> int | None:
    """The line an entry statement goes before: the function's first statement after its
    docstring."""
    body_line = function.body_start_line
    if body_line <= function.start_line:
        return None  # `def f(): return 1`
    if function.docstring is None:
        return body_line
    text = parsed.line(body_line)
    column = len(text) - len(text.lstrip())
    point = parsed.point(body_line, column)
    node = parsed.tree.root_node.descendant_for_point_range(point, point)
    while node is not None and not (
        node.type == "expression_statement"
        and node.parent is not None
        and node.parent.type == "block"
    ):
        node = node.parent
    following = node.next_named_sibling if node is not None else None
    if following is None or following.start_point[0] <= node.end_point[0]:
        return None  # only a docstring, or something on its closing line
    return following.start_point[0]


def _next_statement_line(parsed, line: int) -> int | None:
    for number in range(line, min(line + BLANK_LINES_SEARCHED, parsed.line_count)):
        if parsed.line(number).strip():
            return number
    return None


def plan_actions(ls, parsed, line: int, column: int, *, small_file: bool) -> list[tuple[str, int]]:
    """(action, line to insert before) for the actions that apply at `line`."""
    site = ls.suggester.site_at(parsed, line, column)
    actions: list[tuple[str, int]] = []
    if small_file:
        around = [
            f
            for f in ls.suggester.unlogged_exceptions(parsed)
            if f.start_line <= line <= f.end_line
        ]
        if around:
            actions.append((EXCEPTION, max(around, key=lambda f: f.start_line).line))
    function = site.function
    if function is not None and line > function.start_line:
        target = line if parsed.line(line).strip() else _next_statement_line(parsed, line)
        if target is not None and target >= function.body_start_line:
            actions.append((HERE, target))
    entry = entry_line(parsed, function) if function is not None else None
    if entry is not None and not LOG_CALL.match(parsed.line(entry)):
        actions.append((ENTRY, entry))
    return [(kind, before) for kind, before in actions if _runs(ls, parsed, before)]


def _runs(ls, parsed, line: int) -> bool:
    """Whether a statement inserted before `line` would run (not after a return, raise, ...)."""
    text = parsed.line(line)
    return ls.suggester.site_at(parsed, line, len(text) - len(text.lstrip())).reachable


def _wanted(kind: str, only) -> bool:
    return not only or any(
        KINDS[kind] == k or KINDS[kind].value.startswith(f"{getattr(k, 'value', k)}.") for k in only
    )


async def list_actions(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.document_for(uri, "codeAction")
    if document is None:
        return []
    ls.offers.close_open(uri, "code_action", "next_request")
    line = params.range.start.line
    if document.line(line) is None:
        return []
    column = document.column(line, params.range.start.character, ls.position_encoding)
    small_file = document.length <= ls.config.current.max_file_bytes
    snapshot = document.snapshot()
    try:
        planned = await ls.in_document(
            document,
            snapshot,
            lambda parsed: plan_actions(ls, parsed, line, column, small_file=small_file),
        )
    except Exception:
        import logging

        logging.getLogger(__name__).exception("code actions at %s:%d failed", uri, line)
        return []
    only = params.context.only if params.context else None
    actions = []
    for kind, before_line in planned:
        if not _wanted(kind, only):
            continue
        action = types.CodeAction(
            title=TITLES[kind],
            kind=KINDS[kind],
            data={"uri": uri, "action": kind, "line": before_line},
        )
        actions.append(action)
    resolvable = "edit" in (
        getattr(
            getattr(
                getattr(ls.client_capabilities.text_document, "code_action", None),
                "resolve_support",
                None,
            ),
            "properties",
            None,
        )
        or []
    )
    if not resolvable:
        actions = [await resolve(ls, action) for action in actions]
        actions = [action for action in actions if action.edit is not None]
    return actions


async def resolve(ls, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    uri, before_line = data.get("uri"), data.get("line")
    document = ls.documents.get(uri) if isinstance(uri, str) else None
    if (
        not isinstance(uri, str)
        or document is None
        or document.language is None
        or not isinstance(before_line, int)
        or document.line(before_line) is None
    ):
        return action  # nothing to add: the document closed or the action came from elsewhere
    answer = await ls.insertion_at(document, before_line, channel="code_action")
    if answer is None:
        return action
    offered = answer.offered[0]
    suggestion = offered.suggestion
    edits = [
        lsp_edit(answer.lines, e, ls.position_encoding)
        for e in (*suggestion.additional_edits, suggestion.edit)
    ]
    if ls.client_supports("workspace.workspace_edit.document_changes"):
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=answer.version)
        action.edit = types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(identifier, edits)]
        )
    else:
        action.edit = types.WorkspaceEdit(changes={uri: edits})
    action.command = accept_command(offered.id)
    return action
