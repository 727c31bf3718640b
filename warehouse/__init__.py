"""Read side: a read-only view of data/warehouse.duckdb for the dashboard.

Never writes the warehouse. Each thread gets its own cursor; when ``python -m etl`` swaps
in a new file the next query reconnects, and every cached query result is keyed by the
file's identity so the running app shows the new data without a restart.
"""
from warehouse.connection import WarehouseMissing, query, warehouse_path, warehouse_version
from warehouse.filters import Filters

__all__ = ["Filters", "WarehouseMissing", "query", "warehouse_path", "warehouse_version"]
