"""Stock levels in SQLite: how many of each product we hold, and every movement in and out."""

import logging
import sqlite3
from contextlib import closing

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS stock (sku TEXT PRIMARY KEY, quantity INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS movement (id INTEGER PRIMARY KEY, sku TEXT, delta INTEGER, reason TEXT);
"""


class OutOfStock(Exception):
    def __init__(self, sku, wanted, available):
        super().__init__(f"{sku}: wanted {wanted}, have {available}")
        self.sku, self.wanted, self.available = sku, wanted, available


class StockStore:
    def __init__(self, path):
        self.path = path
        self.conn = sqlite3.connect(path)
        self.conn.executescript(SCHEMA)
        logger.info("Opened stock database %s", path)

    def quantity(self, sku):
        with closing(self.conn.cursor()) as cursor:
            cursor.execute("SELECT quantity FROM stock WHERE sku = ?", (sku,))
            row = cursor.fetchone()
        if row is None:
            return 0
        return row[0]

    def receive(self, sku, count, reason="delivery"):
        if count <= 0:
            raise ValueError(f"count must be positive, got {count}")
        try:
            with self.conn:
                self.conn.execute(
                    "INSERT INTO stock (sku, quantity) VALUES (?, ?) "
                    "ON CONFLICT(sku) DO UPDATE SET quantity = quantity + excluded.quantity",
                    (sku, count),
                )
                self.conn.execute("INSERT INTO movement (sku, delta, reason) VALUES (?, ?, ?)", (sku, count, reason))
        except sqlite3.IntegrityError:
            return False
        logger.debug("Received %d of %s (%s)", count, sku, reason)
        return True

    def take(self, sku, count, order_id):
        available = self.quantity(sku)
        if available < count:
            raise OutOfStock(sku, count, available)
        try:
            with self.conn:
                self.conn.execute("UPDATE stock SET quantity = quantity - ? WHERE sku = ?", (count, sku))
                self.conn.execute(
                    "INSERT INTO movement (sku, delta, reason) VALUES (?, ?, ?)", (sku, -count, f"order {order_id}")
                )
        except sqlite3.OperationalError as exc:
            raise RuntimeError(f"could not take {count} of {sku} for order {order_id}") from exc
        return available - count

    def low_stock(self, thresholds):
        low = []
        for sku, threshold in thresholds.items():
            if self.quantity(sku) <= threshold:
                low.append(sku)
        return low

    def close(self):
        try:
            self.conn.close()
        except sqlite3.Error:
            pass
