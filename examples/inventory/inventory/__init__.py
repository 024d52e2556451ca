"""inventory: stock levels, the product catalog, supplier orders and reports."""

__version__ = "0.3.0"
