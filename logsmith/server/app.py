"""The language server object and the features registered on it.

`LogsmithServer` holds the state every feature shares (documents, settings, requests in flight,
the offer ledger, the model status) and runs engine work on its own small thread pool, never on
the event loop. Each feature lives in its own module with a `register(server)` function.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from logsmith import __version__
from logsmith.server.config import ServerSettings
from logsmith.server.convert import suggestion_lines
from logsmith.server.documents import DocumentStore, OpenDocument, Snapshot, path_of
from logsmith.server.engine import PipelineEngine
from logsmith.server.offers import Offered, OfferLedger
from logsmith.server.protocol import PARSE_ERROR, LogsmithProtocol
from logsmith.server.requests import RequestTracker, Ticket
from logsmith.server.status import ModelStatus
from logsmith.server.triggers import may_be_typing_log
from logsmith.telemetry import AuditRecorder

log = logging.getLogger(__name__)

SUGGESTION_THREADS = 2
WARM_DELAY_S = 0.25
"""Idle time after an edit before the model's context for the edited line is warmed."""
WARM_BUDGET_S = 4.0
"""Longest a warm-up may run; any request stops it sooner."""
WARM_KEY = "*"


@dataclass
class Answer:
    """Suggestions offered for one request, with the lines their edits refer to."""

    offered: list[Offered]
    lines: dict[int, str]
    latency_ms: float
    version: int | None
    """The document version the edits refer to."""


