"""The remote backend: the model of an inference server (llama.cpp's `llama-server`, or an
OpenAI-compatible one), with the interface of the embedded `client.ModelWorker`: `start()`,
`wait_ready()`, `complete()`, `warm()`, `close()`, `state`, `model_id`, `last_error`.

`get_remote(server)` returns the one `RemoteModel` of a server in this process. Starting it asks
the server what it is (`GET /props` answers on llama-server, else `GET /v1/models`, unless the URL
forces the dialect) and which model it serves; state "loading" meanwhile (also while the server
answers 503, loading its model), then "ready".

A circuit breaker keeps a server that is down from costing every request its time: a failed
connect, or FAILURES_TO_TRIP failed requests in a row (no connection, HTTP 401/403/404/5xx, a
reply that is not the dialect's), mark the backend "failed" (down) for a backoff that grows with
each trip (BACKOFF_S); meanwhile every request fails at once with the reason and the fix, so the
template answers at once. The first start after the backoff asks the server again. A request
refused as invalid (HTTP 400, e.g. a bad grammar) fails alone: the server is up. A request that
runs out of time or is cancelled returns no text (`stopped_by` "deadline" / "cancelled"); the
connection is shut, which stops the server's work on it.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import PurePosixPath

from logsmith.model import server_trust
from logsmith.model.client import (
    Completion,
    ModelFailed,
    ModelNotReady,
    ModelRequestError,
    ProgressCallback,
)
from logsmith.model.dialects import LlamaServer, OpenAI, ReplyError, ServerDialect
from logsmith.model.endpoint import Endpoint
from logsmith.model.http_transport import Transport, TransportError

log = logging.getLogger(__name__)

FAILURES_TO_TRIP = 3
"""Failed requests in a row after which the server is taken as down."""
BACKOFF_S = (2.0, 5.0, 15.0, 30.0, 60.0)
"""How long the server is left alone after its first, second, ... trip in a row."""
PROBE_TIMEOUT_S = 5.0
"""The longest the connect-time questions (`/props`, `/v1/models`) may take."""
LOADING_WAIT_S = 600.0
"""How long a server that answers "503: loading the model" is asked again (every LOADING_POLL_S)
before it counts as down."""
LOADING_POLL_S = 1.0


def _empty(seconds: float, stopped_by) -> Completion:
    return Completion(text="", tokens=0, prompt_tokens=0, seconds=seconds, stopped_by=stopped_by)


class RemoteModel:
    """The model an inference server at `server` serves; requests may run side by side (the server
    queues or batches them)."""

    pid = None
    """No process of ours runs the model."""
    choice = None
    sha256 = None
    """A server's model file cannot be verified from here."""

    def __init__(
        self,
        server: Endpoint,
        *,
        api_key: str | None = None,
        on_progress: ProgressCallback | None = None,
        probe_timeout_s: float = PROBE_TIMEOUT_S,
    ):
        self.server = server
        self.on_progress = on_progress
        self.probe_timeout_s = probe_timeout_s
        self.transport = Transport(server, api_key)
        self.state = "stopped"
        self.last_error: str | None = None
        self.dialect: ServerDialect | None = None
        self.server_model: str | None = None
        self.trips = 0
        self._failures = 0
        self._retry_at = 0.0
        self._changed = threading.Condition()

    @property
    def model_id(self) -> str:
        """The model the server serves (a file's name when it names a file), or its URL before it
        said."""
        if self.server_model is None:
            return self.server.base
        if self.server_model.startswith("/"):
            return PurePosixPath(self.server_model).name
        return self.server_model

    @property
    def backend(self) -> str:
        """`llama-server` or `openai` (the forced dialect, or `remote` before it is known)."""
        if self.dialect is not None:
            return self.dialect.name
        return self.server.dialect or "remote"

    @property
    def retry_in_s(self) -> float:
        return max(0.0, self._retry_at - time.monotonic())

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Ask the server what it is, in the background; a server marked down is asked again only
        once its backoff has passed."""
        with self._changed:
            if self.state in ("loading", "ready"):
                return
            if self.state == "failed" and time.monotonic() < self._retry_at:
                return
            self.state = "loading"
            self._changed.notify_all()
        self._report("loading", f"connecting to {self.server}", None)
        threading.Thread(target=self._connect, name="logsmith-remote-connect", daemon=True).start()

    def restart(self) -> None:
        self.close()
        with self._changed:
            self._retry_at = 0.0
        self.start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        with self._changed:
            self._changed.wait_for(lambda: self.state != "loading", timeout)
            return self.state == "ready"

    def close(self) -> None:
        with self._changed:
            self.state = "stopped"
            self._changed.notify_all()
        self.transport.close()

    def _connect(self) -> None:
        give_up = time.monotonic() + LOADING_WAIT_S
        told = False
        while True:
            try:
                dialect, model = self._identify()
                break
            except (TransportError, ReplyError) as exc:
                loading = isinstance(exc, TransportError) and exc.status == 503
                if not loading or time.monotonic() > give_up:
                    self._trip(str(exc))
                    return
            with self._changed:
                if self.state != "loading":  # closed meanwhile
                    return
            if not told:
                self._report("loading", f"the server at {self.server} is loading its model", None)
                told = True
            time.sleep(LOADING_POLL_S)
        with self._changed:
            if self.state != "loading":  # closed meanwhile
                return
            self.dialect, self.server_model = dialect, model
            self.state, self.last_error = "ready", None
            self._failures = self.trips = 0
            self._changed.notify_all()
        self._report("ready", f"{dialect.name} at {self.server} serves {model}", 100)

    def _identify(self) -> tuple[ServerDialect, str]:
        """The server's dialect and model: forced by the URL, else llama-server if `/props`
        answers as it does, else OpenAI-compatible."""
        end = time.monotonic() + self.probe_timeout_s
        openai = OpenAI(versioned_base=PurePosixPath(self.server.base).name == "v1")
        candidates: list[ServerDialect]
        if self.server.dialect == "llama-server":
            candidates = [LlamaServer()]
        elif self.server.dialect == "openai" or PurePosixPath(self.server.base).name == "v1":
            candidates = [openai]
        else:
            candidates = [LlamaServer(), openai]
        for dialect in candidates:
            try:
                reply = self.transport.request(
                    "GET", dialect.probe_path, timeout_s=max(0.1, end - time.monotonic())
                )
                return dialect, dialect.server_model(reply.data)
            except (TransportError, ReplyError) as exc:
                last: Exception = exc
                if isinstance(exc, TransportError) and exc.kind != "http":
                    raise
                if isinstance(exc, TransportError) and exc.status in (401, 403):
                    raise TransportError("http", _auth_note(exc), exc.status) from None
                if isinstance(exc, TransportError) and exc.status == 503:
                    raise  # up, still loading its model
        raise last

    # -- failures ------------------------------------------------------------------------------

    def _trip(self, reason: str) -> None:
        """The server is down: fail fast until the backoff has passed."""
        with self._changed:
            if self.state == "stopped":
                return
            self.trips += 1
            backoff = BACKOFF_S[min(self.trips, len(BACKOFF_S)) - 1]
            self._retry_at = time.monotonic() + backoff
            self._failures = 0
            self.state = "failed"
            self.last_error = (
                f"the {self.backend} server at {self.server} is unreachable ({reason}); start the "
                "server, or change the `model` setting"
            )
            message = self.last_error
            self._changed.notify_all()
        log.warning("%s; trying again in %.0f s", message, backoff)
        self._report("failed", message, None)

    def _failed(self, exc: TransportError | ReplyError, path: str) -> ModelFailed:
        """Count a failed request; the error to raise (a down server after FAILURES_TO_TRIP)."""
        if isinstance(exc, TransportError) and exc.kind == "http" and exc.status == 400:
            with self._changed:
                self._failures = 0
            return ModelRequestError(
                f"the server refused the request: {exc}",
                "grammar" if "grammar" in exc.body.lower() else "request",
            )
        if isinstance(exc, TransportError) and exc.status in (401, 403):
            reason = _auth_note(exc)
        elif isinstance(exc, TransportError) and exc.status == 404:
            reason = (
                f"{exc}: is {self.server} a {self.backend} server? Fix the URL, or force the "
                "dialect with `llama-server+` or `openai+` before it"
            )
        elif isinstance(exc, ReplyError):
            reason = f"{self.transport.url(path)}: {exc}"
        else:
            reason = str(exc)
        with self._changed:
            self._failures += 1
            trip = self._failures >= FAILURES_TO_TRIP
        if trip:
            self._trip(f"{FAILURES_TO_TRIP} failures in a row, the last: {reason}")
        return ModelFailed(f"{self.backend} server: {reason}")

    # -- requests ------------------------------------------------------------------------------

    def complete(
        self,
        prompt: str,
        *,
        deadline_s: float,
        grammar: str | None = None,
        max_tokens: int = 48,
        stop: tuple[str, ...] | list[str] = ("\n",),
        temperature: float = 0.0,
        cancel: threading.Event | None = None,
        always_try: bool | None = None,
        logprobs: bool = True,
    ) -> Completion:
        """The server's continuation of `prompt` (see `ModelWorker.complete`); `logprobs`: ask for
        each written token's probability (`Completion.token_logprobs`). `always_try` is accepted
        for the same interface: only the deadline stops a server's request."""
        dialect = self._ready_dialect(deadline_s)
        body = dialect.completion_body(
            prompt,
            grammar=grammar,
            max_tokens=int(max_tokens),
            stop=tuple(stop),
            temperature=float(temperature),
            model=self.server_model or "",
            logprobs=logprobs,
        )
        return self._post(dialect, body, deadline_s, cancel)

    def warm(
        self, prompt: str, *, deadline_s: float = 10.0, cancel: threading.Event | None = None
    ) -> Completion:
        """Have the server read `prompt` into its cache (llama-server); a dialect without a way to
        do so returns at once."""
        dialect = self._ready_dialect(deadline_s)
        body = dialect.warm_body(prompt, self.server_model or "")
        if body is None:
            return _empty(0.0, "stop")
        done = self._post(dialect, body, deadline_s, cancel)
        return Completion(
            text="",
            tokens=0,
            prompt_tokens=done.prompt_tokens,
            seconds=done.seconds,
            stopped_by=done.stopped_by,
            reused_tokens=done.reused_tokens,
            evaluated_tokens=done.evaluated_tokens,
            prompt_seconds=done.prompt_seconds,
            worker_seconds=done.prompt_seconds,
        )

    def _ready_dialect(self, deadline_s: float) -> ServerDialect:
        end = time.monotonic() + max(0.0, deadline_s)
        with self._changed:
            state = self.state
        if state in ("stopped", "failed"):
            self.start()  # a no-op while a down server's backoff runs
        with self._changed:
            while self.state == "loading":
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise ModelNotReady(f"still connecting to {self.server}")
                self._changed.wait(remaining)
            if self.state == "failed":
                raise ModelFailed(
                    f"{self.last_error} (asked again in {self.retry_in_s:.0f} s)"
                    if self.retry_in_s > 0
                    else str(self.last_error)
                )
            if self.state != "ready" or self.dialect is None:
                raise ModelFailed(f"the server at {self.server} is not connected")
            return self.dialect

    def _post(
        self,
        dialect: ServerDialect,
        body: dict,
        deadline_s: float,
        cancel: threading.Event | None,
    ) -> Completion:
        started = time.perf_counter()
        path = dialect.completion_path
        try:
            reply = self.transport.request("POST", path, body, timeout_s=deadline_s, cancel=cancel)
            completion = dialect.read(reply.data, reply.seconds)
        except TransportError as exc:
            if exc.kind == "cancelled":
                return _empty(time.perf_counter() - started, "cancelled")
            if exc.kind == "timeout":
                return _empty(time.perf_counter() - started, "deadline")
            raise self._failed(exc, path) from None
        except ReplyError as exc:
            raise self._failed(exc, path) from None
        with self._changed:
            self._failures = 0
        return completion

    def _report(self, state: str, message: str, percentage: int | None) -> None:
        callback = self.on_progress
        if callback is None:
            return
        try:
            callback(state, message, percentage)
        except Exception:  # a broken progress reporter must not break the backend
            log.exception("on_progress callback failed")


def _auth_note(exc: TransportError) -> str:
    return (
        f"{exc}: the server wants an API key; set {server_trust.API_KEY_ENV} or "
        f"{server_trust.API_KEY_FILE_ENV} in your environment (it is sent only to a server you "
        f"allowed in {server_trust.MODEL_ENV} or {server_trust.SERVERS_ENV})"
    )


# ----------------------------------------------------------------------------- one per server

_remotes: dict[tuple[str, str | None], RemoteModel] = {}
_remotes_lock = threading.Lock()


def get_remote(server: Endpoint) -> RemoteModel:
    """The backend of `server` in this process, created and started on first use. Raises
    `server_trust.ServerNotAllowed` for a server the user did not allow, ModelError when the API
    key file cannot be read."""
    server_trust.check(server)
    key = (server.base, server.dialect)
    with _remotes_lock:
        remote = _remotes.get(key)
        if remote is None:
            remote = _remotes[key] = RemoteModel(server, api_key=server_trust.api_key(server))
    if remote.state == "stopped":
        remote.start()
    return remote
