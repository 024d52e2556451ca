"""JSON over HTTP(S) to one inference server, within a deadline and cancellable.

Each request runs on a thread of its own while the caller waits for its answer, the deadline or
the cancel event; on the latter two the connection is shut, which aborts the request on both ends
(llama-server stops generating for a client that went away). Connections are kept alive and
reused. `https` is verified against the system's trust store, with no way to turn it off.
Redirects are not followed. Every failure is a TransportError whose `kind` says what happened and
whose message says it in words.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

from logsmith.model.endpoint import Endpoint

FailureKind = Literal["unreachable", "timeout", "cancelled", "http", "garbage"]
MAX_REPLY_BYTES = 8_000_000
"""A larger reply is not a completion: it is refused as garbage."""
CANCEL_POLL_S = 0.02
IDLE_KEPT = 4


class TransportError(Exception):
    """A request that did not give a JSON reply. `kind`: unreachable (no connection, or it broke),
    timeout, cancelled, http (a status other than 200: `status`, and the server's `message`),
    garbage (a reply that is not JSON)."""

    def __init__(self, kind: FailureKind, message: str, status: int | None = None, body: str = ""):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Reply:
    """A 200 reply's JSON value, and the wall-clock seconds it took."""

    data: Any
    seconds: float


def _server_message(body: bytes) -> str:
    """The error message inside an error reply (llama-server, OpenAI and FastAPI shapes), or the
    start of its text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, dict):
        error = data.get("error", data.get("detail"))
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"][:300]
        if isinstance(error, str):
            return error[:300]
        if isinstance(error, list) and error and isinstance(error[0], dict):
            return str(error[0].get("msg", error[0]))[:300]
    return " ".join(text.split())[:200]


class Transport:
    """Requests to the server at `endpoint`, with `api_key` (if any) as a bearer token."""

    def __init__(self, server: Endpoint, api_key: str | None = None):
        self.server = server
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._path_prefix = server.base.split("://", 1)[1].partition("/")[2]
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._context = ssl.create_default_context() if server.scheme == "https" else None

    def url(self, path: str) -> str:
        return f"{self.server.base}{path}"

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        *,
        timeout_s: float,
        cancel: threading.Event | None = None,
    ) -> Reply:
        """`method` `path` (below the server's base) with `body` as JSON; the reply's JSON."""
        started = time.perf_counter()
        end = time.monotonic() + max(0.0, timeout_s)
        payload = None if body is None else json.dumps(body).encode("utf-8")
        connection, reused = self._connection(end)
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                outcome["reply"] = self._exchange(connection, method, path, payload)
            except BaseException as exc:  # handed to the caller
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=run, name="logsmith-http", daemon=True).start()
        while not done.is_set():
            left = end - time.monotonic()
            if left <= 0:
                self._abort(connection)
                raise TransportError(
                    "timeout", f"{self.url(path)} did not answer within {timeout_s:.2f} s"
                )
            done.wait(min(left, CANCEL_POLL_S) if cancel is not None else left)
            if cancel is not None and cancel.is_set() and not done.is_set():
                self._abort(connection)
                raise TransportError("cancelled", "request cancelled")
        error = outcome.get("error")
        if error is not None:
            connection.close()
            if reused and isinstance(error, (ConnectionError, http.client.BadStatusLine)):
                # a kept-alive connection the server had closed: once more on a fresh one
                return self.request(
                    method, path, body, timeout_s=end - time.monotonic(), cancel=cancel
                )
            raise self._failure(error, path) from None
        status, will_close, data = outcome["reply"]
        if will_close:
            connection.close()
        else:
            self._keep(connection)
        if status != 200:
            message = _server_message(data)
            raise TransportError(
                "http",
                f"{self.url(path)} answered HTTP {status}: {message or 'no message'}",
                status=status,
                body=message,
            )
        try:
            value = json.loads(data)
        except ValueError:
            raise TransportError(
                "garbage",
                f"{self.url(path)} answered something that is not JSON: "
                f"{' '.join(data[:80].decode('utf-8', 'replace').split())!r}",
            ) from None
        return Reply(value, time.perf_counter() - started)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # -- connections

    def _connection(self, end: float) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        timeout = max(0.05, end - time.monotonic())
        if self._context is not None:
            return http.client.HTTPSConnection(
                self.server.host, self.server.port, timeout=timeout, context=self._context
            ), False
        plain = http.client.HTTPConnection(self.server.host, self.server.port, timeout=timeout)
        return plain, False

    def _keep(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < IDLE_KEPT:
                self._idle.append(connection)
                return
        connection.close()

    def _exchange(
        self, connection: http.client.HTTPConnection, method: str, path: str, payload: bytes | None
    ) -> tuple[int, bool, bytes]:
        if connection.sock is None:
            connection.connect()  # within the connection's timeout: the time left
        # From here the caller enforces the deadline (it shuts the socket).
        assert connection.sock is not None
        connection.sock.settimeout(None)
        target = f"/{self._path_prefix}{path}" if self._path_prefix else path
        connection.request(method, target, body=payload, headers=self._headers)
        response = connection.getresponse()
        data = response.read(MAX_REPLY_BYTES + 1)
        if len(data) > MAX_REPLY_BYTES:
            connection.close()
            raise TransportError("garbage", f"the reply is larger than {MAX_REPLY_BYTES} bytes")
        return response.status, response.will_close, data

    @staticmethod
    def _abort(connection: http.client.HTTPConnection) -> None:
        sock = connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        connection.close()

    def _failure(self, error: BaseException, path: str) -> TransportError:
        where = self.url(path)
        if isinstance(error, TransportError):
            return error
        if isinstance(error, ssl.SSLError):
            return TransportError("unreachable", f"TLS with {self.server.origin} failed: {error}")
        if isinstance(error, ConnectionRefusedError):
            return TransportError("unreachable", f"{where}: connection refused")
        if isinstance(error, socket.gaierror):
            return TransportError("unreachable", f"{self.server.host}: unknown host ({error})")
        if isinstance(error, (http.client.HTTPException, ConnectionError)):
            return TransportError("unreachable", f"{where}: the connection broke ({error!r})")
        if isinstance(error, OSError):
            return TransportError("unreachable", f"{where}: {error.strerror or error}")
        return TransportError("garbage", f"{where}: {error!r}")