class LogsmithServer(LanguageServer):
    def __init__(self, engine=None, store_path: Path | None = None):
        super().__init__("logsmith", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=LogsmithProtocol)
        self.engine = engine or PipelineEngine()
        self.documents = DocumentStore()
        self.config = ServerSettings()
        self.requests = RequestTracker()
        self.recorder = AuditRecorder(store_path, warn=self.tell_from_thread)
        self.offers = OfferLedger(self.recorder, lambda: self.config.current)
        self.model = ModelStatus(self)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.position_encoding = "utf-16"
        self.pending_messages: list[tuple[str, types.MessageType]] = []
        self._pool = concurrent.futures.ThreadPoolExecutor(SUGGESTION_THREADS, thread_name_prefix="logsmith-suggest")
        self._told_large: set[str] = set()

    # -- talking to the user

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """window/showMessage, or queued until the client is initialized."""
        log.log(logging.ERROR if kind == types.MessageType.Error else logging.WARNING, "%s", message)
        if self.loop is None:
            self.pending_messages.append((message, kind))
            return
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def tell_from_thread(self, message: str) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            log.warning("%s", message)
            return
        loop.call_soon_threadsafe(self.tell, message, types.MessageType.Warning)

    def log_to_client(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        log.info("%s", message)
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def client_supports(self, dotted: str) -> bool:
        value = self.client_capabilities
        for part in dotted.split("."):
            value = getattr(value, part, None)
            if value is None:
                return False
        return bool(value)

    def report_server_error(self, error, source) -> None:
        """Errors outside a request: a body that is not JSON gets a Parse error; the rest is logged."""
        if isinstance(error, ValueError):  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            log.warning("answering Parse error to a message that is not JSON: %s", error)
            self.protocol.send_error(None, PARSE_ERROR, f"Parse error: {error}")
            return
        log.error("%s: %s", getattr(source, "__name__", source), error)

    # -- documents

    def document_for(self, uri: str, method: str) -> OpenDocument | None:
        document = self.documents.get(uri)
        if document is None:
            log.warning("%s for a document that is not open: %s; answering with nothing", method, uri)
        return document

    def note_size(self, document: OpenDocument) -> None:
        limit = self.config.current.max_file_bytes
        if document.length > limit and document.uri not in self._told_large:
            self._told_large.add(document.uri)
            self.tell(f"logsmith: {document.name} is {document.length / 1e6:.1f} MB, over the "
                      f"{limit:,}-byte limit (max_file_bytes): suggestions there come from templates only, "
                      f"without the model.", types.MessageType.Info)

    # -- engine work, off the event loop

    async def in_document(self, document: OpenDocument, snapshot: Snapshot, work, ticket: Ticket | None = None):
        """Run `work(parsed_document)` on a suggestion thread with the document's tree at `snapshot`.

        Returns None when the ticket is cancelled or superseded first (without waiting for the thread).
        """

        def call():
            if ticket is not None and ticket.cancelled:
                return None
            with document.lock:
                if ticket is not None and ticket.cancelled:
                    return None
                return work(document.parsed(snapshot))

        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, call)
        try:
            if ticket is None:
                return await future
            done, result = await ticket.run(future)
            return result if done else None
        except asyncio.CancelledError:  # $/cancelRequest
            if ticket is not None:
                ticket.stop("cancelled")
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
            raise
        finally:
            if ticket is not None:
                self.requests.finish(ticket)

    async def suggest_at(self, document: OpenDocument, line: int, column: int, *, channel: str, wanted) -> Answer | None:
        """Suggestions at a position when `wanted(site)` says a statement belongs there; records the offer.

        A newer request on the same document and channel supersedes this one (None is returned).
        """
        self.requests.cancel_document(WARM_KEY, "request")
        ticket = self.requests.begin(document.uri, channel)
        snapshot = document.snapshot()
        settings = self.config.current
        started = time.perf_counter()

        def work(parsed):
            site = self.engine.site_at(parsed, line, column)
            if not wanted(site) or ticket.cancelled:
                return None
            found = self.engine.suggest(parsed, line, column, path=document.path, settings=settings, cancel=ticket.cancel)
            return found, suggestion_lines(parsed, found)

        try:
            result = await self.in_document(document, snapshot, work, ticket)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failure in the engine answers with nothing, never with a dead server
            log.exception("%s at %s:%d:%d failed", channel, document.uri, line, column)
            return None
        if result is None or ticket.cancelled:
            if result is None and not ticket.cancelled:  # the cursor is here, no statement wanted yet
                self.warm_later(document, line, column, 0.0)
            return None
        suggestions, lines = result
        if not suggestions:
            return None
        if suggestions[0].source == "template":  # the model ran out of time: let it finish reading
            self.warm_later(document, line, column, 0.0)
        latency_ms = (time.perf_counter() - started) * 1000
        if channel == "inline":
            suggestions = suggestions[:1]  # one ghost text: the one the editor displays
        offered = self.offers.offer(uri=document.uri, path=document.path, channel=channel, suggestions=suggestions,
                                    settings=settings, model=self.model.identity(), latency_ms=latency_ms)
        self.model.after_answer(channel, latency_ms, suggestions[0])
        return Answer(offered, lines, latency_ms, snapshot.version)

    async def insertion_at(self, document: OpenDocument, before_line: int, *, channel: str) -> Answer | None:
        """The best statement for a new line before `before_line` (code actions); records the offer."""
        self.requests.cancel_document(WARM_KEY, "request")
        snapshot = document.snapshot()
        settings = self.config.current
        started = time.perf_counter()

        def work(parsed):
            found = self.engine.suggest_insertion(parsed, before_line, path=document.path, settings=settings)[:1]
            return found, suggestion_lines(parsed, found)

        try:
            suggestions, lines = await self.in_document(document, snapshot, work)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("statement for a new line before %s:%d failed", document.uri, before_line)
            return None
        if not suggestions:
            return None
        latency_ms = (time.perf_counter() - started) * 1000
        offered = self.offers.offer(uri=document.uri, path=document.path, channel=channel, suggestions=suggestions,
                                    settings=settings, model=self.model.identity(), latency_ms=latency_ms)
        self.model.after_answer(channel, latency_ms, suggestions[0])
        return Answer(offered, lines, latency_ms, snapshot.version)

    def warm_later(self, document: OpenDocument, line: int, column: int, delay: float) -> None:
        """After `delay` seconds with no newer warm-up or request, warm the model's cache for this site.

        One warm-up at a time (a newer one, and every request, stops it); only when the model is ready.
        """
        settings = self.config.current
        if not settings.use_model or self.model.state != "ready" or document.length > settings.max_file_bytes:
            return
        ticket = self.requests.begin(WARM_KEY, "warm")

        async def warm():
            await asyncio.sleep(delay)
            if ticket.cancelled:
                return
            work = lambda parsed: self.engine.warm(parsed, line, column, settings=settings, cancel=ticket.cancel,
                                                   budget_s=WARM_BUDGET_S)
            try:
                await self.in_document(document, document.snapshot(), work, ticket)
            except Exception:
                log.debug("warm-up failed", exc_info=True)

        asyncio.ensure_future(warm())

    def stop(self) -> None:
        self.requests.cancel_all("shutdown")
        self.offers.close_everything("shutdown")
        self.recorder.flush(3)
        self._pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------------------------------------
