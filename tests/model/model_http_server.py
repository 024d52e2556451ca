"""A small threaded HTTP server on 127.0.0.1 that serves model files the way real servers do and
misbehave: byte ranges (`Range`, `If-Range` against its ETag), and on request it cuts the connection
after N bytes, ignores ranges, serves wrong bytes from some offset, or redirects. Files are streamed
from where they lie (the real model is never copied). Every request is remembered with its headers
and the bytes sent, so a test can prove what the client asked for.
"""

from __future__ import annotations

import re
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BLOCK = 1 << 20


@dataclass
class Served:
    """One request as the server saw it."""

    path: str
    range: str | None
    if_range: str | None
    status: int
    sent: int = 0


@dataclass
class Behaviour:
    """How the server misbehaves; change it between requests."""

    cut_after: int | None = None
    """Close the connection after sending this many bytes of the body."""
    ignore_range: bool = False
    wrong_from: int | None = None
    """Serve every byte at or after this offset of the file inverted."""
    redirects: dict[str, str] = field(default_factory=dict)
    """Request path -> Location of a 302."""
    page: dict[str, bytes] = field(default_factory=dict)
    """Request path -> a body served as text/html."""


class ModelServer:
    """`with ModelServer({"/m.gguf": path}) as server:` ... `server.url("/m.gguf")`."""

    def __init__(self, files: dict[str, Path], *, tls: tuple[Path, Path] | None = None):
        self.files = {name: Path(path) for name, path in files.items()}
        self.behaviour = Behaviour()
        self.requests: list[Served] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> ModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # quiet
                pass

            def do_GET(self):
                behaviour = server.behaviour
                self.path = self.path.split("?", 1)[0]  # a signed link's query names the same file
                record = Served(self.path, self.headers.get("Range"), self.headers.get("If-Range"), 0)
                server.requests.append(record)
                if self.path in behaviour.redirects:
                    record.status = 302
                    self.send_response(302)
                    self.send_header("Location", behaviour.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path in behaviour.page:
                    body = behaviour.page[self.path]
                    record.status = 200
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    record.sent = len(body)
                    return
                path = server.files.get(self.path)
                if path is None:
                    record.status = 404
                    self.send_error(404)
                    return
                stat = path.stat()
                size, etag = stat.st_size, f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
                start = 0
                wanted = re.fullmatch(r"bytes=(\d+)-", record.range or "")
                if wanted and not behaviour.ignore_range and record.if_range in (None, etag):
                    start = int(wanted.group(1))
                    if start >= size:
                        record.status = 416
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    record.status = 206
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
                else:
                    record.status = 200
                    self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size - start))
                self.send_header("ETag", etag)
                self.end_headers()
                self._stream(path, start, record, behaviour)

            def _stream(self, path: Path, start: int, record: Served, behaviour: Behaviour):
                with open(path, "rb") as handle:
                    handle.seek(start)
                    offset = start
                    while block := handle.read(BLOCK):
                        if behaviour.cut_after is not None:
                            block = block[: behaviour.cut_after - record.sent]
                        if behaviour.wrong_from is not None and offset + len(block) > behaviour.wrong_from:
                            keep = max(0, behaviour.wrong_from - offset)
                            block = block[:keep] + bytes(b ^ 0xFF for b in block[keep:])
                        try:
                            self.wfile.write(block)
                        except OSError:
                            return
                        record.sent += len(block)
                        offset += len(block)
                        if behaviour.cut_after is not None and record.sent >= behaviour.cut_after:
                            self.wfile.flush()
                            self.connection.shutdown(socket.SHUT_RDWR)
                            self.close_connection = True
                            return

        return Handler
