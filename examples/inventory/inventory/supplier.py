"""The supplier's HTTP API: prices, availability and purchase orders."""

import json
import time
import urllib.error
import urllib.request

DEFAULT_TIMEOUT = 10


class SupplierError(Exception):
    """The supplier could not be reached or refused the request."""


class SupplierClient:
    def __init__(self, base_url, token, retries=3, backoff=0.5):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.retries = retries
        self.backoff = backoff

    def _request(self, method, path, payload=None):
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        for attempt in range(1, self.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=DEFAULT_TIMEOUT) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                raise SupplierError(f"{method} {path} failed with HTTP {exc.code}") from exc
            except (urllib.error.URLError, TimeoutError):
                if attempt == self.retries:
                    raise
                time.sleep(self.backoff * 2 ** attempt)
        return None

    def price(self, sku):
        answer = self._request("GET", f"/products/{sku}")
        if not answer:
            return None
        try:
            return float(answer["price"])
        except (KeyError, TypeError, ValueError):
            return None

    def place_order(self, sku, quantity, reference):
        answer = self._request("POST", "/orders", {"sku": sku, "quantity": quantity, "reference": reference})
        if answer is None:
            return None
        return answer.get("order_id")
