"""End-to-end helpers: the real `logsmith serve` over stdio, driven like an editor with pytest-lsp's client.

`start_editor()` launches the server with a private LOGSMITH_HOME and the client capabilities of
VS Code or Neovim (pytest-lsp ships both), and returns an `Editor`: open, type, ask, accept, read
the audit rows.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities
from pytest_lsp.client import make_test_lsp_client

SERVER_COMMAND = [sys.executable, "-m", "logsmith.cli", "serve", "--log-level", "INFO"]
CLIENTS = {"vscode": "visual-studio-code", "neovim": "neovim"}
CLIENT_KINDS = tuple(sorted(CLIENTS))
MODEL_LOAD_TIMEOUT_S = 120


class Editor:
    """A client session with the server: documents, typing, requests, and the server's notifications."""

    def __init__(self, client, home: Path, client_name: str, root: Path | None = None):
        self.client = client
        self.home = home
        self.root = root or home / "src"
        """The workspace folder the server was given; `open` names files under it."""
        self.client_name = client_name
        self.engine = "model"
        """What the server was started to write statements with: "model" or "template" (templates only)."""
        self.statuses: list = []
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []
        self.registrations: list[types.Registration] = []
        self.versions: dict[str, int] = {}
        self.texts: dict[str, list[str]] = {}
        client.feature("logsmith/status")(lambda ls, params: self.statuses.append(params))

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(ls, params: types.ApplyWorkspaceEditParams):
            self.applied_edits.append(params)
            return types.ApplyWorkspaceEditResult(applied=True)

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register_capability(ls, params: types.RegistrationParams):
            self.registrations.extend(params.registrations)

    @property
    def store(self) -> Path:
        return self.home / "telemetry.sqlite3"

    @property
    def messages(self) -> list[str]:
        return [m.message for m in self.client.messages]

    # -- documents

    def open(self, name: str, text: str, language_id: str = "python") -> str:
        uri = (self.root / name).as_uri()
        self.versions[uri] = 1
        self.texts[uri] = text.split("\n")
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)))
        return uri

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))

    def edit(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        """An incremental change, as an editor sends it (columns in the negotiated encoding; tests use ASCII)."""
        self.versions[uri] += 1
        lines = self.texts[uri]
        joined = "\n".join(lines)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)

        def offset(line: int, character: int) -> int:  # clamped like the server clamps
            if line >= len(lines):
                return len(joined)
            return offsets[line] + min(character, len(lines[line]))

        a, b = offset(*start), offset(*end)
        self.texts[uri] = (joined[:a] + text + joined[b:]).split("\n")
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [types.TextDocumentContentChangePartial(range=types.Range(types.Position(*start), types.Position(*end)),
                                                    text=text)]))

    def type(self, uri: str, line: int, character: int, text: str) -> tuple[int, int]:
        """Insert `text` at (line, character); returns the cursor after it (single-line text)."""
        self.edit(uri, (line, character), (line, character), text)
        return line, character + len(text)

    def line(self, uri: str, number: int) -> str:
        return self.texts[uri][number]

    # -- requests

    async def complete(self, uri: str, line: int, character: int) -> types.CompletionList:
        return await self.client.text_document_completion_async(types.CompletionParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character),
            context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter,
                                            trigger_character=".")))

    async def inline(self, uri: str, line: int, character: int, *, invoked: bool = False):
        kind = types.InlineCompletionTriggerKind.Invoked if invoked else types.InlineCompletionTriggerKind.Automatic
        return await self.client.text_document_inline_completion_async(types.InlineCompletionParams(
            context=types.InlineCompletionContext(trigger_kind=kind),
            text_document=types.TextDocumentIdentifier(uri), position=types.Position(line, character)))

    async def code_actions(self, uri: str, line: int, character: int = 0) -> list[types.CodeAction]:
        return await self.client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), types.Range(types.Position(line, character), types.Position(line, character)),
            types.CodeActionContext(diagnostics=[])))

    async def accept(self, command: types.Command):
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command.command, arguments=command.arguments))

    def configure(self, options: dict | None) -> None:
        self.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings=None if options is None else {"logsmith": options}))

    async def settle(self, seconds: float = 0.3) -> None:
        """Let notifications sent so far be handled (a round trip would do too; this keeps it simple)."""
        await asyncio.sleep(seconds)

    async def wait_for(self, predicate, timeout: float = 30.0, what: str = "condition"):
        end = asyncio.get_running_loop().time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if asyncio.get_running_loop().time() > end:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.05)

    async def model_ready(self) -> None:
        """Wait for the model's loading progress to end (the server reports it with $/progress)."""

        def ended():
            return any(getattr(report, "kind", None) == "end" and "ready" in (report.message or "")
                       for report in self.progress("logsmith-model"))

        await self.wait_for(ended, MODEL_LOAD_TIMEOUT_S, "the model to load")

    def progress(self, prefix: str) -> list:
        """The $/progress values of the server's tokens starting with `prefix` ("logsmith-model",
        "logsmith-index"), in the order of the tokens and of the reports of each."""
        return [report for token, reports in self.client.progress_reports.items()
                if str(token).startswith(prefix) for report in reports]

    async def index_built(self, builds: int = 1, timeout: float = 60.0) -> str:
        """Wait for the project index's `builds`-th build to end; its end message."""
        def ends():
            return [r.message for r in self.progress("logsmith-index") if r.kind == "end"]

        await self.wait_for(lambda: len(ends()) >= builds, timeout, f"project index build {builds} to end")
        return ends()[builds - 1]

    async def status(self) -> dict:
        """What the `logsmith.status` command answers."""
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="logsmith.status"))

    # -- the audit store

    def rows(self, **where) -> list[dict]:
        """The audit rows matching `where`; none while the server has not created its store yet."""
        if not self.store.exists():
            return []
        db = sqlite3.connect(self.store)
        try:
            db.row_factory = sqlite3.Row
            if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone() is None:
                return []  # the file exists, its tables are still being created
            clause = " AND ".join(f"{key} = ?" for key in where)
            query = "SELECT * FROM events" + (f" WHERE {clause}" if clause else "") + " ORDER BY seq"
            return [dict(row) for row in db.execute(query, tuple(where.values()))]
        finally:
            db.close()

    async def wait_rows(self, count: int, timeout: float = 10.0, **where) -> list[dict]:
        await self.wait_for(lambda: len(self.rows(**where)) >= count, timeout, f"{count} rows {where}")
        return self.rows(**where)