# Lifecycle, settings, document sync


def _root_of(params: types.InitializeParams) -> Path | None:
    uri = params.root_uri or (params.workspace_folders[0].uri if params.workspace_folders else None)
    if uri:
        path = path_of(uri)
        return Path(path) if path else None
    return Path(params.root_path) if params.root_path else None


def register_lifecycle(server: LogsmithServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: LogsmithServer, params: types.InitializeParams):
        ls.position_encoding = str(getattr(ls.workspace.position_encoding, "value", ls.workspace.position_encoding)
                                   or "utf-16")
        messages = ls.config.use_project(_root_of(params))
        messages += ls.config.use_options(params.initialization_options)
        ls.options_from_client = params.initialization_options is not None
        ls.pending_messages += [(f"logsmith settings: {m}", types.MessageType.Warning) for m in messages]

    @server.feature(types.INITIALIZED)
    async def initialized(ls: LogsmithServer, params: types.InitializedParams):
        ls.loop = asyncio.get_running_loop()
        for message, kind in ls.pending_messages:
            ls.tell(message, kind)
        ls.pending_messages.clear()
        if not ls.options_from_client and ls.client_supports("workspace.configuration"):
            await pull_configuration(ls)
        await ls.model.refresh(ls.config.current)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: LogsmithServer, params):
        ls.stop()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: LogsmithServer, params: types.DidChangeConfigurationParams):
        value = params.settings
        if (value is None or (isinstance(value, dict) and "logsmith" not in value)) and \
                ls.client_supports("workspace.configuration"):
            await pull_configuration(ls)
        else:
            apply_options(ls, value)
        await ls.model.refresh(ls.config.current)


async def pull_configuration(ls: LogsmithServer) -> None:
    try:
        answer = await asyncio.wait_for(ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="logsmith")])), 5)
    except Exception as exc:
        log.info("workspace/configuration failed: %s", exc)
        return
    apply_options(ls, answer[0] if answer else None)


def apply_options(ls: LogsmithServer, value) -> None:
    if value is not None and not isinstance(value, (dict, list, str, int, float, bool)):
        value = json.loads(json.dumps(value, default=lambda o: getattr(o, "__dict__", str(o))))
    before = ls.config.current
    for message in ls.config.use_options(value):
        ls.tell(f"logsmith settings: {message}", types.MessageType.Warning)
    if ls.config.current != before:
        log.info("settings now %s", ls.config.current)


def register_document_sync(server: LogsmithServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LogsmithServer, params: types.DidOpenTextDocumentParams):
        item = params.text_document
        document = ls.documents.open(item.uri, item.text, item.version, item.language_id)
        ls.note_size(document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LogsmithServer, params: types.DidChangeTextDocumentParams):
        document = ls.documents.get(params.text_document.uri)
        if document is None:
            log.warning("didChange for a document that is not open: %s; ignored", params.text_document.uri)
            return
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                r = change.range
                document.apply_change((r.start.line, r.start.character), (r.end.line, r.end.character), change.text,
                                      ls.position_encoding, params.text_document.version)
            else:
                document.replace_all(change.text, params.text_document.version)
        ls.note_size(document)
        last = params.content_changes[-1] if params.content_changes else None
        if isinstance(last, types.TextDocumentContentChangePartial):
            line = last.range.start.line + last.text.count("\n")
            text = document.line(line)
            if text is not None and (not text.strip() or may_be_typing_log(text)):
                ls.warm_later(document, line, len(text), WARM_DELAY_S)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LogsmithServer, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.requests.cancel_document(uri, "closed")
        ls.offers.close_open(uri, None, "closed")
        ls.documents.close(uri)


def create_server(engine=None, store_path: Path | None = None) -> LogsmithServer:
    """The server with every feature registered."""
    from logsmith.server import actions, commands, completion, inline

    server = LogsmithServer(engine=engine, store_path=store_path)
    server.options_from_client = False
    register_lifecycle(server)
    register_document_sync(server)
    completion.register(server)
    inline.register(server)
    actions.register(server)
    commands.register(server)
    return server
