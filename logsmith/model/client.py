"""The local model backend: a llama-cpp-python worker process, driven over JSON lines on its
pipes (the messages of `logsmith.model.protocol`).

`get_worker(choice)` returns the one `ModelWorker` of a model file in this process, started in
the background. `ModelWorker.complete()` asks for a continuation of a prompt under a deadline,
with an optional GBNF grammar and a cancel event; `warm()` puts a prompt into the worker's KV
cache so the next request that shares its prefix only pays for the new tokens.

The model never runs in the caller's process: if llama.cpp crashes (AMX kernels die with SIGSEGV
on some CPUs) the caller gets `ModelFailed` and a new worker starts at once. A worker that has
not answered `GRACE_S` after the deadline is late: the caller gets `ModelNotReady`, the request
is cancelled, and the worker is killed (and restarted) only if it is still silent `HANG_S` after
the deadline. After `MAX_CRASHES` crashes or hangs in a row the model is turned off (state
"failed"). The worker's stderr goes to `$LOGSMITH_CACHE/logs/model-worker.log`; the caller's
stdout is never touched, and llama_cpp is never imported in the caller's process.

The worker declines a completion it expects to end past its deadline ("too_slow"). With
`LOGSMITH_MODEL_ALWAYS_TRY=1` in the caller's environment it never does (only the deadline stops
it): for tests, which need the model's answer whatever the machine's speed.
"""

from __future__ import annotations

import atexit
import dataclasses
import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar, overload

from logsmith.model import protocol
from logsmith.model.protocol import (
    AnsweredRequest,
    CancelRequest,
    CompleteRequest,
    CompletionResult,
    EmptyResult,
    ErrorKind,
    ErrorReply,
    FailedEvent,
    PingRequest,
    ProgressEvent,
    ProtocolError,
    ReadyEvent,
    Request,
    ShutdownRequest,
    StopReason,
    TokenizeRequest,
    TokensResult,
    WarmRequest,
)
from logsmith.model.registry import ModelChoice, ModelError, cache_dir

log = logging.getLogger(__name__)

GRACE_S = 0.1
"""How long past the deadline the caller waits for the worker's answer. Small, because a request
must end within its latency budget plus 200 ms (SECURITY.md, tests/trust); the worker itself stops
before the deadline (it does not start a prompt slice it cannot finish in time), so this only
covers a machine that stalls."""
HANG_S = 10.0
"""A worker still silent this long after a request's deadline is taken as hung and killed.

Between the grace and this limit the worker is only late, not dead: on a busy machine one
llama.cpp step can take longer than the grace. The late request is cancelled and abandoned (the
caller gets ModelNotReady) and the worker keeps its process and its KV cache.
"""
MAX_CRASHES = 3
"""Crashes in a row (no good answer in between) after which the worker is not restarted."""
FAILED_RETRY_S = 30.0
"""`start()` on a failed worker tries again only this long after the failure (use `restart()` to
force)."""
CANCEL_POLL_S = 0.02
LOG_MAX_BYTES = 5_000_000
ALWAYS_TRY_ENV = "LOGSMITH_MODEL_ALWAYS_TRY"
"""Set to 1: `complete()` never lets the worker decline as too slow (the default of
`always_try`)."""

ProgressCallback = Callable[[str, str, "int | None"], None]
"""on_progress(state, message, percentage): loading progress, for an LSP `$/progress` report."""


