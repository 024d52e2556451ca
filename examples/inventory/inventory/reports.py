"""Daily CSV reports of stock levels, written next to yesterday's and archived after a week."""

import csv
import os
import shutil
from datetime import date, timedelta
from pathlib import Path


def write_stock_report(store, catalog, folder, day=None):
    day = day or date.today()
    path = Path(folder) / f"stock-{day.isoformat()}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "quantity", "value"])
        for sku, product in sorted(catalog.items()):
            quantity = store.quantity(sku)
            writer.writerow([sku, product.name, quantity, quantity * product.price])
    return path


def archive_old_reports(folder, archive, keep_days=7):
    cutoff = date.today() - timedelta(days=keep_days)
    moved = 0
    for name in os.listdir(folder):
        if not name.startswith("stock-") or not name.endswith(".csv"):
            continue
        try:
            day = date.fromisoformat(name[len("stock-"):-len(".csv")])
        except ValueError:
            continue
        if day < cutoff:
            shutil.move(os.path.join(folder, name), os.path.join(archive, name))
            moved += 1
    return moved


def remove_report(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
