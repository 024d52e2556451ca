"""Restocking: find what runs low, order it from the supplier and print shelf labels."""

import logging
import subprocess

from inventory.catalog import Product
from inventory.supplier import SupplierClient, SupplierError

log = logging.getLogger("inventory.restock")

LABEL_PRINTER = "shelf-labels"


def order_quantity(product: Product, on_hand: int) -> int:
    target = product.reorder_at * 3
    return max(target - on_hand, 0)


def plan_restock(store, catalog):
    thresholds = {sku: product.reorder_at for sku, product in catalog.items()}
    plan = {}
    for sku in store.low_stock(thresholds):
        wanted = order_quantity(catalog[sku], store.quantity(sku))
        if wanted:
            plan[sku] = wanted
    log.info("Restock plan has %d products", len(plan))
    return plan


def place_orders(client: SupplierClient, plan, reference):
    placed = {}
    for sku, quantity in plan.items():
        try:
            order_id = client.place_order(sku, quantity, reference)
        except SupplierError:
            continue
        placed[sku] = order_id
    return placed


def print_labels(products, printer=LABEL_PRINTER):
    lines = "\n".join(f"{p.sku}\t{p.name}\t{p.price}" for p in products)
    done = subprocess.run(["lp", "-d", printer], input=lines, text=True, capture_output=True)
    if done.returncode != 0:
        return False
    return True