class ModelFailed(ModelError):
    """The worker crashed, timed out, could not load the model, or is not ready; `reason` says
    which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ModelNotReady(ModelFailed):
    """The model is still loading, or busy with another request, and the deadline came first."""


class ModelRequestError(ModelFailed):
    """The worker refused the request (`kind` "grammar": an invalid GBNF grammar; "request": a bad
    field) and keeps running."""

    def __init__(self, reason: str, kind: ErrorKind = "request"):
        super().__init__(reason)
        self.kind = kind


@dataclass(frozen=True)
class Completion:
    """What the model wrote after the prompt, and what it cost.

    `stopped_by` is "stop" (a stop string or the end of text), "length" (max_tokens), "deadline",
    "too_slow" (not started: the uncached prompt and an answer would end past the deadline) or
    "cancelled". `seconds` is the caller's wall-clock time; `worker_seconds` the time inside the
    worker, so `seconds - worker_seconds` is the cost of the process boundary. A `warm()` result
    has no text and no tokens.
    """

    text: str
    tokens: int
    prompt_tokens: int
    seconds: float
    stopped_by: StopReason
    reused_tokens: int = 0
    """Prompt tokens found in the KV cache (not evaluated again)."""
    evaluated_tokens: int = 0
    truncated_tokens: int = 0
    """Oldest prompt tokens dropped to fit the context window."""
    prompt_seconds: float = 0.0
    generation_seconds: float = 0.0
    worker_seconds: float = 0.0
    threads: int = 0
    """Threads the worker used: `n_threads`, or fewer while other processes keep the cores busy."""
    needed_seconds: float = 0.0
    """The worker's estimate of the time the uncached prompt and a short answer take."""
    token_logprobs: tuple[float, ...] = ()
    """The natural log of each token the model chose, over the whole vocabulary (the last one, which
    ended the answer, included), from the embedded worker or a server that reports them; empty for
    `warm()` and for a server that gives none."""


class _Pending:
    """A request waiting for its reply: `reply` when one came, `malformed` when the reply could not
    be read, `failure` when the worker ended first."""

    def __init__(self, request: AnsweredRequest):
        self.request = request
        self.id = request.id
        self.done = threading.Event()
        self.reply: protocol.Reply | None = None
        self.malformed: str | None = None
        self.failure: str | None = None


_R = TypeVar("_R", bound=AnsweredRequest)


def _build(kind: type[_R], **fields: Any) -> _R:
    """The request `kind(**fields)`; a field of the wrong type is a ModelRequestError, as when the
    worker refuses a request."""
    try:
        return kind(**fields)
    except ProtocolError as exc:
        raise ModelRequestError(str(exc)) from None


def _describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "stopped answering"
    if returncode < 0:
        try:
            return f"crashed (signal {signal.Signals(-returncode).name})"
        except ValueError:
            return f"crashed (signal {-returncode})"
    return f"exited with code {returncode}"


