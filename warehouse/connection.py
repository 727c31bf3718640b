"""Read-only DuckDB access, one cursor per thread, reopened when the ETL replaces the file."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Sequence

import duckdb
import polars as pl

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "warehouse.duckdb"


class WarehouseMissing(Exception):
    """The warehouse file does not exist yet (run ``python -m etl``)."""


def warehouse_path() -> Path:
    return Path(os.environ.get("GYOKAKU_WAREHOUSE", DEFAULT_PATH))


def warehouse_version() -> tuple[int, int]:
    """Identity of the current file: (inode, mtime). Changes on every rebuild (os.replace)."""
    try:
        stat = warehouse_path().stat()
    except FileNotFoundError:
        raise WarehouseMissing(str(warehouse_path())) from None
    return stat.st_ino, stat.st_mtime_ns


class _Shared:
    lock = threading.Lock()
    connection: duckdb.DuckDBPyConnection | None = None
    version: tuple[int, int] | None = None
    path: Path | None = None


_local = threading.local()


def _connection(version: tuple[int, int]) -> tuple[duckdb.DuckDBPyConnection, int]:
    with _Shared.lock:
        path = warehouse_path()
        if _Shared.connection is None or _Shared.version != version or _Shared.path != path:
            if _Shared.connection is not None:
                _Shared.connection.close()
            _Shared.connection = duckdb.connect(str(path), read_only=True)
            _Shared.version, _Shared.path = version, path
        return _Shared.connection, id(_Shared.connection)


def cursor() -> duckdb.DuckDBPyConnection:
    """This thread's cursor on the current warehouse file (DuckDB connections are not thread-safe)."""
    version = warehouse_version()
    con, generation = _connection(version)
    if getattr(_local, "generation", None) != generation:
        _local.cursor = con.cursor()
        _local.generation = generation
    return _local.cursor


def query(sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """Run a parameterised query (never format user text into ``sql``) and return a Polars frame."""
    return cursor().sql(sql, params=list(params) if params else None).pl()
