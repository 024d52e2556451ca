import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from inventory.supplier import SupplierClient, SupplierError


class Answers(BaseHTTPRequestHandler):
    routes = {}

    def _answer(self):
        status, body = self.routes.get(self.path, (404, {}))
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def supplier():
    server = HTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Answers.routes = {
        "/products/A1": (200, {"price": "2.50"}),
        "/products/B2": (200, {"name": "no price"}),
        "/products/C3": (200, {}),
        "/products/D4": (500, {"error": "down"}),
        "/orders": (200, {"order_id": 42}),
    }
    yield SupplierClient(f"http://127.0.0.1:{server.server_port}", token="t", retries=2, backoff=0)
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_price_and_order(supplier):
    assert supplier.price("A1") == 2.5
    assert supplier.place_order("A1", 3, "ref") == 42


def test_price_missing_or_empty(supplier):
    assert supplier.price("B2") is None
    assert supplier.price("C3") is None


def test_http_error_is_a_supplier_error(supplier):
    with pytest.raises(SupplierError):
        supplier.price("D4")


def test_unreachable_supplier_retries_then_raises():
    client = SupplierClient(f"http://127.0.0.1:{closed_port()}", token="t", retries=2, backoff=0)
    with pytest.raises(OSError):
        client.price("A1")


def test_order_without_answer(supplier, monkeypatch):
    monkeypatch.setattr(supplier, "_request", lambda *args, **kwargs: None)
    assert supplier.place_order("A1", 3, "ref") is None
