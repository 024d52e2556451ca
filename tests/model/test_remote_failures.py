"""The remote backend's logic against a tiny in-process HTTP server that misbehaves on request:
each HTTP failure gives a clear note, the circuit breaker opens after repeated failures and closes
when the server is back, the API key goes only where the user allowed it. The real servers
(llama-server, llama-cpp-python's) are driven in test_remote_servers.py."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from logsmith.model import endpoint, remote, server_trust
from logsmith.model.client import ModelFailed, ModelRequestError
from logsmith.model.endpoint import EndpointError
from logsmith.model.registry import ModelError

GRAMMAR = 'root ::= "ok"'


class FakeServer:
    """A llama-server look-alike (or an OpenAI one) whose answers the test sets: `mode` is ok,
    openai, status:<code>, garbage, slow or down (closes every connection)."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[tuple[str, str, dict | None, dict]] = []
        self.slow_s = 5.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, value) -> None:
                data = value if isinstance(value, bytes) else json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((method, self.path, body, dict(self.headers)))
                mode = fake.mode
                if mode == "down":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if mode.startswith("status:"):
                    status = int(mode.split(":")[1])
                    message = "failed to parse grammar" if status == 400 else "no"
                    return self._answer(status, {"error": {"code": status, "message": message}})
                if mode == "garbage":
                    return self._answer(200, b"<html>proxy error</html>")
                if mode == "slow" and method == "POST":
                    time.sleep(fake.slow_s)
                if self.path == "/props":
                    if mode == "openai":
                        return self._answer(404, {"detail": "Not Found"})
                    return self._answer(200, {"model_path": "/models/fake-model.gguf",
                                              "default_generation_settings": {}})
                if self.path == "/v1/models":
                    return self._answer(200, {"data": [{"id": "fake-openai-model"}]})
                if self.path == "/completion":
                    return self._answer(200, {
                        "content": ' ok")', "stop_type": "word", "tokens_cached": 3,
                        "timings": {"cache_n": 3, "prompt_n": 4, "prompt_ms": 20.0,
                                    "predicted_n": 2, "predicted_ms": 10.0},
                        "completion_probabilities": [{"id": 1, "token": " ok", "logprob": -0.5},
                                                     {"id": 2, "token": '")', "logprob": -0.1}]})
                if self.path == "/v1/completions":
                    return self._answer(200, {
                        "choices": [{"text": " ok", "finish_reason": "length",
                                     "logprobs": {"token_logprobs": [-0.25]}}],
                        "usage": {"prompt_tokens": 7, "completion_tokens": 1}})
                return self._answer(404, {"error": {"message": "File Not Found"}})

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def posts(self) -> list[dict]:
        return [body for method, _path, body, _headers in self.requests if method == "POST"]


@pytest.fixture(scope="module")
def fake():
    server = FakeServer()
    yield server
    server.close()


@pytest.fixture
def backend(fake, monkeypatch):
    """A fresh backend of the fake server (no shared state between tests), backoffs short."""
    monkeypatch.setattr(remote, "BACKOFF_S", (0.3, 0.6))
    fake.mode, fake.requests = "ok", []
    made = remote.RemoteModel(endpoint.parse(fake.url), probe_timeout_s=5.0)
    made.start()
    yield made
    made.close()


def ask(backend, **options):
    options.setdefault("deadline_s", 10.0)
    return backend.complete('logger.info("', grammar=GRAMMAR, max_tokens=8, stop=("\n",), **options)


# -- the URL and the trust rule


def test_urls_name_a_server_and_its_dialect():
    assert endpoint.names_server("http://h:1") and endpoint.names_server("openai+https://h")
    assert not endpoint.names_server("gemma-3-270m") and not endpoint.names_server("/m/x.gguf")
    plain = endpoint.parse("http://127.0.0.1:8080/")
    assert (plain.base, plain.dialect, plain.loopback) == ("http://127.0.0.1:8080", None, True)
    forced = endpoint.parse("openai+https://models.example.com/team/v1")
    assert forced.dialect == "openai" and forced.origin == "https://models.example.com:443"
    assert forced.base == "https://models.example.com:443/team/v1" and not forced.loopback
    assert endpoint.parse("llama-server+http://localhost:9").dialect == "llama-server"
    for bad, why in [("http://user:pw@h:1", "password"), ("http://h:1/?key=x", "query"),
                     ("http://h:99999", "cannot be read")]:
        with pytest.raises(EndpointError, match=why):
            endpoint.parse(bad)


