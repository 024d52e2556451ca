import json

import pytest

from inventory.catalog import CatalogError, load_catalog, parse_price, parse_threshold, save_catalog


def test_parse_price_rounds_and_falls_back():
    assert str(parse_price("2.505")) in ("2.50", "2.51")
    assert str(parse_price("oops")) == "0.00"


def test_parse_threshold_defaults():
    assert parse_threshold(None) == 5
    assert parse_threshold("x") == 5
    assert parse_threshold("-3") == 0


def test_load_and_save_catalog(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps([{"sku": "A1", "name": "Bolt", "price": "0.10", "reorder_at": 50}, {"name": "no sku"}]))
    products = load_catalog(path)
    assert products["A1"].reorder_at == 50
    save_catalog(products, tmp_path / "copy.json")
    assert load_catalog(tmp_path / "copy.json") == products


def test_load_catalog_that_is_not_json(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text("{not json")
    with pytest.raises(CatalogError):
        load_catalog(path)


def test_load_catalog_that_is_missing(tmp_path):
    with pytest.raises(OSError):
        load_catalog(tmp_path / "missing.json")
