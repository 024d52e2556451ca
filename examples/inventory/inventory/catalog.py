"""The product catalog: a JSON file of products with their prices and reorder thresholds."""

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    reorder_at: int
    supplier: str


class CatalogError(Exception):
    """The catalog file is missing or malformed."""


def parse_price(raw):
    try:
        return Decimal(str(raw)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("0.00")


def parse_threshold(raw, default=5):
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = default
    return max(value, 0)


def load_catalog(path):
    with open(path, encoding="utf-8") as handle:
        try:
            entries = json.load(handle)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{path} is not valid JSON") from exc
    products = {}
    for entry in entries:
        sku = entry.get("sku")
        if not sku:
            continue
        products[sku] = Product(
            sku=sku,
            name=entry.get("name", sku),
            price=parse_price(entry.get("price", 0)),
            reorder_at=parse_threshold(entry.get("reorder_at")),
            supplier=entry.get("supplier", "default"),
        )
    return products


def save_catalog(products, path):
    path = Path(path)
    rows = [
        {"sku": p.sku, "name": p.name, "price": str(p.price), "reorder_at": p.reorder_at, "supplier": p.supplier}
        for p in products.values()
    ]
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    temporary.replace(path)