def test_a_workspace_cannot_send_code_to_a_server_the_user_did_not_name(monkeypatch):
    monkeypatch.delenv(server_trust.SERVERS_ENV, raising=False)
    monkeypatch.delenv("LOGSMITH_MODEL", raising=False)
    far = endpoint.parse("https://models.example.com:8443")
    with pytest.raises(server_trust.ServerNotAllowed, match="LOGSMITH_SERVERS=https://models"):
        remote.get_remote(far)
    server_trust.check(endpoint.parse("http://localhost:8080"))  # this machine: allowed
    monkeypatch.setenv(server_trust.SERVERS_ENV, "http://other:1, https://models.example.com:8443")
    server_trust.check(far)
    monkeypatch.setenv(server_trust.SERVERS_ENV, "")
    monkeypatch.setenv("LOGSMITH_MODEL", "https://models.example.com:8443/v1")
    server_trust.check(far)


def test_the_command_line_allows_its_server_for_the_processes_it_starts(monkeypatch):
    monkeypatch.delenv(server_trust.SERVERS_ENV, raising=False)
    monkeypatch.delenv("LOGSMITH_MODEL", raising=False)
    server_trust.allow_from_command_line("openai+https://gpu.example.com/v1")
    server_trust.allow_from_command_line("gemma-3-270m")  # not a server: nothing to allow
    assert server_trust.user_origins() == {"https://gpu.example.com:443"}


def test_the_key_comes_from_the_environment_or_its_file_and_goes_only_to_named_servers(
    monkeypatch, tmp_path
):
    local = endpoint.parse("http://127.0.0.1:9")
    monkeypatch.delenv("LOGSMITH_MODEL", raising=False)
    monkeypatch.setenv(server_trust.API_KEY_ENV, "sekrit")
    monkeypatch.setenv(server_trust.SERVERS_ENV, "")
    assert server_trust.api_key(local) is None  # loopback named only by a workspace: no key
    monkeypatch.setenv(server_trust.SERVERS_ENV, "http://127.0.0.1:9")
    assert server_trust.api_key(local) == "sekrit"
    monkeypatch.delenv(server_trust.API_KEY_ENV)
    key_file = tmp_path / "key"
    key_file.write_text("from-file\n")
    monkeypatch.setenv(server_trust.API_KEY_FILE_ENV, str(key_file))
    assert server_trust.api_key(local) == "from-file"
    monkeypatch.setenv(server_trust.API_KEY_FILE_ENV, str(tmp_path / "missing"))
    with pytest.raises(ModelError, match="cannot read the API key"):
        server_trust.api_key(local)


def test_the_bearer_key_is_sent_to_a_server_the_user_named(fake, monkeypatch):
    monkeypatch.setenv(server_trust.SERVERS_ENV, fake.url)
    monkeypatch.setenv(server_trust.API_KEY_ENV, "sekrit")
    fake.mode, fake.requests = "ok", []
    named = remote.RemoteModel(endpoint.parse(fake.url), api_key=server_trust.api_key(
        endpoint.parse(fake.url)))
    named.start()
    assert named.wait_ready(10)
    assert ask(named).text == ' ok")'
    assert {headers.get("Authorization") for _m, _p, _b, headers in fake.requests} == {
        "Bearer sekrit"}
    named.close()


# -- the dialects


def test_llama_server_is_detected_and_asked_natively(backend, fake):
    assert backend.wait_ready(10) and backend.backend == "llama-server"
    assert backend.model_id == "fake-model.gguf"
    done = ask(backend)
    assert (done.text, done.stopped_by, done.reused_tokens, done.evaluated_tokens) == (
        ' ok")', "stop", 3, 4)
    assert done.token_logprobs == (-0.5, -0.1) and done.prompt_tokens == 7
    body = fake.posts()[-1]
    assert body["grammar"] == GRAMMAR and body["cache_prompt"] is True and body["n_probs"] == 1
    assert body["n_predict"] == 8 and body["stop"] == ["\n"]
    warmed = backend.warm("prefix", deadline_s=5)
    assert warmed.text == "" and fake.posts()[-1]["n_predict"] == 1