class _Connection:
    """One worker subprocess: requests go to its stdin; a thread reads replies and events from its
    stdout."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        stderr: Any,
        on_event: Callable[[_Connection, protocol.Event], None],
        on_exit: Callable[[_Connection, str, int | None], None],
    ):
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            close_fds=True,
            # A Ctrl-C in the terminal is for the parent; the worker follows by EOF.
            start_new_session=True,
        )
        # Both are pipes (PIPE above), so never None.
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin: IO[bytes] = self.process.stdin
        self._stdout: IO[bytes] = self.process.stdout
        self._on_event = on_event
        self._on_exit = on_exit
        self._lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._exit_reason: str | None = None
        self.closed = False
        self._reader = threading.Thread(
            target=self._read, name=f"model-worker-{self.process.pid}", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def request(self, request: AnsweredRequest) -> _Pending:
        """Send `request` under a new id; its reply (or failure) comes in the returned _Pending."""
        with self._lock:
            pending = _Pending(dataclasses.replace(request, id=next(self._ids)))
            if self.closed:
                pending.failure = self._exit_reason or "model worker is not running"
                pending.done.set()
                return pending
            self._pending[pending.id] = pending
        if not self._write(pending.request):
            with self._lock:
                self._pending.pop(pending.id, None)
            pending.failure = self._exit_reason or "model worker closed its input"
            pending.done.set()
        return pending

    def cancel(self, request_id: int) -> None:
        self._write(CancelRequest(target=request_id))

    def _write(self, request: Request) -> bool:
        data = protocol.encode(request)
        try:
            with self._lock:
                self._stdin.write(data)
                self._stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def kill(self, reason: str) -> None:
        """Kill the worker now; waiting requests fail with `reason`."""
        self._set_exit_reason(reason)
        try:
            self.process.kill()
        except OSError:
            pass

    def close(self, timeout: float = 2.0) -> None:
        """Ask the worker to stop, then make sure it has."""
        self._set_exit_reason("model worker was stopped")
        self._write(ShutdownRequest(id=0))
        try:
            self._stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=timeout)

    def _receive(self, line: bytes) -> None:
        """Hand one line from the worker on: an event to `on_event`, a reply to its request."""
        try:
            message = protocol.decode(line)
            event = protocol.parse_event(message) if protocol.is_event(message) else None
            request_id = None if event is not None else protocol.reply_id(message)
        except ProtocolError as exc:
            log.warning("model worker: %s", exc)
            return
        if event is not None:
            self._on_event(self, event)
            return
        with self._lock:
            pending = None if request_id is None else self._pending.pop(request_id, None)
        if pending is None:  # the reply to "shutdown", or to a request without a readable id
            return
        try:
            pending.reply = protocol.parse_reply(message, pending.request.result_type)
        except ProtocolError as exc:
            log.warning("model worker: %s", exc)
            pending.malformed = str(exc)
        pending.done.set()

    def _set_exit_reason(self, reason: str) -> None:
        with self._lock:
            if self._exit_reason is None:
                self._exit_reason = reason

    def _read(self) -> None:
        try:
            for line in self._stdout:
                self._receive(line)
        except (OSError, ValueError) as exc:
            log.warning("reading from the model worker failed: %s", exc)
        returncode = self.process.wait()
        for pipe in (self._stdout, self._stdin):  # the worker is gone: free both ends now
            with self._lock:
                try:
                    pipe.close()
                except OSError:
                    pass
        with self._lock:
            self.closed = True
            reason = self._exit_reason or f"model worker {_describe_exit(returncode)}"
            self._exit_reason = reason
            waiting, self._pending = list(self._pending.values()), {}
        self._on_exit(self, reason, returncode)  # first, so waiting callers see the new state
        for pending in waiting:
            pending.failure = reason
            pending.done.set()


class ModelWorker:
    """One model loaded in a worker process; requests run one at a time (callers wait on a lock).

    `state` is "stopped", "loading", "ready" or "failed"; `last_error` says what went wrong last.
    `n_threads` is the most threads llama.cpp uses; the worker uses fewer while other processes
    keep the cores busy (two threads sharing a core with another process are far slower than one).
    """

    def __init__(
        self,
        choice: ModelChoice,
        n_threads: int = 2,
        n_ctx: int = 2048,
        *,
        n_batch: int = 256,
        on_progress: ProgressCallback | None = None,
        log_path: Path | None = None,
        hang_s: float = HANG_S,
    ):
        self.choice = choice
        self.hang_s = hang_s
        self.n_threads = n_threads
        self.n_ctx = n_ctx
        self.n_batch = n_batch
        self.on_progress = on_progress
        self.log_path = (
            log_path if log_path is not None else cache_dir() / "logs" / "model-worker.log"
        )
        self.state = "stopped"
        self.last_error: str | None = None
        self.load_seconds: float | None = None
        self.restarts = 0
        self._crashes = 0
        self._conn: _Connection | None = None
        self._changed = threading.Condition()
        self._request_lock = threading.Lock()
        self._closing = False
        # Reports queued under the lock, sent after it.
        self._reports: list[tuple[str, str, int | None]] = []
        # An abandoned request, still running.
        self._late: tuple[_Connection, _Pending, float] | None = None
        self._failed_at = 0.0
        self._started_at = 0.0

    @property
    def model_id(self) -> str:
        return self.choice.model_id

    @property
    def sha256(self) -> str:
        return self.choice.sha256

    @property
    def pid(self) -> int | None:
        conn = self._conn
        return conn.pid if conn is not None and not conn.closed else None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker if it is not running; returns at once, the model loads in the
        background.

        A failed worker (the model does not load, or it crashed MAX_CRASHES times in a row) is
        tried again only FAILED_RETRY_S after the failure, so calling this on every request is
        safe.
        """
        with self._changed:
            if self.state in ("loading", "ready"):
                return
            if self.state == "failed" and time.monotonic() - self._failed_at < FAILED_RETRY_S:
                return
            self._crashes = 0
            self._spawn()
        self._send_reports()

    def restart(self) -> None:
        """Stop the worker if it runs and start a fresh one now, whatever its state."""
        self.close()
        with self._changed:
            self._crashes = 0
            self._spawn()
        self._send_reports()

    def _spawn(self) -> None:
        """Start a worker process (called with `_changed` held; `_send_reports()` after releasing
        it)."""
        argv = [
            sys.executable, "-m", "logsmith.model.worker",
            "--model", str(self.choice.path),
            "--n-threads", str(self.n_threads),
            "--n-ctx", str(self.n_ctx),
            "--n-batch", str(self.n_batch),
        ]  # fmt: skip
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        stderr = self._open_log()
        self._closing = False
        self.state = "loading"
        self._started_at = time.monotonic()
        try:
            self._conn = _Connection(argv, env, stderr, self._on_event, self._on_exit)
        except OSError as exc:
            self._set_failed(f"cannot start the model worker: {exc}")
            return
        finally:
            if stderr is not subprocess.DEVNULL:
                stderr.close()
        self._changed.notify_all()
        self._reports.append(("loading", f"loading model {self.model_id}", 0))

    def _open_log(self):
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            if self.log_path.exists() and self.log_path.stat().st_size > LOG_MAX_BYTES:
                self.log_path.unlink()
            handle = open(self.log_path, "ab")
            handle.write(
                f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} worker for {self.choice.path}\n".encode()
            )
            handle.flush()
            return handle
        except OSError:
            return subprocess.DEVNULL

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the model is loaded; False when it failed, stopped or `timeout` passed
        first."""
        with self._changed:
            self._changed.wait_for(lambda: self.state != "loading", timeout)
            return self.state == "ready"

    def close(self) -> None:
        """Stop the worker process; a later request starts it again."""
        with self._changed:
            self._closing = True
            conn, self._conn = self._conn, None
            self.state = "stopped"
            self._changed.notify_all()
        if conn is not None:
            conn.close()

    def _on_event(self, conn: _Connection, event: protocol.Event) -> None:
        with self._changed:
            if conn is not self._conn:
                return
            if isinstance(event, ReadyEvent):
                self.state = "ready"
                self.load_seconds = time.monotonic() - self._started_at
                self._changed.notify_all()
            elif isinstance(event, FailedEvent):
                self._set_failed(f"model {self.model_id} cannot be loaded: {event.error}")
        self._send_reports()
        if isinstance(event, ReadyEvent):
            self._report("ready", f"model {self.model_id} ready in {self.load_seconds:.1f} s", 100)
        elif isinstance(event, ProgressEvent):
            self._report("loading", event.message, event.percentage)

    def _on_exit(self, conn: _Connection, reason: str, returncode: int | None) -> None:
        with self._changed:
            if conn is not self._conn:
                return
            self._conn = None
            if self._closing or self.state == "failed":
                self._changed.notify_all()
            elif self.state == "loading":
                self._set_failed(f"{reason} while loading {self.choice.path}; see {self.log_path}")
            else:
                self._crashes += 1
                if self._crashes >= MAX_CRASHES:
                    self._set_failed(
                        f"{reason}; {self._crashes} times in a row, model turned off"
                        f" (log: {self.log_path})"
                    )
                else:
                    log.warning("%s; restarting it", reason)
                    self.last_error = reason
                    self.restarts += 1
                    self._spawn()  # a fresh worker loads while the caller handles the failure
        self._send_reports()

    def _set_failed(self, message: str) -> None:
        """Record a failure that restarting will not fix (called with `_changed` held)."""
        self.state = "failed"
        self.last_error = message
        self._failed_at = time.monotonic()
        self._changed.notify_all()
        log.error("%s", message)
        self._reports.append(("failed", message, None))

    def _send_reports(self) -> None:
        with self._changed:
            reports, self._reports = self._reports, []
        for report in reports:
            self._report(*report)

    def _report(self, state: str, message: str, percentage: int | None) -> None:
        callback = self.on_progress
        if callback is None:
            return
        try:
            callback(state, message, percentage)
        except Exception:  # a broken progress reporter must not break the model
            log.exception("on_progress callback failed")

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
    ) -> Completion:
        """The model's continuation of `prompt`, stopped at a stop string, `max_tokens`, the
        deadline or `cancel`; whatever was written by then is returned with `stopped_by` set.

        `deadline_s` is the time budget in seconds from this call, waiting for the model included.
        The worker declines at once ("too_slow") when it expects the uncached prompt and a short
        answer to end past the deadline, unless `always_try` (default: ALWAYS_TRY_ENV is 1).
        Raises ModelNotReady (still loading / busy past the deadline), ModelFailed (the worker
        died or hung: it is restarted for the next call) or ModelRequestError (e.g. an invalid
        grammar).
        """
        if always_try is None:
            always_try = os.environ.get(ALWAYS_TRY_ENV) == "1"
        request = _build(
            CompleteRequest,
            prompt=prompt,
            grammar=grammar,
            max_tokens=int(max_tokens),
            stop=tuple(stop),
            temperature=float(temperature),
            always_try=bool(always_try),
        )
        return self._run(request, deadline_s, cancel)

    def warm(
        self, prompt: str, *, deadline_s: float = 10.0, cancel: threading.Event | None = None
    ) -> Completion:
        """Evaluate `prompt` into the KV cache without generating; the next request sharing its
        prefix pays only for the rest. Returns a Completion with no text."""
        return self._run(_build(WarmRequest, prompt=prompt), deadline_s, cancel)

    def tokenize(self, text: str, *, timeout_s: float = 5.0) -> list[int]:
        """The model's tokens for `text` (with BOS when the model adds one)."""
        result = self._call(_build(TokenizeRequest, text=text), timeout_s)
        return list(result.tokens)

    def ping(self, *, timeout_s: float = 5.0) -> float:
        """Seconds for one round trip to the worker: the fixed cost of the process boundary."""
        started = time.perf_counter()
        self._call(PingRequest(), timeout_s)
        return time.perf_counter() - started

    def _run(
        self,
        request: CompleteRequest | WarmRequest,
        deadline_s: float,
        cancel: threading.Event | None,
    ) -> Completion:
        started = time.perf_counter()
        result = self._call(request, deadline_s, cancel=cancel)
        return Completion(
            text=result.text,
            tokens=result.tokens,
            prompt_tokens=result.prompt_tokens,
            seconds=time.perf_counter() - started,
            stopped_by=result.stopped_by,
            reused_tokens=result.reused_tokens,
            evaluated_tokens=result.evaluated_tokens,
            truncated_tokens=result.truncated_tokens,
            prompt_seconds=result.prompt_seconds,
            generation_seconds=result.generation_seconds,
            worker_seconds=result.seconds,
            threads=result.threads,
            needed_seconds=result.needed_seconds or 0.0,
            token_logprobs=result.token_logprobs,
        )

    @overload
    def _call(
        self,
        request: CompleteRequest | WarmRequest,
        budget_s: float,
        *,
        cancel: threading.Event | None = None,
    ) -> CompletionResult: ...

    @overload
    def _call(
        self, request: TokenizeRequest, budget_s: float, *, cancel: threading.Event | None = None
    ) -> TokensResult: ...

    @overload
    def _call(
        self,
        request: PingRequest | ShutdownRequest,
        budget_s: float,
        *,
        cancel: threading.Event | None = None,
    ) -> EmptyResult: ...

    def _call(
        self,
        request: AnsweredRequest,
        budget_s: float,
        *,
        cancel: threading.Event | None = None,
    ) -> protocol.Result:
        """Send `request` and wait for its result (of the request's `result_type`); a "complete"
        or "warm" request takes the time left until the deadline with it as its `deadline_s`."""
        end = time.monotonic() + max(0.0, float(budget_s))
        if not self._acquire_request_lock(end, cancel):
            if cancel is not None and cancel.is_set():
                raise ModelNotReady(f"request cancelled while model {self.model_id} was busy")
            raise ModelNotReady(f"model {self.model_id} is busy with another request")
        try:
            try:
                conn = self._ready_connection(end)
                late = self._late
                if late is not None:
                    conn = self._settle_late(late, end)
            finally:
                self._send_reports()
            if isinstance(request, (CompleteRequest, WarmRequest)):
                request = dataclasses.replace(request, deadline_s=max(0.0, end - time.monotonic()))
            pending = conn.request(request)
            if not self._wait(conn, pending, end, cancel):
                self._abandon(conn, pending)
                raise ModelNotReady(
                    f"model worker is late: no answer {GRACE_S} s after the deadline"
                    " (is the machine busy?)"
                )
        finally:
            self._request_lock.release()
        if pending.failure is not None:
            # A failed worker always has its `last_error`.
            failed = self.last_error if self.state == "failed" else None
            raise ModelFailed(failed or f"{pending.failure}; restarting")
        if pending.malformed is not None:
            raise ModelFailed(f"unreadable reply from the model worker: {pending.malformed}")
        reply = pending.reply
        # Done without a failure or a malformed reply: the reply came.
        assert reply is not None
        if isinstance(reply, ErrorReply):
            raise ModelRequestError(reply.error, reply.kind)
        with self._changed:
            self._crashes = 0
        return reply.result

    def _acquire_request_lock(self, end: float, cancel: threading.Event | None) -> bool:
        """Wait until the worker is free or `end`; a cancelled caller stops waiting at once, so a
        superseded request (or warm-up) never keeps a server thread waiting for the model."""
        while True:
            remaining = end - time.monotonic()
            if cancel is None:
                return self._request_lock.acquire(timeout=max(0.0, remaining))
            if cancel.is_set():
                return False
            if self._request_lock.acquire(timeout=max(0.0, min(remaining, CANCEL_POLL_S))):
                return True
            if remaining <= CANCEL_POLL_S:
                return False

    def _ready_connection(self, end: float) -> _Connection:
        with self._changed:
            if self.state == "stopped":
                self._spawn()
            while self.state == "loading":
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise ModelNotReady(f"model {self.model_id} is still loading")
                self._changed.wait(remaining)
            if self.state != "ready" or self._conn is None:
                raise ModelFailed(self.last_error or f"model {self.model_id} is not running")
            return self._conn

    def _wait(
        self, conn: _Connection, pending: _Pending, end: float, cancel: threading.Event | None
    ) -> bool:
        """Wait for the reply (or the worker's death) until the deadline plus the grace; False if
        late."""
        give_up = end + GRACE_S
        cancel_sent = False
        while True:
            now = time.monotonic()
            if now >= give_up:
                return pending.done.is_set()
            poll = give_up - now
            if cancel is not None and not cancel_sent:
                poll = min(poll, CANCEL_POLL_S)
            if pending.done.wait(poll):
                return True
            if cancel is not None and not cancel_sent and cancel.is_set():
                conn.cancel(pending.id)
                cancel_sent = True
                give_up = min(give_up, time.monotonic() + GRACE_S)

    def _abandon(self, conn: _Connection, pending: _Pending) -> None:
        """Cancel a late request and leave it running; kill the worker if it is still silent at
        HANG_S."""
        conn.cancel(pending.id)
        self._late = (conn, pending, time.monotonic())

        def kill_if_hung() -> None:
            if not pending.done.is_set():
                conn.kill(f"model worker hung: no answer {self.hang_s:.0f} s after a deadline")

        timer = threading.Timer(self.hang_s, kill_if_hung)
        timer.daemon = True
        timer.start()

    def _settle_late(self, late: tuple[_Connection, _Pending, float], end: float) -> _Connection:
        """Before a new request: wait for the abandoned one `late` (`_late`) to end (or the worker
        to be killed as hung)."""
        conn, pending, since = late
        hang_at = since + self.hang_s + 2.0  # the hang timer kills it then; its exit follows
        if not pending.done.wait(max(0.0, min(end, hang_at) - time.monotonic())):
            raise ModelNotReady(f"model {self.model_id} is still finishing a late request")
        self._late = None
        return self._ready_connection(end)


# ----------------------------------------------------------------------------- one worker per model

_workers: dict[str, ModelWorker] = {}
_workers_lock = threading.Lock()


def get_worker(choice: ModelChoice, **options) -> ModelWorker:
    """The worker for `choice.path` in this process, created and started on first use."""
    key = str(Path(choice.path).resolve())
    with _workers_lock:
        worker = _workers.get(key)
        if worker is None:
            worker = _workers[key] = ModelWorker(choice, **options)
    if worker.state == "stopped":
        worker.start()
    return worker


def shutdown_workers() -> None:
    """Stop every worker this process started."""
    with _workers_lock:
        workers = list(_workers.values())
        _workers.clear()
    for worker in workers:
        worker.close()


atexit.register(shutdown_workers)
