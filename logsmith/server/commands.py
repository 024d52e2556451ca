"""Acceptance signals: the `logsmith.accept` command every item carries (run by the editor after it
inserts the item), and Copilot's `textDocument/didShowCompletion` / `didPartiallyAcceptCompletion`
notifications. Each writes its row to the audit store through the offer ledger. And the
`logsmith.status` command: the model's and the project index's state, as the status notifications
state them."""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from logsmith.server.convert import ACCEPT_COMMAND
from logsmith.server.positions import from_code_points

log = logging.getLogger(__name__)

STATUS_COMMAND = "logsmith.status"
DID_SHOW = "textDocument/didShowCompletion"
DID_PARTIALLY_ACCEPT = "textDocument/didPartiallyAcceptCompletion"
WRITE_WAIT_S = 3.0
"""How long `logsmith.accept` waits for its row to be written before answering."""


def plain(value):
    """JSON-like data from what pygls hands over for custom methods (namedtuples for objects)."""
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def suggestion_id_in(value) -> str | None:
    """The suggestion id in what a client sent: the id itself, a command's arguments,
    or an item carrying them."""
    value = plain(value)
    if isinstance(value, str):
        return value or None
    if isinstance(value, list):
        return suggestion_id_in(value[0]) if value else None
    if not isinstance(value, dict):
        return None
    for key in ("suggestionId", "suggestion_id", "id"):
        if isinstance(value.get(key), str):
            return value[key]
    if isinstance(value.get("arguments"), list):  # a Command
        return suggestion_id_in(value["arguments"])
    for key in ("item", "command"):
        if isinstance(value.get(key), dict):
            found = suggestion_id_in(value[key])
            if found:
                return found
    return None


def register(server) -> None:
    @server.command(ACCEPT_COMMAND)
    async def accept(ls, *arguments):
        return await accept_suggestion(ls, suggestion_id_in(list(arguments)))

    @server.command(STATUS_COMMAND)
    def status(ls, *arguments):
        return ls.model.snapshot()

    @server.feature(DID_SHOW)
    def did_show(ls, params):
        suggestion_id = suggestion_id_in(params)
        if suggestion_id is None:
            log.warning("%s without a suggestion id ignored: %.200r", DID_SHOW, params)
            return
        ls.offers.shown(suggestion_id)

    @server.feature(DID_PARTIALLY_ACCEPT)
    def did_partially_accept(ls, params):
        params = plain(params)
        suggestion_id = suggestion_id_in(params)
        length = params.get("acceptedLength") if isinstance(params, dict) else None
        if suggestion_id is None:
            log.warning("%s without a suggestion id ignored: %.200r", DID_PARTIALLY_ACCEPT, params)
            return
        ls.offers.partially_accepted(suggestion_id, length if isinstance(length, int) else None)


async def accept_suggestion(ls, suggestion_id: str | None) -> dict:
    if suggestion_id is None:
        return {"recorded": False, "reason": "no suggestion id in the arguments"}
    item, written = ls.offers.accepted(suggestion_id)
    if item is None:
        log.info(
            "acceptance of an unknown suggestion %s (from before a restart?) not recorded",
            suggestion_id,
        )
        return {"recorded": False, "id": suggestion_id, "reason": "unknown suggestion"}
    if item.channel == "inline" and item.suggestion.additional_edits:
        asyncio.ensure_future(apply_setup_edits(ls, item))
    if written is None:
        return {"recorded": False, "id": suggestion_id, "reason": "telemetry is off"}
    try:
        recorded = await asyncio.wait_for(asyncio.wrap_future(written), WRITE_WAIT_S)
    except TimeoutError:
        recorded = False
    return {"recorded": bool(recorded), "id": suggestion_id}


async def apply_setup_edits(ls, item) -> None:
    """After an inline item is accepted: add the import / module logger it needs
    (ghost text cannot)."""
    document = ls.documents.get(item.uri)
    if document is None or not ls.client_supports("workspace.apply_edit"):
        return
    statement_line = item.suggestion.edit.start_line
    edits = []
    for edit in item.suggestion.additional_edits:
        if edit.start_line > statement_line:
            continue  # would land below the inserted statement; positions may have moved
        first_line = edit.new_text.split("\n", 1)[0]
        if first_line and (document.line(edit.start_line) or "").startswith(first_line):
            continue  # already there (accepted twice, or added by hand)
        line = document.line(edit.start_line) or ""
        start = from_code_points(line, edit.start_character, ls.position_encoding)
        end = from_code_points(
            document.line(edit.end_line) or "", edit.end_character, ls.position_encoding
        )
        edits.append(
            types.TextEdit(
                types.Range(
                    types.Position(edit.start_line, start), types.Position(edit.end_line, end)
                ),
                edit.new_text,
            )
        )
    if not edits:
        return
    try:
        await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(
                edit=types.WorkspaceEdit(changes={item.uri: edits}),
                label="logsmith: add the logging setup",
            )
        )
    except Exception as exc:
        log.warning("could not add the logging setup for an accepted inline statement: %s", exc)