def test_an_openai_server_is_detected_when_props_is_missing(backend, fake):
    backend.close()
    fake.mode = "openai"
    made = remote.RemoteModel(endpoint.parse(fake.url))
    made.start()
    assert made.wait_ready(10) and made.backend == "openai" and made.model_id == "fake-openai-model"
    done = ask(made)
    assert (done.text, done.stopped_by, done.token_logprobs) == (" ok", "length", (-0.25,))
    body = fake.posts()[-1]
    assert body["model"] == "fake-openai-model" and body["max_tokens"] == 8
    assert body["grammar"] == GRAMMAR and body["structured_outputs"] == {"grammar": GRAMMAR}
    assert made.warm("prefix").text == ""  # nothing to warm in this dialect: no request
    assert fake.posts()[-1] is body
    made.close()


# -- failures


@pytest.mark.parametrize(
    ("mode", "note"),
    [
        ("status:401", "LOGSMITH_API_KEY"),
        ("status:403", "LOGSMITH_API_KEY"),
        ("status:404", "force the dialect"),
        ("status:500", "HTTP 500"),
        ("status:503", "HTTP 503"),
        ("garbage", "not JSON"),
        ("down", "connection broke"),
    ],
)
def test_each_failure_has_a_clear_note(backend, fake, mode, note):
    assert backend.wait_ready(10)
    fake.mode = mode
    with pytest.raises(ModelFailed, match=note) as failed:
        ask(backend)
    assert not isinstance(failed.value, ModelRequestError)
    assert backend.state == "ready"  # one failure does not make the server down


def test_an_invalid_grammar_fails_alone(backend, fake):
    assert backend.wait_ready(10)
    fake.mode = "status:400"
    for _ in range(remote.FAILURES_TO_TRIP + 1):
        with pytest.raises(ModelRequestError, match="grammar") as refused:
            ask(backend)
        assert refused.value.kind == "grammar"
    assert backend.state == "ready"


def test_a_slow_server_runs_out_of_time_and_a_cancel_stops_the_wait(backend, fake):
    assert backend.wait_ready(10)
    fake.mode, fake.slow_s = "slow", 3.0
    assert ask(backend, deadline_s=0.3).stopped_by == "deadline"
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    assert ask(backend, deadline_s=30, cancel=cancel).stopped_by == "cancelled"
    assert backend.state == "ready"  # slowness is not a failure of the server


def test_repeated_failures_open_the_breaker_until_the_server_is_back(backend, fake):
    reports = []
    backend.on_progress = lambda state, message, _pct: reports.append((state, message))
    assert backend.wait_ready(10)
    fake.mode = "status:502"
    for _ in range(remote.FAILURES_TO_TRIP):
        with pytest.raises(ModelFailed):
            ask(backend)
    assert backend.state == "failed" and "unreachable" in backend.last_error
    assert "start the server, or change the `model` setting" in backend.last_error
    assert reports[-1][0] == "failed" and fake.url in reports[-1][1]
    asked = len(fake.requests)
    with pytest.raises(ModelFailed, match="asked again in"):
        ask(backend)
    assert len(fake.requests) == asked  # down: not asked at all
    fake.mode = "ok"
    deadline = time.monotonic() + 30
    while not backend.wait_ready(0.5) and time.monotonic() < deadline:
        time.sleep(0.2)
        backend.start()  # what every request does; a no-op until the backoff has passed
    assert backend.state == "ready" and reports[-1][0] == "ready"
    assert ask(backend).text == ' ok")'


def test_a_server_that_is_not_there_is_down_at_once(monkeypatch):
    monkeypatch.setattr(remote, "BACKOFF_S", (30.0,))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = remote.RemoteModel(endpoint.parse(f"http://127.0.0.1:{port}"))
    gone.start()
    assert not gone.wait_ready(10)
    assert gone.state == "failed" and "connection refused" in gone.last_error
    with pytest.raises(ModelFailed, match=f"127.0.0.1:{port}"):
        ask(gone)
