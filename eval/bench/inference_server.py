"""Real inference servers on a free loopback port, for the benchmarks and the tests: llama.cpp's
`llama-server` (built by `make llama-server`; the Makefile passes its path in
LOGSMITH_LLAMA_SERVER, and `make print-llama-server` says it when run outside make) and
llama-cpp-python's OpenAI-compatible server (`python -m llama_cpp.server`, the `test` extra).

A server that cannot start raises `ServerFailed` with the end of its log.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 180.0
"""Loading the model on a busy 2-core machine; only a broken server takes this long."""


class ServerFailed(RuntimeError):
    """The server is not built, or did not start; the message says which and shows its log."""


def llama_server_binary() -> Path:
    """The llama-server the Makefile builds."""
    found = os.environ.get("LOGSMITH_LLAMA_SERVER")
    if not found:
        found = subprocess.run(
            ["make", "-s", "--no-print-directory", "-C", str(ROOT), "print-llama-server"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    path = Path(found)
    if not os.access(path, os.X_OK):
        raise ServerFailed(f"llama-server is not built at {path}: run `make llama-server`")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.status == 200
    except (OSError, ValueError):
        return False


class InferenceServer:
    """One server process; `url` is what the `model` setting takes. `stop()` kills it (as a crash
    would), `start()` starts it again on the same port."""

    def __init__(self, argv: list[str], port: int, health_path: str, log_path: Path):
        self.argv = argv
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.health_path = health_path
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> InferenceServer:
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()
        end = time.monotonic() + START_TIMEOUT_S
        while not answers(self.url + self.health_path):
            if self.process.poll() is not None or time.monotonic() > end:
                self.stop()
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise ServerFailed(f"{self.argv[0]} did not start on port {self.port}:\n{tail}")
            time.sleep(0.25)
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(30)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and answers(
            self.url + self.health_path)

    def post(self, path: str, body: dict, timeout: float = 300) -> dict:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return json.loads(reply.read())


def llama_server(model_path: Path, log_dir: Path, port: int | None = None,
                 threads: int = 2) -> InferenceServer:
    """llama-server as the tests and the benchmarks run it: `threads` threads, 2 slots, 8192
    tokens of context (4096 a slot: the longest prompt and its answer fit), and a full cache for
    Gemma 3's sliding-window layers (`--swa-full`; without it the server can reuse a cached prompt
    only up to its last checkpoint and reads the rest again)."""
    port = port or free_port()
    argv = [str(llama_server_binary()), "-m", str(model_path), "--host", "127.0.0.1",
            "--port", str(port), "-t", str(threads), "-np", "2", "-c", "8192", "--swa-full",
            "--no-webui"]
    return InferenceServer(argv, port, "/health", log_dir / f"llama-server-{port}.log")


def openai_server(model_path: Path, log_dir: Path) -> InferenceServer:
    """llama-cpp-python's server (OpenAI-compatible, one request at a time)."""
    port = free_port()
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
            "--host", "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "4096"]
    return InferenceServer(argv, port, "/v1/models", log_dir / f"llama-cpp-python-{port}.log")
