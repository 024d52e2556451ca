"""The language server object and the features registered on it.

`LogsmithServer` holds the state every feature shares (documents, settings, requests in flight,
the offer ledger, the model status, the project index's keeper) and runs engine work on its own
small thread pool, never on the event loop (the project index is built on a thread of its own).
Each feature lives in its own module with a `register(server)` function.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from logsmith import __version__
from logsmith.audit.store import AuditRecorder
from logsmith.idioms.registry import supported
from logsmith.server.config import ServerSettings
from logsmith.server.convert import suggestion_lines
from logsmith.server.documents import DocumentStore, OpenDocument, Snapshot
from logsmith.server.offers import Offered, OfferLedger
from logsmith.server.project import ProjectKeeper
from logsmith.server.protocol import PARSE_ERROR, LogsmithProtocol
from logsmith.server.requests import RequestTracker, Ticket
from logsmith.server.status import ModelStatus
from logsmith.server.suggester import Suggester

log = logging.getLogger(__name__)

SUGGESTION_THREADS = 3
"""Completion, inline and a warm-up can run at once; the model worker serves one at a time."""
WARM_DELAY_S = 0.25
"""Idle time after an edit before the model's context for the edited line is warmed."""
WARM_BUDGET_S = 20.0
"""Longest a warm-up may run (a long file's context on a busy machine); any request or newer warm-up
stops it sooner."""
WARM_KEY = "*"


