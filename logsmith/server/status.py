"""What the server tells the user about itself: the model behind the suggestions (loading
reported with `$/progress`, a missing or broken model explained with `window/showMessage`, naming
the command that installs it) and the project index (its build reported with `$/progress`), and
`logsmith/status` notifications: one after each answer with what wrote it (`source`: "template" or
the model's id) and its latency (and the model's `backend`: embedded, llama-server or openai, and
`modelNote`: why a failed model cannot serve, e.g. an inference server that is unreachable, its URL
and the fix), one with `channel: "model"` whenever the model's state changes and
one with `channel: "index"` whenever the project index's does. Every notification carries the
index's state (`index`: state, counts or progress, skipped files by reason, and a sentence), and a
state change repeats the last answer's source and latency so a client that keeps only the latest
notification still names what served the suggestion on screen. An answer's notification also
names the document's `language`, and its notes say which Python-only features a file in another
language goes without. The `logsmith.status` command answers the same.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

from lsprotocol import types

log = logging.getLogger(__name__)

STATUS_NOTIFICATION = "logsmith/status"
PYTHON_ONLY_NOTE = (
    "{language}: the project index serves Python files only; the statements of this file, its "
    "folder and the project's other files were followed"
)
_tokens = itertools.count(1)


def language_notes(language: str | None) -> list[str]:
    """What an answer in `language` goes without (the Python-only features), for the status."""
    return [] if language in (None, "python") else [PYTHON_ONLY_NOTE.format(language=language)]


class WorkProgress:
    """One `$/progress` sequence (begin, reports, end) under a token the server creates, or lines in
    the client's log when the client cannot show progress. Called on the event loop; reports and
    the end that come before the client has accepted the token are sent once it has."""

    def __init__(self, server, prefix: str):
        self.server = server
        self.prefix = prefix
        self._token: str | None = None
        """None before `begin`, "log" when the client's log is used, else the token."""
        self._begun = False
        self._report: tuple[str, int] | None = None
        self._ended: str | None = None

    def begin(self, message: str) -> None:
        asyncio.ensure_future(self._begin(message))

    async def _begin(self, message: str) -> None:
        if not self.server.client_supports("window.work_done_progress"):
            self._token = "log"
            self.server.log_to_client(f"logsmith: {message}")
            if self._ended is not None:
                self.server.log_to_client(f"logsmith: {self._ended}")
            return
        token = self._token = f"{self.prefix}-{next(_tokens)}"
        try:
            await asyncio.wait_for(self.server.work_done_progress.create_async(token), 5)
        except Exception as exc:  # the client refused or never answered: fall back to the log
            log.info("work done progress not available: %s", exc)
            self._token = "log"
            self.server.log_to_client(f"logsmith: {message}")
            if self._ended is not None:
                self.server.log_to_client(f"logsmith: {self._ended}")
            return
        self.server.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="logsmith", message=message, percentage=0, cancellable=False
            ),
        )
        self._begun = True
        if self._ended is not None:
            self._send_end(token, self._ended)
        elif self._report is not None:
            self.report(*self._report)

    def report(self, message: str, percentage: int) -> None:
        if self._begun and self._ended is None and self._token not in (None, "log"):
            self.server.work_done_progress.report(
                self._token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )
        else:
            self._report = (message, percentage)

    def end(self, message: str) -> None:
        if self._ended is not None:
            return
        self._ended = message
        if self._token == "log":
            self.server.log_to_client(f"logsmith: {message}")
        elif self._begun and self._token is not None:
            self._send_end(self._token, message)
        # else: the token is still being created; `_begin` ends it

    def _send_end(self, token: str, message: str) -> None:
        self.server.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))


