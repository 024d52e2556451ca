"""The session around the features: initialize / initialized / shutdown, settings from the client
(initializationOptions, didChangeConfiguration, workspace/configuration), document sync
(didOpen / didChange / didClose, incremental; didSave) and the client's file watcher
(didChangeWatchedFiles). Opening a file warms the model's cache with the start every prompt in it
shares; a change that leaves the cursor on an empty or logger-typing line schedules a warm-up for
that place. The workspace folder's project index is started after `initialized` and told of every
open, change, close, save and file event (`logsmith.server.project`); a settings change may start
or drop it."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from lsprotocol import types

from logsmith.server.app import WARM_DELAY_S
from logsmith.server.documents import path_of
from logsmith.server.triggers import may_be_typing_log

log = logging.getLogger(__name__)


def _root_of(params: types.InitializeParams) -> Path | None:
    uri = params.root_uri or (params.workspace_folders[0].uri if params.workspace_folders else None)
    if uri:
        path = path_of(uri)
        return Path(path) if path else None
    return Path(params.root_path) if params.root_path else None


def register(server) -> None:
    register_lifecycle(server)
    register_document_sync(server)


def register_lifecycle(server) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls, params: types.InitializeParams):
        ls.position_encoding = str(
            getattr(ls.workspace.position_encoding, "value", ls.workspace.position_encoding)
            or "utf-16"
        )
        root = _root_of(params)
        ls.project.use_root(root)
        messages = ls.config.use_project(root)
        messages += ls.config.use_options(params.initialization_options)
        ls.options_from_client = params.initialization_options is not None
        ls.pending_messages += [
            (f"logsmith settings: {m}", types.MessageType.Warning) for m in messages
        ]

    @server.feature(types.INITIALIZED)
    async def initialized(ls, params: types.InitializedParams):
        ls.loop = asyncio.get_running_loop()
        for message, kind in ls.pending_messages:
            ls.tell(message, kind)
        ls.pending_messages.clear()
        if not ls.options_from_client and ls.client_supports("workspace.configuration"):
            await pull_configuration(ls)
        await ls.model.refresh(ls.config.current)
        ls.project.configure(ls.config.current)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls, params):
        ls.stop()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls, params: types.DidChangeConfigurationParams):
        value = params.settings
        if (
            value is None or (isinstance(value, dict) and "logsmith" not in value)
        ) and ls.client_supports("workspace.configuration"):
            # a client that is asked rather than pushing (Neovim sends null)
            await pull_configuration(ls)
        else:  # pushed settings: only their `logsmith` section is ours; none means the defaults
            apply_options(ls, value.get("logsmith") if isinstance(value, dict) else value)
        await ls.model.refresh(ls.config.current)
        ls.project.configure(ls.config.current)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls, params: types.DidChangeWatchedFilesParams):
        ls.project.watched(params.changes)


async def pull_configuration(ls) -> None:
    try:
        answer = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="logsmith")])
            ),
            5,
        )
    except Exception as exc:
        log.info("workspace/configuration failed: %s", exc)
        return
    apply_options(ls, answer[0] if answer else None)


def apply_options(ls, value) -> None:
    if value is not None and not isinstance(value, (dict, list, str, int, float, bool)):
        value = json.loads(json.dumps(value, default=lambda o: getattr(o, "__dict__", str(o))))
    before = ls.config.current
    for message in ls.config.use_options(value):
        ls.tell(f"logsmith settings: {message}", types.MessageType.Warning)
    if ls.config.current != before:
        log.info("settings now %s", ls.config.current)


def register_document_sync(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams):
        item = params.text_document
        document = ls.documents.open(item.uri, item.text, item.version, item.language_id)
        ls.note_size(document)
        ls.warm_file(document)
        ls.project.opened(document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams):
        document = ls.documents.get(params.text_document.uri)
        if document is None:
            log.warning(
                "didChange for a document that is not open: %s; ignored", params.text_document.uri
            )
            return
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                r = change.range
                document.apply_change(
                    (r.start.line, r.start.character),
                    (r.end.line, r.end.character),
                    change.text,
                    ls.position_encoding,
                    params.text_document.version,
                )
            else:
                document.replace_all(change.text, params.text_document.version)
        ls.note_size(document)
        ls.project.changed(document)
        last = params.content_changes[-1] if params.content_changes else None
        if isinstance(last, types.TextDocumentContentChangePartial):
            line = last.range.start.line + last.text.count("\n")
            text = document.line(line)
            if text is not None and (not text.strip() or may_be_typing_log(text)):
                ls.warm_later(document, line, len(text), WARM_DELAY_S)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.requests.cancel_document(uri, "closed")
        ls.offers.close_open(uri, None, "closed")
        document = ls.documents.close(uri)
        if document is not None:
            ls.project.closed(document)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams):
        ls.project.saved(params.text_document.uri)
