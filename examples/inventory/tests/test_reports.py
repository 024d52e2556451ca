from datetime import date, timedelta
from decimal import Decimal

from inventory.catalog import Product
from inventory.reports import archive_old_reports, remove_report, write_stock_report


class Store:
    def quantity(self, sku):
        return 3


def test_write_and_archive(tmp_path):
    folder, archive = tmp_path / "reports", tmp_path / "archive"
    folder.mkdir()
    archive.mkdir()
    catalog = {"A1": Product("A1", "Bolt", Decimal("0.10"), 4, "acme")}
    old = date.today() - timedelta(days=30)
    path = write_stock_report(Store(), catalog, folder)
    write_stock_report(Store(), catalog, folder, day=old)
    (folder / "stock-not-a-date.csv").write_text("", encoding="utf-8")
    (folder / "notes.txt").write_text("", encoding="utf-8")
    assert archive_old_reports(folder, archive) == 1
    assert path.exists() and (archive / f"stock-{old.isoformat()}.csv").exists()


def test_remove_report(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text("", encoding="utf-8")
    remove_report(path)
    remove_report(path)
    assert not path.exists()