class ModelStatus:
    """The state of the configured model, reported to the client whenever it changes."""

    def __init__(self, server):
        self.server = server
        self.state = "unknown"
        """off (use_model false), missing, loading, ready, failed,
        or unknown before the first check."""
        self.choice = None
        """The model file's registry entry (embedded backend only)."""
        self.worker = None
        self.backend = None
        """The backend serving the configured model (the worker, or an inference server); None
        when there is none."""
        self.note: str | None = None
        """Why the model cannot serve now (a failed state), with the fix."""
        self.last_latency_ms: float | None = None
        self.last_source: str | None = None
        """What wrote the last answer: "template" or a model id (None before the first answer)."""
        self._progress_token: str | None = None
        self._told: set[str] = set()

    def identity(self) -> tuple[str | None, str | None]:
        """(model id, model file SHA-256) of the configured model, or
        (None, None) when there is none."""
        if self.backend is None or self.state in ("off", "missing"):
            return None, None
        return self.backend.model_id, self.backend.sha256

    def backend_detail(self) -> dict | None:
        """The backend, the server's model and the route, for the audit trail (None: no model)."""
        if self.backend is None or self.state in ("off", "missing"):
            return None
        from logsmith.model.backend import description

        return description(self.backend)

    @property
    def worker_pid(self) -> int | None:
        return getattr(self.worker, "pid", None)

    async def refresh(self, settings) -> None:
        """Resolve the configured model and start loading it (progress reported); never raises.

        The client hears of a new state at once (a missing model before the first answer, say)."""
        before = self.state
        try:
            await self._refresh(settings)
        finally:
            if self.state != before:
                self.notify_state("model")

    async def _refresh(self, settings) -> None:
        loop = asyncio.get_running_loop()
        if not settings.use_model:
            self.state, self.choice, self.backend = "off", None, None
            await self._release_worker(loop)
            return
        from logsmith.model import registry
        from logsmith.model.backend import backend_for

        self.note = None
        try:
            worker = await loop.run_in_executor(None, backend_for, settings)
        except registry.ModelMissing as exc:
            self.state, self.choice, self.backend = "missing", None, None
            self._tell_once(
                f"logsmith: {exc}. Until then suggestions come from templates only.",
                types.MessageType.Warning,
            )
            return
        except registry.ModelError as exc:
            self.state, self.choice, self.backend = "failed", None, None
            self.note = str(exc)
            self._tell_once(
                f"logsmith: {exc}. Suggestions come from templates only.", types.MessageType.Error
            )
            return
        except Exception as exc:  # a bug here must not stop the server from serving templates
            log.exception("cannot start the model")
            self.state, self.choice, self.backend = "failed", None, None
            self.note = f"cannot use the model ({exc})"
            self._tell_once(
                f"logsmith: cannot use the model ({exc}); suggestions come from templates only.",
                types.MessageType.Error,
            )
            return
        self.choice = getattr(worker, "choice", None)
        self.backend = worker
        if worker is not self.worker:
            # another model was configured: free the old one's memory
            await self._release_worker(loop)
        self.worker = worker
        worker.on_progress = self._progress_from_thread
        if worker.state in ("stopped", "failed"):
            worker.start()
        self.state = worker.state
        if worker.state == "failed":
            self.note = worker.last_error
        if worker.state == "loading":
            await self._begin(f"loading model {worker.model_id}")

    async def _release_worker(self, loop) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.on_progress = None
            self._end(f"model {worker.model_id} stopped")
            await loop.run_in_executor(None, worker.close)

    # -- progress (worker callbacks arrive on its threads)

    def _progress_from_thread(self, state: str, message: str, percentage) -> None:
        loop = self.server.loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(
            lambda: asyncio.ensure_future(self._progress(state, message, percentage))
        )

    async def _progress(self, state: str, message: str, percentage) -> None:
        self.state = state
        self.note = message if state == "failed" else None
        if state == "loading":
            if self._progress_token is None:
                await self._begin(message)
            elif self._progress_token != "log":
                self.server.work_done_progress.report(
                    self._progress_token,
                    types.WorkDoneProgressReport(message=message, percentage=percentage),
                )
            return
        self._end(message)
        self.notify_state("model")
        if state == "failed":
            self._tell_once(
                f"logsmith: {message}. Suggestions come from templates only.",
                types.MessageType.Error,
            )

    async def _begin(self, message: str) -> None:
        if self._progress_token is not None:
            return
        if not self.server.client_supports("window.work_done_progress"):
            self._progress_token = "log"
            self.server.log_to_client(f"logsmith: {message}")
            return
        token = f"logsmith-model-{next(_tokens)}"
        self._progress_token = token
        try:
            await asyncio.wait_for(self.server.work_done_progress.create_async(token), 5)
        except Exception as exc:  # the client refused or never answered: fall back to the log
            log.info("work done progress not available: %s", exc)
            self._progress_token = "log"
            self.server.log_to_client(f"logsmith: {message}")
            return
        self.server.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="logsmith", message=message, percentage=0, cancellable=False
            ),
        )
        # it finished while the client answered
        if self.worker is not None and self.worker.state != "loading":
            self._end(f"model {self.worker.model_id} {self.worker.state}")

    def _end(self, message: str) -> None:
        token, self._progress_token = self._progress_token, None
        if token is None:
            return
        if token == "log":
            self.server.log_to_client(f"logsmith: {message}")
        else:
            self.server.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    def _tell_once(self, message: str, kind: types.MessageType) -> None:
        if message in self._told:
            return
        self._told.add(message)
        self.server.tell(message, kind)

    # -- status notifications

    def model_fields(self) -> dict:
        """The model's part of every notification: `modelNote` says why a failed model cannot
        serve and what fixes it (e.g. an inference server that is down: its URL, start it or
        change `model`); `backend` is embedded, llama-server or openai."""
        detail = self.backend_detail()
        return {
            "modelId": self.identity()[0],
            "modelState": self.state,
            "workerPid": self.worker_pid,
            "backend": detail["backend"] if detail else None,
            "modelNote": self.note if self.state == "failed" else None,
        }

    def snapshot(self) -> dict:
        """The status as the `logsmith.status` command answers it."""
        found = self.model_fields()
        if self.last_latency_ms is not None:
            found["latencyMs"] = round(self.last_latency_ms, 1)
            found["source"] = self.last_source
        found["index"] = self.server.project.status()
        return found

    def notify_state(self, channel: str) -> None:
        """Tell the client the model's (`channel` "model") or the project index's ("index") state
        as soon as it changes, before any answer; the last answer's latency and source come along
        (the source is what the client should name)."""
        status = {"channel": channel, **self.model_fields()}
        if self.last_latency_ms is not None:
            status["latencyMs"] = round(self.last_latency_ms, 1)
            status["source"] = self.last_source
        status["index"] = self.server.project.status()
        self.server.protocol.notify(STATUS_NOTIFICATION, status)

    def after_answer(
        self, channel: str, latency_ms: float, suggestion, language: str | None = "python"
    ) -> None:
        """Tell the client what answered (`source`: "template" or the model's id), how fast and in
        which language; outside Python the notes say that the project index is not used."""
        self.last_latency_ms = latency_ms
        self.last_source = suggestion.source
        if self.backend is not None and self.state not in ("off", "missing"):
            self.state = self.backend.state
            if self.state == "failed" and self.backend.last_error:
                self.note = self.backend.last_error
        self.server.protocol.notify(
            STATUS_NOTIFICATION,
            {
                "channel": channel,
                "latencyMs": round(latency_ms, 1),
                "source": suggestion.source,
                **self.model_fields(),
                "notes": list(suggestion.notes) + language_notes(language),
                "language": language,
                "index": self.server.project.status(),
            },
        )
