import json

from inventory.catalog import load_catalog, parse_price, parse_threshold


def test_parse_price_rounds_and_falls_back():
    assert str(parse_price("2.505")) == "2.50" or str(parse_price("2.505")) == "2.51"
    assert str(parse_price("oops")) == "0.00"


def test_parse_threshold_defaults():
    assert parse_threshold(None) == 5
    assert parse_threshold("-3") == 0


def test_load_catalog(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps([{"sku": "A1", "name": "Bolt", "price": "0.10", "reorder_at": 50}]))
    try:
        products = load_catalog(path)
    except OSError:
        products = {}
    assert products["A1"].reorder_at == 50
