"""Where the data lives: the one place the raw folder and the warehouse file are configured.

Read by the ETL (``python -m etl``), the dashboard and the tests alike. Both paths default to
folders of this repository (not of the working directory) and can be moved with environment
variables, e.g. for tests or a second installation on one machine:

- ``GYOKAKU_RAW``: the source folder (default ``data/raw``)
- ``GYOKAKU_WAREHOUSE``: the DuckDB warehouse file (default ``data/warehouse.duckdb``)

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


def raw_dir() -> Path:
    """The folder the ETL reads (documents, manifest.csv, corrections.csv, workbooks)."""
    return Path(os.environ.get(RAW_ENV) or DEFAULT_RAW_DIR)


def warehouse_path() -> Path:
    """The warehouse file the ETL writes and the dashboard reads."""
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)
