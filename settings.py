"""Where the data lives: the one place the raw folder and the warehouse file are configured.

Read by the ETL (``python -m etl``), the dashboard and the tests alike. Both paths default to
folders of this repository (not of the working directory) and can be moved with environment
variables, e.g. for tests or a second installation on one machine:

- ``GYOKAKU_RAW``: the source folder (default ``data/raw``)
- ``GYOKAKU_WAREHOUSE``: the DuckDB warehouse file (default ``data/warehouse.duckdb``)
- ``GYOKAKU_CACHE``: the ETL's extract cache (default ``cache/`` beside the warehouse file,
  i.e. ``data/cache``; see ``etl.extract_cache``). Deleting it only makes the next build slower.

The functions read the environment on every call, so a test's ``monkeypatch.setenv`` applies.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_RAW_DIR = ROOT / "data" / "raw"
DEFAULT_WAREHOUSE = ROOT / "data" / "warehouse.duckdb"
RAW_ENV = "GYOKAKU_RAW"
WAREHOUSE_ENV = "GYOKAKU_WAREHOUSE"
CACHE_ENV = "GYOKAKU_CACHE"


def raw_dir() -> Path:
    """The folder the ETL reads (documents, manifest.csv, corrections.csv, workbooks)."""
    return Path(os.environ.get(RAW_ENV) or DEFAULT_RAW_DIR)


def warehouse_path() -> Path:
    """The warehouse file the ETL writes and the dashboard reads."""
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)


def cache_dir(warehouse: Path | None = None) -> Path:
    """The folder of the ETL's extract cache for the warehouse file ``warehouse``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return (warehouse_path() if warehouse is None else warehouse).parent / "cache"
