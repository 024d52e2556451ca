"""An LSP client that behaves like an editor towards the real `logsmith serve` over stdio, and
times its requests.

Shared by the benchmarks that drive the server (`eval.bench.server`, `eval.bench.adoption`): start
the server, wait for its model (and its project index), open / change / close documents with
incremental edits (columns in UTF-16, as the client announces), ask inline completion and
completion, run an item's command (acceptance), and keep the server's `logsmith/status`
notifications.

The server reports its work with `$/progress`: loading the model (a progress whose `end` message
says the model is ready) and building the index of the workspace folder (a progress whose `begin`
title or message names the index, ended when the index is ready, its message the counts or
`failed: ...`; `stopped` when a new build replaces it). A progress is taken for the index's when
its token, title or a message holds "index"; the others are the model's.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

CAPABILITIES = types.ClientCapabilities(
    general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
    window=types.WindowClientCapabilities(work_done_progress=True),
    workspace=types.WorkspaceClientCapabilities(apply_edit=True, configuration=False),
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(),
        completion=types.CompletionClientCapabilities(completion_item=types.ClientCompletionItemOptions(
            documentation_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText])),
        inline_completion=types.InlineCompletionClientCapabilities(),
    ),
)


def utf16_length(text: str) -> int:
    """Length of `text` in UTF-16 code units (the column unit this client announces)."""
    return len(text.encode("utf-16-le")) // 2


def server_command(log_level: str = "WARNING", log_file: Path | None = None) -> list[str]:
    """`logsmith serve` with this interpreter. Give a log file on long runs: nothing reads the server's stderr pipe."""
    command = [sys.executable, "-m", "logsmith.cli", "serve", "--log-level", log_level]
    if log_file is not None:
        command += ["--log-file", str(log_file)]
    return command


class Editor:
    """A minimal LSP client that behaves like an editor and times its requests."""

    def __init__(self, command: list[str], env: dict):
        self.command, self.env = command, env
        self.client = LanguageClient("logsmith-bench", "1")
        self.statuses: list = []
        self.messages: list[str] = []
        self.ready = asyncio.Event()
        self.model_state: str | None = None
        """The message of the server's last model progress `end` (e.g. "model gemma-3-270m ready")."""
        self.index_began: float | None = None
        """When (perf_counter) the server began reporting its index's progress; None before."""
        self.index_ready = asyncio.Event()
        self.index_state: str | None = None
        """The message of the index progress `end` (or its last report before it)."""
        self._progress_kinds: dict[str, str] = {}
        self.version = 0

        @self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create_progress(ls, params):
            return None

        @self.client.feature(types.PROGRESS)
        def progress(ls, params):
            self.on_progress(params.token, params.value)

        @self.client.feature("logsmith/status")
        def status(ls, params):
            self.statuses.append(params)

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def show_message(ls, params):
            self.messages.append(params.message)
            print(f"server says: {params.message}", file=sys.stderr)

        @self.client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(ls, params):
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="benchmark client: edits not applied")

        for method in (types.WINDOW_LOG_MESSAGE, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS):
            self.client.feature(method)(lambda ls, params: None)

    def on_progress(self, token, value) -> None:
        """A `$/progress` notification: the model's (its `end` says whether it is ready) or the
        project index's (its `end`: the index is ready)."""
        field = value.get if isinstance(value, dict) else (lambda name: getattr(value, name, None))
        kind, message, title = field("kind"), field("message") or "", field("title") or ""
        token = str(token)
        if kind == "begin" or token not in self._progress_kinds:
            named = f"{token} {title} {message}".lower()
            self._progress_kinds[token] = "index" if "index" in named else "model"
        if "index" in message.lower():
            self._progress_kinds[token] = "index"
        if self._progress_kinds[token] == "index":
            if self.index_began is None:
                self.index_began = time.perf_counter()
            self.index_state = message or self.index_state
            if kind == "end" and not message.lower().startswith("stopped"):  # a stopped build is followed by another
                self.index_ready.set()
        elif kind == "end":
            self.model_state = message
            if "ready" in message:
                self.ready.set()

    @property
    def pid(self) -> int | None:
        """Process id of the server (its model worker is a child of it)."""
        server = getattr(self.client, "_server", None)
        return getattr(server, "pid", None)

    async def start(self, root: Path, initialization_options: dict | None = None) -> None:
        await self.client.start_io(*self.command, env=self.env)
        await self.client.initialize_async(types.InitializeParams(
            capabilities=CAPABILITIES, process_id=os.getpid(), root_uri=root.as_uri(),
            initialization_options=initialization_options))
        self.client.initialized(types.InitializedParams())

    async def wait_for_index(self, timeout_s: float, grace_s: float) -> dict:
        """Wait until the server reports its project index ready (the `end` of its index progress),
        at most `timeout_s`; a server that has not begun reporting an index after `grace_s` is taken
        not to report one (an older server, or one that builds it without telling). Returns the
        state (`ready`, `failed`: the end says so, `not reported` or `timed out`), the seconds
        waited and the last message."""
        started = time.perf_counter()
        state = "ready"
        while not self.index_ready.is_set():
            waited = time.perf_counter() - started
            if self.index_began is None and waited >= grace_s:
                state = "not reported"
                break
            if waited >= timeout_s:
                state = "timed out"
                break
            try:
                await asyncio.wait_for(self.index_ready.wait(), 0.2)
            except asyncio.TimeoutError:
                pass
        if state == "ready" and (self.index_state or "").lower().startswith("failed"):
            state = "failed"
        return {"state": state, "wait_s": round(time.perf_counter() - started, 3), "message": self.index_state}

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 30)
            self.client.exit(None)
        finally:
            await self.client.stop()

    def open(self, uri: str, text: str, language_id: str = "python") -> None:
        self.version += 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id=language_id, version=self.version, text=text)))

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))

    def replace_line(self, uri: str, line: int, end_character: int, text: str) -> None:
        """Replace line `line` from column 0 to `end_character` (UTF-16) with `text`."""
        self.version += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
            [types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(line, 0), types.Position(line, end_character)), text=text)]))

    def type(self, uri: str, line: int, character: int, text: str) -> None:
        """Insert `text` at (line, character), character in UTF-16 code units."""
        self.version += 1
        position = types.Position(line, character)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
            [types.TextDocumentContentChangePartial(range=types.Range(position, position), text=text)]))

    async def timed(self, request) -> tuple[float, object]:
        started = time.perf_counter()
        result = await request
        return (time.perf_counter() - started) * 1000, result

    async def inline(self, uri: str, line: int, character: int):
        """(milliseconds, InlineCompletionList | None), the user having invoked inline completion."""
        return await self.timed(self.client.text_document_inline_completion_async(types.InlineCompletionParams(
            context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
            text_document=types.TextDocumentIdentifier(uri), position=types.Position(line, character))))

    async def complete(self, uri: str, line: int, character: int):
        """(milliseconds, CompletionList | None), triggered by the `.` just typed."""
        return await self.timed(self.client.text_document_completion_async(types.CompletionParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character),
            context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter,
                                            trigger_character="."))))

    async def run_command(self, command: types.Command | None):
        """Run an item's command as the editor does after inserting it (`workspace/executeCommand`)."""
        if command is None:
            return None
        return await self.client.workspace_execute_command_async(types.ExecuteCommandParams(
            command=command.command, arguments=command.arguments))

    def last_status(self, channel: str, field: str):
        for status in reversed(self.statuses):
            if getattr(status, "channel", None) == channel:
                return getattr(status, field, None)
        return None