async def start_editor(home: Path, client: str = "neovim", *, env: dict | None = None,
                       initialization_options=None, root: Path | None = None) -> Editor:
    """The server with the workspace folder `root` (default: `home/src`, created empty)."""
    lsp_client = make_test_lsp_client()
    server_env = {k: v for k, v in os.environ.items() if k not in ("LOGSMITH_MODEL", "LOGSMITH_NO_MODEL")}
    server_env.update(LOGSMITH_HOME=str(home), **(env or {}))
    await lsp_client.start_io(*SERVER_COMMAND, env=server_env)
    editor = Editor(lsp_client, home, client, root)
    editor.root.mkdir(parents=True, exist_ok=True)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(CLIENTS[client]),
        root_uri=editor.root.as_uri(),
        initialization_options=initialization_options,
    ))
    return editor


async def stop_editor(editor: Editor) -> None:
    try:
        await asyncio.wait_for(editor.client.shutdown_session(), 30)
    finally:
        await editor.client.stop()


TEMPLATE_ONLY = {"LOGSMITH_NO_MODEL": "1"}
"""The server's environment for the template engine only: no model is looked for or loaded."""


def server_kinds(*engines: str, clients: tuple[str, ...] = CLIENT_KINDS) -> list:
    """Parameters for a server fixture (tests/server/conftest.py's `served`): (client, engine) for each
    engine ("model": the real default model; "template": the template engine only) and client. The
    model's carry the `model` marker, so only the template's run in the fast tier."""
    return [pytest.param((client, engine), id=f"{client}-{engine}",
                         marks=[pytest.mark.model] if engine == "model" else [])
            for engine in engines for client in clients]


async def start_served(request, home: Path, client: str, engine: str, env: dict | None = None) -> Editor:
    """A server of `engine`: with the real default model loaded (the test fails loudly when it is
    not installed), or with the template engine only."""
    if engine == "model":
        request.getfixturevalue("default_model_path")
        session = await start_editor(home, client, env=env)
        await session.model_ready()
    else:
        session = await start_editor(home, client, env={**(env or {}), **TEMPLATE_ONLY})
    session.engine = engine
    return session
