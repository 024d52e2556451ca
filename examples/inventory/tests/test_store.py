import sqlite3

import pytest

from inventory.store import OutOfStock, StockStore


@pytest.fixture
def store(tmp_path):
    opened = StockStore(str(tmp_path / "stock.db"))
    yield opened
    opened.close()


def test_receive_take_and_low_stock(store):
    assert store.receive("A1", 5)
    assert store.quantity("A1") == 5
    assert store.take("A1", 2, order_id=7) == 3
    assert store.quantity("missing") == 0
    assert store.low_stock({"A1": 3, "B2": 0}) == ["A1", "B2"]


def test_receive_rejects_a_count_below_one(store):
    with pytest.raises(ValueError):
        store.receive("A1", 0)


def test_receive_refused_by_the_database(store):
    store.conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON movement BEGIN SELECT RAISE(ABORT, 'refused'); END")
    assert store.receive("A1", 5) is False


def test_take_more_than_available(store):
    store.receive("A1", 1)
    with pytest.raises(OutOfStock):
        store.take("A1", 2, order_id=8)


def test_take_when_the_database_fails(store):
    store.receive("A1", 5)
    store.conn.execute("DROP TABLE movement")
    with pytest.raises(RuntimeError):
        store.take("A1", 1, order_id=9)


def test_close_when_the_connection_fails(tmp_path):
    class Failing:
        def close(self):
            raise sqlite3.Error("disk I/O error")

    store = StockStore(str(tmp_path / "stock.db"))
    store.conn.close()
    store.conn = Failing()
    store.close()