def _log_failure(future: concurrent.futures.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("background work failed", exc_info=future.exception())


def remaining_budget(settings, started: float):
    """The settings with the latency budget left once the server's own work since `started` is paid:
    the budget covers the whole request as the editor sees it, not only the engine's share."""
    spent_ms = (time.perf_counter() - started) * 1000
    return settings.replace(latency_budget_ms=max(1, int(settings.latency_budget_ms - spent_ms)))


@dataclass
class Answer:
    """Suggestions offered for one request, with the lines their edits refer to."""

    offered: list[Offered]
    lines: dict[int, str]
    latency_ms: float
    version: int | None
    """The document version the edits refer to."""


class LogsmithServer(LanguageServer):
    """The pygls language server, holding the state every logsmith feature shares."""

    protocol: LogsmithProtocol  # the class given to pygls below

    def __init__(self, store_path: Path | None = None):
        super().__init__(
            "logsmith",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=LogsmithProtocol,
        )
        self.project = ProjectKeeper(self)
        self.suggester = Suggester(self.project.current)
        self.documents = DocumentStore()
        self.config = ServerSettings()
        self.requests = RequestTracker()
        self.recorder = AuditRecorder(store_path, warn=self.tell_from_thread)
        self.offers = OfferLedger(
            self.recorder, lambda: self.config.current, lambda: self.project.root
        )
        self.model = ModelStatus(self)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.position_encoding = "utf-16"
        self.pending_messages: list[tuple[str, types.MessageType]] = []
        self._pool = concurrent.futures.ThreadPoolExecutor(
            SUGGESTION_THREADS, thread_name_prefix="logsmith-suggest"
        )
        self._told_large: set[str] = set()
        self._work_lock = threading.Lock()
        self._work_in_flight = 0
        self.options_from_client = False
        """True when initializationOptions carried settings
        (then they are not pulled from the client)."""

    # -- talking to the user

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """window/showMessage, or queued until the client is initialized."""
        log.log(
            logging.ERROR if kind == types.MessageType.Error else logging.WARNING, "%s", message
        )
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
        value: object = self.client_capabilities
        for part in dotted.split("."):
            value = getattr(value, part, None)
            if value is None:
                return False
        return bool(value)

    def report_server_error(self, error, source) -> None:
        """Errors outside a request: a body that is not JSON gets a Parse error;
        the rest is logged."""
        # json.JSONDecodeError and UnicodeDecodeError are ValueErrors;
        # the reader reports them with this source
        if source is JsonRpcException and isinstance(error, ValueError):
            log.warning("answering Parse error to a message that is not JSON: %s", error)
            self.protocol.send_error(None, PARSE_ERROR, f"Parse error: {error}")
            return
        log.error("%s: %s", getattr(source, "__name__", source), error)

    # -- documents

    def document_for(self, uri: str, method: str) -> OpenDocument | None:
        """The open document a request is about; None (the request is answered with nothing) when
        it is not open or logsmith does not read its language."""
        document = self.documents.get(uri)
        if document is None:
            log.warning(
                "%s for a document that is not open: %s; answering with nothing", method, uri
            )
        elif document.language is None:
            log.debug(
                "%s for %s (language %r): logsmith does not read it; answering with nothing",
                method,
                uri,
                document.language_id,
            )
            return None
        return document

    def note_size(self, document: OpenDocument) -> None:
        limit = self.config.current.max_file_bytes
        if document.length > limit and document.uri not in self._told_large:
            self._told_large.add(document.uri)
            self.tell(
                f"logsmith: {document.name} is {document.length / 1e6:.1f} MB, over the "
                f"{limit:,}-byte limit (max_file_bytes): suggestions there come from templates "
                "only, without the model.",
                types.MessageType.Info,
            )

    # -- engine work, off the event loop

    def _working(self, change: int) -> None:
        with self._work_lock:
            self._work_in_flight += change

    def busy(self) -> bool:
        """Whether engine work for a request is queued or running (the project index's build holds
        back meanwhile)."""
        return self._work_in_flight > 0

    def in_background(self, work) -> None:
        """Run `work()` on a suggestion thread, answering nobody (dropped once the server stops)."""
        try:
            future = self._pool.submit(work)
        except RuntimeError:  # the pool is shut down
            return
        future.add_done_callback(_log_failure)

    async def in_document(
        self, document: OpenDocument, snapshot: Snapshot, work, ticket: Ticket | None = None
    ):
        """Run `work(parsed_document)` on a suggestion thread with the document's tree at
        `snapshot`.

        Returns None when the ticket is cancelled or superseded first
        (without waiting for the thread).
        """

        def call():
            try:
                if ticket is not None and ticket.cancelled:
                    return None
                waited = time.perf_counter()
                with document.lock:
                    if ticket is not None and ticket.cancelled:
                        return None
                    started = time.perf_counter()
                    try:
                        return work(document.parsed(snapshot))
                    finally:
                        log.debug(
                            "%s on %s: waited %.0f ms for the document, worked %.0f ms",
                            ticket.key[1] if ticket else "work",
                            document.name,
                            (started - waited) * 1000,
                            (time.perf_counter() - started) * 1000,
                        )
            finally:
                self._working(-1)

        loop = asyncio.get_running_loop()
        self._working(+1)
        try:
            future = loop.run_in_executor(self._pool, call)
        except RuntimeError:  # the pool is shut down: `call` never runs
            self._working(-1)
            raise
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

    async def suggest_at(
        self, document: OpenDocument, line: int, column: int, *, channel: str, wanted
    ) -> Answer | None:
        """Suggestions at a position when `wanted(site)` says a statement belongs there;
        records the offer.

        A newer request on the same document and channel supersedes this one (None is returned).
        """
        self.requests.cancel_document(WARM_KEY, "request")
        ticket = self.requests.begin(document.uri, channel)
        snapshot = document.snapshot()
        settings = self.config.current
        started = time.perf_counter()

        def work(parsed):
            site = self.suggester.site_at(parsed, line, column)
            if not wanted(site) or ticket.cancelled:
                return None
            found = self.suggester.suggest(
                parsed,
                site,
                path=document.path,
                settings=remaining_budget(settings, started),
                cancel=ticket.cancel,
            )
            return found, suggestion_lines(parsed, found)

        try:
            result = await self.in_document(document, snapshot, work, ticket)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failure in the engine answers with nothing, never with a dead server
            log.exception("%s at %s:%d:%d failed", channel, document.uri, line, column)
            return None
        if result is None or ticket.cancelled:
            # the cursor is here, no statement wanted yet
            if result is None and not ticket.cancelled:
                self.warm_later(document, line, column, 0.0)
            return None
        suggestions, lines = result
        if not suggestions:
            return None
        if not suggestions[0].by_model:  # the model ran out of time: let it finish reading
            self.warm_later(document, line, column, 0.0)
        if channel == "inline":
            suggestions = suggestions[:1]  # one ghost text: the one the editor displays
        return self._answer(
            document,
            channel,
            suggestions,
            lines,
            started=started,
            version=snapshot.version,
            settings=settings,
        )

    async def insertion_at(
        self, document: OpenDocument, before_line: int, *, channel: str
    ) -> Answer | None:
        """The best statement for a new line before `before_line` (code actions);
        records the offer."""
        self.requests.cancel_document(WARM_KEY, "request")
        snapshot = document.snapshot()
        settings = self.config.current
        started = time.perf_counter()

        def work(parsed):
            found = self.suggester.suggest_insertion(
                parsed,
                before_line,
                path=document.path,
                settings=remaining_budget(settings, started),
            )[:1]
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
        return self._answer(
            document,
            channel,
            suggestions,
            lines,
            started=started,
            version=snapshot.version,
            settings=settings,
        )

    def _answer(
        self, document, channel, suggestions, lines, *, started, version, settings
    ) -> Answer:
        """Record the offer of `suggestions` and tell the status what served the first one."""
        latency_ms = (time.perf_counter() - started) * 1000
        offered = self.offers.offer(
            uri=document.uri,
            path=document.path,
            channel=channel,
            suggestions=suggestions,
            settings=settings,
            model=self.model.identity(),
            backend=self.model.backend_detail(),
            latency_ms=latency_ms,
            language=document.language,
        )
        self.model.after_answer(channel, latency_ms, suggestions[0], document.language)
        return Answer(offered, lines, latency_ms, version)

    def warm_later(self, document: OpenDocument, line: int, column: int, delay: float) -> None:
        """After `delay` seconds with no newer warm-up or request,
        warm the model's cache for this site."""
        self._warm(document, delay, lambda parsed: self.suggester.warm_prompt(parsed, line, column))

    def warm_file(self, document: OpenDocument) -> None:
        """Warm the start every prompt in this file shares,
        while the user reads the file just opened."""
        self._warm(document, 0.0, self.suggester.warm_file_prompt)

    def _warm(self, document: OpenDocument, delay: float, prompt_for) -> None:
        """After `delay` seconds, evaluate `prompt_for(parsed document)` into the model's KV cache.

        One warm-up at a time (a newer one, and every request, stops it); only when the model is
        ready.
        """
        settings = self.config.current
        if (
            not (document.language == "python" or supported(document.language))
            or not settings.use_model
            or self.model.state != "ready"
            or document.length > settings.max_file_bytes
        ):
            return
        ticket = self.requests.begin(WARM_KEY, "warm")

        async def warm():
            await asyncio.sleep(delay)
            if ticket.cancelled:
                return
            try:  # the prompt needs the document; the model does not, so no request waits for it
                context = await self.in_document(document, document.snapshot(), prompt_for)
                if context is None or ticket.cancelled:
                    return
                loop = asyncio.get_running_loop()
                await ticket.run(
                    loop.run_in_executor(
                        self._pool,
                        lambda: self.suggester.warm(
                            context, settings=settings, cancel=ticket.cancel, budget_s=WARM_BUDGET_S
                        ),
                    )
                )
            except Exception:
                log.debug("warm-up failed", exc_info=True)
            finally:
                self.requests.finish(ticket)

        asyncio.ensure_future(warm())

    def stop(self) -> None:
        self.requests.cancel_all("shutdown")
        self.project.stop()
        self.offers.close_everything("shutdown")
        self.recorder.flush(3)
        self._pool.shutdown(wait=False, cancel_futures=True)


def create_server(store_path: Path | None = None) -> LogsmithServer:
    """The server with every feature registered."""
    from logsmith.server import actions, commands, completion, inline, lifecycle

    server = LogsmithServer(store_path=store_path)
    lifecycle.register(server)
    completion.register(server)
    inline.register(server)
    actions.register(server)
    commands.register(server)
    return server
