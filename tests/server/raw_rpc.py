"""Raw LSP framing for tests that must send what no well-behaved client would (bad JSON, bad messages)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time


def frame(body: bytes | str | dict | list) -> bytes:
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body


class RawServer:
    """A `logsmith serve` process spoken to byte by byte; every byte it writes must be a framed JSON message."""

    def __init__(self, command: list[str], env: dict):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env)
        self._buffer = b""

    def send(self, body) -> None:
        self.process.stdin.write(frame(body))
        self.process.stdin.flush()

    def _read_some(self, deadline: float) -> None:
        fd = self.process.stdout.fileno()
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError("no message from the server in time")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise EOFError("the server closed its output")
        self._buffer += chunk

    def receive(self, timeout: float = 10.0) -> dict:
        """The next message; fails if the bytes are not `Content-Length` framing around JSON."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self._buffer:
            self._read_some(deadline)
        header, _, rest = self._buffer.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in header.decode("ascii").split("\r\n"))
        length = int(fields["Content-Length"])
        while len(rest) < length:
            self._read_some(deadline)
            header, _, rest = self._buffer.partition(b"\r\n\r\n")
        body, self._buffer = rest[:length], rest[length:]
        return json.loads(body)

    def response(self, msg_id, timeout: float = 10.0) -> dict:
        """The response to `msg_id`, skipping notifications and requests from the server."""
        while True:
            message = self.receive(timeout)
            if "method" not in message and message.get("id") == msg_id:
                return message

    def close(self) -> int:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            return self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
