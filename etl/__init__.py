"""Write side of the dashboard: data/raw/* -> data/warehouse.duckdb.

Stages (each with its own exception type in ``etl.errors``):
extract (``etl.sources``) -> normalize (corrections, wareki) -> reconcile -> validate -> load.
"""
