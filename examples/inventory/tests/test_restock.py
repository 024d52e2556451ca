import subprocess
from decimal import Decimal

from inventory.catalog import Product
from inventory.restock import order_quantity, place_orders, plan_restock, print_labels
from inventory.supplier import SupplierError

BOLT = Product("A1", "Bolt", Decimal("0.10"), 4, "acme")


class Store:
    def __init__(self, levels):
        self.levels = levels

    def quantity(self, sku):
        return self.levels.get(sku, 0)

    def low_stock(self, thresholds):
        return [sku for sku, threshold in thresholds.items() if self.quantity(sku) <= threshold]


class Supplier:
    def __init__(self, failing):
        self.failing = failing

    def place_order(self, sku, quantity, reference):
        if sku in self.failing:
            raise SupplierError(f"{sku} refused")
        return f"order-{sku}"


def test_plan_restock():
    assert order_quantity(BOLT, 2) == 10
    assert plan_restock(Store({"A1": 1}), {"A1": BOLT}) == {"A1": 11}


def test_place_orders_when_the_supplier_refuses_the_first():
    placed = place_orders(Supplier(failing={"A1"}), {"A1": 5, "B2": 3}, "weekly")
    assert placed == {"B2": "order-B2"}


def test_print_labels(monkeypatch):
    answers = iter([0, 1])

    def fake_run(command, **kwargs):
        return subprocess.CompletedProcess(command, next(answers), "", "printer jammed")

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert print_labels([BOLT]) is True
    assert print_labels([BOLT]) is False
